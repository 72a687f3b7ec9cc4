"""The explorer: flip Docker networking knobs and watch the diagram, the verdict and the commands change.

``explorer()`` returns an ipywidgets app. The learner picks a preset (one per seed scenario of the
docs' "Network Diagrams" page) or sets the knobs, and at once sees the picture with the path
coloured (``drawing``), the engine's verdict step by step with the fixes, the browser URL, and the
same configuration as commands to type (``recipe``). "Run it live" runs it on the local Docker
daemon (through ``widgets.live``, like every other widget) and puts what happened beside what was
predicted (``presentation``, the one renderer).

The knobs come from their declarations (``knobs.KNOBS``): each one's kind gives its control
(``knob_control``: a short choice is toggle buttons, a longer one a drop-down, a bool a checkbox, a port a
number field, anything typed a text field or a combo box of its ``suggestions``), with its label, help
and choices; its ``group`` gives the heading it sits under ("More knobs", closed, when it has none); its
``platforms`` hide it on the other platform and its ``when`` greys it out, named under "Not used here".
A new knob appears here with no edit of this module. The one exception table, ``OWN_CONTROLS``: Open
WebUI's network and the compose stack are one choice in the learner's words (the mode), and container
Ollama's network offers the networks that mode made.

How updates stay fast and never stale:

- Every control feeds one handler; changes made together (a preset, or one knob that implies
  another) are coalesced by ``batch()`` into a single refresh.
- The diagram is an ``ipywidgets.Image`` whose PNG bytes are replaced in one message, and the verdict
  an ``HTML`` widget: nothing is cleared first, so nothing flickers. PNGs are cached per
  configuration (configurations are frozen and hashable, and the same knobs draw the same picture).
- A bad value (a base URL without ``http://``) shows the kit's one-paragraph error in the verdict
  area; every control keeps what the learner typed, and the diagram is marked as showing the last
  valid configuration.

State the tests and notebooks read: ``app.config``, ``app.verdict``, ``app.error``,
``app.verdict_html.value``, ``app.image.value`` (the diagram's ``<img>``), ``app.png`` with ``app.image_config``,
``app.recipe``/``app.recipe_text``, ``app.refresh_count``, ``app.live_result``; ``app.controls`` (knob name ->
its control), ``app.w_mode`` (the mode), ``app.more`` (the "More knobs" section), ``app.values()``.

Why it is longer than the house's ~500 lines: the sandbox is one app whose knobs imply each other;
the handler, the knobs' rules and the layout they feed read best in one place.
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, Callable, Iterator

import ipywidgets as widgets

from ..config import Config
from ..catalog import as_config, scenario, scenarios
from ..engine import Verdict
from ..errors import ConfigError, OwuiLabError
from .. import knobs
from ..knobs import Knob, knob
from ..prediction import predict
from ..palette import CODE_BG, FAILS_INK, MUTED, WARNING_INK
from ..presentation import (CSS, SCROLL_INTO_VIEW, description_html, error_html, esc, headline_html, live_html,
                            notice_html, outcome_phrase, verdict_html)
from ..recipe import PROJECT, Recipe, recipe
from . import live
from .base import Painter, Picture, describe_diagram, new_description_id
from .live import LiveReport
from .paste_box import PasteBox

#: The learner's words for Open WebUI's networking, mapped onto the engine's knobs in ``values``.
MODES = (
    ("bridge", "bridge"),
    ("host network", "host"),
    ("compose", "compose"),
    ("separate networks", "separate"),
)
MODE_TOOLTIPS = (
    "docker run -p 3000:8080 on the default bridge network",
    "docker run --network host (Docker discards -p; the UI is on port 8080)",
    "both as services of one compose.yaml, on the stack's own network",
    "Open WebUI on one user-defined network, Ollama on another",
)
STACK_NETWORK = f"{PROJECT}_default"  # what a compose stack named open-webui calls its network
WEBUI_NETWORK = "webui-net"
OLLAMA_NETWORK = "ollama-net"
PRESET_LABELS = {
    "ollama-on-host": "Ollama on the host",
    "compose": "Compose stack",
    "separate-networks": "Separate networks",
    "host-network": "Host network",
}
PNG_CACHE_SIZE = 64
_DESCRIPTION = {"description_width": "132px"}
KNOB_WIDTH = "100%"  # of its column: two columns of knobs fit a laptop's notebook
LABEL_CHARS = 18  # a longer label goes above its field (132 px beside it holds about this many characters)
TOGGLE_CHARS = 40  # a choice whose words are this long in all fits one row of toggle buttons beside its label
#: The one exception table: knobs the sandbox shows with a control of its own instead of the one their kind
#: gives. Open WebUI's network and "one compose stack" are one choice in a learner's words (``MODES``);
#: container Ollama's network offers the networks that choice made (``_ollama_net_options``). Their
#: coupling (a compose stack needs a container Ollama) is in ``_couple``.
OWN_CONTROLS = {"webui_network": "w_mode", "compose": "w_mode", "ollama_network": "w_ollama_net"}
#: The knobs' groups (``Knob.group``) as the sandbox heads them, in two columns.
GROUP_HEADINGS = {"Docker": "<b>Docker</b>", "Ollama": "<b>Ollama</b>",
                  "Open WebUI": "<b>Open WebUI</b>, on the network:"}  # the mode, first, has no label of its own
COLUMNS = (("Docker", "Ollama"), ("Open WebUI",))
MORE_TITLE = "More knobs"


class Explorer(widgets.VBox):
    """The explorer app (an ``ipywidgets.VBox``); build it with ``explorer()``.

    Attributes:
        config: the configuration the controls describe (the last valid one while ``error`` is set).
        verdict: the engine's verdict for ``config``.
        error: the ``ConfigError`` of the current control values, or None.
        recipe: the commands that build ``config``.
        image_config: the configuration the diagram shows.
        refresh_count: how many times the outputs were recomputed (a preset counts once).
        live_result: the last "Run it live" report (``LiveReport``) for ``config``, or None.
    """

    def __init__(self, config: Config | None = None, *, cache_png: bool = True) -> None:
        super().__init__()
        self.start_config = config or Config()
        self.config = self.start_config
        self.verdict: Verdict | None = None
        self.error: OwuiLabError | None = None
        self.recipe: Recipe | None = None
        self.image_config: Config | None = None
        self.refresh_count = 0
        self.live_result: LiveReport | None = None
        self.live_thread: threading.Thread | None = None
        self.active_preset: str | None = None
        self._painter = Painter(PNG_CACHE_SIZE if cache_png else 0)
        self._side_cache: OrderedDict[Config, bytes] = OrderedDict()
        self._side_figure: Any = None
        self._batch_depth = 0
        self._dirty = False
        self._loading = False
        self._availability: dict[str, tuple[bool, str]] = {}
        self._defaults = {f.name: f.default for f in fields(Config)}  # what a knob left out means
        # names of user-defined networks, kept when a mode switch hides them, so nothing is lost
        self._stack_net = STACK_NETWORK
        self._webui_net = WEBUI_NETWORK
        self._ollama_net = OLLAMA_NETWORK
        self._build()
        with self.batch():
            self._load(self.start_config)

    # ------------------------------------------------------------------ building the widgets
    def _build(self) -> None:
        W = widgets
        self.title = W.HTML(
            CSS + "<h3 style='margin:4px 0'>Open WebUI → Ollama: flip a knob, watch the path</h3>"
        )
        # presets: one row per platform, in the docs' order, then reset
        self.preset_buttons: dict[str, widgets.Button] = {}
        self._preset_keys: dict[str, tuple[Any, ...]] = {}
        rows = []
        found = scenarios()
        for platform, label in (("desktop", "Docker Desktop"), ("linux", "Linux")):
            buttons = []
            for s in found:
                if s.platform != platform:
                    continue
                rest = s.id.split("-", 1)[1]
                b = W.Button(description=PRESET_LABELS.get(rest, s.title), tooltip=f"{s.title}: {s.summary}",
                             layout=W.Layout(width="170px"))
                b.add_class("owui-preset")
                b.add_class(f"owui-preset-{s.id}")
                b.on_click(lambda _b, sid=s.id: self.apply_preset(sid))
                self.preset_buttons[s.id] = b
                self._preset_keys[s.id] = effective(s.config)  # computed once: matched on every refresh
                buttons.append(b)
            rows.append(W.HBox([W.HTML(f"<b>{label}</b>", layout=W.Layout(width="130px")), *buttons]))
        self.reset_button = W.Button(description="Reset", icon="undo", tooltip="back to where you started",
                                     layout=W.Layout(width="110px"))
        self.reset_button.add_class("owui-reset")
        self.reset_button.on_click(lambda _b: self.reset())
        self.preset_info = W.HTML()
        self.preset_info.add_class("owui-preset-info")
        rows[0].children = (*rows[0].children, self.reset_button)  # one row less: the knobs stay on screen
        presets = W.VBox(rows)

        # the knobs: one control per declaration (knobs.py), in its group; the exception table's own controls
        self.w_mode = W.ToggleButtons(options=list(MODES), tooltips=list(MODE_TOOLTIPS),
                                      style={"button_width": "auto"})  # no description: its heading says it
        self.w_mode.add_class("owui-knob-mode")
        self.w_ollama_net = W.Dropdown(description=knob("ollama_network").label, style=_DESCRIPTION,
                                       tooltip=knob("ollama_network").help, layout=W.Layout(width=KNOB_WIDTH))
        self.controls: dict[str, widgets.Widget] = {}  # knob name -> its control (the mode is no one knob's)
        groups: dict[str, list[widgets.Widget]] = {}
        for k in knobs.KNOBS:
            if k.name in OWN_CONTROLS:
                control = getattr(self, OWN_CONTROLS[k.name])
            else:
                control = knob_control(k, optional=self._defaults[k.name] is None)
            if control is not self.w_mode:
                control.add_class(f"owui-knob-{k.name.replace('_', '-')}")
                self.controls[k.name] = control
            placed = groups.setdefault(k.group, [])
            if all(control is not other for other in placed):  # the mode once, for both of its knobs
                placed.append(control)
        self.w_mode.observe(self._on_widget, names="value")
        for control in self.controls.values():
            control.observe(self._on_widget, names="value")
        self.notice = W.HTML()
        self.notice.add_class("owui-notice")
        self.unused = W.HTML()
        self.unused.add_class("owui-unused")
        columns: list[list[widgets.Widget]] = [[] for _ in COLUMNS]
        for i, column in enumerate(COLUMNS):
            for group in column:
                columns[i] += [W.HTML(GROUP_HEADINGS[group]), *groups.get(group, [])] if group in groups else []
        for group in groups:  # a group no column names yet goes last, under its own name
            if group and all(group not in column for column in COLUMNS):
                columns[-1] += [W.HTML(f"<b>{esc(group)}</b>"), *groups[group]]
        # Knobs without a group (the rarer ones, and any new one) wait, closed, under "More knobs": every
        # knob is one click away, and the usual ones stay on one screen with the picture.
        self.more = W.Accordion(children=[W.VBox(groups.get("", []))], selected_index=None)
        self.more.set_title(0, MORE_TITLE)
        self.more.add_class("owui-more-knobs")
        self.more.layout.display = None if groups.get("") else "none"
        self.more.observe(lambda _change: self._show_unused(), names="selected_index")
        columns[-1] += [self.more, self.notice, self.unused]
        column = dict(flex="1 1 430px", min_width="0", max_width="560px")
        self.knobs = W.HBox(
            [W.VBox(children, layout=W.Layout(**column)) for children in columns],
            layout=W.Layout(flex="1 1 500px", flex_flow="row wrap", grid_gap="4px 16px", align_items="flex-start"),
        )
        self.knobs.add_class("owui-knobs")

        # the outputs: the headline and the picture, then the knobs that change them, all on one screen
        self.headline = W.HTML()
        self.headline.add_class("owui-explorer-headline")
        # an <img> we write ourselves: its alt text, its description ("Describe this diagram"), its size facts
        self.image = W.HTML(layout=W.Layout(width="100%"))
        self.image.add_class("owui-diagram-view")
        self._shown_png = b""
        self.image_caption = W.HTML()
        self.image_caption.add_class("owui-diagram-caption")
        self.verdict_html = W.HTML()
        self.verdict_html.add_class("owui-verdict")
        # At the picture's own size (1040 px) its smallest text is 11.5 px; it only shrinks below that
        # where the notebook itself is narrower.
        picture = W.VBox([self.headline, self.image, self.image_caption],
                         layout=W.Layout(flex="1 1 900px", max_width="1040px", min_width="0"))

        self.recipe_html = W.HTML()
        self.recipe_html.add_class("owui-recipe")

        self.run_button = W.Button(description="Run it live", icon="play", button_style="primary",
                                   layout=W.Layout(width="160px"))
        self.run_button.add_class("owui-run")
        self.run_button.on_click(lambda _b: self.run_live())
        self.run_reason = W.HTML()
        self.run_reason.add_class("owui-run-reason")
        self.run_progress = W.HTML()
        self.run_result = W.HTML()
        self.run_result.add_class("owui-run-result")
        live = W.VBox([W.HBox([self.run_button, self.run_reason]), self.run_progress, self.run_result])

        self.side_toggle = W.ToggleButton(description="Compare Linux and Docker Desktop", value=False,
                                          icon="columns", layout=W.Layout(width="360px"))
        self.side_toggle.add_class("owui-side-toggle")
        self.side_toggle.observe(lambda _c: self._update_side(), names="value")
        self.side_image = W.HTML(layout=W.Layout(width="100%", display="none"))  # an <img> with its alt text
        self.side_image.add_class("owui-side-image")
        self.side_html = W.HTML()
        side = W.VBox([self.side_toggle, self.side_html, self.side_image])

        # what the learner ran, pasted: every knob is set from it (owui_lab.paste, the doctor's reader)
        self.paste_box = PasteBox(self._from_paste, lambda: self.controls["platform"].value)
        self.tabs = W.Tab(children=[self.recipe_html, live, side, self.paste_box.widget])
        for i, name in enumerate(("Commands", "Run it live", "Linux ⇄ Desktop", "Paste your command")):
            self.tabs.set_title(i, name)
        # The picture and the knobs side by side where the notebook is wide, the knobs right under the
        # picture where it is not: either way the headline, the picture and every knob share one screen.
        # On a short screen (a 1280x720 laptop, a projector) the knobs go beside the picture in one
        # column and the picture gives up width, so headline, picture and knobs still share one screen
        # (presentation.CSS: ``.owui-explorer-main`` under ``max-height: 800px``).
        main = W.HBox([picture, self.knobs],
                      layout=W.Layout(align_items="flex-start", flex_flow="row wrap", grid_gap="8px 16px"))
        main.add_class("owui-explorer-main")
        picture.add_class("owui-explorer-picture")
        self.children = [
            self.title,
            presets,
            main,
            self.preset_info,  # the docs' words on the preset, under what it shows
            self.verdict_html,
            self.tabs,
        ]
        self.add_class("owui-explorer")

    # ------------------------------------------------------------------ coalescing
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Change several controls at once; the outputs refresh once, when the outermost batch ends."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._dirty:
                self.refresh()

    def _on_widget(self, change: dict[str, Any]) -> None:
        outermost = self._batch_depth == 0
        with self.batch():
            if outermost:
                self.notice.value = ""
            if not self._loading:
                self._couple(change)
            self._dirty = True

    def _couple(self, change: dict[str, Any]) -> None:
        """Keep the controls consistent when one knob implies another; say so, never silently."""
        owner = change["owner"]
        ollama = self.controls["ollama"]
        if owner is self.w_mode:
            new = change["new"]
            if new == "compose" and ollama.value != "container":
                ollama.value = "container"
                self._say("A compose stack runs Ollama as a service: Ollama now runs in a container.")
            self._sync_ollama_net_options(mode_changed=True)
        elif owner is ollama:
            if change["new"] in ("host", "bundled") and self.w_mode.value == "compose":
                self.w_mode.value = "bridge"
                where = "on the host" if change["new"] == "host" else "inside Open WebUI"
                self._say(f"Ollama {where} leaves the compose stack: Open WebUI is back on the default bridge.")
            # a new Ollama container goes where the mode usually puts it (its own network, the stack)
            self._sync_ollama_net_options(mode_changed=change["new"] == "container")

    def _say(self, text: str) -> None:
        self.notice.value = notice_html(text)

    # ------------------------------------------------------------------ the Ollama network choices
    def _ollama_net_options(self) -> list[tuple[str, str]]:
        options = [("default bridge", "bridge"), ("host (--network host)", "host"),
                   (f"its own network ({self._ollama_net})", self._ollama_net)]
        mode = self.w_mode.value
        shared = self._stack_net if mode == "compose" else self._webui_net if mode == "separate" else None
        if shared and shared != self._ollama_net:
            what = "the stack's network" if mode == "compose" else "Open WebUI's network"
            options.append((f"{what} ({shared})", shared))
        return options

    def _sync_ollama_net_options(self, mode_changed: bool = False, value: str | None = None) -> None:
        options = self._ollama_net_options()
        values = [v for _, v in options]
        current = self.w_ollama_net.value if value is None else value
        if mode_changed and value is None:
            # each mode's usual Ollama: in the stack, on its own network, else on the default bridge
            mode = self.w_mode.value
            current = {"compose": self._stack_net, "separate": self._ollama_net}.get(mode, current)
            if mode in ("bridge", "host") and current not in ("bridge", "host"):
                current = "bridge"
        if current not in values:
            current = "bridge"
        if list(self.w_ollama_net.options) != options:
            self.w_ollama_net.options = options
        self.w_ollama_net.value = current

    # ------------------------------------------------------------------ config <-> controls
    def _load(self, c: Config) -> None:
        """Set every control from a configuration (one refresh, no coupling)."""
        c = ours(c)
        self._loading = True
        try:
            for name, control in self.controls.items():
                if name not in OWN_CONTROLS:
                    control.value = shown_value(knob(name), getattr(c, name))
            webui = c.webui_network
            if c.compose and webui not in ("bridge", "host"):
                mode = "compose"
                self._stack_net = webui
            elif webui in ("bridge", "host"):
                mode = webui
                if c.compose:
                    self._say(f"compose with Open WebUI on the {webui} network is shown as plain docker run.")
            else:
                mode = "separate"
                self._webui_net = webui
            self.w_mode.value = mode
            net = c.ollama_network_effective
            if net and net not in ("bridge", "host") and net != webui:
                self._ollama_net = net
            self._sync_ollama_net_options(value=net or "bridge")
            # a configuration that sets a knob kept under "More knobs" opens it: the learner sees what it set
            if any(getattr(c, k.name) != self._defaults[k.name]
                   for k in knobs.KNOBS if not k.group):
                self.more.selected_index = 0
            self._dirty = True
        finally:
            self._loading = False

    def values(self) -> dict[str, Any]:
        """Every knob's value as the controls say it, whether it applies here or not."""
        values = {name: read_value(knob(name), control.value, optional=self._defaults[name] is None)
                  for name, control in self.controls.items()}
        mode = self.w_mode.value
        values["webui_network"] = {"bridge": "bridge", "host": "host", "compose": self._stack_net,
                                   "separate": self._webui_net}[mode]
        values["compose"] = mode == "compose" and values["ollama"] == "container"
        return values

    def _knobs(self) -> dict[str, Any]:
        """The engine's knobs from the controls, those that do not apply back at their defaults (``knobs.settle``)."""
        return knobs.settle(self.values(), self._defaults)

    def _applicability(self) -> list[str]:
        """Hide the controls of knobs for the other platform, grey out those whose ``when`` fails; say why."""
        values = self.values()
        unused: dict[str, list[str]] = {}
        for name, control in self.controls.items():
            k = knob(name)
            here = values["platform"] in k.platforms
            control.layout.display = None if here else "none"
            failing = k.failing(values)
            control.disabled = failing is not None
            hidden = not k.group and self.more.selected_index is None  # in "More knobs", closed: not on screen
            if here and failing and not hidden:
                unused.setdefault(failing, []).append(k.label)
        return [f"{_listed(labels)}: {_why_not(condition, values)}" for condition, labels in unused.items()]

    def _show_unused(self) -> None:
        """Say which knobs on screen do not apply here, and why (greyed out by ``_applicability``)."""
        unused = self._applicability()
        self.unused.value = (
            f"<div style='color:{MUTED};font-size:0.95em'>Not used here: " + "; ".join(esc(u) for u in unused)
            + "</div>" if unused else ""
        )

    # ------------------------------------------------------------------ refreshing the outputs
    def refresh(self) -> None:
        """Recompute the verdict, the diagram and the commands from the controls (once per batch)."""
        self._dirty = False
        self.refresh_count += 1
        self._show_unused()
        try:
            config = Config(**self._knobs())
        except ConfigError as exc:
            self._show_error(exc)
            return
        self.error = None
        changed = config != self.config or self.verdict is None
        self.config = config
        if changed:
            self.live_result = None
            self.run_result.value = ""
            self.run_progress.value = ""
        self.verdict = predict(config)
        self.recipe = recipe(config)
        try:
            picture: Picture | None = self._painter.picture(config, self.verdict)
            caption = ""
        except Exception as exc:  # noqa: BLE001 - a drawing bug must not hide the verdict
            picture = None
            caption = (
                f"<div style='color:{FAILS_INK}'>The diagram could not be drawn for this configuration "
                f"({esc(exc.__class__.__name__)}: {esc(exc)}); the verdict below is "
                "still right. Please report it.</div>"
            )
        with self.image.hold_sync(), self.verdict_html.hold_sync():
            if picture is not None:
                self.image.value = picture.html("owui-diagram")
                self._shown_png = picture.png
                self.image_config = config
            self.image_caption.value = caption
            self.verdict_html.value = verdict_html(self.verdict, platform=True)
            self.headline.value = headline_html(self.verdict)
        self.recipe_html.value = recipe_html(self.recipe)
        self._match_preset()
        self._update_run_button()
        self._update_side()

    def _show_error(self, exc: OwuiLabError) -> None:
        self.error = exc
        self.verdict_html.value = error_html(exc)
        self.headline.value = (f"<div class='owui-verdict-headline' data-outcome='invalid' style='color:{WARNING_INK}'>"
                               f"⚠ {esc(exc.message)}</div>")
        self.image_caption.value = (
            f"<div style='color:{WARNING_INK}'>The diagram and the commands still show the last valid configuration; "
            "fix the value above and they follow.</div>"
        )
        self.run_button.disabled = True
        self.run_reason.value = f"<span style='color:{FAILS_INK}'>Fix the configuration first.</span>"

    def _update_side(self) -> None:
        on = self.side_toggle.value
        self.side_image.layout.display = None if on else "none"
        if not on or self.error is not None:
            if not on:
                self.side_html.value = ""
            return
        from .. import drawing  # matplotlib: imported with the first picture

        key = self.config.replace(platform="linux", desktop_host_networking=False)
        png = self._side_cache.get(key)
        if png is None:
            # one above the other: a notebook column is too narrow for two pictures in a row
            self._side_figure = drawing.draw_side_by_side(self.config, fig=self._side_figure, stacked=True)
            png = drawing.render_png(self._side_figure)
            self._side_cache[key] = png
            while len(self._side_cache) > PNG_CACHE_SIZE // 4:
                self._side_cache.popitem(last=False)
        # each picture's description behind its own toggle, named by the image (aria-describedby)
        pictures = [(name, where, describe_diagram(drawing.on_platform(self.config, platform)), new_description_id())
                    for platform, name, where in (("linux", "Linux", "above"), ("desktop", "Docker Desktop", "below"))]
        alt = ". ".join(f"{name} ({where}): {words.summary}" for name, where, words, _ in pictures)
        self.side_image.value = (
            f'<img class="owui-side-diagram" alt="{esc(alt)}" aria-describedby="{" ".join(i for *_, i in pictures)}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            + "".join(description_html(words, dom_id, f"Describe the {name} diagram ({where})", name.split()[-1])
                      for name, where, words, dom_id in pictures))
        rows = []
        for platform, name in (("linux", "Linux"), ("desktop", "Docker Desktop")):
            v = predict(drawing.on_platform(self.config, platform))
            mark = "✓" if v.reachable else "✗"
            rows.append(f"<b>{name}</b>: {mark} {esc(outcome_phrase(v.outcome))}"
                        f"; browser {'✓' if v.browser.reachable else '✗'} {esc(v.browser.url)}")
        self.side_html.value = "<div style='font-size:1.05em'>" + "<br>".join(rows) + "</div>"

    def _match_preset(self) -> None:
        self.active_preset = None
        current = effective(self.config)
        for sid, button in self.preset_buttons.items():
            match = self.error is None and self._preset_keys[sid] == current
            button.button_style = "info" if match else ""
            if match and self.active_preset is None:
                self.active_preset = sid
        if self.active_preset:
            s = scenario(self.active_preset)
            self.preset_info.value = f"<div><b>{esc(s.title)}</b>: {esc(s.docs)}</div>"
        else:
            self.preset_info.value = ""

    # ------------------------------------------------------------------ presets
    def apply_preset(self, scenario_id: str) -> None:
        """Set every control to a seed scenario's configuration (one refresh)."""
        with self.batch():
            self.notice.value = ""
            self._load(scenario(scenario_id).config)

    def reset(self) -> None:
        """Back to the configuration the explorer started with (one refresh)."""
        with self.batch():
            self.notice.value = ""
            self._load(self.start_config)

    def _from_paste(self, setup: Any) -> Config:
        self.set_config(setup.config)
        return self.config

    def set_config(self, config: Config) -> None:
        """Show another configuration (one refresh)."""
        with self.batch():
            self._load(config)

    @property
    def png(self) -> bytes:
        """The diagram's PNG bytes as shown (in the ``<img>`` of ``image``)."""
        return self._shown_png

    @property
    def recipe_text(self) -> str:
        return self.recipe.text() if self.recipe else ""

    # ------------------------------------------------------------------ run it live
    def availability(self, refresh: bool = False) -> tuple[bool, str]:
        """Whether this configuration can run here, and why not (cached per platform)."""
        platform = self.config.platform
        if refresh or platform not in self._availability:
            self._availability[platform] = live.availability(self.config)
        return self._availability[platform]

    def _update_run_button(self, running: bool | None = None) -> None:
        if running is None:
            running = self.live_thread is not None and self.live_thread.is_alive()
        ok, reason = self.availability()
        self.run_button.disabled = running or not ok or self.error is not None
        self.run_button.description = "Running…" if running else "Run it live"
        self.run_reason.value = "" if ok else f"<span style='color:{WARNING_INK}'>Not here: {esc(reason)}</span>"

    def run_live(self, wait: bool = False) -> threading.Thread | None:
        """Run the current configuration on the local Docker daemon, in a thread.

        Args:
            wait: block until it is done (tests, nbclient).

        Returns:
            The thread, or None when it cannot run here (the reason is shown).
        """
        ok, reason = self.availability(refresh=True)
        if not ok or self.error is not None:
            self._update_run_button()
            return None
        if self.live_thread is not None and self.live_thread.is_alive():
            return self.live_thread
        config = self.config
        self.run_progress.value = "<i>Starting…</i>"
        self.run_result.value = ""
        thread = threading.Thread(target=self._run_live, args=(config,), name="owui-lab-explorer-run", daemon=True)
        self.live_thread = thread
        thread.start()
        self._update_run_button()
        if wait:
            thread.join()
        return thread

    def _run_live(self, config: Config) -> None:
        started = time.monotonic()
        status = ["bringing the containers up, probing, tearing down"]
        done = threading.Event()
        lock = threading.Lock()  # the ticker never writes after the result is shown

        def show() -> None:
            with lock:
                if not done.is_set():
                    self.run_progress.value = (
                        f"<i>⏳ {esc(status[0])}…</i> {time.monotonic() - started:.1f} s"
                    )

        def progress(*args: Any, **kwargs: Any) -> None:
            # the lab reports image pulls as (status, done, total)
            words = [str(a) for a in args if isinstance(a, str)] or [str(v) for v in kwargs.values()]
            if words:
                status[0] = " ".join(words)
                show()

        def tick() -> None:  # elapsed time, so a slow run never looks frozen
            while not done.wait(0.5):
                show()

        show()
        threading.Thread(target=tick, name="owui-lab-explorer-tick", daemon=True).start()
        try:
            report = live.live_check(config, progress=progress)
        finally:
            with lock:
                done.set()
        try:
            if config == self.config:  # the learner may have moved on meanwhile: never show a stale result
                self.live_result = report if report.ran else None
                self.run_progress.value = ""
                # scrolled into view: the learner's eyes are on the button just above it
                self.run_result.value = live_html(report, home=False) + SCROLL_INTO_VIEW
            else:
                self.run_progress.value = "<i>That run was for an earlier configuration; run again.</i>"
        finally:
            self._update_run_button(running=False)  # this thread is still alive while it says so


