"""Fix it: repair a broken configuration by changing a few knobs; the engine checks the repair.

The learner gets a broken configuration and the knobs the exercise lets them change; "What happens now"
follows the knobs as they move, and "Check my fix" asks the engine. A hint comes after the second
unsuccessful check, and a solution only after that: the engine's own fixes that use the exercise's knobs
and keep its rule (no "publish Ollama's port" where the task says not to). A compose exercise speaks
compose (``extra_hosts:``, ``environment:``, ``networks:``). "Reset" puts the broken setup back.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Callable, Mapping, Sequence

from ..config import Config
from ..engine import Verdict, evaluate
from ..errors import ConfigError
from ..fixes import candidate_changes
from ..knobs import KNOBS
from ..prediction import predict
from ..presentation import CSS, OUTCOME_PHRASE, error_html, esc, verdict_html
from .base import BASE_URLS, Feedback, Widgeted, build_config, ipywidgets

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
#: The same knobs as keys of a compose file, for an exercise on a compose stack.
COMPOSE_LABELS = {
    **KNOB_LABELS,
    "ollama_bind": "ollama: environment: OLLAMA_HOST",
    "ollama_network": "ollama: networks:",
    "ollama_publish": "ollama: ports:",
    "webui_network": "open-webui: networks:",
    "add_host_gateway": "open-webui: extra_hosts: host.docker.internal:host-gateway",
    "base_url": "open-webui: environment: OLLAMA_BASE_URL",
}
_BOOL_KNOBS = frozenset(k.name for k in KNOBS if k.kind == "bool")  # offered as a checkbox
# ipywidgets 8 reads a Dropdown's value None as "nothing selected" (a blank box): an unset knob is
# offered under this stand-in value and read back as None.
UNSET = "(unset)"


def _in_control(knob: str, value: Any) -> Any:
    """A knob's value as its control holds it (a dropdown holds UNSET for None)."""
    return UNSET if value is None and knob not in _BOOL_KNOBS and knob != "base_url" else value


def _value_words(knob: str, value: Any) -> str:
    """A knob's value as the task states it ("not published", "the default bridge")."""
    if knob == "ollama_publish":
        return {None: "not published", "none": "not published", "all": "published as -p 11434:11434",
                "loopback": "published on 127.0.0.1 only"}.get(value, str(value))
    if knob in ("webui_network", "ollama_network"):
        return {"bridge": "the default bridge", "host": "the host network"}.get(value, f"the network {value}")
    if isinstance(value, bool):
        return "on" if value else "off"
    return "its default" if value is None else str(value)


