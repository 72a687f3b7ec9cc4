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

pytestmark = [pytest.mark.usefixtures("openwebui_executable"), pytest.mark.slow]

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
        return _call(("127.0.0.1", self.port), method, path, body, token=self.token, timeout=timeout)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def logged(running, text: str, wait: float = 5) -> bool:
    """Whether the stand-in's log shows ``text`` (it logs a request just after answering it)."""
    deadline = time.monotonic() + wait
    while text not in running.log_text():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def ollama():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0"]) as running:
        yield running


@pytest.fixture(scope="module")
def broken_urls():
    """One loopback URL for each way of failing, keyed by the class the stand-in's probe gives it."""
    with socket.socket() as refused:
        refused.bind(("127.0.0.1", 0))
        refused_port = refused.getsockname()[1]  # closed again: nothing listens there
    silent = socket.socket()  # accept queue full: connections get no answer at all
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(silent.getsockname())
        except BlockingIOError:
            pass
        fillers.append(filler)
    # Open WebUI's own kind of server: it answers HTTP, but GET /api/version is a 404.
    with standins.spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"]) as other:
        try:
            yield {
                "connection_refused": f"http://127.0.0.1:{refused_port}",
                "name_not_resolved": "http://no-such-ollama.invalid:11434",
                "unreachable": f"http://127.0.0.1:{silent.getsockname()[1]}",
                "not_ollama": other.url,
            }
        finally:
            for filler in fillers:
                filler.close()
            silent.close()


@pytest.fixture(scope="module")
def openwebui(ollama, broken_urls, tmp_path_factory):
    if not os.access(OPENWEBUI, os.X_OK):  # only reached in CI: locally conftest skips first
        pytest.fail(f"a live part is missing in CI: no Open WebUI at {OPENWEBUI}", pytrace=False)
    data = tmp_path_factory.mktemp("openwebui-data")
    log = data / "open-webui.log"
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        # The stand-in first (index 0), then one URL for each way of failing.
        "OLLAMA_BASE_URLS": ";".join([ollama.url, *broken_urls.values()]),
        "AIOHTTP_CLIENT_TIMEOUT": "3",  # the silent URL: time out in 3 s, not 300
        "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST": "2",
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
    # /ollama/api/version/0: the stand-in's URL. (Without the index Open WebUI asks every URL, and
    # 0.12.4 answers 500 Internal Server Error when one of them answers JSON without a version.)
    status, body = openwebui.call("GET", "/ollama/api/version/0")
    assert status == 200 and json.loads(body)["version"] == standin.VERSION, body
    status, body = openwebui.call("GET", "/ollama/api/tags")
    assert status == 200, body
    assert standin.MODEL in [m["name"] for m in json.loads(body)["models"]]
    status, body = openwebui.call("GET", "/api/models")
    assert status == 200 and standin.MODEL in [m["id"] for m in json.loads(body)["data"]], body
    for path in ('"/api/tags"', '"/api/version"'):
        assert logged(ollama, path), f"Open WebUI never called {path}:\n{ollama.log_text()}"


def test_open_webui_chats_with_the_standin(openwebui, ollama):
    question = "Open WebUI, can you hear the stand-in?"
    status, body = openwebui.call("POST", "/api/chat/completions", {
        "model": standin.MODEL, "stream": False, "messages": [{"role": "user", "content": question}]})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["choices"][0]["message"]["content"] == question, answer
    assert logged(ollama, '"/api/chat"'), ollama.log_text()


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


def test_open_webui_fails_each_broken_url_the_way_the_probe_classifies_it(openwebui, ollama, broken_urls):
    """Real Open WebUI's error for each URL (GET /ollama/api/version/{index}) beside the stand-in's class."""
    from owui_lab.standins import webui

    urls = [ollama.url, *broken_urls.values()]
    probed = webui.probe(urls, timeout=3)["results"]
    seen = []
    for index, (url, result) in enumerate(zip(urls, probed)):
        status, body = openwebui.call("GET", f"/ollama/api/version/{index}")
        detail = body.decode(errors="replace")
        seen.append((status, detail))
        print(f"{url:<40} probe: {result['outcome']:<18} Open WebUI: HTTP {status} {detail[:150]}")
    assert [r["outcome"] for r in probed] == ["ok", "connection_refused", "name_not_resolved", "unreachable",
                                             "connection_refused"]
    ok, refused, unresolved, silent, other = seen
    assert ok[0] == 200 and json.loads(ok[1])["version"] == standin.VERSION
    # aiohttp's own words, which learners find in Open WebUI's log (open-webui issues #209, #7189).
    assert refused[0] == 500 and "Connect call failed" in refused[1], refused
    assert unresolved[0] == 500 and "no-such-ollama.invalid" in unresolved[1], unresolved
    assert "Name or service not known" in unresolved[1] or "resolution" in unresolved[1], unresolved
    assert silent[0] == 500 and "Server Connection Error" in silent[1], silent  # a timeout has no text
    assert other[0] == 404 and "Server Connection Error" in other[1], other  # HTTP, but not Ollama


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
    status, body = openwebui.call("GET", "/ollama/api/version/0")
    print(f"Open WebUI with its Ollama stopped: /ollama/api/version/0 HTTP {status} {body[:200]!r}")
    assert status == 500 and b"Connect call failed" in body, (status, body)


