"""The stand-in Ollama, run for real: as a subprocess on loopback, under the official ``ollama``
client, and inside the offline image (``docker`` marker).

Every server here listens on a free port of this machine's loopback (or in a container the test
creates and removes); nothing else is contacted.
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
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owui_lab import standins
from owui_lab.errors import ConfigError, LabError
from owui_lab.standins import ollama as standin

MODEL = standin.MODEL
# Other interpreters the stand-ins must run on, when this machine has them (pyenv): the oldest
# supported, and the newest ones (python:3.12-slim is the kit's default image).
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
PYTHONS = [PYENV / f"versions/{v}/bin/python3" for v in ("3.9.18", "3.12.1", "3.13.0")]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def request(url_host: str, port: int, method: str, path: str, body: object = None, timeout: float = 5):
    """(status, headers, body bytes) of one request; ``body`` is sent as JSON unless it is bytes."""
    conn = http.client.HTTPConnection(url_host, port, timeout=timeout)
    try:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def ndjson(raw: bytes) -> list[dict]:
    return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def sse(raw: bytes) -> list:
    events = []
    for block in raw.decode().split("\n\n"):
        block = block.strip()
        if block.startswith("data: "):
            payload = block[len("data: ") :]
            events.append(payload if payload == "[DONE]" else json.loads(payload))
    return events


def connects(host: str, port: int, family: int = socket.AF_INET) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect((host, port))
        return True
    except OSError:
        return False


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def server():
    with standins.spawn("ollama", ["--port", "0"], env={"OLLAMA_HOST": "127.0.0.1"}) as running:
        yield running


# ---------------------------------------------------------------------------------------------
# OLLAMA_HOST, read as Ollama reads it
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("127.0.0.1", 11434)),
        ("", ("127.0.0.1", 11434)),
        ("0.0.0.0", ("0.0.0.0", 11434)),
        ("0.0.0.0:11434", ("0.0.0.0", 11434)),
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("http://0.0.0.0", ("0.0.0.0", 80)),  # a scheme changes the default port
        ("https://0.0.0.0", ("0.0.0.0", 443)),
        ("http://0.0.0.0:11434", ("0.0.0.0", 11434)),
        ("http://127.0.0.1:9000/some/path", ("127.0.0.1", 9000)),
        (":11434", ("", 11434)),  # no host: every address
        (":", ("", 11434)),
        ("[::]:11434", ("::", 11434)),
        ("[::1]:8000", ("::1", 8000)),
        ("::1", ("::1", 11434)),
        ("http://[::1]", ("::1", 80)),
        ("localhost", ("localhost", 11434)),
        ("0.0.0.0:notaport", ("0.0.0.0", 11434)),
        ("0.0.0.0:70000", ("0.0.0.0", 11434)),  # out of range: Ollama warns and uses the default
        ("0.0.0.0:1_1434", ("0.0.0.0", 11434)),  # Go's ParseInt takes no underscores
        ("  0.0.0.0  ", ("0.0.0.0", 11434)),
        ("'0.0.0.0:8080'", ("0.0.0.0", 8080)),  # Ollama's Var() drops quotes
        ('"0.0.0.0"', ("0.0.0.0", 11434)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
    ],
)
def test_ollama_host_is_read_as_ollama_reads_it(value, expected):
    assert standin.parse_ollama_host(value) == expected


@given(st.one_of(st.none(), st.text(max_size=40), st.from_regex(
    r"\A(https?://)?(\[[0-9a-f:]*\]|[0-9.]*|[a-z.-]*)?(:[0-9+-]{0,6})?(/[a-z]*)?\Z")))
def test_any_ollama_host_value_gives_an_address_and_a_port(value):
    host, port = standin.parse_ollama_host(value)
    assert isinstance(host, str) and 0 <= port <= 65535
    assert "/" not in host  # the path never leaks into the address


def test_config_reads_ollama_host_through_the_standin():
    from owui_lab.config import parse_ollama_host

    for value in (None, "0.0.0.0", "http://[::1]", ":8080", "'127.0.0.1'"):
        listen = parse_ollama_host(value)
        assert (listen.host, listen.port) == standin.parse_ollama_host(value)


def test_bind_address_follows_go_net_listen():
    assert standin.bind_address("", 1) == (socket.AF_INET6, "::", True)
    assert standin.bind_address("0.0.0.0", 1) == (socket.AF_INET6, "::", True)  # Go: dual-stack
    assert standin.bind_address("::", 1) == (socket.AF_INET6, "::", True)
    assert standin.bind_address("127.0.0.1", 1) == (socket.AF_INET, "127.0.0.1", False)
    assert standin.bind_address("::1", 1) == (socket.AF_INET6, "::1", False)
    assert standin.bind_address("localhost", 1) == (socket.AF_INET, "127.0.0.1", False)  # IPv4 first


def test_join_host_port_brackets_ipv6():
    assert standin.join_host_port("::", 11434) == "[::]:11434"
    assert standin.join_host_port("127.0.0.1", 80) == "127.0.0.1:80"


# ---------------------------------------------------------------------------------------------
# The script itself: self-contained, Python 3.9, importable text
# ---------------------------------------------------------------------------------------------
def test_the_script_is_standard_library_python_39():
    text = standins.source("ollama")
    tree = ast.parse(text, feature_version=(3, 9))
    allowed = set(sys.stdlib_module_names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a stand-in may not import from its package"
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in allowed | {"__future__"}, name
    assert standins.path("ollama").read_text() == text


def test_unknown_standin_name_is_a_clear_error():
    with pytest.raises(ConfigError, match="no stand-in called 'redis'"):
        standins.source("redis")


@pytest.mark.parametrize("python", PYTHONS, ids=lambda p: p.parts[-3])
def test_runs_under_other_pythons(python):
    if not os.access(python, os.X_OK):  # not python.exists(): another user's pyenv raises PermissionError
        pytest.skip(f"no {python} this user can run here")
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0"], python=str(python)) as running:
        status, _, body = request("127.0.0.1", running.port, "POST", "/api/chat",
                                  {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": False})
        assert status == 200 and json.loads(body)["message"]["content"] == "hi"


def test_runs_as_python_dash_c_source():
    """The lab's way: ``python3 -c SOURCE ARGS`` (no file, no __file__)."""
    process = subprocess.Popen(
        [sys.executable, "-c", standins.source("ollama"), "--bind", "127.0.0.1:0", "--quiet"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stderr.readline()
        port = int(line.rsplit(":", 1)[1].split()[0])
        status, _, body = request("127.0.0.1", port, "GET", "/")
        assert (status, body) == (200, b"Ollama is running")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------
def test_root_get_and_head(server):
    status, headers, body = request("127.0.0.1", server.port, "GET", "/")
    assert (status, body) == (200, b"Ollama is running")
    assert headers["content-type"].startswith("text/plain")
    status, headers, body = request("127.0.0.1", server.port, "HEAD", "/")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == "17"


def test_version(server):
    status, headers, body = request("127.0.0.1", server.port, "GET", "/api/version")
    assert status == 200 and json.loads(body) == {"version": standin.VERSION}
    assert headers[standin.STANDIN_HEADER.lower()] == MODEL


def test_tags_lists_the_echo_model_in_ollamas_shape(server):
    status, _, body = request("127.0.0.1", server.port, "GET", "/api/tags")
    models = json.loads(body)["models"]
    assert status == 200 and len(models) == 1
    model = models[0]
    assert set(model) == {"name", "model", "modified_at", "size", "digest", "details"}
    assert model["name"] == model["model"] == MODEL
    assert len(model["digest"]) == 64 and int(model["digest"], 16) >= 0
    assert set(model["details"]) == {"parent_model", "format", "family", "families", "parameter_size",
                                     "quantization_level"}


def test_show(server):
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/show", {"model": "echo-standin"})
    shown = json.loads(body)
    assert status == 200 and shown["details"]["family"] == "echo" and "completion" in shown["capabilities"]
    assert request("127.0.0.1", server.port, "POST", "/api/show", {"name": MODEL})[0] == 200  # old clients
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/show", {"model": "llama3"})
    assert status == 404 and json.loads(body) == {"error": "model 'llama3' not found"}
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/show", {})
    assert status == 400 and "model is required" in json.loads(body)["error"]


def test_openai_models(server):
    status, _, body = request("127.0.0.1", server.port, "GET", "/v1/models")
    listing = json.loads(body)
    assert status == 200 and listing["object"] == "list"
    assert [m["id"] for m in listing["data"]] == [MODEL]


def test_chat_streams_ndjson_ending_with_done(server):
    question = "Why can Open WebUI not reach me?"
    status, headers, body = request("127.0.0.1", server.port, "POST", "/api/chat", {
        "model": MODEL,
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": question}],
    })
    assert status == 200 and headers["content-type"] == "application/x-ndjson"
    assert headers["transfer-encoding"] == "chunked"
    chunks = ndjson(body)
    assert len(chunks) == len(question.split()) + 1
    assert all(c["done"] is False and c["message"]["role"] == "assistant" for c in chunks[:-1])
    assert "".join(c["message"]["content"] for c in chunks) == question
    last = chunks[-1]
    assert last["done"] is True and last["done_reason"] == "stop"
    assert last["eval_count"] == len(question.split())
    assert last["prompt_eval_count"] == len(question.split()) + 2
    for field in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration", "created_at"):
        assert field in last


def test_chat_without_streaming(server):
    status, headers, body = request("127.0.0.1", server.port, "POST", "/api/chat", {
        "model": "echo-standin", "stream": False,
        "messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "first"},
                     {"role": "user", "content": "second question"}],
    })
    answer = json.loads(body)
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert answer["message"] == {"role": "assistant", "content": "second question"}
    assert answer["done"] is True and answer["done_reason"] == "stop" and answer["model"] == "echo-standin"


def test_chat_with_no_user_text_gets_the_canned_answer(server):
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/chat",
                              {"model": MODEL, "stream": False, "messages": [{"role": "user", "content": " "}]})
    assert status == 200 and "stand-in model" in json.loads(body)["message"]["content"]


