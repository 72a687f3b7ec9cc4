"""Benchmark: a full doctor run against a handful of a learner's containers (target: under 3 s).

Run: .venv/bin/python bench/bench_doctor.py   (needs a Docker daemon and the stand-in image)

Builds five unlabelled "learner" containers from the stand-in image tagged as the real images (a
working pair on a user-defined network, a pair on separate networks, an Open WebUI reaching a host
Ollama stand-in through host-gateway), then times, median of several runs:

- the baseline: listing and inspecting those containers through the SDK (what any tool must do);
- ``doctor(observe=False)``: inspect + reconstruct + predict, no traffic;
- ``doctor()`` on the working pair and on the host-Ollama setup: the full run, probe container included;
- ``owui-lab doctor --json`` as a learner runs it (a fresh Python process);
- reading the Ollama URL Open WebUI saved, from a 32 MB ``webui.db`` on a named volume (chats make it
  grow), against ``docker cp`` of the same file (the floor any reader of a container's file pays).

Everything created is removed by exact id at the end; tags made here are removed too.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time


STANDIN = os.environ.setdefault("OWUI_LAB_IMAGE", "owui-lab/python:offline")
WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:main"
OLLAMA_IMAGE = "ollama/ollama:latest"
WEBUI_ENV = {"ENV": "prod", "PORT": "8080", "OLLAMA_BASE_URL": "/ollama"}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def main() -> None:
    from owui_lab import docker_api, standins
    from owui_lab.docker_api import wait_listening
    from owui_lab.diagnosis import doctor

    cli = docker_api.client()
    made_tags = []
    for tag in (WEBUI_IMAGE, OLLAMA_IMAGE):
        if subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode:
            subprocess.run(["docker", "tag", STANDIN, tag], check=True)
            made_tags.append(tag)
    sfx = secrets.token_hex(3)
    containers, networks, volumes = [], [], []
    host = standins.spawn("ollama", ["--bind", "0.0.0.0", "--port", "0", "--quiet"])
    try:
        for n in ("shared", "a", "b"):
            networks.append(cli.networks.create(f"bench-{n}-{sfx}"))
        shared, net_a, net_b = (n.name for n in networks)

        def run(image, name, args, env, **kw):
            c = cli.containers.run(image, ["python3", "-c", standins.source(args[0]), *args[1:]], name=f"{name}-{sfx}",
                                   environment=env, detach=True, init=True, **kw)
            containers.append(c)
            wait_listening(c, "127.0.0.1" if image == WEBUI_IMAGE else "0.0.0.0", 8080 if image == WEBUI_IMAGE else 11434, 15)
            return c.name

        o1 = run(OLLAMA_IMAGE, "ollama", ["ollama", "--quiet"], {"OLLAMA_HOST": "0.0.0.0:11434"}, network=shared)
        w1 = run(WEBUI_IMAGE, "open-webui", ["webui", "serve", "--quiet"], {**WEBUI_ENV, "OLLAMA_BASE_URL": f"http://{o1}:11434"},
                 network=shared, ports={"8080/tcp": ("127.0.0.1", free_port())})
        o2 = run(OLLAMA_IMAGE, "ollama-sep", ["ollama", "--quiet"], {"OLLAMA_HOST": "0.0.0.0:11434"}, network=net_a)
        w2 = run(WEBUI_IMAGE, "open-webui-sep", ["webui", "serve", "--quiet"], {**WEBUI_ENV, "OLLAMA_BASE_URL": f"http://{o2}:11434"},
                 network=net_b)
        w3 = run(WEBUI_IMAGE, "open-webui-host", ["webui", "serve", "--quiet"],
                 {**WEBUI_ENV, "OLLAMA_BASE_URL": f"http://host.docker.internal:{host.port}"},
                 extra_hosts={"host.docker.internal": "host-gateway"}, ports={"8080/tcp": ("127.0.0.1", free_port())})
        names = [w1, o1, o2, w2, w3]
        ids = [c.id for c in containers]
        volumes.append(cli.volumes.create(f"bench-open-webui-{sfx}"))
        filler = (
            "import sqlite3, json, os\n"
            "c = sqlite3.connect('/data/webui.db')\n"
            "c.execute('CREATE TABLE config (key TEXT PRIMARY KEY, value JSON NOT NULL, updated_at BIGINT)')\n"
            "c.execute(\"INSERT INTO config VALUES ('ollama.base_urls', ?, 0)\", (json.dumps(['http://ollama:11434']),))\n"
            "c.execute('CREATE TABLE chat (id INTEGER PRIMARY KEY, body BLOB)')\n"
            "c.executemany('INSERT INTO chat (body) VALUES (?)', [(os.urandom(65536),) for _ in range(512)])\n"
            "c.commit()\n"
        )
        cli.containers.run(STANDIN, ["python3", "-c", filler], remove=True, network_mode="none",
                           volumes={volumes[0].name: {"bind": "/data", "mode": "rw"}})
        w4 = run(WEBUI_IMAGE, "open-webui-db", ["webui", "serve", "--quiet"], {**WEBUI_ENV, "OLLAMA_BASE_URL": "http://x:11434"},
                 volumes={volumes[0].name: {"bind": "/app/backend/data", "mode": "rw"}})

        def baseline():
            listed = cli.api.containers(all=True)
            return [cli.api.inspect_container(e["Id"]) for e in listed if e["Id"] in ids]

        runs = 5
        base, _ = median_ms(baseline, runs)
        predict_only, r0 = median_ms(lambda: doctor(names, observe=False, host_port=host.port, client=cli), runs)
        full_pair, r1 = median_ms(lambda: doctor([w1, o1], host_port=host.port, client=cli), runs)
        full_host, r2 = median_ms(lambda: doctor([w3], host_port=host.port, client=cli), runs)
        full_all, r3 = median_ms(lambda: doctor(names, host_port=host.port, client=cli), runs)
        cli_ms, _ = median_ms(
            lambda: subprocess.run([sys.executable, "-m", "owui_lab", "doctor", "--json", "--host-port", str(host.port),
                                    *[a for n in names for a in ("--container", n)]], check=True, capture_output=True),
            3,
        )
        from owui_lab.diagnosis import observe
        from owui_lab.diagnosis.inspect import parse_container

        facts = parse_container(cli.api.inspect_container(f"{w4}"))
        import tempfile

        def cp_floor():
            with tempfile.TemporaryDirectory() as d:
                subprocess.run(["docker", "cp", f"{w4}:/app/backend/data/webui.db", d], check=True, capture_output=True)

        cp_ms, _ = median_ms(cp_floor, runs)
        saved_ms, saved = median_ms(lambda: observe.read_saved_urls(cli, facts), runs)
        print(f"containers examined                 {len(names)} (+ a host Ollama stand-in on port {host.port})")
        print(f"baseline: list + inspect (SDK)      {base:7.1f} ms")
        print(f"doctor(observe=False)               {predict_only:7.1f} ms  ({predict_only / base:5.1f}x baseline)  outcome {r0.outcome}")
        print(f"doctor() compose-like pair          {full_pair:7.1f} ms  ({full_pair / base:5.1f}x baseline)  outcome {r1.outcome}, observed {r1.observed}")
        print(f"doctor() host Ollama via gateway    {full_host:7.1f} ms  ({full_host / base:5.1f}x baseline)  outcome {r2.outcome}, observed {r2.observed}")
        print(f"doctor() all five containers        {full_all:7.1f} ms  ({full_all / base:5.1f}x baseline)  outcome {r3.outcome}")
        print(f"owui-lab doctor --json (CLI)        {cli_ms:7.1f} ms  ({cli_ms / base:5.1f}x baseline)")
        print(f"baseline: docker cp of a 32 MB webui.db {cp_ms:7.1f} ms")
        print(f"saved URL read from that webui.db   {saved_ms:7.1f} ms  ({saved_ms / cp_ms:5.1f}x docker cp)  {list(saved.urls)}")
        print(f"target: a full run under 3000 ms -> {'met' if max(full_pair, full_host, full_all, cli_ms) < 3000 else 'NOT met'}")
    finally:
        for c in containers:
            try:
                cli.api.remove_container(c.id, force=True)
            except Exception:  # noqa: BLE001
                pass
        for n in networks + volumes:
            try:
                n.remove()
            except Exception:  # noqa: BLE001
                pass
        host.stop()
        for tag in made_tags:
            subprocess.run(["docker", "rmi", "--no-prune", tag], capture_output=True)


if __name__ == "__main__":
    main()
