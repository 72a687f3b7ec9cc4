"""A real classroom hub for tests and the benchmark: JupyterHub, DockerSpawner, the lab service.

Tests import it as ``bench.classroom_hub``, ``bench/bench_hub.py`` as ``classroom_hub`` (beside the script).

``Hub(learners=[...])`` starts ``deploy/jupyterhub/jupyterhub_config.py`` exactly as ``start-hub``
does, on free loopback ports, with the test authenticator (one password), an admin token for the
REST API, this test run's label on every lab object (``OWUI_LAB_RUN``) and its own hub id on every
learner server; ``stop()`` stops the hub and removes the learner servers it labelled, nothing else.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
LEARNER_IMAGE = os.environ.get("OWUI_LAB_LEARNER_IMAGE", "owui-lab/learner:offline")
HUB_LABEL = "io.owui-lab.hub"
#: Seconds a stopping hub gets before it is killed: the config's atexit gives its kept labs 120 s to go.
STOP_TIMEOUT = 150


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_problem() -> str | None:
    """Why a classroom hub cannot be started here, or None."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "jupyterhub").exists():
        return f"JupyterHub is not installed in {bin_dir} (pip install -e '.[hub]')"
    try:
        import dockerspawner  # noqa: F401
    except ImportError:
        return "DockerSpawner is not installed (pip install -e '.[hub]')"
    if not shutil.which("configurable-http-proxy"):
        return "configurable-http-proxy is not on PATH (npm install -g configurable-http-proxy)"
    import docker

    cli = docker.from_env()
    try:
        cli.images.get(LEARNER_IMAGE)
    except docker.errors.ImageNotFound:
        return f"the learner image {LEARNER_IMAGE} is missing (deploy/jupyterhub/build-learner-image builds it)"
    finally:
        cli.close()
    return None


