"""The picture: baselines for every seed, no overlapping labels, the ✗ where the engine fails.

Baselines live in tests/baseline_images/; after an intended change of the picture regenerate them
with ``make baselines`` (``.venv/bin/python -m owui_lab.drawing --regenerate-baselines
tests/baseline_images``), look at them, and commit them. A scenario added to the kit's catalog gets its
baseline drawn on its first run outside CI, and fails until someone has looked at it and committed it.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images

from owui_lab import Config, load_scenario, scenarios
from owui_lab.cli import main as cli_main
from owui_lab.drawing import (
    DPI,
    draw,
    draw_side_by_side,
    fail_point,
    layout,
    NORMAL,
    PROJECTOR,
    new_figure,
    regenerate_baselines,
    render_png,
    text_sizes,
)
from owui_lab.engine import evaluate
from owui_lab.errors import ConfigError, OwuiLabError
from owui_lab.export import save
from owui_lab.graph import FAIL_FRACTION, topology
from owui_lab.palette import PATH
from tests.conftest import live_required
from tests.strategies import configs

BASELINES = Path(__file__).parent / "baseline_images"
SEED_IDS = [s.id for s in scenarios()]
#: The kit's own scenarios (the package's catalog, whatever OWUI_LAB_DATA points at): each has a committed baseline.
KIT_SCENARIOS = {p.name.removesuffix(".yaml") for p in (files("owui_lab") / "data" / "scenarios").iterdir()
                 if p.name.endswith(".yaml")}
# RMS over 0-255 pixel values: a moved or recoloured label fails, antialiasing noise does not.
TOLERANCE = 2.0


@pytest.fixture(scope="module")
def canvas():
    """One figure reused for every drawing, as the explorer reuses it."""
    return new_figure()


def _texts(fig: Figure):
    renderer = fig.canvas.get_renderer()
    return [(t.get_gid(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts if t.get_text()]


def _overlap(a, b, slack: float = 1.0) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


def assert_readable(fig: Figure) -> None:
    """No two text labels overlap, each lies inside the figure, none covers a box it does not label."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _texts(fig)
    assert texts, "nothing was drawn"
    width, height = fig.canvas.get_width_height()
    for gid, box in texts:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, f"{gid} leaves the picture"
    for (gid_a, a), (gid_b, b) in itertools.combinations(texts, 2):
        assert not _overlap(a, b), f"labels overlap: {gid_a} and {gid_b}"
    for ax in fig.axes:
        own = [(t.get_gid(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
        nodes = [p for p in ax.patches if p.get_gid() in ("browser", "open-webui", "ollama")]
        for patch in nodes:
            box = patch.get_window_extent(renderer)
            for gid, text in own:
                if gid.startswith(f"label:{patch.get_gid()}:"):
                    assert box.x0 <= text.x0 and text.x1 <= box.x1, f"{gid} sticks out of its box"
                    assert box.y0 <= text.y0 and text.y1 <= box.y1, f"{gid} sticks out of its box"
                else:
                    assert not _overlap(box, text, slack=2.0), f"{gid} covers the box of {patch.get_gid()}"


# --------------------------------------------------------------------------------------------------
# Every seed against its baseline
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_seed_matches_baseline(scenario_id, tmp_path):
    baseline = BASELINES / f"{scenario_id}.png"
    actual = tmp_path / f"{scenario_id}.png"
    actual.write_bytes(render_png(draw(load_scenario(scenario_id))))
    if not baseline.exists():
        missing_baseline(scenario_id, baseline, actual)
    problem = compare_images(str(baseline), str(actual), tol=TOLERANCE)
    made_with = (BASELINES / "matplotlib-version.txt").read_text(encoding="utf-8").strip()
    assert problem is None, (
        f"{problem}\n(baselines drawn with matplotlib {made_with}, this is {matplotlib.__version__}; "
        "if the picture changed on purpose, run `make baselines`, look at them, and commit)"
    )


def missing_baseline(scenario_id: str, baseline: Path, drawn: Path) -> None:
    """A seed with no baseline: skipped when it is not the kit's own, else drawn (outside CI) and failed.

    A scenario from another catalog (OWUI_LAB_DATA) has no picture anyone looked at, so there is nothing to
    compare with; the other tests here still check its picture. A new scenario of the kit's own needs a person
    to look at its picture once: the first run outside CI draws it where the baseline belongs and says so.
    """
    if scenario_id not in KIT_SCENARIOS:
        pytest.skip(f"{scenario_id} is not in the kit's catalog (OWUI_LAB_DATA={os.environ.get('OWUI_LAB_DATA')}): "
                    "it has no committed baseline to compare with; the overlap and ✗ tests still draw it")
    if not live_required():
        baseline.write_bytes(drawn.read_bytes())
        pytest.fail(f"{scenario_id} is new and had no baseline: its picture is now drawn at {baseline}. Look at it; "
                    "if it is right, commit it (the next run compares against it), else fix the drawing and delete it.")
    pytest.fail(f"no baseline {baseline}: run `make baselines`, look at it, and commit tests/baseline_images")


def test_glyph_cache_draws_what_agg_draws(tmp_path, monkeypatch):
    """The kit's cached text rendering is a speed-up only: Agg's own path gives the same picture."""
    import owui_lab.drawing as drawing

    monkeypatch.setattr(drawing, "_FAST_TEXT", False)
    actual = tmp_path / "linux-ollama-on-host.png"
    actual.write_bytes(render_png(draw(load_scenario("linux-ollama-on-host"))))
    assert compare_images(str(BASELINES / "linux-ollama-on-host.png"), str(actual), tol=TOLERANCE) is None


def test_image_comparison_catches_a_different_picture(tmp_path):
    """The tolerance is tight enough that another verdict on the same boxes fails the comparison."""
    config = load_scenario("linux-ollama-on-host").replace(ollama_bind="0.0.0.0")  # now reachable: green
    actual = tmp_path / "linux-ollama-on-host.png"
    actual.write_bytes(render_png(draw(config)))
    assert compare_images(str(BASELINES / "linux-ollama-on-host.png"), str(actual), tol=TOLERANCE) is not None


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_seed_is_readable(scenario_id, canvas):
    fig, ax = canvas
    draw(load_scenario(scenario_id), ax=ax)
    assert_readable(fig)


#: Too wide for the projector's canvas with full labels: Docker Desktop's host network shared with the Mac/PC.
TOO_WIDE = Config(platform="desktop", ollama="container", ollama_bind="0.0.0.0:11434", ollama_network="host",
                  ollama_publish="loopback", webui_network="other", webui_port=8080,
                  base_url="http://host.docker.internal:11434", desktop_host_networking=True)


def test_a_projector_picture_too_wide_for_its_canvas_prints_short_boundary_labels():
    """The projector's text may not shrink, so a boundary says less ("host network", not "host network
    (shared with Mac/PC)") before the picture outgrows its canvas; the host keeps its engine; NORMAL shrinks."""
    labels = {}
    for sizes in (NORMAL, PROJECTOR):
        fig, ax = new_figure(sizes.canvas_w)
        draw(TOO_WIDE, ax=ax, sizes=sizes)
        assert_readable(fig)
        labels[sizes] = {t.get_gid(): t.get_text() for t in ax.texts}
        if sizes is PROJECTOR:  # 13.2 pt with the long label (15.1 design inches wide)
            assert min(size for _, size in text_sizes(fig)) >= 15
    assert labels[NORMAL]["label:network:host"] == "host network (shared with Mac/PC)"
    assert labels[PROJECTOR]["label:network:host"] == "host network"
    assert labels[PROJECTOR]["label:host"] == labels[NORMAL]["label:host"] == \
        "Host machine · macOS / Windows (Docker Desktop)"


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_the_projector_variant_of_each_seed_is_readable_and_large(scenario_id):
    """The stage's picture: nothing overlaps, fewer words, and every text at least 15 pt on its canvas."""
    fig, ax = new_figure(PROJECTOR.canvas_w)
    draw(load_scenario(scenario_id), ax=ax, sizes=PROJECTOR)
    assert_readable(fig)
    sizes = dict(text_sizes(fig))
    assert min(sizes.values()) >= 15, sorted(sizes.items(), key=lambda kv: kv[1])[:3]
    assert "footer:verdict" not in sizes  # the stage prints the steps itself, in large type
    node_text = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label:ollama:")]
    assert not any(t in ("container", "native process") or t.startswith("listens ") for t in node_text), node_text


@settings(max_examples=150, deadline=None)
@given(configs())
def test_every_reachable_configuration_is_readable(config):
    fig, ax = _shared_canvas()
    draw(config, ax=ax)
    assert_readable(fig)


_CANVAS: list = []


def _shared_canvas():
    # Hypothesis tests cannot take function-scoped fixtures; one figure for all examples.
    if not _CANVAS:
        _CANVAS.append(new_figure())
    return _CANVAS[0]


# --------------------------------------------------------------------------------------------------
# The Ollama edge: colour and ✗ exactly where the engine's first failing step is
# --------------------------------------------------------------------------------------------------


def _artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid}, found {len(found)}"
    return found[0]


def check_verdict_marks(config: Config, fig: Figure, ax) -> None:
    verdict = evaluate(config)
    g = topology(config, verdict)
    lay = layout(g)
    edge = _artist(ax, "edge:open-webui->ollama")
    look = PATH[verdict.reachable]
    assert edge.get_edgecolor()[:3] == pytest.approx(_rgb(look.colour))
    # Never colour alone: solid when it works, dashed when it fails, and the URL carries ✓ or ✗.
    assert (edge.get_linestyle() not in ("-", "solid")) is look.dashed
    assert _artist(ax, "url:open-webui->ollama").get_text().endswith(look.mark)
    marks = [t for t in ax.texts if t.get_gid() == "mark:open-webui->ollama"]
    if verdict.reachable:
        assert not marks
        return
    (mark,) = marks
    assert mark.get_text() == "✗"
    step = verdict.failing_step.name
    where = {"resolve": "source", "route": "middle", "listen": "target", "answer": "target"}[step]
    x, y = mark.get_position()
    assert (x, y) == pytest.approx(fail_point(lay, ("open-webui", "ollama"), FAIL_FRACTION[where]))
    webui_right, ollama_left = lay.rects["open-webui"].x1, lay.rects["ollama"].x0
    assert webui_right < x < ollama_left
    to_webui, to_ollama = x - webui_right, ollama_left - x
    if where == "source":  # resolving happens inside Open WebUI: the ✗ sits at its side
        assert to_webui < to_ollama
    elif where == "target":  # nothing listens at Ollama's side
        assert to_ollama < to_webui
    else:
        assert to_webui == pytest.approx(to_ollama)
    reason = _artist(ax, "reason:open-webui->ollama").get_text().replace("\n", " ")
    assert reason.startswith(f"✗ {step}:")


def _rgb(hex_color: str) -> tuple[float, float, float]:
    return tuple(int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_seed_marks_the_failing_step(scenario_id, canvas):
    fig, ax = canvas
    config = load_scenario(scenario_id)
    draw(config, ax=ax)
    check_verdict_marks(config, fig, ax)


@settings(max_examples=150, deadline=None)
@given(configs())
def test_failing_step_is_marked_where_the_engine_fails(config):
    fig, ax = _shared_canvas()
    draw(config, ax=ax)
    check_verdict_marks(config, fig, ax)


@pytest.mark.parametrize(
    "config, step",
    [
        (Config(platform="linux", ollama="host", base_url="http://10.0.0.5:11434"), "route"),
        (load_scenario("linux-separate-networks"), "resolve"),
        (load_scenario("linux-ollama-on-host"), "listen"),
    ],
)
def test_each_step_puts_the_mark_in_its_place(config, step, canvas):
    fig, ax = canvas
    assert evaluate(config).failing_step.name == step
    draw(config, ax=ax)
    check_verdict_marks(config, fig, ax)


def test_browser_edge_and_ports_are_drawn(canvas):
    fig, ax = canvas
    draw(load_scenario("desktop-host-network"), ax=ax)
    assert _artist(ax, "mark:browser->open-webui").get_text() == "✗"
    assert "http://localhost:8080" in _artist(ax, "url:browser->open-webui").get_text()
    assert not [t for t in ax.texts if t.get_gid() == "label:port:open-webui"]  # -p is discarded
    draw(load_scenario("linux-separate-networks").replace(ollama_publish="loopback"), ax=ax)
    assert _artist(ax, "label:port:open-webui").get_text() == "3000→8080"
    assert _artist(ax, "label:port:ollama").get_text() == "127.0.0.1:11434→11434\nloopback only"
    assert "✓" in _artist(ax, "url:browser->open-webui").get_text()
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    assert labels["label:host"].startswith("Host machine · Linux")
    assert labels["label:network:webui-net"] == "network 'webui-net'"
    assert labels["label:network:ollama-net"] == "network 'ollama-net'"


# --------------------------------------------------------------------------------------------------
# Redrawing, side by side, files
# --------------------------------------------------------------------------------------------------


def test_redraw_leaves_nothing_behind(canvas):
    fig, ax = canvas
    fresh = render_png(draw(load_scenario("linux-compose")))
    draw(load_scenario("desktop-host-network"), ax=ax)
    draw(load_scenario("linux-compose"), ax=ax)
    assert render_png(fig) == fresh


def test_redraw_after_someone_cleared_the_axes():
    fig, ax = new_figure()
    draw(load_scenario("linux-compose"), ax=ax)
    ax.clear()
    draw(load_scenario("linux-compose"), ax=ax)
    assert render_png(fig) == render_png(draw(load_scenario("linux-compose")))


def test_draw_returns_a_figure_at_the_kits_resolution():
    fig = draw(load_scenario("linux-compose"))
    assert isinstance(fig, Figure) and fig.dpi == DPI
    from PIL import Image

    with Image.open(io.BytesIO(render_png(fig))) as image:
        assert image.size == (1040, 415) and image.mode == "RGB"
    with Image.open(io.BytesIO(render_png(fig, dpi=40))) as image:
        assert image.size == (520, 207)


def test_a_notebook_shows_the_picture():
    from IPython.core.formatters import PNGFormatter  # the formatter a notebook uses, without a shell

    png = PNGFormatter()(draw(load_scenario("linux-compose")))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_draw_takes_a_scenario_id_or_a_scenario():
    expected = render_png(draw(load_scenario("linux-compose")))
    assert render_png(draw("linux-compose")) == expected
    assert render_png(draw(next(s for s in scenarios() if s.id == "linux-compose"))) == expected
    with pytest.raises(ConfigError, match="pass an owui_lab.Config"):
        draw({"platform": "linux"})
    with pytest.raises(OwuiLabError, match="no scenario 'nope'"):
        draw("nope")


def test_draw_fits_any_axes():
    """Drawn into a small axes of someone else's figure, the picture shrinks as a whole."""
    fig = Figure(figsize=(8, 8), dpi=72)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    ax = fig.add_subplot(2, 1, 1)
    draw(load_scenario("desktop-separate-networks"), ax=ax)
    assert_readable(fig)


def test_side_by_side_draws_both_platforms():
    config = load_scenario("desktop-host-network").replace(desktop_host_networking=True)
    fig = draw_side_by_side(config)
    left, right = fig.axes
    labels = [{t.get_gid(): t.get_text() for t in ax.texts}["label:host"] for ax in (left, right)]
    assert "Linux" in labels[0] and "Docker Desktop" in labels[1]
    assert_readable(fig)
    # Redrawn into the same figure.
    assert draw_side_by_side(load_scenario("linux-compose"), fig) is fig
    stacked = draw_side_by_side(config, stacked=True)
    assert stacked.get_size_inches()[1] > stacked.get_size_inches()[0] / 2


@pytest.mark.parametrize("ext, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".mmd", b"C4Context")])
def test_save_by_extension(tmp_path, ext, magic):
    path = save(load_scenario("linux-ollama-on-host"), tmp_path / f"diagram{ext.upper()}")
    assert path.read_bytes().startswith(magic)


def test_png_file_is_twice_as_sharp(tmp_path):
    from PIL import Image

    path = save(load_scenario("linux-compose"), tmp_path / "d.png")
    with Image.open(path) as image:
        assert image.size == (2 * 1040, 2 * 415)


def test_svg_is_deterministic(tmp_path):
    a = save(load_scenario("linux-compose"), tmp_path / "a.svg").read_bytes()
    b = save(load_scenario("linux-compose"), tmp_path / "b.svg").read_bytes()
    assert a == b


def test_save_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(ConfigError, match=r"'\.jpg'.*\.png.*\.svg.*\.mmd"):
        save(load_scenario("linux-compose"), tmp_path / "diagram.jpg")
    assert not (tmp_path / "diagram.jpg").exists()


def test_save_explains_an_unwritable_path(tmp_path):
    with pytest.raises(OwuiLabError, match="Cannot write"):
        save(load_scenario("linux-compose"), tmp_path / "missing" / "diagram.png")
    with pytest.raises(ConfigError, match="Mermaid"):
        save(load_scenario("linux-compose"), tmp_path / "x.mmd", side_by_side=True)


def test_regenerate_baselines_writes_every_seed(tmp_path):
    written = regenerate_baselines(tmp_path)
    assert sorted(p.stem for p in written) == sorted(SEED_IDS)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)


# --------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------


def test_cli_draw_writes_each_format(tmp_path, capsys):
    for ext in (".png", ".svg", ".mmd"):
        out = tmp_path / f"d{ext}"
        assert cli_main(["draw", "--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0", "-o", str(out)]) == 0
        assert out.stat().st_size > 100
    captured = capsys.readouterr()
    assert captured.out.split() == [str(tmp_path / f"d{ext}") for ext in (".png", ".svg", ".mmd")]
    assert captured.err == ""
    text = (tmp_path / "d.mmd").read_text(encoding="utf-8")
    assert "listening on 0.0.0.0:11434" in text and "✓" in text
    assert text.splitlines()[1] == "title Ollama on the host (Docker Engine), changed"
    assert cli_main(["draw", "--scenario", "linux-compose", "-o", str(tmp_path / "c.mmd")]) == 0
    assert (tmp_path / "c.mmd").read_text(encoding="utf-8").splitlines()[1] == "title A Compose stack (Docker Engine)"
    out = tmp_path / "sbs.png"
    assert cli_main(["draw", "--scenario", "linux-compose", "--side-by-side", "-o", str(out)]) == 0
    assert out.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-o", "diagram.gif"], "extension '.gif'"),
        (["-o", "diagram"], "extension '(none)'"),
        (["-o", "/nonexistent-owui-lab-dir/diagram.png"], "Cannot write the diagram"),
        (["--scenario", "nope", "-o", "d.png"], "no scenario 'nope'"),
        ([], "required"),
    ],
)
def test_cli_draw_errors_are_one_paragraph(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli_main(["draw", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_engine_and_cli_stay_light():
    """``import owui_lab`` and building the CLI (draw registered) load neither matplotlib nor networkx."""
    code = (
        "import sys, owui_lab, owui_lab.cli as cli; cli.build_parser(); "
        "heavy = [m for m in ('matplotlib', 'networkx') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_owui_lab_draw_stays_callable():
    import owui_lab

    config = load_scenario("linux-compose")
    first = owui_lab.draw(config)
    assert isinstance(owui_lab.draw(config), Figure) and isinstance(first, Figure)
    assert owui_lab.topology(config).number_of_nodes() == topology(config).number_of_nodes()


# Free text the explorer accepts: container and network names, OLLAMA_HOST and OLLAMA_BASE_URL.
_NAMES = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,38}", fullmatch=True)


@st.composite
def free_text_configs(draw_value):
    base = draw_value(configs())
    name = draw_value(_NAMES)
    knobs = {"base_url": f"http://{draw_value(st.one_of(_NAMES, st.just(name)))}:{draw_value(st.integers(1, 65535))}",
             "ollama_bind": draw_value(st.sampled_from([None, "0.0.0.0", "http://0.0.0.0", "[::1]:11434", "10.1.2.3"]))}
    if base.ollama_in_container:
        knobs["ollama_name"] = name
        knobs["ollama_network"] = draw_value(st.one_of(st.sampled_from(["bridge", "host"]), _NAMES))
    knobs["webui_network"] = draw_value(st.one_of(st.sampled_from(["bridge", "host"]), _NAMES))
    try:
        return base.replace(**knobs)
    except ConfigError:
        return base


@settings(max_examples=80, deadline=None)
@given(free_text_configs())
def test_long_names_and_urls_stay_readable(config):
    """Long names shrink the picture as a whole (or are shortened); labels still never overlap."""
    fig, ax = _shared_canvas()
    draw(config, ax=ax)
    assert_readable(fig)
    check_verdict_marks(config, fig, ax)


@pytest.mark.parametrize("scenario", [s.id for s in scenarios()])
def test_the_print_card_says_names_path_and_url_only(scenario):
    """drawing.CARD: box names, ports, ✓/✗ and Ollama's URL; no sublabel, address, callout, legend or footer."""
    from owui_lab.drawing import CARD, design_size, draw, layout, new_figure

    config = load_scenario(scenario)
    fig, ax = new_figure(*design_size(CARD))
    draw(config, ax=ax, sizes=CARD)
    texts = {str(t.get_gid()): t.get_text() for t in ax.texts}
    kinds = {gid.split(":")[0] for gid in texts}
    assert kinds <= {"label", "url", "mark"}, kinds
    assert texts["url:open-webui->ollama"].startswith(config.base_url)
    for node in ("browser", "open-webui", "ollama"):
        assert [gid for gid in texts if gid.startswith(f"label:{node}:")] == [f"label:{node}:0"]
    # Every seed fits the card's canvas: the variant's sizes are the sizes printed (no scaling down).
    lay = layout(topology(config), CARD)
    assert (lay.width, lay.height - lay.bottom) == pytest.approx(design_size(CARD))
    assert min(size for _, size in text_sizes(fig)) >= min(CARD.boundary, CARD.port, CARD.edge) - 0.01


@pytest.mark.parametrize("scenario_id", [i for i in SEED_IDS if load_scenario(i).ollama == "host"])
def test_a_native_ollama_is_a_double_outline_never_dashed(scenario_id, canvas):
    """Dashes mean a failing path (with its ✗): a host process's box has a solid second outline instead."""
    fig, ax = canvas
    draw(load_scenario(scenario_id), ax=ax)
    boxes = {p.get_gid(): p for p in ax.patches}
    assert boxes["ollama"].get_linestyle() in ("-", "solid")
    inner = boxes["ollama:native"]
    assert inner.get_linestyle() in ("-", "solid")
    outer, within = boxes["ollama"].get_window_extent(), inner.get_window_extent()
    assert outer.x0 < within.x0 < within.x1 < outer.x1 and outer.y0 < within.y0 < within.y1 < outer.y1
