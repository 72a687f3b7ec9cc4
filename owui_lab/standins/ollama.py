#!/usr/bin/env python3
"""A stand-in Ollama: the real thing's network behaviour and HTTP API, with a tiny echo model.

Run it as ``python3 ollama.py [--bind ADDR] [--port N]`` (or ``owui-lab standin ollama``). It binds
exactly where a real Ollama binds for the same ``OLLAMA_HOST`` (default ``127.0.0.1:11434``; see
``parse_ollama_host``), so a learner can practise every Docker networking mistake without a GPU or
a 5 GB download. It answers the endpoints Open WebUI and the official ``ollama`` client call:

- ``GET|HEAD /`` → ``Ollama is running``; ``GET /api/version``; ``GET /api/tags``; ``GET /api/ps``;
  ``POST /api/show``; ``GET /v1/models``;
- ``POST /api/chat`` and ``POST /api/generate``: newline-delimited JSON streams (or one object with
  ``"stream": false``) with the same fields as Ollama (``done``, ``done_reason``, eval counts, ...);
- ``POST /v1/chat/completions``: the OpenAI-compatible endpoint, streamed as server-sent events or not.

Its one model, ``echo-standin:latest``, answers with the last user message, word for word: no
weights, fully deterministic. Every request is logged on stderr in Ollama's ``[GIN]`` format, with
the client's address, so a learner sees where a request came from (172.17.0.2 is a container).

SIGTERM and SIGINT stop it at once (well under a second). This file is self-contained, standard
library only, and runs on any python3 >= 3.9: the lab runs it as ``python3 -c SOURCE`` in an image
that has nothing else. Keep it that way.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys

VERSION = "0.12.6"  # the Ollama version the stand-in answers with (a real release's API)
MODEL = "echo-standin:latest"
DEFAULT_PORT = 11434
STANDIN_HEADER = "X-Ollama-Standin"  # lets a probe tell the stand-in from a real Ollama
# The kit's lab gives each stand-in a per-run token (environment OWUI_LAB_TOKEN), sent back on every
# answer: a lab's readiness wait and probe accept only their own lab's stand-in, never another's.
LAB_TOKEN_ENV = "OWUI_LAB_TOKEN"
LAB_TOKEN_HEADER = "X-Owui-Lab-Token"

# Fixed so that every answer is reproducible; a real Ollama reports when the model was pulled.
_MODIFIED_AT = "2026-01-01T00:00:00Z"
_DIGEST = "5d0e3c1b2a4f6e8d9c7b5a3f1e2d4c6b8a0f9e7d5c3b1a2f4e6d8c0b9a7f5e3d"
_SIZE = 4096
_DETAILS = {
    "parent_model": "",
    "format": "gguf",
    "family": "echo",
    "families": ["echo"],
    "parameter_size": "0B",
    "quantization_level": "none",
}
_CANNED = "Hello! I am echo-standin, a stand-in model: I answer with your last message, word for word."
_PORT_TEXT = re.compile(r"^[+-]?[0-9]+$")
# Safe on a laptop at a conference: a body larger than this is refused (413) before it is read, a
# connection idle this long is closed, and the listen queue holds a classroom's burst of requests.
MAX_BODY = 1024 * 1024  # bytes; chats with the echo model are a few kilobytes
IDLE_TIMEOUT = 30.0  # seconds a connection may wait for (the rest of) a request
LISTEN_BACKLOG = 1024  # the kernel caps it at net.core.somaxconn


# ---------------------------------------------------------------------------------------------
# OLLAMA_HOST, read as Ollama reads it (envconfig.Host() in ollama/envconfig/config.go)
# ---------------------------------------------------------------------------------------------
def parse_ollama_host(value: str | None) -> tuple[str, int]:
    """Read an ``OLLAMA_HOST`` value exactly as Ollama's ``envconfig.Host()`` does.

    No scheme means http with the default port 11434; ``http://`` changes the default port to 80 and
    ``https://`` to 443; a missing or unparsable port falls back to that default; ``:11434`` (no host)
    binds every address; an empty or unset value means ``127.0.0.1:11434``. Surrounding spaces and
    quotes are dropped, as Ollama's ``Var()`` drops them.

    Args:
        value: the variable's value, or None when it is unset.

    Returns:
        ``(host, port)``: the address Ollama binds ("" means every address, IPv6 without brackets)
        and the TCP port.
    """
    default_port = DEFAULT_PORT
    s = (value or "").strip().strip("\"'")
    scheme, sep, hostport = s.partition("://")
    if not sep:
        hostport = s
    elif scheme == "http":
        default_port = 80
    elif scheme == "https":
        default_port = 443
    hostport = hostport.split("/", 1)[0]
    host, port = _split_host_port(hostport)
    if host is None:
        host, port = "127.0.0.1", str(default_port)
        stripped = hostport.strip("[]")
        try:
            host = str(ipaddress.ip_address(stripped))
        except ValueError:
            if hostport:
                host = hostport
    number = int(port) if _PORT_TEXT.match(port) else -1
    if not 0 <= number <= 65535:
        number = default_port  # Ollama warns "invalid port, using default"
    return host, number


def _split_host_port(hostport: str) -> tuple[str | None, str]:
    """Go's ``net.SplitHostPort``: ``(None, "")`` when it would return an error."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not hostport[end + 1 :].startswith(":"):
            return None, ""
        host, port = hostport[1:end], hostport[end + 2 :]
        if "[" in host or "]" in port or "[" in port:
            return None, ""
        return host, port
    if hostport.count(":") != 1 or "[" in hostport or "]" in hostport:
        return None, ""
    host, _, port = hostport.partition(":")
    return host, port


