"""The workshop's exercises: predict-then-check, fix-it, a live check, and the classroom stage.

The notebooks only *call* these: the learner picks an answer in a widget, the kit checks it against the
engine (and, where a daemon of the right platform answers, against a live run), explains why, and gives
a hint before it gives the answer. Everything is plain ipywidgets, so it works in JupyterLab, in Voila
(the instructor's projector view) and under nbclient (CI), and every widget keeps its state in
attributes (``feedback``, ``verdict``, ``config``) that tests read without a browser.

Example::

    from owui_lab.exercises import PredictCheck
    PredictCheck("Does Open WebUI reach Ollama?", owui_lab.load_scenario("linux-ollama-on-host"),
                 ask="outcome", hint="Where does host-gateway lead, and where does Ollama listen?")
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from .config import DOCKER0_ADDRESS, IMAGE_DEFAULT_BASE_URL, Config
from .engine import OUTCOMES, Verdict, evaluate
from .prediction import predict
from .errors import ConfigError, OwuiLabError

# --------------------------------------------------------------------------------------------------
# Words and colours shared by every widget
# --------------------------------------------------------------------------------------------------

OUTCOME_TEXT = {
    "ok": "Yes: Open WebUI reaches Ollama",
    "name_not_resolved": "No: the host name does not resolve",
    "connection_refused": "No: connection refused (nothing listens there)",
    "unreachable": "No: unreachable (the packets never arrive)",
}
STEP_TEXT = {
    "resolve": "resolve: the host name does not resolve",
    "route": "route: packets cannot get there",
    "listen": "listen: nothing listens at that address and port",
    None: "none: every step works",
}
GREEN, RED, AMBER, GREY = "#1e8449", "#c0392b", "#b9770e", "#555"

# The base URLs learners actually type (DOMAIN.md's pitfalls), for combo boxes and URL questions.
COMMON_BASE_URLS = (
    IMAGE_DEFAULT_BASE_URL,
    "http://localhost:11434",
    "http://127.0.0.1:11434",
    "http://ollama:11434",
    f"http://{DOCKER0_ADDRESS}:11434",
)

_CSS = """
<style>
.owui-box {border:1px solid #ccd; border-radius:6px; padding:8px 12px; margin:6px 0; background:#fbfcfc; color:#222; text-align:left}
.owui-compare td, .owui-compare th {text-align:left !important; vertical-align:top}
.owui-box ul {margin:4px 0 4px 0; padding-left:1.2em}
.owui-ok {color:%s; font-weight:bold}
.owui-bad {color:%s; font-weight:bold}
.owui-stage, .owui-stage .widget-label, .owui-stage button, .owui-stage select,
.owui-stage .widget-toggle-buttons button, .owui-stage input {font-size:22px !important}
.owui-stage button, .owui-stage .widget-toggle-button {height:auto !important; min-height:44px; padding:6px 14px}
.owui-stage .widget-dropdown, .owui-stage .widget-label, .owui-stage .widget-inline-hbox {height:auto !important; line-height:1.4}
.owui-stage .widget-dropdown > select {height:52px !important; padding:4px 8px}
.owui-stage .owui-box {font-size:20px}
.owui-stage h1.owui-title {font-size:44px; margin:8px 0}
.owui-stage .owui-verdict-headline {font-size:40px; line-height:1.25; margin:10px 0}
.owui-stage .owui-steps {font-size:22px; line-height:1.5}
</style>
""" % (GREEN, RED)


def _widgets():
    # ipywidgets is a dependency, but importing it costs time: only the widget classes pay for it.
    import ipywidgets

    return ipywidgets


def _esc(text: Any) -> str:
    return html.escape(str(text))


def verdict_html(verdict: Verdict, *, fixes: bool = True, notes: bool = True, steps_class: str = "") -> str:
    """A verdict as an HTML lab transcript: each step ✓/✗ with its reason, the browser, the fixes."""
    c = verdict.config
    items = []
    for s in verdict.steps:
        mark = f'<span class="owui-ok">✓</span>' if s.ok else f'<span class="owui-bad">✗</span>'
        items.append(f"<li>{mark} <b>{_esc(s.name)}</b>: {_esc(s.reason)}</li>")
    if verdict.reachable:
        result = '<span class="owui-ok">✓ Open WebUI reaches Ollama</span>'
    else:
        result = f'<span class="owui-bad">✗ Ollama is not reachable ({_esc(verdict.outcome)})</span>'
    b = verdict.browser
    browser = (
        f'{"<span class=owui-ok>✓</span>" if b.reachable else "<span class=owui-bad>✗</span>"} '
        f"Browser → Open WebUI at <code>{_esc(b.url)}</code>: {_esc(b.reason)}"
    )
    parts = [
        f'<div class="owui-box owui-verdict" data-outcome="{_esc(verdict.outcome)}">',
        f"<div>Open WebUI → Ollama at <code>{_esc(c.base_url)}</code></div>",
        f'<ul class="owui-steps {steps_class}">{"".join(items)}</ul>',
        f"<div>{result}</div><div>{browser}</div>",
    ]
    if fixes and verdict.fixes:
        fx = "".join(f"<li>{_esc(f)}</li>" for f in verdict.fixes)
        parts.append(f"<div><b>Fix</b> (any one of these):<ul>{fx}</ul></div>")
    if notes and verdict.notes:
        nt = "".join(f"<li>{_esc(n)}</li>" for n in verdict.notes)
        parts.append(f"<div style='color:{GREY}'><b>Notes</b><ul>{nt}</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def _error_html(exc: OwuiLabError) -> str:
    return exc._repr_html_()


def draw_png(config: Config, *, side_by_side: bool = False) -> bytes | None:
    """The kit's diagram of ``config`` as PNG bytes, or None when the drawing part is not installed."""
    import importlib
    import io

    try:
        import matplotlib.pyplot as plt

        draw_module = importlib.import_module("owui_lab.drawing")
    except ImportError:
        return None
    draw_fn = draw_module.draw
    if side_by_side:
        fn = getattr(draw_module, "draw_side_by_side", None)
        fig = fn(config) if fn else draw_fn(config)
    else:
        fig = draw_fn(config)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _diagram_or_note(config: Config, side_by_side: bool = False) -> tuple[bytes | None, str]:
    """The diagram's PNG, or None and a note saying why there is none (a lesson never stops on a picture)."""
    try:
        png = draw_png(config, side_by_side=side_by_side)
    except Exception as exc:  # noqa: BLE001 - the verdict below still teaches; say what went wrong
        return None, f"(The diagram could not be drawn: {exc.__class__.__name__}: {exc}. The verdict below is unaffected.)"
    if png is None:
        return None, "(The drawing part of the kit is not installed here: the verdict alone.)"
    return png, ""


def show_diagram(config: Config, *, side_by_side: bool = False) -> None:
    """Display the diagram of ``config``, or a note saying why there is none."""
    from IPython.display import HTML, Image, display

    png, note = _diagram_or_note(config, side_by_side)
    if png is not None:
        display(Image(data=png))
    else:
        display(HTML(f'<i class="owui-diagram-missing">{_esc(note)}</i>'))


def show_verdict(config: Config) -> Verdict:
    """Display the engine's verdict of ``config`` as a transcript, and return it."""
    from IPython.display import HTML, display

    verdict = predict(config)
    display(HTML(_CSS + verdict_html(verdict)))
    return verdict


def compare(
    left: Config,
    right: Config,
    titles: tuple[str, str] = ("Docker Desktop", "Linux"),
    *,
    diagrams: bool = True,
) -> tuple[Verdict, Verdict]:
    """Two configurations side by side, each with its diagram and verdict (the lessons' Desktop | Linux view).

    Returns:
        The two verdicts, left then right.
    """
    import base64

    from IPython.display import HTML, display

    verdicts = (predict(left), predict(right))
    cells = []
    for title, config, verdict in zip(titles, (left, right), verdicts):
        picture = ""
        if diagrams:
            png, note = _diagram_or_note(config)
            picture = (
                f'<img style="max-width:100%" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                if png is not None
                else f'<i class="owui-diagram-missing">{_esc(note)}</i>'
            )
        cells.append(
            f'<td style="vertical-align:top;width:50%;padding:4px;text-align:left"><h4 style="margin:2px 0">{_esc(title)}</h4>'
            f"{picture}{verdict_html(verdict, notes=True)}</td>"
        )
    display(HTML(f"{_CSS}<table class='owui-compare' style='width:100%;border:none;table-layout:fixed'><tr>{''.join(cells)}</tr></table>"))
    return verdicts


def show_commands(config: Config) -> None:
    """Display what a learner types to build ``config``: docker run lines, compose.yaml, host steps."""
    from IPython.display import HTML, display

    try:
        from .recipe import recipe
    except ImportError:
        display(HTML("<i>(The recipe part of the kit is not installed here.)</i>"))
        return
    display(HTML(f'<pre class="owui-recipe" style="font-size:0.9em">{_esc(recipe(config).text())}</pre>'))


# --------------------------------------------------------------------------------------------------
# Live runs: really run a configuration where a daemon of its platform answers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveReport:
    """What ``live_check`` did.

    Attributes:
        ran: a live run happened (False: the prediction only, with ``reason``).
        predicted: the engine's verdict.
        observed: the lab's observation (``reachable``, ``outcome``, ``detail``), or None.
        agree: the observation equals the prediction (None when nothing ran).
        seconds: how long the live run took.
        reason: why it did not run live ("" when it did).
        notes: what the lab substituted to run it here (ports, addresses), to map it back.
    """

    ran: bool
    predicted: Verdict
    observed: dict | None = None
    agree: bool | None = None
    seconds: float = 0.0
    reason: str = ""
    notes: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        return _CSS + live_html(self)


def _as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return {k: getattr(obj, k) for k in ("reachable", "outcome", "detail", "browser") if hasattr(obj, k)}


def live_check(config: Config) -> LiveReport:
    """Run ``config`` for real when this daemon can, else say plainly that this is the prediction only.

    Never raises for a missing daemon, a platform mismatch or a missing image: each is a reason in the
    report, worded for the learner.
    """
    from . import environment

    predicted = predict(config)
    mode = environment.detect()
    if not mode.can_run(config.platform):
        return LiveReport(False, predicted, reason=mode.why_not(config.platform))
    try:
        from . import lab
    except ImportError:
        return LiveReport(False, predicted, reason="The live lab part of the kit is not installed here.")
    availability = getattr(lab, "availability", None)
    if availability is not None:
        ok, why = availability(config)
        if not ok:
            return LiveReport(False, predicted, reason=why)
    try:
        result = lab.run(config)
    except OwuiLabError as exc:
        return LiveReport(False, predicted, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a learner's cell shows a sentence, not a traceback
        return LiveReport(
            False,
            predicted,
            reason=f"The live run failed unexpectedly ({exc.__class__.__name__}: {exc}). The prediction "
            "stands; run 'owui-lab lab clean' and try again, and please report this with the message.",
        )
    observed = _as_dict(getattr(result, "observed", None))
    return LiveReport(
        True,
        predicted,
        observed=observed,
        agree=bool(getattr(result, "agree", False)),
        seconds=float(getattr(result, "seconds", 0.0) or 0.0),
        notes=tuple(getattr(result, "notes", ()) or ()),
    )


def live_html(report: LiveReport, *, home: bool = True) -> str:
    """A live report as HTML: observed beside predicted, or why only the prediction is shown.

    Args:
        report: what ``live_check`` returned.
        home: when it did not run, also say how to run it live at home.
    """
    from .environment import RUN_AT_HOME

    p = report.predicted
    pred = f"{'reachable' if p.reachable else 'not reachable'} ({_esc(p.outcome)})"
    if not report.ran:
        return (
            f'<div class="owui-box owui-live" data-live="predicted-only" style="border-left:6px solid {AMBER}">'
            f"<b>Prediction only.</b> The engine predicts: {pred}. {_esc(report.reason)}"
            f"{'<br>' + RUN_AT_HOME if home else ''}</div>"
        )
    o = report.observed or {}
    obs = f"{'reachable' if o.get('reachable') else 'not reachable'} ({_esc(o.get('outcome', '?'))})"
    detail = f"<br><span style='color:{GREY}'>{_esc(o.get('detail', ''))}</span>" if o.get("detail") else ""
    notes = "".join(f"<br><span style='color:{GREY}'>Note: {_esc(n)}</span>" for n in report.notes)
    if report.agree:
        verdict = f'<span class="owui-ok">✓ The engine was right.</span>'
    else:
        verdict = (
            f'<span class="owui-bad">✗ Observation and prediction differ</span>: on a real setup this '
            "points to something the engine does not model (a firewall, another Ollama); in the kit it "
            "is a bug worth reporting."
        )
    return (
        f'<div class="owui-box owui-live" data-live="ran" style="border-left:6px solid {GREEN}">'
        f"<b>Live run on this Docker daemon</b> ({report.seconds:.1f} s: stand-ins started, probed from "
        f"inside Open WebUI's network, removed).<br>Predicted: {pred}<br>Observed: {obs}{detail}"
        f"<br>{verdict}{notes}</div>"
    )


def run_live(*configs: Config) -> list[LiveReport]:
    """The lessons' "run it for real" cell: run the configuration this daemon can run, predict the rest.

    A lesson passes its Linux and its Docker Desktop configuration. On a Linux engine the Linux one runs
    live; on Docker Desktop the Desktop one does; without a daemon (Binder) neither does. Every
    configuration that does not run says so, and why, beside the engine's prediction. One live run per
    cell at most: a lesson stays light.

    Returns:
        One report per configuration, in the order given.
    """
    from IPython.display import HTML, display

    from . import environment

    if not configs:
        raise ConfigError("run_live() needs at least one configuration.", "pass the lesson's configurations.")
    mode = environment.detect()
    runnable = next((c for c in configs if mode.can_run(c.platform)), None)
    reports = []
    for config in configs:
        if config is runnable:
            reports.append(live_check(config))
        else:
            reason = mode.why_not(config.platform) or "One live run per cell: this one is predicted."
            reports.append(LiveReport(False, predict(config), reason=reason))
    parts = [_CSS, mode.badge_html()]
    for i, (config, report) in enumerate(zip(configs, reports)):
        name = "Docker Desktop" if config.platform == "desktop" else "Linux"
        # How to run it at home is said once, under the last box that did not run.
        last_not_run = i == max(j for j, r in enumerate(reports) if not r.ran) if not all(r.ran for r in reports) else False
        parts.append(f"<div style='margin-top:6px'><b>{name}</b></div>{live_html(report, home=last_not_run)}")
    display(HTML("".join(parts)))
    return reports


# --------------------------------------------------------------------------------------------------
# Predict, then check
# --------------------------------------------------------------------------------------------------


class _Widgeted:
    """An exercise shown as an ipywidgets view, built on first use by the subclass's ``_build``."""

    _widget = None

    @property
    def widget(self):
        """The ipywidgets view (built on first use)."""
        if self._widget is None:
            self._build()
        return self._widget

    def _build(self) -> None:
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


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


class PredictCheck(_Widgeted):
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
                rows.append(f"<li>{mark} <code>{_esc(url)}</code>{_esc(why)}</li>")
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
                f'<div class="owui-bad">✗ Not quite. The answer is: <b>{_esc(right)}</b>.</div>'
                f"{self._explanation()}"
            )
        if self._widget is not None:
            self._result.value = _CSS + f'<div class="owui-box owui-feedback">{html_text}</div>'
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
        w = _widgets()
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
                w.HTML(_CSS + f'<div style="font-size:1.05em"><b>Predict:</b> {self.question}</div>'),
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
        from . import environment

        finished = self.feedback is not None and (self.feedback.correct or self.feedback.revealed)
        if finished and environment.detect().can_run(self.config.platform):
            self._live_button.layout.display = None

    def _run_live(self, _button: Any = None) -> None:
        self._live_button.disabled = True
        self._live_out.value = "<i>Starting stand-ins, probing, tearing down (a few seconds)...</i>"
        try:
            self._live_out.value = _CSS + live_html(live_check(self.config))
        finally:
            self._live_button.disabled = False


def _strip_tags(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --------------------------------------------------------------------------------------------------
# Fix it: repair a broken configuration by changing knobs
# --------------------------------------------------------------------------------------------------

# The values each knob offers in a fix-it widget; networks are completed from the configuration.
KNOB_LABELS = {
    "platform": "Platform",
    "ollama": "Ollama runs",
    "ollama_bind": "OLLAMA_HOST",
    "ollama_network": "Ollama's network",
    "ollama_publish": "Ollama's -p",
    "webui_network": "Open WebUI's network",
    "add_host_gateway": "--add-host=host.docker.internal:host-gateway",
    "base_url": "OLLAMA_BASE_URL",
    "desktop_host_networking": "Docker Desktop: Enable host networking",
    "compose": "one compose stack",
}
_BOOL_KNOBS = ("add_host_gateway", "desktop_host_networking", "compose")


def _options(knob: str, config: Config, networks: Sequence[str]) -> list[tuple[str, Any]]:
    if knob == "platform":
        return [("Linux (Docker Engine)", "linux"), ("Docker Desktop", "desktop")]
    if knob == "ollama":
        return [("on the host (native)", "host"), ("in a container", "container")]
    if knob == "ollama_bind":
        return [("(default of where it runs)", None), ("127.0.0.1 (loopback only)", "127.0.0.1"),
                ("0.0.0.0 (all addresses)", "0.0.0.0")]
    if knob in ("ollama_network", "webui_network"):
        nets = ["bridge", "host", *networks]
        opts = [("default bridge" if n == "bridge" else ("host network" if n == "host" else n), n) for n in nets]
        return opts
    if knob == "ollama_publish":
        return [("none", "none"), ("-p 11434:11434 (all addresses)", "all"),
                ("-p 127.0.0.1:11434:11434 (loopback)", "loopback")]
    raise ConfigError(f"The knob {knob!r} has no list of values.", "pass it as a checkbox or a base URL.")


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


class FixIt(_Widgeted):
    """A broken configuration to repair by changing some knobs; the engine checks the repair.

    Args:
        task: what to achieve (HTML allowed).
        broken: the starting configuration (the engine must find it broken).
        knobs: the knobs the learner may change (others stay as in ``broken``).
        goal: ``"ollama"`` (Open WebUI reaches Ollama) or ``"both"`` (and the browser reaches Open WebUI).
        keep: knobs that must keep these values for the repair to count (e.g. no host networking).
        hint: shown on request and after the second unsuccessful check.
        networks: user-defined network names offered beside bridge and host.
        why: teaching shown once it is fixed.
    """

    def __init__(
        self,
        task: str,
        broken: Config,
        knobs: Sequence[str],
        *,
        goal: str = "both",
        keep: Mapping[str, Any] | None = None,
        hint: str = "",
        networks: Sequence[str] = (),
        why: str = "",
    ) -> None:
        unknown = [k for k in knobs if k not in KNOB_LABELS]
        if unknown:
            raise ConfigError(f"FixIt cannot offer the knob(s) {unknown}.", f"offer some of: {', '.join(KNOB_LABELS)}.")
        if goal not in ("ollama", "both"):
            raise ConfigError(f"FixIt(goal={goal!r}) is not a goal.", "use 'ollama' or 'both'.")
        self.task = task
        self.broken = broken
        self.knobs = list(knobs)
        self.goal = goal
        self.keep = dict(keep or {})
        self.hint = hint
        self.why = why
        own = [n for n in (broken.webui_network, broken.ollama_network) if n and n not in ("bridge", "host")]
        self.networks = list(dict.fromkeys([*own, *networks]))
        self.values: dict[str, Any] = {k: getattr(broken, k) for k in self.knobs}
        self.tries = 0
        self.feedback: Feedback | None = None
        self.verdict: Verdict | None = None
        if self._fixed(broken)[0]:
            raise ConfigError("FixIt was given a configuration that already works.", "start from a broken one.")
        self._widget = None
        self._controls: dict[str, Any] = {}

    @property
    def config(self) -> Config:
        """The configuration as the learner has set it (raises ConfigError when knobs contradict)."""
        return build_config(self.broken, self.values)

    def set(self, **knobs: Any) -> "FixIt":
        """Change knobs as the learner would (also moves the widget's controls)."""
        for name, value in knobs.items():
            if name not in self.knobs:
                raise ConfigError(
                    f"This exercise does not let you change {name!r}.",
                    f"change some of: {', '.join(self.knobs)}.",
                )
            self.values[name] = value
            control = self._controls.get(name)
            if control is not None and control.value != value:
                control.value = value
        return self

    def _fixed(self, c: Config) -> tuple[bool, str]:
        v = evaluate(c)
        self.verdict = v
        for name, value in self.keep.items():
            if getattr(c, name) != value:
                return False, f"It must still have {KNOB_LABELS.get(name, name)} = {value}: that is part of the task."
        if not v.reachable:
            return False, f"Open WebUI still cannot reach Ollama ({v.outcome}): {v.failing_step.reason}."
        if self.goal == "both" and not v.browser.reachable:
            return False, f"Open WebUI reaches Ollama now, but your browser cannot reach Open WebUI: {v.browser.reason}."
        return True, "Fixed: Open WebUI reaches Ollama" + (
            f" and your browser reaches Open WebUI at {v.browser.url}." if self.goal == "both" else ".")

    def check(self) -> Feedback:
        """Check the learner's configuration with the engine; also updates the widget."""
        self.tries += 1
        try:
            config = self.config
        except ConfigError as exc:
            self.feedback = Feedback(False, False, str(exc))
            self._show(_error_html(exc))
            return self.feedback
        ok, message = self._fixed(config)
        if ok:
            self.feedback = Feedback(True, False, message)
            extra = f"<p>{self.why}</p>" if self.why else ""
            self._show(f'<div class="owui-ok">✓ {_esc(message)}</div>{verdict_html(predict(config))}{extra}')
        else:
            hint = ""
            if self.tries >= 2 and self.hint:
                hint = f"<div><b>Hint:</b> {self.hint}</div>"
            if self.tries >= 2 and self._widget is not None:
                self._solution_button.disabled = False
            self.feedback = Feedback(False, False, message)
            self._show(f'<div class="owui-bad">✗ Not fixed yet.</div><div>{_esc(message)}</div>{hint}')
        return self.feedback

    def solutions(self) -> list[str]:
        """The engine's fixes for the broken configuration (what "Show a solution" reveals)."""
        return list(predict(self.broken).fixes)

    def _show(self, body: str) -> None:
        if self._widget is not None:
            self._result.value = _CSS + f'<div class="owui-box owui-feedback">{body}</div>'

    def _build(self) -> None:
        w = _widgets()
        rows = []
        style = {"description_width": "initial"}
        for knob in self.knobs:
            value = self.values[knob]
            label = KNOB_LABELS[knob]
            if knob in _BOOL_KNOBS:
                control = w.Checkbox(value=bool(value), description=label, style=style, indent=False,
                                     layout=w.Layout(width="auto"))
            elif knob == "base_url":
                options = list(dict.fromkeys([value, *COMMON_BASE_URLS,
                                              f"http://{self.broken.ollama_name}:11434"]))
                control = w.Combobox(value=value, options=options, description=label, style=style,
                                     ensure_option=False, layout=w.Layout(width="32em"))
            else:
                options = _options(knob, self.broken, self.networks)
                if value not in [v for _, v in options]:
                    options.append((str(value), value))
                control = w.Dropdown(options=options, value=value, description=label, style=style)
            control.observe(self._changed(knob), names="value")
            self._controls[knob] = control
            rows.append(control)
        self._check_button = w.Button(description="Check my fix", button_style="primary")
        self._hint_button = w.Button(description="Hint", disabled=not self.hint)
        # The answer comes after the hint: a solution is offered once two checks have failed.
        self._solution_button = w.Button(description="Show a solution", disabled=True)
        self._result = w.HTML()
        self._check_button.on_click(lambda _: self.check())
        self._hint_button.on_click(lambda _: self._show(f"<b>Hint:</b> {self.hint}"))
        self._solution_button.on_click(
            lambda _: self._show("<b>Any one of these works:</b><ul>"
                                 + "".join(f"<li>{_esc(s)}</li>" for s in self.solutions()) + "</ul>")
        )
        start = verdict_html(predict(self.broken), fixes=False, notes=False)
        self._widget = w.VBox(
            [
                w.HTML(_CSS + f"<div><b>Fix it:</b> {self.task}</div>"
                       f"<details><summary>What happens now</summary>{start}</details>"),
                *rows,
                w.HBox([self._check_button, self._hint_button, self._solution_button]),
                self._result,
            ]
        )
        self._widget.add_class("owui-fixit")
        self._check_button.add_class("owui-check")
        for knob, control in self._controls.items():
            control.add_class(f"owui-knob-{knob.replace('_', '-')}")
        self._sync_enabled()

    def _changed(self, knob: str) -> Callable[[dict], None]:
        def on_change(change: dict) -> None:
            self.values[knob] = change["new"]
            self._sync_enabled()

        return on_change

    def _sync_enabled(self) -> None:
        # Knobs that do not apply are disabled, never silently ignored.
        host_ollama = self.values.get("ollama", self.broken.ollama) == "host"
        linux = self.values.get("platform", self.broken.platform) == "linux"
        for knob, control in self._controls.items():
            if knob in ("ollama_network", "ollama_publish"):
                control.disabled = host_ollama
            elif knob == "desktop_host_networking":
                control.disabled = linux


# --------------------------------------------------------------------------------------------------
# The classroom stage: the instructor's projector view (Voila, no code shown)
# --------------------------------------------------------------------------------------------------


class Stage(_Widgeted):
    """A projector-friendly demo: pick a seed scenario, flip a few big toggles, watch the verdict.

    Args:
        scenario_id: the seed scenario to start from.
        diagram: draw the diagram under the verdict (when the drawing part is installed).
    """

    TOGGLES = (
        ("bind_all", "Ollama listens on 0.0.0.0"),
        ("add_host_gateway", "--add-host host-gateway"),
        ("host_network", "Open WebUI: --network host"),
        ("desktop_host_networking", "Desktop: host networking on"),
    )

    def __init__(self, scenario_id: str = "linux-ollama-on-host", *, diagram: bool = True) -> None:
        from .catalog import scenarios

        self.scenarios = {s.id: s for s in scenarios()}
        if scenario_id not in self.scenarios:
            raise ConfigError(f"There is no scenario {scenario_id!r}.", f"use one of: {', '.join(self.scenarios)}.")
        self.diagram = diagram
        self.scenario_id = scenario_id
        self.config = self.scenarios[scenario_id].config
        self.verdict = predict(self.config)
        self._widget = None
        self._syncing = False

    # -- state changes (the widget and tests both go through these) ---------------------------
    def choose(self, scenario_id: str) -> Verdict:
        """Start again from a seed scenario."""
        self.scenario_id = scenario_id
        self.config = self.scenarios[scenario_id].config
        return self._update(sync=True)

    def toggle(self, name: str, on: bool) -> Verdict:
        """Flip one of ``TOGGLES`` (by its name) and predict again."""
        c = self.config
        base = self.scenarios[self.scenario_id].config
        if name == "bind_all":
            change = {"ollama_bind": "0.0.0.0" if on else "127.0.0.1"}
        elif name == "add_host_gateway":
            change = {"add_host_gateway": on}
        elif name == "host_network":
            back = base.webui_network if base.webui_network != "host" else "bridge"
            change = {"webui_network": "host" if on else back}
        elif name == "desktop_host_networking":
            change = {"desktop_host_networking": on and c.platform == "desktop"}
        else:
            raise ConfigError(f"There is no toggle {name!r}.", f"use one of: {', '.join(n for n, _ in self.TOGGLES)}.")
        self.config = build_config(c, change)
        return self._update()

    def set_base_url(self, url: str) -> Verdict:
        """Change OLLAMA_BASE_URL and predict again (a bad URL shows the kit's error box)."""
        self.config = build_config(self.config, {"base_url": url})
        return self._update()

    def _toggle_state(self) -> dict[str, bool]:
        c = self.config
        return {
            "bind_all": c.ollama_listen.all_addresses,
            "add_host_gateway": c.add_host_gateway,
            "host_network": c.webui_host_mode,
            "desktop_host_networking": c.desktop_host_networking,
        }

    def headline(self) -> str:
        """The verdict in a few words, as the projector shows it."""
        v = self.verdict
        if v.reachable and v.browser.reachable:
            return "✓ It works: Open WebUI reaches Ollama"
        if v.reachable:
            return "✗ Ollama is reached, but the browser cannot open Open WebUI"
        return "✗ " + OUTCOME_TEXT[v.outcome].split(": ", 1)[1].capitalize()

    def _update(self, sync: bool = False) -> Verdict:
        self.verdict = predict(self.config)
        if self._widget is not None:
            self._render(sync)
        return self.verdict

    # -- the widget ---------------------------------------------------------------------------
    def _build(self) -> None:
        w = _widgets()
        self._picker = w.Dropdown(
            options=[(s.title, s.id) for s in self.scenarios.values()],
            value=self.scenario_id,
            layout=w.Layout(width="34em"),
        )
        self._toggles = {
            name: w.ToggleButton(description=label, value=False, layout=w.Layout(width="auto"))
            for name, label in self.TOGGLES
        }
        self._url = w.Dropdown(options=list(COMMON_BASE_URLS), layout=w.Layout(width="24em"))
        self._headline = w.HTML()
        self._steps = w.HTML()
        # An Image widget, not an Output: its value is state we set, the same in JupyterLab, Voila and nbclient.
        self._picture = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self._picture_note = w.HTML()
        # The instructor can run the configuration for real where the daemon can (a few seconds).
        self._run = w.Button(description="Run it for real", button_style="success", layout=w.Layout(width="auto"))
        self._run.add_class("owui-stage-run")
        self._run.on_click(lambda _: self.run_live())
        self._run_reason = w.HTML()
        self._live = w.HTML()
        self._picker.observe(lambda ch: None if self._syncing else self.choose(ch["new"]), names="value")
        for name, button in self._toggles.items():
            button.observe(
                (lambda n: lambda ch: None if self._syncing else self.toggle(n, ch["new"]))(name), names="value"
            )
        self._url.observe(lambda ch: None if self._syncing else self.set_base_url(ch["new"]), names="value")
        self._widget = w.VBox(
            [
                w.HTML(_CSS),
                self._picker,
                w.HBox(list(self._toggles.values()), layout=w.Layout(flex_flow="row wrap")),
                w.HBox([w.Label("OLLAMA_BASE_URL"), self._url]),
                self._headline,
                w.HBox([self._run, self._run_reason]),
                self._live,
                self._steps,
                self._picture,
                self._picture_note,
            ]
        )
        self._widget.add_class("owui-stage")
        self._render(sync=True)

    def _render(self, sync: bool) -> None:
        self._syncing = True
        try:
            # Toggles always show the configuration's real state (a toggle may change others).
            state = self._toggle_state()
            for name, button in self._toggles.items():
                button.value = state[name]
            if sync:
                self._picker.value = self.scenario_id
                urls = list(dict.fromkeys([self.config.base_url, *COMMON_BASE_URLS]))
                self._url.options = urls
                self._url.value = self.config.base_url
            self._toggles["desktop_host_networking"].disabled = self.config.platform != "desktop"
        finally:
            self._syncing = False
        from . import environment

        mode = environment.detect()
        self._run.disabled = not mode.can_run(self.config.platform)
        self._run_reason.value = f"<span style='color:{GREY}'>{_esc(mode.why_not(self.config.platform))}</span>"
        self._live.value = ""  # an observation of the previous configuration would be stale
        v = self.verdict
        # Everything is computed before any widget changes, so the verdict and the picture arrive
        # together: the projector never shows a new verdict beside an old diagram.
        png, note = _diagram_or_note(self.config) if self.diagram else (None, "")
        colour = GREEN if v.reachable and v.browser.reachable else RED
        self._headline.value = (
            f'<div class="owui-verdict-headline" data-outcome="{_esc(v.outcome)}" '
            f'style="color:{colour}">{_esc(self.headline())}</div>'
        )
        self._steps.value = verdict_html(v, notes=False, steps_class="owui-stage-steps")
        if self.diagram:
            self._picture.value = png or b""
            self._picture.layout.display = None if png else "none"
            self._picture_note.value = f'<i class="owui-diagram-missing">{_esc(note)}</i>' if note else ""

    def run_live(self) -> LiveReport:
        """Run the configuration on the stage for real (or say why not), and show observed beside predicted."""
        if self._widget is not None:
            self._run.disabled = True
            self._live.value = "<i>Starting stand-ins, probing, tearing down (a few seconds)...</i>"
        config = self.config
        report = live_check(config)
        if self._widget is not None and config == self.config:
            self._live.value = live_html(report)
            self._run.disabled = False
        return report


# --------------------------------------------------------------------------------------------------
# The doctor and the sandbox, as the notebooks call them
# --------------------------------------------------------------------------------------------------


def run_doctor() -> Any:
    """Run the doctor on this machine and display its checklist; say plainly when it cannot look.

    Returns:
        The doctor's report, or None when there is no daemon to look at (or the doctor is not installed).
    """
    from IPython.display import HTML, display

    from . import environment
    from .environment import RUN_AT_HOME

    mode = environment.detect()
    if not mode.live:
        display(HTML(
            _CSS + f'<div class="owui-box owui-live" data-live="predicted-only" style="border-left:6px solid {AMBER}">'
            "<b>The doctor needs a Docker daemon to look at, and none answers here</b> "
            f"({_esc(mode.detail)}). It looks at <i>your</i> containers, so run it on the machine where "
            "Open WebUI runs: <code>owui-lab doctor</code> in a terminal, or this notebook with "
            f"<code>make lab</code>.<br>{RUN_AT_HOME}</div>"
        ))
        return None
    try:
        doctor = importlib_attr("owui_lab.diagnosis", "doctor")
    except ImportError:
        display(HTML("<i>(The doctor part of the kit is not installed here.)</i>"))
        return None
    try:
        report = doctor()
    except OwuiLabError as exc:
        display(HTML(_error_html(exc)))
        return None
    display(report)
    return report


def sandbox() -> Any:
    """The explorer (every knob, the diagram, the verdict, the commands, live runs), or the stage without it."""
    try:
        explorer = importlib_attr("owui_lab.explore", "explorer")
    except ImportError:
        return Stage()
    return explorer()


def importlib_attr(module: str, name: str) -> Any:
    """``module.name``, imported on demand; ImportError when the module or the name is missing."""
    import importlib

    mod = importlib.import_module(module)
    try:
        return getattr(mod, name)
    except AttributeError:
        raise ImportError(f"{module} has no {name}") from None
