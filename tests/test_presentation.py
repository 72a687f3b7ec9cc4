"""The one renderer: verdicts and live results read as a lab transcript, in the one palette."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest

import owui_lab
from owui_lab.errors import ConfigError
from owui_lab import presentation as html
from owui_lab.widgets.live import LiveReport
from tests.widgets_support import observation

WIDGETS = Path(owui_lab.__file__).parent / "widgets"
PACKAGE = Path(owui_lab.__file__).parent


def visible_text(markup: str) -> str:
    """What a reader sees: tags and attributes dropped."""
    return unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", markup, flags=re.S))


@pytest.mark.parametrize("sid", [s.id for s in owui_lab.scenarios()])
def test_a_verdict_reads_as_a_transcript_without_engine_ids(sid):
    v = owui_lab.predict(owui_lab.load_scenario(sid))
    markup = html.verdict_html(v, platform=True)
    text = visible_text(markup)
    for step in v.steps:
        assert unescape(html.esc(step.reason)) in text
    assert text.count("✓") + text.count("✗") == len(v.steps) + 2  # every step, the head, the browser
    for fix in v.fixes:
        assert fix in text
    assert v.browser.url in text
    assert not any(o in text for o in ("connection_refused", "name_not_resolved")), text
    assert ("owui-works" in markup) == (v.reachable and v.browser.reachable)
    assert f'data-outcome="{v.outcome}"' in markup


def test_a_live_run_is_observed_beside_predicted():
    config = owui_lab.load_scenario("linux-ollama-on-host")
    observed = observation(config, detail="[Errno 111] Connection refused")
    agree = html.live_html(LiveReport(owui_lab.predict(config), observed, True, 2.5, notes=("port 3000 → 3001",)))
    text = visible_text(agree)
    assert "agrees" in text and "The engine was right." in text and "2.5 s" in text
    assert text.count("✓") == 4  # the summary and three rows
    assert "Connection refused" in text and "[Errno" not in text  # the probe's words, no exception dressing
    assert "port 3000 → 3001" in text and "connection refused" in text
    wrong = replace(observed, reachable=True, outcome="ok")
    text = visible_text(html.live_html(LiveReport(owui_lab.predict(config), wrong, False, 2.5)))
    assert "disagrees" in text and text.count("✗") == 3  # the summary, reachable, what happened


def test_prediction_only_says_why_and_how_to_run_at_home():
    report = LiveReport(owui_lab.predict(owui_lab.load_scenario("linux-compose")), reason="Binder has no Docker daemon.")
    markup = html.live_html(report)
    assert 'data-live="predicted-only"' in markup and "Binder has no Docker daemon." in markup
    assert "make lab" in markup and "make lab" not in html.live_html(report, home=False)


def test_an_error_box_is_the_kits_one_paragraph():
    exc = ConfigError("OLLAMA_BASE_URL 'ollama:11434' has no scheme.", "write http://ollama:11434.")
    text = visible_text(html.error_html(exc))
    assert "no scheme" in text and "http://ollama:11434" in text and "Traceback" not in text


def test_one_renderer():
    """No other module renders a verdict or a live run (colours: ``tests/test_palette.py``)."""
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "presentation.py":
            continue
        tree = ast.parse(path.read_text())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert not defined & {"verdict_html", "live_html"}, f"{path.relative_to(PACKAGE)} renders verdicts itself"


def test_no_guard_hides_a_broken_widget_module():
    """A broken import of the kit's own code fails a test, never shows "not installed" to a learner."""
    for path in WIDGETS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                assert "ImportError" not in names and "ModuleNotFoundError" not in names, path.name
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
                # getattr(obj, name, default) guards a name that may be missing: import it instead
                assert len(node.args) == 2, f"{path.name}:{node.lineno} guards a name with getattr(..., default)"
