"""Lesson diagrams are readable where a learner meets them: JupyterLab at 1400x1000, file browser open.

Each lesson that compares Docker Desktop and Linux is run in a real JupyterLab (Chromium via Playwright)
in its default layout. For every diagram, the rendered height of its smallest text and of its
failing-step callout is computed from the width the browser gave the picture and the picture's own font
sizes (points, in the SVG's own unit, which the test reads from the SVG itself): at least 11 and 14 CSS
px. There the two platforms are stacked, each at the notebook's full width; on a screen wide enough for
both side by side, a click widens one to the whole row and a second click puts it back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.servers import artifact_path, chromium, jupyter_lab
from tests.widgets_support import run_in_jupyterlab, shut_down_kernels

pytestmark = [pytest.mark.usefixtures("chromium_path"), pytest.mark.slow]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb") if "compare(" in p.read_text(encoding="utf-8"))
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}
SMALLEST_PX, CALLOUT_PX = 11.0, 14.0

# Per diagram: displayed width, the SVG's own width (its viewBox, in points), the font sizes it declares.
MEASURE = """() => [...document.querySelectorAll('.owui-compare img.owui-lesson-diagram')].map(img => {
  const svg = atob(img.src.split(',')[1]);
  const viewBox = svg.match(/viewBox="([^"]+)"/)[1].split(/\\s+/).map(Number);
  const r = img.getBoundingClientRect();
  const area = img.closest('.jp-OutputArea-output').getBoundingClientRect();
  return {shown: r.width, area: area.width, top: r.top, left: r.left, right: r.right, viewBoxWidth: viewBox[2],
          widthPt: Number(img.dataset.widthPt), smallestPt: Number(img.dataset.smallestPt),
          calloutPt: img.dataset.calloutPt ? Number(img.dataset.calloutPt) : null, alt: img.alt};
})"""


# Press "Show the diagrams ... now" under the lesson's comparison (true once pressed or already open).
OPEN_COMPARISON = """() => {
  if (document.querySelector('.owui-compare img.owui-lesson-diagram')) return true;
  const held = [...document.querySelectorAll('.owui-after')].find(e => e.innerText.includes('diagrams'));
  const button = held && held.querySelector('.owui-open-now');
  if (button && button.offsetParent) button.click();
  return false;
}"""


def test_lessons_exist_to_measure():
    assert len(LESSONS) >= 4, LESSONS


def test_every_lesson_diagram_is_readable_at_1400x1000(tmp_path):
    for name in LESSONS:
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
    failures = []
    callouts = 0  # the callout bar must have been measured somewhere, or it proves nothing
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1000)) as browser:
        page = browser.new_page()
        for name in LESSONS:
            run_in_jupyterlab(page, lab, name)  # JupyterLab's default layout: file browser open
            # The lesson holds the comparison back until its questions are answered: ask for it now.
            page.wait_for_function(OPEN_COMPARISON, timeout=180_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.owui-compare img.owui-lesson-diagram')]"
                ".filter(i => i.complete && i.naturalWidth > 0).length >= 2", timeout=180_000)
            page.locator(".owui-compare").first.scroll_into_view_if_needed()
            diagrams = page.evaluate(MEASURE)
            viewport = page.viewport_size["width"]
            assert len(diagrams) >= 2, (name, diagrams)
            for d in diagrams:
                assert abs(d["viewBoxWidth"] - d["widthPt"]) < 0.5, (name, d)  # the declared unit is the SVG's
                assert d["left"] >= 0 and d["right"] <= viewport, (name, d)  # nothing cut off
                scale = d["shown"] / d["viewBoxWidth"]
                smallest = d["smallestPt"] * scale
                if smallest < SMALLEST_PX:
                    failures.append(f"{name} {d['alt']}: smallest text {smallest:.1f} px < {SMALLEST_PX}")
                if d["calloutPt"] is not None and d["calloutPt"] * scale < CALLOUT_PX:
                    failures.append(f"{name} {d['alt']}: callout {d['calloutPt'] * scale:.1f} px < {CALLOUT_PX}")
            callouts += sum(1 for d in diagrams if d["calloutPt"])

            # Too narrow for two at full size: stacked, each the whole output's width.
            assert diagrams[1]["top"] > diagrams[0]["top"], f"{name}: the platforms are not stacked"
            for d in diagrams:
                assert d["shown"] >= 0.95 * d["area"], (name, d)
            if name != LESSONS[-1]:
                shut_down_kernels(page, lab)  # the last one's outputs stay for the wide-screen check

        # A screen with room for both side by side (a 2560 px monitor): a click widens one to the row.
        page.set_viewport_size({"width": 2560, "height": 1440})
        page.wait_for_timeout(500)
        first, second = page.evaluate(MEASURE)[:2]
        assert abs(first["top"] - second["top"]) < 2, "side by side on a wide screen"
        picture = page.locator(".owui-compare img.owui-lesson-diagram").first
        picture.click()
        page.wait_for_function("(w) => document.querySelector('.owui-compare img.owui-lesson-diagram')"
                               ".getBoundingClientRect().width > 1.6 * w", arg=first["shown"], timeout=5_000)
        widened = page.evaluate(MEASURE)[0]
        assert widened["shown"] >= 0.95 * widened["area"], widened
        picture.click()
        page.wait_for_function("(w) => document.querySelector('.owui-compare img.owui-lesson-diagram')"
                               ".getBoundingClientRect().width < 1.05 * w", arg=first["shown"], timeout=5_000)
    assert callouts >= 2, "no lesson diagram showed a failing step's callout"
    assert not failures, "\n".join(failures)


NOTEBOOK_WIDTH = "() => [...document.querySelectorAll('.jp-NotebookPanel')].find(e => e.offsetParent).getBoundingClientRect().width"


def test_side_by_side_when_the_notebook_is_wide(tmp_path):
    """Desktop and Linux next to each other when the notebook is at least 1200 px wide, stacked below that.

    One lesson, three screens: 1400x1000 and 1280x720 with the file browser open (JupyterLab's default),
    and 1400x1000 with it closed. Each time the smallest diagram text is measured as shown (the figures the
    issue asked for); stacked, it keeps the 11 px bar of the test above where the notebook leaves room.
    """
    name = "01_ollama_on_host.ipynb"
    shutil.copy(NOTEBOOKS / name, tmp_path / name)
    seen = {}
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1000)) as browser:
        page = browser.new_page()
        run_in_jupyterlab(page, lab, name)
        page.wait_for_function(OPEN_COMPARISON, timeout=180_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.owui-compare img.owui-lesson-diagram')]"
            ".filter(i => i.complete && i.naturalWidth > 0).length >= 2", timeout=180_000)

        def measure(label: str) -> None:
            page.wait_for_timeout(500)
            page.locator(".owui-compare").first.scroll_into_view_if_needed()
            notebook = page.evaluate(NOTEBOOK_WIDTH)
            first, second = page.evaluate(MEASURE)[:2]
            side = abs(first["top"] - second["top"]) < 2
            smallest = min(d["smallestPt"] * d["shown"] / d["viewBoxWidth"] for d in (first, second))
            seen[label] = (round(notebook), side, round(smallest, 1))
            page.screenshot(path=str(artifact_path("lesson_compare_" + label.replace(", ", "_").replace(" ", "_") + ".png")))
            assert side == (notebook >= 1200), f"{label}: notebook {notebook:.0f} px, side by side: {side}"
            for d in (first, second):
                assert d["left"] >= 0 and d["right"] <= page.viewport_size["width"], (label, d)

        measure("1400x1000, file browser open")
        page.keyboard.press("Control+b")  # View → Show Left Sidebar: the file browser closes
        page.wait_for_function(f"() => ({NOTEBOOK_WIDTH})() >= 1200", timeout=10_000)
        measure("1400x1000, file browser closed")
        page.keyboard.press("Control+b")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_function(f"() => ({NOTEBOOK_WIDTH})() < 1200", timeout=10_000)
        measure("1280x720, file browser open")
    print("lesson diagrams (notebook px, side by side, smallest text px):", seen)
    assert seen["1400x1000, file browser closed"][1], seen
    # stacked, the 11 px bar holds on both screens (before the lessons' variant: 11.8 and 10.4 px)
    assert seen["1400x1000, file browser open"][2] >= SMALLEST_PX, seen
    assert seen["1280x720, file browser open"][2] >= SMALLEST_PX, seen
