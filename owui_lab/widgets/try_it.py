"""Try it: an open exercise (in the sandbox, a terminal, or on paper) whose answer waits until tried.

The learner writes what they predict or did; "Show the answer" opens only once something is written,
so the answer is read after the learner has tried, never instead of trying. ``OpenLesson.further()``
shows a lesson's further exercises this way; a lesson's open question is one too.

Example::

    from owui_lab.widgets.try_it import TryIt
    TryIt("Which would you choose for a classroom server?", "ENABLE_PERSISTENT_CONFIG=false, because ...")
"""

from __future__ import annotations

from typing import Callable

from .base import Widgeted, ipywidgets
from ..presentation import CSS


class TryIt(Widgeted):
    """An open task and its answer, held back until the learner has written something.

    Args:
        task: what to try (HTML allowed).
        answer: the answer (HTML allowed), shown once tried.
    """

    def __init__(self, task: str, answer: str) -> None:
        self.task = task
        self.answer = answer
        self.tried = ""
        self.shown = False
        self._listeners: list[Callable[["TryIt"], None]] = []
        self._widget = None

    @property
    def finished(self) -> bool:
        """The answer has been shown (what a held-back section after it waits for)."""
        return self.shown

    def on_finish(self, callback: Callable[["TryIt"], None]) -> None:
        """Call ``callback(self)`` once the answer is shown (at once if it already is)."""
        self._listeners.append(callback)
        if self.shown:
            callback(self)

    def attempt(self, text: str) -> None:
        """What the learner wrote (the widget's text box calls this as they type)."""
        self.tried = text
        if self._widget is not None:
            self._show_button.disabled = not text.strip()

    def show_answer(self) -> str:
        """Show the answer; refused (an empty string) until the learner has written something."""
        if not self.tried.strip():
            return ""
        self.shown = True
        if self._widget is not None:
            self._answer.value = CSS + f'<div class="owui-box owui-feedback"><b>Answer:</b> {self.answer}</div>'
        for callback in list(self._listeners):
            callback(self)
        return self.answer

    def _build(self) -> None:
        w = ipywidgets()
        box = w.Textarea(placeholder="Your prediction, or what you saw", layout=w.Layout(width="100%", height="3.5em"))
        box.observe(lambda change: self.attempt(change["new"]), names="value")
        self._show_button = w.Button(description="Show the answer", disabled=True,
                                     tooltip="Write your answer first: the answer opens once you have tried.")
        self._show_button.add_class("owui-reveal")
        self._show_button.on_click(lambda _: self.show_answer())
        self._answer = w.HTML()
        self._widget = w.VBox([w.HTML(CSS + f"<div><b>Try it:</b> {self.task}</div>"), box, self._show_button,
                               self._answer])
        self._widget.add_class("owui-try-it")

