"""Benchmark: `owui-lab lab run` of each Linux seed against the plain docker-CLI script doing the same.

Run: .venv/bin/python bench/bench_lab.py [RUNS]   (needs a Docker daemon and the stand-in image;
OWUI_LAB_IMAGE defaults to owui-lab/python:offline here)

For each Linux seed scenario, alternating so both see the same machine load, median of RUNS (3):

- script:   bench/lab_baseline.sh SEED (the same steps with the docker CLI: create, wait, probe from
            inside Open WebUI, browser check, tear down), wall time of the whole command;
- lab CLI:  `owui-lab lab run --scenario SEED --free-ports --json` as a learner runs it (a fresh
            Python process: imports included), wall time; and its own teardown time;
- lab API:  `owui_lab.lab.run(config)` in this process (no interpreter start-up).

Target: lab CLI / script <= 1.2 and teardown < 1 s. The machine is shared: read ratios, not seconds.
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
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
    ratios = []
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
            print(f"{seed:<26}{m['script']:>9.2f}{m['cli']:>10.2f}{m['cli'] / m['script']:>7.2f}{m['api']:>10.2f}"
                  f"{m['api'] / m['script']:>7.2f}{m['tl']:>12.2f} / {m['ts']:<8.2f}  {outcome}")
            print(f"{'':<26}max teardown of the lab: {max(tear_lab):.2f} s")
    finally:
        shutil.rmtree(standins, ignore_errors=True)
    print(f"worst lab CLI / script ratio: {max(ratios):.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