def join_host_port(host: str, port: int) -> str:
    """``host:port`` as Go's ``net.JoinHostPort`` writes it (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind_address(host: str, port: int) -> tuple[int, str, bool]:
    """Where to bind a socket so that it listens where Go's ``net.Listen("tcp", host:port)`` would.

    Go listens on a wildcard address (``""``, ``0.0.0.0``, ``::``) with one dual-stack IPv6 socket
    (IPv4 arrives as ``::ffff:a.b.c.d``); on a name it listens on one of its addresses, IPv4 first.

    Args:
        host: the host part of ``parse_ollama_host``.
        port: the port.

    Returns:
        ``(family, address, dual_stack)`` for ``socket.socket(family)`` and ``bind((address, port))``.

    Raises:
        OSError: the name does not resolve (``socket.gaierror``).
    """
    import socket

    if host in ("", "0.0.0.0", "::"):
        return socket.AF_INET6, "::", True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
        infos.sort(key=lambda info: info[0] != socket.AF_INET)  # Go prefers IPv4 for a name
        return infos[0][0], infos[0][4][0], False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return family, str(ip), False


# ---------------------------------------------------------------------------------------------
# The model and the answers, in Ollama's shapes
# ---------------------------------------------------------------------------------------------
def _now() -> str:
    import datetime

    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
    return stamp.replace("+00:00", "Z")


def _later(seconds: float) -> str:
    import datetime

    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


def model_entry() -> dict:
    """The model as ``/api/tags`` lists it."""
    return {
        "name": MODEL,
        "model": MODEL,
        "modified_at": _MODIFIED_AT,
        "size": _SIZE,
        "digest": _DIGEST,
        "details": dict(_DETAILS),
    }


def known_model(name: object) -> bool:
    """Whether ``name`` names the stand-in's model (``echo-standin`` means ``:latest``, as in Ollama)."""
    if not isinstance(name, str) or not name:
        return False
    return name == MODEL or name + ":latest" == MODEL


def _text_of(content: object) -> str:
    """A message's text: Ollama sends a string, OpenAI clients may send a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict):
                raise HttpError(400, f"invalid content part {part!r}: each part must be an object with a \"type\"")
            if part.get("type") == "text":
                text = part.get("text")
                if not isinstance(text, str):
                    raise HttpError(400, f"invalid content part: a \"text\" part needs a string \"text\", "
                                         f"got {json_type(text)}")
                texts.append(text)
        return "".join(texts)
    return ""


def json_type(value: object) -> str:
    """The JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def reply_to(messages: object) -> str:
    """The echo model's answer: the last user message, or a canned line when there is none."""
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                text = _text_of(message.get("content"))
                return text if text.strip() else _CANNED
    return _CANNED


