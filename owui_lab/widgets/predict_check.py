"""Predict, then check: a question about one configuration, with the engine's verdict as the answer key.

The learner picks an answer; the kit checks it against the engine, explains why, and gives a hint before
it gives the answer away. Where the daemon can run the configuration, "Run it for real" follows the
answer and puts the lab's observation beside the prediction.

Example::

    from owui_lab.widgets.predict_check import PredictCheck
    PredictCheck("Does Open WebUI reach Ollama?", owui_lab.load_scenario("linux-ollama-on-host"),
                 ask="outcome", hint="Where does host-gateway lead, and where does Ollama listen?")
"""

from __future__ import annotations

import html as std_html
import re
from typing import Any, Iterable, Sequence

from ..config import Config
from ..engine import OUTCOMES, evaluate
from ..errors import ConfigError
from ..prediction import predict
from . import live
from .base import Feedback, Widgeted, ipywidgets
from .html import CSS, OUTCOME_TEXT, esc, live_html, verdict_html

STEP_TEXT = {
    "resolve": "resolve: the host name does not resolve",
    "route": "route: packets cannot get there",
    "listen": "listen: nothing listens at that address and port",
    None: "none: every step works",
}

class PredictCheck(Widgeted):
    """A question about one configuration; the engine's verdict is the answer key.

    Args:
        question: what the learner is asked (HTML allowed).
        config: the configuration the question is about.
        ask: what to predict: ``"outcome"`` (works / which failure), ``"reachable"`` (yes/no),
            ``"browser"`` (does the browser reach Open WebUI), ``"step"`` (which step fails first) or
            ``"url"`` (which of ``choices``, base URLs, works; every working one is accepted) or
            ``"browser_url"`` (which of ``choices`` opens Open WebUI in the browser, or none of them).
        hint: shown on request, and after the first wrong answer, before the answer is given away.
        why: a sentence or two of teaching added to the engine's explanation.
        choices: the base URLs for ``ask="url"``.
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
        self.verdict = predict(config)
        self.options, self.accepted = self._key(choices or ())
        self.tries = 0
        self.feedback: Feedback | None = None
        self._widget = None

    # -- the answer key, from the engine -------------------------------------------------------
    def _key(self, choices: Sequence[str]) -> tuple[list[tuple[str, Any]], set]:
        v = self.verdict
        if self.ask == "outcome":
            return [(OUTCOME_TEXT[o], o) for o in OUTCOMES], {v.outcome}
        if self.ask == "reachable":
            return [("Yes, it connects", True), ("No, it fails", False)], {v.reachable}
        if self.ask == "browser":
            return [("Yes, Open WebUI opens", True), ("No, the page does not load", False)], {v.browser.reachable}
        if self.ask == "browser_url":
            options = [(url, url) for url in choices] + [("none of these: the page does not load", None)]
            works = v.browser.url if v.browser.reachable and v.browser.url in choices else None
            return options, {works}
        if self.ask == "step":
            failing = v.failing_step.name if v.failing_step else None
            return [(STEP_TEXT[s], s) for s in ("resolve", "route", "listen", None)], {failing}
        accepted = set()
        for url in choices:
            try:
                if evaluate(self.config.replace(base_url=url)).reachable:
                    accepted.add(url)
            except ConfigError:
                continue
        return [(url, url) for url in choices], accepted

    def _label(self, value: Any) -> str:
        return next(label for label, v in self.options if v == value)

    def _explanation(self) -> str:
        if self.ask == "url":
            rows = []
            for _, url in self.options:
                v = evaluate(self.config.replace(base_url=url))
                mark = "✓" if v.reachable else "✗"
                why = "" if v.reachable else f": {v.failing_step.reason}"
                rows.append(f"<li>{mark} <code>{esc(url)}</code>{esc(why)}</li>")
            body = f"<ul>{''.join(rows)}</ul>"
        else:
            body = verdict_html(self.verdict, notes=True)
        extra = f"<p>{self.why}</p>" if self.why else ""
        return body + extra

    # -- checking ----------------------------------------------------------------------------
    def answer(self, value: Any) -> Feedback:
        """Check ``value`` (one of the option values) as the learner's answer; also updates the widget."""
        if value not in [v for _, v in self.options]:
            raise ConfigError(
                f"{value!r} is not one of this question's answers.",
                f"pick one of: {', '.join(repr(v) for _, v in self.options)}.",
            )
        if self.tries == 0:  # the first answer is the learner's prediction: the room's bar chart on the hub
            from ..classroom import share_first_answer_soon

            share_first_answer_soon(self, value)
        self.tries += 1
        if value in self.accepted:
            self.feedback = Feedback(True, False, "Right. " + self._plain_why())
            html_text = f'<div class="owui-ok">✓ Right.</div>{self._explanation()}'
        elif self.tries == 1 and self.hint:
            self.feedback = Feedback(False, False, "Not yet. Hint: " + _strip_tags(self.hint))
            html_text = f'<div class="owui-bad">✗ Not yet.</div><div><b>Hint:</b> {self.hint}</div>'
            html_text += "<div>Pick again and check.</div>"
        else:
            right = " or ".join(self._label(v) for v in self.options_in_order(self.accepted)) or "none of these"
            self.feedback = Feedback(False, True, f"The answer is: {right}. " + self._plain_why())
            html_text = (
                f'<div class="owui-bad">✗ Not quite. The answer is: <b>{esc(right)}</b>.</div>'
                f"{self._explanation()}"
            )
        if self._widget is not None:
            self._result.value = CSS + f'<div class="owui-box owui-feedback">{html_text}</div>'
            self._offer_live()
        return self.feedback

    def options_in_order(self, values: Iterable[Any]) -> list[Any]:
        wanted = set(values)
        return [v for _, v in self.options if v in wanted]

    def _plain_why(self) -> str:
        v = self.verdict
        if self.ask == "url":
            return "Working: " + (", ".join(sorted(self.accepted)) or "none") + "."
        if self.ask in ("browser", "browser_url"):
            return f"{v.browser.url}: {v.browser.reason}."
        step = v.failing_step
        return step.reason if step else "Every step works: resolve, route, listen, answer."

    # -- the widget --------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        self._choice = w.RadioButtons(options=self.options, value=None, layout=w.Layout(width="auto"))
        self._check = w.Button(description="Check", button_style="primary", disabled=True)
        self._hint_button = w.Button(description="Hint", disabled=not self.hint)
        self._result = w.HTML()
        self._live_button = w.Button(description="Run it for real", button_style="success",
                                     layout=w.Layout(display="none"))
        self._live_out = w.HTML()

        def picked(change: dict) -> None:
            self._check.disabled = change["new"] is None

        self._choice.observe(picked, names="value")
        self._check.on_click(lambda _: self.answer(self._choice.value))
        self._hint_button.on_click(lambda _: setattr(self._result, "value",
                                                     f'<div class="owui-box"><b>Hint:</b> {self.hint}</div>'))
        self._live_button.on_click(self._run_live)
        self._widget = w.VBox(
            [
                w.HTML(CSS + f'<div style="font-size:1.05em"><b>Predict:</b> {self.question}</div>'),
                self._choice,
                w.HBox([self._check, self._hint_button]),
                self._result,
                self._live_button,
                self._live_out,
            ]
        )
        # Stable hooks for browser tests and for styling: the widget, its buttons, its choices.
        self._widget.add_class("owui-predict")
        self._check.add_class("owui-check")
        self._hint_button.add_class("owui-hint")
        self._choice.add_class("owui-choices")

    def _offer_live(self) -> None:
        finished = self.feedback is not None and (self.feedback.correct or self.feedback.revealed)
        if finished and live.offered(self.config)[0]:
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


def _strip_tags(text: str) -> str:
    return std_html.unescape(re.sub(r"<[^>]+>", "", text))

