"""Helpers for the widget tests: a lab observation that agrees with the engine, without a daemon."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from owui_lab import environment, lab, predict
from owui_lab.config import Config
from owui_lab.environment import Mode


def observation(config: Config, detail: str = "seen") -> lab.Observation:
    """What a lab would observe if the engine is right about ``config``."""
    v = predict(config)
    return lab.Observation(v.reachable, v.outcome, detail, lab.BrowserObservation(v.browser.url, v.browser.reachable))


def lab_result(config: Config, seconds: float = 1.5, notes: tuple[str, ...] = ()) -> lab.LabResult:
    """A finished lab run of ``config`` that agrees with the prediction."""
    return lab.LabResult(predict(config), observation(config), True, seconds, notes)


@pytest.fixture
def mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Mode]]:
    """Pretend the kernel is in a given mode (restored afterwards); import it into a test module to use it."""

    def set_mode(kind: str, binder: bool = False) -> Mode:
        m = Mode(kind, f"test daemon: {kind}", binder)
        monkeypatch.setattr(environment, "_cached", m)
        return m

    yield set_mode
    environment._cached = None
