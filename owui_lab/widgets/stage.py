"""The classroom stage: the instructor's projector view (``instructor.ipynb`` under Voila, no code shown).

Pick a seed scenario, flip a few big switches, watch the verdict and the diagram; where the daemon can,
"Run it for real" puts the lab's observation beside the prediction.

Made for the back of a room: two columns that fit a 1280x720 projector without scrolling (the picker,
the switches, the base URL and the live run on the left; the headline and the whole diagram on the
right, the diagram never taller than the screen leaves it), type of 18 px and more, and switches whose
state reads from afar: ON in green with a filled mark, OFF in white with an empty one.
"""

from __future__ import annotations

from typing import Any

from ..catalog import scenarios
from ..config import ENGINE_TITLES, ENGINES
from ..engine import Verdict
from ..errors import ConfigError
from ..knobs import knob
from ..prediction import predict
from ..presentation import CSS, esc, headline_html, headline_text, live_html, missing_diagram_html, verdict_html
from . import live
from .base import BASE_URLS, Painter, Picture, Widgeted, build_config, ipywidgets
from .live import LiveReport
from .paste_box import PasteBox, read_box

class Stage(Widgeted):
    """A projector-friendly demo: pick a seed scenario, flip a few big switches, watch the verdict.

    Besides the switches (``TOGGLES``): the base URL, Linux's engine (hidden on Docker Desktop), "Paste your
    command", "Run it for real" (the lab's observation beside the prediction) and **Reveal**.

    Args:
        scenario_id: the seed scenario to start from.
        diagram: draw the diagram under the verdict (when the drawing part is installed).
        hold: hide the verdict and the diagram's path after every change until the instructor presses
            **Reveal**, so the room predicts first (a switch on the stage turns it off and on).
    """

    TOGGLES = (
        ("bind_all", "Ollama listens on 0.0.0.0"),
        ("add_host_gateway", "--add-host host-gateway"),
        ("host_network", "Open WebUI: --network host"),
        ("desktop_host_networking", "Desktop: Enable host networking"),
    )

    def __init__(self, scenario_id: str = "linux-ollama-on-host", *, diagram: bool = True, hold: bool = False) -> None:
        self.scenarios = {s.id: s for s in scenarios()}
        if scenario_id not in self.scenarios:
            raise ConfigError(f"There is no scenario {scenario_id!r}.", f"use one of: {', '.join(self.scenarios)}.")
        self.diagram = diagram
        self.scenario_id = scenario_id
        self.config = self.scenarios[scenario_id].config
        self.verdict = predict(self.config)
        self.hold = hold
        self.revealed = not hold
        self._widget = None
        self._syncing = False
        self._painter = Painter(projector=True)  # larger text, fewer words: read from the back of the room

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

    def set_engine(self, engine: str) -> Verdict:
        """Run the same setup on another Linux engine (rootless Docker, rootful or rootless Podman)."""
        self.config = build_config(self.config, {"engine": engine if self.config.platform == "linux" else "docker"})
        return self._update()

    def set_base_url(self, url: str) -> Verdict:
        """Change OLLAMA_BASE_URL and predict again (a bad URL shows the kit's error box)."""
        self.config = build_config(self.config, {"base_url": url})
        return self._update()

    def paste(self, text: str) -> Verdict:
        """Set every knob from what someone ran (a docker run line, a compose file, host Ollama lines)."""
        setup = read_box(text, self.config.platform)
        self.config = setup.config
        if self.scenario_id not in self.scenarios or setup.reconstruction.scenario:
            self.scenario_id = setup.reconstruction.scenario or self.scenario_id
        return self._update(sync=True)

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
        return headline_text(self.verdict)

    def reveal(self) -> Verdict:
        """Show the verdict and the diagram held back for the room's prediction (the Reveal button)."""
        self.revealed = True
        self._show_held()
        return self.verdict

    def hold_answers(self, on: bool) -> None:
        """Hold the verdict back after every change until Reveal (on), or show it at once (off)."""
        self.hold = on
        self.revealed = not on
        self._show_held()

    def _show_held(self) -> None:
        """Hide or show what answers the room's prediction: the headline, the transcript, the diagram."""
        if self._widget is None:
            return
        hidden = self.hold and not self.revealed
        for part in (self._headline, self._steps, self._picture):
            part.layout.visibility = "hidden" if hidden else "visible"
        self._waiting.layout.display = None if hidden else "none"
        self._reveal.layout.display = None if hidden else "none"
        self._hold.value = self.hold

    def _update(self, sync: bool = False) -> Verdict:
        self.verdict = predict(self.config)
        self.revealed = not self.hold  # a new configuration: the room predicts again
        if self._widget is not None:
            self._render(sync)
        return self.verdict

    # -- the widget ---------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        self._picker = w.Dropdown(
            options=[(s.title, s.id) for s in self.scenarios.values()],
            value=self.scenario_id,
            description="Scenario",  # its accessible name (the label is for screen readers only)
            layout=w.Layout(width="100%"),
        )
        self._picker.add_class("owui-stage-picker")
        self._picker.add_class("owui-unseen-label")
        self._toggles = {
            name: w.ToggleButton(description=label, value=False, layout=w.Layout(width="100%"))
            for name, label in self.TOGGLES
        }
        for name, button in self._toggles.items():
            button.add_class("owui-switch")
            button.add_class(f"owui-switch-{name.replace('_', '-')}")
        self._url = w.Dropdown(options=list(BASE_URLS), description=knob("base_url").label,
                               layout=w.Layout(width="100%"))
        self._url.add_class("owui-stage-url")
        self._url.add_class("owui-unseen-label")  # named for screen readers; shown by url_label, larger
        self._headline = w.HTML()
        self._steps = w.HTML()
        # An HTML widget, not an Output: its value is state we set, the same in JupyterLab, Voila and
        # nbclient; and an <img> we write ourselves carries its alt text, description and size facts.
        self._picture = w.HTML(layout=w.Layout(width="100%"))
        self._picture.add_class("owui-stage-picture")
        self._picture_note = w.HTML()
        # The instructor can run the configuration for real where the daemon can (a few seconds).
        self._run = w.Button(description="Run it for real", button_style="success", layout=w.Layout(width="auto"))
        self._run.add_class("owui-stage-run")
        self._run.on_click(lambda _: self.run_live())
        self._run_reason = w.HTML()
        self._live = w.HTML()
        # Predict first: with hold on, the verdict and the diagram wait for Reveal after every change.
        self._reveal = w.Button(description="Reveal", button_style="warning", layout=w.Layout(width="auto"))
        self._reveal.add_class("owui-stage-reveal")
        self._reveal.on_click(lambda _: self.reveal())
        self._waiting = w.HTML("<div class='owui-stage-waiting' style='font-size:24px'>What will happen? "
                               "Predict, then press <b>Reveal</b>.</div>")
        self._hold = w.ToggleButton(description="Hold the answer until Reveal", value=self.hold,
                                    layout=w.Layout(width="100%"))
        self._hold.add_class("owui-stage-hold")
        self._hold.observe(lambda ch: self.hold_answers(ch["new"]), names="value")
        self._picker.observe(lambda ch: None if self._syncing else self.choose(ch["new"]), names="value")
        for name, button in self._toggles.items():
            button.observe(
                (lambda n: lambda ch: None if self._syncing else self.toggle(n, ch["new"]))(name), names="value"
            )
        self._url.observe(lambda ch: None if self._syncing else self.set_base_url(ch["new"]), names="value")
        # Linux's engines: the same setup on Podman or rootless Docker (hidden on Docker Desktop)
        self._engine = w.Dropdown(options=[(ENGINE_TITLES[e], e) for e in ENGINES], value="docker",
                                  description=knob("engine").label, layout=w.Layout(width="100%"))
        self._engine.add_class("owui-stage-engine")
        self._engine.observe(lambda ch: None if self._syncing else self.set_engine(ch["new"]), names="value")
        url_label = w.HTML("<span class='owui-stage-url-label'>OLLAMA_BASE_URL</span>")
        controls = w.VBox(
            [
                self._picker,
                *self._toggles.values(),
                url_label,  # on its own line, left-aligned with the dropdown under it: the URL needs the width
                self._url,
                self._engine,
                self._hold,
                self._run,
                self._run_reason,
            ],
            # 330 px on a 1280 px projector (the drop-downs' longest choices whole at 18 px), up to 460 px on a
            # wider one: the rest goes to the diagram
            layout=w.Layout(flex="0 0 auto", min_width="0", width="clamp(330px, 25vw, 460px)"),
        )
        controls.add_class("owui-stage-controls")
        # The observation goes under the diagram, never above it: a live run moves nothing the room watches
        # (the controls column is full at 1280x720 since the engine and Reveal controls joined it).
        view = w.VBox([self._waiting, self._reveal, self._headline, self._picture, self._picture_note, self._live],
                      layout=w.Layout(flex="1 1 600px", min_width="0"))
        view.add_class("owui-stage-view")
        self._widget = w.VBox(
            [
                w.HTML(CSS),
                w.HBox([controls, view], layout=w.Layout(align_items="flex-start", grid_gap="0 24px")),
                self._steps,  # the transcript below: for questions after the demo
                self._paste_panel(w),
            ]
        )
        self._widget.add_class("owui-stage")
        self._render(sync=True)

    def _paste_panel(self, w: Any) -> Any:
        """"Paste your command", folded under the transcript: a room's own setup on the stage."""
        def read(setup: Any) -> Any:
            self.config = setup.config
            self.scenario_id = setup.reconstruction.scenario or self.scenario_id
            self._update(sync=True)
            return self.config
        self._paste_box = PasteBox(read, lambda: self.config.platform)
        panel = w.Accordion(children=[self._paste_box.widget], selected_index=None)
        panel.set_title(0, "Paste your command")
        panel.add_class("owui-stage-paste")
        return panel

    def _render(self, sync: bool) -> None:
        self._syncing = True
        try:
            # Toggles always show the configuration's real state (a toggle may change others).
            state = self._toggle_state()
            for (name, label), button in zip(self.TOGGLES, self._toggles.values()):
                button.value = state[name]
                # the state in words and a mark, not by shade alone: it reads from the back of the room
                button.description = f"{'● ON' if state[name] else '○ OFF'}   {label}"
            if sync:
                self._picker.value = self.scenario_id
                urls = list(dict.fromkeys([self.config.base_url, *BASE_URLS]))
                self._url.options = urls
                self._url.value = self.config.base_url
            self._toggles["desktop_host_networking"].disabled = self.config.platform != "desktop"
            self._engine.value = self.config.engine
            self._engine.layout.display = "none" if self.config.platform == "desktop" else None
        finally:
            self._syncing = False
        can_run, why_not = live.offered(self.config)
        self._run.disabled = not can_run
        self._run_reason.value = f"<div class='owui-run-reason owui-muted'>{esc(why_not)}</div>" if why_not else ""
        self._live.value = ""  # an observation of the previous configuration would be stale
        v = self.verdict
        # Everything is computed before any widget changes, so the verdict and the picture arrive
        # together: the projector never shows a new verdict beside an old diagram.
        picture, note = self._picture_of(v) if self.diagram else (None, "")
        self._headline.value = headline_html(v)
        self._steps.value = verdict_html(v, notes=False, steps_class="owui-stage-steps")
        if self.diagram:
            self._picture.value = picture.html("owui-stage-diagram") if picture else ""
            self._picture.layout.display = None if picture else "none"
            self._picture_note.value = missing_diagram_html(note) if note else ""
        self._show_held()

    def _picture_of(self, verdict: Verdict) -> tuple[Picture | None, str]:
        try:
            return self._painter.picture(self.config, verdict), ""
        except Exception as exc:  # noqa: BLE001 - the verdict above still teaches; say what went wrong
            return None, (f"(The diagram could not be drawn: {exc.__class__.__name__}: {exc}. "
                          "The verdict is unaffected.)")

    def run_live(self) -> LiveReport:
        """Run the configuration on the stage for real (or say why not), and show observed beside predicted."""
        if self._widget is not None:
            self._run.disabled = True
            self._live.value = "<i>Starting stand-ins, probing, tearing down (a few seconds)...</i>"
        config = self.config
        self.reveal()  # the observation answers the room's prediction: the verdict comes with it
        report = live.live_check(config)
        if self._widget is not None and config == self.config:
            self._live.value = live_html(report, home=False, compact=True)
            self._run.disabled = False
        return report

