"""The stand-in Open WebUI, run for real: its URLs from the environment, its probe's classes, its
server, and (``docker`` marker) the probe from inside container namespaces of networks the test
creates.

Targets are this machine's loopback, or containers and networks the test creates and removes. The
one name lookup that fails is under the reserved ``.invalid`` top-level domain.
"""

from __future__ import annotations

import ast
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from owui_lab import standins
from owui_lab.standins import webui

SCRIPT = str(standins.path("webui"))
NO_SUCH_NAME = "no-such-ollama.invalid"  # RFC 2606: never resolves


# ---------------------------------------------------------------------------------------------
# helpers: small local servers that behave badly on purpose
# ---------------------------------------------------------------------------------------------
class Listener:
    """A loopback TCP listener doing one thing with each connection: close, hold, or answer."""

    def __init__(self, behaviour: str, answer: bytes = b"") -> None:
        self.behaviour, self.answer = behaviour, answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.behaviour == "close":
                conn.close()
            elif self.behaviour == "hold":
                self.held.append(conn)
            else:
                conn.recv(65536)
                conn.sendall(self.answer)
                conn.close()

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FullBacklog:
    """A loopback port whose accept queue is full: new connections get no answer (SYNs dropped)."""

    def __enter__(self) -> "FullBacklog":
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)
        time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        for filler in self.fillers:
            filler.close()
        self.sock.close()


