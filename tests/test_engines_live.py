"""Live on the other engines: rootful and rootless Podman and rootless Docker (issue 23).

Each engine runs on its own socket, named by ``OWUI_LAB_ENGINE_<NAME>`` (``scripts/start-engines.sh``
starts them and prints the lines; ``.ci/run`` keeps them). Missing, a test skips locally and fails in CI.
On each: ``lab run`` agrees with the engine's prediction for that engine, ``lab up/status/down/clean`` keep
the same labels, owners and cleanup as on Docker, and the small grid disagrees with the engine nowhere.
"""

from __future__ import annotations

import json
import os
import urllib.parse

import pytest

from owui_lab.config import Config
from owui_lab.engine import evaluate
from tests.conftest import live_required
from tests.lab_support import cli_env, derived_run_id, owui_lab

ENGINE_SOCKETS = {
    "podman-rootful": "OWUI_LAB_ENGINE_PODMAN_ROOTFUL",
    "podman-rootless": "OWUI_LAB_ENGINE_PODMAN_ROOTLESS",
    "docker-rootless": "OWUI_LAB_ENGINE_DOCKER_ROOTLESS",
}
IMAGE = os.environ.get("OWUI_LAB_IMAGE", "owui-lab/python:offline")


def _answers(url: str) -> bool:
    import docker

    try:
        cli = docker.DockerClient(base_url=url, timeout=10)
        cli.ping()
        cli.close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "this engine is not here"
        return False


@pytest.fixture(params=sorted(ENGINE_SOCKETS))
def engine(request, monkeypatch, tmp_path):
    """(engine knob, socket URL), with DOCKER_HOST pointing the kit at it and a private state folder."""
    name = request.param
    url = os.environ.get(ENGINE_SOCKETS[name], "")
    if not url or not _answers(url):
        why = (f"{name}: ${ENGINE_SOCKETS[name]}={url or '(unset)'} answers nothing "
               "(sudo scripts/start-engines.sh starts it)")
        if live_required():
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    monkeypatch.setenv("DOCKER_HOST", url)
    monkeypatch.setenv("OWUI_LAB_IMAGE", IMAGE)
    monkeypatch.setenv("OWUI_LAB_STATE_DIR", str(state))
    yield name, url
    from owui_lab import docker_api

    cli = docker_api.client()
    try:  # nothing of this test run may stay on the engine
        left = docker_api.list_labelled(cli, run=os.environ.get("OWUI_LAB_RUN"), everyone=True)
    finally:
        cli.close()
    assert not left, f"left behind on {name}: {left}"


def _host_alias_config(name: str) -> list[str]:
    """A host Ollama on 0.0.0.0 reached by the engine's own name for the host."""
    if name.startswith("podman"):
        return ["--ollama-bind", "0.0.0.0", "--base-url", "http://host.containers.internal:11434"]
    return ["--ollama-bind", "0.0.0.0", "--add-host-gateway"]  # rootless Docker: docker0 is not the host


