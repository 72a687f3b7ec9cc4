"""Benchmark: the engine's start-up and prediction cost.

Run: .venv/bin/python bench/bench_engine.py

Prints the wall time of `python -c "import owui_lab"` and of `owui-lab predict` against a bare
`python -c pass` in the same run, and the per-call cost of predict() (with fix search) and evaluate().
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, ".")


def wall(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    base = wall([sys.executable, "-c", "pass"])
    imp = wall([sys.executable, "-c", "import owui_lab"])
    pred = wall([sys.executable, "-m", "owui_lab", "predict", "--scenario", "linux-ollama-on-host"])
    print(f"python -c pass            {base:7.1f} ms (baseline)")
    print(f"import owui_lab           {imp:7.1f} ms  ({imp / base:.2f}x baseline, +{imp - base:.1f} ms)")
    print(f"owui-lab predict (CLI)    {pred:7.1f} ms  ({pred / base:.2f}x baseline, +{pred - base:.1f} ms)")

    from owui_lab import predict
    from owui_lab.engine import evaluate
    from tests.strategies import configs

    sample = []

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(configs())
    def collect(c):
        sample.append(c)

    collect()
    for name, fn in (("evaluate()", evaluate), ("predict() incl. fixes", predict)):
        per = []
        for c in sample:
            t = time.perf_counter()
            fn(c)
            per.append((time.perf_counter() - t) * 1000)
        per.sort()
        p95 = per[int(len(per) * 0.95) - 1]
        print(f"{name:<25} median {statistics.median(per):.3f} ms, p95 {p95:.3f} ms over {len(per)} configurations")


if __name__ == "__main__":
    main()
