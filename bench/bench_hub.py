"""Benchmark: the classroom hub on this server, for N learners, and the lab service under a rush.

Run: .venv/bin/python bench/bench_hub.py [N ...]      (e.g. 30 60 100; default 1 5 10; needs the Docker daemon,
JupyterHub, configurable-http-proxy, the learner image and the stand-in image, as tests/test_hub.py)

For each N, a fresh hub (deploy/jupyterhub/jupyterhub_config.py, as start-hub runs it):

- ready:   seconds from "start all N servers at once" until every server is ready (and the median);
           baseline: the same for N = 1 measured in this run (ratio = how much a crowd slows it);
- memory:  each learner server's memory use once ready (docker stats), mean and max MiB;
- CPU:     CPU-seconds each learner server used from its start until all were ready (docker stats), mean;
- refused: spawn requests the hub answered with an error (the goal: none, everyone waits their turn);
- load:    the machine's load average (1 min) when the start began and when all were ready.

Then, on the last hub, the rush: R learners (OWUI_LAB_BENCH_RUSH, default 100; 0 skips it; hub users with a token each, no server
needed) press "Run it live" at the same moment:

- all done:   seconds until the last of the R live runs has finished; labs per minute;
- wait p95:   each learner's wait in line before their run started (p50, p95, max);
- baseline:   one `owui-lab lab run` straight on the daemon (no service, no queue), median of 3, and
              R of them one after another at that pace (ratio = the queue's speed-up over one at a time);
- projector:  seconds from a learner's answer to the instructor's long poll returning with it (p50/max of 10).

Goals (issue 24): 100 learners logging in at once all get a server (none refused) and are ready in
< 2 min on 2 cores; (issue 15) 100 queued live runs finish in < 3 min; the projector updates within 1 s
of an answer. The machine is shared: read the load average and the ratios beside the seconds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OWUI_LAB_IMAGE", "owui-lab/python:offline")
os.environ.setdefault("OWUI_LAB_RUN", f"bench-hub-{os.getpid()}")

from classroom_hub import Hub, hub_problem  # noqa: E402  beside this script (the tests use it too, as bench.classroom_hub)
from owui_lab import load_scenario  # noqa: E402
from owui_lab.classroom import ServiceClient  # noqa: E402

RUSH = int(os.environ.get("OWUI_LAB_BENCH_RUSH", "100"))
#: Seconds a server may take to start in the benchmark (OWUI_LAB_BENCH_WAIT), for the hub and for us.
WAIT = int(os.environ.get("OWUI_LAB_BENCH_WAIT", "1800"))
CONFIGS = [load_scenario(s) for s in ("linux-ollama-on-host", "linux-compose", "linux-separate-networks",
                                      "linux-host-network")]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def usage(hub: Hub, users: list[str]) -> tuple[list[float], list[float]]:
    """Each learner server's memory (MiB) and the CPU-seconds it has used so far (docker stats)."""
    mem, cpu = [], []
    for user in users:
        stats = hub.container(user).stats(stream=False)
        used = stats["memory_stats"].get("usage", 0) - stats["memory_stats"].get("stats", {}).get("inactive_file", 0)
        mem.append(used / 2**20)
        cpu.append(stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9)
    return mem, cpu


def servers(n: int, workdir: Path) -> tuple[dict, Hub]:
    learners = [f"learner{i:03d}" for i in range(n)]
    hub = Hub(workdir / f"hub-{n}", learners)
    # A rush on a busy 2-core machine takes many minutes: the hub must not give up on a server first.
    hub.env["OWUI_LAB_START_TIMEOUT"] = str(WAIT)
    try:
        return _servers(hub, learners), hub
    except BaseException:
        hub.stop()  # a hub that failed here is not returned: stop it now, with its learners' servers
        raise


def _servers(hub: Hub, learners: list[str]) -> dict:
    n = len(learners)
    hub.start()
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    refused: list[str] = []

    def spawn(user: str) -> None:
        try:
            hub.spawn(user)
        except Exception as exc:  # noqa: BLE001 - counted: a learner who would see an error page
            refused.append(f"{user}: {exc}")

    # The whole class logs in at once: one thread per learner (the hub's API answers a spawn request
    # only after up to 10 s, so a loop would stagger them).
    spawners = [threading.Thread(target=spawn, args=(user,)) for user in learners]
    for t in spawners:
        t.start()
    for t in spawners:
        t.join()
    ready = hub.wait_ready([u for u in learners if not any(r.startswith(u + ":") for r in refused)],
                           timeout=WAIT, since=start,
                           progress=lambda s, k, n: print(f"  {s} s: {k}/{n} ready, load {os.getloadavg()[0]:.0f}",
                                                          flush=True))
    total = time.monotonic() - start
    load_after = os.getloadavg()[0]
    mem, cpu = usage(hub, list(ready))
    return {"n": n, "all_ready_s": round(total, 1), "median_ready_s": round(statistics.median(ready.values()), 1),
            "memory_mib_mean": round(statistics.mean(mem)), "memory_mib_max": round(max(mem)),
            "cpu_s_per_server": round(statistics.mean(cpu), 1), "refused": len(refused),
            "load_before": round(load_before, 1), "load_after": round(load_after, 1)}