def test_chat_with_no_messages_loads_the_model_like_ollama(server):
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/chat", {"model": MODEL})
    answer = json.loads(body)
    assert status == 200 and answer["done"] is True and answer["done_reason"] == "load"


def test_generate_streams_and_not(server):
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/generate", {"model": MODEL, "prompt": "say this"})
    chunks = ndjson(body)
    assert status == 200 and "".join(c["response"] for c in chunks) == "say this"
    assert chunks[-1]["done"] is True and chunks[-1]["context"] and chunks[-1]["eval_count"] == 2
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/generate",
                              {"model": MODEL, "prompt": "say this", "stream": False})
    answer = json.loads(body)
    assert status == 200 and answer["response"] == "say this" and answer["done_reason"] == "stop"
    status, _, body = request("127.0.0.1", server.port, "POST", "/api/generate", {"model": MODEL})
    assert status == 200 and json.loads(body)["done_reason"] == "load"


def test_ps_lists_the_model_after_use(server):
    request("127.0.0.1", server.port, "POST", "/api/generate", {"model": MODEL, "prompt": "x", "stream": False})
    status, _, body = request("127.0.0.1", server.port, "GET", "/api/ps")
    models = json.loads(body)["models"]
    assert status == 200 and [m["name"] for m in models] == [MODEL]
    assert {"expires_at", "size_vram", "digest", "details"} <= set(models[0])