def _options(knob: str, config: Config, networks: Sequence[str]) -> list[tuple[str, Any]]:
    if knob == "platform":
        return [("Linux (Docker Engine)", "linux"), ("Docker Desktop", "desktop")]
    if knob == "ollama":
        return [("on the host (native)", "host"), ("in a container", "container")]
    if knob == "ollama_bind":
        docker0 = [("172.17.0.1 (docker0 only)", "172.17.0.1")] if config.platform == "linux" else []
        return [("(default of where it runs)", None), ("127.0.0.1 (loopback only)", "127.0.0.1"), *docker0,
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
        keep: knobs that must keep these values for the repair to count (e.g. no host networking); a list
            of values allows any one of them.
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
        self.labels = COMPOSE_LABELS if broken.compose else KNOB_LABELS
        self.values: dict[str, Any] = {k: getattr(broken, k) for k in self.knobs}
        self.tries = 0
        self.feedback: Feedback | None = None
        self.verdict: Verdict | None = None
        self.solution_shown = False
        self._listeners: list[Callable[["FixIt"], None]] = []
        if self._fixed(broken)[0]:
            raise ConfigError("FixIt was given a configuration that already works.", "start from a broken one.")
        self._widget = None
        self._controls: dict[str, Any] = {}

    @property
    def finished(self) -> bool:
        """Fixed, or a solution was shown: what comes after the exercise (its summary) may open."""
        return self.solution_shown or (self.feedback is not None and self.feedback.correct)

    def on_finish(self, callback: Callable[["FixIt"], None]) -> None:
        """Call ``callback(self)`` once the exercise is finished (at once if it already is)."""
        self._listeners.append(callback)
        if self.finished:
            callback(self)

    def _finish(self) -> None:
        for callback in list(self._listeners):
            callback(self)

    def show_solution(self) -> list[str]:
        """Give the solutions away (the widget's "Show a solution"); what comes after may then open."""
        found = self.solutions()
        self.solution_shown = True
        self._show("<b>Any one of these works:</b><ul>" + "".join(f"<li>{esc(s)}</li>" for s in found) + "</ul>")
        self._finish()
        return found

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
            if control is not None and control.value != _in_control(name, value):
                control.value = _in_control(name, value)
        return self

    def _fixed(self, c: Config, record: bool = True) -> tuple[bool, str]:
        v = evaluate(c)
        if record:
            self.verdict = v
        for name, value in self.keep.items():
            # A list keeps the knob to one of its values (03: Ollama may change networks, but not to the host's).
            allowed = value if isinstance(value, list) else [value]
            if getattr(c, name) not in allowed:
                if isinstance(value, list):
                    return False, (f"{self.labels.get(name, name)} must be "
                                   f"{' or '.join(_value_words(name, v) for v in allowed)}: that is part of the task.")
                return False, (f"{self.labels.get(name, name)} must stay {_value_words(name, value)}: that is "
                               "part of the task.")
        if not v.reachable:
            return False, f"Open WebUI still cannot reach Ollama ({OUTCOME_PHRASE[v.outcome]}): {v.failing_step.reason}."
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
            self._finish()
        else:
            hint = ""
            if self.tries >= 2 and self.hint:
                hint = f"<div><b>Hint:</b> {self.hint}</div>"
            if self.tries >= 2 and self._widget is not None:
                self._solution_button.disabled = False
            self.feedback = Feedback(False, False, message)
            self._show(f'<div class="owui-bad">✗ Not fixed yet.</div><div>{esc(message)}</div>{hint}')
        return self.feedback

    def solutions(self, limit: int = 3) -> list[str]:
        """What "Show a solution" reveals: the engine's fixes that this exercise allows.

        Each is one of the engine's changes (or two together) that touches only the exercise's knobs,
        keeps its rule (``keep``) and reaches its goal, checked by the engine; gentlest first.
        """
        changes = [ch for ch in candidate_changes(self.broken) if all(k in self.knobs for k, _ in ch.knobs)]
        found: list[tuple[int, str]] = []
        enough: set = set()
        for size in (1, 2):
            for combo in combinations(changes, size):
                names = [k for ch in combo for k, _ in ch.knobs]
                if len(names) != len(set(names)) or enough.intersection(combo):
                    continue
                knobs = dict(self.values)
                for ch in combo:
                    knobs.update(dict(ch.knobs))
                try:
                    ok = self._fixed(build_config(self.broken, knobs), record=False)[0]
                except ConfigError:
                    continue
                if ok:
                    if size == 1:
                        enough.add(combo[0])
                    found.append((sum(ch.cost for ch in combo) + 100 * (size - 1), "; and ".join(ch.text for ch in combo)))
        found.sort(key=lambda f: f[0])
        return [text for _, text in found[:limit]]

    def reset(self) -> None:
        """Put the broken setup back: every knob as it was, no feedback, the count of checks at zero."""
        self.values = {k: getattr(self.broken, k) for k in self.knobs}
        self.tries = 0
        self.feedback = None
        self.verdict = None
        for knob, control in self._controls.items():
            control.value = _in_control(knob, self.values[knob])
        if self._widget is not None:
            self._result.value = ""
            self._solution_button.disabled = True
            self._render_now()

    def now_html(self) -> str:
        """What happens with the knobs as they are now: the engine's verdict (or why it cannot be built)."""
        try:
            config = self.config
        except ConfigError as exc:
            return error_html(exc)
        return verdict_html(evaluate(config), fixes=False, notes=False)

    def _render_now(self) -> None:
        if self._widget is not None:
            opened = self._now_panel.selected_index is not None
            self._now.value = CSS + self.now_html() if opened else ""

    def _show(self, body: str) -> None:
        if self._widget is not None:
            self._result.value = CSS + f'<div class="owui-box owui-feedback">{body}</div>'

    def _build(self) -> None:
        w = ipywidgets()
        rows = []
        style = {"description_width": "initial"}
        for knob in self.knobs:
            value = self.values[knob]
            label = self.labels[knob]
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
                options = [(text, _in_control(knob, v)) for text, v in options]
                control = w.Dropdown(options=options, value=_in_control(knob, value), description=label, style=style)
            control.observe(self._changed(knob), names="value")
            self._controls[knob] = control
            rows.append(control)
        self._check_button = w.Button(description="Check my fix", button_style="primary")
        self._hint_button = w.Button(description="Hint", disabled=not self.hint)
        # The answer comes after the hint: a solution is offered once two checks have failed.
        self._solution_button = w.Button(description="Show a solution", disabled=True)
        self._reset_button = w.Button(description="Reset")
        self._reset_button.add_class("owui-reset")
        self._reset_button.on_click(lambda _: self.reset())
        self._result = w.HTML()
        self._check_button.on_click(lambda _: self.check())
        self._hint_button.on_click(lambda _: self._show(f"<b>Hint:</b> {self.hint}"))
        self._solution_button.on_click(lambda _: self.show_solution())
        # "What happens now" is there on request (it may answer a question asked above) and, once opened,
        # follows the knobs as they change.
        self._now = w.HTML()
        self._now.add_class("owui-fixit-now")
        now = w.Accordion(children=[self._now], selected_index=None)
        now.set_title(0, "What happens now")
        now.observe(lambda change: self._render_now(), names="selected_index")
        self._now_panel = now
        self._widget = w.VBox(
            [
                w.HTML(CSS + f"<div><b>Fix it:</b> {self.task}</div>"),
                now,
                *rows,
                w.HBox([self._check_button, self._hint_button, self._solution_button, self._reset_button]),
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
            self.values[knob] = None if change["new"] == UNSET else change["new"]
            self._sync_enabled()
            self._render_now()

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

