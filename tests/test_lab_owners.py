"""Two people on one daemon: each one's status/down/clean acts on their own labs; --all on everyone's.

The second person is a real, non-root member of the ``docker`` group (a system user this test creates
when it runs as root, as CI does), running the CLI through ``runuser``: the owner label comes from the
OS user, not from a variable the test sets.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

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


def _peer_python(user: str) -> tuple[list[str], dict[str, str]]:
    """An interpreter the peer may run with this checkout and its packages on the path.

    The venv's own interpreter may live under /root (pyenv); then the system Python of the same
    version runs with the venv's site-packages (same ABI).
    """
    probe = subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", "import owui_lab, psutil, docker"],
                           capture_output=True, cwd=REPO)
    if probe.returncode == 0:
        return [sys.executable], {}
    system = shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}", path="/usr/bin:/usr/local/bin")
    _need(system is not None, "no interpreter the second user may run")
    paths = [str(REPO), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return [system], {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def _as(user: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    python, extra = _peer_python(user)
    full = dict(env, **extra)
    full.pop("OWUI_LAB_OWNER", None)  # the OS user is the owner
    return subprocess.run(["runuser", "-u", user, "--", *python, "-m", "owui_lab", *args],
                          capture_output=True, text=True, timeout=120, env=full, cwd=REPO)


def _json(result: subprocess.CompletedProcess) -> object:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_one_owners_clean_leaves_the_others_lab_running(peer: str) -> None:
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
        up = _json(_as(peer, "lab", "up", "--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0",
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
        status = _json(_as(peer, "lab", "status", "--json", env=peer_env))
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
        _as(peer, "lab", "clean", "--run", run_id, env=peer_env)
        owui_lab("lab", "clean", "--run", run_id, env=root_env)
        shutil.rmtree(peer_state, ignore_errors=True)
        shutil.rmtree(root_state, ignore_errors=True)
