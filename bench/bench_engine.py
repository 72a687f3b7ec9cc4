"""Benchmark: the engine's start-up and prediction cost.

Run (from any directory): .venv/bin/python bench/bench_engine.py

Prints the wall time of `python -c "import owui_lab"` and of `owui-lab predict` against a bare
`python -c pass` in the same run, and the per-call cost of predict() (with fix search) and evaluate().
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import itertools


def wall(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def configurations() -> list:
    """Every combination of the knobs the widgets offer (the same sample on every run)."""
    from owui_lab import Config, OwuiLabError

    knobs = dict(
        platform=["linux", "desktop"], ollama=["host", "container"], ollama_bind=[None, "127.0.0.1", "0.0.0.0"],
        webui_network=["bridge", "host", "ai"], add_host_gateway=[False, True],
        base_url=["http://host.docker.internal:11434", "http://ollama:11434", "http://127.0.0.1:11434",
                  "http://172.17.0.1:11434"],
    )
    out = []
    for values in itertools.product(*knobs.values()):
        chosen = dict(zip(knobs, values))
        extra = [{}] if chosen["ollama"] == "host" else [
            {"ollama_network": net, "ollama_publish": pub} for net in ("bridge", "ai") for pub in ("none", "all")]
        for more in extra:
            try:
                out.append(Config(**chosen, **more))
            except OwuiLabError:
                pass
    return out


def main() -> None:
    base = wall([sys.executable, "-c", "pass"])
    imp = wall([sys.executable, "-c", "import owui_lab"])
    pred = wall([sys.executable, "-m", "owui_lab", "predict", "--scenario", "linux-ollama-on-host"])
    print(f"python -c pass            {base:7.1f} ms (baseline)")
    print(f"import owui_lab           {imp:7.1f} ms  ({imp / base:.2f}x baseline, +{imp - base:.1f} ms)")
    print(f"owui-lab predict (CLI)    {pred:7.1f} ms  ({pred / base:.2f}x baseline, +{pred - base:.1f} ms)")

    from owui_lab import predict
    from owui_lab.engine import evaluate

    sample = configurations()
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