def test_ps_is_empty_before_any_use():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"]) as fresh:
        status, _, body = request("127.0.0.1", fresh.port, "GET", "/api/ps")
        assert status == 200 and json.loads(body) == {"models": []}


def test_openai_chat_completions(server):
    messages = [{"role": "user", "content": [{"type": "text", "text": "parts "}, {"type": "text", "text": "too"}]}]
    status, _, body = request("127.0.0.1", server.port, "POST", "/v1/chat/completions",
                              {"model": MODEL, "messages": messages})
    answer = json.loads(body)
    assert status == 200 and answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"] == {"role": "assistant", "content": "parts too"}
    assert answer["choices"][0]["finish_reason"] == "stop" and answer["usage"]["completion_tokens"] == 2
    status, headers, body = request("127.0.0.1", server.port, "POST", "/v1/chat/completions",
                                    {"model": MODEL, "messages": messages, "stream": True})
    events = sse(body)
    assert status == 200 and headers["content-type"] == "text/event-stream" and events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "parts too"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error"),
    [
        ("POST", "/api/chat", {"model": "llama3", "messages": []}, 404, "model 'llama3' not found"),
        ("POST", "/api/chat", {"messages": []}, 400, "model is required"),
        ("POST", "/api/generate", b"{not json", 400, "invalid JSON"),
        ("POST", "/api/chat", b"[1, 2]", 400, "must be a JSON object"),
        ("POST", "/v1/chat/completions", {"model": "gpt-4"}, 404, "model 'gpt-4' not found"),
        ("POST", "/api/pull", {"model": "llama3"}, 501, "does not implement /api/pull"),
    ],
)
def test_errors_in_ollamas_shape(server, method, path, body, status, error):
    got, headers, raw = request("127.0.0.1", server.port, method, path, body)
    assert got == status and error in json.loads(raw)["error"]


