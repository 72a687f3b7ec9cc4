"""Where everything of a picture goes: the geometry, text measured in its font, and ``layout``.

``layout(g, sizes)`` places every boundary, node, port marker and edge of a topology graph
(``graph.py``) in design inches, left to right in the order a request flows (browser → Open WebUI →
Ollama), on a canvas of ``DESIGN_W`` x ``DESIGN_H`` (a size variant of ``drawing_sizes`` may change its
width). Text is measured with the font the picture uses (DejaVu Sans, from matplotlib's own files), so
boxes fit their labels and no two labels overlap. ``drawing.py`` paints what this places; callers name
these through ``drawing`` (``drawing.layout``, ``drawing.design_size``, ``drawing.text_width``).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from .drawing_sizes import NORMAL, Sizes
from .graph import BROWSER, HOST_ID, OLLAMA, WEBUI, chain

# DejaVu Sans as shipped inside matplotlib, by file: a system copy of the same family (Debian's
# fonts-dejavu) may be another version with other metrics, and the image tests compare pixels.
FONT_FILES = {
    False: str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")),
    True: str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")),
}

DPI = 80  # PNG resolution: 1040 x 415 px, sharp on a projector and cheap to encode

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
    #: Boundaries print their ``short`` labels: the full ones would have made the picture wider than its
    #: canvas, and this variant's text may not shrink (``Sizes.details`` off: the projector, the card).
    short_labels: bool = False
    #: Edge URLs print without their ``http://`` (``edge_url``): the short labels were not enough.
    bare_urls: bool = False
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


def line_height(size: float) -> float:
    return size * 1.25 / 72.0


def wrap_lines(text: str, width_in: float, size: float, max_lines: int = 3) -> str:
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
# Layout: positions from the nesting, left to right in the order a request flows
# --------------------------------------------------------------------------------------------------


def node_lines(d: dict[str, Any], sz: Sizes = NORMAL) -> list[tuple[str, float, bool]]:
    lines = [(d["label"], sz.title, True)]
    if sz.sparse:
        return lines
    if sz.details:
        lines.append((d.get("sublabel", ""), sz.sub, False))
    if d.get("listen"):  # the projector keeps the address alone ("127.0.0.1:11434"): the box says who
        lines.append((d["listen"] if sz.details else d["listen"].removeprefix("listens "), sz.sub, False))
    return [line for line in lines if line[0]]


def _node_width(d: dict[str, Any], sz: Sizes = NORMAL) -> float:
    return max(text_width(t, s, b) for t, s, b in node_lines(d, sz)) + 2 * NODE_PAD_X


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


def edge_url(url: str, bare: bool) -> str:
    """An edge's URL as the picture prints it: whole, or without ``http://`` when ``Layout.bare_urls``."""
    return url.removeprefix("http://") if bare else url


def layout(g: Any, sz: Sizes = NORMAL) -> Layout:
    """Place every boundary, node, port marker and edge of a topology graph.

    Horizontal: each boundary packs its members left to right (the browser, then Open WebUI's side,
    then Ollama's), with room between them for the edge labels; a boundary is at least as wide as its
    label. Vertical: every node sits on one row; each boundary adds a label band above its content
    and a margin below it. When the packed width exceeds the canvas, a variant whose text may not shrink
    (``Sizes.details`` off: the projector, the card) first says less: its boundaries' short labels, then
    its URLs without ``http://`` (``Layout.short_labels``, ``Layout.bare_urls``). Past that the layout
    grows and the drawing scales everything (fonts included) down together, so nothing overlaps.

    Args:
        g: a graph from ``topology()``.
        sz: the font sizes and the canvas (``NORMAL`` or ``PROJECTOR``).

    Returns:
        The layout in design inches.
    """
    api = g.edges[WEBUI, OLLAMA]
    http = g.edges[BROWSER, WEBUI]
    port_box = g.nodes["port:open-webui"]["boundary"] if g.has_node("port:open-webui") else None
    short = bare = False  # the projector's ways to say less before its text would shrink (``Layout``)

    def label_widths() -> tuple[float, float]:
        """The room the API's and the browser's edge labels need between the boxes they join."""
        if not sz.sparse:
            return (text_width(edge_url(api["url"], bare) + " ✓", sz.edge) + 0.5,
                    text_width(edge_url(http["url"], bare) + " ✓", sz.edge) + 0.4)
        # sparse: the URL goes under the boxes (``_Painter._edge_label``): the gaps hold the marks only
        mark = text_width("✓", sz.mark) + 0.6
        return mark, mark + (port_half if port_box else 0.0)

    pad_port = PAD_PORT
    port_half = 0.0
    if sz.sparse and port_box:  # the port's label, centred on its network's edge, clears the box and the mark
        port_half = text_width(g.nodes["port:open-webui"]["label"], sz.port, True) / 2 + 0.2
        pad_port = max(PAD_PORT, port_half)
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
            label_w = text_width(d["short" if short else "label"], sz.boundary, d["subkind"] == "host") + 2 * 0.15
            x = max(x, start + label_w)
            xs[n] = (start, x)
            return x

        right = place(HOST_ID, MARGIN)
        return xs, right + MARGIN

    def pack_with_edge_labels() -> tuple[dict[str, tuple[float, float]], float]:
        """Pack, then make room for the edge labels between the boxes they connect."""
        api_label_w, http_label_w = label_widths()
        extra.update(browser=0.0, api=0.0)
        xs, _ = pack(extra)
        extra["api"] = max(0.0, api_label_w - (xs[OLLAMA][0] - xs[WEBUI][1]))
        extra["browser"] = max(0.0, http_label_w - (xs[WEBUI][0] - xs[BROWSER][1]))
        return pack(extra)

    xs, total = pack_with_edge_labels()
    # Too wide, and this variant's text may not shrink: shorter boundary labels, then URLs without their
    # http:// (the stage and the card print the whole URL in their own text beside the picture).
    for step in ((True, False), (True, True)):
        if total <= sz.canvas_w or sz.details:
            break
        short, bare = step
        xs, total = pack_with_edge_labels()
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
        out = Layout(width=width, height=host_top + MARGIN, bottom=host_bottom - MARGIN, short_labels=short,
                     bare_urls=bare)
    else:
        out = Layout(width=width, height=DESIGN_H, short_labels=short, bare_urls=bare)

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
