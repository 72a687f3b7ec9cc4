"""Benchmark: `owui-lab lab run` of each Linux seed against the plain docker-CLI script doing the same.

Run: .venv/bin/python bench/bench_lab.py [RUNS]   (needs a Docker daemon and the stand-in image;
OWUI_LAB_IMAGE defaults to owui-lab/python:offline here)

For each Linux seed scenario, alternating so both see the same machine load, median of RUNS (3):

- script:   bench/lab_baseline.sh SEED (the same steps with the docker CLI: create, wait, probe from
            inside Open WebUI, browser check, tear down), wall time of the whole command;
- lab CLI:  `owui-lab lab run --scenario SEED --free-ports --json` as a learner runs it (a fresh
            Python process: imports included), wall time; and its own teardown time;
- lab API:  `owui_lab.lab.run(config)` in this process (no interpreter start-up: a notebook's warm call).

Then eight at once (two of each seed): eight `owui-lab lab run` processes started together against
eight baseline scripts started together, ROUNDS (2) times alternating: labs per minute of each, and the
p95 of one lab run's wall time inside the batch.

Targets (issue 16): lab CLI / script <= 1.2; lab API / script <= 1.0; teardown <= 0.25 s; eight at once
>= 0.8x the scripts' throughput. The machine is shared: read ratios, not seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("OWUI_LAB_IMAGE", "owui-lab/python:offline")

import owui_lab  # noqa: E402
from owui_lab.lab import run  # noqa: E402

SEEDS = ["linux-ollama-on-host", "linux-compose", "linux-separate-networks", "linux-host-network"]


def timed(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {done.stderr.strip()[-500:]}")
    return seconds, done.stdout


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    standins = Path(tempfile.mkdtemp(prefix="owui-lab-bench-"))
    for name in ("ollama.py", "webui.py"):
        shutil.copy(REPO / "owui_lab" / "standins" / name, standins / name)
    print(f"lab run vs plain docker CLI script, median of {runs} (image {os.environ['OWUI_LAB_IMAGE']}; "
          f"{os.cpu_count()} cores, shared: read the ratios)")
    header = f"{'seed':<26}{'script s':>9}{'lab CLI s':>10}{'ratio':>7}{'lab API s':>10}{'ratio':>7}{'teardown lab/script s':>23}  outcome"
    print(header)
    print("-" * len(header))
    ratios, api_ratios, all_teardowns = [], [], []
    try:
        for seed in SEEDS:
            script, cli, api, tear_lab, tear_script, outcome = [], [], [], [], [], ""
            for _ in range(runs):
                s, out = timed(["bash", str(REPO / "bench" / "lab_baseline.sh"), seed, str(standins)])
                script.append(s)
                tear_script.append(float(out.split("teardown=")[1]))
                c, out = timed([sys.executable, "-m", "owui_lab", "lab", "run", "--scenario", seed, "--free-ports", "--json"])
                cli.append(c)
                data = json.loads(out)
                tear_lab.append(data["teardown_seconds"])
                outcome = f"{data['observed']['outcome']} (agree={data['agree']})"
                t = time.perf_counter()
                result = run(owui_lab.load_scenario(seed), progress=False, keep_ports=False)
                api.append(time.perf_counter() - t)
                tear_lab.append(result.teardown_seconds)
            m = {k: statistics.median(v) for k, v in
                 {"script": script, "cli": cli, "api": api, "tl": tear_lab, "ts": tear_script}.items()}
            ratios.append(m["cli"] / m["script"])
            api_ratios.append(m["api"] / m["script"])
            all_teardowns += tear_lab
            print(f"{seed:<26}{m['script']:>9.2f}{m['cli']:>10.2f}{m['cli'] / m['script']:>7.2f}{m['api']:>10.2f}"
                  f"{m['api'] / m['script']:>7.2f}{m['tl']:>12.2f} / {m['ts']:<8.2f}  {outcome}")
            print(f"{'':<26}max teardown of the lab: {max(tear_lab):.2f} s")
    finally:
        shutil.rmtree(standins, ignore_errors=True)
    print(f"worst lab CLI / script ratio: {max(ratios):.2f} (target <= 1.2); "
          f"worst lab API / script ratio: {max(api_ratios):.2f} (target <= 1.0); "
          f"median lab teardown: {statistics.median(all_teardowns):.2f} s (target <= 0.25)")
    eight_at_once(rounds=2)


def eight_at_once(rounds: int) -> None:
    """Eight labs started together vs eight hand scripts started together: throughput and p95."""
    standins = Path(tempfile.mkdtemp(prefix="owui-lab-bench-"))
    for name in ("ollama.py", "webui.py"):
        shutil.copy(REPO / "owui_lab" / "standins" / name, standins / name)
    batch = SEEDS * 2
    lab_cmds = [[sys.executable, "-m", "owui_lab", "lab", "run", "--scenario", seed, "--free-ports", "--json"]
                for seed in batch]
    script_cmds = [["bash", str(REPO / "bench" / "lab_baseline.sh"), seed, str(standins)] for seed in batch]

    def together(cmds: list[list[str]]) -> tuple[float, list[float], list[str]]:
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(cmds)) as pool:
            done = list(pool.map(timed, cmds))
        return time.perf_counter() - t, [d[0] for d in done], [d[1] for d in done]

    lab_walls, script_walls, lab_single, script_single, disagree = [], [], [], [], 0
    try:
        for _ in range(rounds):
            wall, singles, outs = together(script_cmds)
            script_walls.append(wall)
            script_single += singles
            wall, singles, outs = together(lab_cmds)
            lab_walls.append(wall)
            lab_single += singles
            for o in outs:
                data = json.loads(o)
                if not data["agree"]:
                    disagree += 1
                    print(f"  disagreement: {data['config']['scenario'] if 'scenario' in data.get('config', {}) else ''}"
                          f" predicted {data['predicted']['outcome']}, observed {data['observed']}", flush=True)
    finally:
        shutil.rmtree(standins, ignore_errors=True)

    def p95(xs: list[float]) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]

    lab_rate = len(batch) * 60 / statistics.median(lab_walls)
    script_rate = len(batch) * 60 / statistics.median(script_walls)
    print(f"eight at once, {rounds} rounds: lab {lab_rate:.0f} labs/min (p95 of one run {p95(lab_single):.2f} s), "
          f"scripts {script_rate:.0f}/min (p95 {p95(script_single):.2f} s): {lab_rate / script_rate:.2f}x "
          f"(target >= 0.8); disagreements {disagree} of {rounds * len(batch)}")


if __name__ == "__main__":
    main()
