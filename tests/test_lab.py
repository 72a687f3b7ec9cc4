"""The lab: planning (ports, URLs, refusals) offline; every seed, the CLI and busy ports live."""

from __future__ import annotations

import dataclasses
import json
import socket

import pytest

import owui_lab
from owui_lab import docker_api
from owui_lab.config import Config
from owui_lab.errors import ConfigError, LabError
from owui_lab.environment import platform_problem
from owui_lab.lab import Lab, LabResult, Observation, BrowserObservation, availability, run
from tests.lab_support import leftovers, owui_lab as owui_lab_cli, stand_in_image

LINUX_SEEDS = [s.id for s in owui_lab.scenarios() if s.platform == "linux"]


# ---------------------------------------------------------------------------------------------
# Offline: what the lab plans
# ---------------------------------------------------------------------------------------------


def test_one_lab_holds_only_configurations_sharing_one_ollama() -> None:
    a = Config(ollama="container", ollama_network="n")
    with pytest.raises(ConfigError):
        Lab([a, a.replace(ollama_publish="all")])
    with pytest.raises(ConfigError):
        Lab([])
    Lab([a, a.replace(webui_network="host", base_url="http://127.0.0.1:11434")])  # fine


def test_host_ports_are_rewritten_consistently_and_container_ports_never() -> None:
    c = Config(ollama="container", ollama_network="n", ollama_publish="all", webui_network="n", base_url="http://ollama:11434")
    lab = Lab([c, c.replace(base_url="http://172.17.0.1:11434"), c.replace(base_url="http://localhost:11434")])
    lab.ports = {11434: 40001, 3000: 40002}
    assert lab.lab_url(c) == "http://ollama:11434"
    assert lab.lab_url(c.replace(base_url="http://172.17.0.1:11434")) == "http://172.17.0.1:40001"
    assert lab.lab_url(c.replace(base_url="http://localhost:11434")) == "http://localhost:40001"
    host = Config(ollama="host", ollama_bind="0.0.0.0:11500", add_host_gateway=True,
                  base_url="http://host.docker.internal:11500")
    lab = Lab(host)
    assert lab._config_host_ports() == [11500, 3000]  # 11434 is not opened on the host here
    lab.ports = {11500: 40010, 3000: 40012}
    assert lab.lab_url(host) == "http://host.docker.internal:40010"


def test_busy_ports_are_replaced_and_the_learner_is_told() -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        c = Config(ollama="host", ollama_bind=f"0.0.0.0:{port}", add_host_gateway=True,
                   base_url=f"http://host.docker.internal:{port}")
        lab = Lab(c)
        lab._plan_ports()
        assert lab.ports[port] != port
        assert any(f"{port} → {lab.ports[port]}" in n for n in lab.notes)
        assert lab.lab_url(c).endswith(f":{lab.ports[port]}")
        assert lab.replaced_ports[port] == lab.ports[port]
        assert lab.replaced_ports == {k: v for k, v in lab.ports.items() if k != v}  # 3000 only when busy


def test_a_port_the_configuration_does_not_open_on_the_host_is_never_replaced() -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # Ollama in a container that publishes nothing: its port is the container's, not the host's.
        c = Config(ollama="container", ollama_network="n", webui_network="n", base_url="http://ollama:11434",
                   webui_port=port)
        lab = Lab(c)
        lab._plan_ports()
        assert 11434 not in lab.ports
        assert lab.replaced_ports == {port: lab.ports[port]}
        assert [n for n in lab.notes if "replaced" in n] == [
            f"Host ports busy or kept free here were replaced, consistently in every URL: {port} → "
            f"{lab.ports[port]} (container ports never change)."]
        free = Lab(c.replace(webui_port=lab.ports[port]))
        free._plan_ports()
        assert free.replaced_ports == {} and not any("replaced" in n for n in free.notes)


def test_the_transcript_keeps_the_learners_port_and_footnotes_the_labs() -> None:
    c = owui_lab.load_scenario("linux-compose")
    seen = Observation(True, "ok", "answered", BrowserObservation("http://localhost:40603", True), "http://ollama:11434")
    result = LabResult(owui_lab.predict(c), seen, True, 1.0, replaced_ports=((3000, 40603),),
                       learner_browser_url="http://localhost:3000", learner_url=c.base_url)
    text = result.transcript()
    assert "Browser → Open WebUI at http://localhost:3000¹" in text
    assert "¹ a port already in use on this machine (or kept free): this run used 40603 for 3000" in text
    assert result.to_dict()["replaced_ports"] == [{"learner": 3000, "lab": 40603}]
    plain = LabResult(owui_lab.predict(c), seen, True, 1.0, learner_browser_url="http://localhost:3000")
    assert "¹" not in plain.transcript() and plain.to_dict()["replaced_ports"] == []


