"""The workshop's widgets (predict-then-check, fix-it, the stage) and the mode check, without a browser.

The three situations of every live cell are covered here: a Linux daemon (marked ``docker``: a real
live run), no daemon (a socket that does not exist), and Docker Desktop (the kit is given a Desktop
daemon's description, since no Desktop runs here: it must run Desktop configurations and refuse Linux
ones with the reason).
"""

from __future__ import annotations

import os

import pytest

import owui_lab
from owui_lab import environment, exercises
from owui_lab.environment import DESKTOP, LIVE_LINUX, NO_DAEMON, Mode
from owui_lab.errors import ConfigError
from owui_lab.exercises import FixIt, PredictCheck, Stage, build_config, live_check


@pytest.fixture
def mode(monkeypatch):
    """Pretend the kernel is in a given mode (restored afterwards)."""

    def set_mode(kind: str, binder: bool = False) -> Mode:
        m = Mode(kind, f"test daemon: {kind}", binder)
        monkeypatch.setattr(environment, "_cached", m)
        return m

    yield set_mode
    environment._cached = None


# --------------------------------------------------------------------------------------------------
# Predict, then check
# --------------------------------------------------------------------------------------------------


def test_the_answer_key_is_the_engine():
    for s in owui_lab.scenarios():
        q = PredictCheck("?", s.config, ask="outcome")
        assert q.accepted == {owui_lab.predict(s.config).outcome}
        q = PredictCheck("?", s.config, ask="browser")
        assert q.accepted == {owui_lab.predict(s.config).browser.reachable}


def test_a_hint_comes_before_the_answer():
    linux = owui_lab.load_scenario("linux-ollama-on-host")
    q = PredictCheck("?", linux, ask="outcome", hint="Where does <b>host-gateway</b> lead?")
    q.widget  # the widget shows the same feedback
    first = q.answer("ok")
    assert not first.correct and not first.revealed
    assert first.message == "Not yet. Hint: Where does host-gateway lead?"
    assert "Hint:" in q._result.value and "connection refused" not in q._result.value
    second = q.answer("name_not_resolved")
    assert not second.correct and second.revealed
    assert "connection refused" in second.message and "docker0" in second.message
    third = q.answer("connection_refused")
    assert third.correct and "Right." in third.message


def test_right_first_time_explains_why():
    q = PredictCheck("?", owui_lab.load_scenario("linux-separate-networks"), ask="step", hint="h")
    fb = q.answer("resolve")
    assert fb.correct and "never resolve across networks" in fb.message


def test_url_questions_accept_every_working_url():
    c = owui_lab.load_scenario("linux-ollama-on-host").replace(add_host_gateway=False, ollama_bind="0.0.0.0")
    q = PredictCheck("?", c, ask="url", choices=exercises.COMMON_BASE_URLS)
    assert q.accepted == {"http://172.17.0.1:11434"}
    assert q.answer("http://172.17.0.1:11434").correct
    q2 = PredictCheck("?", owui_lab.load_scenario("linux-compose"), ask="url",
                      choices=["http://ollama:11434", "http://localhost:11434"])
    assert q2.accepted == {"http://ollama:11434"}


def test_bad_questions_and_answers_are_clear_errors():
    c = owui_lab.load_scenario("linux-compose")
    with pytest.raises(ConfigError, match="not a kind of question"):
        PredictCheck("?", c, ask="colour")
    with pytest.raises(ConfigError, match="needs the URLs"):
        PredictCheck("?", c, ask="url")
    with pytest.raises(ConfigError, match="not one of this question's answers"):
        PredictCheck("?", c, ask="outcome").answer("maybe")


def test_the_check_button_waits_for_a_choice():
    q = PredictCheck("?", owui_lab.load_scenario("linux-compose"))
    w = q.widget
    assert q._check.disabled
    q._choice.value = "ok"
    assert not q._check.disabled
    q._check.click()
    assert q.feedback is not None and q.feedback.correct
    assert w is q.widget


# --------------------------------------------------------------------------------------------------
# Fix it
# --------------------------------------------------------------------------------------------------