def refused_port() -> int:
    """A loopback port nothing listens on (bound then closed; nobody else takes it in a blink)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_probe(*args: str, env: dict | None = None) -> tuple[dict, subprocess.CompletedProcess]:
    result = subprocess.run([sys.executable, SCRIPT, "probe", *args], capture_output=True, text=True,
                            timeout=30, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    # Exactly one JSON object on stdout, on one line: the doctor and the lab parse it as such.
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("}\n"), result.stdout
    return json.loads(result.stdout), result


def get(port: int, path: str, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ollama():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"]) as running:
        yield running


# ---------------------------------------------------------------------------------------------
# The URLs Open WebUI would use
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("env", "urls"),
    [
        ({}, ["http://host.docker.internal:11434"]),  # the image: ENV=prod, OLLAMA_BASE_URL=/ollama
        ({"OLLAMA_BASE_URL": "/ollama"}, ["http://host.docker.internal:11434"]),
        ({"OLLAMA_BASE_URL": "/ollama", "USE_OLLAMA_DOCKER": "true"}, ["http://localhost:11434"]),
        ({"OLLAMA_BASE_URL": "/ollama", "ENV": "dev"}, ["/ollama"]),
        ({"OLLAMA_BASE_URL": "http://ollama:11434/"}, ["http://ollama:11434"]),  # one slash dropped
        ({"OLLAMA_BASE_URL": "http://ollama:11434//"}, ["http://ollama:11434/"]),  # only one
        ({"OLLAMA_BASE_URL": ""}, ["http://localhost:11434"]),  # empty: the legacy API URL's default
        ({"OLLAMA_BASE_URL": "", "OLLAMA_API_BASE_URL": "http://ollama:11434/api"}, ["http://ollama:11434"]),
        ({"OLLAMA_BASE_URL": "http://a:11434", "OLLAMA_BASE_URLS": "http://b:11434; http://c:11434 "},
         ["http://b:11434", "http://c:11434"]),  # OLLAMA_BASE_URLS wins, split on ';', spaces dropped
        ({"OLLAMA_BASE_URLS": "http://b:11434/"}, ["http://b:11434/"]),  # no slash stripping there
        ({"K8S_FLAG": "1"}, ["http://ollama-service.open-webui.svc.cluster.local:11434"]),
    ],
)
def test_ollama_urls_read_as_open_webui_reads_them(env, urls):
    assert webui.ollama_urls(env) == urls


def test_a_saved_url_wins_over_the_environment_while_persistent_config_is_on(tmp_path):
    from owui_lab.diagnosis.savedurl import read_database

    env = {"DATA_DIR": str(tmp_path), "OLLAMA_BASE_URL": "http://localhost:11434"}
    assert webui.ollama_urls(env) == ["http://localhost:11434"]  # a fresh volume: the environment
    path = webui.save_ollama_urls(["http://host.docker.internal:11434"], env)
    assert webui.ollama_urls(env) == ["http://host.docker.internal:11434"]
    assert webui.ollama_urls({**env, "ENABLE_PERSISTENT_CONFIG": "False"}) == ["http://localhost:11434"]
    # saved where, and as, the doctor reads a real Open WebUI's database
    assert read_database(path).urls == ("http://host.docker.internal:11434",)


def test_save_from_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, SCRIPT, "save", "http://172.17.0.1:11434"], capture_output=True, text=True,
                          env={**os.environ, "DATA_DIR": str(tmp_path)}, timeout=30)
    assert done.returncode == 0, done.stderr
    assert webui.saved_ollama_urls({"DATA_DIR": str(tmp_path)}) == ["http://172.17.0.1:11434"]


def test_the_script_is_standard_library_python_39():
    tree = ast.parse(standins.source("webui"), feature_version=(3, 9))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert all(n.split(".")[0] in set(sys.stdlib_module_names) | {"__future__"} for n in names), names
            assert getattr(node, "level", 0) == 0


PYTHONS = [f"/root/.pyenv/versions/{v}/bin/python3" for v in ("3.9.18", "3.12.1", "3.13.0")]


@pytest.mark.parametrize("python", PYTHONS, ids=lambda p: p.split("/")[-3])
def test_runs_under_other_pythons(ollama, python):
    if not os.path.exists(python):
        pytest.skip(f"no {python} here")
    result = subprocess.run([python, SCRIPT, "probe", ollama.url, f"http://{NO_SUCH_NAME}"], capture_output=True,
                            text=True, timeout=30)
    assert [r["outcome"] for r in json.loads(result.stdout)["results"]] == ["ok", "name_not_resolved"]
    with standins.spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0"], python=python) as running:
        assert get(running.port, "/health")[0] == 200


# ---------------------------------------------------------------------------------------------
# The probe's classes
# ---------------------------------------------------------------------------------------------
def test_probe_ok(ollama):
    data, _ = run_probe(ollama.url)
    [result] = data["results"]
    assert set(result) == {"url", "outcome", "detail", "seconds", "addresses"}
    assert result["url"] == ollama.url and result["outcome"] == "ok", result
    assert "the stand-in Ollama" in result["detail"] and result["addresses"] == ["127.0.0.1"]
    assert 0 <= result["seconds"] < 3


def test_probe_connection_refused():
    port = refused_port()
    data, _ = run_probe(f"http://127.0.0.1:{port}")
    [result] = data["results"]
    assert result["outcome"] == "connection_refused", result
    assert "Connection refused" in result["detail"]


def test_probe_localhost_tries_every_address_before_refusing():
    port = refused_port()
    [result] = run_probe(f"http://localhost:{port}")[0]["results"]
    assert result["outcome"] == "connection_refused", result
    assert "127.0.0.1" in result["addresses"]


def test_probe_name_not_resolved():
    [result] = run_probe(f"http://{NO_SUCH_NAME}:11434")[0]["results"]
    assert result["outcome"] == "name_not_resolved", result
    assert NO_SUCH_NAME in result["detail"] and result["addresses"] == []


def test_probe_unreachable_when_nothing_answers_the_connection():
    with FullBacklog() as silent:
        started = time.monotonic()
        [result] = run_probe("--timeout", "1", f"http://127.0.0.1:{silent.port}")[0]["results"]
        took = time.monotonic() - started
    assert result["outcome"] == "unreachable", result
    assert "timed out" in result["detail"]
    assert 0.9 <= result["seconds"] < 2 and took < 4


def test_probe_unreachable_when_connected_but_no_http_answer():
    with Listener("hold") as holder:
        [result] = run_probe("--timeout", "0.5", f"http://127.0.0.1:{holder.port}")[0]["results"]
    assert result["outcome"] == "unreachable" and "no HTTP answer" in result["detail"], result


def test_probe_closed_without_answer_is_refused():
    # Docker's userland proxy accepts on a published port and closes when nothing listens behind it.
    with Listener("close") as closer:
        [result] = run_probe(f"http://127.0.0.1:{closer.port}")[0]["results"]
    assert result["outcome"] == "connection_refused", result
    assert "without an HTTP answer" in result["detail"]


def test_probe_http_answer_that_is_not_ollama_is_refused_and_says_so():
    answer = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n" \
             b'{"detail":"Not Found"}'
    with Listener("answer", answer) as other:
        [result] = run_probe(f"http://127.0.0.1:{other.port}")[0]["results"]
    assert result["outcome"] == "connection_refused", result
    assert "not Ollama" in result["detail"] and "HTTP 404" in result["detail"]
    garbage = b"SSH-2.0-OpenSSH_9.2\r\n"
    with Listener("answer", garbage) as other:
        [result] = run_probe(f"http://127.0.0.1:{other.port}")[0]["results"]
    assert result["outcome"] == "connection_refused" and "not HTTP" in result["detail"], result


def test_probe_invalid_url_is_unreachable_and_says_invalid():
    data, _ = run_probe("ollama:11434", "http://:11434", "http://ollama:port")
    for result in data["results"]:
        assert result["outcome"] == "unreachable" and "invalid URL" in result["detail"], result


def test_probe_runs_urls_in_parallel_within_the_timeout(ollama):
    with FullBacklog() as a, FullBacklog() as b, Listener("hold") as c:
        started = time.monotonic()
        data, _ = run_probe("--timeout", "1", f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}",
                            f"http://127.0.0.1:{c.port}", ollama.url, f"http://{NO_SUCH_NAME}")
        took = time.monotonic() - started
    outcomes = [r["outcome"] for r in data["results"]]
    assert outcomes == ["unreachable", "unreachable", "unreachable", "ok", "name_not_resolved"]
    assert took < 2.5, f"{took:.2f} s for five URLs with a 1 s budget"


def test_probe_defaults_to_the_urls_open_webui_would_use(ollama):
    port = refused_port()
    data, _ = run_probe(env={"OLLAMA_BASE_URLS": f"{ollama.url};http://127.0.0.1:{port}"})
    assert [r["url"] for r in data["results"]] == [ollama.url, f"http://127.0.0.1:{port}"]
    assert [r["outcome"] for r in data["results"]] == ["ok", "connection_refused"]


@pytest.mark.parametrize("timeout", ["0", "-1", "abc", "61"])
def test_probe_bad_timeout_is_a_usage_error_with_nothing_on_stdout(timeout):
    result = subprocess.run([sys.executable, SCRIPT, "probe", "--timeout", timeout, "http://127.0.0.1:1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stdout == "" and "timeout" in result.stderr


def test_probe_function_in_process(ollama):
    data = webui.probe([ollama.url, f"http://{NO_SUCH_NAME}"], timeout=2)
    assert [r["outcome"] for r in data["results"]] == ["ok", "name_not_resolved"]


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(ollama):
    env = {"OLLAMA_BASE_URL": ollama.url + "/"}
    with standins.spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0", "--probe-relay"], env=env) as running:
        yield running


def test_health(server):
    for path in ("/health", "/health/db"):
        status, headers, body = get(server.port, path)
        assert status == 200 and json.loads(body) == {"status": True}
        assert headers["content-type"] == "application/json"
    status, headers, body = get(server.port, "/health", "HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(len(b'{"status": true}'))


def test_home_page_names_the_ollama_urls(server, ollama):
    status, _, body = get(server.port, "/")
    assert status == 200 and b"Open WebUI (stand-in)" in body and ollama.url.encode() in body


def test_probe_endpoint_uses_the_environment_or_the_query(server, ollama):
    status, _, body = get(server.port, "/probe")
    [result] = json.loads(body)["results"]
    assert status == 200 and result["url"] == ollama.url and result["outcome"] == "ok"
    for url in (ollama.url, ollama.url + "/"):  # its configured URL, as Open WebUI holds it or as written
        status, _, body = get(server.port, f"/probe?url={url}&timeout=1.5")
        assert status == 200 and [r["outcome"] for r in json.loads(body)["results"]] == ["ok"]


def test_probe_endpoint_relays_only_to_its_configured_ollama(server, ollama):
    with Listener("hold") as other:  # a loopback service that is not this Open WebUI's Ollama
        for query in (f"url=http://127.0.0.1:{other.port}", f"url={ollama.url}&url=http://127.0.0.1:{other.port}",
                      f"url=http://127.0.0.1:{server.port}"):
            status, headers, body = get(server.port, f"/probe?{query}")
            detail = json.loads(body)["detail"]
            assert status == 403 and headers["content-type"] == "application/json", body
            assert "only this Open WebUI's Ollama URLs" in detail and ollama.url in detail, detail
        time.sleep(0.2)
        assert other.held == []  # not even a connection reached it


def test_probe_endpoint_aimed_at_open_webui_itself_is_not_ollama():
    port = refused_port()  # configured as its own Ollama URL: the probe finds Open WebUI, not Ollama
    env = {"OLLAMA_BASE_URL": f"http://127.0.0.1:{port}"}
    with standins.spawn("webui", ["serve", "--port", str(port), "--quiet", "--probe-relay"], env=env) as running:
        status, _, body = get(running.port, "/probe")
    [result] = json.loads(body)["results"]
    assert status == 200 and result["outcome"] == "connection_refused" and "not Ollama" in result["detail"], result


def test_by_default_it_listens_on_loopback_and_relays_no_probe(ollama):
    with standins.spawn("webui", ["serve", "--port", "0", "--quiet"],
                        env={"HOST": "", "OLLAMA_BASE_URL": ollama.url}) as running:
        assert running.host == "127.0.0.1"
        assert not connects_from_another_address(running.port)
        status, _, body = get(running.port, f"/probe?url={ollama.url}")
        assert status == 403 and "the probe relay is off" in json.loads(body)["detail"]
        assert get(running.port, "/health")[0] == 200
    with standins.spawn("webui", ["serve", "--port", "0", "--quiet"],
                        env={"OLLAMA_BASE_URL": ollama.url, "OWUI_LAB_PROBE_RELAY": "1"}) as running:
        status, _, body = get(running.port, "/probe")  # the lab's containers turn it on by environment
        assert status == 200 and json.loads(body)["results"][0]["outcome"] == "ok"
    with standins.spawn("webui", ["serve", "--image", "--port", "0", "--quiet"], env={"HOST": "127.0.0.1"}) as running:
        assert running.host == "127.0.0.1"  # --image (0.0.0.0 in a container, as start.sh) yields to $HOST


def connects_from_another_address(port: int) -> bool:
    """Whether the port answers on one of this machine's non-loopback IPv4 addresses (False if none)."""
    try:
        addresses = {i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        addresses = set()
    for address in addresses - {"127.0.0.1", "127.0.1.1"}:
        try:
            with socket.create_connection((address, port), timeout=2):
                return True
        except OSError:
            pass
    return False


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


def test_probes_and_connections_use_a_bounded_number_of_threads():
    from concurrent.futures import ThreadPoolExecutor

    with Listener("hold") as silent:  # its Ollama accepts and never answers: each probe takes its timeout
        env = {"OLLAMA_BASE_URL": f"http://127.0.0.1:{silent.port}"}
        with standins.spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet", "--probe-relay"],
                            env=env) as running:
            with ThreadPoolExecutor(max_workers=12) as pool:
                statuses = list(pool.map(lambda _: get(running.port, "/probe?timeout=2")[0], range(12)))
            assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}, statuses
            assert statuses.count(200) <= webui.PROBE_SLOTS + 4  # 4 at once; a few more after them
            idle = []
            try:
                for _ in range(webui.MAX_CONNECTIONS + 16):
                    idle.append(socket.create_connection(("127.0.0.1", running.port), timeout=5))
                time.sleep(0.5)
                threads = threads_of(running.process.pid)
                print(f"\nthreads with {len(idle)} idle connections open: {threads}")
                assert threads <= webui.MAX_CONNECTIONS + 4
                late = idle[-1]  # idle ones wait for a request head without a thread: the late one is served
                late.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert late.recv(65536).startswith(b"HTTP/1.1 200 ")
            finally:
                for conn in idle:
                    conn.close()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the slots come back once the connections close
                try:
                    if get(running.port, "/health")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            assert get(running.port, "/health")[0] == 200


