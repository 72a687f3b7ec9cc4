"""The lab's Docker Desktop path, offline: on a recorded Desktop daemon, everything stays on loopback.

No Docker Desktop runs here, so the daemon is the recorded ``docker info`` of a real Desktop
(tests/data/inspect/desktop-*.json) and the Docker calls are captured instead of made: what the
lab would publish and where its host stand-ins would bind. Never 0.0.0.0 (a conference Wi-Fi is
the LAN), and the learner is told what changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import owui_lab
from owui_lab import docker_api
from owui_lab.lab import Lab, live

INSPECT = Path(__file__).parent / "data" / "inspect"
DESKTOP_SEEDS = [s.id for s in owui_lab.scenarios() if s.platform == "desktop"]


class _Thing:
    def __init__(self, name: str) -> None:
        self.name, self.id, self.status = name, name, "running"


class _Running:
    def __init__(self, bind: str) -> None:
        self.bind = bind

        class _P:
            pid = 0

            def poll(self) -> int:
                return 0

            def terminate(self) -> None:
                pass

        self.process = _P()
        self.log = Path("/nonexistent/owui-lab-test.log")

    def stop(self, timeout: float = 1.0) -> float:
        return 0.0


@pytest.fixture
def recorded_desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list]:
    payload = json.loads((INSPECT / "desktop-compose.json").read_text())["info"]
    assert "Docker Desktop" in payload["OperatingSystem"]
    info = docker_api.parse_daemon_info(payload, {}, None)
    made: dict[str, list] = {"containers": [], "binds": []}
    monkeypatch.setenv("OWUI_LAB_STATE_DIR", str(tmp_path))
    monkeypatch.setattr(docker_api, "daemon_info", lambda cli: info)
    monkeypatch.setattr(docker_api, "ensure_image", lambda cli, image=None, progress=None: "img")
    monkeypatch.setattr(docker_api, "create_network", lambda cli, name, labels: _Thing(name))

    def run_container(cli: Any, image: str, command: list, name: str, labels: dict, **kwargs: Any) -> _Thing:
        made["containers"].append({"name": name, "labels": labels, **kwargs})
        return _Thing(name)

    monkeypatch.setattr(docker_api, "run_container", run_container)
    monkeypatch.setattr(docker_api, "wait_listening", lambda *a, **k: None)
    monkeypatch.setattr(docker_api, "remove_labelled", lambda *a, **k: docker_api.Removed((), ()))

    def start_host_ollama(session: str, owner: str, role: str, bind: str, timeout: float, token: str = "") -> _Running:
        made["binds"].append(bind)
        return _Running(bind)

    monkeypatch.setattr(live, "start_host_ollama", start_host_ollama)
    return made


def _published_addresses(kwargs: dict) -> list[str]:
    out = []
    for value in (kwargs.get("ports") or {}).values():
        for one in value if isinstance(value, list) else [value]:
            out.append(one[0] if isinstance(one, tuple) else "0.0.0.0")  # a bare port means every address
    return out


def _cases() -> list:
    cases = []
    for seed in DESKTOP_SEEDS:
        for name, knobs in (("as-is", {}), ("bind-all", {"ollama_bind": "0.0.0.0"}), ("publish-all", {"ollama_publish": "all"})):
            try:
                cases.append(pytest.param(owui_lab.load_scenario(seed).replace(**knobs), id=f"{seed}-{name}"))
            except owui_lab.OwuiLabError:
                continue  # the knob does not apply (Ollama on the host has nothing to publish)
    return cases


@pytest.mark.parametrize("config", _cases())
def test_on_docker_desktop_the_lab_publishes_and_binds_on_loopback_only(recorded_desktop: dict, config) -> None:
    lab = Lab(config, client=object(), keep_ports=False)
    lab.up()
    try:
        assert not lab._linux_host
        addresses = [a for c in recorded_desktop["containers"] for a in _published_addresses(c)]
        binds = recorded_desktop["binds"]
        assert addresses or binds or config.webui_host_mode
        assert all(a == "127.0.0.1" for a in addresses), recorded_desktop["containers"]
        assert all(b.startswith("127.0.0.1:") for b in binds), binds
        every = [c["labels"] for c in recorded_desktop["containers"]]
        assert all(labels[docker_api.LABEL_OWNER] == lab.owner for labels in every)
        if config.ollama_listen.all_addresses and binds:
            assert any("instead of 0.0.0.0" in n for n in lab.notes)
        if config.ollama_in_container and config.ollama_publish_effective == "all":
            assert any(f"-p 127.0.0.1:{lab.ports[11434]}:11434" in n for n in lab.notes)
    finally:
        lab.down()