def _linux_fixit() -> FixIt:
    linux = owui_lab.load_scenario("linux-ollama-on-host").replace(add_host_gateway=False)
    return FixIt("fix", linux, ["add_host_gateway", "ollama_bind", "base_url"],
                 keep={"webui_network": "bridge"}, hint="two things")


def test_fixit_is_checked_by_the_engine():
    f = _linux_fixit()
    assert not f.check().correct
    f.set(add_host_gateway=True)
    fb = f.check()
    assert not fb.correct and "connection_refused" in fb.message  # one of the two things
    f.set(ollama_bind="0.0.0.0")
    assert f.check().correct
    assert f.verdict.reachable


def test_fixit_alternative_repairs_count_too():
    f = _linux_fixit()
    f.set(ollama_bind="0.0.0.0", base_url="http://172.17.0.1:11434")
    assert f.check().correct


def test_fixit_keeps_the_task_constraints():
    f = FixIt("fix", owui_lab.load_scenario("linux-ollama-on-host"), ["webui_network", "base_url"],
              keep={"webui_network": "bridge"})
    f.set(webui_network="host", base_url="http://127.0.0.1:11434")
    fb = f.check()
    assert f.verdict.reachable and not fb.correct and "part of the task" in fb.message


def test_fixit_widget_controls_move_the_knobs_and_show_hints():
    f = _linux_fixit()
    f.widget
    f._controls["add_host_gateway"].value = True
    f._controls["ollama_bind"].value = "0.0.0.0"
    assert f.values["ollama_bind"] == "0.0.0.0"
    f._check_button.click()
    assert f.feedback.correct and "Fixed" in f._result.value
    g = _linux_fixit()
    g.widget
    assert g._solution_button.disabled  # no answer before a hint
    g.check()
    assert "Hint" not in g._result.value and g._solution_button.disabled
    g.check()
    assert "Hint" in g._result.value  # after the second unsuccessful check
    assert not g._solution_button.disabled
    g._solution_button.click()
    assert "OLLAMA_HOST=0.0.0.0" in g._result.value


def test_fixit_disables_knobs_that_do_not_apply():
    compose = owui_lab.load_scenario("linux-compose").replace(base_url="http://host.docker.internal:11434")
    f = FixIt("fix", compose, ["ollama", "ollama_network", "ollama_publish", "base_url"])
    f.widget
    assert not f._controls["ollama_network"].disabled
    f._controls["ollama"].value = "host"
    assert f._controls["ollama_network"].disabled and f._controls["ollama_publish"].disabled
    assert f.config.ollama_network is None  # reset, not silently kept


def test_fixit_refuses_a_working_start_and_unknown_knobs():
    with pytest.raises(ConfigError, match="already works"):
        FixIt("fix", owui_lab.load_scenario("linux-compose"), ["base_url"])
    f = _linux_fixit()
    with pytest.raises(ConfigError, match="does not let you change"):
        f.set(webui_network="host")
    f.set(base_url="ollama:11434")
    fb = f.check()
    assert not fb.correct and "no scheme" in fb.message


def test_build_config_drops_what_no_longer_applies():
    compose = owui_lab.load_scenario("linux-compose")
    c = build_config(compose, {"ollama": "host"})
    assert c.ollama_network is None and not c.compose
    d = build_config(owui_lab.load_scenario("desktop-host-network"), {"desktop_host_networking": True, "platform": "linux"})
    assert not d.desktop_host_networking


# --------------------------------------------------------------------------------------------------
# The stage (the instructor's Voila view)
# --------------------------------------------------------------------------------------------------


def test_stage_toggles_change_the_verdict():
    s = Stage("linux-ollama-on-host", diagram=False)
    s.widget
    assert s.headline().startswith("✗") and s.verdict.outcome == "connection_refused"
    s._toggles["bind_all"].value = True
    assert s.verdict.reachable and s.headline().startswith("✓")
    assert 'data-outcome="ok"' in s._headline.value
    s._toggles["add_host_gateway"].value = False
    assert s.verdict.outcome == "name_not_resolved"


def test_stage_scenarios_reset_the_toggles():
    s = Stage(diagram=False)
    s.widget
    s._picker.value = "desktop-host-network"
    assert s._toggles["host_network"].value and not s._toggles["desktop_host_networking"].value
    assert not s._toggles["desktop_host_networking"].disabled
    assert not s.verdict.browser.reachable
    s._toggles["desktop_host_networking"].value = True
    assert s.verdict.reachable and s.verdict.browser.reachable
    s._picker.value = "linux-compose"
    assert s._toggles["desktop_host_networking"].disabled
    assert s.config == owui_lab.load_scenario("linux-compose")


