""""Paste your command": one box where a learner pastes what they ran, and the knobs follow.

Used by the sandbox (``explorer.py``) and the stage (``stage.py``). The text is read by
``owui_lab.paste`` (the doctor's own reader); what it assumed, what it ignored and what the model cannot
express are shown under the box, and a bad paste shows the kit's one-paragraph error.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import engines
from ..errors import ConfigError, OwuiLabError
from ..fixes import fix_changes
from ..paste import PastedSetup, paste_from_text, read_paste
from ..paste.edit import fix_diff
from ..prediction import predict
from ..presentation import error_html, esc, fix_diff_html, platform_phrase
from .base import ipywidgets

PLACEHOLDER = ("Paste what you ran: a docker run line (backslashes are fine), a compose file, "
               "or how your host's Ollama starts (OLLAMA_HOST=0.0.0.0 ollama serve)")


def read_box(text: str, platform: str | None) -> PastedSetup:
    """The box's text, read (raises the kit's error for a bad paste or a setup it cannot model)."""
    setup = read_paste(paste_from_text(text, platform))
    if setup.config is None:
        raise ConfigError("The kit cannot model this setup: " + "; ".join(setup.unexpressed) + ".",
                          "set the knobs by hand to the nearest setup.")
    return setup


def reading_html(setup: PastedSetup) -> str:
    """What the reader assumed, ignored and could not express, as a short list."""
    parts = []
    for title, items in (("Assumed", setup.assumptions), ("Not modelled", setup.unexpressed),
                         ("Read past", setup.ignored)):
        if items:
            parts.append(f"<b>{title}:</b><ul style='margin:2px 0 6px 18px;padding:0'>"
                         + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    head = "<p style='margin:0 0 4px'>The knobs and the diagram now show this setup.</p>"
    return "<div class='owui-paste-reading'>" + head + "".join(parts) + "</div>"


def _fix_html(setup: PastedSetup) -> str:
    """The learner's own paste with the engine's first fix written into it, as the CLI prints it ("" when
    the paste already works or the fix changes nothing one can write into it)."""
    verdict = predict(setup.config)
    combos = fix_changes(verdict.config) if not verdict.reachable else []
    diff = fix_diff(setup, combos[0]) if combos else ""
    if not diff:
        return ""
    where = engines.title(setup.config) if engines.differs(setup.config) else platform_phrase(setup.config)
    return fix_diff_html(diff, f"Your paste, with the engine's first fix ({where})")


class PasteBox:
    """A text area, a button and what was read; ``on_read(setup)`` sets the knobs.

    Args:
        on_read: called with the reading when the paste reads; returns the configuration it now shows
            (or None), so a knob it has no control for is named.
        platform: a function giving the platform the paste is read for (the caller's own knob).
    """

    def __init__(self, on_read: Callable[[PastedSetup], Any], platform: Callable[[], str | None]) -> None:
        w = ipywidgets()
        self.on_read = on_read
        self.platform = platform
        self.text = w.Textarea(placeholder=PLACEHOLDER, layout=w.Layout(width="100%", height="110px"))
        self.text.add_class("owui-paste-text")
        self.button = w.Button(description="Set the knobs from it", icon="paste", layout=w.Layout(width="240px"))
        self.button.add_class("owui-paste-read")
        self.button.on_click(lambda _b: self.read())
        self.result = w.HTML()
        self.result.add_class("owui-paste-result")
        self.widget = w.VBox([self.text, self.button, self.result])
        self.widget.add_class("owui-paste")
        self.setup: PastedSetup | None = None

    def read(self, text: str | None = None) -> PastedSetup | None:
        """Read the box (or ``text``), set the knobs; show the reading or the error."""
        if text is not None:
            self.text.value = text
        try:
            self.setup = read_box(self.text.value, self.platform())
        except OwuiLabError as exc:
            self.setup = None
            self.result.value = error_html(exc)
            return None
        shown = self.on_read(self.setup)
        html = reading_html(self.setup)
        if shown is not None:
            # a knob the caller has no control for is left out of what it shows: say which
            lost = [f"--{k.replace('_', '-')} {v}" for k, v in self.setup.config.to_dict().items()
                    if getattr(shown, k) != v and k not in ("webui_network", "ollama_network")]
            if lost:
                html += ("<div class='owui-paste-lost'><b>This view has no control for:</b> " + esc(", ".join(lost))
                         + " (owui-lab predict --from-command keeps it).</div>")
        self.result.value = html + _fix_html(self.setup)
        return self.setup