def test_a_base_url_to_any_other_machine_is_refused_before_anything_is_created() -> None:
    for url in ("http://example.com:11434", "http://192.168.1.20:11434", "http://10.0.0.5:11434"):
        lab = Lab(Config(ollama="container", base_url=url))
        with pytest.raises(LabError, match="only sends traffic to this host"):
            lab._validate_urls()


def test_a_container_name_that_dns_resolves_elsewhere_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(name, *a, **k):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    lab = Lab(Config(ollama="container", ollama_network="n", webui_network="n", base_url="http://ollama:11434"))
    with pytest.raises(LabError, match="resolves on this host to 10.1.2.3"):
        lab._validate_urls()


def test_platform_problems_are_explained() -> None:
    linux = docker_api.parse_daemon_info({"OperatingSystem": "Debian"}, {})
    desktop = docker_api.parse_daemon_info({"OperatingSystem": "Docker Desktop"}, {})
    rootless = docker_api.parse_daemon_info({"SecurityOptions": ["name=rootless"]}, {})
    assert platform_problem(linux, owui_lab.load_scenario("linux-compose")) is None
    assert "cannot emulate that platform" in platform_problem(linux, owui_lab.load_scenario("desktop-compose"))
    assert "cannot emulate that platform" in platform_problem(desktop, owui_lab.load_scenario("linux-compose"))
    # Rootless Docker runs live now (issue 23): a configuration for it runs on it; one written for
    # rootful Docker (or with no configuration yet) does not pretend to run on it.
    linux_compose = owui_lab.load_scenario("linux-compose")
    assert platform_problem(rootless, None) is None
    assert platform_problem(rootless, dataclasses.replace(linux_compose, engine="docker-rootless")) is None
    mismatch = platform_problem(rootless, linux_compose)
    assert "--engine docker" in mismatch and "--engine docker-rootless" in mismatch and "prediction only" in mismatch
    assert "cannot emulate that platform" in platform_problem(rootless, owui_lab.load_scenario("desktop-compose"))


def test_no_daemon_means_not_available_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    ok, reason = availability()
    assert not ok and "No Docker daemon" in reason and "predicts" in reason


def test_result_serialises_as_the_cli_promises() -> None:
    c = owui_lab.load_scenario("linux-ollama-on-host")
    verdict = owui_lab.predict(c)
    seen = Observation(False, "connection_refused", "refused", BrowserObservation("http://localhost:3000", True), "u")
    d = LabResult(verdict, seen, True, 1.5).to_dict()
    assert set(d) >= {"predicted", "observed", "agree", "seconds"}
    assert d["observed"]["browser"] == {"url": "http://localhost:3000", "reachable": True, "detail": ""}
    assert d["predicted"]["outcome"] == "connection_refused"
    url, reachable = seen.browser
    assert (url, reachable) == ("http://localhost:3000", True)


# ---------------------------------------------------------------------------------------------
# Live
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image() -> str:
    return stand_in_image()


@pytest.mark.usefixtures("docker_daemon")
def test_availability_on_this_linux_engine(image: str) -> None:
    assert availability()[0]
    assert availability(owui_lab.load_scenario("linux-compose"))[0]
    ok, reason = availability(owui_lab.load_scenario("desktop-compose"))
    assert not ok and "cannot emulate that platform here" in reason


@pytest.mark.usefixtures("docker_daemon")
@pytest.mark.parametrize("scenario_id", LINUX_SEEDS)
def test_each_linux_seed_runs_agrees_and_leaves_nothing(scenario_id: str, image: str) -> None:
    result = run(owui_lab.load_scenario(scenario_id), keep_ports=False)
    assert result.agree, result.transcript()
    assert result.observed.outcome == result.predicted.outcome
    assert result.observed.browser.reachable
    assert result.teardown_seconds < 5
    assert result.session and leftovers(session=result.session) == []
    json.dumps(result.to_dict())
    assert "AGREE" in result.transcript()


@pytest.mark.usefixtures("docker_daemon")
def test_the_context_manager_removes_everything_on_an_exception_in_the_body(image: str) -> None:
    lab = Lab(owui_lab.load_scenario("linux-ollama-on-host").replace(ollama_bind="0.0.0.0"), keep_ports=False)
    with pytest.raises(KeyboardInterrupt):
        with lab:
            assert leftovers(session=lab.session)  # containers and the host stand-in exist
            assert lab.host_processes and lab.host_processes[0].process.poll() is None
            raise KeyboardInterrupt  # what Ctrl-C in a notebook cell does
    assert leftovers(session=lab.session) == []


