"""Record the Linux-engine payloads in this folder from real ``docker inspect`` output.

Each setup is built the way a learner builds it from Open WebUI's and Ollama's README commands, from
the offline stand-in image tagged locally as ``ghcr.io/open-webui/open-webui:main`` and
``ollama/ollama:latest`` (tags only: nothing is pulled or pushed). The real images' ``ENV`` lines
(``OLLAMA_BASE_URL=/ollama``, ``ENV=prod``, ``OLLAMA_HOST=0.0.0.0:11434`` ...) are passed with ``-e`` so
that ``Config.Env`` reads as it does with the real images. Every container, network and volume made
here is unlabelled on purpose (a learner's) and removed by the exact id or name created, in a finally.

Usage: .venv/bin/python tests/data/inspect/record_linux.py   (needs a Docker daemon; about 30 s)
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDIN = os.environ.get("OWUI_LAB_IMAGE", "owui-lab/python:offline")
WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:main"
OLLAMA_IMAGE = "ollama/ollama:latest"
# The ENV lines of the real images (open-webui's Dockerfile, ollama's Dockerfile).
WEBUI_IMAGE_ENV = ["ENV=prod", "PORT=8080", "USE_OLLAMA_DOCKER=false", "USE_CUDA_DOCKER=false",
                   "OLLAMA_BASE_URL=/ollama", "OPENAI_API_BASE_URL=", "OPENAI_API_KEY=", "WEBUI_SECRET_KEY=",
                   "SCARF_NO_ANALYTICS=true", "DO_NOT_TRACK=true", "ANONYMIZED_TELEMETRY=false",
                   "HOME=/root"]
OLLAMA_IMAGE_ENV = ["NVIDIA_DRIVER_CAPABILITIES=compute,utility", "NVIDIA_VISIBLE_DEVICES=all",
                    "OLLAMA_HOST=0.0.0.0:11434"]
SLEEP = ["python3", "-c", "import time; time.sleep(100000)"]


def sh(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_flags(env: list[str], override: dict[str, str]) -> list[str]:
    merged = dict(e.split("=", 1) for e in env)
    merged.update(override)
    return [a for k, v in merged.items() for a in ("-e", f"{k}={v}")]


def main() -> None:
    suffix = secrets.token_hex(3)
    created_tags = []
    for tag in (WEBUI_IMAGE, OLLAMA_IMAGE):
        if subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode != 0:
            sh("docker", "tag", STANDIN, tag)
            created_tags.append(tag)
    containers: list[str] = []
    networks: list[str] = []
    volumes: list[str] = []

    def run(*flags: str, image: str, env: list[str], override: dict[str, str] | None = None) -> str:
        cid = sh("docker", "run", "-d", "--init", *flags, *env_flags(env, override or {}), image, *SLEEP)
        containers.append(cid)
        return cid

    def volume(name: str) -> str:
        volumes.append(name)
        return name

    def snapshot(name: str, ids: list[str], what: str) -> None:
        info = json.loads(sh("docker", "info", "--format", "{{json .}}"))
        payload = {
            "recorded": what,
            "context": {"name": "default", "endpoint": "unix:///var/run/docker.sock"},
            "info": info,
            "containers": [json.loads(sh("docker", "inspect", i))[0] for i in ids],
        }
        (HERE / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n")
        print("recorded", name)

    try:
        # open-webui #209 / linux-ollama-on-host: the README command, Ollama on the host.
        w = run("-p", f"{free_port()}:8080", "--add-host=host.docker.internal:host-gateway",
                "-v", f"{volume('open-webui-' + suffix)}:/app/backend/data", "--name", f"open-webui-{suffix}",
                "--restart", "always", image=WEBUI_IMAGE, env=WEBUI_IMAGE_ENV)
        # a container with the Docker socket (a learner's Watchtower or Portainer)
        s = run("-v", "/var/run/docker.sock:/var/run/docker.sock", "--name", f"watchtower-{suffix}",
                image=STANDIN, env=[])
        snapshot("linux-readme-add-host", [w, s], "README docker run with --add-host, plus a socket-mounting container")
        # open-webui #7189: no --add-host
        w = run("-p", f"{free_port()}:8080", "-v", f"{volume('open-webui2-' + suffix)}:/app/backend/data",
                "--name", f"open-webui-noaddhost-{suffix}", image=WEBUI_IMAGE, env=WEBUI_IMAGE_ENV)
        snapshot("linux-no-add-host", [w], "docker run -p 3000:8080 without --add-host")
        # open-webui #3861: 127.0.0.1 in a bridged container
        w = run("-p", f"{free_port()}:8080", "--name", f"open-webui-localhost-{suffix}",
                image=WEBUI_IMAGE, env=WEBUI_IMAGE_ENV, override={"OLLAMA_BASE_URL": "http://127.0.0.1:11434"})
        snapshot("linux-localhost-url", [w], "OLLAMA_BASE_URL=http://127.0.0.1:11434 with -p 3000:8080")
        # the README's host-network command
        w = run("--network=host", "--name", f"open-webui-hostnet-{suffix}", image=WEBUI_IMAGE,
                env=WEBUI_IMAGE_ENV, override={"OLLAMA_BASE_URL": "http://127.0.0.1:11434"})
        snapshot("linux-host-network", [w], "README --network=host with OLLAMA_BASE_URL=http://127.0.0.1:11434")
        # Ollama's README container, published on all addresses; Open WebUI via host-gateway
        ollama_port = free_port()
        o = run("-v", f"{volume('ollama-' + suffix)}:/root/.ollama", "-p", f"{ollama_port}:11434",
                "--name", f"ollama-{suffix}", image=OLLAMA_IMAGE, env=OLLAMA_IMAGE_ENV)
        w = run("-p", f"127.0.0.1:{free_port()}:8080", "--add-host=host.docker.internal:host-gateway",
                "--name", f"open-webui-pub-{suffix}", image=WEBUI_IMAGE, env=WEBUI_IMAGE_ENV,
                override={"OLLAMA_BASE_URLS": f"http://host.docker.internal:{ollama_port};http://localhost:11434"})
        snapshot("linux-published-ollama", [w, o],
                 "ollama -p PORT:11434 on all addresses; Open WebUI on loopback with OLLAMA_BASE_URLS")
        # separate networks
        for n in (f"ollama-net-{suffix}", f"webui-net-{suffix}"):
            sh("docker", "network", "create", n)
            networks.append(n)
        o = run("--network", networks[0], "--name", f"ollama-sep-{suffix}", image=OLLAMA_IMAGE, env=OLLAMA_IMAGE_ENV)
        w = run("--network", networks[1], "-p", f"{free_port()}:8080", "--name", f"open-webui-sep-{suffix}",
                image=WEBUI_IMAGE, env=WEBUI_IMAGE_ENV, override={"OLLAMA_BASE_URL": f"http://ollama-sep-{suffix}:11434"})
        snapshot("linux-separate-networks", [w, o], "Ollama and Open WebUI on two user-defined networks")
        # compose: the docs' docker-compose.yaml, then the host-port pitfall
        for name, ports, url, what in (
            ("linux-compose", "", "http://ollama:11434", "the docs' compose file with OLLAMA_BASE_URL=http://ollama:11434"),
            ("linux-compose-host-port", f'    ports: ["{free_port()}:11434"]\n', "PORT",
             "compose with ollama ports HOSTPORT:11434 and OLLAMA_BASE_URL=http://ollama:HOSTPORT"),
        ):
            if url == "PORT":
                url = "http://ollama:" + ports.split('"')[1].split(":")[0]
            project = f"owuirec{suffix}{len(containers)}"
            compose = (
                "services:\n  ollama:\n    image: ollama/ollama:latest\n    init: true\n"
                f"    command: {json.dumps(SLEEP)}\n    environment: {json.dumps(OLLAMA_IMAGE_ENV)}\n"
                f"    volumes: [\"ollama:/root/.ollama\"]\n{ports}"
                "  open-webui:\n    image: ghcr.io/open-webui/open-webui:main\n    init: true\n"
                f"    command: {json.dumps(SLEEP)}\n"
                f"    environment: {json.dumps([e for e in WEBUI_IMAGE_ENV if not e.startswith('OLLAMA_BASE_URL=')] + ['OLLAMA_BASE_URL=' + url])}\n"
                f"    ports: [\"{free_port()}:8080\"]\n    volumes: [\"open-webui:/app/backend/data\"]\n"
                "    extra_hosts: [\"host.docker.internal:host-gateway\"]\n    depends_on: [ollama]\n"
                "volumes:\n  ollama: {}\n  open-webui: {}\n"
            )
            folder = Path(subprocess.run(["mktemp", "-d"], capture_output=True, text=True).stdout.strip())
            (folder / "docker-compose.yaml").write_text(compose)
            try:
                sh("docker", "compose", "-p", project, "-f", str(folder / "docker-compose.yaml"), "up", "-d")
                ids = sh("docker", "compose", "-p", project, "-f", str(folder / "docker-compose.yaml"), "ps", "-q").split()
                snapshot(name, ids, what)
            finally:
                subprocess.run(["docker", "compose", "-p", project, "-f", str(folder / "docker-compose.yaml"),
                                "down", "-v", "-t", "1"], capture_output=True)
                (folder / "docker-compose.yaml").unlink()
                folder.rmdir()
    finally:
        for cid in containers:
            subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
        for n in networks:
            subprocess.run(["docker", "network", "rm", n], capture_output=True)
        for v in volumes:
            subprocess.run(["docker", "volume", "rm", v], capture_output=True)
        for tag in created_tags:
            subprocess.run(["docker", "rmi", tag], capture_output=True)


if __name__ == "__main__":
    main()