# ---------------------------------------------------------------------------------------------------
# HTML for the outputs (pure functions, tested without widgets)
# ---------------------------------------------------------------------------------------------------


def recipe_html(r: Recipe) -> str:
    """The recipe as copyable blocks: host steps, the engine's run lines, compose.yaml, notes."""
    e = esc
    pre = f"<pre style='user-select:all;background:{CODE_BG};padding:8px;border-radius:4px;font-size:14px;line-height:1.35;margin:2px 0'>"
    blocks = []
    if r.host_ollama:
        blocks.append(f"<b>Ollama on the host</b>{pre}{e(r.host_ollama)}</pre>")
    run = f"<b>With {e(r.cli)} run</b>{pre}{e(r.docker_run_script)}</pre>"  # the chosen engine's CLI
    compose = (f"<b>With {e(r.compose_tool)}</b>: <code>compose.yaml</code>, then <code>{e(r.compose_up)}</code>"
               f"{pre}{e(r.compose_yaml)}</pre>")
    blocks += [compose, run] if r.config.compose else [run, compose]
    if r.notes:
        blocks.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in r.notes) + "</ul>")
    blocks.append(f"<div>Then open <code>{e(r.browser_url)}</code> in your browser.</div>")
    return "<div class='owui-recipe-text'>" + "".join(blocks) + "</div>"