class Hub:
    """A hub on this machine for ``learners`` (plus ``instructor``), stopped by ``stop()``."""

    def __init__(self, workdir: Path, learners: list[str], instructor: str = "teacher", *,
                 concurrency: int | None = None, mem_limit: str = "512M", cpu_limit: str = "1.0") -> None:
        self.workdir = Path(workdir)
        self.learners = list(learners)
        self.instructor = instructor
        self.password = secrets.token_hex(8)
        self.admin_token = secrets.token_hex(16)
        self.hub_id = "t" + secrets.token_hex(4)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.stop_seconds = 0.0  # how long the hub took to stop (stop())
        self.log_path = self.workdir / "jupyterhub.log"
        env = dict(os.environ)
        class_list = self.workdir / "class.txt"
        self.workdir.mkdir(parents=True, exist_ok=True)
        class_list.write_text("\n".join(self.learners + [instructor]) + "\n")
        env.update({
            "OWUI_LAB_AUTHENTICATOR": "dummy",
            "OWUI_LAB_HUB_PASSWORD": self.password,
            "OWUI_LAB_HUB_ADMIN_TOKEN": self.admin_token,
            "OWUI_LAB_HUB_DIR": str(self.workdir / "state"),
            "OWUI_LAB_HUB_ID": self.hub_id,
            "OWUI_LAB_HUB_IP": "127.0.0.1",
            "OWUI_LAB_HUB_PORT": str(self.port),
            "OWUI_LAB_HUB_API_PORT": str(free_port()),
            "OWUI_LAB_PROXY_API_PORT": str(free_port()),
            "OWUI_LAB_SERVICE_PORT": str(self.service_port),
            "OWUI_LAB_SERVICE_DIR": str(self.workdir / "service"),
            "OWUI_LAB_CLASS_LIST": str(class_list),
            "OWUI_LAB_INSTRUCTORS": instructor,
            "OWUI_LAB_LEARNER_IMAGE": LEARNER_IMAGE,
            "OWUI_LAB_REMOVE_SERVERS": "1",
            "OWUI_LAB_MEM_LIMIT": mem_limit,
            "OWUI_LAB_CPU_LIMIT": cpu_limit,
            "OWUI_LAB_START_TIMEOUT": "600",  # a shared CI machine under load starts servers slowly
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        })
        if concurrency is not None:
            env["OWUI_LAB_SERVICE_CONCURRENCY"] = str(concurrency)
        self.env = env

    # ---- life ----
    def start(self, timeout: float = 60.0) -> "Hub":
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
            cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                self.api("GET", "/hub/api/")
                self.wait_service(deadline - time.monotonic())
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"JupyterHub did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def wait_service(self, timeout: float) -> None:
        deadline = time.monotonic() + max(timeout, 1.0)
        while True:
            try:
                with socket.create_connection(self.service_address(), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def service_address(self) -> tuple[str, int]:
        from owui_lab import docker_api

        cli = docker_api.client()
        try:
            return docker_api.default_bridge_gateway(cli) or "172.17.0.1", self.service_port
        finally:
            cli.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> list[str]:
        """Stop every server and the hub; remove the learner servers this hub labelled. Returns what was left."""
        import docker

        if self.proc is not None and self.proc.poll() is None:
            for user in self.learners + [self.instructor]:
                try:
                    self.api("DELETE", f"/hub/api/users/{user}/server")
                except (urllib.error.URLError, OSError):
                    pass
            self.proc.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            try:
                # As long as the hub's own cleanup may take (its services take kept labs down, then its
                # atexit undoes the firewall chain): a kill before that leaves the chain behind.
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.stop_seconds = time.monotonic() - stopping
        cli = docker.from_env()
        try:
            left = cli.containers.list(all=True, filters={"label": f"{HUB_LABEL}={self.hub_id}"})
            for c in left:
                c.remove(force=True)
            for network in cli.networks.list(filters={"label": f"{HUB_LABEL}={self.hub_id}"}):
                network.remove()  # the learners' network this hub created
            return [c.name for c in left]
        finally:
            cli.close()

    # ---- the hub's REST API, as the admin service ----
    def api(self, method: str, path: str, body: Any = None, token: str | None = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None

    def spawn(self, user: str) -> None:
        try:
            self.api("POST", f"/hub/api/users/{user}/server", timeout=120)  # a rush: the hub answers slowly
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: already running
                raise

    def ready(self, user: str) -> bool:
        model = self.api("GET", f"/hub/api/users/{user}")
        server = (model.get("servers") or {}).get("")
        return bool(server and server.get("ready"))

    def wait_ready(self, users: list[str], timeout: float = 600.0, since: float | None = None,
                   progress: Any = None) -> dict[str, float]:
        """Seconds until each server was ready (polled every 0.25 s), counted from ``since`` (monotonic; now).

        ``progress(seconds, ready, total)`` is told every 30 s (a benchmark cut short still has its curve).
        """
        start = time.monotonic() if since is None else since
        pending, ready_at = set(users), {}
        told = start
        while pending:
            if progress is not None and time.monotonic() - told >= 30:
                told = time.monotonic()
                progress(round(told - start), len(ready_at), len(users))
            for user in list(pending):
                if self.ready(user):
                    ready_at[user] = time.monotonic() - start
                    pending.discard(user)
            if pending:
                if time.monotonic() - start > timeout:
                    raise RuntimeError(f"servers not ready after {timeout:.0f} s: {sorted(pending)}\n{self.log_tail()}")
                time.sleep(0.25)
        return ready_at

    def container(self, user: str) -> Any:
        import docker

        cli = docker.from_env()
        found = cli.containers.list(filters={"label": [f"{HUB_LABEL}={self.hub_id}", f"io.owui-lab.owner={user}"]})
        if not found:
            raise RuntimeError(f"no server container for {user}")
        return found[0]

    def in_server(self, user: str, code: str, timeout: float = 300) -> Any:
        """Run Python ``code`` in ``user``'s server (as the learner, with the server's environment);
        the code prints one JSON value last, which is returned."""
        container = self.container(user)
        result = container.exec_run(["python3", "-c", code], user="1000", demux=True)
        out = (result.output[0] or b"").decode()
        err = (result.output[1] or b"").decode()
        if result.exit_code != 0:
            raise RuntimeError(f"code in {user}'s server failed ({result.exit_code}):\n{err}\n{out}")
        return json.loads(out.strip().splitlines()[-1])

    def server_env(self, user: str) -> dict[str, str]:
        container = self.container(user)
        return dict(item.split("=", 1) for item in container.attrs["Config"]["Env"] if "=" in item)
