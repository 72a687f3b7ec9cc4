"""Benchmark: click → new diagram painted, in Chromium, for the sandbox (JupyterLab) and the projector (Voila).

Run from anywhere: ``.venv/bin/python bench/bench_browser.py [--rounds 3] [--flips 20]``
(needs /usr/bin/chromium and the test extras; servers listen on 127.0.0.1 only).

What is timed, in the page: from the click (dispatched by script, ``performance.now()`` before it) until
the diagram ``<img>`` has a new source, that source is decoded, and two animation frames have passed
(the new picture is laid out and painted). Beside each, the Python side of the same clicks, measured
in this process on the same sequence: the explorer's or the stage's refresh (predict, draw, encode).

Workloads: the eight presets in turn (``--rounds`` times: the first round draws, later rounds hit the
per-configuration PNG cache), and ``--flips`` knob flips (the sandbox's --add-host checkbox; the
projector's "Ollama listens on 0.0.0.0" switch and its scenario picker).

Baselines from the same run:
- "bare figure": in the same JupyterLab page, a button whose handler draws a bare matplotlib figure of
  the diagram's size to PNG and puts it in an ``Image`` widget: what any widget showing a fresh picture
  pays (comm round trip, encode, decode, paint);
- "empty notebook": Voila's first render of a notebook with one print, beside the instructor view's
  first render (page open → diagram painted);
- the lessons' comparison cell (two SVG diagrams, the verdicts), timed in-process once the kernel has
  drawn one diagram, beside a bare matplotlib figure of the same size saved as SVG.

Goals (issue 12): median <= 100 ms and p95 <= 200 ms per click in the browser; Voila first render
<= 3 s; the comparison cell <= 0.5 s.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from servers import chromium, jupyter_lab, voila  # beside this script (the tests use it too, as bench.servers)

ROOT = Path(__file__).resolve().parents[1]

CLASSROOM = ["--theme=light", "--preheat_kernel=True"]  # as `make classroom` serves the instructor view
POOL_WAIT = 20.0  # seconds for Voila to refill its preheated kernel after a page took one
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/owui-lab-bench.sock", "DOCKER_CONTEXT": "default"}
PRESETS = ["desktop-ollama-on-host", "desktop-compose", "desktop-separate-networks", "desktop-host-network",
           "linux-ollama-on-host", "linux-compose", "linux-separate-networks", "linux-host-network"]

# Click (or change) something and resolve with the ms until `img` shows a new, decoded, painted picture.
CLICK_TO_PAINT = """async ([imgSel, action, target, value]) => {
  const old = document.querySelector(imgSel).src;
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { obs.disconnect(); resolve(null); }, 30000);
    // The kit's diagrams are an <img> an HTML widget writes anew on each redraw: look the picture up again.
    const obs = new MutationObserver(async () => {
      const img = document.querySelector(imgSel);
      if (!img || img.src === old) return;
      obs.disconnect(); clearTimeout(timer);
      try { await img.decode(); } catch (e) {}
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    obs.observe(document.body, {attributes: true, attributeFilter: ['src'], childList: true, subtree: true});
    const el = document.querySelector(target);
    const t0 = performance.now();
    if (action === 'select') { el.value = value; el.dispatchEvent(new Event('change', {bubbles: true})); }
    else { el.click(); }
  });
}"""

SANDBOX_NB = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import owui_lab\napp = owui_lab.explorer()\napp"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": (
             "# baseline: a bare matplotlib figure of the diagram's size, drawn and shown per click\n"
             "import io, ipywidgets as W\nfrom matplotlib.figure import Figure\nfrom owui_lab import drawing\n"
             "n = [0]\nimg = W.Image(format='png', layout=W.Layout(width='100%', max_width='1040px'))\n"
             "img.add_class('bench-bare')\nbutton = W.Button(description='bare figure')\n"
             "button.add_class('bench-bare-button')\n"
             "def bare(_=None):\n"
             "    n[0] += 1\n"
             "    fig = Figure(figsize=(drawing.DESIGN_W, drawing.DESIGN_H), dpi=drawing.DPI)\n"
             "    ax = fig.add_axes((0, 0, 1, 1)); ax.plot([0, 1], [0, n[0] % 7]); ax.text(0.5, 0.5, str(n[0]))\n"
             "    buf = io.BytesIO(); fig.savefig(buf, format='png'); img.value = buf.getvalue()\n"
             "button.on_click(bare); bare()\nW.VBox([button, img])")},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}
EMPTY_NB = {
    "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": "print('ready')"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def summary(name: str, ms: list[float | None], python_ms: list[float] | None = None) -> dict:
    """Median and p95 of one workload (a click whose picture never came within 30 s counts as missed)."""
    done = [m for m in ms if m is not None]
    row: dict = {"what": name, "n": len(done)}
    if len(done) < len(ms):
        row["missed"] = len(ms) - len(done)
    if done:
        row["median_ms"] = round(statistics.median(done), 1)
        row["p95_ms"] = round(sorted(done)[max(0, int(round(0.95 * len(done))) - 1)], 1)
    if python_ms:
        row["python_median_ms"] = round(statistics.median(python_ms), 1)
        row["python_p95_ms"] = round(sorted(python_ms)[max(0, int(round(0.95 * len(python_ms))) - 1)], 1)
    return row


def python_side(rounds: int, flips: int) -> dict[str, list[float]]:
    """The same click sequences, timed in this process (the kernel's share of each click)."""
    import owui_lab
    from owui_lab.widgets.stage import Stage

    app = owui_lab.explorer()
    out: dict[str, list[float]] = {"sandbox presets": [], "sandbox flips": [], "projector flips": [],
                                   "projector picker": []}
    for _ in range(rounds):
        for sid in PRESETS:
            t = time.perf_counter()
            app.apply_preset(sid)
            out["sandbox presets"].append((time.perf_counter() - t) * 1000)
    for _ in range(flips):
        t = time.perf_counter()
        app.controls["platform"].value = "desktop" if app.controls["platform"].value == "linux" else "linux"
        out["sandbox flips"].append((time.perf_counter() - t) * 1000)
    stage = Stage()
    stage.widget
    for _ in range(flips):
        button = stage._toggles["bind_all"]
        t = time.perf_counter()
        button.value = not button.value
        out["projector flips"].append((time.perf_counter() - t) * 1000)
    for _ in range(rounds):
        for sid in PRESETS:
            t = time.perf_counter()
            stage._picker.value = sid
            out["projector picker"].append((time.perf_counter() - t) * 1000)
    return out


def lesson_cell() -> list[dict]:
    """The comparison cell once the kernel has drawn one diagram, and a bare figure saved as SVG."""
    import owui_lab
    from matplotlib.figure import Figure

    from owui_lab import drawing
    from owui_lab.widgets import base
    from owui_lab.widgets.compare import compare_html

    base.lesson_diagram(owui_lab.load_scenario("linux-compose"))  # the kernel has drawn one diagram
    pairs = [("desktop-ollama-on-host", "linux-ollama-on-host"), ("desktop-compose", "linux-compose"),
             ("desktop-separate-networks", "linux-separate-networks"), ("desktop-host-network", "linux-host-network")]
    cell, bare, png = [], [], []
    for left, right in pairs:
        t = time.perf_counter()
        compare_html(owui_lab.load_scenario(left), owui_lab.load_scenario(right))
        cell.append((time.perf_counter() - t) * 1000)
        for sink, fmt in ((bare, "svg"), (png, "png")):
            t = time.perf_counter()
            for _ in range(2):
                fig = Figure(figsize=(drawing.DESIGN_W, drawing.DESIGN_H), dpi=drawing.DPI)
                fig.add_axes((0, 0, 1, 1)).plot([0, 1], [0, 1])
                fig.savefig(io.BytesIO(), format=fmt)
            sink.append((time.perf_counter() - t) * 1000)
    # the same diagram as the lessons' SVG and as the sandbox's PNG: bytes and time
    config = owui_lab.load_scenario("linux-ollama-on-host")
    fig = drawing.draw(config)
    t = time.perf_counter()
    svg = drawing.render_svg(fig)
    svg_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    png_bytes = drawing.render_png(fig)
    png_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    png2x = drawing.render_png(fig, dpi=2 * drawing.DPI)
    png2x_ms = (time.perf_counter() - t) * 1000
    return [summary("lesson comparison cell (2 SVG diagrams + verdicts)", cell),
            summary("  baseline: 2 bare matplotlib figures, same size, to SVG", bare),
            summary("  baseline: 2 bare matplotlib figures, same size, to PNG", png),
            {"what": "one diagram: SVG (text as paths) vs PNG (screen) vs PNG (2x, high-density screens)",
             "svg_bytes": len(svg), "svg_ms": round(svg_ms, 1), "png_bytes": len(png_bytes),
             "png_ms": round(png_ms, 1), "png2x_bytes": len(png2x), "png2x_ms": round(png2x_ms, 1)}]


def sandbox_clicks(rounds: int, flips: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"sandbox presets": [], "sandbox flips": [], "bare figure": []}
    with tempfile.TemporaryDirectory(prefix="owui-lab-bench-") as tmp:
        (Path(tmp) / "bench.ipynb").write_text(json.dumps(SANDBOX_NB))
        with jupyter_lab(tmp, env=NO_DAEMON) as lab, chromium(viewport=(1400, 1000)) as browser:
            page = browser.new_page()
            page.goto(lab.url("lab/tree/bench.ipynb", reset=""))
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.wait_for_function("() => document.querySelector('img.owui-diagram') && "
                                   "document.querySelector('img.bench-bare')", timeout=120_000)
            img = "img.owui-diagram"
            page.evaluate(CLICK_TO_PAINT, [img, "click", ".owui-preset-linux-compose", None])  # warm up
            for _ in range(rounds):
                for sid in PRESETS:
                    out["sandbox presets"].append(page.evaluate(CLICK_TO_PAINT, [img, "click", f".owui-preset-{sid}", None]))
            for _ in range(flips):  # Linux <-> Docker Desktop: a flip that always changes the picture
                out["sandbox flips"].append(page.evaluate(
                    CLICK_TO_PAINT, [img, "click", ".owui-knob-platform button:not(.mod-active)", None]))
            for _ in range(flips):
                out["bare figure"].append(page.evaluate(CLICK_TO_PAINT, ["img.bench-bare", "click", ".bench-bare-button", None]))
    return out


def projector_clicks(rounds: int, flips: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    out: dict[str, list[float]] = {"projector flips": [], "projector picker": []}
    first: dict[str, float] = {}
    import owui_lab

    titles = {s.id: s.title for s in owui_lab.scenarios()}
    painted = ("() => { const i = document.querySelector('img.owui-stage-diagram');"
               " return i && i.complete && i.naturalWidth > 0; }")

    def first_renders(server, ready_js: str, name: str, browser) -> None:
        # the page opened as the server comes up, then once its preheated kernel is ready (what an
        # instructor gets who starts `make classroom` a minute before the class)
        for when in ("server just started", "kernel pool ready"):
            if when == "kernel pool ready":
                time.sleep(POOL_WAIT)
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(server.url(), wait_until="domcontentloaded")
            page.wait_for_function(ready_js, timeout=120_000)
            first[f"{name}, {when}"] = (time.perf_counter() - t) * 1000
            page.close()

    with tempfile.TemporaryDirectory(prefix="owui-lab-bench-") as tmp:
        empty = Path(tmp) / "empty.ipynb"
        empty.write_text(json.dumps(EMPTY_NB))
        with voila(empty, extra_args=CLASSROOM) as server, chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
            first_renders(server, "() => document.body.innerText.includes('ready')", "empty notebook (baseline)", browser)
    with voila(ROOT / "notebooks" / "instructor.ipynb", env=NO_DAEMON, extra_args=CLASSROOM) as server, \
            chromium(viewport=(1280, 720), timeout_ms=120_000) as browser:
        first_renders(server, painted, "instructor view", browser)
        page = browser.new_page()
        page.goto(server.url(), wait_until="domcontentloaded")
        page.wait_for_function(painted, timeout=120_000)
        img = "img.owui-stage-diagram"
        for _ in range(flips):
            out["projector flips"].append(page.evaluate(CLICK_TO_PAINT, [img, "click", ".owui-switch-bind-all", None]))
        for _ in range(rounds):
            for sid in PRESETS:
                out["projector picker"].append(page.evaluate(
                    CLICK_TO_PAINT, [img, "select", ".owui-stage-picker select", titles[sid]]))
    return out, first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the eight presets (default 3)")
    parser.add_argument("--flips", type=int, default=20, help="knob flips per view (default 20)")
    args = parser.parse_args(argv)

    python = python_side(args.rounds, args.flips)
    rows = lesson_cell()
    sandbox = sandbox_clicks(args.rounds, args.flips)
    projector, first = projector_clicks(args.rounds, args.flips)
    for name in ("sandbox presets", "sandbox flips"):
        rows.append(summary(f"browser: {name}", sandbox[name], python[name]))
    rows.append(summary("  baseline: bare matplotlib figure, same size, click to paint", sandbox["bare figure"]))
    for name in ("projector flips", "projector picker"):
        rows.append(summary(f"browser: {name}", projector[name], python[name]))
    for name, ms in first.items():
        rows.append({"what": f"Voila first render: {name}", "ms": round(ms)})
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
