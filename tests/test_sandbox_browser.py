"""The sandbox on a laptop: at 1400x1000 in JupyterLab (file browser open) the headline, the diagram and
every knob are on screen at once ("More knobs", closed, with them; opened, its knobs are readable in their
column), and the commands, the live run and the Linux ⇄ Desktop tabs come below.
At 1280x720 (file browser closed, and under Voila) and at 1920x1080 the same three share one screen: on a
short screen the knobs go beside the picture, which gives up width (its text is then smaller than 11 px:
the figures are in the test's screenshots and in issue 22's note).

Geometry only, from the browser's own bounding boxes, with the explorer scrolled to the top of the
notebook as a learner scrolls to it. The explorer's text is never below 11 px either.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from owui_lab import Config, drawing
from owui_lab.knobs import KNOBS
from owui_lab.widgets.explorer import MORE_TITLE
from bench.servers import artifact_path, chromium, jupyter_lab, voila
from tests.widgets_support import run_in_jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SANDBOX = Path(__file__).resolve().parents[1] / "notebooks" / "06_sandbox.ipynb"
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}

BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
                                                                   right: r.right, width: r.width}; };
  const app = document.querySelector('.owui-explorer');
  const shown = (e) => e.offsetParent !== null && getComputedStyle(e).display !== 'none';
  const knobs = [...app.querySelectorAll('[class*="owui-knob-"]')].filter(shown)
      .map(e => { const field = e.querySelector('input, select'); const label = e.querySelector('.widget-label');
                  return {name: [...e.classList].find(c => c.startsWith('owui-knob-')), ...box(e),
                          column: box(e.parentElement), field: field ? box(field) : null,
                          labelCut: !!label && label.offsetParent !== null && label.scrollWidth > label.clientWidth + 1,
                          more: !!e.closest('.owui-more-knobs')}; });
  const panel = document.querySelector('.jp-NotebookPanel-notebook, .jp-Notebook');
  const sizes = [...app.querySelectorAll('*')].filter(e => shown(e) && e.childNodes.length &&
      [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
      .map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim().slice(0, 40)]);
  return {knobs, headline: box(app.querySelector('.owui-verdict-headline')),
          diagram: box(app.querySelector('img.owui-diagram, .owui-diagram img')),
          tabs: box(app.querySelector('.widget-tab, .jupyter-widget-tab, .lm-TabBar')),
          more: box(app.querySelector('.owui-more-knobs')),
          area: panel ? box(panel) : null, viewport: {width: innerWidth, height: innerHeight}, sizes};
}"""


def inside(box: dict, area: dict) -> bool:
    return box["top"] >= area["top"] - 1 and box["bottom"] <= area["bottom"] + 1 and \
        box["left"] >= area["left"] - 1 and box["right"] <= area["right"] + 1