# ---------------------------------------------------------------------------------------------------


#: How the engine reads a knob where two spellings mean one thing (None and "bridge"); every other knob is
#: read as it is. ``effective`` uses it to match presets and to compare what a configuration means.
_MEANING: dict[str, Callable[[Config], Any]] = {
    "ollama_network": lambda c: c.ollama_network_effective,
    "ollama_publish": lambda c: c.ollama_publish_effective,
    "ollama_host_port": lambda c: c.ollama_published_port if c.ollama_publish_effective != "none" else None,
    "ollama_name": lambda c: c.ollama_name if c.ollama_in_container else None,
    "desktop_host_networking": lambda c: c.platform == "desktop" and c.desktop_host_networking,
}


def ours(c: Config) -> Config:
    """``c`` as this module's ``Config``: one made with fewer knobs (a test's throw-away knob is declared on a
    subclass; the scenarios are not) gets the others' defaults."""
    if type(c) is Config:
        return c
    known = {f.name for f in fields(Config)}
    return Config(**{k: v for k, v in c.to_dict().items() if k in known})


def effective(c: Config) -> tuple[Any, ...]:
    """What a configuration means, knob by knob, ignoring spellings the engine treats alike (None vs "bridge")."""
    c = ours(c)
    return tuple(_MEANING[k.name](c) if k.name in _MEANING else getattr(c, k.name) for k in knobs.KNOBS)


