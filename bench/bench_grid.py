"""Benchmark: the Linux truth grid (``owui-lab lab grid``'s runner) against the same grid by hand.

Run from anywhere: python bench/bench_grid.py [RUNS]   (needs a Docker daemon and the stand-in image;
OWUI_LAB_IMAGE defaults to owui-lab/python:offline here)

Alternating so both see the same machine load, median of RUNS (1 by default: a run is about a minute):

- by hand: bench/grid_baseline.py, the grid's 480 configurations in its 10 setups with the plain docker
  CLI (``docker run -d`` ... ``&`` ``wait``, ``docker exec WEBUI probe URL...``, ``docker rm -f``), three
  setups at a time, observing only;
- grid:    ``owui_lab.lab.grid.run_grid(linux_grid())``: the same setups through the kit's lab, with
  the engine's check, the platform facts and the recording built in memory.

Prints configurations per second of each and the ratio grid / by hand (target <= 1.2). Both must
observe the same outcomes: each configuration observed differently is printed, and more than a few
(a rare transient that outlives a second probe) fail the benchmark. The machine is
shared: read the ratio, not the seconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from grid_baseline import run_grid_by_hand  # beside this script: Python puts the script's folder on sys.path

from owui_lab.lab.grid import linux_grid, run_grid
from owui_lab.truth import deployment_knobs

os.environ.setdefault("OWUI_LAB_IMAGE", "owui-lab/python:offline")


def _key(knobs: dict) -> tuple:
    return tuple(sorted(knobs.items()))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    grid = linux_grid(reports=False)  # the by-hand baseline knows the docs' setups only
    image = os.environ["OWUI_LAB_IMAGE"]
    print(f"truth grid vs the same grid by hand with the docker CLI: {grid.count} configurations in "
          f"{len(grid.families)} setups, 3 at a time, median of {runs} (image {image}; {os.cpu_count()} cores, "
          "shared: read the ratio)")
    hand_s, grid_s = [], []
    mismatches = 0
    for _ in range(runs):  # alternating, so both see the same load
        t = time.perf_counter()
        by_hand = [o for family in run_grid_by_hand(grid.families, image) for o in family]
        hand_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        recording = run_grid(grid, progress=False, say=lambda text: None)
        grid_s.append(time.perf_counter() - t)
        if recording.partial:
            raise SystemExit(f"the grid did not finish: {recording.partial_reason}")
        # The grid records setups as they finish: compare configuration by configuration.
        kit_seen = {_key(e.knobs): e.observed["outcome"] for e in recording.entries}
        hand_seen = {_key(deployment_knobs(c)): o for c, o in zip(grid.configs, by_hand)}
        if len(kit_seen) != grid.count or len(hand_seen) != grid.count:
            raise SystemExit("a configuration is missing from one of the two runs")
        differ = [(k, v, hand_seen[k]) for k, v in kit_seen.items() if hand_seen[k] != v]
        mismatches += len(differ)
        for knobs, kit_outcome, hand_outcome in differ[:10]:
            print(f"  observed differently: {dict(knobs)}: grid {kit_outcome}, by hand {hand_outcome}")
    hand, kit = statistics.median(hand_s), statistics.median(grid_s)
    print(f"{'':<10}{'seconds':>9}{'configs/s':>11}")
    print(f"{'by hand':<10}{hand:>9.1f}{grid.count / hand:>11.1f}")
    print(f"{'grid':<10}{kit:>9.1f}{grid.count / kit:>11.1f}")
    print(f"ratio grid / by hand: {kit / hand:.2f} (target <= 1.2); configurations observed differently in {runs} run(s): {mismatches}")
    if mismatches > 5 * runs:
        # Both probe a timeout twice; a rare transient can outlive that on a busy daemon. More means
        # one of the two does something else.
        raise SystemExit("the grid and the hand-made script observed different outcomes")


if __name__ == "__main__":
    main()