def test_an_idle_connection_is_closed_after_the_timeout():
    server = webui.build_server("127.0.0.1", 0, quiet=True, idle_timeout=1)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as s:
            started = time.monotonic()
            assert s.recv(1) == b""
            assert 0.8 < time.monotonic() - started < 8
    finally:
        server.shutdown()
        server.server_close()


def test_probe_endpoint_bad_timeout_and_unknown_path(server):
    status, _, body = get(server.port, "/probe?timeout=soon")
    assert status == 400 and "not a number" in json.loads(body)["detail"]
    status, _, body = get(server.port, "/api/nothing")
    assert status == 404 and json.loads(body) == {"detail": "Not Found"}


def test_requests_are_logged(server):
    get(server.port, "/health")
    deadline = time.monotonic() + 2
    while '"GET /health HTTP/1.1" 200' not in server.log_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert '"GET /health HTTP/1.1" 200' in server.log_text()


def test_port_from_the_environment():
    with standins.spawn("webui", ["serve", "--quiet"], env={"PORT": "0", "HOST": "127.0.0.1"}) as running:
        assert running.host == "127.0.0.1" and get(running.port, "/health")[0] == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_at_once_on_signal(sig):
    with standins.spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"]) as running:
        idle = socket.create_connection(("127.0.0.1", running.port))
        try:
            get(running.port, "/health")
            seconds = running.stop(sig)
        finally:
            idle.close()
    print(f"\nstand-in Open WebUI stopped {seconds * 1000:.0f} ms after {sig.name}")
    assert running.process.returncode == 0 and seconds < 2


