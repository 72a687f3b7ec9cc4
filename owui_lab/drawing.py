"""Draw a configuration: nested boxes, published ports, and the path Open WebUI takes to Ollama.

The picture is computed, not sprung: ``layout`` places every box from the nesting of the topology
graph (``graph.py``) on a fixed canvas of ``DESIGN_W`` x ``DESIGN_H`` inches, left to right in the
order a request flows (browser → Open WebUI → Ollama), so the same knobs always give the same
picture and a widget toggle moves nothing that did not change. Sizes of text are measured with the
font the picture uses (DejaVu Sans, which ships with matplotlib), so boxes fit their labels and no two
labels overlap.

``draw(config, ax=ax)`` clears and redraws an existing axes (fast: reuse one figure for every toggle);
``render_png(fig)`` gives the PNG bytes. Only the pictures' floor imports matplotlib and networkx; the
engine never does.

Regenerate the image tests' baselines with::

    .venv/bin/python -m owui_lab.drawing --regenerate-baselines tests/baseline_images

Three rooms on this floor: ``drawing_sizes.py`` (the size variants ``NORMAL``, ``LESSON``, ``PROJECTOR``,
``CARD``), ``drawing_layout.py`` (geometry, text measurement, ``layout``) and this one (painting, the fast
Agg canvas, rendering and files); callers name all of it through ``drawing``.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform, TransformedPath
from PIL import Image

from .config import Config
from .engine import Verdict
from .catalog import as_config, scenarios
# The size variants live in drawing_sizes; callers name them through here too (drawing.PROJECTOR, drawing.CARD).
from .drawing_sizes import CARD, DESIGN_W, LESSON, NORMAL, PROJECTOR, Sizes  # noqa: F401
from .drawing_layout import (  # noqa: F401 (layout, design_size, text_width: named through drawing too)
    DESIGN_H, DPI, FOOT_Y, LABEL_BAND, LANE_API_TOP, LANE_BROWSER_TOP, MARGIN, Layout, Rect, design_size, edge_url, fail_point,
    font, layout, line_height, node_lines, text_width, wrap_lines,
)
from .graph import BROWSER, HOST_ID, OLLAMA, WEBUI, topology
from .palette import BOXES, MUTED, PAPER, PATH, TEXT

FILE_DPI = 2 * DPI  # a PNG file (``save``, ``owui-lab draw -o x.png``) is for slides: twice as sharp

#: The failing path's dashes (in line widths): long enough to read as a line, gaps plain at a glance.
FAIL_DASHES = (0, (3, 1.6))
#: A native (host) process's box has a second, inner outline this far in (inches): its own shape, not dashes.
NATIVE_INSET = 0.07


# --------------------------------------------------------------------------------------------------
# A faster Agg canvas for redraws: glyph bitmaps and text layouts are cached
# --------------------------------------------------------------------------------------------------

_GLYPHS: dict[tuple[Any, ...], tuple[Any, int, int]] = {}
_LAYOUTS: dict[tuple[Any, ...], list[tuple[Any, int, float, float]]] = {}
_IDENTITY = np.array([[0x10000, 0], [0, 0x10000]])
_CACHE_MAX = 20000  # entries; a glyph bitmap is a few hundred bytes
_SUBPIXEL = 8  # glyph positions are kept to 1/8 pixel: the picture matches Agg's own rendering
_FAST_TEXT = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")  # matplotlib >= 3.11's per-glyph path


class _CachingRenderer(RendererAgg):
    """Agg with a cache of rendered glyphs, for horizontal antialiased text.

    Since matplotlib 3.11, Agg renders every glyph of every label with FreeType on every draw, which
    is most of the time of a redraw (the same few hundred glyphs each time). This renderer keeps
    each glyph's bitmap, keyed by font, size and its position modulo a pixel (quantised to an eighth of
    a pixel, invisible at the picture's size), and each string's layout. Anything else (rotated or
    math text, or a matplotlib without these internals) takes Agg's own path.
    """

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        global _FAST_TEXT
        plain = _FAST_TEXT and not ismath and not angle and gc.get_antialiased()
        if plain and mtext is not None:  # font features and languages need Agg's own layout
            plain = not mtext.get_fontfeatures() and not mtext.get_language()
        if not plain:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        try:
            self._draw_cached(gc, x, y, s, prop)
        except (AttributeError, TypeError, ImportError):
            # These are matplotlib's internals (3.11); should another version change them, draw
            # as Agg does, only slower, from now on.
            _FAST_TEXT = False
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    def _draw_cached(self, gc: Any, x: float, y: float, s: str, prop: Any) -> None:
        from matplotlib.ft2font import RenderMode

        if len(_GLYPHS) > _CACHE_MAX or len(_LAYOUTS) > _CACHE_MAX:
            _GLYPHS.clear()  # free text (names, URLs) at many scales must not grow memory forever
            _LAYOUTS.clear()
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        key = (s, hash(prop), self.dpi, flags)
        items = _LAYOUTS.get(key)
        if items is None:
            ft = self._prepare_font(prop)
            items = [(it.ft_object, it.glyph_index, it.x, it.y) for it in ft._layout(s, flags=flags)]
            _LAYOUTS[key] = items
        height = self.height
        for ft, glyph, dx, dy in items:
            px, py = x + dx, height - y + dy  # FreeType's y is upwards
            ix, iy = math.floor(px), math.floor(py)
            fx, fy = round((px - ix) * _SUBPIXEL), round((py - iy) * _SUBPIXEL)
            gkey = (ft.fname, size, self.dpi, glyph, fx, fy, flags)
            hit = _GLYPHS.get(gkey)
            if hit is None:
                ft.set_size(size, self.dpi)
                ft._set_transform(_IDENTITY, [fx * 64 // _SUBPIXEL, fy * 64 // _SUBPIXEL])
                bitmap = ft._render_glyph(glyph, flags, RenderMode.NORMAL)
                hit = (np.array(bitmap.buffer), bitmap.left, bitmap.top)
                _GLYPHS[gkey] = hit
            buffer, left, top = hit
            self._renderer.draw_text_image(buffer, ix + left, int(height) - (iy + top) + buffer.shape[0], 0, gc)


class _CachingCanvas(FigureCanvasAgg):
    """The Agg canvas with ``_CachingRenderer``."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _CachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


