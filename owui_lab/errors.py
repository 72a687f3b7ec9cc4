"""Errors a learner can act on.

Every error carries what was tried, what happened, and a hint saying what to do. The CLI prints
``str(error)`` as one paragraph and exits non-zero; notebooks show it as a readable box.
"""

from __future__ import annotations

from .palette import FAILS_BG, FAILS_INK, TEXT


class OwuiLabError(Exception):
    """Base error of the kit: a message and a hint, never a traceback for the learner."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message

    def _repr_html_(self) -> str:
        import html

        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div style="border:2px solid {FAILS_INK};border-radius:6px;padding:8px 12px;'
            f'background:{FAILS_BG};color:{TEXT}">'
            f"<b>{html.escape(type(self).__name__)}</b>: {html.escape(self.message)}{hint}</div>"
        )


class ConfigError(OwuiLabError):
    """A configuration knob has a value the kit cannot model, or knobs contradict each other."""


class ScenarioError(OwuiLabError):
    """A scenario id is unknown, or a scenario file is malformed."""


class DockerUnavailable(OwuiLabError):
    """No Docker daemon answers, or the socket may not be used."""

    exit_code = 3


class PlatformMismatch(OwuiLabError):
    """The configuration is for another platform than the daemon really is."""

    exit_code = 4


class ImageMissing(OwuiLabError):
    """The stand-in image is not here and cannot be pulled."""

    exit_code = 3


class LabError(OwuiLabError):
    """Bringing a lab up, probing it or tearing it down failed."""

    exit_code = 5
