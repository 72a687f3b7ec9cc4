"""The Docker Desktop path of the lab and the truth grid, exercised without a Desktop VM.

No Docker Desktop runs here. Everything that does not need its VM is checked against recorded Desktop
payloads (tests/data/daemon/desktop-4.37.json: ``docker info``/``docker version`` in Docker Desktop
4.37's shapes): the platform decision, the grid it picks, what the lab would create (networks,
containers, publish addresses, host stand-ins), the probes' commands and URLs, and the recording the
grid writes (its platform facts, the host-networking setting it measured, nothing personal). The
Docker calls are replaced at the one Docker module's boundary (``owui_lab.docker_api``) by recorders.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from owui_lab import docker_api
from owui_lab.config import Config
from owui_lab.errors import PlatformMismatch
from owui_lab.lab import grid as truth_grid
from owui_lab.lab import live
from owui_lab.lab.results import BrowserObservation, Observation
from owui_lab.truth import check, parse_recording, platform_facts

PAYLOAD = json.loads((Path(__file__).parent / "data" / "daemon" / "desktop-4.37.json").read_text())
LINUX = json.loads((Path(__file__).parent / "data" / "inspect" / "linux-compose.json").read_text())


class Recorder:
    """Stands in for the daemon at docker_api's boundary and records what the lab asks of it."""

    def __init__(self, info: dict[str, Any], version: dict[str, Any]) -> None:
        self.info, self.version = info, version
        self.networks: list[str] = []
        self.containers: dict[str, dict[str, Any]] = {}
        self.probes: list[tuple[str, list[str]]] = []
        self.host_ollamas: list[str] = []
        self.removed: list[str] = []
        self.lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch, state: Path) -> None:
        monkeypatch.setenv("OWUI_LAB_STATE_DIR", str(state))
        fake_client = SimpleNamespace(close=lambda: None, api=SimpleNamespace(base_url="unix:///fake"))
        monkeypatch.setattr(docker_api, "client", lambda timeout=30: fake_client)
        monkeypatch.setattr(docker_api, "daemon_payloads", lambda cli: (self.info, self.version))
        monkeypatch.setattr(docker_api, "_docker0_of", lambda cli: "172.17.0.1")
        monkeypatch.setattr(docker_api, "ensure_image", lambda cli, image=None, progress=None: image or "img")
        monkeypatch.setattr(docker_api, "create_network", self.create_network)
        monkeypatch.setattr(docker_api, "run_container", self.run_container)
        monkeypatch.setattr(docker_api, "wait_listening", lambda *a, **k: None)
        monkeypatch.setattr(docker_api, "probe_by_exec", self.probe_by_exec)
        monkeypatch.setattr(docker_api, "remove_labelled", self.remove_labelled)
        monkeypatch.setattr(live, "start_host_ollama", self.start_host_ollama)
        monkeypatch.setattr(live, "browser_check", lambda port, token=None: (True, "GET /health answered (recorded)"))

    def create_network(self, cli: Any, name: str, labels: dict[str, str]) -> Any:
        with self.lock:
            self.networks.append(name)
        return SimpleNamespace(name=name)

    def run_container(self, cli: Any, image: str, command: list[str], name: str, labels: dict[str, str], **kwargs: Any) -> Any:
        with self.lock:
            self.containers[name] = {"command": command, "labels": labels, **kwargs}
        return SimpleNamespace(name=name, token=kwargs.get("environment", {}).get("OWUI_LAB_TOKEN"))

    def probe_by_exec(self, container: Any, urls: list[str], timeout: float = 3.0) -> list[dict[str, Any]]:
        with self.lock:
            self.probes.append((container.name, list(urls)))
        token = container.token  # the lab's own stand-ins answer with its token
        return [{"url": u, "outcome": "ok", "detail": "recorded", "lab_token": token} for u in urls]

    def start_host_ollama(self, session: str, owner: str, role: str, bind: str, timeout: float, token: str = "") -> Any:
        with self.lock:
            self.host_ollamas.append(bind)
        process = SimpleNamespace(poll=lambda: 0, terminate=lambda: None, pid=0)
        return SimpleNamespace(process=process, stop=lambda timeout=None: None, pid=0)

    def remove_labelled(self, cli: Any, session: str | None = None, **kwargs: Any) -> Any:
        self.removed.append(session or "")
        return SimpleNamespace(failed=[], count=0)

    def by_role(self, role: str) -> dict[str, Any]:
        return next(v for k, v in self.containers.items() if k.endswith(f"-{role}"))


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    recorder = Recorder(PAYLOAD["info"], PAYLOAD["version"])
    recorder.install(monkeypatch, tmp_path)
    return recorder


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    recorder = Recorder(LINUX["info"], {"Version": "20.10.24", "ApiVersion": "1.41"})
    recorder.install(monkeypatch, tmp_path)
    return recorder


