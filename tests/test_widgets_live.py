"""The one way to run live, in the three situations of a live cell.

A Linux daemon (marked ``docker``: a real live run), no daemon (a socket that does not exist), and
Docker Desktop (the kit is given a Desktop daemon's description, since no Desktop runs here: it must
run Desktop configurations and refuse Linux ones with the reason).
"""

from __future__ import annotations

import os

import pytest

import owui_lab
from owui_lab import environment, lab
from owui_lab.environment import DESKTOP, LIVE_LINUX, NO_DAEMON
from owui_lab.widgets import cells, live
from owui_lab.presentation import live_html
from owui_lab.widgets.live import LiveReport, live_check
from tests.widgets_support import lab_result, mode, observation


def test_no_daemon_says_prediction_only_and_how_to_run_at_home(mode):
    mode(NO_DAEMON, binder=True)
    report = live_check(owui_lab.load_scenario("linux-ollama-on-host"))
    assert not report.ran and "prediction only" in report.reason and "Binder" in report.reason
    html = live_html(report)
    assert 'data-live="predicted-only"' in html and "make lab" in html and "connection refused" in html
    assert "connection_refused" not in html  # the engine's ids never reach a learner


def test_docker_desktop_runs_desktop_configs_and_refuses_linux_ones(mode, monkeypatch):
    m = mode(DESKTOP)
    assert m.can_run("desktop") and not m.can_run("linux")
    linux = live_check(owui_lab.load_scenario("linux-ollama-on-host"))
    assert not linux.ran and "Docker Desktop" in linux.reason and "cannot emulate" in linux.reason
    # A Desktop configuration goes to the lab (given a Desktop daemon, the lab's own checks decide).
    calls = []

    def run(config, progress=None):
        calls.append(config)
        return lab_result(config, notes=("port 3000 → 3001",))

    monkeypatch.setattr(environment, "availability", lambda config=None: (True, "the lab runs on Docker Desktop 4.40"))
    monkeypatch.setattr(lab, "run", run)
    desktop = live_check(owui_lab.load_scenario("desktop-compose"))
    assert desktop.ran and desktop.agree and calls == [owui_lab.load_scenario("desktop-compose")]
    html = live_html(desktop)
    assert 'data-live="ran"' in html and "The engine was right." in html and "port 3000 → 3001" in html


@pytest.mark.usefixtures("docker_daemon")
def test_detect_and_live_check_with_the_daemon(monkeypatch):
    if not os.environ.get("OWUI_LAB_IMAGE"):
        monkeypatch.setenv("OWUI_LAB_IMAGE", "owui-lab/python:offline")
    environment._cached = None
    try:
        m = environment.detect()
        assert m.kind in (LIVE_LINUX, DESKTOP)
        config = owui_lab.load_scenario("linux-ollama-on-host")
        report = live_check(config)
        if m.kind == DESKTOP:
            assert not report.ran
            return
        assert report.ran, report.reason
        assert report.agree and report.observed.outcome == "connection_refused"
    finally:
        environment._cached = None


def test_run_live_runs_the_configuration_the_daemon_can(mode, monkeypatch):
    """A lesson's live cell passes Linux and Desktop: each daemon runs its own, the other is predicted."""
    ran = []
    monkeypatch.setattr(live, "live_check", lambda c: ran.append(c) or LiveReport(owui_lab.predict(c), observed=observation(c), agree=True))
    linux = owui_lab.load_scenario("linux-compose")
    desktop = owui_lab.load_scenario("desktop-compose")
    mode(DESKTOP)
    reports = cells.run_live(linux, desktop)
    assert ran == [desktop] and [r.ran for r in reports] == [False, True]
    assert "cannot emulate" in reports[0].reason
    ran.clear()
    mode(LIVE_LINUX)
    reports = cells.run_live(linux, desktop)
    assert ran == [linux] and [r.ran for r in reports] == [True, False]
    ran.clear()
    mode(NO_DAEMON, binder=True)
    reports = cells.run_live(linux, desktop)
    assert ran == [] and all("Binder" in r.reason for r in reports)


def test_an_unexpected_lab_failure_is_a_sentence_not_a_traceback(mode, monkeypatch):
    mode(LIVE_LINUX)

    def run(config, progress=None):
        raise RuntimeError("socket closed")

    monkeypatch.setattr(environment, "availability", lambda config=None: (True, "ok"))
    monkeypatch.setattr(lab, "run", run)
    report = live_check(owui_lab.load_scenario("linux-compose"))
    assert not report.ran and "RuntimeError: socket closed" in report.reason and "lab clean" in report.reason
