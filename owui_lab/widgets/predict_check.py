"""Predict, then check: a question about one configuration, with the engine's verdict as the answer key.

The learner picks an answer (or, for "which base URLs work", ticks every one they expect to); the kit
checks it against the engine, gives a hint before it gives the answer away, and only then shows the
diagram and the engine's reasoning. "Show the answer" reveals it on request; "Reset" starts the
question again. Where the daemon can run the configuration, "Run it for real" follows the answer.

``AfterAnswers`` holds back what would give a lesson's answers away (the side-by-side diagrams, the
live run's observation) until the questions before it are answered, or the learner asks for it.

Example::

    from owui_lab.widgets.predict_check import PredictCheck
    PredictCheck("Does Open WebUI reach Ollama?", owui_lab.load_scenario("linux-ollama-on-host"),
                 ask="outcome", hint="Where does host-gateway lead, and where does Ollama listen?")
"""

from __future__ import annotations

import html as std_html
import re
from typing import Any, Callable, Iterable, Sequence

from .. import classroom
from ..config import Config
from ..engine import evaluate
from ..errors import ConfigError
from ..lessons import answer_key
from ..prediction import predict
from ..presentation import CSS, esc, live_html, option_label, verdict_html
from . import live
from .base import Feedback, Widgeted, diagram_html, ipywidgets



