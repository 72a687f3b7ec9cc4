"""What every widget of the kit shares: a view built on first use, shown by the notebook, and its diagram.

ipywidgets and matplotlib cost time to import, so they are imported when a view or a picture is first
needed (``import owui_lab`` stays fast); the rest of the kit is imported at the top as usual.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping

from ..config import DOCKER0_ADDRESS, IMAGE_DEFAULT_BASE_URL, Config


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


def draw_png(config: Config, *, side_by_side: bool = False) -> bytes:
    """The kit's diagram of ``config`` (or both platforms stacked) as PNG bytes for a notebook."""
    from .. import drawing  # matplotlib: imported with the first picture

    fig = drawing.draw_side_by_side(config) if side_by_side else drawing.draw(config)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return buf.getvalue()


def diagram_or_note(config: Config, side_by_side: bool = False) -> tuple[bytes | None, str]:
    """The diagram's PNG, or None and a note saying why there is none (a lesson never stops on a picture)."""
    try:
        return draw_png(config, side_by_side=side_by_side), ""
    except Exception as exc:  # noqa: BLE001 - the verdict beside it still teaches; say what went wrong
        return None, (f"(The diagram could not be drawn: {exc.__class__.__name__}: {exc}. "
                      "The verdict is unaffected.)")


#: The base URLs learners actually type (DOMAIN.md's pitfalls): the one list every widget offers.
BASE_URLS = (
    IMAGE_DEFAULT_BASE_URL,
    "http://ollama:11434",
    "http://localhost:11434",
    "http://127.0.0.1:11434",
    f"http://{DOCKER0_ADDRESS}:11434",
)


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

    A host Ollama has no network or published port, and Linux has no Desktop setting: those knobs are
    reset rather than rejected, because the widget disables them at the same moment.
    """
    knobs = base.to_dict()
    knobs.update(changes)
    if knobs.get("ollama") == "host":
        knobs.update(ollama_network=None, ollama_publish=None, compose=False)
    if knobs.get("platform") == "linux":
        knobs["desktop_host_networking"] = False
    return Config(**knobs)