def test_busy_port_is_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, SCRIPT, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (f"stand-in Open WebUI: cannot listen on 127.0.0.1:{port}: address already "
                                     "in use; stop what uses it or choose another port with --port N or PORT.")


def test_cli_runs_it_in_the_foreground(ollama):
    process = subprocess.Popen([sys.executable, "-m", "owui_lab", "standin", "webui", "--host", "127.0.0.1",
                                "--port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "OLLAMA_BASE_URL": ollama.url})
    try:
        line = process.stderr.readline()
        assert "listening on 127.0.0.1:" in line and ollama.url in line, line
        port = int(line.split("listening on 127.0.0.1:", 1)[1].split(";")[0])
        assert get(port, "/health")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0


# ---------------------------------------------------------------------------------------------
# Inside the offline image, from container namespaces (networks and containers of this test only)
# ---------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("docker_daemon")
def test_in_containers_serve_and_probe_from_the_namespace(standin_image):
    docker = pytest.importorskip("docker")
    from owui_lab.docker_api import labels

    image = standin_image
    cli = docker.from_env()
    session = os.urandom(4).hex()
    tag = labels(session, "standin-test")
    containers, networks = [], []
    try:
        net = cli.networks.create(f"owui-lab-{session}-net", driver="bridge", labels=tag)
        networks.append(net)
        ollama_name = f"owui-lab-{session}-ollama"

        def start(name: str, args: list, env: dict) -> "docker.models.containers.Container":
            container = cli.containers.run(image, ["python3", "-c", *args], detach=True, name=name, labels=tag,
                                           network=net.name, environment=env)
            containers.append(container)
            return container

        ollama = start(ollama_name, [standins.source("ollama")], {"OLLAMA_HOST": "0.0.0.0"})
        ui = start(f"owui-lab-{session}-webui", [standins.source("webui"), "serve", "--host", "0.0.0.0"],
                   {"OLLAMA_BASE_URL": f"http://{ollama_name}:11434/", "OWUI_LAB_PROBE_RELAY": "1"})
        gone = start(f"owui-lab-{session}-gone", [standins.source("ollama"), "--quiet"], {"OLLAMA_HOST": "0.0.0.0"})
        for container in (ollama, ui, gone):
            deadline = time.monotonic() + 20
            while "listening on" not in container.logs().decode() and time.monotonic() < deadline:
                time.sleep(0.1)
            container.reload()
        gone_ip = gone.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"]
        gone.stop(timeout=5)  # its address now leads nowhere: no one answers ARP on it
        ui_ip = ui.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"]

        # The server, from the host: health and its own probe of OLLAMA_BASE_URL (slash dropped).
        conn = http.client.HTTPConnection(ui_ip, 8080, timeout=10)
        conn.request("GET", "/health")
        assert json.loads(conn.getresponse().read()) == {"status": True}
        conn.request("GET", "/probe")
        [result] = json.loads(conn.getresponse().read())["results"]
        conn.close()
        assert result["url"] == f"http://{ollama_name}:11434" and result["outcome"] == "ok", result

        # The probe subcommand in a short-lived container sharing the stand-in Open WebUI's namespace.
        urls = [f"http://{ollama_name}:11434", "http://localhost:11434", f"http://{NO_SUCH_NAME}:11434",
                f"http://{gone_ip}:11434", "http://localhost:8080"]
        started = time.monotonic()
        prober = cli.containers.run(image, ["python3", "-c", standins.source("webui"), "probe", "--timeout", "2",
                                            *urls], detach=True, labels=labels(session, "probe"),
                                    name=f"owui-lab-{session}-probe", network_mode=f"container:{ui.id}")
        containers.append(prober)
        assert prober.wait(timeout=30)["StatusCode"] == 0
        took = time.monotonic() - started
        stdout = prober.logs(stdout=True, stderr=False).decode()
        assert stdout.count("\n") == 1, stdout
        results = json.loads(stdout)["results"]
        print(f"\nprobe of {len(urls)} URLs from the stand-in Open WebUI's namespace: {took:.2f} s")
        for r in results:
            print(f"  {r['url']:<40} {r['outcome']:<18} {r['detail']}")
        assert [r["outcome"] for r in results] == [
            "ok", "connection_refused", "name_not_resolved", "unreachable", "connection_refused"]
        assert "not Ollama" in results[4]["detail"]  # Open WebUI's own port answers, but is not Ollama
        for container in (ollama, ui):
            begun = time.monotonic()
            container.stop(timeout=10)
            seconds = time.monotonic() - begun
            container.reload()
            print(f"docker stop {container.name}: {seconds * 1000:.0f} ms")
            # Exit code 0, not 137: SIGTERM stopped it, no SIGKILL was needed. The time includes the
            # daemon's own work (other tests share it), hence the generous bound.
            assert container.attrs["State"]["ExitCode"] == 0 and seconds < 5
    finally:
        for container in containers:
            try:
                container.remove(force=True)
            except docker.errors.NotFound:
                pass
        for network in networks:
            network.remove()
        cli.close()


def test_slow_clients_do_not_deny_the_others():
    """Slowloris: 96 sockets trickle their headers a byte at a time; everyone else is still served
    at once, and the slow ones are closed when their head does not arrive in time (issue 25)."""
    from concurrent.futures import ThreadPoolExecutor

    server = webui.build_server("127.0.0.1", 0, quiet=True, idle_timeout=3)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(webui.MAX_CONNECTIONS + 32)]
    try:
        for s in slow:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _round in range(4):
                for s in slow:
                    try:
                        s.sendall(b"a")  # one byte more: never a whole head
                    except OSError:
                        pass
                timed = list(pool.map(lambda _: (time.monotonic(), get(port, "/health")[0], time.monotonic()), range(16)))
                assert all(status == 200 and end - begin < 2 for begin, status, end in timed), timed
                time.sleep(0.3)
        assert time.monotonic() - started < 6
        time.sleep(max(0.0, started + 3.5 - time.monotonic()))
        closed = 0
        for s in slow:
            s.settimeout(2)
            try:
                closed += s.recv(1) == b""
            except OSError:
                closed += 1
        assert closed == len(slow), f"{len(slow) - closed} slow connections still open after the head timeout"
    finally:
        for s in slow:
            s.close()
        server.shutdown()
        server.server_close()