def tokens(text: str) -> list[str]:
    """Split text into the pieces a stream sends: words with their trailing spaces."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def _count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _final_fields(prompt_tokens: int, eval_tokens: int, started: float) -> dict:
    import time

    total = max(int((time.monotonic() - started) * 1e9), 1)
    return {
        "done_reason": "stop",
        "total_duration": total,
        "load_duration": 0,
        "prompt_eval_count": prompt_tokens,
        "prompt_eval_duration": total // 3,
        "eval_count": eval_tokens,
        "eval_duration": total - total // 3,
    }


def show_answer() -> dict:
    """``/api/show`` for the model, with the fields Ollama fills."""
    return {
        "license": "",
        "modelfile": f"# Modelfile generated by the stand-in Ollama\nFROM {MODEL}\n",
        "parameters": "",
        "template": "{{ .Prompt }}",
        "details": dict(_DETAILS),
        "model_info": {"general.architecture": "echo", "general.parameter_count": 0, "echo.context_length": 4096},
        "capabilities": ["completion"],
        "modified_at": _MODIFIED_AT,
    }


# ---------------------------------------------------------------------------------------------
# The HTTP server
# ---------------------------------------------------------------------------------------------
class HttpError(Exception):
    """An answer other than 200: a status and Ollama's ``{"error": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def build_server(family: int, address: str, port: int, dual_stack: bool, quiet: bool = False,
                 idle_timeout: float = IDLE_TIMEOUT, max_body: int = MAX_BODY):
    lab_token = os.environ.get(LAB_TOKEN_ENV, "")
    """A threaded HTTP server bound to ``(address, port)``; raises OSError when it cannot bind.

    ``http.server`` is imported here, not at the top: ``owui_lab.config`` imports this module for
    ``parse_ollama_host`` and must stay fast to import.
    """
    import json
    import socket
    import socketserver
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = {"loaded_until": 0.0}  # /api/ps lists the model for 5 minutes after its last use
    lock = __import__("threading").Lock()

    class Server(ThreadingHTTPServer):
        daemon_threads = True  # a stream in progress never holds up the exit
        block_on_close = False
        allow_reuse_address = True  # TIME_WAIT only: Linux still refuses a port someone listens on
        address_family = family
        request_queue_size = LISTEN_BACKLOG  # socketserver's 5 resets most of a burst of 200 clients

        def handle_error(self, request: object, client_address: tuple) -> None:
            # socketserver prints a whole traceback; a client that hangs up is not worth a line.
            exc = sys.exc_info()[1]
            if not isinstance(exc, ConnectionError):
                print(f"stand-in Ollama: error serving {client_address[0]}: {type(exc).__name__}: {exc}",
                      file=sys.stderr, flush=True)

        def server_bind(self) -> None:
            if dual_stack:
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            # HTTPServer.server_bind would call socket.getfqdn(): a DNS query nobody needs.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = address, self.server_address[1]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as Ollama serves them
        disable_nagle_algorithm = True  # as Go does; else headers then body wait ~40 ms for an ACK
        server_version = "ollama-standin/" + VERSION
        timeout = idle_timeout  # an idle (or stalled) connection is closed after this many seconds

        def version_string(self) -> str:
            return self.server_version

        # ---- plumbing ----
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            pass  # requests are logged by _log, in Ollama's format

        def _log(self, status: int, started: float) -> None:
            if quiet:
                return
            ms = (time.monotonic() - started) * 1000
            client = self.client_address[0]
            if client.startswith("::ffff:"):
                client = client[7:]  # an IPv4 client of a dual-stack socket
            stamp = time.strftime("%Y/%m/%d - %H:%M:%S")
            path = self.path.split("?", 1)[0]
            line = f'[GIN] {stamp} | {status:3d} | {ms:10.3f}ms | {client:>15} | {self.command:<8} "{path}"'
            try:
                print(line, file=sys.stderr, flush=True)
            except (OSError, ValueError):
                pass

        def _send(self, status: int, body: bytes, content_type: str, head: bool = False) -> None:
            self._responded = True
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header(STANDIN_HEADER, MODEL)
            if lab_token:
                self.send_header(LAB_TOKEN_HEADER, lab_token)
            self.end_headers()
            if not (head or self.command == "HEAD"):
                self.wfile.write(body)

        def _json(self, status: int, data: object) -> None:
            self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

        def _read_json(self) -> dict:
            body = self._read_body()
            if not body.strip():
                return {}
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise HttpError(400, f"invalid JSON in the request body: {exc}") from None
            if not isinstance(data, dict):
                raise HttpError(400, "the request body must be a JSON object")
            return data

        def _read_body(self) -> bytes:
            try:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    parts, total = [], 0
                    while True:
                        size = int(self.rfile.readline(64).split(b";", 1)[0].strip() or b"0", 16)
                        if size == 0:
                            for _ in range(100):  # trailers, a bounded number of bounded lines
                                if not self.rfile.readline(8192).strip():
                                    break
                            return b"".join(parts)
                        total += size
                        if size < 0 or total > max_body:
                            self._too_large()
                        parts.append(self.rfile.read(size))
                        self.rfile.readline(64)
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                self.close_connection = True  # where this body ends is anyone's guess
                raise HttpError(400, "malformed request body framing (Content-Length or chunk size)") from None
            if length > max_body:
                self._too_large()
            return self.rfile.read(length) if length > 0 else b""

        def _linger(self) -> None:
            """After a 413: let the client read it. Closing with its body still arriving would reset the
            connection, answer and all; so stop writing and discard what still comes, bounded in
            bytes and time (as web servers' "lingering close" does)."""
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                deadline, left = time.monotonic() + 2.0, 8 * max_body
                while left > 0 and time.monotonic() < deadline:
                    self.connection.settimeout(max(deadline - time.monotonic(), 0.01))
                    data = self.connection.recv(65536)
                    if not data:
                        break
                    left -= len(data)
            except OSError:
                pass

        def _too_large(self) -> None:
            self.close_connection = True  # the rest of the body is never read
            raise HttpError(413, f"request body too large: the stand-in Ollama accepts at most {max_body} bytes")

        def _start_stream(self, content_type: str) -> None:
            self._responded = True
            # HTTP/1.1 clients get chunks; an HTTP/1.0 client gets the body up to the connection's end.
            self._chunked = self.request_version == "HTTP/1.1"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if self._chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.send_header(STANDIN_HEADER, MODEL)
            if lab_token:
                self.send_header(LAB_TOKEN_HEADER, lab_token)
            self.end_headers()

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if self._chunked else data)
            self.wfile.flush()

        def _end_stream(self) -> None:
            if self._chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        # ---- dispatch ----
        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._dispatch(head=True)

        def do_GET(self) -> None:  # noqa: N802
            self._dispatch()

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch()

        def do_DELETE(self) -> None:  # noqa: N802
            self._dispatch()

        def _dispatch(self, head: bool = False) -> None:
            started = time.monotonic()
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            method = "GET" if head else self.command
            route = ROUTES.get((method, path))
            status = 200
            self._responded = False
            try:
                if route is None:
                    if method in ("POST", "DELETE") and path in UNSUPPORTED:
                        self._read_body()
                        raise HttpError(
                            501, f"the stand-in Ollama does not implement {path}: it has one built-in model, {MODEL}"
                        )
                    status = 404  # what Ollama's router (Gin) answers for an unknown route
                    self._send(404, b"404 page not found", "text/plain", head=head)
                    return
                route(self, head)
            except HttpError as exc:
                status = exc.status
                self._json(exc.status, {"error": str(exc)})
                if status == 413:
                    self._linger()
            except (BrokenPipeError, ConnectionResetError):
                status = 499  # the client went away mid-stream
                self.close_connection = True
            except Exception as exc:  # a stand-in bug: answer 500 rather than drop the connection
                status = 500
                self.close_connection = True
                if not self._responded:
                    self._json(500, {"error": f"stand-in Ollama: {type(exc).__name__}: {exc}"})
            finally:
                self._log(status, started)

        # ---- endpoints ----
        def root(self, head: bool) -> None:
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8", head=head)

        def version(self, head: bool) -> None:
            self._json(200, {"version": VERSION})

        def tags(self, head: bool) -> None:
            self._json(200, {"models": [model_entry()]})

        def ps(self, head: bool) -> None:
            with lock:
                loaded = time.time() < state["loaded_until"]
            models = []
            if loaded:
                entry = model_entry()
                entry.pop("modified_at")
                entry.update(expires_at=_later(state["loaded_until"] - time.time()), size_vram=0, context_length=4096)
                models.append(entry)
            self._json(200, {"models": models})

        def show(self, head: bool) -> None:
            request = self._read_json()
            name = request.get("model") or request.get("name")
            if not name:
                raise HttpError(400, "model is required")
            self._require(name)
            self._json(200, show_answer())

        def openai_models(self, head: bool) -> None:
            self._json(
                200,
                {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 1767225600, "owned_by": "library"}]},
            )

        def _require(self, name: object) -> None:
            if not name:
                raise HttpError(400, "model is required")
            if not known_model(name):
                raise HttpError(404, f"model '{name}' not found")

        def _touch(self) -> None:
            with lock:
                state["loaded_until"] = time.time() + 300

        def chat(self, head: bool) -> None:
            request = self._read_json()
            self._require(request.get("model"))
            self._touch()
            messages = request.get("messages") or []
            if not messages:
                # Ollama answers an empty chat by loading the model: one object, done_reason "load".
                self._json(200, {"model": request["model"], "created_at": _now(),
                                 "message": {"role": "assistant", "content": ""}, "done_reason": "load", "done": True})
                return
            prompt = " ".join(_text_of(m.get("content")) for m in messages if isinstance(m, dict))
            self._answer(request, reply_to(messages), prompt, lambda piece: {"message": {"role": "assistant", "content": piece}})

        def generate(self, head: bool) -> None:
            request = self._read_json()
            self._require(request.get("model"))
            self._touch()
            prompt = request.get("prompt")
            if not isinstance(prompt, str) or not prompt:
                self._json(200, {"model": request["model"], "created_at": _now(), "response": "",
                                 "done": True, "done_reason": "load"})
                return
            text = reply_to([{"role": "user", "content": prompt}])
            self._answer(request, text, prompt, lambda piece: {"response": piece}, context=True)

        def _answer(self, request: dict, text: str, prompt: str, shape, context: bool = False) -> None:
            started = time.monotonic()
            model = request["model"]
            final = _final_fields(_count(prompt), _count(text), started)
            if context:
                final["context"] = list(range(1, _count(prompt) + _count(text) + 1))
            if request.get("stream", True) is False:
                answer = {"model": model, "created_at": _now(), **shape(text), "done": True, **final}
                self._json(200, answer)
                return
            self._start_stream("application/x-ndjson")
            for piece in tokens(text):
                self._chunk(json.dumps({"model": model, "created_at": _now(), **shape(piece), "done": False}).encode() + b"\n")
            done = {"model": model, "created_at": _now(), **shape(""), "done": True,
                    **_final_fields(_count(prompt), _count(text), started)}
            if context:
                done["context"] = final["context"]
            self._chunk(json.dumps(done).encode() + b"\n")
            self._end_stream()

        def openai_chat(self, head: bool) -> None:
            request = self._read_json()
            model = request.get("model")
            if not known_model(model):
                raise HttpError(404, f"model '{model}' not found")
            self._touch()
            messages = request.get("messages") or []
            text = reply_to(messages)
            prompt_tokens = sum(_count(_text_of(m.get("content"))) for m in messages if isinstance(m, dict))
            ident = "chatcmpl-%d" % (int(time.time() * 1000) % 1000)
            created = int(time.time())
            base = {"id": ident, "created": created, "model": model, "system_fingerprint": "fp_ollama"}
            usage = {"prompt_tokens": prompt_tokens, "completion_tokens": _count(text),
                     "total_tokens": prompt_tokens + _count(text)}
            if not request.get("stream"):
                self._json(200, {**base, "object": "chat.completion", "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": usage})
                return
            self._start_stream("text/event-stream")

            def event(delta: dict, finish: object) -> None:
                chunk = {**base, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self._chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

            for piece in tokens(text):
                event({"role": "assistant", "content": piece}, None)
            event({"role": "assistant", "content": ""}, "stop")
            self._chunk(b"data: [DONE]\n\n")
            self._end_stream()

    ROUTES = {
        ("GET", "/"): Handler.root,
        ("GET", "/api/version"): Handler.version,
        ("GET", "/api/tags"): Handler.tags,
        ("GET", "/api/ps"): Handler.ps,
        ("POST", "/api/show"): Handler.show,
        ("POST", "/api/chat"): Handler.chat,
        ("POST", "/api/generate"): Handler.generate,
        ("GET", "/v1/models"): Handler.openai_models,
        ("POST", "/v1/chat/completions"): Handler.openai_chat,
    }
    UNSUPPORTED = {"/api/pull", "/api/push", "/api/create", "/api/copy", "/api/delete", "/api/embed",
                   "/api/embeddings", "/v1/embeddings", "/v1/completions"}

    return Server((address, port), Handler)


def listen_error(exc: OSError, where: str) -> str:
    """One line saying why the stand-in cannot listen, and what to do."""
    import errno
    import socket

    if isinstance(exc, socket.gaierror):
        return (f"stand-in Ollama: cannot listen on {where}: the name does not resolve ({exc.strerror}); "
                "set OLLAMA_HOST or --bind to an IP address such as 127.0.0.1 or 0.0.0.0.")
    if exc.errno == errno.EADDRINUSE:
        return (f"stand-in Ollama: cannot listen on {where}: address already in use (another Ollama, real or "
                "stand-in, may be running); stop it or choose another port with --port N or OLLAMA_HOST.")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"stand-in Ollama: cannot listen on {where}: that address is not one of this machine's "
                "(cannot assign requested address); use 127.0.0.1, 0.0.0.0 or an address this machine has.")
    if exc.errno == errno.EACCES:
        return (f"stand-in Ollama: cannot listen on {where}: permission denied (ports below 1024 need root); "
                "choose a port from 1024 up, for example the default 11434.")
    return f"stand-in Ollama: cannot listen on {where}: {exc.strerror or exc}."


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, bind like Ollama, serve until SIGTERM/SIGINT. Returns the exit status."""
    import argparse
    import signal
    import socket
    import threading

    # First thing: a SIGTERM/SIGINT from now on stops us cleanly, even one sent while we bind.
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()  # only set a flag: shutdown() from here would wait on the loop it interrupts

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    parser = argparse.ArgumentParser(
        prog="ollama-standin",
        description=f"A stand-in Ollama (model {MODEL}, an echo): binds like Ollama, answers its API.",
    )
    parser.add_argument("--bind", metavar="ADDR",
                        help="an OLLAMA_HOST value (default: $OLLAMA_HOST, else 127.0.0.1:11434)")
    parser.add_argument("--port", metavar="N", type=int, help="override the port (0 picks a free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests on stderr")
    parser.add_argument("--idle-timeout", metavar="S", type=float, default=IDLE_TIMEOUT,
                        help=f"close a connection idle this many seconds (default {IDLE_TIMEOUT:g})")
    args = parser.parse_args(argv)
    if not 0 < args.idle_timeout <= 3600:
        parser.error(f"--idle-timeout {args.idle_timeout:g} must be more than 0 and at most 3600 seconds")
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a TCP port (0 to 65535)")
    value = args.bind if args.bind is not None else os.environ.get("OLLAMA_HOST")
    host, port = parse_ollama_host(value)
    if args.port is not None:
        port = args.port
    where = join_host_port(host or "0.0.0.0", port)
    try:
        family, address, dual_stack = bind_address(host, port)
        try:
            server = build_server(family, address, port, dual_stack, quiet=args.quiet,
                                  idle_timeout=args.idle_timeout)
        except OSError as exc:
            if not dual_stack or exc.errno == __import__("errno").EADDRINUSE:
                raise
            # No IPv6 at all here (a kernel without it): every IPv4 address is what Go would give too.
            server = build_server(socket.AF_INET, "0.0.0.0", port, False, quiet=args.quiet,
                                  idle_timeout=args.idle_timeout)
    except OSError as exc:
        print(listen_error(exc, where), file=sys.stderr, flush=True)
        return 1

    bound = server.server_address
    shown = join_host_port(bound[0], bound[1])
    print(f"stand-in Ollama ({MODEL}) listening on {shown} (version {VERSION})", file=sys.stderr, flush=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    while not stop.wait(3600):
        pass
    if __name__ == "__main__":
        # Run as a script (or python3 -c), the process ends here: closing the listening socket and
        # leaving at once is the whole teardown (the kernel closes open connections). A graceful
        # shutdown() adds up to a poll interval and the interpreter's finalisation, about 0.1 s.
        server.socket.close()
        sys.stderr.flush()
        os._exit(0)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