@pytest.mark.usefixtures("docker_daemon")
def test_in_a_container_open_webui_and_the_probe_see_the_same(standin_image):
    """The real Open WebUI in a container on the default bridge (as in the docs' Linux diagram) and
    the stand-in probe in its network namespace: same verdict for each URL, and the very error
    messages learners report (open-webui #209: ``Connect call failed ('172.17.0.1', 11434)``).

    Open WebUI runs from the offline image with its venv (and the Python it was made from) mounted
    read-only at the same paths. Ollama "on the host" is two stand-ins: one on the docker0 address,
    one on loopback only (a default Ollama).
    """
    docker = pytest.importorskip("docker")
    from owui_lab import docker_api

    image = standin_image
    cli = docker.from_env()
    info = docker_api.daemon_info(cli)
    if info.platform != "linux" or not info.docker0:
        cli.close()
        pytest.skip(f"needs a Linux engine with a docker0 bridge, not {info.description}")
    venv = Path(OPENWEBUI).parent.parent
    base = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.base_prefix)"],
                          capture_output=True, text=True, check=True).stdout.strip()
    volumes = {str(venv): {"bind": str(venv), "mode": "ro"}}
    if base not in ("/usr", "/usr/local"):  # a Debian python3 is the image's own: nothing to mount
        volumes[base] = {"bind": base, "mode": "ro"}
    session = docker_api.new_session_id()
    with standins.spawn("ollama", ["--bind", f"{info.docker0}:0", "--quiet"]) as reachable, \
            standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"]) as loopback_only:
        urls = [f"http://host.docker.internal:{reachable.port}", f"http://host.docker.internal:{loopback_only.port}",
                "http://localhost:11434", "http://no-such-ollama.invalid:11434"]
        made = []
        try:
            started = time.monotonic()
            ui = cli.containers.run(
                image, [str(venv / "bin" / "open-webui"), "serve", "--port", "8080"], detach=True,
                name=docker_api.container_name(session, "openwebui"), labels=docker_api.labels(session, "openwebui"),
                working_dir="/tmp", extra_hosts={"host.docker.internal": "host-gateway"}, volumes=volumes,
                environment={"OLLAMA_BASE_URLS": ";".join(urls), "DATA_DIR": "/tmp/data", "WEBUI_AUTH": "False",
                             "WEBUI_SECRET_KEY": "owui-lab-test", "OFFLINE_MODE": "True", "HF_HUB_OFFLINE": "1",
                             "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False", "ENABLE_OPENAI_API": "False",
                             "ANONYMIZED_TELEMETRY": "False", "DO_NOT_TRACK": "true", "AIOHTTP_CLIENT_TIMEOUT": "3",
                             "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST": "2"},
            )
            made.append(ui)
            ui.reload()
            address = ui.attrs["NetworkSettings"]["IPAddress"]
            while True:
                ui.reload()
                if ui.status == "exited":
                    pytest.fail(f"Open WebUI's container exited:\n{ui.logs()[-3000:].decode(errors='replace')}")
                if time.monotonic() - started > START_TIMEOUT:
                    pytest.fail(f"Open WebUI did not answer within {START_TIMEOUT:g} s:\n"
                                f"{ui.logs()[-3000:].decode(errors='replace')}")
                try:
                    if _call((address, 8080), "GET", "/health", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(1)
            print(f"\nOpen WebUI in a container answered /health after {time.monotonic() - started:.1f} s")
            status, body = _call((address, 8080), "POST", "/api/v1/auths/signin", {"email": "", "password": ""})
            token = json.loads(body)["token"]
            seen = [_call((address, 8080), "GET", f"/ollama/api/version/{i}", token=token) for i in range(len(urls))]
            status, body = _call((address, 8080), "GET", "/ollama/api/tags", token=token)
            assert status == 200 and standin.MODEL in [m["name"] for m in json.loads(body)["models"]], body

            prober = cli.containers.run(
                image, ["python3", "-c", standins.source("webui"), "probe", *urls], detach=True,
                name=docker_api.container_name(session, "probe"), labels=docker_api.labels(session, "probe"),
                network_mode=f"container:{ui.id}",
            )
            made.append(prober)
            assert prober.wait(timeout=60)["StatusCode"] == 0
            probed = json.loads(prober.logs(stdout=True, stderr=False).decode())["results"]
            for url, (status, body), result in zip(urls, seen, probed):
                print(f"{url:<40} probe: {result['outcome']:<18} Open WebUI: HTTP {status} {body[:120]!r}")
            assert [r["outcome"] for r in probed] == ["ok", "connection_refused", "connection_refused",
                                                     "name_not_resolved"]
            assert seen[0][0] == 200 and json.loads(seen[0][1])["version"] == standin.VERSION
            assert seen[1][0] == 500 and f"Connect call failed ('{info.docker0}', {loopback_only.port})".encode() \
                in seen[1][1], seen[1]
            assert seen[2][0] == 500 and b"Connect call failed ('127.0.0.1', 11434)" in seen[2][1], seen[2]
            assert seen[3][0] == 500 and b"no-such-ollama.invalid" in seen[3][1], seen[3]
        finally:
            for container in made:
                try:
                    container.remove(force=True)
                except docker.errors.NotFound:
                    pass
            cli.close()


def _call(address: tuple[str, int], method: str, path: str, body: object = None, token: str = "",
          timeout: float = 60):
    """One request to Open WebUI's API at (host, port); returns (status, body bytes)."""
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
