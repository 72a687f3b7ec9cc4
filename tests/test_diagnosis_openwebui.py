"""The saved-URL trap against a real Open WebUI (0.12.4) in a container, its data on a named volume.

Open WebUI saves its Ollama URL in ``webui.db`` at the first start and ignores ``OLLAMA_BASE_URL`` from
then on (``ENABLE_PERSISTENT_CONFIG`` defaults to true). A learner who corrects the variable and
recreates the container on the same volume is still broken. The doctor must see the URL Open WebUI
really uses, say so in its headline, diagnose and probe it, and give both ways out; and it must leave
the learner's volume byte-for-byte as it was.

One learner's setup, built the way a learner does (unlabelled containers, a named volume, a
user-defined network with an Ollama stand-in on it), then changed step by step:

1. Open WebUI starts once with a broken ``OLLAMA_BASE_URL`` (a name that resolves nowhere): it saves it.
2. It is recreated on the same volume with the working URL: the trap. The doctor names it.
3. The first fix the doctor gives (Admin → Settings → Connections, done through the same API the
   admin panel calls) makes the doctor say it works.
4. It is recreated with a broken URL again: now the saved URL works and the environment's is ignored.

Open WebUI runs from the offline image with its venv (and the Python it was made from) mounted
read-only at the same paths, as in ``test_openwebui_compat``. Everything the test creates is removed
by the exact id it got.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from owui_lab import standins

pytestmark = [pytest.mark.usefixtures("docker_daemon"), pytest.mark.usefixtures("openwebui_executable"), pytest.mark.slow]

OPENWEBUI = os.environ.get("OWUI_LAB_OPENWEBUI", "/opt/owui-lab/openwebui-venv/bin/open-webui")
START_TIMEOUT = 600.0  # about 20 s alone; minutes on a machine shared by many test runs
WEBUI_ENV = {
    "WEBUI_AUTH": "False", "WEBUI_SECRET_KEY": "owui-lab-test", "OFFLINE_MODE": "True", "HF_HUB_OFFLINE": "1",
    "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False", "ENABLE_OPENAI_API": "False", "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "true", "AIOHTTP_CLIENT_TIMEOUT": "3", "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST": "2",
    "DATA_DIR": "/app/backend/data",
}
HASH_SCRIPT = (
    "import hashlib, os, json\n"
    "out = {}\n"
    "for root, dirs, files in os.walk('/data'):\n"
    "    for f in files:\n"
    "        p = os.path.join(root, f)\n"
    "        st = os.lstat(p)\n"
    "        h = hashlib.sha256(open(p, 'rb').read()).hexdigest() if os.path.isfile(p) else ''\n"
    "        out[p] = [h, st.st_size, st.st_mtime_ns, st.st_mode]\n"
    "print(json.dumps(out, sort_keys=True))\n"
)


def _call(address: tuple[str, int], method: str, path: str, body: object = None, token: str = "", timeout: float = 30):
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Setup:
    """A learner's Open WebUI (real) and Ollama (stand-in) on one network, Open WebUI's data on a volume."""

    def __init__(self, cli, image: str) -> None:
        from owui_lab import docker_api

        self.cli, self.image, self.docker_api = cli, image, docker_api
        suffix = secrets.token_hex(3)
        self.ollama_name = f"ollama-{suffix}"
        self.webui_name = f"open-webui-{suffix}"
        self.good = f"http://{self.ollama_name}:11434"
        self.broken = f"http://no-ollama-{suffix}:11434"
        self.made_containers: list[str] = []
        self.network = cli.networks.create(f"learner-net-{suffix}")
        self.volume = cli.volumes.create(f"open-webui-{suffix}")
        venv = Path(OPENWEBUI).parent.parent
        base = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.base_prefix)"],
                              capture_output=True, text=True, check=True).stdout.strip()
        self.mounts = {str(venv): {"bind": str(venv), "mode": "ro"}}
        if base not in ("/usr", "/usr/local"):
            self.mounts[base] = {"bind": base, "mode": "ro"}
        self.venv = venv
        ollama = cli.containers.run(
            image, ["python3", "-c", standins.source("ollama"), "--quiet"], name=self.ollama_name, detach=True,
            init=True, network=self.network.name, environment={"OLLAMA_HOST": "0.0.0.0:11434"},
        )
        self.made_containers.append(ollama.id)
        self.webui = None

    def start_webui(self, base_url: str) -> None:
        """(Re)create Open WebUI on the same volume with this OLLAMA_BASE_URL, as a learner does."""
        if self.webui is not None:
            self.webui.remove(force=True)
        port = _free_port()
        self.webui = self.cli.containers.run(
            self.image, [str(self.venv / "bin" / "open-webui"), "serve", "--port", "8080"], detach=True,
            name=self.webui_name, working_dir="/tmp", network=self.network.name,
            ports={"8080/tcp": ("127.0.0.1", port)},
            volumes={**self.mounts, self.volume.name: {"bind": "/app/backend/data", "mode": "rw"}},
            environment={**WEBUI_ENV, "OLLAMA_BASE_URL": base_url},
        )
        self.made_containers.append(self.webui.id)
        self.address = ("127.0.0.1", port)
        started = time.monotonic()
        while True:
            self.webui.reload()
            if self.webui.status == "exited":
                pytest.fail(f"Open WebUI exited:\n{self.webui.logs()[-3000:].decode(errors='replace')}")
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"Open WebUI did not answer within {START_TIMEOUT:g} s")
            try:
                if _call(self.address, "GET", "/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        print(f"\nOpen WebUI with {base_url} answered /health after {time.monotonic() - started:.1f} s")

    def token(self) -> str:
        status, body = _call(self.address, "POST", "/api/v1/auths/signin", {"email": "", "password": ""})
        assert status == 200, body
        return json.loads(body)["token"]

    def volume_state(self) -> dict:
        """Every file of the volume: sha256, size, mtime, mode (read through a read-only mount)."""
        session = self.docker_api.new_session_id()
        out = self.cli.containers.run(
            self.image, ["python3", "-c", HASH_SCRIPT], remove=True, network_mode="none",
            volumes={self.volume.name: {"bind": "/data", "mode": "ro"}},
            labels=self.docker_api.labels(session, "test-hash"), name=self.docker_api.container_name(session, "hash"),
        )
        return json.loads(out.decode())

    def cleanup(self) -> None:
        for cid in dict.fromkeys(self.made_containers):
            try:
                self.cli.api.remove_container(cid, force=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        for thing in (self.network, self.volume):
            try:
                thing.remove()
            except Exception:  # noqa: BLE001
                pass


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def setup(standin_image, monkeypatch):
    from owui_lab import docker_api

    monkeypatch.setenv("OWUI_LAB_IMAGE", standin_image)
    cli = docker_api.client()
    learner = Setup(cli, standin_image)
    try:
        yield learner
    finally:
        learner.cleanup()
        cli.close()


def _doctor(setup: Setup, **kw):
    from owui_lab.diagnosis import doctor

    report = doctor(setup.webui_name, host_port=_free_port(), timeout=3.0, client=setup.cli, **kw)
    leftovers = [c.name for c in setup.cli.containers.list(all=True, filters={"label": "io.owui-lab.role=probe"})
                 if (c.attrs.get("HostConfig") or {}).get("NetworkMode", "").endswith(setup.webui.id)]
    assert leftovers == [], "the doctor left a probe container"
    return report


def test_the_doctor_sees_the_url_open_webui_saved(setup):
    # 1. the first start saves the (broken) URL
    setup.start_webui(setup.broken)
    # 2. the learner "fixes" OLLAMA_BASE_URL and recreates the container on the same volume: still broken
    setup.start_webui(setup.good)
    token = setup.token()
    status, body = _call(setup.address, "GET", "/ollama/config", token=token)
    assert json.loads(body)["OLLAMA_BASE_URLS"] == [setup.broken], body  # Open WebUI's own word: the trap is real
    time.sleep(2)  # let the sign-in's own write (last active) land before the volume is looked at
    before = setup.volume_state()
    r = _doctor(setup)
    assert setup.volume_state() == before, "the doctor changed the learner's volume"
    print(r.text())
    assert r.observed and not r.reachable
    assert r.headline.startswith(
        f"Open WebUI uses the URL saved in its database, {setup.broken}, not OLLAMA_BASE_URL={setup.good}"
    ), r.headline
    assert r.saved["found"] and r.saved["source"] == "database" and r.saved["urls"] == [setup.broken]
    assert r.saved["where"] == f"webui.db in volume '{setup.volume.name}'"
    assert [u["url"] for u in r.urls] == [setup.broken] and r.urls[0]["observed"] == "name_not_resolved"
    assert [u["url"] for u in r.env_urls] == [setup.good] and r.env_urls[0]["observed"] == "ok"
    assert r.fixes[0] == (f"in Open WebUI: Admin Panel → Settings → Connections → Ollama API, change {setup.broken} "
                          f"to {setup.good} and Save (it applies at once, no restart)")
    assert any("ENABLE_PERSISTENT_CONFIG=false" in f for f in r.fixes[1:3]), r.fixes
    assert any("RESET_CONFIG_ON_START=true" in f and "ALL of Open WebUI's saved settings" in f for f in r.fixes[1:3])
    assert not any(f.startswith("set OLLAMA_BASE_URL") for f in r.fixes), r.fixes
    # asked of Open WebUI itself (a token), the doctor says the same
    asked = _doctor(setup, webui_token=token)
    assert asked.saved["source"] == "Open WebUI" and asked.headline == r.headline
    # an instance without login (WEBUI_AUTH=False) is asked only when the learner says so (--sign-in)
    opened = _doctor(setup, webui_token="", sign_in=True)
    assert opened.saved["source"] == "Open WebUI" and opened.headline == r.headline

    # 3. the doctor's first fix, done as the admin panel does it: now it works
    status, body = _call(setup.address, "POST", "/ollama/config/update", token=token,
                         body={"ENABLE_OLLAMA_API": True, "OLLAMA_BASE_URLS": [setup.good], "OLLAMA_API_CONFIGS": {}})
    assert status == 200, body
    fixed = _doctor(setup)
    assert fixed.reachable and fixed.observed and fixed.headline == f"Open WebUI reaches Ollama at {setup.good} (observed).", fixed.headline

    # 4. the reverse: the saved URL works, the environment's is broken and ignored
    setup.start_webui(setup.broken)
    time.sleep(2)
    before = setup.volume_state()
    r = _doctor(setup)
    assert setup.volume_state() == before, "the doctor changed the learner's volume"
    print(r.text())
    assert r.reachable and r.observed and r.outcome == "ok"
    assert r.headline == (f"Open WebUI reaches Ollama (observed) through the URL saved in its database, {setup.good}; "
                          f"OLLAMA_BASE_URL={setup.broken} is ignored."), r.headline
    assert r.env_urls[0]["observed"] == "name_not_resolved" and r.fixes == []
    assert any("ENABLE_PERSISTENT_CONFIG=false or RESET_CONFIG_ON_START=true" in n for n in r.notes), r.notes
