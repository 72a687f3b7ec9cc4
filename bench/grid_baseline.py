"""The baseline for bench/bench_grid.py: the truth grid's setups, by hand, with the plain docker CLI.

For each setup (one Ollama placement with its Open WebUI containers, as in ``owui_lab.lab.grid``) it
does what a careful person would script: ``docker network create``, ``docker run -d`` the stand-in
Ollama (or start it on the host) and every Open WebUI at once (``&`` then ``wait``), wait for Ollama,
``docker exec WEBUI python3 -c PROBE URL...`` in every Open WebUI at once (once more for what timed
out, as the grid probes its surprises twice), ``GET /health`` from the host, then ``docker rm -f``
and ``docker network rm``. Three setups at a time, like the grid.

It only observes; the comparison with the engine is the grid's job. Everything it creates carries the
kit's labels (``io.owui-lab.*``, role ``baseline``) and is removed by exact name.

Usage (from bench_grid.py): ``run_grid_by_hand(families, image)`` -> {config index: outcome}.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

STANDINS = Path(__file__).resolve().parent.parent / "owui_lab" / "standins"
DOCKER0 = "172.17.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args[:3])}: {done.stderr.strip()[-300:]}")
    return done.stdout


def _all_at_once(commands: list[list[str]]) -> list[str]:
    """Like ``cmd1 & cmd2 & wait`` in a shell: start every command, then wait for all."""
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    out = []
    for c, p in zip(commands, procs):
        stdout, stderr = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(c[:4])}: {stderr.strip()[-300:]}")
        out.append(stdout)
    return out


def _wait_http(address: str, port: int, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), 1) as s:
                s.settimeout(2)
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if s.recv(5) == b"HTTP/":
                    return
        except OSError:
            pass
        if time.monotonic() > end:
            raise RuntimeError(f"nothing answers at {address}:{port}")
        time.sleep(0.02)


def _health(port: int, timeout: float = 5) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            time.sleep(0.03)
    return False


def run_family_by_hand(configs: Sequence[Any], image: str) -> list[str]:
    """One setup by hand; returns each configuration's observed outcome."""
    c0 = configs[0]
    s = "bg" + secrets.token_hex(4)
    labels = ["--label", "io.owui-lab.managed=true", "--label", f"io.owui-lab.session={s}",
              "--label", "io.owui-lab.role=baseline"]
    if os.environ.get("OWUI_LAB_RUN"):
        labels += ["--label", f"io.owui-lab.run={os.environ['OWUI_LAB_RUN']}"]
    ollama_src = (STANDINS / "ollama.py").read_text()
    webui_src = (STANDINS / "webui.py").read_text()
    containers: list[str] = []
    networks: list[str] = []
    procs: list[subprocess.Popen] = []
    op = _free_port()
    try:
        nets = list(dict.fromkeys(
            ([c0.ollama_network_effective] if c0.ollama_in_container else [])
            + [c.webui_network for c in configs]))
        nets = [n for n in nets if n not in ("bridge", "host")]
        if nets:
            _all_at_once([["docker", "network", "create", *labels, f"{s}-{n}"] for n in nets])
            networks += [f"{s}-{n}" for n in nets]
        run = ["docker", "run", "-d", "--init", *labels]
        starts: list[list[str]] = []
        listen = c0.ollama_listen
        host_side = not c0.ollama_in_container or c0.ollama_network_effective == "host"
        addresses = ([("127.0.0.1"), DOCKER0] if listen.all_addresses else [listen.host]) if host_side else []
        for i, address in enumerate(addresses):
            if c0.ollama_in_container:
                name = f"{s}-ollama-{i}"
                starts.append([*run, "--name", name, "--network", "host", "-e", f"OLLAMA_HOST={address}:{op}",
                               image, "python3", "-c", ollama_src, "--quiet"])
                containers.append(name)
            else:
                procs.append(subprocess.Popen([sys.executable, "-c", ollama_src, "--quiet"],
                                              env={**os.environ, "OLLAMA_HOST": f"{address}:{op}"},
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if not host_side:
            net = c0.ollama_network_effective
            cmd = [*run, "--name", f"{s}-ollama", "-e", f"OLLAMA_HOST={c0.ollama_bind or '0.0.0.0:11434'}"]
            cmd += ["--network", "bridge"] if net == "bridge" else ["--network", f"{s}-{net}", "--network-alias", c0.ollama_name]
            publish = c0.ollama_publish_effective
            if publish == "all":
                cmd += ["-p", f"127.0.0.1:{op}:11434", "-p", f"{DOCKER0}:{op}:11434"]
            elif publish == "loopback":
                cmd += ["-p", f"127.0.0.1:{op}:11434"]
            starts.append([*cmd, image, "python3", "-c", ollama_src, "--quiet"])
            containers.append(f"{s}-ollama")
        webuis: dict[tuple[str, bool], tuple[str, int]] = {}
        for c in configs:
            key = (c.webui_network, c.add_host_gateway)
            if key in webuis:
                continue
            name, wp = f"{s}-webui-{len(webuis)}", _free_port()
            cmd = [*run, "--name", name]
            if c.add_host_gateway:
                cmd += ["--add-host", "host.docker.internal:host-gateway"]
            tail = ["serve", "--quiet"]
            if c.webui_network == "host":
                cmd += ["--network", "host"]
                tail += ["--host", "127.0.0.1", "--port", str(wp)]
            else:
                cmd += ["--network", "bridge" if c.webui_network == "bridge" else f"{s}-{c.webui_network}",
                        "-p", f"127.0.0.1:{wp}:8080"]
                tail += ["--host", "0.0.0.0"]  # the stand-in binds 127.0.0.1 unless told; -p needs every address
            starts.append([*cmd, image, "python3", "-c", webui_src, *tail])
            containers.append(name)
            webuis[key] = (name, wp)
        _all_at_once(starts)
        if host_side:
            for address in addresses:
                _wait_http(address, op)
        else:
            inside = "127.0.0.1" if listen.all_addresses else listen.host
            _docker("exec", f"{s}-ollama", "python3", "-c",
                    f"import socket,time\nfor _ in range(750):\n    try:\n        socket.create_connection(('{inside}',"
                    f"{listen.port}),1).close(); break\n    except OSError: time.sleep(0.02)")

        def url(c: Any) -> str:
            u = c.parsed_base_url
            port = u.port if (c0.ollama_in_container and u.host == c0.ollama_name) else op
            return f"http://{u.host}:{port}"

        results: dict[tuple[tuple[str, bool], str], str] = {}

        def probe(wanted: dict[tuple[str, bool], list[str]]) -> None:
            keys = [k for k in wanted if wanted[k]]
            texts = _all_at_once([["docker", "exec", webuis[k][0], "python3", "-c", webui_src, "probe", "--timeout",
                                   "3", *wanted[k]] for k in keys])
            for k, text in zip(keys, texts):
                for r in json.loads(text)["results"]:
                    results[(k, r["url"])] = r["outcome"]

        probe({k: list(dict.fromkeys(url(c) for c in configs if (c.webui_network, c.add_host_gateway) == k))
               for k in webuis})
        # What timed out gets a second look while everything is still up, as the grid gives its
        # surprises (a new network's rules can take a moment on a busy daemon).
        probe({k: [u for (key, u), outcome in results.items() if key == k and outcome == "unreachable"]
               for k in webuis})
        for name, port in webuis.values():
            _health(port)
        return [results.get(((c.webui_network, c.add_host_gateway), url(c)), "unreachable") for c in configs]
    finally:
        for p in procs:
            p.terminate()
        if containers:
            subprocess.run(["docker", "rm", "-f", *containers], capture_output=True)
        if networks:
            subprocess.run(["docker", "network", "rm", *networks], capture_output=True)
        for p in procs:
            p.wait(timeout=5)


def run_grid_by_hand(families: Sequence[Sequence[Any]], image: str, at_once: int = 3) -> list[list[str]]:
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(lambda f: run_family_by_hand(f, image), families))
