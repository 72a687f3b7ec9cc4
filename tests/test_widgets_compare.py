"""The lessons' comparison and its diagrams, without a browser (the browser test measures them shown)."""

from __future__ import annotations

import base64
import re

import pytest

import owui_lab
from owui_lab import drawing
from owui_lab.widgets.base import diagram_html, lesson_diagram
from owui_lab.widgets.compare import compare_html


@pytest.mark.parametrize("sid", [s.id for s in owui_lab.scenarios()])
def test_a_lesson_diagram_knows_its_text_sizes(sid):
    config = owui_lab.load_scenario(sid)
    d = lesson_diagram(config)
    fig, ax = drawing.new_figure(drawing.LESSON.canvas_w)
    sizes = drawing.text_sizes(drawing.draw(config, ax=ax, sizes=drawing.LESSON))  # the lessons' variant
    assert d.smallest_pt == min(size for _, size in sizes) >= 12.5
    failing = not owui_lab.predict(config).reachable or not owui_lab.predict(config).browser.reachable
    assert (d.callout_pt is not None) == failing
    assert d.svg.startswith(b"<?xml") and b"<text" not in d.svg  # text as paths: no font needed
    view_box = re.search(rb'viewBox="([^"]+)"', d.svg).group(1).split()
    assert float(view_box[2]) == pytest.approx(d.width_pt)


def test_the_diagram_img_carries_what_the_browser_test_needs():
    config = owui_lab.load_scenario("linux-ollama-on-host")
    markup = diagram_html(config, alt="Linux")
    d = lesson_diagram(config)
    assert f'data-smallest-pt="{d.smallest_pt:g}"' in markup and f'data-callout-pt="{d.callout_pt}"' in markup
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', markup).group(1)
    assert base64.b64decode(src) == d.svg
    assert 'class="owui-zoom-toggle"' in markup and 'alt="Linux: Open WebUI → Ollama fails at step listen' in markup


def test_the_comparison_has_a_panel_per_platform_with_its_verdict():
    desktop = owui_lab.load_scenario("desktop-ollama-on-host")
    linux = owui_lab.load_scenario("linux-ollama-on-host")
    markup, verdicts = compare_html(desktop, linux)
    assert verdicts == (owui_lab.predict(desktop), owui_lab.predict(linux))
    assert markup.count('class="owui-compare-panel"') == 2 and markup.count("owui-lesson-diagram") == 2
    assert markup.index("Docker Desktop") < markup.index("Linux</h4>")
    assert 'data-outcome="ok"' in markup and 'data-outcome="connection_refused"' in markup


def test_a_drawing_failure_leaves_a_note_and_the_verdict(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("layout bug")

    lesson_diagram.cache_clear()
    monkeypatch.setattr(drawing, "draw", broken)
    try:
        markup, _ = compare_html(owui_lab.load_scenario("linux-compose"), owui_lab.load_scenario("desktop-compose"))
    finally:
        lesson_diagram.cache_clear()
    assert "owui-diagram-missing" in markup and "layout bug" in markup and "owui-verdict" in markup
