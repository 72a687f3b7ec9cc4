"""The name the lessons import as ``from owui_lab import exercises as ex``; it lives in ``owui_lab.widgets``.

Only what a notebook calls through ``ex`` is re-exported (``ex.run_doctor`` in ``05_doctor``); every other
widget is imported from ``owui_lab.widgets`` (or the lesson's own ``lesson(...)``). Nothing is defined here.
"""

from __future__ import annotations

from .widgets.cells import run_doctor

__all__ = ["run_doctor"]