@pytest.mark.usefixtures("docker_daemon")
def test_a_busy_host_port_is_substituted_and_the_meaning_kept(image: str) -> None:
    # A "real Ollama" already holds the port the configuration names.
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        c = Config(ollama="host", ollama_bind=f"0.0.0.0:{port}", add_host_gateway=True,
                   base_url=f"http://host.docker.internal:{port}")
        result = run(c)
    assert result.observed.outcome == "ok" and result.agree
    assert any(f"{port} →" in n for n in result.notes)


@pytest.mark.usefixtures("docker_daemon")
def test_cli_lab_run_json(image: str) -> None:
    done = owui_lab_cli("lab", "run", "--scenario", "linux-compose", "--free-ports", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["agree"] is True
    assert data["predicted"]["outcome"] == data["observed"]["outcome"] == "ok"
    assert set(data["observed"]["browser"]) >= {"url", "reachable"}
    assert data["seconds"] > 0


@pytest.mark.usefixtures("docker_daemon")
def test_cli_lab_run_of_a_desktop_scenario_shows_the_prediction_only(image: str) -> None:
    done = owui_lab_cli("lab", "run", "--scenario", "desktop-ollama-on-host")
    assert done.returncode == 0, done.stderr
    assert "cannot emulate that platform here" in done.stdout
    assert "Open WebUI → Ollama at" in done.stdout  # the prediction
    data = json.loads(owui_lab_cli("lab", "run", "--scenario", "desktop-compose", "--json").stdout)
    assert data["observed"] is None and data["agree"] is None and data["predicted"]["outcome"]


@pytest.mark.usefixtures("docker_daemon")
def test_cli_lab_up_status_down(image: str, tmp_path) -> None:
    from tests.lab_support import cli_env

    env = cli_env(OWUI_LAB_STATE_DIR=str(tmp_path))
    up = owui_lab_cli("lab", "up", "--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0",
                      "--free-ports", "--json", env=env)
    assert up.returncode == 0, up.stderr
    state = json.loads(up.stdout)
    session = state["session"]
    try:
        assert state["observed"]["outcome"] == "ok" and state["agree"]
        assert any(cmd.startswith("docker exec ") for cmd in state["commands"])
        assert leftovers(session=session)
        assert (tmp_path / f"{session}.json").exists()
        status = owui_lab_cli("lab", "status", "--json", env=env)
        assert status.returncode == 0, status.stderr
        [entry] = json.loads(status.stdout)
        assert entry["observed"]["outcome"] == "ok" and entry["browser"]["reachable"]
        assert entry["host_processes"]  # the host stand-in outlived `lab up`
        assert "docker ps" in owui_lab_cli("lab", "status", env=env).stdout
    finally:
        down = owui_lab_cli("lab", "down", session, env=env)
    assert down.returncode == 0, down.stderr
    assert leftovers(session=session) == []
    assert not (tmp_path / f"{session}.json").exists()
    assert "No lab of yours is up" in owui_lab_cli("lab", "status", env=env).stdout


@pytest.mark.usefixtures("docker_daemon")
def test_ports_and_schemes_off_the_grid_agree_with_the_engine(image: str) -> None:
    from owui_lab.engine import evaluate

    families = [
        # OLLAMA_HOST with a scheme binds port 80 (the lab's port stands in for it); 11434 finds nothing.
        [Config(ollama="host", ollama_bind="http://0.0.0.0", add_host_gateway=True, base_url=u)
         for u in ("http://host.docker.internal:11434", "http://host.docker.internal:80", "http://172.17.0.1")],
        # service-to-service traffic uses the container port, never the published one
        [Config(ollama="container", ollama_network="ai", ollama_publish="all", webui_network="ai", compose=True,
                base_url=u)
         for u in ("http://ollama:11434", "http://ollama:11435", "http://localhost:11434")],
        # a renamed Ollama container, and the old name
        [Config(ollama="container", ollama_network="ai", webui_network="ai", ollama_name="llm", base_url=u)
         for u in ("http://llm:11434", "http://ollama:11434")],
    ]
    for configs in families:
        with Lab(configs, keep_ports=False, probe_timeout=3.0) as lab:
            seen = lab.observe_many(configs)
        for config, observed in zip(configs, seen):
            assert observed.outcome == evaluate(config).outcome, (config.base_url, observed.detail)


@pytest.mark.parametrize("bad", [123, "linux-compose", None, {"platform": "linux"}])
def test_lab_of_something_else_than_configs_is_one_clear_error(bad):
    with pytest.raises(ConfigError, match="Lab needs a Config"):
        Lab(bad)


@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), float("inf"), "3", True])
def test_lab_probe_timeout_must_be_seconds(timeout):
    with pytest.raises(ConfigError, match="probe_timeout"):
        Lab(Config(), probe_timeout=timeout)
