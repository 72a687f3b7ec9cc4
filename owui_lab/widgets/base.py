"""What every widget of the kit shares: a view built on first use, shown by the notebook, and its diagram.

ipywidgets and matplotlib cost time to import, so they are imported when a view or a picture is first
needed (``import owui_lab`` stays fast); the rest of the kit is imported at the top as usual.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, fields
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Mapping

from ..config import Config
from ..engine import Verdict
from ..knobs import knob, settle
from ..presentation import description_html, esc, missing_diagram_html


def ipywidgets() -> Any:
    """The ipywidgets module (imported on first use: only the widget views pay for it)."""
    import ipywidgets as module

    return module


class Widgeted:
    """An exercise shown as an ipywidgets view, built on first use by the subclass's ``_build``."""

    _widget: Any = None

    @property
    def widget(self) -> Any:
        """The ipywidgets view (built on first use)."""
        if self._widget is None:
            self._build()
        return self._widget

    def _build(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must build its view in _build()")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


@dataclass(frozen=True)
class Diagram:
    """A lesson diagram as SVG, with what a reader's eye needs to know about its text.

    Attributes:
        svg: the picture (text as paths: the same without DejaVu Sans installed).
        width_pt: its width in points, the SVG's own unit: shown ``w`` CSS px wide, a text of ``s``
            points is ``s * w / width_pt`` px tall.
        smallest_pt: the smallest text in the picture, in points.
        callout_pt: the failing step's callout, in points (None when every step works).
    """

    svg: bytes
    width_pt: float
    smallest_pt: float
    callout_pt: float | None


@lru_cache(maxsize=64)
def lesson_diagram(config: Config) -> Diagram:
    """The diagram of ``config`` as the lessons show it (cached: configurations are frozen)."""
    from .. import drawing  # matplotlib: imported with the first picture

    fig, ax = drawing.new_figure(drawing.LESSON.canvas_w)
    drawing.draw(config, ax=ax, sizes=drawing.LESSON)
    sizes = drawing.text_sizes(fig)
    callouts = [size for gid, size in sizes if gid.startswith("reason:")]
    return Diagram(
        svg=drawing.render_svg(fig),
        width_pt=fig.get_figwidth() * 72,
        smallest_pt=min(size for _, size in sizes),
        callout_pt=min(callouts) if callouts else None,
    )


def describe_diagram(config: Config, verdict: Verdict | None = None) -> Any:
    """The diagram's ``describe.Description`` (networkx: imported with the first picture)."""
    from ..describe import describe

    return describe(config, verdict)


def new_description_id() -> str:
    """A fresh id for a description (two diagrams of the same setup on one page must not share one)."""
    return "owui-desc-" + secrets.token_hex(5)


def diagram_html(config: Config, alt: str = "") -> str:
    """The lesson diagram as an ``<img>`` that fills its column; a click widens its column to the whole row.

    Its alt text is the description's summary (after ``alt``, what it shows, when given); its
    ``aria-describedby`` names the whole description, under it behind "Describe this diagram". A
    drawing failure gives a note instead: the verdict beside it still teaches.
    """
    try:
        d = lesson_diagram(config)
    except Exception as exc:  # noqa: BLE001 - a lesson never stops on a picture; say what went wrong
        return missing_diagram_html(f"(The diagram could not be drawn: {exc.__class__.__name__}: {exc}. "
                                    "The verdict is unaffected.)")
    callout = f' data-callout-pt="{d.callout_pt}"' if d.callout_pt else ""
    words, dom_id = describe_diagram(config), new_description_id()
    alt = f"{alt}: {words.summary}" if alt else words.summary
    # A checkbox in a label: a click toggles the wide view without a line of JavaScript, so it also
    # works in Voila and in an exported page. (An overlay over the window cannot be had: JupyterLab's
    # notebook panel contains fixed positioning.)
    return (
        '<label class="owui-zoom" title="Click to widen; click again to put it back">'
        '<input type="checkbox" class="owui-zoom-toggle">'
        f'<img class="owui-lesson-diagram" alt="{esc(alt)}" aria-describedby="{dom_id}" '
        f'data-width-pt="{d.width_pt:g}" data-smallest-pt="{d.smallest_pt:g}"{callout} '
        f'src="data:image/svg+xml;base64,{base64.b64encode(d.svg).decode()}"></label>'
        + description_html(words, dom_id)
    )


@dataclass(frozen=True)
class Picture:
    """A widget's diagram: the PNG, its words, and what a reader's eye needs to know about its text.

    Attributes:
        png: the picture at the drawing's screen resolution.
        words: the diagram in words (``describe.Description``).
        width_pt: the picture's width in points: shown ``w`` CSS px wide, a text of ``s`` points is
            ``s * w / width_pt`` px tall.
        smallest_pt: the smallest text in the picture, in points.
    """

    png: bytes
    words: Any
    width_pt: float
    smallest_pt: float

    def html(self, css_class: str) -> str:
        """The picture as an ``<img>`` (alt: the summary; ``aria-describedby``: the description under it,
        behind "Describe this diagram"; ``data-width-pt``/``data-smallest-pt``: its size facts)."""
        dom_id = new_description_id()
        return (
            f'<img class="{esc(css_class)}" alt="{esc(self.words.summary)}" aria-describedby="{dom_id}" '
            f'data-width-pt="{self.width_pt:g}" data-smallest-pt="{self.smallest_pt:g}" '
            f'src="data:image/png;base64,{base64.b64encode(self.png).decode()}">'
            + description_html(self.words, dom_id)
        )


class Painter:
    """Draws configurations into one reused figure and keeps the recent pictures: a widget's redraws.

    The one place diagrams are drawn into widgets: each comes with its words and its size facts
    (``Picture``). Reusing the figure skips building one per click; the cache makes flipping a knob
    back instant (configurations are frozen, and the same knobs draw the same picture).

    Args:
        cache_size: how many pictures to keep (0: redraw every time; benchmarks).
        projector: draw the stage's variant (``drawing.PROJECTOR``: larger text, fewer words).
    """

    def __init__(self, cache_size: int = 64, *, projector: bool = False) -> None:
        self.cache_size = cache_size
        self.projector = projector
        self._cache: OrderedDict[Config, Picture] = OrderedDict()
        self._figure: Any = None
        self._axes: Any = None

    def picture(self, config: Config, verdict: Verdict | None = None) -> Picture:
        """The diagram of ``config`` with its words and size facts."""
        cached = self._cache.get(config)
        if cached is not None:
            self._cache.move_to_end(config)
            return cached
        from .. import drawing  # matplotlib: imported with the first picture

        sizes = drawing.PROJECTOR if self.projector else drawing.NORMAL
        if self._figure is None:
            self._figure, self._axes = drawing.new_figure(sizes.canvas_w)
        drawing.draw(config, ax=self._axes, verdict=verdict, sizes=sizes)
        picture = Picture(
            png=drawing.render_png(self._figure),
            words=describe_diagram(config, verdict),
            width_pt=self._figure.get_figwidth() * 72,
            smallest_pt=min(size for _, size in drawing.text_sizes(self._figure)),
        )
        if self.cache_size:
            self._cache[config] = picture
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return picture

    def png(self, config: Config, verdict: Verdict | None = None) -> bytes:
        """The diagram of ``config`` as PNG bytes (at the drawing's screen resolution)."""
        return self.picture(config, verdict).png


#: The base URLs learners actually type (the pitfalls of Open WebUI's and Ollama's issues): the one list every
#: widget offers, declared with the knob (``knobs.py``).
BASE_URLS = knob("base_url").suggestions


@dataclass(frozen=True)
class Feedback:
    """What the learner was told after a check.

    Attributes:
        correct: the answer (or configuration) is right.
        revealed: the kit gave the answer away (after a hint did not help).
        message: the feedback as plain text (the widget shows it as HTML).
    """

    correct: bool
    revealed: bool
    message: str


def build_config(base: Config, changes: Mapping[str, Any]) -> Config:
    """``base`` with ``changes``, dropping knobs that the change made inapplicable (as widgets hide them).

    A host or bundled Ollama has no network, published port or compose stack, and Linux has no Desktop
    setting: the declarations say so (``Knob.platforms``, ``Knob.when``), and ``knobs.settle`` resets those
    knobs rather than have them rejected, because the widget disables them at the same moment.
    """
    values = {**base.to_dict(), **changes}
    return type(base)(**settle(values, {f.name: f.default for f in fields(type(base))}))