# ---- the platform decision ----


def test_the_recorded_desktop_daemon_is_docker_desktop() -> None:
    daemon = docker_api.parse_daemon_info(PAYLOAD["info"], PAYLOAD["version"], "172.17.0.1")
    assert (daemon.platform, daemon.kind) == ("desktop", "desktop")
    facts = platform_facts(PAYLOAD["info"], PAYLOAD["version"], "172.17.0.1")
    assert (facts.desktop_version, facts.server_version, facts.architecture) == ("4.37.1", "27.4.0", "aarch64")
    assert facts.kernel.endswith("-linuxkit")
    # Only the essentials are kept: the host name and the user's socket path in docker info are not.
    assert "alice" not in json.dumps(facts.to_dict())


def test_the_grid_on_desktop_is_the_desktop_grid(desktop: Recorder) -> None:
    facts = truth_grid.local_facts()
    grid = truth_grid.grid_named("auto", facts)
    assert grid.name == "desktop" and {c.platform for c in grid.configs} == {"desktop"}
    assert {c.webui_network for c in grid.configs} >= {"bridge", "host"}  # host networking included
    assert truth_grid.grid_named("small", facts).platform == "desktop"
    with pytest.raises(PlatformMismatch, match="Docker Desktop 4.37.1") as info:
        truth_grid.grid_named("linux", facts)
    assert "without --grid" in info.value.hint


def test_a_linux_configuration_on_desktop_is_predicted_not_run(desktop: Recorder) -> None:
    with pytest.raises(PlatformMismatch, match="Docker Desktop"):
        live.Lab(Config(platform="linux")).up()
    assert desktop.containers == {} and desktop.networks == []


# ---- what the lab would create on Docker Desktop ----


def family(**ollama: Any) -> list[Config]:
    return list(truth_grid._family("desktop", [ollama]))


def test_desktop_publishes_ollama_and_open_webui_on_loopback(desktop: Recorder) -> None:
    configs = family(ollama="container", ollama_network="lab-a", ollama_publish="all")
    with live.Lab(configs, keep_ports=False) as lab:
        lab.observe_many(configs)
        port = lab.ports[11434]
    ollama = desktop.by_role("ollama")
    # Desktop has no docker0 on your Mac, and host.docker.internal reaches the Mac's loopback: the lab
    # publishes on 127.0.0.1 (never on a conference Wi-Fi) with the same outcome for every probe.
    assert ollama["ports"] == {"11434/tcp": ("127.0.0.1", port)}
    assert ollama["environment"]["OLLAMA_HOST"] == "0.0.0.0:11434"  # inside its container, as the image does
    assert list(ollama["aliases"].values()) == [["ollama"]]
    webuis = [v for k, v in desktop.containers.items() if "-webui" in k]
    assert len(webuis) == 8  # four networks, with and without --add-host
    bridged = [w for w in webuis if w.get("network_mode") != "host"]
    assert all(list(w["ports"].values())[0][0] == "127.0.0.1" for w in bridged)
    hosted = [w for w in webuis if w.get("network_mode") == "host"]
    assert len(hosted) == 2 and all("--host" in w["command"] for w in hosted)
    assert sum("extra_hosts" in w for w in webuis) == 4
    assert {n.rsplit("-", 1)[-1] for n in desktop.networks} == {"a", "b"}
    assert desktop.removed == [lab.session]  # torn down by its session label


def test_the_same_setup_on_a_linux_engine_publishes_on_loopback_and_docker0(linux: Recorder) -> None:
    configs = list(truth_grid._family("linux", [dict(ollama="container", ollama_network="lab-a", ollama_publish="all")]))
    with live.Lab(configs, keep_ports=False) as lab:
        port = lab.ports[11434]
    assert linux.by_role("ollama")["ports"] == {"11434/tcp": [("127.0.0.1", port), ("172.17.0.1", port)]}


def test_desktop_host_ollama_listens_as_asked_on_your_mac(desktop: Recorder) -> None:
    configs = family(ollama="host", ollama_bind="0.0.0.0")
    with live.Lab(configs, keep_ports=False) as lab:
        port = lab.ports[11434]
    # No docker0 on a Mac and host.docker.internal reaches its loopback: one listener, on loopback.
    assert desktop.host_ollamas == [f"127.0.0.1:{port}"]
    assert any("instead of 0.0.0.0" in n for n in lab.notes)


def test_the_probes_ask_each_url_from_inside_each_open_webui(desktop: Recorder) -> None:
    configs = family(ollama="host", ollama_bind="127.0.0.1")
    with live.Lab(configs, keep_ports=False) as lab:
        seen = lab.observe_many(configs)
        port = lab.ports[11434]
    assert len(seen) == len(configs) == 40 and {o.outcome for o in seen} == {"ok"}
    assert len(desktop.probes) == 8
    for _container, urls in desktop.probes:
        # Ollama runs on your Mac here: every host port of the URLs becomes the lab's port for it.
        assert urls == [f"http://{h}:{port}" for h in truth_grid.URL_HOSTS]
    command = docker_api._probe_command(desktop.probes[0][1], 3.0)
    assert command[:2] == ["python3", "-c"] and command[3:6] == ["probe", "--timeout", "3"]
    assert command[6:] == desktop.probes[0][1]