@pytest.mark.parametrize("raw", [
    b"POST /api/chat HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/chat HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_malformed_body_framing_is_a_400_not_a_traceback(server, raw):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(raw)
        answer = b""
        while True:  # the stand-in closes the connection: the body's end cannot be known
            data = s.recv(65536)
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 400 ") and b"malformed request body framing" in answer
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /api/chat HTTP/1.1\r\nContent-Length: 10\r\n\r\n")  # ... and hang up mid-body
    request("127.0.0.1", server.port, "GET", "/")  # still serving
    assert "Traceback" not in server.log_text()


# ---------------------------------------------------------------------------------------------
# Safe on a laptop at a conference: bounded bodies, a deep listen queue, idle connections closed
# ---------------------------------------------------------------------------------------------
def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def read_all(s: socket.socket) -> bytes:
    answer = b""
    while True:
        data = s.recv(65536)
        if not data:
            return answer
        answer += data


@pytest.mark.parametrize(("part", "what"), [
    ({"type": "text", "text": None}, "got null"),
    ({"type": "text", "text": 5}, "got number"),
    ({"type": "text"}, "got null"),
    ("just a string", "must be an object"),
])
def test_malformed_openai_content_part_is_a_400_not_a_500(server, part, what):
    body = {"model": MODEL, "messages": [{"role": "user", "content": [part]}]}
    for path in ("/v1/chat/completions", "/api/chat"):
        status, headers, raw = request("127.0.0.1", server.port, "POST", path, body)
        assert status == 400 and headers["content-type"].startswith("application/json"), (path, raw)
        error = json.loads(raw)["error"]
        assert "invalid content part" in error and what in error, error
    good = {"model": MODEL, "stream": False, "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:,"}}, {"type": "text", "text": "parts"}]}]}
    status, _, raw = request("127.0.0.1", server.port, "POST", "/v1/chat/completions", good)
    assert status == 200 and json.loads(raw)["choices"][0]["message"]["content"] == "parts"


def test_an_over_limit_body_is_refused_by_its_length_before_it_is_read(server):
    size = 200 * 1024 * 1024  # announced, never sent: the answer comes from the headers alone
    before = rss_kb(server.process.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /api/chat HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                  % size)
        s.sendall(b"x" * (2 * 1024 * 1024 + 1))  # 2 MB+ of it, then the answer and the close
        s.shutdown(socket.SHUT_WR)
        answer = read_all(s)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"application/json" in head and "at most 1048576 bytes" in json.loads(body)["error"]
    grown = rss_kb(server.process.pid) - before
    print(f"\nRSS after a refused {size >> 20} MB body: {grown:+d} kB")
    assert grown < 8 * 1024  # the body was never held in memory
    request("127.0.0.1", server.port, "GET", "/")  # still serving


def test_an_over_limit_chunked_body_is_refused_while_it_is_read(server):
    before = rss_kb(server.process.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /api/chat HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        try:
            for _ in range(40):  # 2.5 MB in 64 kB chunks; the stand-in stops reading after 1 MB
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # it closed the connection: what it should do
        answer = read_all(s)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"request body too large" in answer, answer[:200]
    assert rss_kb(server.process.pid) - before < 8 * 1024
    huge = b"POST /api/chat HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(huge)  # one chunk announced as 64 GB: refused before a byte of it is read
        assert read_all(s).startswith(b"HTTP/1.1 413 ")


def test_200_concurrent_chats_are_all_answered(server):
    from concurrent.futures import ThreadPoolExecutor

    body = {"model": MODEL, "stream": False, "messages": [{"role": "user", "content": "burst"}]}

    def chat(_: int) -> object:
        try:
            status, _, raw = request("127.0.0.1", server.port, "POST", "/api/chat", body, timeout=60)
            return status if json.loads(raw)["message"]["content"] == "burst" else raw
        except OSError as exc:
            return repr(exc)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(chat, range(200)))
    print(f"\n200 concurrent chats: {answers.count(200)} answered in {time.monotonic() - started:.2f} s")
    assert answers == [200] * 200, [a for a in answers if a != 200][:5]


