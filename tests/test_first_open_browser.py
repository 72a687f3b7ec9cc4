"""The first page load: 00_welcome opened cold, in a fresh JupyterLab and a fresh browser profile, reaches Idle.

Issue 11 saw it once: on the first open of a fresh JupyterLab, 00 never reached kernel Idle within 180 s
and the server log showed no kernel started. Each round here starts a new server with empty settings,
workspaces and runtime folders, copies the notebooks to a new folder, opens 00 in a new Chromium profile
as a learner's ``make lab`` does (no ``?reset``), and requires Idle, a kernel start in the server log,
and the first cell running. Several rounds, each cold.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bench.servers import artifact_path, chromium, jupyter_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}
ROUNDS = 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_00_reaches_idle_on_a_cold_first_open(tmp_path, round_):
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium() as browser:
        page = browser.new_page()
        started = time.monotonic()
        try:
            page.goto(lab.url("lab/tree/notebooks/00_welcome.ipynb"))
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=150_000)
            idle_after = time.monotonic() - started
            assert "Kernel started" in lab.log(None), lab.log()
            # The kernel really runs the lesson: the first code cell's mode box appears.
            page.locator(".jp-Notebook").first.click()
            page.keyboard.press("Control+Home")
            for _ in range(3):  # two markdown cells, then the first code cell
                page.keyboard.press("Shift+Enter")
            page.locator(".jp-OutputArea-output [data-mode]").first.wait_for(timeout=60_000)
            print(f"round {round_}: Idle {idle_after:.1f} s after the page was asked for")
        except Exception:
            page.screenshot(path=str(artifact_path(f"first_open_{round_}_failure.png")), full_page=True)
            raise
