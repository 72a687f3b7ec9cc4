"""Predict, then check: the engine is the answer key, a hint comes before the answer, live follows it."""

from __future__ import annotations

import pytest

import owui_lab
from owui_lab.environment import DESKTOP, LIVE_LINUX
from owui_lab.errors import ConfigError
from owui_lab.widgets import live
from owui_lab.widgets.base import BASE_URLS
from owui_lab.widgets.live import LiveReport
from owui_lab.widgets.predict_check import PredictCheck
from tests.widgets_support import mode, observation


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
    q = PredictCheck("?", c, ask="url", choices=BASE_URLS)
    assert q.accepted == {"http://172.17.0.1:11434"}
    assert q.answer(["http://172.17.0.1:11434"]).correct
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


def test_the_check_button_asks_for_a_choice_first():
    """Check is never disabled (a disabled button drops out of the Tab order): with no choice it asks for one."""
    q = PredictCheck("?", owui_lab.load_scenario("linux-compose"))
    w = q.widget
    assert not q._check.disabled
    q._check.click()
    assert "Pick an answer first" in q._result.value and q.tries == 0 and q.feedback is None
    q._choice.value = "ok"
    q._check.click()
    assert q.feedback is not None and q.feedback.correct
    assert w is q.widget


def test_browser_url_questions():
    linux = owui_lab.load_scenario("linux-host-network")
    q = PredictCheck("?", linux, ask="browser_url", choices=["http://localhost:3000", "http://localhost:8080"])
    assert q.accepted == {"http://localhost:8080"}  # -p is discarded in host mode
    desktop = owui_lab.load_scenario("desktop-host-network")
    q = PredictCheck("?", desktop, ask="browser_url", choices=["http://localhost:3000", "http://localhost:8080"])
    assert q.accepted == {None} and q.answer(None).correct
    assert "VM" in q.feedback.message


def test_after_the_answer_a_prediction_can_be_checked_live(mode, monkeypatch):
    """Where the daemon can run the configuration, a "Run it for real" button follows the answer."""
    monkeypatch.setattr(live, "live_check", lambda c, progress=None: LiveReport(owui_lab.predict(c), observed=observation(c), agree=True, seconds=2.0))
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


def test_a_question_with_several_right_answers_takes_several():
    """Desktop, separate networks, Ollama published: two URLs work, and the answer is both of them."""
    c = owui_lab.load_scenario("desktop-separate-networks").replace(ollama_publish="all")
    urls = ["http://ollama:11434", "http://localhost:11434", "http://host.docker.internal:11434"]
    q = PredictCheck("?", c, ask="url", choices=urls, hint="h")
    assert q.accepted == {"http://host.docker.internal:11434"}
    c2 = owui_lab.load_scenario("linux-separate-networks").replace(ollama_publish="all", add_host_gateway=True)
    urls2 = ["http://ollama:11434", "http://host.docker.internal:11434", "http://172.17.0.1:11434"]
    q2 = PredictCheck("?", c2, ask="url", choices=urls2, hint="h")
    assert q2.accepted == {"http://host.docker.internal:11434", "http://172.17.0.1:11434"}
    q2.widget
    assert not q2._check.disabled  # ticking nothing is an answer too: "none of them works"
    half = q2.answer(["http://172.17.0.1:11434"])  # one of two: not yet right
    assert not half.correct and not half.revealed and "Hint" in half.message
    q2._boxes[1].value = q2._boxes[2].value = True
    q2._check.click()
    assert q2.feedback.correct
    assert "http://host.docker.internal:11434, http://172.17.0.1:11434" in q2.feedback.message
    with pytest.raises(ConfigError, match="as a list"):
        q2.answer("http://172.17.0.1:11434")
    with pytest.raises(ConfigError, match="not among"):
        q2.answer(["http://example:1"])


def test_none_works_is_an_answer():
    c = owui_lab.load_scenario("linux-separate-networks")
    q = PredictCheck("?", c, ask="url", choices=["http://ollama:11434", "http://localhost:11434"])
    assert q.accepted == set() and q.answer([]).correct and "none" in q.feedback.message


def test_the_reasoning_and_diagram_come_only_with_the_answer():
    q = PredictCheck("?", owui_lab.load_scenario("linux-ollama-on-host"), hint="Think of docker0.")
    q.widget
    assert q._result.value == ""
    q.answer("ok")  # wrong: a hint only, no picture, no reasoning
    assert "owui-lesson-diagram" not in q._result.value and "docker0 (" not in q._result.value
    q.answer("connection_refused")
    assert "owui-lesson-diagram" in q._result.value and "data:image/svg+xml" in q._result.value
    assert "owui-verdict" in q._result.value


def test_show_the_answer_on_request_and_reset():
    q = PredictCheck("?", owui_lab.load_scenario("linux-compose"), hint="h")
    q.widget
    seen = []
    q.on_finish(seen.append)
    q._reveal_button.click()
    assert q.feedback.revealed and not q.feedback.correct and q.finished and seen == [q]
    assert "The answer is: <b>Yes: Open WebUI reaches Ollama</b>" in q._result.value
    q._choice.value = "ok"
    q._reset_button.click()
    assert q.feedback is None and q.tries == 0 and q._choice.value is None and not q._check.disabled
    assert q._result.value == ""
    assert q.answer("name_not_resolved").message.startswith("Not yet. Hint")  # a hint again, as at first


def test_after_answers_holds_back_until_every_question_is_finished():
    from owui_lab.widgets.predict_check import AfterAnswers

    a = PredictCheck("?", owui_lab.load_scenario("linux-compose"))
    b = PredictCheck("?", owui_lab.load_scenario("linux-ollama-on-host"), hint="h")
    gate = AfterAnswers([a, b], lambda: "<p>the diagrams</p>", "the diagrams", waiting_html="<p>ran</p>")
    gate.widget
    assert gate._body.value == "" and 'data-waiting="2"' in gate._wait.value and "the diagrams" not in gate._body.value
    a.answer("ok")
    assert 'data-waiting="1"' in gate._wait.value and not gate.opened
    b.answer("ok")  # a hint: not finished
    assert not gate.opened
    b.answer("connection_refused")
    assert gate.opened and gate._body.value == "<p>the diagrams</p>" and gate._wait.layout.display == "none"


def test_after_answers_opens_on_request():
    from owui_lab.widgets.predict_check import AfterAnswers

    a = PredictCheck("?", owui_lab.load_scenario("linux-compose"))
    gate = AfterAnswers([a], lambda: "<p>shown</p>", "the diagrams")
    gate.widget
    gate._open_button.click()
    assert gate.opened and gate._body.value == "<p>shown</p>" and a.feedback is None
