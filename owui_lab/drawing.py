"""Draw a configuration: nested boxes, published ports, and the path Open WebUI takes to Ollama.

The picture is computed, not sprung: ``layout`` places every box from the nesting of the topology
graph (``graph.py``) on a fixed canvas of ``DESIGN_W`` x ``DESIGN_H`` inches, left to right in the
order a request flows (browser → Open WebUI → Ollama), so the same knobs always give the same
picture and a widget toggle moves nothing that did not change. Sizes of text are measured with the
font the picture uses (DejaVu Sans, which ships with matplotlib), so boxes fit their labels and no two
labels overlap.

``draw(config, ax=ax)`` clears and redraws an existing axes (fast: reuse one figure for every toggle);
``render_png(fig)`` gives the PNG bytes. Only this module and ``graph.py`` import matplotlib and
networkx; the engine never does.

Regenerate the image tests' baselines with::

    .venv/bin/python -m owui_lab.drawing --regenerate-baselines tests/baseline_images

The size variants (``NORMAL``, ``LESSON``, ``PROJECTOR``, ``CARD``) are ``drawing_sizes.py``'s, named here too.
Why it is still longer than the house's ~500 lines: layout, text measurement and painting share one set of
geometry constants and one Agg glyph cache (whose switch the image tests flip here), so they stay together.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.transforms import IdentityTransform, TransformedPath
from PIL import Image

from .config import Config
from .engine import Verdict
from .catalog import as_config, scenarios
# The size variants live in drawing_sizes; callers name them through here too (drawing.PROJECTOR, drawing.CARD).
from .drawing_sizes import CARD, DESIGN_W, LESSON, NORMAL, PROJECTOR, Sizes  # noqa: F401
from .graph import BROWSER, HOST_ID, OLLAMA, WEBUI, chain, topology
from .palette import BOXES, MUTED, PAPER, PATH, TEXT

# DejaVu Sans as shipped inside matplotlib, by file: a system copy of the same family (Debian's
# fonts-dejavu) may be another version with other metrics, and the image tests compare pixels.
FONT_FILES = {
    False: str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")),
    True: str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")),
}
DPI = 80  # PNG resolution: 1040 x 415 px, sharp on a projector and cheap to encode
FILE_DPI = 2 * DPI  # a PNG file (``save``, ``owui-lab draw -o x.png``) is for slides: twice as sharp

#: The failing path's dashes (in line widths): long enough to read as a line, gaps plain at a glance.
FAIL_DASHES = (0, (3, 1.6))
#: A native (host) process's box has a second, inner outline this far in (inches): its own shape, not dashes.
NATIVE_INSET = 0.07


# Geometry (inches).
PAD = 0.25  # inside a boundary, left and right of its content
PAD_PORT = 0.75  # left pad of the network whose left edge carries Open WebUI's published port
LABEL_BAND = 0.45  # the strip at the top of a boundary that holds its label
PAD_V = 0.35  # below a boundary's content
NODE_H = 1.15
NODE_PAD_X = 0.18
GAP_BROWSER = 0.9
GAP_API = 1.2
MARGIN = 0.1
# Vertical bands, bottom up: the verdict line, the two lanes for failure reasons, the row of nodes
# with up to three boundaries around it (host, VM, network), each with a label band on top.
FOOT_Y = 0.3
HOST_BOTTOM = 0.55
LANE_BROWSER_TOP = 1.12  # why the browser cannot reach Open WebUI (top of the text)
LANE_API_TOP = 1.68  # why Open WebUI cannot reach Ollama
ROW_Y = LANE_API_TOP + 0.12 + 2 * PAD_V + NODE_H / 2  # centre line of every node
HOST_TOP = ROW_Y + NODE_H / 2 + 3 * LABEL_BAND + 0.08
DESIGN_H = math.ceil((HOST_TOP + MARGIN) * DPI) / DPI  # a whole number of pixels
# Sparse (``Sizes.sparse``): nodes one name high, no callout lanes; under the row, room for two nested
# boundaries and the URL (0.6 in at 22.5 pt), over it the three label bands.
SPARSE_NODE_H = 0.7
SPARSE_HOST_BOTTOM = ROW_Y - SPARSE_NODE_H / 2 - 2 * PAD_V - 0.1
SPARSE_HOST_TOP = ROW_Y + SPARSE_NODE_H / 2 + 3 * LABEL_BAND + 0.08


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in design inches."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Layout:
    """Where everything goes, in design inches (``width`` x ``height``)."""

    width: float
    height: float
    bottom: float = 0.0  # the lowest visible height (above 0 when ``Sizes.sparse`` cuts the empty lanes off)
    rects: dict[str, Rect] = field(default_factory=dict)  # boundaries and nodes
    ports: dict[str, tuple[float, float]] = field(default_factory=dict)  # centre of each port marker
    segments: dict[tuple[str, str], tuple[tuple[float, float], tuple[float, float]]] = field(
        default_factory=dict
    )  # the visible part of the http and api edges, start → end


# --------------------------------------------------------------------------------------------------
# Text measurement (cached: the same few strings come back on every redraw)
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def font(size: float, bold: bool = False) -> FontProperties:
    """The picture's font (DejaVu Sans from matplotlib's own files) at ``size`` points."""
    return FontProperties(fname=FONT_FILES[bold], size=size)


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of one line of ``text`` in the picture's font."""
    prop = font(size, bold)
    widths = [text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n")]
    return max(widths) / 72.0


def _line_h(size: float) -> float:
    return size * 1.25 / 72.0


def _wrap(text: str, width_in: float, size: float, max_lines: int = 3) -> str:
    """Wrap ``text`` to lines no wider than ``width_in`` inches (measured, not guessed)."""
    chars = max(12, int(len(text) * width_in / max(text_width(text, size), 1e-6)))
    while chars > 12:
        lines = textwrap.wrap(text, chars, break_on_hyphens=False)
        if all(text_width(line, size) <= width_in for line in lines):
            break
        chars -= 2
    lines = textwrap.wrap(text, chars, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


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
# Layout: positions from the nesting, left to right in the order a request flows
# --------------------------------------------------------------------------------------------------


def _node_lines(d: dict[str, Any], sz: Sizes = NORMAL) -> list[tuple[str, float, bool]]:
    lines = [(d["label"], sz.title, True)]
    if sz.sparse:
        return lines
    if sz.details:
        lines.append((d.get("sublabel", ""), sz.sub, False))
    if d.get("listen"):  # the projector keeps the address alone ("127.0.0.1:11434"): the box says who
        lines.append((d["listen"] if sz.details else d["listen"].removeprefix("listens "), sz.sub, False))
    return [line for line in lines if line[0]]


def _node_width(d: dict[str, Any], sz: Sizes = NORMAL) -> float:
    return max(text_width(t, s, b) for t, s, b in _node_lines(d, sz)) + 2 * NODE_PAD_X


def _children(g: Any, boundary: str) -> list[str]:
    kids = [n for n in g.successors(boundary) if g.edges[boundary, n]["kind"] == "contains"
            and g.nodes[n]["kind"] != "port"]

    def key(n: str) -> int:
        if n == BROWSER:
            return 0
        members = [n] if g.nodes[n]["kind"] != "boundary" else [m for m in (WEBUI, OLLAMA) if n in chain(g, m)]
        return 1 if WEBUI in members else 2

    return sorted(kids, key=key)


def _contains(g: Any, n: str, member: str) -> bool:
    return n == member or (g.nodes[n]["kind"] == "boundary" and n in chain(g, member))


def layout(g: Any, sz: Sizes = NORMAL) -> Layout:
    """Place every boundary, node, port marker and edge of a topology graph.

    Horizontal: each boundary packs its members left to right (the browser, then Open WebUI's side,
    then Ollama's), with room between them for the edge labels; a boundary is at least as wide as its
    label. Vertical: every node sits on one row; each boundary adds a label band above its content
    and a margin below it. When the packed width exceeds the canvas, the layout grows and the drawing
    scales everything (fonts included) down together, so nothing overlaps.

    Args:
        g: a graph from ``topology()``.
        sz: the font sizes and the canvas (``NORMAL`` or ``PROJECTOR``).

    Returns:
        The layout in design inches.
    """
    api = g.edges[WEBUI, OLLAMA]
    http = g.edges[BROWSER, WEBUI]
    port_box = g.nodes["port:open-webui"]["boundary"] if g.has_node("port:open-webui") else None
    api_label_w = text_width(api["url"] + " ✓", sz.edge) + 0.5
    http_label_w = text_width(http["url"] + " ✓", sz.edge) + 0.4
    pad_port = PAD_PORT
    if sz.sparse:  # the URL goes under the boxes (``_Painter._edge_label``): the gaps hold the marks only
        api_label_w = http_label_w = text_width("✓", sz.mark) + 0.6
        if port_box:  # the port's label, centred on its network's edge, clears the box and the mark
            half = text_width(g.nodes["port:open-webui"]["label"], sz.port, True) / 2 + 0.2
            pad_port, http_label_w = max(PAD_PORT, half), http_label_w + half
    extra = {"browser": 0.0, "api": 0.0}

    def pack(extra: dict[str, float]) -> tuple[dict[str, tuple[float, float]], float]:
        xs: dict[str, tuple[float, float]] = {}

        def place(n: str, x: float) -> float:
            d = g.nodes[n]
            if d["kind"] != "boundary":
                w = _node_width(d, sz)
                xs[n] = (x, x + w)
                return x + w
            start = x
            x += pad_port if n == port_box else PAD
            kids = _children(g, n)
            for i, kid in enumerate(kids):
                if i:
                    prev = kids[i - 1]
                    if _contains(g, prev, BROWSER):
                        x += GAP_BROWSER + extra["browser"]
                    elif _contains(g, prev, WEBUI) and _contains(g, kid, OLLAMA):
                        x += GAP_API + extra["api"]
                    else:
                        x += GAP_API
                x = place(kid, x)
            x += PAD
            label_w = text_width(d["label"], sz.boundary, d["subkind"] == "host") + 2 * 0.15
            x = max(x, start + label_w)
            xs[n] = (start, x)
            return x

        right = place(HOST_ID, MARGIN)
        return xs, right + MARGIN

    xs, total = pack(extra)
    # Make room for the edge labels between the boxes they connect.
    extra["api"] = max(0.0, api_label_w - (xs[OLLAMA][0] - xs[WEBUI][1]))
    extra["browser"] = max(0.0, http_label_w - (xs[WEBUI][0] - xs[BROWSER][1]))
    xs, total = pack(extra)
    # Spread what is left of the canvas over the two gaps, so the picture fills it.
    spare = sz.canvas_w - total
    if spare > 0:
        extra["browser"] += spare * 0.35
        extra["api"] += spare * 0.65
        xs, total = pack(extra)
    width = max(sz.canvas_w, total)

    node_h = SPARSE_NODE_H if sz.sparse else NODE_H
    node_top, node_bottom = ROW_Y + node_h / 2, ROW_Y - node_h / 2
    host_bottom, host_top = (SPARSE_HOST_BOTTOM, SPARSE_HOST_TOP) if sz.sparse else (HOST_BOTTOM, HOST_TOP)
    if sz.sparse:
        out = Layout(width=width, height=host_top + MARGIN, bottom=host_bottom - MARGIN)
    else:
        out = Layout(width=width, height=DESIGN_H)

    def vertical(n: str) -> tuple[float, float]:
        d = g.nodes[n]
        if d["kind"] != "boundary":
            return node_bottom, node_top
        if n == HOST_ID:
            return host_bottom, host_top
        spans = [vertical(k) for k in _children(g, n)]
        return min(s[0] for s in spans) - PAD_V, max(s[1] for s in spans) + LABEL_BAND

    for n, (x0, x1) in xs.items():
        y0, y1 = vertical(n)
        out.rects[n] = Rect(x0, y0, x1, y1)
    if port_box:
        out.ports["port:open-webui"] = (out.rects[port_box].x0, ROW_Y)
    if g.has_node("port:ollama"):
        box = out.rects[g.nodes["port:ollama"]["boundary"]]
        out.ports["port:ollama"] = (out.rects[OLLAMA].cx, box.y0)
    out.segments[(BROWSER, WEBUI)] = ((out.rects[BROWSER].x1, ROW_Y), (out.rects[WEBUI].x0, ROW_Y))
    out.segments[(WEBUI, OLLAMA)] = ((out.rects[WEBUI].x1, ROW_Y), (out.rects[OLLAMA].x0, ROW_Y))
    return out


def design_size(sz: Sizes = NORMAL) -> tuple[float, float]:
    """The canvas of a variant, (width, height) in design inches: what to give its axes, aspect kept."""
    if sz.sparse:
        return sz.canvas_w, SPARSE_HOST_TOP - SPARSE_HOST_BOTTOM + 2 * MARGIN
    return sz.canvas_w, DESIGN_H


def fail_point(lay: Layout, edge: tuple[str, str], fraction: float) -> tuple[float, float]:
    """The point ``fraction`` of the way along an edge's visible segment."""
    (x0, y0), (x1, y1) = lay.segments[edge]
    return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction


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
        self.text(r.x0 + 0.15, r.y1 - LABEL_BAND / 2, d["label"], self.sz.boundary, f"label:{n}",
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
        lines = _node_lines(d, self.sz)
        heights = [_line_h(size) for _, size, _ in lines]
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
            text = _wrap(prefix + reason, width, self.sz.reason, max_lines=2)
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
        label = f"{e['url']} {look.mark}"
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