class PredictCheck(Widgeted):
    """A question about one configuration; the engine's verdict is the answer key.

    Args:
        question: what the learner is asked (HTML allowed).
        config: the configuration the question is about.
        ask: what to predict: ``"outcome"`` (works / which failure), ``"reachable"`` (yes/no),
            ``"browser"`` (does the browser reach Open WebUI), ``"step"`` (which step fails first),
            ``"url"`` (which of ``choices``, base URLs, work: the learner ticks every one, and the
            answer is right when the ticked ones are exactly the working ones) or ``"browser_url"``
            (which of ``choices`` opens Open WebUI in the browser, or none of them).
        hint: shown on request, and after the first wrong answer, before the answer is given away.
        why: a sentence or two of teaching added to the engine's explanation.
        choices: the URLs for ``ask="url"`` and ``ask="browser_url"``.
        withhold: what the answer leaves out because a later question asks it: ``"fixes"`` (the fix
            list), ``"browser"`` (the browser's path), ``"diagram"``.
    """

    KINDS = ("outcome", "reachable", "browser", "browser_url", "step", "url")

    def __init__(
        self,
        question: str,
        config: Config,
        *,
        ask: str = "outcome",
        hint: str = "",
        why: str = "",
        choices: Sequence[str] | None = None,
        withhold: Sequence[str] = (),
    ) -> None:
        if ask not in self.KINDS:
            raise ConfigError(f"PredictCheck(ask={ask!r}) is not a kind of question.", f"use one of {self.KINDS}.")
        if ask in ("url", "browser_url") and not choices:
            raise ConfigError(f"PredictCheck(ask={ask!r}) needs the URLs to choose from.", "pass choices=[...].")
        self.question = question
        self.config = config
        self.ask = ask
        self.hint = hint
        self.why = why
        self.withhold = frozenset(withhold)
        self.verdict = predict(config)
        self.options, self.accepted = self._key(choices or ())
        self.tries = 0
        self.feedback: Feedback | None = None
        #: (lesson id, exercise id) when a lesson asked it: only then is the first answer shared with the room.
        self.lesson_question: tuple[str, str] | None = None
        self._listeners: list[Callable[["PredictCheck"], None]] = []
        self._widget = None

    @property
    def several(self) -> bool:
        """The question takes several answers (every working base URL)."""
        return self.ask == "url"

    @property
    def finished(self) -> bool:
        """Answered right, or the answer was given (so its reasoning may be shown)."""
        return self.feedback is not None and (self.feedback.correct or self.feedback.revealed)

    def on_finish(self, callback: Callable[["PredictCheck"], None]) -> None:
        """Call ``callback(self)`` once the question is finished (at once if it already is)."""
        self._listeners.append(callback)
        if self.finished:
            callback(self)

    # -- the answer key, from the engine (owui_lab.lessons computes it; the classroom's service too) --
    def _key(self, choices: Sequence[str]) -> tuple[list[tuple[str, Any]], set]:
        key = answer_key(self.config, self.ask, choices)
        return [(option_label(self.ask, value), value) for value in key.values], set(key.accepted)

    def _label(self, value: Any) -> str:
        return next(label for label, v in self.options if v == value)

    def _explanation(self) -> str:
        if self.ask == "url":
            rows = []
            for _, url in self.options:
                v = evaluate(self.config.replace(base_url=url))
                why = "" if v.reachable else f": {v.failing_step.reason}"
                mark = '<span class="owui-ok">✓</span>' if v.reachable else '<span class="owui-bad">✗</span>'
                rows.append(f"<li>{mark} <code>{esc(url)}</code>{esc(why)}</li>")
            body = f"<ul>{''.join(rows)}</ul>"
        else:
            body = verdict_html(self.verdict, notes=True, fixes="fixes" not in self.withhold,
                                browser="browser" not in self.withhold)
        extra = f"<p>{self.why}</p>" if self.why else ""
        return body + extra

    # -- checking ----------------------------------------------------------------------------
    def answer(self, value: Any) -> Feedback:
        """Check the learner's answer (an option value; for ``ask="url"`` the set of ticked URLs).

        Also updates the widget.
        """
        values = [v for _, v in self.options]
        if self.several:
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ConfigError(
                    "This question takes every base URL you expect to work, as a list.",
                    f"pass a list of some of: {', '.join(values)} (an empty list: none works).",
                )
            picked = set(value)
            unknown = picked - set(values)
            if unknown:
                raise ConfigError(f"{sorted(unknown)} are not among this question's URLs.",
                                  f"pick some of: {', '.join(values)}.")
            right = picked == self.accepted
        else:
            if value not in values:
                raise ConfigError(
                    f"{value!r} is not one of this question's answers.",
                    f"pick one of: {', '.join(repr(v) for v in values)}.",
                )
            right = value in self.accepted
        if self.tries == 0:  # the first answer is the learner's prediction: the room's bar chart on the hub
            classroom.share_first_answer_soon(self, sorted(value) if self.several else value)
        self.tries += 1
        if right:
            self.feedback = Feedback(True, False, "Right. " + self._plain_why())
            html_text = f'<div class="owui-ok">✓ Right.</div>{self._explanation()}'
        elif self.tries == 1 and self.hint:
            self.feedback = Feedback(False, False, "Not yet. Hint: " + _strip_tags(self.hint))
            html_text = f'<div class="owui-bad">✗ Not yet.</div><div><b>Hint:</b> {self.hint}</div>'
            html_text += "<div>Pick again and check.</div>"
        else:
            return self.reveal(lead="✗ Not quite.")
        self._after_answer(html_text)
        return self.feedback

    def reveal(self, *, lead: str = "") -> Feedback:
        """Give the answer away (the learner asked, or a hint did not help), with the engine's reasons."""
        right = self._answer_words()
        self.feedback = Feedback(False, True, f"The answer is: {right}. " + self._plain_why())
        lead_html = f'<div class="owui-bad">{esc(lead)} The answer is: <b>{esc(right)}</b>.</div>' if lead else (
            f"<div>The answer is: <b>{esc(right)}</b>.</div>")
        self._after_answer(lead_html + self._explanation())
        return self.feedback

    def reset(self) -> None:
        """Start the question again: no answer picked, no feedback, no reasoning shown."""
        self.tries = 0
        self.feedback = None
        if self._widget is not None:
            if self.several:
                for box in self._boxes:
                    box.value = False
            else:
                self._choice.value = None
            self._result.value = ""
            self._live_button.layout.display = "none"
            self._live_out.value = ""

    def _answer_words(self) -> str:
        if self.several:
            working = self.options_in_order(self.accepted)
            return ", ".join(working) if working else "none of them"
        return " or ".join(self._label(v) for v in self.options_in_order(self.accepted)) or "none of these"

    def _after_answer(self, html_text: str) -> None:
        if self._widget is not None:
            shown = self.finished and "diagram" not in self.withhold
            picture = f"<div class='owui-answer-diagram'>{self._diagram()}</div>" if shown else ""
            self._result.value = CSS + f'<div class="owui-box owui-feedback">{html_text}</div>' + picture
            self._offer_live()
        if self.finished:
            for callback in list(self._listeners):
                callback(self)

    def _diagram(self) -> str:
        # A URL question is drawn with a URL that works (the question's own setup, when none does).
        working = self.options_in_order(self.accepted) if self.several else []
        return diagram_html(self.config.replace(base_url=working[0]) if working else self.config,
                            alt="This question's setup")

    def options_in_order(self, values: Iterable[Any]) -> list[Any]:
        wanted = set(values)
        return [v for _, v in self.options if v in wanted]

    def _plain_why(self) -> str:
        v = self.verdict
        if self.ask == "url":
            return "Working: " + (", ".join(self.options_in_order(self.accepted)) or "none") + "."
        if self.ask in ("browser", "browser_url"):
            return f"{v.browser.url}: {v.browser.reason}."
        step = v.failing_step
        return step.reason if step else "Every step works: resolve, route, listen, answer."

    # -- the widget --------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        # Never disabled: a disabled button drops out of the Tab order, and a keyboard learner who picks an
        # answer and presses Tab at once (before the kernel could enable it) would land on the next question
        self._check = w.Button(description="Check", button_style="primary")
        if self.several:
            self._boxes = [w.Checkbox(value=False, description=label, indent=False, layout=w.Layout(width="auto"))
                           for label, _ in self.options]
            self._choice = w.VBox(self._boxes)
            self._choice.add_class("owui-several")
        else:
            self._choice = w.RadioButtons(options=self.options, value=None, layout=w.Layout(width="auto"))
        self._hint_button = w.Button(description="Hint", disabled=not self.hint)
        self._reveal_button = w.Button(description="Show the answer")
        self._reset_button = w.Button(description="Reset")
        self._result = w.HTML()
        self._live_button = w.Button(description="Run it for real", button_style="success",
                                     layout=w.Layout(display="none"))
        self._live_out = w.HTML()
        self._check.on_click(lambda _: self._check_picked())
        self._hint_button.on_click(lambda _: setattr(self._result, "value",
                                                     f'{CSS}<div class="owui-box"><b>Hint:</b> {self.hint}</div>'))
        self._reveal_button.on_click(lambda _: self.reveal())
        self._reset_button.on_click(lambda _: self.reset())
        self._live_button.on_click(self._run_live)
        how = "Tick every one you expect to work, then check." if self.several else ""
        self._widget = w.VBox(
            [
                w.HTML(CSS + f'<div style="font-size:1.05em"><b>Predict:</b> {self.question}</div>'
                       + (f"<div class='owui-muted'>{how}</div>" if how else "")),
                self._choice,
                w.HBox([self._check, self._hint_button, self._reveal_button, self._reset_button]),
                self._result,
                self._live_button,
                self._live_out,
            ]
        )
        # Stable hooks for browser tests and for styling: the widget, its buttons, its choices.
        self._widget.add_class("owui-predict")
        self._check.add_class("owui-check")
        self._hint_button.add_class("owui-hint")
        self._reveal_button.add_class("owui-reveal")
        self._reset_button.add_class("owui-reset")
        self._choice.add_class("owui-choices")

    def _check_picked(self) -> None:
        """Check: the picked answer, or a word that there is none yet (not counted as a try)."""
        picked = self._picked()
        if picked is None:
            self._result.value = f'{CSS}<div class="owui-box owui-pick-first">Pick an answer first, then press Check.</div>'
            return
        self.answer(picked)

    def _picked(self) -> Any:
        if self.several:
            return [v for box, (_, v) in zip(self._boxes, self.options) if box.value]
        return self._choice.value

    def _offer_live(self) -> None:
        if self.finished and live.offered(self.config)[0]:
            self._live_button.layout.display = None

    def _run_live(self, _button: Any = None) -> None:
        self._live_button.disabled = True
        self._live_out.value = "<i>Starting stand-ins, probing, tearing down (a few seconds)...</i>"
        try:
            def progress(line: Any) -> None:  # the place in the classroom's queue, then the run
                if isinstance(line, str):
                    self._live_out.value = f"<i>{std_html.escape(line)}</i>"

            self._live_out.value = CSS + live_html(live.live_check(self.config, progress))
        finally:
            self._live_button.disabled = False


