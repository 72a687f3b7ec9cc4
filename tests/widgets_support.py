"""Helpers for the widget tests: a lab observation that agrees with the engine, without a daemon."""

from __future__ import annotations

from typing import Any, Callable, Iterator

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


def run_in_jupyterlab(page: Any, lab: Any, name: str) -> None:
    """Open notebook ``name`` in JupyterLab's default layout (the file browser open), then Run All Cells."""
    page.goto(lab.url(f"lab/tree/{name}", reset=""))
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=180_000)  # a loaded CI machine
    toast = page.locator(".jp-toast-button", has_text="No")
    if toast.count():
        toast.first.click()
    assert page.locator(".jp-FileBrowser").first.is_visible(), "the file browser is not open"
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def wait_for_all_cells(page: Any, timeout_ms: int = 300_000) -> None:
    """Wait until no cell of the open notebook is queued or running (no ``[*]`` prompt): until then the kernel
    answers a widget's click only after the cells Run All queued before it (minutes on a loaded CI machine)."""
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.jp-Cell .jp-InputPrompt')];"
        " const idle = [...document.querySelectorAll('.jp-StatusBar-Widget')].some(e => /\\| Idle/.test(e.textContent));"
        " return idle && p.length > 0 && !p.some(e => e.textContent.includes('*')); }", timeout=timeout_ms)


def shut_down_kernels(page: Any, lab: Any) -> None:
    """Stop every kernel of this JupyterLab (one notebook after another must not pile up kernels)."""
    for kernel in page.request.get(lab.url("api/kernels")).json():
        page.request.delete(lab.url(f"api/kernels/{kernel['id']}"))
