"""The lessons' one-line cells: show a verdict, a diagram, the commands; run it live; run the doctor.

Each displays its result in the notebook (through ``html``, the one renderer) and returns what it
computed, so a test reads the same thing the learner sees.
"""

from __future__ import annotations


from .. import environment
from ..config import Config
from ..diagnosis import Report, doctor
from ..engine import Verdict
from ..errors import ConfigError, OwuiLabError
from ..prediction import predict
from ..presentation import CSS, doctor_cannot_look_html, error_html, esc, live_html, verdict_html
from ..recipe import recipe
from . import live
from .base import diagram_html
from .live import LiveReport


def show_diagram(config: Config) -> None:
    """Display the diagram of ``config`` as the lessons show it (a click enlarges it), or why there is none."""
    from IPython.display import HTML, display

    display(HTML(CSS + diagram_html(config)))


def show_verdict(config: Config) -> Verdict:
    """Display the engine's verdict of ``config`` as a transcript, and return it."""
    from IPython.display import HTML, display

    verdict = predict(config)
    display(HTML(CSS + verdict_html(verdict)))
    return verdict


def show_commands(config: Config) -> None:
    """Display what a learner types to build ``config``: docker run lines, compose.yaml, host steps."""
    from IPython.display import HTML, display

    display(HTML(commands_html(config)))


def commands_html(config: Config) -> str:
    """What a learner types to build ``config``, as HTML (``show_commands`` displays it)."""
    return f'<pre class="owui-recipe" style="font-size:0.9em">{esc(recipe(config).text())}</pre>'


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

    markup, reports = run_live_html(*configs)
    display(HTML(markup))
    return reports


def run_live_html(*configs: Config, browser_first: bool = False) -> tuple[str, list[LiveReport]]:
    """``run_live``'s runs and HTML, without displaying it (a lesson may hold it back until answered).

    Args:
        configs: the lesson's configurations.
        browser_first: the question was about the browser: its path leads each box.
    """
    if not configs:
        raise ConfigError("run_live() needs at least one configuration.", "pass the lesson's configurations.")
    mode = environment.detect()
    runnable = next((c for c in configs if mode.can_run(c.platform)), None)
    reports = []
    for config in configs:
        if config is runnable:
            reports.append(live.live_check(config))
        else:
            reason = mode.why_not(config.platform) or "One live run per cell: this one is predicted."
            reports.append(LiveReport(predict(config), reason=reason))
    parts = [CSS, mode.badge_html()]
    not_run = [i for i, r in enumerate(reports) if not r.ran]
    for i, (config, report) in enumerate(zip(configs, reports)):
        name = "Docker Desktop" if config.platform == "desktop" else "Linux"
        # How to run it at home is said once, under the last box that did not run.
        parts.append(f"<div style='margin-top:6px'><b>{name}</b></div>"
                     f"{live_html(report, home=bool(not_run) and i == not_run[-1], browser_first=browser_first)}")
    return "".join(parts), reports


def run_doctor() -> Report | None:
    """Run the doctor on this machine and display its checklist; say plainly when it cannot look.

    Returns:
        The doctor's report, or None when there is no daemon to look at or the doctor could not run.
    """
    from IPython.display import HTML, display

    mode = environment.detect()
    if not mode.live:
        display(HTML(CSS + doctor_cannot_look_html(mode.detail)))
        return None
    try:
        report = doctor()
    except OwuiLabError as exc:
        display(HTML(error_html(exc)))
        return None
    display(report)
    return report