# --------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------


class Picture(Figure):
    """A matplotlib figure that a notebook shows as the PNG of ``render_png``.

    The kit builds figures without pyplot (no global state, nothing left open), so a notebook's
    inline backend may not know them: ``_repr_png_`` makes ``owui_lab.draw(config)`` as the last line
    of a cell show the picture.
    """

    def _repr_png_(self) -> bytes:
        return render_png(self)


def new_figure(width: float = DESIGN_W, height: float = DESIGN_H) -> tuple[Figure, Any]:
    """A figure with one full-size, axis-free axes, on the Agg canvas (no pyplot, no global state)."""
    fig = Picture(figsize=(width, height), dpi=DPI)
    _CachingCanvas(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    return fig, ax


def draw(config: Config | str, ax: Any = None, *, verdict: Verdict | None = None, sizes: Sizes = NORMAL) -> Figure:
    """Draw one configuration, with Open WebUI → Ollama coloured by the engine's verdict.

    Args:
        config: the deployment (or a seed scenario's id, e.g. "linux-compose").
        ax: an axes to clear and draw into (reuse one for fast redraws); a new figure when None.
        verdict: the engine's verdict, when the caller already has it.
        sizes: ``NORMAL``, or ``PROJECTOR`` for the stage (draw into ``new_figure(PROJECTOR.canvas_w)``).

    Returns:
        The matplotlib figure (``render_png(fig)`` gives PNG bytes).
    """
    if ax is None:
        fig, ax = new_figure(sizes.canvas_w)
    fig = ax.figure
    g = topology(config, verdict)
    lay = layout(g, sizes)
    ours = getattr(ax, "_owui_lab_artists", None)
    if ours is not None and all(a.axes is ax for a in ours):
        # Removing what we drew is much cheaper than ax.clear(), which rebuilds ticks and spines.
        for artist in ours:
            artist.remove()
    else:  # a new axes, or one someone cleared since our last drawing
        ax.clear()
        ax.set_axis_off()
    ax._owui_lab_artists = []
    # One design inch is ``scale`` real inches in both directions, the picture centred in the axes.
    bbox = ax.get_position()
    fw, fh = fig.get_size_inches()
    ax_w, ax_h = bbox.width * fw, bbox.height * fh
    scale = min(ax_w / lay.width, ax_h / (lay.height - lay.bottom))
    span_x, span_y = ax_w / scale, ax_h / scale
    ax.set_xlim((lay.width - span_x) / 2, (lay.width + span_x) / 2)
    ax.set_ylim((lay.bottom + lay.height - span_y) / 2, (lay.bottom + lay.height + span_y) / 2)
    _Painter(ax, g, lay, scale, sizes).paint()
    ax._owui_lab_artists = list(ax.patches) + list(ax.texts) + list(ax.lines)
    return fig


class _Painter:
    """Adds the artists of one picture to an axes (sizes in points scaled by ``scale``)."""

    def __init__(self, ax: Any, g: Any, lay: Layout, scale: float, sz: Sizes = NORMAL) -> None:
        self.ax, self.g, self.lay, self.s, self.sz = ax, g, lay, scale, sz
        self.no_clip = TransformedPath(MplPath(np.zeros((1, 2))), IdentityTransform())

    def add(self, artist: Any) -> Any:
        """Add an artist without updating data limits (they are fixed; the update is slow).

        Nothing is clipped (the layout keeps everything inside); a clip path set beforehand
        spares ``add_artist`` building one per artist.
        """
        artist.set_clip_on(False)
        artist.set_clip_path(self.no_clip)
        return self.ax.add_artist(artist)

    def line(self, xs: list[float], ys: list[float], **kw: Any) -> Any:
        return self.add(Line2D(xs, ys, **kw))

    def text(self, x: float, y: float, s: str, size: float, gid: str, **kw: Any) -> Any:
        kw.setdefault("color", TEXT)
        bold = kw.pop("bold", False)
        return self.add(Text(x, y, s, fontproperties=font(round(size * self.s, 2), bold), gid=gid,
                             antialiased=True, **kw))

    def paint(self) -> None:
        g, lay = self.g, self.lay
        for n in _by_level(g):
            self.boundary(n, lay.rects[n], g.nodes[n])
        for n in (BROWSER, WEBUI, OLLAMA):
            self.node(n, lay.rects[n], g.nodes[n])
        self.edge(BROWSER, WEBUI, lane_top=LANE_BROWSER_TOP)
        self.edge(WEBUI, OLLAMA, lane_top=LANE_API_TOP)
        for p, (x, y) in lay.ports.items():
            self.port(p, x, y, g.nodes[p])
        self.footer()

    def boundary(self, n: str, r: Rect, d: dict[str, Any]) -> None:
        face, edge = BOXES[d["subkind"]].fill, BOXES[d["subkind"]].edge
        self.add(
            FancyBboxPatch((r.x0, r.y0), r.width, r.y1 - r.y0, boxstyle="round,pad=0,rounding_size=0.08",
                           facecolor=face, edgecolor=edge, linewidth=1.6 * self.s, zorder=d["level"], gid=n)
        )
        label = d["short"] if self.lay.short_labels else d["label"]
        self.text(r.x0 + 0.15, r.y1 - LABEL_BAND / 2, label, self.sz.boundary, f"label:{n}",
                  va="center", ha="left", color=edge, bold=d["subkind"] == "host",
                  zorder=d["level"] + 0.5)

    def node(self, n: str, r: Rect, d: dict[str, Any]) -> None:
        face, edge = BOXES[d["kind"]].fill, BOXES[d["kind"]].edge
        style = "round,pad=0,rounding_size=0.12"
        self.add(
            FancyBboxPatch((r.x0, r.y0), r.width, r.y1 - r.y0, boxstyle=style, facecolor=face, edgecolor=edge,
                           linewidth=2.2 * self.s, zorder=10, gid=n)
        )
        if d["kind"] == "process":
            # A native process: a double outline, solid (dashes belong to the failing path, with its ✗).
            inset = NATIVE_INSET
            self.add(FancyBboxPatch((r.x0 + inset, r.y0 + inset), r.width - 2 * inset, r.y1 - r.y0 - 2 * inset,
                                    boxstyle="round,pad=0,rounding_size=0.08", facecolor="none", edgecolor=edge,
                                    linewidth=1.2 * self.s, zorder=10, gid=f"{n}:native"))
        lines = node_lines(d, self.sz)
        heights = [line_height(size) for _, size, _ in lines]
        y = r.cy + sum(heights) / 2
        for i, ((line, size, bold), h) in enumerate(zip(lines, heights)):
            self.text(r.cx, y - h / 2, line, size, f"label:{n}:{i}", ha="center", va="center",
                      bold=bold, zorder=11)
            y -= h

    def port(self, p: str, x: float, y: float, d: dict[str, Any]) -> None:
        face, edge = BOXES["port"].fill, BOXES["port"].edge
        label = d["label"] + ("\nloopback only" if d["loopback_only"] and not self.sz.sparse else "")
        self.text(x, y, label, self.sz.port, f"label:{p}", ha="center", va="center", zorder=14,
                  linespacing=1.1, bold=True,
                  bbox=dict(boxstyle="round,pad=0.25", facecolor=face, edgecolor=edge, linewidth=1.4 * self.s))

    def edge(self, a: str, b: str, lane_top: float) -> None:
        e = self.g.edges[a, b]
        (x0, y0), (x1, y1) = self.lay.segments[(a, b)]
        ok = e["reachable"]
        look = PATH[ok]
        color, ink = look.colour, look.ink
        lw = 3.2 * self.s
        gid = f"edge:{a}->{b}"
        if ok:
            self._arrow((x0, y0), (x1, y1), color, lw, "-", gid)
        else:
            # Dashed up to the failing step (the shape says "fails" without the colour), then faint.
            fx, fy = fail_point(self.lay, (a, b), _fraction(e))
            self._arrow((x0, y0), (fx, fy), color, lw, FAIL_DASHES, gid, head=False)
            self._arrow((fx, fy), (x1, y1), color, lw * 0.6, (0, (1, 2)), gid + ":after", alpha=0.45)
            self.text(fx, fy, look.mark, self.sz.mark, f"mark:{a}->{b}", ha="center", va="center", color=ink,
                      bold=True, zorder=16,
                      bbox=dict(boxstyle="circle,pad=0.12", facecolor=PAPER, edgecolor=color,
                                linewidth=1.6 * self.s))
            if self.sz.sparse:  # the card says why in words, at body size
                return self._edge_label(a, b, e, look, (x0, y0), (x1, y1))
            step = e["failing_step"]
            reason = e["short_reason"]
            prefix = f"✗ {step}: " if a == WEBUI else "✗ "
            host = self.lay.rects[HOST_ID]
            width = min(7.5, host.width - 0.4)
            text = wrap_lines(prefix + reason, width, self.sz.reason, max_lines=2)
            w = text_width(text, self.sz.reason)
            cx = min(max(fx, host.x0 + 0.2 + w / 2), host.x1 - 0.2 - w / 2)
            self.line([fx, fx], [fy - 0.25, lane_top + 0.05], color=color, linewidth=1.2 * self.s,
                         linestyle=":", zorder=13, gid=gid + ":leader")
            self.text(cx, lane_top, text, self.sz.reason, f"reason:{a}->{b}", ha="center", va="top", color=ink,
                      zorder=15, linespacing=1.15,
                      bbox=dict(boxstyle="round,pad=0.2", facecolor=PAPER, edgecolor=color, linewidth=1.0 * self.s))
        self._edge_label(a, b, e, look, (x0, y0), (x1, y1))

    def _edge_label(self, a: str, b: str, e: dict[str, Any], look: Any, p0: tuple[float, float],
                    p1: tuple[float, float]) -> None:
        """The edge's URL and mark above its path (sparse: the mark above it, Ollama's URL under the boxes)."""
        (x0, y0), (x1, _) = p0, p1
        ok = e["reachable"]
        ink = look.ink
        label = f"{edge_url(e['url'], self.lay.bare_urls)} {look.mark}"
        if self.sz.sparse:
            if ok:  # the browser's ✓ just after the browser, clear of the published port's label
                mx = x0 + 0.3 if a == BROWSER else (x0 + x1) / 2
                self.text(mx, y0 + 0.12, look.mark, self.sz.mark, f"mark:{a}->{b}", ha="center",
                          va="bottom", color=ink, bold=True, zorder=15)
            if a == WEBUI:  # the browser's URL is the card's when it fails; Ollama's is the one to get right
                host = self.lay.rects[HOST_ID]
                w = text_width(label, self.sz.edge)
                cx = min(max((x0 + x1) / 2, host.x0 + 0.1 + w / 2), host.x1 - 0.1 - w / 2)
                self.text(cx, self.lay.rects[WEBUI].y0 - 0.12, label, self.sz.edge, f"url:{a}->{b}", ha="center", va="top",
                          color=ink, zorder=15,
                          bbox=dict(boxstyle="round,pad=0.12", facecolor=PAPER, edgecolor="none", alpha=0.9))
            return
        cx = (x0 + x1) / 2
        if not ok:
            # Over the longer side of the ✗ when the label fits there, so the two stay apart.
            fx, _ = fail_point(self.lay, (a, b), _fraction(e))
            side = (x0, fx) if fx - x0 >= x1 - fx else (fx, x1)
            if side[1] - side[0] >= text_width(label, self.sz.edge) + 0.25:
                cx = (side[0] + side[1]) / 2
        self.text(cx, y0 + 0.28, label, self.sz.edge, f"url:{a}->{b}", ha="center", va="bottom",
                  color=ink, zorder=15,
                  bbox=dict(boxstyle="round,pad=0.12", facecolor=PAPER, edgecolor="none", alpha=0.85))

    def _arrow(self, p0: tuple[float, float], p1: tuple[float, float], color: str, lw: float, ls: Any, gid: str,
               head: bool = True, alpha: float = 1.0) -> None:
        self.add(
            FancyArrowPatch(p0, p1, arrowstyle="-|>" if head else "-", mutation_scale=22 * self.s, color=color,
                            linewidth=lw, linestyle=ls, zorder=12, gid=gid, alpha=alpha, shrinkA=0, shrinkB=0)
        )

    def footer(self) -> None:
        g = self.g
        api, http = g.edges[WEBUI, OLLAMA], g.edges[BROWSER, WEBUI]
        # The engine's steps in order, as the transcript prints them: the eye finds the ✗.
        steps = " → ".join(f"{name} {PATH[ok].mark}" for name, ok in api["steps"])
        outcome = "reachable" if api["reachable"] else api["verdict"].replace("_", " ")
        left = f"Open WebUI → Ollama: {steps}: {outcome}"
        left += "      Browser → Open WebUI: " + PATH[http["reachable"]].mark
        if self.sz.sparse:  # the card's frame and words say works/fails, with ✓/✗ beside its title
            return
        if self.sz.details:
            self.text(MARGIN + 0.05, FOOT_Y, left, self.sz.foot + 1, "footer:verdict", ha="left", va="center",
                      bold=True)
        self.legend()

    def legend(self) -> None:
        """Works and fails each as its line, its mark and its word; then the published port.

        Drawn by hand in the host box's label band, right-aligned (the host label is left-aligned in
        the same band): a fixed place, no search for a free spot.
        """
        host = self.lay.rects[HOST_ID]
        x, y = host.x1 - 0.2, host.y1 - LABEL_BAND / 2
        port = BOXES["port"]
        for key in ("port", False, True):  # right to left
            label = "published port" if key == "port" else PATH[key].word
            x -= text_width(label, self.sz.foot)
            self.text(x, y, label, self.sz.foot, f"legend:{label}", ha="left", va="center", color=MUTED)
            x -= 0.1
            if key == "port":
                self.add(FancyBboxPatch((x - 0.34, y - 0.1), 0.34, 0.2, boxstyle="round,pad=0",
                                        facecolor=port.fill, edgecolor=port.edge,
                                        linewidth=1.2 * self.s, gid=f"legend-key:{label}"))
                x -= 0.34
            else:
                look = PATH[key]
                x -= 0.14
                self.text(x, y, look.mark, self.sz.foot + 3, f"legend-mark:{label}", ha="center", va="center",
                          color=look.ink, bold=True)
                x -= 0.2
                self.line([x - 0.5, x], [y, y], color=look.colour, linewidth=3 * self.s,
                          linestyle=FAIL_DASHES if look.dashed else "-", gid=f"legend-key:{label}")
                x -= 0.5
            x -= 0.3


def _fraction(e: dict[str, Any]) -> float:
    from .graph import FAIL_FRACTION

    return e.get("fail_fraction") or FAIL_FRACTION[e["fail_at"]]


def _by_level(g: Any) -> list[str]:
    from .graph import boundaries

    return boundaries(g)


# --------------------------------------------------------------------------------------------------
# Side by side, rendering and files
# --------------------------------------------------------------------------------------------------


def on_platform(config: Config, platform: str) -> Config:
    """The same configuration on another platform (knobs that no longer apply are dropped)."""
    if config.platform == platform:
        return config
    return Config.from_knobs({"platform": platform}, config.to_dict())


def draw_side_by_side(config: Config | str, fig: Figure | None = None, *, stacked: bool = False) -> Figure:
    """Draw the same configuration on Linux (left) and on Docker Desktop (right).

    Args:
        config: the deployment (or a seed scenario's id); its platform knob is overridden on each side.
        fig: a figure with two axes to redraw into (from an earlier call), or None for a new one.
        stacked: Linux above Docker Desktop instead of side by side (better in a narrow notebook).

    Returns:
        The figure.
    """
    if fig is None or len(fig.axes) != 2:
        size = (DESIGN_W, 2 * DESIGN_H) if stacked else (2 * DESIGN_W, DESIGN_H)
        fig = Picture(figsize=size, dpi=DPI)
        _CachingCanvas(fig)
        if stacked:
            fig.add_axes((0, 0.5, 1, 0.5))
            fig.add_axes((0, 0, 1, 0.5))
        else:
            fig.add_axes((0, 0, 0.5, 1))
            fig.add_axes((0.5, 0, 0.5, 1))
    config = as_config(config)
    draw(on_platform(config, "linux"), ax=fig.axes[0])
    draw(on_platform(config, "desktop"), ax=fig.axes[1])
    return fig


def render_png(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes (Agg; a fast zlib setting, since widgets redraw often).

    Args:
        fig: a figure from ``draw``.
        dpi: the resolution; the figure's own (``DPI``) when None.
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        if (dpi is None or dpi == fig.dpi) and isinstance(fig.canvas, FigureCanvasAgg):
            # Straight from Agg's buffer, without savefig's bookkeeping, as RGB (the picture is
            # opaque): a quarter less to compress, on every widget toggle.
            fig.canvas.draw()
            Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB").save(
                buf, format="png", compress_level=1)
        else:
            fig.savefig(buf, format="png", dpi=dpi or fig.dpi, metadata={"Software": None},
                        pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def render_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes: text as paths (the same picture without DejaVu Sans), stable ids, no date.

    Crisp at any zoom and on high-density screens; the lessons' comparison shows its diagrams this way.
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def text_sizes(fig: Figure) -> list[tuple[str, float]]:
    """Every text the picture shows, as (gid, size in points); ``reason:...`` is a failing step's callout.

    At a displayed width of ``w`` CSS px, a text of ``size`` points is ``size * w / (fig_width_in * 72)``
    px tall (its em box): what the readability tests check in the browser.
    """
    return [(str(t.get_gid()), float(t.get_fontsize())) for ax in fig.axes for t in ax.texts if t.get_visible()]


_RC = {
    "text.hinting": "default",  # read when the text is rendered: pinned so every PNG is the same
    "svg.fonttype": "path",  # text as paths: the SVG looks the same without DejaVu Sans installed
    "svg.hashsalt": "owui-lab",  # stable ids, so an unchanged picture gives an unchanged file
    "path.simplify": True,
}


def picture_bytes(config: Config | str, ext: str, *, side_by_side: bool = False) -> bytes:
    """The picture of a configuration as a ``.png`` (for slides: ``FILE_DPI``) or ``.svg`` file's bytes."""
    fig = draw_side_by_side(config) if side_by_side else draw(config)
    if ext == ".png":
        return render_png(fig, dpi=FILE_DPI)
    return render_svg(fig)


def regenerate_baselines(folder: str | Path) -> list[Path]:
    """Write the PNG of each seed scenario to ``folder/<id>.png`` (the image tests' baselines).

    Also writes ``folder/matplotlib-version.txt``, the version that rendered them.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for s in scenarios():
        target = out / f"{s.id}.png"
        target.write_bytes(render_png(draw(s.config)))
        written.append(target)
    # Glyph rendering may change between matplotlib (FreeType) versions: say which one drew these.
    (out / "matplotlib-version.txt").write_text(matplotlib.__version__ + "\n", encoding="utf-8")
    return written


def _main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m owui_lab.drawing", description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate-baselines", metavar="DIR", required=True,
                        help="write every seed scenario's PNG into DIR (tests/baseline_images)")
    args = parser.parse_args(argv)
    for path in regenerate_baselines(args.regenerate_baselines):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
