"""The explorer in a real browser: JupyterLab (and Voila) in Debian's Chromium, driven by Playwright.

The test opens ``tests/data/explorer.ipynb``, runs all cells, then clicks presets and toggles and checks
that what the learner sees changes: the verdict's text and the diagram's image (its PNG bytes, read
back from the page). Screenshots go to ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.servers import artifact_path, chromium, jupyter_lab, voila

pytestmark = [pytest.mark.usefixtures("chromium_path"), pytest.mark.slow]

NOTEBOOK = Path(__file__).parent / "data" / "explorer.ipynb"

#: The diagram's bytes as the page has them: a SHA-256 of what the <img> shows.
DIGEST_JS = """async (img) => {
    const data = await (await fetch(img.src)).arrayBuffer();
    const hash = await crypto.subtle.digest('SHA-256', data);
    return Array.from(new Uint8Array(hash)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def diagram_digest(page) -> str:
    img = page.locator(".owui-diagram img, img.owui-diagram").first
    img.wait_for(state="visible")
    return img.evaluate(DIGEST_JS)


def verdict_text(page) -> str:
    return page.locator(".owui-verdict").first.inner_text()


def wait_change(page, old_verdict: str, old_digest: str, timeout_s: float = 20.0) -> tuple[str, str]:
    """Wait (bounded) until both the verdict text and the diagram differ from before."""
    deadline_ms = timeout_s * 1000
    page.wait_for_function(
        "(old) => { const v = document.querySelector('.owui-verdict'); return v && v.innerText !== old; }",
        arg=old_verdict, timeout=deadline_ms,
    )
    for _ in range(int(timeout_s * 10)):
        digest = diagram_digest(page)
        if digest != old_digest:
            return verdict_text(page), digest
        page.wait_for_timeout(100)
    raise AssertionError("the diagram did not change")


def exercise(page, shot: str) -> None:
    """Click presets and toggles; the verdict and the diagram must follow each time."""
    page.locator(".owui-verdict").first.wait_for(state="visible", timeout=60_000)
    verdict, digest = verdict_text(page), diagram_digest(page)
    assert "NOT reachable" in verdict and "Docker Engine on Linux" in verdict  # the defaults

    page.locator(".owui-preset-linux-compose").first.click()
    verdict, digest = wait_change(page, verdict, digest)
    assert "reachable ✓" in verdict and "http://ollama:11434" in verdict

    page.locator(".owui-preset-linux-ollama-on-host").first.click()
    verdict, digest = wait_change(page, verdict, digest)
    assert "connection refused" in verdict.lower()

    # a toggle: Ollama listens on all addresses → the path turns green
    bind = page.locator(".owui-knob-ollama-bind input").first
    bind.fill("0.0.0.0")
    bind.press("Enter")
    verdict, digest = wait_change(page, verdict, digest)
    assert "reachable ✓" in verdict

    # another: Open WebUI on the host network
    page.locator(".owui-knob-mode button", has_text="host network").first.click()
    verdict, digest = wait_change(page, verdict, digest)
    assert "localhost:8080" in verdict

    # a bad URL shows the error paragraph, not a traceback; the picture stays
    url = page.locator(".owui-knob-base-url input").first
    url.fill("ollama:11434")
    url.press("Enter")
    page.wait_for_function("() => document.querySelector('.owui-verdict').innerText.includes('no scheme')",
                           timeout=20_000)
    assert "Traceback" not in verdict_text(page)
    assert diagram_digest(page) == digest
    page.screenshot(path=str(artifact_path(shot)), full_page=True)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (Playwright's sync API allows one at a time)."""
    with chromium(viewport=(1400, 2600)) as context:  # room for the whole app
        yield context


@pytest.fixture(scope="module")
def lab_page(browser, tmp_path_factory):
    """The explorer notebook open in JupyterLab, all cells run; shared by the tests of this module."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, folder / "explorer.ipynb")
    env = {"OWUI_LAB_IMAGE": os.environ.get("OWUI_LAB_IMAGE") or "owui-lab/python:offline"}
    with jupyter_lab(folder, env=env) as lab:
        page = browser.new_page()
        try:
            page.goto(lab.url("lab/tree/explorer.ipynb", reset=""))
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=180_000)
            toast = page.locator(".jp-toast-button", has_text="No")
            if toast.count():
                toast.first.click()
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        except Exception:
            page.screenshot(path=str(artifact_path("explorer-jupyterlab-failure.png")), full_page=True)
            raise
        yield page


def test_explorer_in_jupyterlab(lab_page):
    try:
        exercise(lab_page, "explorer-jupyterlab.png")
    except Exception:
        lab_page.screenshot(path=str(artifact_path("explorer-jupyterlab-failure.png")), full_page=True)
        raise


@pytest.mark.usefixtures("docker_daemon")
def test_run_it_live_from_the_browser(lab_page):
    """The live run works from a thread: its progress and result reach the page."""
    page = lab_page
    try:
        page.locator(".owui-preset-linux-compose").first.click()
        page.wait_for_function("() => document.querySelector('.owui-verdict').innerText.includes('reachable ✓')",
                               timeout=20_000)
        page.locator(".lm-TabBar-tabLabel, .p-TabBar-tabLabel, .widget-tab .lm-TabBar-tab",
                     has_text="Run it live").first.click()
        run = page.locator(".owui-run").first
        run.wait_for(state="visible")
        assert run.is_enabled(), page.locator(".owui-run-reason").first.inner_text()
        run.click()
        page.wait_for_function(
            "() => { const r = document.querySelector('.owui-run-result'); return r && r.innerText.includes('agrees'); }",
            timeout=120_000,
        )
        page.screenshot(path=str(artifact_path("explorer-jupyterlab-live.png")), full_page=True)
    except Exception:
        page.screenshot(path=str(artifact_path("explorer-jupyterlab-live-failure.png")), full_page=True)
        raise


def test_explorer_in_voila(browser, tmp_path):
    shutil.copy(NOTEBOOK, tmp_path / "explorer.ipynb")
    with voila(tmp_path / "explorer.ipynb") as server:
        page = browser.new_page()
        try:
            page.goto(server.url())
            exercise(page, "explorer-voila.png")
        except Exception:
            page.screenshot(path=str(artifact_path("explorer-voila-failure.png")), full_page=True)
            raise