def test_an_idle_connection_is_closed_after_the_timeout():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet", "--idle-timeout", "1"]) as running:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as s:
            started = time.monotonic()
            assert s.recv(1) == b""  # nothing sent: the stand-in closes it
            waited = time.monotonic() - started
        assert 0.8 < waited < 8, waited
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as s:
            s.sendall(b"POST /api/chat HTTP/1.1\r\nContent-Length: 10\r\n\r\n{")  # stalls mid-body
            started = time.monotonic()
            read_all(s)
            assert time.monotonic() - started < 8
        assert request("127.0.0.1", running.port, "GET", "/")[0] == 200
    assert "Traceback" not in running.log_text()


def test_idle_timeout_must_be_a_sensible_number():
    with pytest.raises(LabError, match="idle-timeout"):
        standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--idle-timeout", "0"])


def test_unknown_route_and_wrong_method_get_gins_404(server):
    for method, path in (("GET", "/api/nothing"), ("GET", "/api/chat"), ("POST", "/api/tags")):
        status, _, body = request("127.0.0.1", server.port, method, path, b"{}" if method == "POST" else None)
        assert (status, body) == (404, b"404 page not found")


def test_http_10_client_gets_the_stream_until_the_connection_closes(server):
    body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "old client"}]}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /api/chat HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body))
        raw = b""
        while True:
            data = s.recv(65536)
            if not data:
                break
            raw += data
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0] and b"chunked" not in head.lower()
    chunks = ndjson(payload)
    assert "".join(c["message"]["content"] for c in chunks) == "old client" and chunks[-1]["done"] is True


def test_keep_alive_connection_serves_several_requests(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("POST", "/api/chat", body=json.dumps({"model": MODEL, "messages": [
                {"role": "user", "content": "again"}]}))
            response = conn.getresponse()
            assert response.status == 200 and ndjson(response.read())[-1]["done"] is True
    finally:
        conn.close()


def test_requests_are_logged_with_the_clients_address(server):
    request("127.0.0.1", server.port, "GET", "/api/tags")
    deadline = time.monotonic() + 2
    wanted = 'GET      "/api/tags"'  # not the POST of the 404 test, which may be logged last
    while wanted not in server.log_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    line = [x for x in server.log_text().splitlines() if wanted in x][-1]
    assert line.startswith("[GIN] ") and "| 200 |" in line and "127.0.0.1" in line and "GET" in line


# ---------------------------------------------------------------------------------------------
# Binding, busy ports, teardown
# ---------------------------------------------------------------------------------------------
def test_default_binds_loopback_only():
    env = {k: v for k, v in os.environ.items() if k != "OLLAMA_HOST"}
    process = subprocess.Popen([sys.executable, str(standins.path("ollama")), "--port", "0", "--quiet"],
                               env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        line = process.stderr.readline()
        assert "listening on 127.0.0.1:" in line, line
    finally:
        process.terminate()
        process.wait(5)


def test_all_addresses_is_dual_stack_like_go():
    for value in ("0.0.0.0:0", ":0"):
        with standins.spawn("ollama", ["--quiet"], env={"OLLAMA_HOST": value}) as running:
            assert running.host == "::", running.log_text()
            assert connects("127.0.0.1", running.port)
            if ipv6_loopback():
                assert connects("::1", running.port, socket.AF_INET6)


def test_loopback_bind_refuses_other_addresses():
    with standins.spawn("ollama", ["--bind", "127.0.0.1", "--port", "0", "--quiet"]) as running:
        assert running.host == "127.0.0.1" and connects("127.0.0.1", running.port)
        if ipv6_loopback():
            assert not connects("::1", running.port, socket.AF_INET6)
    if ipv6_loopback():
        with standins.spawn("ollama", ["--bind", "[::1]:0", "--quiet"]) as running:
            assert running.host == "::1" and connects("::1", running.port, socket.AF_INET6)
            assert not connects("127.0.0.1", running.port)


def test_bind_flag_wins_over_ollama_host_and_port_flag_over_both():
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"], env={"OLLAMA_HOST": "0.0.0.0:1"}) as r:
        assert r.host == "127.0.0.1" and r.port != 1
    with standins.spawn("ollama", ["--port", "0", "--quiet"], env={"OLLAMA_HOST": "http://127.0.0.1"}) as r:
        assert r.host == "127.0.0.1" and r.port not in (0, 80)


def busy_socket() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def test_busy_port_is_one_clear_line():
    with busy_socket() as taken:
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(standins.path("ollama")), "--bind", f"127.0.0.1:{port}"],
                                capture_output=True, text=True, timeout=10)
        assert time.monotonic() - started < 5
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in lines[0]
    assert "--port" in lines[0] and "Traceback" not in result.stderr


