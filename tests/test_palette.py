"""The one palette: colours named only in ``palette.py``, works/fails apart for colour-blind eyes, never colour alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb

from owui_lab import palette
from owui_lab.catalog import scenarios
from owui_lab.drawing import draw, new_figure, render_png
from owui_lab.palette import PATH

PACKAGE = Path(palette.__file__).parent
# A CSS/matplotlib hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) not glued to a word (open-webui#1234,
# &#160;). Only string literals are read, docstrings left out: "issue #2176" in prose is not a colour.
HEX = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![\w-])")
#: The three dichromacies (Machado, Oliveira & Fernandes 2009, as colorspacious models them; severity
#: 100 is the full -anopia, the hardest case of each).
CVD = ("deuteranomaly", "protanomaly", "tritanomaly")
#: The smallest distance (CAM02-UCS ΔE) works and fails must keep under each simulation.
MIN_DELTA_E = 15.0


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module, without its docstrings (prose: "open-webui #1295" is an issue)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_hex_colour_outside_the_palette():
    """Every colour the kit shows comes from ``palette.py``: a hex colour anywhere else in the package fails."""
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {m.group(0)}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.name != "palette.py" and "__pycache__" not in path.parts
        for line, text in _strings(path) for m in HEX.finditer(text)
    ]
    assert not found, "colours named outside palette.py (add a meaning there and use it):\n" + "\n".join(found)


def test_the_hex_check_sees_colours_and_not_issue_numbers():
    assert HEX.findall("color:#1e8449;border:1px solid #ccd; background: #fff}") == ["#1e8449", "#ccd", "#fff"]
    assert not HEX.findall("open-webui#2176, &#160; #questions button, #add-host")


def _simulate(colour: str, cvd: str) -> np.ndarray:
    rgb = np.array(to_rgb(colour))
    return np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)


@pytest.mark.parametrize("cvd", CVD)
@pytest.mark.parametrize("which", ["colour", "ink"])
def test_works_and_fails_stay_apart_under_colour_blindness(cvd, which):
    """Under each dichromacy, works and fails stay at least ``MIN_DELTA_E`` apart (CAM02-UCS ΔE).

    Why 15: in CAM02-UCS a ΔE of about 1 is a just-noticeable difference between two large patches
    side by side, but the kit's paths are thin lines (3 px) seen apart, often on a washed-out
    projector, and the difference needed to tell small marks apart grows several-fold as they shrink
    (Stone, Szafir & Setlur 2014, "An engineering model for color difference as a function of size";
    Szafir 2018, "Modeling color difference for visualization design"). The kit's old pair (#1a9850 /
    #d73027) measured 10.8 under deuteranopia, and a learner reported it as "the same olive" (issue 22):
    below what works. The Okabe–Ito pair measures 20.0 or more under all three (the ink shades 17.4 or
    more), so 15 keeps a margin over what was seen to fail without asking for the impossible (no
    green/red-like pair keeps 30 under protanopia).
    """
    works, fails = getattr(PATH[True], which), getattr(PATH[False], which)
    distance = deltaE(_simulate(works, cvd), _simulate(fails, cvd))
    assert distance >= MIN_DELTA_E, f"{which} pair {works}/{fails} only {distance:.1f} apart under {cvd}"


def test_the_old_pair_fails_the_threshold():
    """The threshold tells apart what learners could not: the old green/red is below it."""
    assert deltaE(_simulate("#1a9850", "deuteranomaly"), _simulate("#d73027", "deuteranomaly")) < MIN_DELTA_E


def _relative_luminance(colour: str) -> float:
    c = np.array(to_rgb(colour))
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("name", ["WORKS_INK", "FAILS_INK", "WARNING_INK", "MUTED", "TEXT", "INFO"])
def test_text_colours_read_on_white_and_on_their_backgrounds(name):
    """Text colours reach WCAG AA (4.5:1) on white and on the verdict backgrounds."""
    colour = getattr(palette, name)
    for background in (palette.PAPER, palette.PANEL_BG, palette.WORKS_BG, palette.FAILS_BG, palette.WARNING_BG):
        assert _contrast(colour, background) >= 4.5, (name, background)


def test_a_box_label_reads_on_its_own_fill():
    """Each box's label is drawn in its edge colour on its fill: readable (4.5:1)."""
    for kind, box in palette.BOXES.items():
        if kind != "port":  # the port's label is text colour on the yellow
            assert _contrast(box.edge, box.fill) >= 4.5, kind
    assert _contrast(palette.TEXT, palette.BOXES["port"].fill) >= 4.5


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
def test_every_seed_diagram_shows_its_paths_by_shape_and_mark(scenario):
    """Each seed diagram, rendered: each path solid with ✓ or dashed with ✗; the legend shows both shapes."""
    fig, ax = new_figure()
    draw(scenario.config, ax=ax)
    render_png(fig)  # the real rendering, as a learner sees it
    by_gid = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
    for edge in ("browser->open-webui", "open-webui->ollama"):
        line, url = by_gid[f"edge:{edge}"], by_gid[f"url:{edge}"].get_text()
        works = url.endswith("✓")
        assert url.endswith(PATH[works].mark)
        assert (line.get_linestyle() not in ("-", "solid")) is (not works), edge
        assert np.allclose(line.get_edgecolor()[:3], to_rgb(PATH[works].colour))
        if not works:
            assert by_gid[f"mark:{edge}"].get_text() == "✗"
    for works in (True, False):
        look = PATH[works]
        key, mark = by_gid[f"legend-key:{look.word}"], by_gid[f"legend-mark:{look.word}"]
        assert mark.get_text() == look.mark
        assert (key.get_linestyle() not in ("-", "solid")) is look.dashed
        assert by_gid[f"legend:{look.word}"].get_text() == look.word


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
@pytest.mark.parametrize("cvd", CVD)
def test_every_seed_diagram_keeps_its_paths_apart_when_simulated(scenario, cvd):
    """The rendered pixels of the two legend keys, simulated, stay ``MIN_DELTA_E`` apart in every seed."""
    from io import BytesIO

    from PIL import Image

    fig, ax = new_figure()
    draw(scenario.config, ax=ax)
    image = np.asarray(Image.open(BytesIO(render_png(fig))).convert("RGB")) / 255
    renderer = fig.canvas.get_renderer()
    height = image.shape[0]

    def key_colour(word: str) -> np.ndarray:
        box = [a for a in ax.lines if a.get_gid() == f"legend-key:{word}"][0].get_window_extent(renderer)
        y = int(height - (box.y0 + box.y1) / 2)
        row = image[y, int(box.x0) + 1:int(box.x1) - 1]
        # the key's most saturated pixel: the line's own colour (a dashed key has white gaps)
        return row[np.argmax(row.max(axis=1) - row.min(axis=1))]

    works, fails = key_colour(PATH[True].word), key_colour(PATH[False].word)
    simulated = [np.clip(cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
                 for c in (works, fails)]
    assert deltaE(*simulated) >= MIN_DELTA_E