class AfterAnswers(Widgeted):
    """Hold back what gives answers away until the questions before it are finished, or on request.

    Args:
        questions: the questions that must be finished first (anything with ``finished`` and
            ``on_finish``: a prediction, a fix-it, a try-it).
        render: builds the HTML to show (called once, when it opens).
        what: what is held back, in a few words ("the diagrams and the engine's reasoning").
        waiting_html: extra HTML shown while it waits (must not give an answer away).
    """

    def __init__(self, questions: Sequence[Any], render: Callable[[], str], what: str,
                 waiting_html: str = "") -> None:
        self.questions = list(questions)
        self.render = render
        self.what = what
        self.waiting_html = waiting_html
        self.opened = False
        self.shown_html = ""
        self._widget = None
        for q in self.questions:
            q.on_finish(lambda _q: self._maybe_open())

    @property
    def waiting_for(self) -> int:
        """How many of the questions are not finished yet."""
        return sum(not q.finished for q in self.questions)

    def open(self) -> str:
        """Show it now (the learner asked, or every question is finished); returns the HTML shown."""
        if not self.opened:
            self.opened = True
            self.shown_html = self.render()
        if self._widget is not None:
            self._body.value = self.shown_html
            self._wait.layout.display = "none"
            self._open_button.layout.display = "none"
        return self.shown_html

    def _maybe_open(self) -> None:
        if self.waiting_for == 0:
            self.open()
        elif self._widget is not None:
            self._wait.value = self._waiting_text()

    def _waiting_text(self) -> str:
        left = self.waiting_for
        # A summary also waits for the fix-it (solved or shown): those are exercises, not only questions.
        kind = "question" if all(isinstance(q, PredictCheck) for q in self.questions) else "exercise"
        done = "answered" if kind == "question" else "done"
        return (f'{CSS}<div class="owui-box owui-after-answers" data-waiting="{left}">'
                f"<i>{esc(self.what[0].upper() + self.what[1:])} will show once you have {done} the {left} "
                f"{kind}{'' if left == 1 else 's'} above (or press the button).</i>{self.waiting_html}</div>")

    def _build(self) -> None:
        w = ipywidgets()
        self._wait = w.HTML(self._waiting_text())
        self._open_button = w.Button(description=f"Show {self.what} now", layout=w.Layout(width="auto"))
        self._open_button.add_class("owui-open-now")
        self._open_button.on_click(lambda _: self.open())
        self._body = w.HTML()
        self._widget = w.VBox([self._wait, self._open_button, self._body])
        self._widget.add_class("owui-after")
        if self.opened or (self.questions and self.waiting_for == 0):
            self.open()


def _strip_tags(text: str) -> str:
    return std_html.unescape(re.sub(r"<[^>]+>", "", text))
