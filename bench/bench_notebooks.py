"""Benchmark: execute every workshop notebook, with the Docker daemon and without one (Binder mode).

Run: .venv/bin/python bench/bench_notebooks.py [--mode both|docker|binder] [--repeat N]

Targets (issue 7): all notebooks in under 2 minutes with a daemon, under 1 minute without.

Each notebook runs in a fresh kernel with nbclient, exactly as tests/test_notebooks.py runs it. The
baseline, measured in the same run and the same mode, is an empty notebook: kernel start, one trivial
cell, shutdown. What a notebook costs beyond that is the kit's work (imports, drawing, widgets, the live
runs). Ratios are against that baseline: "8 notebooks = 8 baselines" would be the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TARGET_SECONDS = {"docker": 120.0, "binder": 60.0}
BINDER_ENV = {
    "DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock",
    "DOCKER_CONTEXT": "default",
    "BINDER_LAUNCH_HOST": "https://mybinder.org/",
}


def _env(mode: str) -> dict[str, str]:
    env = dict(os.environ)
    if mode == "binder":
        env.update(BINDER_ENV)
    else:
        env.setdefault("OWUI_LAB_IMAGE", "owui-lab/python:offline")
    return env


def _execute(nb, env: dict[str, str]) -> float:
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute(env=env)
    return time.perf_counter() - start


def _empty_notebook():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def _live_runs(nb) -> int:
    return sum(
        'data-live="ran"' in out.get("data", {}).get("text/html", "")
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


def bench_mode(mode: str, repeat: int) -> dict:
    import nbformat

    env = _env(mode)
    baseline = statistics.median(_execute(_empty_notebook(), env) for _ in range(max(repeat, 2)))
    rows = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        times, live = [], 0
        for _ in range(repeat):
            nb = nbformat.read(path, as_version=4)
            times.append(_execute(nb, env))
            live = _live_runs(nb)
        rows.append((path.name, statistics.median(times), live))
    total = sum(t for _, t, _ in rows)
    return {"mode": mode, "baseline": baseline, "rows": rows, "total": total}


def report(result: dict) -> None:
    mode, baseline, total = result["mode"], result["baseline"], result["total"]
    n = len(result["rows"])
    print(f"\n== {mode} mode ({'Docker daemon, live cells run' if mode == 'docker' else 'no daemon reachable, as on Binder'})")
    print(f"baseline (empty notebook: kernel start, one cell, shutdown): {baseline:6.2f} s")
    print(f"{'notebook':<28} {'seconds':>8} {'x baseline':>11} {'live runs':>10}")
    for name, seconds, live in result["rows"]:
        print(f"{name:<28} {seconds:8.2f} {seconds / baseline:11.1f} {live:10d}")
    target = TARGET_SECONDS[mode]
    verdict = "within" if total < target else "OVER"
    print(f"{'all notebooks':<28} {total:8.2f} {total / baseline:11.1f}   ({n} baselines = {n * baseline:.1f} s)")
    print(f"target: under {target:.0f} s -> {verdict} target ({total / target:.0%} of it)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("both", "docker", "binder"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median reported)")
    args = parser.parse_args(argv)
    modes = ("binder", "docker") if args.mode == "both" else (args.mode,)
    if "docker" in modes:
        from owui_lab import environment

        mode = environment.detect()
        if not mode.live:
            print(f"docker mode skipped: {mode.detail}")
            modes = tuple(m for m in modes if m != "docker")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared: read the numbers as ranges)")
    for mode in modes:
        report(bench_mode(mode, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
