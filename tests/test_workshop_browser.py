"""A lesson in a real JupyterLab, as a learner on Binder meets it: Chromium via Playwright.

Lesson 01 is copied to a temporary folder (JupyterLab autosaves; the committed notebook stays clean),
served by a JupyterLab whose kernels see no Docker daemon, and run with Run → Run All Cells. Then the
learner's path: pick a wrong answer and check (a hint, not the answer), pick again (the answer, with
the engine's reasons), and repair the fix-it exercise with its controls until the kit says it works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.servers import artifact_path, chromium, jupyter_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_ollama_on_host.ipynb"
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}


def test_a_learner_predicts_checks_and_fixes_in_jupyterlab(tmp_path):
    shutil.copy(LESSON, tmp_path / LESSON.name)
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1800)) as browser:
        page = browser.new_page()
        try:
            page.goto(lab.url(f"lab/tree/{LESSON.name}", reset=""))
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=90_000)
            toast = page.locator(".jp-toast-button", has_text="No")
            if toast.count():
                toast.first.click()
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

            # The live cell says plainly that this is the prediction, and how to run it at home.
            live = page.locator(".owui-live").first
            live.wait_for(timeout=90_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.owui-predict').length >= 4", timeout=60_000)
            assert "Prediction only." in live.inner_text()

            # The Linux question: Ollama on 127.0.0.1 behind host-gateway.
            question = page.locator(".owui-predict", has_text="The systemd Ollama listens on its default").first
            question.scroll_into_view_if_needed()
            question.locator("label", has_text="the host name does not resolve").click()
            question.locator(".owui-check").click()
            feedback = question.locator(".owui-feedback")
            feedback.wait_for(timeout=20_000)
            assert "Not yet" in feedback.inner_text() and "Hint" in feedback.inner_text()
            assert "connection refused" not in feedback.inner_text().lower()  # a hint before the answer

            question.locator("label", has_text="connection refused").click()
            question.locator(".owui-check").click()
            page.wait_for_function(
                "(q) => [...document.querySelectorAll('.owui-predict')].some("
                "e => e.innerText.includes(q) && e.innerText.includes('Right.'))",
                arg="The systemd Ollama listens on its default", timeout=20_000)
            assert "docker0" in question.inner_text()

            # Fix it: add the host-gateway entry and make Ollama listen on all addresses.
            fix = page.locator(".owui-fixit").first
            fix.scroll_into_view_if_needed()
            fix.locator(".owui-knob-add-host-gateway input[type=checkbox]").check()
            fix.locator(".owui-knob-ollama-bind select").select_option(label="0.0.0.0 (all addresses)")
            fix.locator(".owui-check").click()
            page.wait_for_function(
                "() => { const f = document.querySelector('.owui-fixit .owui-feedback');"
                " return f && f.innerText.includes('Fixed'); }", timeout=20_000)
            fix.screenshot(path=str(artifact_path("lesson01_fixit.png")))
            page.screenshot(path=str(artifact_path("lesson01_jupyterlab.png")), full_page=True)
        except Exception:
            page.screenshot(path=str(artifact_path("lesson01_jupyterlab_failure.png")), full_page=True)
            raise