def knob_control(k: Knob, *, optional: bool) -> widgets.Widget:
    """The control of one knob, from its declaration: its kind says which, its label and help say what.

    A choice whose words fit one row (``TOGGLE_CHARS``) is a row of toggle buttons, any other a drop-down;
    a bool a checkbox; a port a number field (a text field when it may be left unset); anything typed a
    text field, a combo box when the declaration suggests values.
    """
    W = widgets
    if k.kind == "bool":
        return W.Checkbox(indent=False, layout=W.Layout(width="auto"), description=k.label, tooltip=k.help)
    stacked = len(k.label) > LABEL_CHARS  # its label above the field: the fields of a column stay aligned
    style = {"description_width": "initial" if stacked else _DESCRIPTION["description_width"]}
    common: dict[str, Any] = dict(description=k.label, tooltip=k.help, style=style)
    if k.kind == "choice" and sum(len(words) for words, _ in k.options) <= TOGGLE_CHARS:
        control = W.ToggleButtons(options=k.options, **{**common, "style": {**style, "button_width": "auto"}})
    elif k.kind == "choice":
        control = W.Dropdown(options=k.options, layout=W.Layout(width=KNOB_WIDTH), **common)
    elif k.kind == "port" and not optional:
        control = W.BoundedIntText(min=1, max=65535, layout=W.Layout(width="260px"), **common)
    elif k.suggestions:
        control = W.Combobox(options=list(k.suggestions), ensure_option=False, layout=W.Layout(width=KNOB_WIDTH),
                             placeholder="unset (the default)" if optional else "", **common)
    else:
        wide = KNOB_WIDTH if stacked or k.kind not in ("name", "port") else "300px"
        control = W.Text(layout=W.Layout(width=wide), placeholder="unset (the default)" if optional else "", **common)
    if stacked:
        control.add_class("owui-stacked")
    return control


