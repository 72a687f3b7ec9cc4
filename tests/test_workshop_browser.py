"""The lessons in a real JupyterLab, as a learner on Binder meets them: Chromium via Playwright.

The notebooks are copied to a temporary folder (JupyterLab autosaves; the committed notebooks stay
clean), served by a JupyterLab whose kernels see no Docker daemon, and run with Run → Run All Cells.
After Run All, a learner sees questions, not answers: no verdict, reasoning, comparison or live
observation of an unanswered question is on the page. Then the learner's path: a wrong answer gets a
hint (not the answer), the right one the engine's reasons and the diagram, Reset clears it, answering
the questions opens the comparison below them, and the fix-it is repaired with its controls.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from owui_lab.lessons import normalise
from owui_lab.widgets.lesson import lesson
from owui_lab.widgets.predict_check import PredictCheck
from tests.support.axe import counts, report, scan, serious
from bench.servers import artifact_path, chromium, jupyter_lab

pytestmark = [pytest.mark.usefixtures("chromium_path"), pytest.mark.slow]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = ["00_welcome", "01_ollama_on_host", "02_compose", "03_separate_networks", "04_host_networking"]
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}
GIVEAWAYS = (".owui-verdict", ".owui-feedback", ".owui-compare", ".owui-live", ".owui-held")


def _run_all(page, lab, name: str) -> None:
    page.goto(lab.url(f"lab/tree/{name}.ipynb", reset=""))
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=120_000)
    toast = page.locator(".jp-toast-button", has_text="No")
    if toast.count():
        toast.first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    data = lesson(name)
    questions = sum(e.kind == "predict" for e in data.exercises.values())
    fixits = sum(e.kind == "fixit" for e in data.exercises.values())
    page.wait_for_function(
        "([q, f]) => document.querySelectorAll('.owui-predict').length >= q"
        " && document.querySelectorAll('.owui-fixit').length >= f", arg=[questions, fixits], timeout=120_000)
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=120_000)


def _right_labels(name: str, exercise_id: str) -> list[str]:
    """The labels of the engine's answer to one of the lesson's questions."""
    spec = lesson(name).exercises[exercise_id]
    q = PredictCheck(spec.get("question"), spec.config, ask=spec.get("ask"), choices=spec.get("choices"))
    return [label for label, value in q.options if value in q.accepted]


@pytest.mark.parametrize("name", LESSONS)
def test_after_run_all_a_learner_sees_questions_not_answers(tmp_path, name, axe_core):
    shutil.copytree(NOTEBOOKS, tmp_path / "nb")
    with jupyter_lab(tmp_path / "nb", env=NO_DAEMON) as lab, chromium(viewport=(1400, 1800)) as browser:
        page = browser.new_page()
        try:
            _run_all(page, lab, name)
            for selector in GIVEAWAYS:
                assert page.locator(selector).count() == 0, f"{name}: {selector} is on the page before any answer"
            assert "The answer is" not in page.inner_text("body")
            # No sentence that answers a question is in the page (its text, rendered or not): issue 21.
            text = normalise(page.locator(".jp-Notebook").first.text_content() or "").casefold()
            assert len(text) > 2000, "the notebook's text was not read"
            leaked = [c.said for c in lesson(name).claims if normalise(c.said).casefold() in text]
            assert leaked == [], f"{name}: answers readable after Run All: {leaked}"

            # Answer every question right, in order; the first one is also reset and answered again.
            data = lesson(name)
            asked = [e for e in data.exercises.values() if e.kind == "predict"]
            for i, exercise in enumerate(asked):
                question = page.locator(".owui-predict").nth(i)
                question.scroll_into_view_if_needed()
                for label in _right_labels(name, exercise.id) or []:
                    question.locator("label", has_text=label).first.click()
                question.locator(".owui-check").click()
                question.locator(".owui-feedback", has_text="Right.").wait_for(timeout=20_000)
                if exercise.get("ask") != "url":
                    assert question.locator(".owui-verdict").count() == 1  # the reasoning, with the answer
                if i == 0:
                    question.locator(".owui-reset").click()
                    page.wait_for_function(
                        "() => !document.querySelector('.owui-predict .owui-feedback')", timeout=20_000)
                    question.locator(".owui-reveal").click()
                    question.locator(".owui-feedback", has_text="The answer is").wait_for(timeout=20_000)
            if name != "00_welcome":
                # Every question above the comparison is answered: it opens by itself.
                page.locator(".owui-compare").first.wait_for(timeout=30_000)
                page.locator(".owui-live").first.wait_for(timeout=30_000)
            page.screenshot(path=str(artifact_path(f"{name}_answered.png")), full_page=True)
            if name != "00_welcome":  # the comparison's zoom by keyboard: Tab reaches it, Space widens it
                zoom = page.locator(".owui-compare .owui-zoom-toggle").first
                zoom.focus()
                page.keyboard.press("Space")
                assert zoom.is_checked(), f"{name}: Space did not widen the diagram"
            # Every question answered, everything the lesson shows is on the page: axe over the kit's
            # output (JupyterLab's own chrome has violations of its own, not the kit's to fix).
            violations = scan(page, axe_core, include=[".jp-OutputArea-output"])
            assert not serious(violations), f"{name}: {counts(violations)}\n{report(serious(violations))}"
        except Exception:
            page.screenshot(path=str(artifact_path(f"{name}_failure.png")), full_page=True)
            raise


def test_a_learner_predicts_checks_and_fixes_in_jupyterlab(tmp_path):
    shutil.copytree(NOTEBOOKS, tmp_path / "nb")
    with jupyter_lab(tmp_path / "nb", env=NO_DAEMON) as lab, chromium(viewport=(1400, 1800)) as browser:
        page = browser.new_page()
        try:
            _run_all(page, lab, "01_ollama_on_host")
            # The live cell says plainly that this is the prediction, and how to run it at home.
            status = page.locator(".owui-live-status").first
            status.wait_for(timeout=60_000)
            assert "Prediction only" in status.inner_text()

            # The Linux question: Ollama on 127.0.0.1 behind host-gateway.
            question = page.locator(".owui-predict", has_text="The systemd Ollama listens on its default").first
            question.scroll_into_view_if_needed()
            question.locator("label", has_text="the host name does not resolve").click()
            question.locator(".owui-check").click()
            feedback = question.locator(".owui-feedback")
            feedback.wait_for(timeout=20_000)
            assert "Not yet" in feedback.inner_text() and "Hint" in feedback.inner_text()
            assert "connection refused" not in feedback.inner_text().lower()  # a hint before the answer
            assert question.locator(".owui-verdict").count() == 0

            question.locator("label", has_text="connection refused").click()
            question.locator(".owui-check").click()
            question.locator(".owui-feedback", has_text="Right.").wait_for(timeout=20_000)
            assert "docker0" in question.inner_text()
            question.locator("img.owui-lesson-diagram").first.wait_for(timeout=20_000)  # the diagram comes with it

            # Several URLs: tick the one that works.
            urls = page.locator(".owui-predict", has_text="Which base URLs get Open WebUI to Ollama").first
            urls.scroll_into_view_if_needed()
            urls.locator("label", has_text="http://172.17.0.1:11434").click()
            urls.locator(".owui-check").click()
            urls.locator(".owui-feedback", has_text="Right.").wait_for(timeout=20_000)

            # Fix it: what happens now follows the knobs; add the host-gateway entry and open Ollama.
            fix = page.locator(".owui-fixit").first
            fix.scroll_into_view_if_needed()
            fix.locator(".jupyter-widget-Collapse-header", has_text="What happens now").first.click()
            now = fix.locator(".owui-fixit-now")
            now.locator(".owui-verdict").wait_for(timeout=20_000)
            assert "unknown on Docker Engine on Linux" in now.inner_text()
            fix.locator(".owui-knob-add-host-gateway input[type=checkbox]").check()
            page.wait_for_function(
                "() => document.querySelector('.owui-fixit-now').innerText.includes('docker0')", timeout=20_000)
            fix.locator(".owui-knob-ollama-bind select").select_option(label="0.0.0.0 (all addresses)")
            fix.locator(".owui-check").click()
            page.wait_for_function(
                "() => { const f = document.querySelector('.owui-fixit .owui-feedback');"
                " return f && f.innerText.includes('Fixed'); }", timeout=20_000)
            fix.screenshot(path=str(artifact_path("lesson01_fixit.png")))
            fix.locator(".owui-reset").click()
            page.wait_for_function(
                "() => !document.querySelector('.owui-fixit .owui-feedback')"
                " && !document.querySelector('.owui-knob-add-host-gateway input').checked", timeout=20_000)
            page.screenshot(path=str(artifact_path("lesson01_jupyterlab.png")), full_page=True)
        except Exception:
            page.screenshot(path=str(artifact_path("lesson01_jupyterlab_failure.png")), full_page=True)
            raise