def test_knobs_diagram_and_headline_share_one_screen(tmp_path):
    shutil.copy(SANDBOX, tmp_path / SANDBOX.name)
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1000)) as browser:
        page = browser.new_page()
        run_in_jupyterlab(page, lab, SANDBOX.name)  # JupyterLab's default layout: file browser open
        page.wait_for_function("() => { const i = document.querySelector('.owui-explorer img.owui-diagram');"
                               " return i && i.complete && i.naturalWidth > 0; }", timeout=90_000)
        for preset in (None, "desktop-host-network"):  # a Docker Desktop preset shows one knob more
            if preset:
                page.locator(f".owui-preset-{preset}").first.click()
                page.wait_for_function("() => document.querySelector('.owui-knob-desktop-host-networking') &&"
                                       " document.querySelector('.owui-knob-desktop-host-networking').offsetParent", timeout=20_000)
            page.locator(".owui-explorer").first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            geometry = page.evaluate(BOXES)
            page.screenshot(path=str(artifact_path(f"sandbox_1400x1000_{preset or 'start'}.png")))
            area = {**geometry["area"], "top": max(geometry["area"]["top"], 0),
                    "bottom": min(geometry["area"]["bottom"], geometry["viewport"]["height"])}
            outside = [k["name"] for k in geometry["knobs"] if not inside(k, area)]
            assert len(geometry["knobs"]) >= 10, geometry["knobs"]
            assert not outside, f"{preset}: knobs off screen: {outside}"
            assert inside(geometry["headline"], area), (preset, geometry["headline"])
            assert inside(geometry["diagram"], area), (preset, geometry["diagram"])
            # the diagram is not shrunk to a thumbnail to make room: its smallest text stays >= 11 px
            smallest_pt = min(size for _, size in drawing.text_sizes(drawing.draw(Config())))
            assert smallest_pt / 72 * geometry["diagram"]["width"] / drawing.DESIGN_W >= 11, geometry["diagram"]
            assert geometry["tabs"]["top"] >= max(k["bottom"] for k in geometry["knobs"]) - 1  # tabs below
            small = [(size, text) for size, text in geometry["sizes"] if size < 11]
            assert not small, small

        # "More knobs" opens in place: every knob without a group, labelled, as wide as its column, readable
        page.locator(".owui-more-knobs").get_by_text(MORE_TITLE).first.click()
        page.wait_for_function("() => document.querySelector('.owui-knob-stored-url') &&"
                               " document.querySelector('.owui-knob-stored-url').offsetParent", timeout=20_000)
        page.locator(".owui-more-knobs").first.evaluate("e => e.scrollIntoView({block: 'end'})")
        page.wait_for_timeout(300)
        geometry = page.evaluate(BOXES)
        page.screenshot(path=str(artifact_path("sandbox_1400x1000_more_knobs.png")))
        shown = {k["name"] for k in geometry["knobs"]}
        on_desktop = {f"owui-knob-{k.name.replace('_', '-')}" for k in KNOBS
                      if not k.group and "desktop" in k.platforms}
        assert on_desktop <= shown, shown  # the Docker Desktop preset is showing: Linux's own knobs are hidden
        assert all(k["right"] <= geometry["area"]["right"] + 1 for k in geometry["knobs"]), geometry["knobs"]
        # each field whole inside its own column (the column clips: a 2 px overflow cut the fields' right edges)
        cut = [k["name"] for k in geometry["knobs"] if k["right"] > k["column"]["right"] + 0.5 or
               (k["field"] and k["field"]["right"] > k["column"]["right"] + 0.5)]
        assert not cut, cut
        assert not [k["name"] for k in geometry["knobs"] if k["labelCut"]]  # no label cut short
        # the long-labelled fields of "More knobs" have their label above, and start on one line
        lefts = {round(k["field"]["left"]) for k in geometry["knobs"] if k["more"] and k["field"] and
                 k["field"]["width"] > 200}
        assert len(lefts) == 1, [(k["name"], k["field"]) for k in geometry["knobs"] if k["more"]]
        assert not [(size, text) for size, text in geometry["sizes"] if size < 11]
        page.locator(".owui-more-knobs").get_by_text(MORE_TITLE).first.click()  # closed again, as a learner finds it

        # A 1280x720 laptop and a 1920x1080 screen, the file browser closed (JupyterLab's Ctrl+B).
        page.keyboard.press("Control+b")
        page.wait_for_function("() => !document.querySelector('.jp-FileBrowser') ||"
                               " !document.querySelector('.jp-FileBrowser').offsetParent", timeout=20_000)
        for width, height in ((1280, 720), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(800)
            assert_one_screen(page, f"jupyterlab_{width}x{height}")


def assert_one_screen(page, name: str) -> dict:
    """Scroll the explorer to the top of its view; its headline, diagram and every knob are then in view."""
    page.locator(".owui-explorer").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    geometry = page.evaluate(BOXES)
    page.screenshot(path=str(artifact_path(f"sandbox_{name}.png")))
    view = geometry["viewport"]
    area = geometry["area"] or {"top": 0, "bottom": view["height"], "left": 0, "right": view["width"]}
    area = {**area, "top": max(area["top"], 0), "bottom": min(area["bottom"], view["height"])}
    outside = [k["name"] for k in geometry["knobs"] if not inside(k, area)]
    assert len(geometry["knobs"]) >= 10, geometry["knobs"]
    assert not outside, f"{name}: knobs off screen: {outside} (view {area['top']:.0f}..{area['bottom']:.0f})"
    assert inside(geometry["headline"], area), (name, geometry["headline"])
    assert inside(geometry["diagram"], area), (name, geometry["diagram"])
    assert inside(geometry["more"], area), (name, geometry["more"])  # the rarer knobs are one click away
    assert geometry["diagram"]["width"] >= 600, f"{name}: the diagram shrank to {geometry['diagram']['width']} px"
    return geometry


def test_it_fits_1280x720_under_voila(tmp_path):
    with voila(SANDBOX, timeout=120, env=NO_DAEMON) as server, chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
        page = browser.new_page()
        page.goto(server.url(), wait_until="domcontentloaded")
        page.wait_for_function("() => { const i = document.querySelector('.owui-explorer img.owui-diagram');"
                               " return i && i.complete && i.naturalWidth > 0; }", timeout=120_000)
        assert_one_screen(page, "voila_1280x720")
        page.locator(".owui-preset-desktop-host-network").first.click()  # one knob more on Docker Desktop
        page.wait_for_function("() => document.querySelector('.owui-knob-desktop-host-networking') &&"
                               " document.querySelector('.owui-knob-desktop-host-networking').offsetParent", timeout=20_000)
        assert_one_screen(page, "voila_1280x720_desktop")
