"""The classroom: Voila serves the instructor notebook and a real Chromium renders it.

A projector view must show no code, use large type, and react: clicking a toggle changes the verdict.
The screenshot (before and after the click) is kept in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.servers import artifact_path, chromium, voila

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "instructor.ipynb"


@pytest.mark.browser
@pytest.mark.slow
def test_voila_renders_the_instructor_notebook_and_a_toggle_changes_the_verdict():
    from playwright.sync_api import expect

    with voila(NOTEBOOK, timeout=90) as server, chromium(viewport=(1600, 1200), timeout_ms=90_000) as browser:
        page = browser.new_page()
        page.goto(server.url(), wait_until="domcontentloaded")
        headline = page.locator(".owui-verdict-headline")
        try:
            expect(headline).to_be_visible(timeout=90_000)
        except AssertionError:
            page.screenshot(path=str(artifact_path("voila_instructor_failed.png")), full_page=True)
            raise AssertionError(f"the stage did not render; Voila's log:\n{server.log()}") from None

        # The scenario the instructor starts from: the Linux README command, Ollama on 127.0.0.1.
        expect(headline).to_have_attribute("data-outcome", "connection_refused")
        before = headline.inner_text()
        assert before.startswith("✗"), before
        assert "docker0" in page.locator(".owui-stage").inner_text()

        # Projector-friendly: large type, and no code shown.
        size = float(headline.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 32, f"the verdict is {size}px: too small for a projector"
        body = page.locator("body").inner_text()
        assert "from owui_lab" not in body and "Stage(" not in body, "Voila shows code"
        page.screenshot(path=str(artifact_path("voila_instructor_before.png")), full_page=True)

        # The toggle: Ollama listens on 0.0.0.0 → the connection via docker0 now works.
        picture = page.locator(".owui-stage img").first
        picture_before = picture.get_attribute("src")
        page.get_by_role("button", name=re.compile("Ollama listens on 0.0.0.0")).click()
        expect(headline).to_have_attribute("data-outcome", "ok", timeout=30_000)
        after = headline.inner_text()
        assert after.startswith("✓") and after != before
        expect(picture).not_to_have_attribute("src", picture_before or "", timeout=30_000)

        # And a scenario from the picker: Docker Desktop host networking, browser cannot reach the UI.
        import owui_lab

        title = owui_lab.scenario("desktop-host-network").title
        picture_before = picture.get_attribute("src")
        page.locator(".owui-stage select").first.select_option(label=title)
        expect(headline).to_have_attribute("data-outcome", "connection_refused", timeout=30_000)
        expect(picture).not_to_have_attribute("src", picture_before or "", timeout=30_000)
        page.screenshot(path=str(artifact_path("voila_instructor_after.png")), full_page=True)


@pytest.mark.browser
@pytest.mark.docker
@pytest.mark.slow
def test_the_instructor_runs_the_stage_live_from_the_projector():
    """With a Linux daemon, "Run it for real" on the stage brings stand-ins up and shows the observation."""
    import os

    from playwright.sync_api import expect

    env = {"OWUI_LAB_IMAGE": os.environ.get("OWUI_LAB_IMAGE") or "owui-lab/python:offline"}
    with voila(NOTEBOOK, env=env, timeout=90) as server, chromium(viewport=(1600, 1200), timeout_ms=90_000) as browser:
        page = browser.new_page()
        page.goto(server.url(), wait_until="domcontentloaded")
        headline = page.locator(".owui-verdict-headline")
        expect(headline).to_have_attribute("data-outcome", "connection_refused", timeout=90_000)
        run = page.locator(".owui-stage-run")
        expect(run).to_be_enabled(timeout=30_000)
        run.click()
        live = page.locator(".owui-stage .owui-live")
        try:
            expect(live).to_have_attribute("data-live", "ran", timeout=120_000)
        except AssertionError:
            page.screenshot(path=str(artifact_path("voila_instructor_live_failed.png")), full_page=True)
            raise AssertionError(f"no live run on the stage; Voila's log:\n{server.log()}") from None
        assert "The engine was right." in live.inner_text()
        assert "connection refused" in live.inner_text() and "connection_refused" not in live.inner_text()
        page.screenshot(path=str(artifact_path("voila_instructor_live.png")), full_page=True)
