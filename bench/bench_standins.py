"""Benchmark: the stand-ins' start, answer and teardown times, against plain baselines in the same run.

Run: .venv/bin/python bench/bench_standins.py [--no-docker]

Local processes: the stand-in Ollama and Open WebUI against ``python3 -m http.server`` (start until
the first HTTP answer; teardown after SIGTERM, where http.server simply dies of the signal: the
floor). Requests: ``/api/tags`` and a non-streamed and streamed ``/api/chat`` over one keep-alive
connection, against http.server's ``GET /``. In Docker (offline image, labelled, removed after):
``docker run`` until the stand-in answers, and ``docker stop``, against a Python process that only
waits for SIGTERM. Medians; the machine is shared, read them as ranges.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time


from owui_lab import standins  # noqa: E402

RUNS = 7


def answer(port: int, path: str = "/", host: str = "127.0.0.1") -> None:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
    finally:
        conn.close()


def start_stop(cmd: list[str], pattern: str, path: str) -> tuple[float, float]:
    """(ms from spawn until the first HTTP answer, ms from SIGTERM until the process is gone)."""
    began = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        port = int(re.search(pattern, line).group(1))
        answer(port, path)
        up = time.perf_counter() - began
        began = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        down = time.perf_counter() - began
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return up * 1000, down * 1000


def median_pair(fn, runs: int = RUNS) -> tuple[float, float]:
    pairs = [fn() for _ in range(runs)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def per_request(port: int, method: str, path: str, body: dict | None, n: int = 200) -> float:
    """Median ms of one request over a keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    data = json.dumps(body).encode() if body is not None else None
    times = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            conn.request(method, path, body=data)
            conn.getresponse().read()
            times.append(time.perf_counter() - t)
    finally:
        conn.close()
    return statistics.median(times) * 1000


def local() -> None:
    py = sys.executable
    base_up, base_down = median_pair(lambda: start_stop(
        [py, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"], r"port (\d+)", "/"))
    o_up, o_down = median_pair(lambda: start_stop(
        [py, "-u", str(standins.path("ollama")), "--bind", "127.0.0.1:0", "--quiet"], r":(\d+) ", "/api/version"))
    w_up, w_down = median_pair(lambda: start_stop(
        [py, "-u", str(standins.path("webui")), "serve", "--host", "127.0.0.1", "--port", "0", "--quiet"],
        r":(\d+);", "/health"))
    print("local process                       start→answer   SIGTERM→gone")
    print(f"python -m http.server (baseline)   {base_up:9.1f} ms   {base_down:9.1f} ms")
    print(f"stand-in Ollama                    {o_up:9.1f} ms   {o_down:9.1f} ms   "
          f"({o_up / base_up:.2f}x, {o_down / base_down:.2f}x baseline)")
    print(f"stand-in Open WebUI                {w_up:9.1f} ms   {w_down:9.1f} ms   "
          f"({w_up / base_up:.2f}x, {w_down / base_down:.2f}x baseline)")

    server = subprocess.Popen([py, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd="/tmp")
    base_port = int(re.search(r"port (\d+)", server.stdout.readline()).group(1))
    try:
        with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"]) as ollama:
            from owui_lab.standins.ollama import MODEL as model
            chat = {"model": model, "messages": [{"role": "user", "content": " ".join(["word"] * 50)}]}
            # http.server answers HTTP/1.0 and closes: compare with a fresh connection each time there.
            base = statistics.median(_timed(lambda: answer(base_port, "/")) for _ in range(200))
            tags = per_request(ollama.port, "GET", "/api/tags", None)
            plain = per_request(ollama.port, "POST", "/api/chat", {**chat, "stream": False})
            streamed = per_request(ollama.port, "POST", "/api/chat", chat)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(5)
    print("\nrequest (median of 200)")
    print(f"http.server GET / (baseline, new connection)  {base:6.2f} ms")
    print(f"stand-in GET /api/tags (keep-alive)           {tags:6.2f} ms  ({tags / base:.2f}x baseline)")
    print(f"stand-in /api/chat, 50 words, stream false    {plain:6.2f} ms  ({plain / base:.2f}x baseline)")
    print(f"stand-in /api/chat, 50 words, streamed        {streamed:6.2f} ms  ({streamed / base:.2f}x baseline)")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def in_docker() -> None:
    import docker

    from owui_lab.docker_api import labels

    image = os.environ.get("OWUI_LAB_IMAGE", "owui-lab/python:offline")
    cli = docker.from_env()
    session = os.urandom(4).hex()
    waiter = ("import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n"
              "print('listening on 0.0.0.0:0', flush=True)\ntime.sleep(600)")

    def cycle(args: list[str], wait_http: bool, env: dict) -> tuple[float, float]:
        began = time.perf_counter()
        container = cli.containers.run(image, ["python3", "-c", *args], detach=True, environment=env,
                                       labels=labels(session, "bench"), name=f"owui-lab-{session}-bench-{os.urandom(2).hex()}")
        try:
            while "listening on" not in container.logs().decode():
                time.sleep(0.01)
            container.reload()  # both sides pay for one inspect
            if wait_http:
                answer(11434, "/api/version", container.attrs["NetworkSettings"]["IPAddress"])
            up = time.perf_counter() - began
            began = time.perf_counter()
            container.stop(timeout=10)
            down = time.perf_counter() - began
        finally:
            container.remove(force=True)
        return up * 1000, down * 1000

    try:
        base_up, base_down = median_pair(lambda: cycle([waiter], False, {}), runs=5)
        o_up, o_down = median_pair(lambda: cycle([standins.source("ollama"), "--quiet"], True,
                                                 {"OLLAMA_HOST": "0.0.0.0"}), runs=5)
    finally:
        cli.close()
    print(f"\nin Docker ({image})                     run→answer     docker stop")
    print(f"python waiting for SIGTERM (baseline)  {base_up:9.1f} ms   {base_down:9.1f} ms")
    print(f"stand-in Ollama                        {o_up:9.1f} ms   {o_down:9.1f} ms   "
          f"({o_up / base_up:.2f}x, {o_down / base_down:.2f}x baseline)")


def main() -> None:
    local()
    if "--no-docker" not in sys.argv:
        in_docker()


if __name__ == "__main__":
    main()
