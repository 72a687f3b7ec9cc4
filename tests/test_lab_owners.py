"""Two people on one daemon: each one's status/down/clean acts on their own labs; --all on everyone's.

The second person is a real, non-root member of the ``docker`` group (a system user this test creates
when it runs as root, as CI does), running the CLI through ``runuser``: the owner label comes from the
OS user, not from a variable the test sets.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from packaging.requirements import Requirement

from owui_lab import docker_api
from tests.conftest import live_required
from tests.lab_support import REPO, cli_env, derived_run_id, leftovers, owui_lab, stand_in_image

PEER = "owuilab-peer"

pytestmark = pytest.mark.usefixtures("docker_daemon")


def _need(condition: bool, why: str) -> None:
    if not condition:
        if live_required():
            pytest.fail(why, pytrace=False)
        pytest.skip(why)


@pytest.fixture(scope="module")
def peer() -> str:
    """A non-root system user in the docker group (created once; kept, like any system account)."""
    _need(hasattr(os, "geteuid") and os.geteuid() == 0, "creating a second user needs root (CI runs as root)")
    _need(shutil.which("runuser") is not None and shutil.which("useradd") is not None, "runuser/useradd missing")
    try:
        pwd.getpwnam(PEER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        "--groups", "docker", PEER], check=True)
    groups = subprocess.run(["id", "-nG", PEER], capture_output=True, text=True, check=True).stdout.split()
    if "docker" not in groups:
        subprocess.run(["usermod", "-aG", "docker", PEER], check=True)
    return PEER


#: What ``python -m owui_lab lab ...`` imports besides the kit: the distributions whose
#: dependency closure is copied for the peer (never Jupyter's, which the lab's CLI does not load).
_LAB_DISTRIBUTIONS = ("docker", "PyYAML", "psutil", "tqdm", "ruamel.yaml")  # the CLI reads pastes too


def _closure(names: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """These installed distributions and everything they require here (no extras, markers applied), each once."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        dist = importlib.metadata.distribution(todo.pop())
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist
        for req in map(Requirement, dist.requires or []):
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return list(seen.values())


@pytest.fixture(scope="module")
def peer_kit(peer: str) -> Iterator[Path]:
    """The kit installed for the peer: this checkout's package and the lab's dependencies, copied to
    a folder the peer may read (a learner's checkout is private: 0700 in CI, 0750 in an Ubuntu home)."""
    kit = Path(tempfile.mkdtemp(prefix="owui-lab-peer-kit-"))
    try:
        shutil.copytree(REPO / "owui_lab", kit / "owui_lab", ignore=shutil.ignore_patterns("__pycache__"))
        for dist in _closure(_LAB_DISTRIBUTIONS):
            for file in dist.files or []:
                source = Path(dist.locate_file(file)).resolve()
                if source.is_file() and "__pycache__" not in file.parts and not str(file).startswith(".."):
                    (kit / file).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, kit / file)
        for path in [kit, *kit.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield kit
    finally:
        shutil.rmtree(kit, ignore_errors=True)


def _peer_python(kit: Path) -> tuple[list[str], dict[str, str]]:
    """The interpreter the venv was made from (a system one the peer may run) and the peer's kit."""
    base = getattr(sys, "_base_executable", "") or sys.executable
    system = shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}", path="/usr/bin:/usr/local/bin")
    python = next((p for p in (system, base) if p and os.access(p, os.X_OK)), None)
    _need(python is not None, "no interpreter the second user may run")
    return [str(python)], {"PYTHONPATH": str(kit)}


def _as(user: str, kit: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    python, extra = _peer_python(kit)
    full = dict(env, **extra)
    full.pop("OWUI_LAB_OWNER", None)  # the OS user is the owner
    return subprocess.run(["runuser", "-u", user, "--", *python, "-m", "owui_lab", *args],
                          capture_output=True, text=True, timeout=120, env=full, cwd=kit)


def _json(result: subprocess.CompletedProcess) -> object:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_one_owners_clean_leaves_the_others_lab_running(peer: str, peer_kit: Path) -> None:
    stand_in_image()
    run_id = derived_run_id("owners")
    peer_state = Path(tempfile.mkdtemp(prefix="owui-lab-peer-"))
    os.chown(peer_state, pwd.getpwnam(peer).pw_uid, -1)
    root_state = Path(tempfile.mkdtemp(prefix="owui-lab-root-"))
    me = docker_api.current_owner()
    assert me != peer
    base = cli_env(OWUI_LAB_RUN=run_id)
    base.pop("OWUI_LAB_OWNER", None)
    peer_env = dict(base, OWUI_LAB_STATE_DIR=str(peer_state))
    root_env = dict(base, OWUI_LAB_STATE_DIR=str(root_state))
    try:
        # The peer's lab has a host stand-in (a process root could see and kill) and containers.
        up = _json(_as(peer, peer_kit, "lab", "up", "--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0",
                       "--free-ports", "--json", env=peer_env))
        assert up["agree"] and up["host_processes"]
        mine = _json(owui_lab("lab", "up", "--scenario", "linux-compose", "--free-ports", "--json", env=root_env))
        cli = docker_api.client()
        try:
            owners = {c.name: docker_api.owner_of(c) for c in docker_api.labelled_containers(cli, everyone=True)
                      if c.labels.get(docker_api.LABEL_RUN) == run_id}
        finally:
            cli.close()
        assert {owners[n] for n in up["containers"]} == {peer}
        assert {owners[n] for n in mine["containers"]} == {me}
        assert (peer_state / f"{up['session']}.json").stat().st_mode & 0o777 == 0o600

        # My clean (same run id, to show it is the owner that protects the peer) removes mine only.
        cleaned = _json(owui_lab("lab", "clean", "--run", run_id, "--json", env=root_env))
        assert sorted(cleaned["containers"]) == sorted(mine["containers"])
        assert cleaned["host_processes"] == []
        assert all(n not in cleaned["containers"] for n in up["containers"])

        # The peer's lab is still up and still works, and its host stand-in still runs.
        status = _json(_as(peer, peer_kit, "lab", "status", "--json", env=peer_env))
        assert [s["session"] for s in status] == [up["session"]]
        assert status[0]["observed"]["outcome"] == "ok" and status[0]["browser"]["reachable"]
        assert status[0]["host_processes"] == up["host_processes"]
        assert all(v == "running" for v in status[0]["containers"].values())

        # My status does not show it; with --all it does, with its owner.
        assert _json(owui_lab("lab", "status", "--json", env=root_env)) == []
        everyone = _json(owui_lab("lab", "status", "--all", "--json", env=root_env))
        assert any(e["session"] == up["session"] and e["owner"] == peer for e in everyone)

        # My down of the peer's session (without --all) removes nothing of it.
        down = _json(owui_lab("lab", "down", up["session"], "--json", env=root_env))
        assert down[0]["containers"] == [] and down[0]["host_processes"] == []

        # --all says what it will remove (the peer's objects by name) before removing them.
        allclean = owui_lab("lab", "clean", "--all", "--run", run_id, env=root_env)
        assert allclean.returncode == 0, allclean.stdout + allclean.stderr
        said, _, done = allclean.stdout.partition("Removed ")
        assert all(n in said for n in up["containers"]) and str(up["host_processes"][0]) in said
        assert "of every owner" in done
        assert leftovers(run=run_id) == []
    finally:
        _as(peer, peer_kit, "lab", "clean", "--run", run_id, env=peer_env)
        owui_lab("lab", "clean", "--run", run_id, env=root_env)
        shutil.rmtree(peer_state, ignore_errors=True)
        shutil.rmtree(root_state, ignore_errors=True)
