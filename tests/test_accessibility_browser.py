"""Everyone can use it: axe-core over the kit's pages, and the exercises, fix-it and stage by keyboard alone.

axe-core (npm, pinned; ``tests/support/axe.py``) runs in Debian's Chromium. Under JupyterLab the scan is
scoped to the kit's own output (``.jp-OutputArea-output``, ``.owui-explorer``): JupyterLab's own chrome
(its toolbar buttons, the cell editors) has violations of its own that are not the kit's to fix. Under
Voila, and on the cheat sheet's and the projector's pages, the whole page is scanned. Each must have no
critical and no serious violation (axe's ``color-contrast`` rule is text contrast >= 4.5:1).

The keyboard tests press only Tab, Space, Enter and, inside a radio group or a drop-down, the arrow
keys (which JupyterLab must not take), and check that the focused control carries a ring of at least
3:1 against what is behind it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.axe import counts, report, scan, serious
from bench.servers import artifact_path, chromium, jupyter_lab, voila
from tests.widgets_support import run_in_jupyterlab, wait_for_all_cells

pytestmark = [pytest.mark.slow]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}

#: The focused element's ring, and the contrast of its colour against the first opaque background behind
#: it (WCAG's relative luminance): what "a visible focus ring" means here.
FOCUS_RING = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let p = e.parentElement, bg = [255, 255, 255];
  while (p) { const c = rgb(getComputedStyle(p).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { bg = c.slice(0, 3); break; } p = p.parentElement; }
  const ring = rgb(s.outlineColor).slice(0, 3), [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
  return {tag: e.tagName, cls: String(e.className), style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          contrast: (a + 0.05) / (b + 0.05)};
}"""


def assert_ring(page, where: str) -> None:
    ring = page.evaluate(FOCUS_RING)
    assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, f"{where}: no focus ring: {ring}"
    assert ring["contrast"] >= 3, f"{where}: the focus ring is {ring['contrast']:.2f}:1 against its background"


def assert_clean(page, axe_core, where: str, include: list[str] | None = None) -> dict:
    violations = scan(page, axe_core, include=include)
    assert not serious(violations), f"{where}: {counts(violations)}\n{report(serious(violations))}"
    return counts(violations)


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (as a learner does), at most ``limit`` times."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; focus is on "
                         + page.evaluate("() => document.activeElement.outerHTML.slice(0, 160)"))


def test_a_lesson_by_keyboard_alone_and_axe_clean(tmp_path, axe_core):
    """Lesson 01 in JupyterLab at 1280x720: a question and the fix-it with the keyboard, then axe."""
    shutil.copytree(NOTEBOOKS, tmp_path / "nb")
    with jupyter_lab(tmp_path / "nb", env=NO_DAEMON) as lab, \
            chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
        page = browser.new_page()
        try:
            run_in_jupyterlab(page, lab, "01_ollama_on_host.ipynb")
            question = page.locator(".owui-predict", has_text="The systemd Ollama listens on its default").first
            question.wait_for(timeout=180_000)
            wait_for_all_cells(page)  # the Check's click waits behind every queued cell otherwise
            question.scroll_into_view_if_needed()
            radios = question.locator("input[type=radio]")
            radios.first.focus()  # the learner Tabs here; JupyterLab's own toolbars come first
            cell = page.evaluate("() => [...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))")
            labels = question.locator(".widget-radio-box label").all_inner_texts()
            target = next(i for i, t in enumerate(labels) if "connection refused" in t)
            for _ in range(target):
                page.keyboard.press("ArrowDown")  # moves the choice, not JupyterLab's active cell
            assert radios.nth(target).is_checked(), "the arrow keys did not move the choice"
            assert_ring(page, "a question's radio")  # (a ring shows once a key was pressed: :focus-visible)
            assert page.evaluate("() => [...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))") == cell
            # Check is never disabled: when the kernel enabled it after the choice, Tab pressed at once skipped
            # it and landed on a later question's Check (a loaded CI run pressed Enter there)
            tab_to(page, ".owui-predict .owui-check")
            assert question.locator(".owui-check").evaluate("e => e === document.activeElement"), \
                "Tab left the question before its Check"
            assert_ring(page, "the Check button")
            page.keyboard.press("Enter")
            question.locator(".owui-feedback", has_text="Right.").wait_for(timeout=30_000)

            fix = page.locator(".owui-fixit").first
            fix.scroll_into_view_if_needed()
            box = fix.locator(".owui-knob-add-host-gateway input[type=checkbox]")
            box.focus()
            page.keyboard.press("Space")
            assert box.is_checked()
            assert_ring(page, "a fix-it checkbox")
            bind = fix.locator(".owui-knob-ollama-bind select")
            bind.focus()
            wanted = bind.evaluate("s => [...s.options].findIndex(o => o.text.startsWith('0.0.0.0'))")
            for _ in range(50):
                if bind.evaluate("s => s.selectedIndex") == wanted:
                    break
                page.keyboard.press("ArrowDown" if bind.evaluate("s => s.selectedIndex") < wanted else "ArrowUp")
            tab_to(page, ".owui-fixit .owui-check")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "() => { const f = document.querySelector('.owui-fixit .owui-feedback');"
                " return f && f.innerText.includes('Fixed'); }", timeout=30_000)
            page.screenshot(path=str(artifact_path("a11y_lesson01_keyboard_1280x720.png")))
            assert_clean(page, axe_core, "lesson 01 (the kit's output)", include=[".jp-OutputArea-output"])
        except Exception:
            page.screenshot(path=str(artifact_path("a11y_lesson01_failure.png")), full_page=True)
            raise