def shown_value(k: Knob, value: Any) -> Any:
    """A configuration's value as ``knob_control(k)`` shows it (unset: the first choice, or an empty field)."""
    if k.kind == "choice":
        return value if value in k.choices else k.choices[0]
    if k.kind == "bool":
        return bool(value)
    if k.kind == "port" and isinstance(value, int):
        return value
    return "" if value is None else str(value)


def read_value(k: Knob, value: Any, *, optional: bool) -> Any:
    """What ``knob_control(k)`` holds, as the configuration takes it (an empty optional field: unset).

    Text that is not a port number is passed on as typed: ``Config`` says why it is not one.
    """
    if not isinstance(value, str) or k.kind == "choice":
        return value
    text = value.strip()
    if not text:
        return None if optional else text
    return int(text) if k.kind == "port" and text.isdigit() and text.isascii() else text


def _why_not(condition: str, values: dict[str, Any]) -> str:
    """Why a knob does not count where ``condition`` fails (``knobs.CONDITIONS``), for these knob values."""
    reason = knobs.CONDITIONS[condition]
    if isinstance(reason, dict):  # one reason for each value the other knob has instead
        reason = reason[str(values[re.match(r"\w+", condition).group()])]  # type: ignore[union-attr]
    return reason.format(**values)


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _same(a: Config, b: Config) -> bool:
    return effective(a) == effective(b)


def explorer(config: Config | str | None = None, **kwargs: Any) -> Explorer:
    """The explorer app: presets, every knob, the diagram, the verdict, the commands, "Run it live".

    Args:
        config: where to start: a ``Config``, a seed scenario id (e.g. ``"linux-ollama-on-host"``),
            or None for the defaults (Linux, Ollama on the host, Open WebUI on the default bridge).
        **kwargs: passed to ``Explorer`` (``cache_png=False`` redraws every time; benchmarks).

    Returns:
        The app; display it (the last expression of a cell), then read ``app.config``, ``app.verdict``.
    """
    if config is not None:
        config = as_config(config)  # a Config, a scenario or its id; anything else is one clear paragraph
    return Explorer(config, **kwargs)


def sandbox() -> Explorer:
    """The sandbox notebook's app: the explorer, from the defaults."""
    return explorer()
