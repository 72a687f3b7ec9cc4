"""The names the lessons import as ``from owui_lab import exercises as ex``; they live in ``owui_lab.widgets``.

Nothing is defined here: each name is the widget package's own object, so a notebook and a test see
the same thing.
"""

from __future__ import annotations

from .widgets.base import BASE_URLS, Feedback, build_config
from .widgets.cells import run_doctor, run_live, show_commands, show_diagram, show_verdict
from .widgets.compare import compare
from .widgets.explorer import sandbox
from .widgets.fix_it import KNOB_LABELS, FixIt
from .presentation import OUTCOME_TEXT, live_html, verdict_html
from .widgets.live import LiveReport, live_check
from .widgets.predict_check import STEP_TEXT, PredictCheck
from .widgets.stage import Stage

__all__ = [
    "BASE_URLS", "KNOB_LABELS", "OUTCOME_TEXT", "STEP_TEXT", "Feedback", "FixIt", "LiveReport", "PredictCheck",
    "Stage", "build_config", "compare", "live_check", "live_html", "run_doctor", "run_live", "sandbox",
    "show_commands", "show_diagram", "show_verdict", "verdict_html",
]
