"""A real Open WebUI (0.12.4) against the stand-in Ollama: it must list the model and chat with it.

Marked ``openwebui``: it needs Open WebUI installed in a venv of its own (``OWUI_LAB_OPENWEBUI``,
default ``/opt/owui-lab/openwebui-venv/bin/open-webui``; ``.ci/run`` installs it, torch first).
Locally it skips without it; in CI it fails. Everything listens on and talks to this machine's
loopback only: Open WebUI is bound to 127.0.0.1, told it is offline, and its OpenAI connection
(which would call api.openai.com) is turned off.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from owui_lab import standins
from owui_lab.standins import ollama as standin

pytestmark = [pytest.mark.openwebui, pytest.mark.slow]

OPENWEBUI = os.environ.get("OWUI_LAB_OPENWEBUI", "/opt/owui-lab/openwebui-venv/bin/open-webui")
START_TIMEOUT = 240.0  # about 20 s here; CI machines may be slower on a cold start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OpenWebUI:
    """A running ``open-webui serve`` on loopback, with a session token."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port, self.process, self.log = port, process, log
        self.token = ""

    def call(self, method: str, path: str, body: object = None, timeout: float = 60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture(scope="module")
def ollama():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0"]) as running:
        yield running


@pytest.fixture(scope="module")
def openwebui(ollama, tmp_path_factory):
    if not os.access(OPENWEBUI, os.X_OK):  # only reached in CI: locally conftest skips first
        pytest.fail(f"a live part is missing in CI: no Open WebUI at {OPENWEBUI}", pytrace=False)
    data = tmp_path_factory.mktemp("openwebui-data")
    log = data / "open-webui.log"
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        "OLLAMA_BASE_URL": ollama.url,
        "WEBUI_AUTH": "False",
        "OFFLINE_MODE": "True",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False",
        "ENABLE_OPENAI_API": "False",  # otherwise it lists models from api.openai.com
        "ENABLE_VERSION_UPDATE_CHECK": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "DO_NOT_TRACK": "true",
        "SCARF_NO_ANALYTICS": "true",
        "ENABLE_PERSISTENT_CONFIG": "False",
    }
    started = time.monotonic()
    with open(log, "wb") as sink:
        process = subprocess.Popen([OPENWEBUI, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=data, start_new_session=True)
    ui = OpenWebUI(port, process, log)
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"open-webui exited ({process.returncode}) before answering /health:\n{ui.tail()}")
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"open-webui did not answer /health within {START_TIMEOUT:g} s:\n{ui.tail()}")
            try:
                status, body = ui.call("GET", "/health", timeout=2)
                if status == 200 and json.loads(body) == {"status": True}:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        print(f"\nOpen WebUI answered /health after {time.monotonic() - started:.1f} s")
        status, body = ui.call("POST", "/api/v1/auths/signin", {"email": "", "password": ""})
        assert status == 200, body
        ui.token = json.loads(body)["token"]
        yield ui
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


def test_open_webui_lists_the_standin_model(openwebui, ollama):
    status, body = openwebui.call("GET", "/ollama/api/version")
    assert status == 200 and json.loads(body)["version"] == standin.VERSION, body
    status, body = openwebui.call("GET", "/ollama/api/tags")
    assert status == 200, body
    assert standin.MODEL in [m["name"] for m in json.loads(body)["models"]]
    status, body = openwebui.call("GET", "/api/models")
    assert status == 200 and standin.MODEL in [m["id"] for m in json.loads(body)["data"]], body
    log = ollama.log_text()
    for path in ('"/api/tags"', '"/api/version"'):
        assert path in log, f"Open WebUI never called {path}:\n{log}"


def test_open_webui_chats_with_the_standin(openwebui, ollama):
    question = "Open WebUI, can you hear the stand-in?"
    status, body = openwebui.call("POST", "/api/chat/completions", {
        "model": standin.MODEL, "stream": False, "messages": [{"role": "user", "content": question}]})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["choices"][0]["message"]["content"] == question, answer
    assert '"/api/chat"' in ollama.log_text()


def test_open_webui_streams_from_the_standin(openwebui):
    question = "stream this answer back word by word"
    conn = http.client.HTTPConnection("127.0.0.1", openwebui.port, timeout=60)
    try:
        conn.request("POST", "/api/chat/completions", body=json.dumps({
            "model": standin.MODEL, "stream": True, "messages": [{"role": "user", "content": question}]}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {openwebui.token}"})
        response = conn.getresponse()
        raw = response.read().decode()
    finally:
        conn.close()
    assert response.status == 200, raw
    pieces, finished = [], False
    for block in raw.split("\n\n"):
        block = block.strip()
        if not block.startswith("data: "):
            continue
        payload = block[len("data: "):]
        if payload == "[DONE]":
            finished = True
            continue
        for choice in json.loads(payload).get("choices", []):
            pieces.append(choice.get("delta", {}).get("content") or "")
    assert finished and "".join(pieces) == question, raw[:2000]


def test_open_webui_reports_a_stopped_ollama(openwebui, ollama):
    """Last: stop the stand-in, and Open WebUI says it cannot connect (what a learner sees)."""
    ollama.stop()
    deadline = time.monotonic() + 10  # Open WebUI caches the model list (MODELS_CACHE_TTL, 1 s)
    while True:
        status, body = openwebui.call("GET", "/ollama/api/tags")
        if status != 200 or not json.loads(body)["models"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"Open WebUI with its Ollama stopped: /ollama/api/tags HTTP {status} {body[:200]!r}")
    assert status == 200 and json.loads(body)["models"] == []  # 0.12: the model list just goes empty
    status, body = openwebui.call("GET", "/ollama/api/version")
    print(f"Open WebUI with its Ollama stopped: /ollama/api/version HTTP {status} {body[:200]!r}")
    assert status >= 500 and b"could not connect to ollama" in body.lower(), (status, body)