def token_for(hub: Hub, user: str) -> str:
    model = hub.api("POST", f"/hub/api/users/{user}/tokens",
                    {"scopes": ["access:services!service=owui-lab"], "expires_in": 3600, "note": "bench"})
    return model["token"]


def rush(hub: Hub, r: int) -> dict:
    names = [f"rush{i:03d}" for i in range(r)]
    hub.api("POST", "/hub/api/users", {"usernames": names})
    service = "http://{}:{}/services/owui-lab/".format(*hub.service_address())
    clients = [ServiceClient(service, token_for(hub, name), timeout=30) for name in names]
    results: list[dict] = [None] * r  # type: ignore[list-item]
    go = threading.Event()

    def learner(i: int) -> None:
        go.wait()
        results[i] = clients[i].run(CONFIGS[i % len(CONFIGS)], poll=0.5, timeout=1200)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(r)]
    for t in threads:
        t.start()
    start = time.monotonic()
    go.set()
    for t in threads:
        t.join()
    total = time.monotonic() - start
    waits = [res["waited"] for res in results]
    agree = sum(1 for res in results if res["result"]["agree"])
    return {"runs": r, "all_done_s": round(total, 1), "labs_per_min": round(60 * r / total, 1),
            "wait_p50_s": round(p(waits, 0.5), 1), "wait_p95_s": round(p(waits, 0.95), 1),
            "wait_max_s": round(max(waits), 1), "agree": agree}


def projector_latency(hub: Hub, samples: int = 10) -> dict:
    service = "http://{}:{}/services/owui-lab/".format(*hub.service_address())
    teacher = ServiceClient(service, token_for(hub, hub.instructor), timeout=30)
    names = [f"voter{i:02d}" for i in range(samples)]
    hub.api("POST", "/hub/api/users", {"usernames": names})
    voters = [ServiceClient(service, token_for(hub, n)) for n in names]
    delays = []
    for voter in voters:
        version = teacher.request("GET", "api/questions")["version"]
        seen = {}

        def poll() -> None:
            seen["data"] = teacher.request("GET", f"api/questions?since={version}", timeout=30)
            seen["at"] = time.monotonic()

        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(0.3)  # the long poll is waiting before the answer arrives
        sent = time.monotonic()
        voter.answer("01_ollama_on_host", "linux", "ok")
        waiter.join()
        assert seen["data"]["version"] > version
        delays.append(seen["at"] - sent)
    return {"answers": samples, "update_p50_s": round(statistics.median(delays), 3), "update_max_s": round(max(delays), 3)}


def direct_run_seconds() -> float:
    times = []
    for seed in ("linux-ollama-on-host", "linux-compose", "linux-separate-networks"):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "owui_lab", "lab", "run", "--scenario", seed,
                        "--free-ports", "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    problem = hub_problem()
    if problem:
        print(f"cannot run: {problem}")
        return 1
    sizes = [int(a) for a in sys.argv[1:]] or [1, 5, 10]
    rows, hub = [], None
    with tempfile.TemporaryDirectory(prefix="owui-lab-bench-hub-") as tmp:
        try:
            for n in sizes:
                if hub is not None:
                    hub.stop()
                row, hub = servers(n, Path(tmp))
                rows.append(row)
                print(json.dumps(row), flush=True)
            base = rows[0]["all_ready_s"]
            print(f"\nservers ready (baseline: N={rows[0]['n']} in this run, {base} s)")
            print(f"{'N':>4} {'all ready s':>12} {'median s':>9} {'x baseline':>11} {'MiB/learner':>12} {'max MiB':>8} "
                  f"{'CPU s/start':>12} {'refused':>8} {'load':>10}")
            for row in rows:
                print(f"{row['n']:>4} {row['all_ready_s']:>12} {row['median_ready_s']:>9} "
                      f"{row['all_ready_s'] / base:>11.2f} {row['memory_mib_mean']:>12} {row['memory_mib_max']:>8} "
                      f"{row['cpu_s_per_server']:>12} {row['refused']:>8} {row['load_before']:>4}-{row['load_after']}")
            if RUSH <= 0:
                return 0  # OWUI_LAB_BENCH_RUSH=0: the servers only
            one = direct_run_seconds()
            result = rush(hub, RUSH)
            print(f"\nrush: {RUSH} live runs queued at once through the service "
                  f"({hub.env.get('OWUI_LAB_SERVICE_CONCURRENCY', '4')} at a time)")
            print(json.dumps(result))
            print(f"baseline: one direct `owui-lab lab run` takes {one:.1f} s; {RUSH} one after another "
                  f"~{one * RUSH:.0f} s; the service: {result['all_done_s']} s "
                  f"(x{one * RUSH / result['all_done_s']:.2f} faster), {result['agree']}/{RUSH} agree with the engine")
            print("\nprojector: " + json.dumps(projector_latency(hub)))
        finally:
            if hub is not None:
                left = hub.stop()
                if left:
                    print(f"removed left-over servers: {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
