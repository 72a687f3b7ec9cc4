"""The explorer: flip Docker networking knobs and watch the diagram, the verdict and the commands change.

``explorer()`` returns an ipywidgets app. The learner picks a preset (one per seed scenario of the
docs' "Network Diagrams" page) or sets the knobs, and at once sees the picture with the path
coloured (``drawing``), the engine's verdict step by step with the fixes, the browser URL, and the
same configuration as commands to type (``recipe``). "Run it live" runs it on the local Docker
daemon (through ``widgets.live``, like every other widget) and puts what happened beside what was
predicted (``presentation``, the one renderer).

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
``app.recipe``/``app.recipe_text``, ``app.refresh_count``, ``app.live_result``.

Why it is longer than the house's ~500 lines: the sandbox is one app whose knobs imply each other;
the handler, the knobs' rules and the layout they feed read best in one place.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator

import ipywidgets as widgets

from ..config import ENGINE_TITLES, ENGINES, Config
from ..catalog import as_config, scenario, scenarios
from ..engine import Verdict
from ..errors import ConfigError, OwuiLabError
from ..knobs import knob
from ..prediction import predict
from ..palette import CODE_BG, FAILS_INK, MUTED, WARNING_INK
from ..presentation import (CSS, SCROLL_INTO_VIEW, error_html, esc, headline_html, live_html, notice_html, outcome_phrase,
                            verdict_html)
from ..recipe import PROJECT, Recipe, recipe
from . import live
from .base import BASE_URLS, Painter, Picture, describe_diagram
from .live import LiveReport
from .paste_box import PasteBox

#: The learner's words for Open WebUI's networking, mapped onto the engine's knobs in ``_knobs``.
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
BINDS = ("127.0.0.1", "0.0.0.0", "0.0.0.0:11434", "127.0.0.1:11434", "http://0.0.0.0")
PUBLISH = (
    ("not published", "none"),
    ("-p 11434:11434", "all"),
    ("-p 127.0.0.1:11434:11434", "loopback"),
)
PRESET_LABELS = {
    "ollama-on-host": "Ollama on the host",
    "compose": "Compose stack",
    "separate-networks": "Separate networks",
    "host-network": "Host network",
}
PNG_CACHE_SIZE = 64
_DESCRIPTION = {"description_width": "132px"}
KNOB_WIDTH = "100%"  # of its column: two columns of knobs fit a laptop's notebook


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

        # the knobs
        self.w_platform = W.ToggleButtons(options=[("Linux", "linux"), ("Docker Desktop", "desktop")],
                                          description=knob("platform").label,
                                          style={**_DESCRIPTION, "button_width": "auto"})
        # Linux's engines (Podman, rootless Docker): other host names, gateways and port forwarders
        self.w_engine = W.Dropdown(options=[(ENGINE_TITLES[e], e) for e in ENGINES], value="docker",
                                   description=knob("engine").label,
                                   style=_DESCRIPTION, layout=W.Layout(width=KNOB_WIDTH))
        # each widget gets a Layout of its own: hiding one must not hide another
        self.w_desktop_hostnet = W.Checkbox(description=knob("desktop_host_networking").label,
                                            indent=False, layout=W.Layout(width="auto"))
        # "bundled": inside the Open WebUI container (the :ollama image); one short word keeps the row on one line
        self.w_ollama = W.ToggleButtons(options=[("on the host", "host"), ("in a container", "container"),
                                                 ("bundled", "bundled")],
                                        tooltips=["a native Ollama on the host", "Ollama in a container of its own",
                                                  "inside the Open WebUI container (the :ollama image)"],
                                        description=knob("ollama").label,
                                        style={**_DESCRIPTION, "button_width": "auto"})
        # no description: the column's heading says it, and the four choices need the whole width
        self.w_mode = W.ToggleButtons(options=list(MODES), tooltips=list(MODE_TOOLTIPS),
                                      style={"button_width": "auto"})
        self.w_webui_port = W.BoundedIntText(value=3000, min=1, max=65535, description=knob("webui_port").label,
                                             style=_DESCRIPTION, layout=W.Layout(width="260px"))
        self.w_ollama_net = W.Dropdown(description=knob("ollama_network").label, style=_DESCRIPTION,
                                       layout=W.Layout(width=KNOB_WIDTH))
        self.w_publish = W.Dropdown(options=list(PUBLISH), description=knob("ollama_publish").label, style=_DESCRIPTION,
                                    layout=W.Layout(width=KNOB_WIDTH))
        self.w_ollama_name = W.Text(value="ollama", description=knob("ollama_name").label, style=_DESCRIPTION,
                                    layout=W.Layout(width="300px"))
        self.w_bind = W.Combobox(options=list(BINDS), placeholder="unset (the default)", ensure_option=False,
                                 description=knob("ollama_bind").label,
                                 style=_DESCRIPTION, layout=W.Layout(width=KNOB_WIDTH))
        self.w_add_host = W.Checkbox(description=knob("add_host_gateway").label, indent=False,
                                     layout=W.Layout(width="auto"))
        self.w_base_url = W.Combobox(options=list(BASE_URLS), ensure_option=False, description=knob("base_url").label,
                                     style=_DESCRIPTION, layout=W.Layout(width=KNOB_WIDTH))
        for w, cls in (
            (self.w_platform, "platform"), (self.w_engine, "engine"), (self.w_desktop_hostnet, "desktop-hostnet"),
            (self.w_ollama, "ollama"),
            (self.w_mode, "mode"), (self.w_webui_port, "webui-port"), (self.w_ollama_net, "ollama-net"),
            (self.w_publish, "publish"), (self.w_ollama_name, "ollama-name"), (self.w_bind, "bind"),
            (self.w_add_host, "add-host"), (self.w_base_url, "base-url"),
        ):
            w.add_class(f"owui-knob-{cls}")
            w.observe(self._on_widget, names="value")
        self.notice = W.HTML()
        self.notice.add_class("owui-notice")
        self.unused = W.HTML()
        self.unused.add_class("owui-unused")
        column = dict(flex="1 1 430px", min_width="0", max_width="560px")
        self.knobs = W.HBox(
            [
                W.VBox([W.HTML("<b>Docker</b>"), self.w_platform, self.w_engine, self.w_desktop_hostnet,
                        W.HTML("<b>Ollama</b>"), self.w_ollama, self.w_ollama_net, self.w_publish,
                        self.w_ollama_name, self.w_bind], layout=W.Layout(**column)),
                W.VBox([W.HTML("<b>Open WebUI</b>, on the network:"), self.w_mode, self.w_webui_port, self.w_add_host,
                        self.w_base_url, self.notice, self.unused], layout=W.Layout(**column)),
            ],
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
        self.paste_box = PasteBox(self._from_paste, lambda: self.w_platform.value)
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
        if owner is self.w_mode:
            new = change["new"]
            if new == "compose" and self.w_ollama.value == "host":
                self.w_ollama.value = "container"
                self._say("A compose stack runs Ollama as a service: Ollama now runs in a container.")
            self._sync_ollama_net_options(mode_changed=True)
        elif owner is self.w_ollama:
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
        self._loading = True
        try:
            self.w_platform.value = c.platform
            self.w_engine.value = c.engine
            self.w_desktop_hostnet.value = bool(c.desktop_host_networking)
            self.w_ollama.value = c.ollama
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
            self.w_publish.value = c.ollama_publish or "none"
            self.w_ollama_name.value = c.ollama_name
            self.w_bind.value = c.ollama_bind or ""
            self.w_add_host.value = c.add_host_gateway
            self.w_base_url.value = c.base_url
            self.w_webui_port.value = c.webui_port
            self._dirty = True
        finally:
            self._loading = False

    def _knobs(self) -> dict[str, Any]:
        """The engine's knobs from the controls; knobs that do not apply are left out."""
        mode = self.w_mode.value
        container = self.w_ollama.value == "container"
        webui = {"bridge": "bridge", "host": "host", "compose": self._stack_net, "separate": self._webui_net}[mode]
        knobs: dict[str, Any] = dict(
            platform=self.w_platform.value,
            engine=self.w_engine.value if self.w_platform.value == "linux" else "docker",
            ollama=self.w_ollama.value,
            ollama_bind=self.w_bind.value.strip() or None,
            ollama_name=self.w_ollama_name.value.strip(),
            webui_network=webui,
            webui_port=self.w_webui_port.value,
            add_host_gateway=self.w_add_host.value,
            base_url=self.w_base_url.value,
            desktop_host_networking=self.w_platform.value == "desktop" and self.w_desktop_hostnet.value,
            compose=mode == "compose" and container,
        )
        if container:
            knobs["ollama_network"] = self.w_ollama_net.value
            knobs["ollama_publish"] = self.w_publish.value
        return knobs

    def _applicability(self) -> list[str]:
        """Enable, disable or hide each control; return why the disabled ones do not count."""
        container = self.w_ollama.value == "container"
        desktop = self.w_platform.value == "desktop"
        host_mode = self.w_mode.value == "host"
        ollama_host_net = container and self.w_ollama_net.value == "host"
        self.w_desktop_hostnet.layout.display = None if desktop else "none"
        self.w_engine.layout.display = "none" if desktop else None
        self.w_ollama_net.disabled = not container
        self.w_publish.disabled = not container or ollama_host_net
        self.w_ollama_name.disabled = not container
        self.w_webui_port.disabled = host_mode
        unused = []
        if not container:
            unused.append("Ollama's network, published port and name: " + (
                "Ollama runs inside the Open WebUI container, on its network" if self.w_ollama.value == "bundled"
                else "Ollama runs on the host, not in Docker"))
        elif ollama_host_net and self.w_publish.value != "none":
            unused.append("Ollama's published port: Docker discards -p on the host network")
        if host_mode:
            unused.append(f"-p {self.w_webui_port.value}:8080: Docker discards -p with --network host "
                          "(Open WebUI is on port 8080)")
        return unused

    # ------------------------------------------------------------------ refreshing the outputs
    def refresh(self) -> None:
        """Recompute the verdict, the diagram and the commands from the controls (once per batch)."""
        self._dirty = False
        self.refresh_count += 1
        unused = self._applicability()
        self.unused.value = (
            f"<div style='color:{MUTED};font-size:0.95em'>Not used here: " + "; ".join(esc(u) for u in unused)
            + "</div>" if unused else ""
        )
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
        alt = ". ".join(f"{name} ({where}): {describe_diagram(drawing.on_platform(self.config, platform)).summary}"
                        for platform, name, where in (("linux", "Linux", "above"),
                                                      ("desktop", "Docker Desktop", "below")))
        self.side_image.value = (f'<img class="owui-side-diagram" alt="{esc(alt)}" '
                                 f'src="data:image/png;base64,{base64.b64encode(png).decode()}">')
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


def effective(c: Config) -> tuple[Any, ...]:
    """What a configuration means, ignoring spellings the engine treats alike (None vs "bridge")."""
    return (
        c.platform, c.ollama, str(c.ollama_listen), c.ollama_bind, c.ollama_network_effective,
        c.ollama_publish_effective, c.ollama_name if c.ollama_in_container else None, c.webui_network,
        c.webui_port, c.add_host_gateway, c.base_url, c.platform == "desktop" and c.desktop_host_networking,
        c.compose, c.engine,
    )


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
