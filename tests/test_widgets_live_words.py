"""A live run in the learner's words: their own ports, the lab's as a footnote, no exception text."""

from __future__ import annotations

import re

import owui_lab
from owui_lab.lab.results import BrowserObservation, Observation
from owui_lab import presentation as html
from owui_lab.widgets.live import LiveReport


def _report(detail: str, replaced=(), notes=()) -> LiveReport:
    c = owui_lab.load_scenario("linux-compose").replace(base_url="http://localhost:11434")
    observed = Observation(False, "connection_refused", detail, BrowserObservation("http://localhost:3000", True))
    return LiveReport(owui_lab.predict(c), observed, True, 2.0, notes=tuple(notes), replaced_ports=tuple(replaced))


def _words(markup: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", markup, flags=re.S))


def test_a_replaced_port_is_the_learners_in_the_sentence_and_a_footnote():
    note = "Host ports busy or kept free here were replaced, consistently in every URL: 11434 → 34111"
    words = _words(html.live_html(_report("nothing listens at localhost:34111", [(11434, 34111)], [note])))
    assert "localhost:11434¹" in words and "localhost:34111" not in words
    assert "¹ something on this machine already uses port 11434, so this run used port 34111 instead" in words
    assert "Host ports busy" not in words  # said once, in the footnote


def test_no_footnote_when_no_port_was_replaced():
    words = _words(html.live_html(_report("nothing listens at localhost:11434")))
    assert "¹" not in words and "localhost:11434" in words


def test_the_probe_detail_has_no_exception_dressing():
    words = _words(html.live_html(_report("[Errno 111] Connection refused")))
    assert "[Errno" not in words and "What the probe saw: Connection refused" in words
    words = _words(html.live_html(_report("TimeoutError: timed out")))
    assert "TimeoutError" not in words and "timed out" in words


def test_a_lab_result_brings_its_replaced_ports():
    from owui_lab.lab.results import LabResult

    r = _report("x")
    result = LabResult(r.predicted, r.observed, True, 1.0, replaced_ports=((3000, 40123),))
    assert LiveReport.from_result(result).replaced_ports == ((3000, 40123),)
