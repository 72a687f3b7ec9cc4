"""Benchmark: one explorer update, widget value set → outputs refreshed (targets: median < 50 ms, p95 < 100 ms).

Run: .venv/bin/python bench/bench_explorer.py [--rounds 3] [--random 150] [--seed 1]

An update is everything the kernel does when a learner flips a knob: read the controls, build the
configuration, predict (with fixes), draw and encode the PNG, write the verdict HTML and the recipe,
and set the Image/HTML widgets' values. It is timed around the widget assignment itself (the handler
runs synchronously inside it). What the browser then does with the new PNG is not included.

Workloads, each timed twice: with the explorer's per-configuration PNG cache (what a learner gets:
going back to a configuration redraws nothing) and without it (every update draws):

- presets: each of the eight seed scenarios in turn, ``--rounds`` times (one refresh each);
- random: ``--random`` single-knob changes drawn with a fixed seed, as a learner would click.

Baseline, measured in the same run on the same configurations: the bare engine + drawing call
(``predict``, ``draw`` into a reused axes, ``render_png``), i.e. what any way of showing the picture
must pay. The ratio says what the widget layer adds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time


#: Controls a learner clicks and values they pick: knob names (``app.controls``) and the mode (``app.w_mode``).
KNOBS = {
    "platform": ["linux", "desktop"],
    "desktop_host_networking": [True, False],
    "ollama": ["host", "container"],
    "mode": ["bridge", "host", "compose", "separate"],
    "ollama_network": ["bridge", "host", "ollama-net"],
    "ollama_publish": ["none", "all", "loopback"],
    "ollama_bind": ["", "127.0.0.1", "0.0.0.0", "0.0.0.0:11434"],
    "add_host_gateway": [True, False],
    "base_url": ["http://host.docker.internal:11434", "http://ollama:11434", "http://localhost:11434",
                 "http://127.0.0.1:11434", "http://172.17.0.1:11434"],
    "webui_port": [3000, 3001],
}


def stats(times: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return statistics.median(ms), p95


class Baseline:
    """The bare engine + drawing call, timed right after each update on the same configuration.

    Pairing each update with its baseline keeps the ratio fair on a machine whose load changes
    from one second to the next.
    """

    def __init__(self) -> None:
        from owui_lab import drawing
        from owui_lab import predict

        self.drawing, self.predict = drawing, predict
        self.fig, self.ax = drawing.new_figure()
        self.times: list[float] = []

    def __call__(self, c) -> None:
        t = time.perf_counter()
        v = self.predict(c)
        self.drawing.draw(c, ax=self.ax, verdict=v)
        self.drawing.render_png(self.fig)
        self.times.append(time.perf_counter() - t)


def run_presets(app, ids: list[str], rounds: int, base: Baseline | None = None) -> list[float]:
    times = []
    for _ in range(rounds):
        for sid in ids:
            before = app.refresh_count
            t = time.perf_counter()
            app.apply_preset(sid)
            times.append(time.perf_counter() - t)
            assert app.refresh_count == before + 1, "a preset must refresh exactly once"
            if base:
                base(app.config)
    return times


def random_actions(n: int, seed: int) -> list[tuple[str, object]]:
    rng = random.Random(seed)
    names = sorted(KNOBS)
    return [(name, rng.choice(KNOBS[name])) for name in (rng.choice(names) for _ in range(n))]


def run_random(app, actions, base: Baseline) -> list[float]:
    times = []
    for name, value in actions:
        widget = app.w_mode if name == "mode" else app.controls[name]
        if widget.disabled or widget.value == value:
            continue  # the learner cannot click it now, or it would change nothing
        if name == "ollama_network" and value not in [v for _, v in widget.options]:
            continue
        t = time.perf_counter()
        widget.value = value
        times.append(time.perf_counter() - t)
        if app.error is None:
            base(app.config)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times through the eight presets (default 3)")
    parser.add_argument("--random", type=int, default=150, help="random knob changes (default 150)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from owui_lab import scenarios
    from owui_lab.widgets.explorer import explorer

    ids = [s.id for s in scenarios()]
    t = time.perf_counter()
    warmup = explorer(cache_png=False)  # first draw pays font loading; keep it out of the numbers
    build = time.perf_counter() - t
    run_presets(warmup, ids, 1)

    rows = []
    for cached in (False, True):
        app = explorer(cache_png=cached)
        label = "cached" if cached else "no cache"
        base = Baseline()
        p_times = run_presets(app, ids, args.rounds, base)
        rows.append((f"presets ({label})", p_times, base.times))
        base = Baseline()
        r_times = run_random(app, random_actions(args.random, args.seed), base)
        rows.append((f"random knobs ({label})", r_times, base.times))

    print(f"explorer update: widget value set -> outputs refreshed (first app built in {build * 1000:.0f} ms)")
    print(f"{'workload':<26} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'baseline median':>16} {'ratio':>6}")
    for name, times, base in rows:
        med, p95 = stats(times)
        bmed, _ = stats(base)
        print(f"{name:<26} {len(times):>4} {med:>10.1f} {p95:>8.1f} {bmed:>16.1f} {med / bmed:>6.2f}")
    print("targets: median < 50 ms, p95 < 100 ms. baseline = predict + draw into a reused axes + PNG, same configs.")
    print(f"machine: {os.cpu_count()} cores, shared with other work while this ran: read the numbers as ranges.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
