"""The recipe on the other engines, run for real: what the learner copies does what the engine says (issue 23).

The recipe of a seed with ``engine="podman-rootful"``, ``podman-rootless`` or ``docker-rootless`` is written
with the stand-ins (``_stack``, as the compose tests do) and its own lines (``sudo podman network create`` /
``sudo podman run``, ``podman ...`` rootless, ``docker ...`` for rootless Docker) are run here, with the CLI
pointed at that engine's socket (``OWUI_LAB_ENGINE_*``, printed by ``scripts/start-engines.sh``; the notes tell
the learner to do the same with DOCKER_HOST or a context): the program and every option are the recipe's. Open WebUI's stand-in probes ``OLLAMA_BASE_URL`` from its own container and the
browser check asks its published port; both must agree with the engine's prediction for that engine and with
the kit's own recording of that setup there (``data/truth/linux-*.json``). The printed podman-compose
command runs the compose file on rootful Podman. Missing, an engine skips locally and fails in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from owui_lab import docker_api, load_scenario, predict, truth
from owui_lab.config import Config
from owui_lab.recipe import WEBUI_NAME
from owui_lab.recipe_engines import PROGRAMS
from tests.conftest import live_required
from bench.servers import free_port
from tests.test_engines_live import ENGINE_SOCKETS, IMAGE, _answers
from tests.test_recipe_compose import _stack, assert_the_stack_agrees

ENGINE = "podman-rootful"
TRUTH = Path(__file__).resolve().parents[1] / "data" / "truth"


def engine_url(monkeypatch, engine: str) -> str:
    """The engine's service socket, with the kit's client pointed at it."""
    url = os.environ.get(ENGINE_SOCKETS[engine], "")
    problem = None
    if not url or not _answers(url):
        problem = f"${ENGINE_SOCKETS[engine]}={url or '(unset)'} answers nothing (sudo scripts/start-engines.sh)"
    elif not shutil.which(PROGRAMS[engine][-1]):
        problem = f"the {PROGRAMS[engine][-1]} command is not installed (sudo scripts/start-engines.sh installs it)"
    if problem:
        if live_required():
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    monkeypatch.setenv("DOCKER_HOST", url)
    monkeypatch.setenv("OWUI_LAB_IMAGE", IMAGE)
    return url


@pytest.fixture
def podman_url(monkeypatch):
    """Rootful Podman's service socket, with the kit's client pointed at it."""
    return engine_url(monkeypatch, ENGINE)


def recorded(c: Config) -> dict:
    """What the kit's recording on this engine observed for this setup (its networks are lab-a, lab-b)."""
    names: dict[str, str] = {}
    for net in (c.ollama_network_effective, c.webui_network):
        if net and net not in ("bridge", "host") and net not in names:
            names[net] = ("lab-a", "lab-b")[len(names)]
    probe = c.replace(ollama_network=names.get(c.ollama_network, c.ollama_network), compose=False,
                      ollama_publish=c.ollama_publish_effective,
                      webui_network=names.get(c.webui_network, c.webui_network), webui_port=Config().webui_port)
    path = sorted(TRUTH.glob(f"linux-{c.engine}-*.json"))[-1]
    recording = truth.load_recording(path)
    found = [e.observed for e in recording.entries if e.config(recording.facts) == probe]
    assert found, f"the recording {path.name} has no row for {probe}"
    return found[0]


def as_run_here(argv: tuple[str, ...], engine: str, url: str, session: str) -> list[str]:
    """A recipe line as run here: root needs no sudo, the CLI talks to the engine's socket; Open WebUI's fixed
    container name gets the session's (the learner's own open-webui may be running)."""
    program = PROGRAMS[engine]
    assert argv[:len(program)] == program, argv
    socket = ["--url", url] if program[-1] == "podman" else ["-H", url]  # as DOCKER_HOST would
    out = [program[-1], *socket, *argv[len(program):]]
    if "--name" in out and out[out.index("--name") + 1] == WEBUI_NAME:
        out[out.index("--name") + 1] = docker_api.container_name(session, "webui")
    return out


