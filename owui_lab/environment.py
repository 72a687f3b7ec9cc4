"""Which mode is the learner in: a live Linux Docker engine, Docker Desktop, or no daemon (e.g. Binder)?

Every live cell of the workshop asks this first and says the answer out loud, so a learner on Binder
knows that what they see is the engine's prediction, and a learner on Docker Desktop knows which half
of the lessons their daemon can really run. The daemon is asked once per kernel (a short timeout) and
the answer cached; ``detect(refresh=True)`` asks again after the learner starts Docker.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import docker_api
from .config import ENGINE_TITLES
from .classroom import ServiceClient, in_classroom
from .errors import OwuiLabError
from .palette import INFO, MUTED, PANEL_BG, TEXT, WARNING_INK, WORKS_INK
from .presentation import RUN_AT_HOME

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config

#: The modes, in the words the notebooks use.
LIVE_LINUX = "linux"
DESKTOP = "desktop"
NO_DAEMON = "none"
CLASSROOM = "classroom"  # on the classroom hub: live runs through the hub's lab service (issue 15)
#: Each mode's colour in the banner and the badge: it runs live, it runs Desktop only, it predicts.
MODE_COLOURS = {LIVE_LINUX: WORKS_INK, DESKTOP: INFO, NO_DAEMON: WARNING_INK, CLASSROOM: WORKS_INK}

_TITLES = {
    LIVE_LINUX: "Live mode: a Linux Docker engine is here",
    DESKTOP: "Docker Desktop mode: predictions everywhere, live runs for the Docker Desktop scenarios",
    NO_DAEMON: "Prediction mode: no Docker daemon the live lab can use",
    CLASSROOM: "Classroom mode: live runs go through the classroom's lab service",
}

@dataclass(frozen=True)
class Mode:
    """The learner's situation, as far as live runs are concerned.

    Attributes:
        kind: ``"linux"`` (a Linux Docker engine answers), ``"desktop"`` (Docker Desktop answers) or
            ``"none"`` (no daemon answers: Binder, Docker not started, no permission).
        detail: one sentence on what was found (the daemon's description, or why none answers).
        binder: the kernel runs on Binder (where no daemon can ever be started).
        daemon: in classroom mode, the platform of the server's daemon the lab service runs labs on
            ("linux", "desktop"), or "none" when the service does not answer.
    """

    kind: str
    detail: str
    binder: bool = False
    daemon: str = ""

    @property
    def live(self) -> bool:
        """A daemon answers (here, or the classroom's through its lab service): some configurations run for real."""
        if self.kind == CLASSROOM:
            return self.daemon in (LIVE_LINUX, DESKTOP)
        return self.kind != NO_DAEMON

    @property
    def title(self) -> str:
        return _TITLES[self.kind]

    def can_run(self, platform: str) -> bool:
        """Whether a configuration for ``platform`` ("linux" or "desktop") can run live here."""
        return self.live and platform == (self.daemon if self.kind == CLASSROOM else self.kind)

    def why_not(self, platform: str) -> str:
        """Why a configuration for ``platform`` cannot run live here ("" when it can)."""
        if self.can_run(platform):
            return ""
        if self.kind == CLASSROOM and not self.live:
            return ("This shows the engine's prediction only: the classroom's lab service does not answer "
                    "(tell the instructor).")
        if self.kind == CLASSROOM:
            return ("This configuration is for Docker Desktop, but the classroom's server runs a Linux Docker "
                    "engine: the kit cannot emulate the other platform, so this shows the engine's prediction only."
                    if platform == DESKTOP else "This configuration is for Linux, but the classroom's server runs "
                    "Docker Desktop: this shows the engine's prediction only.")
        if not self.live:
            if self.binder:
                return "This shows the engine's prediction only: Binder has no Docker daemon."
            return "This shows the engine's prediction only: no Docker daemon the live lab can use answers here."
        other = "Docker Desktop" if platform == "desktop" else "a Linux Docker engine"
        here = "Docker Desktop" if self.kind == DESKTOP else "a Linux Docker engine"
        return (
            f"This configuration is for {other}, but your daemon is {here}: the kit cannot emulate the "
            "other platform, so this shows the engine's prediction only."
        )

    def explanation(self) -> str:
        """What this mode means for the workshop, in two or three sentences (plain text)."""
        if self.kind == CLASSROOM:
            if not self.live:
                return ("You are on the classroom hub, but its lab service does not answer: every notebook still "
                        "runs, and the live cells show the engine's prediction only until it is back.")
            return (
                "You are on the classroom hub. Your server has no Docker of its own: a live run goes to the "
                "classroom's lab service, waits its turn with the room's (you see your place in line), runs "
                "light stand-ins of Open WebUI and Ollama on the server's Docker engine under your name, and "
                "comes back as an observation beside the engine's prediction. Only you see and remove your labs."
            )
        if self.kind == LIVE_LINUX:
            return (
                "Every Linux configuration can run for real here: the kit starts light stand-ins of Open "
                "WebUI and Ollama, probes Open WebUI → Ollama from inside Open WebUI's own network, and "
                "shows what it observed beside what the engine predicted. Docker Desktop configurations "
                "are predicted only (a Linux engine cannot be Docker Desktop)."
            )
        if self.kind == DESKTOP:
            return (
                "Docker Desktop configurations can run for real here. Linux configurations are predicted "
                "only: Docker Desktop runs containers in a Linux VM, and what happens on a Linux host "
                "(docker0, a systemd Ollama on 127.0.0.1) cannot be reproduced from inside it."
            )
        where = "You are on Binder: it has no Docker daemon and none can be started." if self.binder else (
            "No Docker daemon that the live lab can use answers from this kernel.")
        return (
            f"{where} Every notebook still runs top to bottom: the diagrams, the exercises and the "
            "engine's step-by-step verdicts work without Docker; the live cells say that they show the "
            "prediction only, and how to run them live at home."
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "live": self.live, "binder": self.binder, "daemon": self.daemon,
                "title": self.title, "detail": self.detail, "explanation": self.explanation()}

    def _repr_html_(self) -> str:
        colour = MODE_COLOURS[self.kind]
        home = "" if self.kind in (LIVE_LINUX, CLASSROOM) else f"<p style='margin:4px 0'>{RUN_AT_HOME}</p>"
        return (
            f'<div class="owui-lab-mode" data-mode="{self.kind}" style="border-left:6px solid {colour};'
            f'padding:6px 12px;margin:6px 0;background:{PANEL_BG};color:{TEXT}">'
            f"<b>{html.escape(self.title)}</b><br>"
            f"<span style='color:{MUTED}'>{html.escape(self.detail)}</span>"
            f"<p style='margin:4px 0'>{html.escape(self.explanation())}</p>{home}</div>"
        )

    def badge_html(self) -> str:
        """One line naming the mode, for the top of each live cell."""
        colour = MODE_COLOURS[self.kind]
        return (
            f'<div class="owui-lab-mode" data-mode="{self.kind}" style="color:{colour};margin:2px 0">'
            f"<b>{html.escape(self.title)}</b> <span style='color:{MUTED}'>({html.escape(self.detail)})</span></div>"
        )

    def __str__(self) -> str:
        return f"{self.title}. {self.detail} {self.explanation()}"


def on_binder() -> bool:
    """Whether this kernel runs on mybinder.org (its launcher's variables, or the kit's binder/start)."""
    names = ("OWUI_LAB_ON_BINDER", "BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL")
    return any(os.environ.get(name) for name in names)


_cached: Mode | None = None


def detect(refresh: bool = False) -> Mode:
    """Ask the Docker daemon (once per kernel) which mode the learner is in.

    Args:
        refresh: ask again instead of returning the cached answer (after starting Docker).

    Returns:
        The mode; never raises: "no daemon" is a mode, not an error.
    """
    global _cached
    if _cached is not None and not refresh:
        return _cached
    _cached = _detect()
    return _cached


def _classroom() -> Mode:
    """On the hub: no daemon here; ask the lab service which daemon runs the labs."""
    try:
        status = ServiceClient.from_env(timeout=5).status()
    except OwuiLabError as exc:
        return Mode(CLASSROOM, exc.message, daemon=NO_DAEMON)
    daemon = status.get("platform") if status.get("platform") in (LIVE_LINUX, DESKTOP) else NO_DAEMON
    where = {LIVE_LINUX: "a Linux Docker engine", DESKTOP: "Docker Desktop"}.get(daemon, "no Docker daemon")
    return Mode(CLASSROOM, f"You are {status.get('user', '?')} on the classroom hub; its lab service runs labs on "
                f"{where}.", daemon=daemon)


def _detect() -> Mode:
    if in_classroom():
        return _classroom()
    binder = on_binder()
    try:
        info = _daemon()
    except OwuiLabError as exc:
        return Mode(NO_DAEMON, exc.message, binder)
    problem = platform_problem(info, None)
    if problem:
        # A daemon answers, but its networking is not the one the lessons teach: say why.
        return Mode(NO_DAEMON, problem, binder)
    kind = DESKTOP if info.platform == "desktop" else LIVE_LINUX
    return Mode(kind, f"The daemon is {info.description}.", binder)


def _daemon(timeout: float = 5) -> docker_api.DaemonInfo:
    """Connect once, read what the daemon is, close."""
    cli = docker_api.client(timeout=timeout)
    try:
        return docker_api.daemon_info(cli)
    finally:
        try:
            cli.close()
        except Exception:  # noqa: BLE001 - closing a dead client must not hide the answer
            pass


def platform_problem(info: docker_api.DaemonInfo, config: "Config | None") -> str | None:
    """Why the live lab cannot run on this daemon (for this configuration), or None when it can.

    Every engine the kit models runs live (rootful and rootless Docker, rootful and rootless Podman):
    a configuration runs on the engine it is written for (``Config.engine``; the lab's commands fill it
    in from the daemon when the learner did not say).
    """
    if config is not None and config.platform != info.platform:
        want = "Docker Desktop" if config.platform == "desktop" else "a Linux Docker Engine"
        return (
            f"This configuration is for {want}, but this daemon is {info.description}: the lab cannot "
            "emulate that platform here, so it shows the prediction only."
        )
    if config is not None and config.platform == "linux" and config.engine != info.engine_knob:
        return (
            f"This configuration is for {ENGINE_TITLES[config.engine]} (--engine {config.engine}), but this "
            f"daemon is {info.description} (--engine {info.engine_knob}): their networking differs, so the "
            "lab shows the prediction only."
        )
    return None


def daemon_engine() -> str | None:
    """The engine knob of the local daemon (``docker``, ``podman-rootless`` ...), or None when none answers
    or it is Docker Desktop (whose engine knob is always ``docker``)."""
    try:
        info = _daemon()
    except OwuiLabError:
        return None
    return info.engine_knob if info.platform == "linux" else None


def availability(config: "Config | None" = None) -> tuple[bool, str]:
    """Whether the live lab can run here (for this configuration), and why not.

    Returns:
        (True, what daemon will run it) or (False, a reason a learner can read): no daemon answers
        (e.g. on Binder), or the configuration is for another platform or engine.
    """
    try:
        info = _daemon(timeout=10)
    except OwuiLabError as exc:
        return False, f"{exc.message} The kit still predicts and explains; only the live lab needs Docker."
    problem = platform_problem(info, config)
    return (False, problem) if problem else (True, f"the lab runs on {info.description}")