def test_stage_draws_the_diagram():
    s = Stage("linux-host-network")
    s.widget
    assert bytes(s._picture.value).startswith(b"\x89PNG"), "the stage shows no diagram"
    before = bytes(s._picture.value)
    s._toggles["host_network"].value = False
    assert bytes(s._picture.value) != before  # the path changed colour


# --------------------------------------------------------------------------------------------------
# The three situations of a live cell
# --------------------------------------------------------------------------------------------------


def test_no_daemon_says_prediction_only_and_how_to_run_at_home(mode):
    mode(NO_DAEMON, binder=True)
    report = live_check(owui_lab.load_scenario("linux-ollama-on-host"))
    assert not report.ran and "prediction only" in report.reason and "Binder" in report.reason
    html = exercises.live_html(report)
    assert 'data-live="predicted-only"' in html and "make lab" in html and "connection_refused" in html


def test_docker_desktop_runs_desktop_configs_and_refuses_linux_ones(mode, monkeypatch):
    m = mode(DESKTOP)
    assert m.can_run("desktop") and not m.can_run("linux")
    linux = live_check(owui_lab.load_scenario("linux-ollama-on-host"))
    assert not linux.ran and "Docker Desktop" in linux.reason and "cannot emulate" in linux.reason
    # A Desktop configuration goes to the lab (given a Desktop daemon, the lab's own checks decide).
    calls = []

    class FakeLab:
        @staticmethod
        def availability(config):
            return True, "the lab runs on Docker Desktop 4.40"

        @staticmethod
        def run(config):
            calls.append(config)
            v = owui_lab.predict(config)
            return type("R", (), {"observed": {"reachable": v.reachable, "outcome": v.outcome, "detail": "seen"},
                                  "agree": True, "seconds": 1.5, "notes": ("port 3000 → 3001",)})()

    import sys

    monkeypatch.setitem(sys.modules, "owui_lab.lab", FakeLab)
    monkeypatch.setattr(owui_lab, "lab", FakeLab, raising=False)
    desktop = live_check(owui_lab.load_scenario("desktop-compose"))
    assert desktop.ran and desktop.agree and calls == [owui_lab.load_scenario("desktop-compose")]
    html = exercises.live_html(desktop)
    assert 'data-live="ran"' in html and "The engine was right." in html and "port 3000 → 3001" in html


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


@pytest.mark.docker
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
        assert report.agree and report.observed["outcome"] == "connection_refused"
    finally:
        environment._cached = None


def test_run_live_runs_the_configuration_the_daemon_can(mode, monkeypatch):
    """A lesson's live cell passes Linux and Desktop: each daemon runs its own, the other is predicted."""
    ran = []
    monkeypatch.setattr(exercises, "live_check", lambda c: ran.append(c) or exercises.LiveReport(
        True, owui_lab.predict(c), observed={"reachable": True, "outcome": "ok"}, agree=True))
    linux = owui_lab.load_scenario("linux-compose")
    desktop = owui_lab.load_scenario("desktop-compose")
    mode(DESKTOP)
    reports = exercises.run_live(linux, desktop)
    assert ran == [desktop] and [r.ran for r in reports] == [False, True]
    assert "cannot emulate" in reports[0].reason
    ran.clear()
    mode(LIVE_LINUX)
    reports = exercises.run_live(linux, desktop)
    assert ran == [linux] and [r.ran for r in reports] == [True, False]
    ran.clear()
    mode(NO_DAEMON, binder=True)
    reports = exercises.run_live(linux, desktop)
    assert ran == [] and all("Binder" in r.reason for r in reports)


def test_browser_url_questions():
    linux = owui_lab.load_scenario("linux-host-network")
    q = PredictCheck("?", linux, ask="browser_url", choices=["http://localhost:3000", "http://localhost:8080"])
    assert q.accepted == {"http://localhost:8080"}  # -p is discarded in host mode
    desktop = owui_lab.load_scenario("desktop-host-network")
    q = PredictCheck("?", desktop, ask="browser_url", choices=["http://localhost:3000", "http://localhost:8080"])
    assert q.accepted == {None} and q.answer(None).correct
    assert "VM" in q.feedback.message