@pytest.mark.timeout(400)
@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless", "docker-rootless"])
@pytest.mark.parametrize("sid", ["linux-separate-networks", "linux-compose"])
def test_the_recipe_runs_on_each_engine_as_the_engine_and_the_recording_say(monkeypatch, engine, sid):
    url = engine_url(monkeypatch, engine)
    session = docker_api.new_session_id()
    name = docker_api.container_name(session, "ollama")  # a name of this session, reached by that name
    c = load_scenario(sid).replace(engine=engine, webui_port=free_port(), ollama_name=name,
                                   base_url=f"http://{name}:11434")
    verdict = predict(c)
    observed = recorded(c.replace(ollama_name="ollama", base_url="http://ollama:11434"))
    assert (verdict.outcome, verdict.browser.reachable) == (observed["outcome"], observed["browser"])
    cli = docker_api.client()
    try:
        limits = {u.name: u.soft for u in docker_api.container_limits(cli).get("ulimits", [])}
        assert bool(limits) == engine.startswith("podman"), "Podman here needs explicit limits, Docker none"
        r = _stack(c, session, ulimits=limits)
        for argv in (*r.network_creates, *r.runs):
            done = subprocess.run(as_run_here(argv, engine, url, session), capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, f"{' '.join(argv)}\n{done.stderr}"
        ollama = cli.containers.get(name)
        webui = cli.containers.get(docker_api.container_name(session, "webui"))
        assert_the_stack_agrees(ollama, webui, c, verdict, session, timeout=30)
    finally:
        docker_api.remove_labelled(cli, session=session)
        left = docker_api.list_labelled(cli, session=session)
        cli.close()
    assert left == [], f"left behind on {engine}: {left}"


@pytest.mark.timeout(400)
def test_the_podman_compose_file_runs_with_podman_compose(podman_url, tmp_path):
    """The compose file and the command the Podman recipe prints (podman-compose -p PROJECT up -d), run as written.

    podman-compose drives the local ``podman`` command: run as root here, that is rootful Podman, the engine whose
    service the checks below ask.
    """
    if not shutil.which("podman-compose"):
        why = "podman-compose is not installed (sudo scripts/start-engines.sh installs it)"
        if live_required():
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    session = docker_api.new_session_id()
    c = load_scenario("linux-compose").replace(engine=ENGINE, webui_port=free_port())
    verdict = predict(c)
    observed = recorded(c)
    assert (verdict.outcome, verdict.browser.reachable) == (observed["outcome"], observed["browser"])
    cli = docker_api.client()
    try:
        limits = {u.name: u.soft for u in docker_api.container_limits(cli).get("ulimits", [])}
        r = _stack(c, session, ulimits=limits)
        (tmp_path / "compose.yaml").write_text(r.compose_yaml)
        program = [word for word in r.compose_program if word != "sudo"]  # root here
        assert r.compose_up == " ".join(["sudo", *program, "up", "-d"])
        up = subprocess.run([*program, "up", "-d"], cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]

        def service(name: str):
            (found,) = cli.containers.list(filters={"label": [f"{docker_api.LABEL_SESSION}={session}",
                                                              f"com.docker.compose.service={name}"]})
            return found

        assert_the_stack_agrees(service(c.ollama_name), service(WEBUI_NAME), c, verdict, session, timeout=30)
        down = subprocess.run([*program, "down", "-t", "1"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=180)
        assert down.returncode == 0, down.stderr[-2000:]
    finally:
        docker_api.remove_labelled(cli, session=session)  # podman-compose 1.0.3's down leaves the network
        left = docker_api.list_labelled(cli, session=session)
        cli.close()
    assert left == [], f"left behind on rootful Podman: {left}"


@pytest.mark.timeout(200)
@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless"])
def test_podman_run_refuses_the_host_gateway_line_as_the_note_says(monkeypatch, engine):
    """The recipe's run line with --add-host=...:host-gateway, run with podman: refused, nothing starts.

    The verdict is what Podman's Docker-compatible API does (it starts the container); the note
    ``podman_run_refuses_host_gateway`` says the command line refuses, and this is where that is measured.
    """
    url = engine_url(monkeypatch, engine)
    session = docker_api.new_session_id()
    c = load_scenario("linux-ollama-on-host").replace(engine=engine, webui_port=free_port(), add_host_gateway=True,
                                                      base_url="http://host.containers.internal:11434")
    assert "podman_run_refuses_host_gateway" in [n.code for n in predict(c).note_data]
    cli = docker_api.client()
    try:
        limits = {u.name: u.soft for u in docker_api.container_limits(cli).get("ulimits", [])}
        (run,) = [argv for argv in _stack(c, session, ulimits=limits).runs if "--add-host" in " ".join(argv)]
        done = subprocess.run(as_run_here(run, engine, url, session), capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and 'invalid IP address in add-host: "host-gateway"' in done.stderr, done.stderr
        assert docker_api.list_labelled(cli, session=session) == []  # no container started
    finally:
        docker_api.remove_labelled(cli, session=session)
        cli.close()