# ---- the recording a Desktop grid writes ----


def test_a_desktop_recording_carries_the_measured_host_networking_setting(desktop: Recorder) -> None:
    def fake_family(configs: list[Config], **options: Any) -> truth_grid.FamilyResult:
        # Host networking on: Open WebUI on --network host answers the browser; Ollama is reached.
        observations = [Observation(True, "ok", "recorded", BrowserObservation("http://localhost:1", True))
                        for _ in configs]
        return truth_grid.FamilyResult(tuple(configs), observations)

    grid = truth_grid.Grid("desktop", "desktop", tuple(
        tuple(truth_grid._family("desktop", [dict(ollama="host", ollama_bind="127.0.0.1")],
                                 networks=("bridge", "host"), hosts=("host.docker.internal", "localhost")))
        for _ in range(1)))
    recording = truth_grid.run_grid(grid, progress=False, family_runner=fake_family)
    data = recording.to_dict()
    facts = data["platform"]
    assert facts["platform"] == "desktop" and facts["desktop_version"] == "4.37.1"
    assert facts["desktop_host_networking"] is True and facts["desktop_host_networking_source"].startswith("measured")
    assert facts["userland_proxy"] is None  # not visible on Desktop, and said so
    assert "Desktop" in facts["userland_proxy_source"]
    assert "alice" not in json.dumps(data)
    back = parse_recording(json.loads(json.dumps(data)), "desktop.json")
    # The engine's Desktop rules against these (made-up) observations: host.docker.internal reaches a
    # loopback Ollama on the Mac; localhost in a bridged container does not, and the check says so.
    found = check(back, "desktop.json")
    assert found and all("base_url=http://localhost:11434" in str(d) for d in found)
    assert all(e.config(back.facts).desktop_host_networking for e in back.entries)


def test_rootless_docker_and_podman_run_their_own_grid_and_refuse_desktops(desktop: Recorder) -> None:
    # The grid runs on rootless Docker and on Podman since issue 23 (af5b1d2): each on its own engine;
    # Docker Desktop's grid still gets a clear no there.
    for info, version, engine in (({"SecurityOptions": ["name=rootless"], "OperatingSystem": "Fedora"}, {},
                                   "docker-rootless"),
                                  ({}, {"Components": [{"Name": "Podman Engine"}]}, "podman-rootful")):
        facts = platform_facts(info, version)
        assert facts.engine_knob == engine
        grid = truth_grid.grid_named("auto", facts)
        assert grid.platform == "linux" and grid.count and {c.engine for c in grid.configs} == {engine}
        with pytest.raises(PlatformMismatch, match="runs on Docker Desktop") as raised:
            truth_grid.grid_named("desktop", facts)
        assert "without --grid" in raised.value.hint


def test_the_summary_of_a_desktop_recording_says_what_was_redacted_and_how_to_send_it(
        desktop: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_family(configs: list[Config], **options: Any) -> truth_grid.FamilyResult:
        detail = "answered from 192.168.1.23 on alice-macbook-pro"  # a LAN address and the host name
        return truth_grid.FamilyResult(tuple(configs), [
            Observation(True, "ok", detail, BrowserObservation("http://localhost:1", True)) for _ in configs])

    grid = truth_grid.Grid("desktop", "desktop", (tuple(truth_grid._family(
        "desktop", [dict(ollama="host", ollama_bind="127.0.0.1")], networks=("bridge",), hosts=("host.docker.internal",))),))
    monkeypatch.setattr(truth_grid, "machine_addresses", lambda: {"192.168.1.23"})
    recording = truth_grid.run_grid(grid, progress=False, family_runner=fake_family)
    assert {e.observed["detail"] for e in recording.entries} == {"answered from <address> on <host>"}
    assert set(recording.redacted) == {"LAN address", "host name"}
    text = truth_grid.summary(recording)
    assert "agrees with 2, disagrees with 0" in text
    assert "redacted (replaced in this one: LAN address, host name)" in text and "truth grid: <your platform>" in text


def test_docker_desktop_in_windows_containers_mode_is_told_to_switch() -> None:
    info = {**PAYLOAD["info"], "OSType": "windows", "OperatingSystem": "Docker Desktop"}
    facts = platform_facts(info, PAYLOAD["version"])
    with pytest.raises(PlatformMismatch, match="Windows containers") as raised:
        truth_grid.grid_named("auto", facts)
    assert "Switch to Linux containers" in raised.value.hint
