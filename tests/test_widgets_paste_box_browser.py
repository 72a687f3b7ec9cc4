"""The sandbox's "Paste your command" tab as a learner uses it in JupyterLab: paste, click, the knobs follow.

At 1280x720, 1400x1000 and 1920x1080: the box and its button are on screen once the tab is open, the
pasted command sets the OLLAMA_HOST and --add-host knobs, the reading lists what was assumed, and no
text is below 11 px. A broken compose file then comes back fixed under the box: opened, the diff fits its
column, reads at 11 px or more and is axe-clean. Screenshots go to the test artifacts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.servers import artifact_path, chromium, jupyter_lab
from tests.test_accessibility_browser import assert_clean
from tests.test_paste_edit import COMMENTED
from tests.widgets_support import run_in_jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SANDBOX = Path(__file__).resolve().parents[1] / "notebooks" / "06_sandbox.ipynb"
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock", "DOCKER_CONTEXT": "default"}
PASTED = ("docker run -d -p 3000:8080 \\\n  --add-host=host.docker.internal:host-gateway \\\n"
          "  -v open-webui:/app/backend/data --name open-webui ghcr.io/open-webui/open-webui:main\n"
          "OLLAMA_HOST=0.0.0.0 ollama serve")
GEOMETRY = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const paste = document.querySelector('.owui-paste');
  const shown = (e) => e.offsetParent !== null && getComputedStyle(e).display !== 'none';
  const sizes = [...paste.querySelectorAll('*')].filter(e => shown(e) && [...e.childNodes].some(
      n => n.nodeType === 3 && n.textContent.trim())).map(e => parseFloat(getComputedStyle(e).fontSize));
  return {text: box(paste.querySelector('textarea')), button: box(paste.querySelector('.owui-paste-read')),
          viewport: {width: innerWidth, height: innerHeight}, sizes};
}"""


FIX_GEOMETRY = """() => {
  const fix = document.querySelector('.owui-paste-fix'), pre = fix.querySelector('pre');
  const result = document.querySelector('.owui-paste-result').getBoundingClientRect();
  const r = pre.getBoundingClientRect();
  const sizes = [...fix.querySelectorAll('*')].filter(e => [...e.childNodes].some(
      n => n.nodeType === 3 && n.textContent.trim())).map(e => parseFloat(getComputedStyle(e).fontSize));
  return {pre: {right: r.right, scroll: pre.scrollWidth, client: pre.clientWidth}, result: {right: result.right}, sizes};
}"""


def test_paste_a_command_in_the_sandbox(tmp_path, axe_core):
    shutil.copy(SANDBOX, tmp_path / SANDBOX.name)
    with jupyter_lab(tmp_path, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1000)) as browser:
        page = browser.new_page()
        run_in_jupyterlab(page, lab, SANDBOX.name)
        page.wait_for_selector(".owui-explorer", timeout=90_000)
        page.get_by_text("Paste your command", exact=True).first.click()
        page.locator(".owui-paste textarea").first.fill(PASTED)
        page.locator(".owui-paste-read").first.click()
        page.wait_for_function("() => document.querySelector('.owui-paste-reading')", timeout=30_000)
        assert page.locator(".owui-knob-ollama-bind input").first.input_value() == "0.0.0.0"
        assert page.locator(".owui-knob-add-host-gateway input").first.is_checked()
        assert "assumed Docker Engine on Linux" not in page.locator(".owui-paste-result").first.inner_text()
        for width, height in ((1280, 720), (1400, 1000), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator(".owui-paste").first.evaluate("e => e.scrollIntoView({block: 'center'})")
            page.wait_for_timeout(400)
            g = page.evaluate(GEOMETRY)
            page.screenshot(path=str(artifact_path(f"paste_box_{width}x{height}.png")))
            for part in ("text", "button"):
                assert 0 <= g[part]["top"] and g[part]["bottom"] <= g["viewport"]["height"], (width, part, g)
                assert g[part]["right"] <= g["viewport"]["width"], (width, part, g)
            assert min(g["sizes"]) >= 11, g["sizes"]
        # A broken compose file comes back fixed under the box: opened, it fits the column, readable.
        page.set_viewport_size({"width": 1280, "height": 720})
        page.locator(".owui-paste textarea").first.fill(COMMENTED)
        page.locator(".owui-paste-read").first.click()
        page.wait_for_selector(".owui-paste-fix summary", timeout=30_000)
        page.locator(".owui-paste-fix summary").first.click()
        fix = page.locator(".owui-paste-fix").first
        fix.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(artifact_path("paste_box_fix_1280x720.png")))
        assert "+      - OLLAMA_BASE_URL=http://ollama:11434" in fix.inner_text()
        box = page.evaluate(FIX_GEOMETRY)
        assert box["pre"]["right"] <= box["result"]["right"] + 1 and box["pre"]["scroll"] <= box["pre"]["client"], box
        assert min(box["sizes"]) >= 11, box["sizes"]
        assert_clean(page, axe_core, "the paste box with its fixed paste open", include=[".owui-paste"])