def test_busy_port_on_every_address_is_one_clear_line():
    with busy_socket() as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(standins.path("ollama"))], env={**os.environ,
                                "OLLAMA_HOST": f"0.0.0.0:{port}"}, capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and "address already in use" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_address_this_machine_lacks_is_one_clear_line():
    # 192.0.2.1 (TEST-NET-1) is never assigned to a machine; binding it sends no packet anywhere.
    result = subprocess.run([sys.executable, str(standins.path("ollama")), "--bind", "192.0.2.1:0"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and "not one of this machine's" in result.stderr


def test_spawn_reports_the_reason_it_did_not_start():
    with busy_socket() as taken:
        with pytest.raises(LabError, match="address already in use"):
            standins.spawn("ollama", ["--bind", f"127.0.0.1:{taken.getsockname()[1]}"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_at_once_on_signal_even_with_open_connections(sig):
    with standins.spawn("ollama", ["--bind", "127.0.0.1:0", "--quiet"]) as running:
        idle = socket.create_connection(("127.0.0.1", running.port))  # a keep-alive client, idle
        try:
            request("127.0.0.1", running.port, "GET", "/api/tags")
            seconds = running.stop(sig)
        finally:
            idle.close()
        print(f"\nstand-in Ollama stopped {seconds * 1000:.0f} ms after {sig.name}")
        assert running.process.returncode == 0
        assert seconds < 2, f"took {seconds:.2f} s to stop"


def test_cli_runs_it_in_the_foreground():
    process = subprocess.Popen([sys.executable, "-m", "owui_lab", "standin", "ollama", "--bind", "127.0.0.1",
                                "--port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        line = process.stderr.readline()
        assert "listening on 127.0.0.1:" in line, line
        port = int(line.rsplit(":", 1)[1].split()[0])
        assert request("127.0.0.1", port, "GET", "/api/version")[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(5) == 0


def test_cli_busy_port_and_bad_port():
    with busy_socket() as taken:
        result = subprocess.run([sys.executable, "-m", "owui_lab", "standin", "ollama", "--port",
                                 str(taken.getsockname()[1])], capture_output=True, text=True, timeout=20,
                                env={**os.environ, "OLLAMA_HOST": "127.0.0.1"})
    assert result.returncode == 1 and "address already in use" in result.stderr
    result = subprocess.run([sys.executable, "-m", "owui_lab", "standin", "ollama", "--port", "99999"],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and "--port 99999 is not a TCP port" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# The official ollama Python client
# ---------------------------------------------------------------------------------------------
def test_official_client_list_show_ps(server):
    ollama = pytest.importorskip("ollama")
    client = ollama.Client(host=f"http://127.0.0.1:{server.port}")
    listed = client.list()
    assert [m.model for m in listed.models] == [MODEL]
    assert listed.models[0].details.family == "echo" and listed.models[0].modified_at.year == 2026
    assert client.show(MODEL).details.family == "echo"
    client.generate(model=MODEL, prompt="warm up")
    assert [m.model for m in client.ps().models] == [MODEL]


def test_official_client_chat_and_generate(server):
    ollama = pytest.importorskip("ollama")
    client = ollama.Client(host=f"127.0.0.1:{server.port}")  # the client's own host parsing
    messages = [{"role": "user", "content": "Is anybody out there?"}]
    answer = client.chat(model=MODEL, messages=messages)
    assert answer.message.content == "Is anybody out there?" and answer.done and answer.done_reason == "stop"
    parts = list(client.chat(model=MODEL, messages=messages, stream=True))
    assert "".join(p.message.content for p in parts) == "Is anybody out there?"
    assert parts[-1].done and parts[-1].eval_count == 4
    assert client.generate(model=MODEL, prompt="echo me").response == "echo me"
    streamed = list(client.generate(model=MODEL, prompt="echo me too", stream=True))
    assert "".join(p.response for p in streamed) == "echo me too" and streamed[-1].done
    with pytest.raises(ollama.ResponseError) as error:
        client.chat(model="llama3", messages=messages)
    assert error.value.status_code == 404 and "not found" in error.value.error


def test_official_client_honours_ollama_host(monkeypatch):
    ollama = pytest.importorskip("ollama")
    with standins.spawn("ollama", ["--quiet"], env={"OLLAMA_HOST": "127.0.0.1:0"}) as running:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{running.port}")
        assert [m.model for m in ollama.Client().list().models] == [MODEL]


# ---------------------------------------------------------------------------------------------
# Inside the offline image (python3 -c SOURCE, as the lab runs it)
# ---------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("docker_daemon")
def test_in_the_offline_image_binds_like_ollama_and_stops_at_once(standin_image):
    from owui_lab.docker_api import labels

    docker = pytest.importorskip("docker")
    image = standin_image
    cli = docker.from_env()
    session = os.urandom(4).hex()
    made = []
    try:
        everywhere = cli.containers.run(
            image, ["python3", "-c", standins.source("ollama")], detach=True,
            name=f"owui-lab-{session}-standin-ollama-all", environment={"OLLAMA_HOST": "0.0.0.0"},
            labels=labels(session, "standin-test"),
        )
        made.append(everywhere)
        loopback = cli.containers.run(
            image, ["python3", "-c", standins.source("ollama")], detach=True,
            name=f"owui-lab-{session}-standin-ollama-lo", labels=labels(session, "standin-test"),
        )
        made.append(loopback)
        for container in made:
            deadline = time.monotonic() + 20
            while "listening on" not in container.logs().decode() and time.monotonic() < deadline:
                time.sleep(0.1)
            container.reload()
        logs = everywhere.logs().decode()
        assert "listening on [::]:11434" in logs, logs  # dual-stack, as Go binds 0.0.0.0
        assert "listening on 127.0.0.1:11434" in loopback.logs().decode()
        address = everywhere.attrs["NetworkSettings"]["IPAddress"]
        status, _, body = request(address, 11434, "GET", "/api/tags")
        assert status == 200 and json.loads(body)["models"][0]["name"] == MODEL
        status, _, body = request(address, 11434, "POST", "/api/chat", {"model": MODEL, "stream": False,
                                  "messages": [{"role": "user", "content": "from the host"}]})
        assert json.loads(body)["message"]["content"] == "from the host"
        # Requests from the host arrive from the bridge's gateway (docker0): the log says so.
        gateway = everywhere.attrs["NetworkSettings"]["Gateway"]
        deadline = time.monotonic() + 5  # the line is written just after the answer is sent
        while True:
            chat_lines = [x for x in everywhere.logs().decode().splitlines() if '"/api/chat"' in x]
            if chat_lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert chat_lines and gateway in chat_lines[-1], chat_lines
        # The default OLLAMA_HOST is loopback: from outside the container, nothing listens.
        assert not connects(loopback.attrs["NetworkSettings"]["IPAddress"], 11434)
        for container in made:
            started = time.monotonic()
            container.stop(timeout=10)
            seconds = time.monotonic() - started
            container.reload()
            print(f"\ndocker stop of the stand-in Ollama took {seconds * 1000:.0f} ms "
                  f"(exit code {container.attrs['State']['ExitCode']})")
            # Exit code 0, not 137: SIGTERM stopped it, no SIGKILL was needed. The time includes the
            # daemon's own work (other tests share it), hence the generous bound.
            assert container.attrs["State"]["ExitCode"] == 0
            assert seconds < 5, f"docker stop took {seconds:.2f} s"
    finally:
        for container in made:
            try:
                container.remove(force=True)
            except docker.errors.NotFound:
                pass
        cli.close()



def test_a_stand_in_that_could_not_even_write_why_is_said(monkeypatch, tmp_path):
    """A full disk under the state folder: the stand-in dies without a word in its log; the error says
    the disk is full instead of 'read the reason above' with no reason (issue 25)."""
    import shutil
    from collections import namedtuple

    silent = shutil.which("false")
    with pytest.raises(LabError) as caught:
        standins.spawn("ollama", [], python=silent, log=tmp_path / "a.log")
    assert "reason above" not in caught.value.hint and "a.log" in caught.value.hint
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 0))
    with pytest.raises(LabError, match="is full") as caught:
        standins.spawn("ollama", [], python=silent, log=tmp_path / "b.log")
    assert "OWUI_LAB_STATE_DIR" in caught.value.hint
