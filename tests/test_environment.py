"""Which mode the learner is in: a Linux engine, Docker Desktop, or no daemon (Binder)."""

from __future__ import annotations

import pytest

from owui_lab import environment
from owui_lab.environment import DESKTOP, LIVE_LINUX, NO_DAEMON, Mode


def test_mode_texts_name_the_situation():
    for kind in (LIVE_LINUX, DESKTOP, NO_DAEMON):
        m = Mode(kind, "detail")
        assert m.title and m.explanation() and f'data-mode="{kind}"' in m._repr_html_()
    assert "Binder" in Mode(NO_DAEMON, "x", binder=True).explanation()
    assert Mode(LIVE_LINUX, "x").why_not("linux") == ""
    assert "Linux Docker engine" in Mode(LIVE_LINUX, "x").why_not("desktop")


def test_detect_without_a_daemon(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/owui-lab.sock")
    monkeypatch.delenv("BINDER_LAUNCH_HOST", raising=False)
    try:
        m = environment.detect(refresh=True)
        assert m.kind == NO_DAEMON and not m.live and not m.binder
        assert "nonexistent" in m.detail
    finally:
        environment._cached = None


@pytest.mark.parametrize("kind,podman_rootless,knob", [
    ("rootless", False, "docker-rootless"), ("podman", False, "podman-rootful"), ("podman", True, "podman-rootless")])
def test_rootless_docker_and_podman_run_their_own_configurations(kind, podman_rootless, knob, monkeypatch):
    """Every engine the kit models is live; a configuration runs on the engine it is written for."""
    from owui_lab import docker_api
    from owui_lab.config import Config

    class FakeClient:
        def close(self):
            pass

    info = docker_api.DaemonInfo("linux", kind, "4.3.1", "1.41", "Debian", None, podman_rootless=podman_rootless)
    monkeypatch.setattr(docker_api, "client", lambda timeout=5: FakeClient())
    monkeypatch.setattr(docker_api, "daemon_info", lambda cli: info)
    try:
        m = environment.detect(refresh=True)
        assert m.kind == LIVE_LINUX and m.live
        assert environment.daemon_engine() == knob
        assert environment.platform_problem(info, Config(engine=knob)) is None
        problem = environment.platform_problem(info, Config())
        assert problem and f"--engine {knob}" in problem and "--engine docker" in problem
    finally:
        environment._cached = None


def test_binder_is_recognised_from_the_kits_start_script(monkeypatch):
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL", "OWUI_LAB_ON_BINDER"):
        monkeypatch.delenv(name, raising=False)
    assert not environment.on_binder()
    monkeypatch.setenv("OWUI_LAB_ON_BINDER", "1")  # binder/start exports it
    assert environment.on_binder()