@pytest.mark.timeout(400)
def test_lab_run_agrees_on_each_engine(engine):
    name, _ = engine
    done = owui_lab("lab", "run", *_host_alias_config(name), "--json", env=cli_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["predicted"]["config"]["engine"] == name  # the daemon's engine, not Docker's
    assert result["observed"] is not None, result.get("reason")
    assert result["agree"], json.dumps(result, indent=1)[:2000]
    expected = "connection_refused" if name == "docker-rootless" else "ok"
    assert result["predicted"]["outcome"] == expected


@pytest.mark.timeout(400)
def test_up_status_down_clean_keep_labels_and_owners_on_each_engine(engine, tmp_path):
    name, url = engine
    import docker

    owner = f"engines-{name}"
    env = cli_env(OWUI_LAB_OWNER=owner, OWUI_LAB_RUN=derived_run_id(name))
    # A host stand-in and a container: both kinds of object the cleanup must find. Names come from
    # /etc/hosts here: rootless Podman's aardvark-dns answered compose names late on a loaded machine.
    up = owui_lab("lab", "up", "--scenario", "linux-ollama-on-host", *_host_alias_config(name), "--json", env=env,
                  timeout=300)
    assert up.returncode == 0, up.stderr
    described = json.loads(up.stdout)
    assert described["owner"] == owner and described["config"]["engine"] == name
    try:
        status = json.loads(owui_lab("lab", "status", "--json", env=env).stdout)
        mine = [s for s in status if s["session"] == described["session"]]
        expected = evaluate(Config(**described["config"])).outcome  # the engine's word for this engine
        assert mine and mine[0]["observed"]["outcome"] == expected, mine and mine[0]["observed"]
        assert mine[0]["host_processes"], "the host stand-in Ollama is part of the lab"
        cli = docker.DockerClient(base_url=url, timeout=30)
        try:
            labelled = cli.containers.list(filters={"label": f"io.owui-lab.session={described['session']}"})
            assert {c.name for c in labelled} == set(described["containers"])
            assert all(c.labels.get("io.owui-lab.owner") == owner for c in labelled)
            elsewhere = tmp_path / "someone-else"
            elsewhere.mkdir(mode=0o700)  # another user: another owner and their own state folder
            other = owui_lab("lab", "status", "--json",
                             env=cli_env(OWUI_LAB_OWNER="someone-else", OWUI_LAB_STATE_DIR=str(elsewhere)))
            assert described["session"] not in other.stdout  # another owner sees nothing of it
        finally:
            cli.close()
    finally:
        down = owui_lab("lab", "down", env=env)
        clean = owui_lab("lab", "clean", env=env)
    assert down.returncode == 0 and clean.returncode == 0, down.stderr + clean.stderr
    assert "nothing else was touched" in clean.stdout


@pytest.mark.timeout(600)
def test_the_small_grid_agrees_on_each_engine(engine):
    from owui_lab.lab import grid as truth_grid
    from owui_lab.truth import check

    name, _ = engine
    facts = truth_grid.local_facts()
    assert facts.engine_knob == name, facts
    recording = truth_grid.run_grid(truth_grid.grid_named("small", facts), progress=False, facts=facts,
                                    say=lambda _: None)
    assert not recording.partial, recording.partial_reason
    assert recording.facts.port_forwarder != "?" and recording.facts.rootless == (name != "podman-rootful")
    disagreements = check(recording, name)
    assert not disagreements, "\n".join(map(str, disagreements[:5]))


def test_the_sockets_are_unix_sockets_of_this_machine():
    """The engines the tests use are local (a DOCKER_HOST over TCP would leave this machine)."""
    for var in ENGINE_SOCKETS.values():
        url = os.environ.get(var)
        if url:
            assert urllib.parse.urlsplit(url).scheme == "unix", f"{var}={url}"


def _podman_network_options(url: str, network: str) -> dict[str, str]:
    """A network's options as the podman command reads them from its own files, as the engine's user (Podman's
    API leaves ``isolate`` out of what it shows)."""
    import pwd
    import subprocess

    path = urllib.parse.urlsplit(url).path
    command = ["podman", "network", "inspect", "--format", "{{json .Options}}", network]
    if path.startswith("/run/user/"):  # a rootless Podman: its user's storage
        uid = int(path.split("/")[3])
        if os.getuid() != uid:
            command = ["runuser", "-u", pwd.getpwuid(uid).pw_name, "--", "env", f"XDG_RUNTIME_DIR=/run/user/{uid}",
                       *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) or {}


@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless"], indirect=True)
def test_podman_networks_are_made_as_podman_network_create_makes_them(engine):
    """The lab's Podman networks are plain, as the recipe's ``podman network create`` makes them; Podman's
    Docker-compatible API would have made them isolated (the note ``podman_compat_networks_isolated``).

    No container joins either network: netavark writes its isolation rules only when one does, and
    netavark 1.4 leaves some behind, so the test looks at the networks' options and sends no traffic.
    """
    import docker

    from owui_lab import docker_api

    _, url = engine
    cli = docker.DockerClient(base_url=url, timeout=30)
    session = f"nets{os.getpid()}"
    labels = docker_api.labels(session, "network")
    made = []
    try:
        made.append(docker_api.create_network(cli, docker_api.network_name(session, "kit"), labels))
        made.append(cli.networks.create(docker_api.network_name(session, "compat"), driver="bridge", labels=labels,
                                        options={"isolate": "false"}))

        kit, compat = (_podman_network_options(url, n.name) for n in made)
        assert "isolate" not in kit, kit
        assert compat.get("isolate") == "true", compat  # asked for false: the compatible API isolates
        libpod = cli.api._result(cli.api.get(f"{cli.api.base_url}/v4.0.0/libpod/networks/{made[0].name}/json"),
                                 json=True)
        assert libpod["dns_enabled"] is True and libpod["labels"] == labels, libpod  # names resolve, as with the CLI
        assert made[0].attrs["Labels"] == labels  # the compatible API reads the kit's network as its own
    finally:
        for network in made:
            network.remove()
        cli.close()