def test_the_stage_under_voila_by_keyboard_alone_and_axe_clean(axe_core):
    with voila(NOTEBOOKS / "instructor.ipynb", timeout=120, env=NO_DAEMON) as server, \
            chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
        page = browser.new_page()
        page.goto(server.url(), wait_until="domcontentloaded")
        headline = page.locator(".owui-verdict-headline")
        headline.wait_for(timeout=120_000)
        assert headline.get_attribute("data-outcome") == "connection_refused"
        tab_to(page, ".owui-stage .owui-switch-bind-all")
        assert_ring(page, "a stage switch")
        page.keyboard.press("Space")
        page.wait_for_function("() => document.querySelector('.owui-verdict-headline').dataset.outcome === 'ok'",
                               timeout=30_000)
        page.keyboard.press("Enter")  # Enter presses it too: back to the broken setup
        page.wait_for_function("() => document.querySelector('.owui-verdict-headline').dataset.outcome !== 'ok'",
                               timeout=30_000)
        page.screenshot(path=str(artifact_path("a11y_stage_1280x720.png")))
        # "Describe this diagram" stays open while the knobs change (a screen-reader user reads it there).
        page.locator(".owui-stage .owui-describe > summary").first.click()
        page.locator(".owui-stage .owui-switch-bind-all").click()
        page.wait_for_function("() => document.querySelector('.owui-verdict-headline').dataset.outcome === 'ok'",
                               timeout=30_000)
        describe = page.locator(".owui-stage .owui-describe").first
        assert describe.evaluate("d => d.open"), "the description closed when the diagram was redrawn"
        assert "Open WebUI reaches Ollama" in describe.inner_text()
        describe.locator("summary").click()  # and closed, it stays closed
        page.locator(".owui-stage .owui-switch-bind-all").click()
        page.wait_for_function("() => document.querySelector('.owui-verdict-headline').dataset.outcome !== 'ok'",
                               timeout=30_000)
        assert not page.locator(".owui-stage .owui-describe").first.evaluate("d => d.open")
        # Every control has a name, including the two drop-downs (their labels are for screen readers).
        for selector in (".owui-stage-picker select", ".owui-stage-url select"):
            name = page.locator(selector).evaluate("s => s.labels.length ? s.labels[0].textContent : ''")
            assert name.strip(), selector
        # The run button's white text on its green: >= 4.5:1 (axe skips it while it is disabled).
        run = page.locator(".owui-stage-run")
        assert run.evaluate("b => getComputedStyle(b).backgroundColor") in ("rgb(0, 122, 90)",), \
            "the Run button's green is not the palette's ink green (white on it: 5.3:1)"
        assert_clean(page, axe_core, "the stage under Voila")


def test_the_sandbox_by_keyboard_and_axe_clean(tmp_path, axe_core):
    shutil.copy(NOTEBOOKS / "06_sandbox.ipynb", tmp_path / "06_sandbox.ipynb")
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
        page = browser.new_page()
        run_in_jupyterlab(page, lab, "06_sandbox.ipynb")
        app = page.locator(".owui-explorer").first
        app.wait_for(timeout=180_000)
        headline = app.locator(".owui-verdict-headline")
        headline.wait_for(timeout=60_000)
        preset = app.locator(".owui-preset-linux-compose")
        preset.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('.owui-explorer .owui-verdict-headline').innerText.startsWith('✓')",
                               timeout=30_000)
        tab_to(page, ".owui-explorer .owui-knob-add-host-gateway input[type=checkbox]")
        assert_ring(page, "a knob")
        before = page.locator(".owui-knob-add-host-gateway input").is_checked()
        page.keyboard.press("Space")
        assert page.locator(".owui-knob-add-host-gateway input").is_checked() != before
        assert_clean(page, axe_core, "the sandbox", include=[".owui-explorer"])


def test_the_projector_page_is_axe_clean(axe_core):
    """The classroom projector's page as served (static state: no question picked yet)."""
    from owui_lab.service.projector import page as projector_page

    with chromium(viewport=(1280, 720)) as browser:
        page = browser.new_page()
        page.route(re.compile(r".*/api/.*"), lambda route: route.fulfill(status=503, body="{}"))
        page.set_content(projector_page("/services/owui-lab/", "xsrf"))
        assert_clean(page, axe_core, "the projector page")