@pytest.mark.parametrize("kind", ["rootless", "podman"])
def test_rootless_and_podman_are_prediction_only(kind, monkeypatch):
    """A daemon whose networking differs from the lessons' is not offered for live runs."""
    from owui_lab import docker_api

    class FakeClient:
        def close(self):
            pass

    info = docker_api.DaemonInfo("linux", kind, "5.0", "1.41", "Fedora", None)
    monkeypatch.setattr(docker_api, "client", lambda timeout=5: FakeClient())
    monkeypatch.setattr(docker_api, "daemon_info", lambda cli: info)
    import owui_lab.lab as lab

    monkeypatch.setattr(lab, "availability", lambda config=None: (False, f"This daemon is {kind}: differs."))
    try:
        m = environment.detect(refresh=True)
        assert m.kind == NO_DAEMON and kind in m.detail
    finally:
        environment._cached = None


def test_an_unexpected_lab_failure_is_a_sentence_not_a_traceback(mode, monkeypatch):
    import sys

    mode(LIVE_LINUX)

    class BrokenLab:
        @staticmethod
        def availability(config):
            return True, "ok"

        @staticmethod
        def run(config):
            raise RuntimeError("socket closed")

    monkeypatch.setitem(sys.modules, "owui_lab.lab", BrokenLab)
    monkeypatch.setattr(owui_lab, "lab", BrokenLab, raising=False)
    report = live_check(owui_lab.load_scenario("linux-compose"))
    assert not report.ran and "RuntimeError: socket closed" in report.reason and "lab clean" in report.reason


def test_after_the_answer_a_prediction_can_be_checked_live(mode, monkeypatch):
    """Where the daemon can run the configuration, a "Run it for real" button follows the answer."""
    monkeypatch.setattr(exercises, "live_check", lambda c: exercises.LiveReport(
        True, owui_lab.predict(c), observed={"reachable": False, "outcome": "connection_refused"}, agree=True,
        seconds=2.0))
    mode(LIVE_LINUX)
    q = PredictCheck("?", owui_lab.load_scenario("linux-ollama-on-host"), hint="h")
    q.widget
    assert q._live_button.layout.display == "none"
    q.answer("ok")  # wrong: a hint, not finished yet
    assert q._live_button.layout.display == "none"
    q.answer("connection_refused")
    assert q._live_button.layout.display != "none"
    q._live_button.click()
    assert 'data-live="ran"' in q._live_out.value and "The engine was right." in q._live_out.value
    mode(DESKTOP)
    other = PredictCheck("?", owui_lab.load_scenario("linux-compose"))
    other.widget
    other.answer("ok")
    assert other._live_button.layout.display == "none"  # a Linux configuration on Docker Desktop


def test_binder_is_recognised_from_the_kits_start_script(monkeypatch):
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL", "OWUI_LAB_ON_BINDER"):
        monkeypatch.delenv(name, raising=False)
    assert not environment.on_binder()
    monkeypatch.setenv("OWUI_LAB_ON_BINDER", "1")  # binder/start exports it
    assert environment.on_binder()


def test_stage_runs_live_only_where_the_daemon_can(mode, monkeypatch):
    monkeypatch.setattr(exercises, "live_check", lambda c: exercises.LiveReport(
        True, owui_lab.predict(c), observed={"reachable": False, "outcome": "connection_refused"}, agree=True))
    mode(LIVE_LINUX)
    s = Stage("linux-ollama-on-host", diagram=False)
    s.widget
    assert not s._run.disabled
    s._run.click()
    assert 'data-live="ran"' in s._live.value
    s._toggles["bind_all"].value = True
    assert s._live.value == ""  # the observation was of the previous configuration
    s._picker.value = "desktop-compose"
    assert s._run.disabled and "cannot emulate" in s._run_reason.value
    mode(NO_DAEMON, binder=True)
    t = Stage("linux-compose", diagram=False)
    t.widget
    assert t._run.disabled and "Binder" in t._run_reason.value
