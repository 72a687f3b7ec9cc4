"""Fix it: repair a broken configuration by changing a few knobs; the engine checks the repair.

The learner gets a broken configuration and the knobs the exercise lets them change; "Check my fix"
asks the engine. A hint comes after the second unsuccessful check, and a solution (the engine's own
fixes) only after that.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from ..config import Config
from ..engine import Verdict, evaluate
from ..errors import ConfigError
from ..prediction import predict
from .base import BASE_URLS, Feedback, Widgeted, build_config, ipywidgets
from .html import CSS, error_html, esc, verdict_html

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



class FixIt(Widgeted):
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
            self._show(error_html(exc))
            return self.feedback
        ok, message = self._fixed(config)
        if ok:
            self.feedback = Feedback(True, False, message)
            extra = f"<p>{self.why}</p>" if self.why else ""
            self._show(f'<div class="owui-ok">✓ {esc(message)}</div>{verdict_html(predict(config))}{extra}')
        else:
            hint = ""
            if self.tries >= 2 and self.hint:
                hint = f"<div><b>Hint:</b> {self.hint}</div>"
            if self.tries >= 2 and self._widget is not None:
                self._solution_button.disabled = False
            self.feedback = Feedback(False, False, message)
            self._show(f'<div class="owui-bad">✗ Not fixed yet.</div><div>{esc(message)}</div>{hint}')
        return self.feedback

    def solutions(self) -> list[str]:
        """The engine's fixes for the broken configuration (what "Show a solution" reveals)."""
        return list(predict(self.broken).fixes)

    def _show(self, body: str) -> None:
        if self._widget is not None:
            self._result.value = CSS + f'<div class="owui-box owui-feedback">{body}</div>'

    def _build(self) -> None:
        w = ipywidgets()
        rows = []
        style = {"description_width": "initial"}
        for knob in self.knobs:
            value = self.values[knob]
            label = KNOB_LABELS[knob]
            if knob in _BOOL_KNOBS:
                control = w.Checkbox(value=bool(value), description=label, style=style, indent=False,
                                     layout=w.Layout(width="auto"))
            elif knob == "base_url":
                options = list(dict.fromkeys([value, *BASE_URLS,
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
                                 + "".join(f"<li>{esc(s)}</li>" for s in self.solutions()) + "</ul>")
        )
        start = verdict_html(predict(self.broken), fixes=False, notes=False)
        self._widget = w.VBox(
            [
                w.HTML(CSS + f"<div><b>Fix it:</b> {self.task}</div>"
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

