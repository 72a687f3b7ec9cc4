#!/usr/bin/env python3
"""A stand-in Open WebUI: its port, its health check, its Ollama URLs, and a probe of them.

Three subcommands:

- ``python3 webui.py serve [--host ADDR] [--port N] [--probe-relay]`` listens on ``$HOST:$PORT``
  (default ``127.0.0.1:8080``: this machine only; the real image's start script says ``0.0.0.0``,
  which in a container is what ``--host 0.0.0.0`` or ``--image`` give) and answers ``GET /health`` with
  ``{"status": true}`` (the image's HEALTHCHECK) and ``GET /`` with a small page. With
  ``--probe-relay`` (or ``OWUI_LAB_PROBE_RELAY=1``: the kit's lab sets it in its own containers) it
  also answers ``GET /probe[?url=U&url=V&timeout=S]`` with the probe below, run from inside the
  network namespace the server lives in (exactly where the real Open WebUI's backend would connect
  from), and only of its configured Ollama URLs: it relays nothing else for anyone. Off, ``/probe``
  answers 403; a URL that is not configured is a 403 too. Connections are served by at most
  ``MAX_CONNECTIONS`` threads and probes by ``PROBE_SLOTS`` at a time (then 503), and a connection
  idle ``IDLE_TIMEOUT`` seconds is closed.
- ``python3 webui.py probe [--timeout S] [URL ...]`` runs the probe once and prints exactly one JSON
  object on stdout (nothing else), for ``docker run ... python3 -c SOURCE probe URL``.
- ``python3 webui.py save URL ...`` saves Ollama URLs in ``$DATA_DIR/webui.db`` as Open WebUI does
  (its ``config`` table): from then on they win over the environment, as in Open WebUI with
  ``ENABLE_PERSISTENT_CONFIG`` on (``saved_ollama_urls``).

Without URLs both probe the URLs Open WebUI would use, read from the environment as Open WebUI
0.12's ``config.py`` reads them (``ollama_urls``): ``OLLAMA_BASE_URLS`` (``;``-separated) wins over
``OLLAMA_BASE_URL``; the image's defaults (``ENV=prod``, ``OLLAMA_BASE_URL=/ollama``) turn into
``http://host.docker.internal:11434``.

The probe asks each URL's ``/api/version`` (in parallel, within a bounded time, 3 s by default) and
classifies what happened the way the reachability engine names its failing step:

- ``ok``: Ollama answered (200 and a JSON ``version``);
- ``name_not_resolved``: the host name does not resolve here (``socket.gaierror``), or resolving it
  did not finish in time;
- ``connection_refused``: the address answered but nothing Ollama listens there: a refused
  connection (RST); errno 99 "cannot assign requested address" (``localhost`` → ``::1`` in a bridged
  container without IPv6, before ``127.0.0.1`` is refused); a connection accepted and then closed
  without an HTTP answer (Docker's userland proxy does that when nothing listens behind a published
  port); or an HTTP answer that is not Ollama's (for example Open WebUI itself on 8080): the
  ``detail`` says which;
- ``unreachable``: no answer at all: the connection timed out, ``EHOSTUNREACH``/``ENETUNREACH``,
  a connection that never gets an HTTP answer in time, or a URL Open WebUI could not use at all
  (no ``http://``; the detail says "invalid URL").

Each result is ``{"url", "outcome", "detail", "seconds", "addresses"}`` (``addresses``: what the
name resolved to, in order). SIGTERM and SIGINT stop the server at once. Self-contained, standard
library only, any python3 >= 3.9: it runs as ``python3 -c SOURCE`` in an image with nothing else.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import threading
import time

OUTCOMES = ("ok", "name_not_resolved", "connection_refused", "unreachable")
DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 60.0
DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = "/app/backend/data"  # the image's DATA_DIR, where webui.db lives
DEFAULT_HOST = "127.0.0.1"  # this machine only; --host 0.0.0.0 (or $HOST) listens on every address
PROBE_RELAY_ENV = "OWUI_LAB_PROBE_RELAY"  # "1": GET /probe relays probes of the configured Ollama URLs
MAX_CONNECTIONS = 64  # threads serving connections at once; one more is answered 503 and closed
PROBE_SLOTS = 4  # /probe requests running at once; one more is answered 503
IDLE_TIMEOUT = 30.0  # seconds a connection may wait for (the rest of) a request
HEADER_TIMEOUT = 10.0  # seconds a request's head (request line and headers) may take to arrive, in all
MAX_WAITING = 512  # connections waiting for a request head at once; the oldest goes when one more comes
MAX_HEAD = 64 * 1024  # bytes of request line and headers (http.server refuses longer lines anyway)
OLLAMA_STANDIN_HEADER = "X-Ollama-Standin"
LAB_TOKEN_ENV = "OWUI_LAB_TOKEN"  # the kit's lab: a per-run token its stand-ins send back (see ollama.py)
LAB_TOKEN_HEADER = "X-Owui-Lab-Token"
_REFUSED_ERRNOS = {errno.ECONNREFUSED, errno.EADDRNOTAVAIL}
_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EHOSTDOWN, errno.ENETDOWN}


# ---------------------------------------------------------------------------------------------
# The URLs Open WebUI would use
# ---------------------------------------------------------------------------------------------
def ollama_urls(environ: dict | None = None) -> list[str]:
    """The Ollama URLs Open WebUI 0.12 reads from its environment, in order.

    Mirrors ``open_webui/config.py``: ``OLLAMA_BASE_URL`` loses one trailing slash; when empty, the
    legacy ``OLLAMA_API_BASE_URL`` (minus ``/api``) is used; in the image (``ENV=prod``) the
    Dockerfile's ``/ollama`` becomes ``http://host.docker.internal:11434`` (``http://localhost:11434``
    with ``USE_OLLAMA_DOCKER=true``); ``OLLAMA_BASE_URLS``, split on ``;`` and stripped of spaces,
    wins when set. The image's defaults (``ENV=prod``, ``OLLAMA_BASE_URL=/ollama``) apply to variables
    that are unset, since this stand-in plays the image. Not mirrored: 0.12's start-up fallback from
    port 11434 to 12434 when no URL was given and 11434 does not answer.

    Args:
        environ: the environment (default ``os.environ``).

    Returns:
        The URLs, as Open WebUI would hold them.
    """
    env = os.environ if environ is None else environ
    base = env.get("OLLAMA_BASE_URL", "/ollama")
    if base.endswith("/"):
        base = base[:-1]
    api_base = env.get("OLLAMA_API_BASE_URL", "http://localhost:11434/api")
    if base == "" and api_base != "":
        base = api_base[:-4] if api_base.endswith("/api") else api_base
    if env.get("ENV", "prod") == "prod":
        k8s = env.get("K8S_FLAG", "")
        if base == "/ollama" and not k8s:
            if env.get("USE_OLLAMA_DOCKER", "false").lower() == "true":
                base = "http://localhost:11434"
            else:
                base = "http://host.docker.internal:11434"
        elif k8s:
            base = "http://ollama-service.open-webui.svc.cluster.local:11434"
    urls = env.get("OLLAMA_BASE_URLS", "") or base
    saved = saved_ollama_urls(env)
    if saved:  # Open WebUI saved them at an earlier start: they win over the environment
        return saved
    return [url.strip() for url in urls.split(";")]


def _database(env) -> str:  # noqa: ANN001
    return os.path.join(env.get("DATA_DIR") or DEFAULT_DATA_DIR, "webui.db")


def saved_ollama_urls(environ: dict | None = None) -> list[str] | None:
    """The Ollama URLs saved in ``$DATA_DIR/webui.db``, which Open WebUI 0.12 uses over its environment.

    As Open WebUI with ``ENABLE_PERSISTENT_CONFIG`` on (its default): the ``config`` table's
    ``ollama.base_urls`` row (a JSON list), written at the first start and by Admin → Settings →
    Connections, is read back at every later start. Off (``false``), the environment alone counts.
    None when nothing is saved (a fresh volume) or persistence is off.
    """
    import sqlite3

    env = os.environ if environ is None else environ
    path = _database(env)
    if env.get("ENABLE_PERSISTENT_CONFIG", "true").strip().lower() == "false" or not os.path.exists(path):
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM config WHERE key = ?", ("ollama.base_urls",)).fetchone()
    except sqlite3.Error:
        return None
    try:
        urls = json.loads(row[0]) if row else None
    except ValueError:
        return None
    return [str(u) for u in urls] if isinstance(urls, list) and urls else None


def save_ollama_urls(urls: list[str], environ: dict | None = None) -> str:
    """Save Ollama URLs as Open WebUI does (Admin → Settings → Connections); returns the database's path."""
    import sqlite3

    path = _database(os.environ if environ is None else environ)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)", ("ollama.base_urls", json.dumps(urls)))
    return path


# ---------------------------------------------------------------------------------------------
# The probe
# ---------------------------------------------------------------------------------------------
class _Attempt:
    """One URL's probe, updated by its thread so that a late one can still be classified."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.phase = "resolve"  # resolve → connect → http
        self.addresses: list[str] = []
        self.result: dict | None = None
        self.where = ""


def _join(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"[Errno {exc.errno}] {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


def _run_attempt(attempt: _Attempt, deadline: float) -> None:
    """Resolve, connect, ask ``/api/version``; store the classified result on ``attempt``."""
    from urllib.parse import urlsplit

    def done(outcome: str, detail: str) -> None:
        attempt.result = {"outcome": outcome, "detail": detail}

    url = attempt.url
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        return done("unreachable", f"invalid URL {url!r}: {exc}; Open WebUI cannot connect to it")
    if parts.scheme not in ("http", "https") or not host:
        return done("unreachable", f"invalid URL {url!r}: it must start with http:// and name a host, "
                                   "e.g. http://host.docker.internal:11434")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return done("name_not_resolved", f"{host}: the name does not resolve here ({exc.strerror})")
    except UnicodeError as exc:
        return done("name_not_resolved", f"{host}: not a valid host name ({exc})")
    # getaddrinfo repeats each address per protocol on some systems; keep the first of each.
    seen, candidates = set(), []
    for family, kind, proto, _, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.add(sockaddr[0])
            candidates.append((family, kind, proto, sockaddr))
    attempt.addresses = [c[3][0] for c in candidates]
    attempt.phase = "connect"
    failures: list[tuple[str, str, str]] = []  # (address, kind, description)
    sock = None
    for family, kind, proto, sockaddr in candidates:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failures.append((sockaddr[0], "timeout", "timed out"))
            break
        s = socket.socket(family, kind, proto)
        s.settimeout(remaining)
        try:
            s.connect(sockaddr)
        except OSError as exc:
            s.close()
            if isinstance(exc, socket.timeout):
                failures.append((sockaddr[0], "timeout", "timed out"))
            elif exc.errno in _REFUSED_ERRNOS:
                failures.append((sockaddr[0], "refused", _describe(exc)))
            else:
                failures.append((sockaddr[0], "unreachable", _describe(exc)))
            continue
        sock = s
        break
    tried = "; ".join(f"{_join(address, port)} {text}" for address, _, text in failures)
    if sock is None:
        if any(kind == "refused" for _, kind, _ in failures):
            return done("connection_refused", f"nothing listens at {_join(host, port)} ({tried})")
        return done("unreachable", f"no answer from {_join(host, port)} ({tried})")
    attempt.where = where = _join(sock.getpeername()[0], port)
    attempt.phase = "http"
    try:
        status, headers, body = _get_version(sock, parts.scheme, host, port, url, deadline)
    except (socket.timeout, TimeoutError):
        return done("unreachable", f"connected to {where}, but no HTTP answer came in time")
    except OSError as exc:
        if exc.errno in _UNREACHABLE_ERRNOS:
            return done("unreachable", f"connected to {where}, then {_describe(exc)}")
        return done("connection_refused", f"connected to {where}, but it closed the connection "
                                          f"without an HTTP answer ({_describe(exc)}): nothing Ollama listens there")
    except Exception as exc:  # http.client's RemoteDisconnected, BadStatusLine, ...
        return done("connection_refused", f"connected to {where}, but the answer is not HTTP "
                                          f"({_describe(exc)}): nothing Ollama listens there")
    finally:
        sock.close()
    version = None
    if status == 200:
        try:
            data = json.loads(body.decode("utf-8", "replace"))
            if isinstance(data, dict) and isinstance(data.get("version"), str):
                version = data["version"]
        except ValueError:
            pass
    if version is None:
        snippet = body[:80].decode("utf-8", "replace").replace("\n", " ").strip()
        return done("connection_refused", f"something answers at {where}, but it is not Ollama: "
                                          f"GET /api/version gave HTTP {status} {snippet!r}")
    who = "the stand-in Ollama" if headers.get(OLLAMA_STANDIN_HEADER.lower()) else "Ollama"
    tail = f" (first tried: {tried})" if failures else ""
    done("ok", f"{who} {version} answered GET /api/version from {where}{tail}")
    token = headers.get(LAB_TOKEN_HEADER.lower())
    if token:
        attempt.result["lab_token"] = token  # which lab's stand-in answered (the lab checks it is its own)
    return None


def _get_version(sock, scheme: str, host: str, port: int, url: str, deadline: float):
    """``GET <url>/api/version`` on a connected socket: (status, lower-case headers, body)."""
    import http.client

    sock.settimeout(max(deadline - time.monotonic(), 0.001))
    if scheme == "https":
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # only "does Ollama answer?", not a trust decision
        sock = context.wrap_socket(sock, server_hostname=host)
    conn = http.client.HTTPConnection(host, port)
    conn.sock = sock  # already connected to the address we chose; no second resolution
    # Open WebUI appends the path to the configured URL as text, so does the probe.
    from urllib.parse import urlsplit

    base_path = urlsplit(url).path
    conn.request("GET", f"{base_path}/api/version", headers={"Accept": "application/json"})
    response = conn.getresponse()
    body = response.read(65536)
    headers = {k.lower(): v for k, v in response.getheaders()}
    return response.status, headers, body


def probe(urls: list[str], timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Probe each URL's ``/api/version`` in parallel, within ``timeout`` seconds for all of them.

    Args:
        urls: the URLs, as Open WebUI holds them (``http://host:port``).
        timeout: the time budget in seconds (a probe still resolving or connecting then is
            classified by where it is stuck).

    Returns:
        ``{"results": [{"url", "outcome", "detail", "seconds", "addresses"}, ...]}`` in the order given.
    """
    started = time.monotonic()
    deadline = started + timeout
    attempts = [_Attempt(url) for url in urls]
    finished = {}

    def run(attempt: _Attempt) -> None:
        try:
            _run_attempt(attempt, deadline)
        except Exception as exc:  # a bug must still yield one JSON object
            attempt.result = {"outcome": "unreachable", "detail": f"probe error: {_describe(exc)}"}
        finished[id(attempt)] = time.monotonic() - started

    threads = [threading.Thread(target=run, args=(a,), daemon=True) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A little grace past the deadline: socket timeouts fire at it, not before.
        thread.join(max(deadline + 0.25 - time.monotonic(), 0))
    results = []
    for attempt in attempts:
        result = attempt.result
        if result is None:
            if attempt.phase == "resolve":
                result = {"outcome": "name_not_resolved",
                          "detail": f"resolving the name did not finish within {timeout:g} s"}
            elif attempt.phase == "connect":
                result = {"outcome": "unreachable", "detail": f"no answer to the connection within {timeout:g} s"}
            else:
                result = {"outcome": "unreachable",
                          "detail": f"connected to {attempt.where}, but no HTTP answer within {timeout:g} s"}
        seconds = finished.get(id(attempt), time.monotonic() - started)
        entry = {"url": attempt.url, "outcome": result["outcome"], "detail": result["detail"],
                 "seconds": round(seconds, 3), "addresses": attempt.addresses}
        if result.get("lab_token"):
            entry["lab_token"] = result["lab_token"]
        results.append(entry)
    return {"results": results}


def parse_timeout(text: object) -> float:
    """A probe timeout in seconds, from text; ValueError with a clear message when it is not one."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"timeout {text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT:
        raise ValueError(f"timeout {text!r} must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return value


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Open WebUI (stand-in)</title></head>
<body style="font-family:sans-serif"><h1>Open WebUI (stand-in)</h1>
<p>Your browser reached Open WebUI. Its backend, not your browser, connects to Ollama at:</p>
<ul>{items}</ul><p>See <a href="/probe">/probe</a> for what it finds from inside its own network namespace.</p>
</body></html>"""


def relay_enabled(environ: dict | None = None) -> bool:
    """Whether ``GET /probe`` relays probes (``OWUI_LAB_PROBE_RELAY=1``, set by the kit's lab)."""
    env = os.environ if environ is None else environ
    return env.get(PROBE_RELAY_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class _Gate:
    """Waits for each connection's whole request head without a thread of its own (one selector).

    A client that trickles its headers (slowloris) or sends nothing holds only a socket here, never
    one of the server's bounded threads: a head must arrive within ``HEADER_TIMEOUT`` seconds in all
    (``idle_timeout`` when shorter), and at most ``MAX_WAITING`` connections wait at once (the
    oldest is closed first). A complete head goes to ``ready(sock, address, head_bytes)``.
    """

    def __init__(self, ready, timeout: float) -> None:  # noqa: ANN001
        import selectors

        self.ready, self.timeout = ready, timeout
        self.selector = selectors.DefaultSelector()
        self.waiting: dict = {}  # socket -> [address, bytes so far, deadline]
        self.incoming: list = []
        self.lock = threading.Lock()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.stopped = False
        threading.Thread(target=self._run, daemon=True, name="head-gate").start()

    def add(self, sock, address) -> None:  # noqa: ANN001
        with self.lock:
            self.incoming.append((sock, address))
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    def stop(self) -> None:
        self.stopped = True
        self.add(None, None)

    def _drop(self, sock) -> None:  # noqa: ANN001
        self.waiting.pop(sock, None)
        try:
            self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass
        try:
            sock.close()
        except OSError:
            pass

    def _run(self) -> None:
        import selectors

        while not self.stopped:
            now = time.monotonic()
            soonest = min((w[2] for w in self.waiting.values()), default=now + 1)
            for key, _ in self.selector.select(max(0.0, min(soonest - now, 1.0))):
                sock = key.fileobj
                if sock is self.wake_r:
                    try:
                        while self.wake_r.recv(4096):
                            pass
                    except OSError:
                        pass
                    continue
                entry = self.waiting.get(sock)
                try:
                    chunk = sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk or entry is None:
                    self._drop(sock)
                    continue
                entry[1] += chunk
                if b"\r\n\r\n" in entry[1] or b"\n\n" in entry[1] or len(entry[1]) > MAX_HEAD:
                    self.selector.unregister(sock)
                    del self.waiting[sock]
                    sock.setblocking(True)
                    self.ready(sock, entry[0], bytes(entry[1]))
            with self.lock:
                incoming, self.incoming = self.incoming, []
            for sock, address in incoming:
                if sock is None:
                    continue
                while len(self.waiting) >= MAX_WAITING:
                    self._drop(next(iter(self.waiting)))  # the oldest waiter goes first
                sock.setblocking(False)
                self.waiting[sock] = [address, bytearray(), time.monotonic() + self.timeout]
                self.selector.register(sock, selectors.EVENT_READ)
            now = time.monotonic()
            for sock in [k for k, w in self.waiting.items() if w[2] <= now]:
                self._drop(sock)  # no whole request head in time: closed, as uvicorn does
        for sock in list(self.waiting):
            self._drop(sock)


class _Prefixed:
    """A socket's reader that first gives back the bytes the gate already read (the request head)."""

    def __init__(self, head: bytes, rest) -> None:  # noqa: ANN001
        import io

        self.head, self.rest = io.BytesIO(head), rest

    def readline(self, limit: int = -1) -> bytes:
        line = self.head.readline(limit)
        if line.endswith(b"\n") or (limit >= 0 and len(line) >= limit):
            return line
        return line + self.rest.readline(-1 if limit < 0 else limit - len(line))

    def read(self, size: int = -1) -> bytes:
        data = self.head.read(size)
        if size < 0:
            return data + self.rest.read()
        return data + (self.rest.read(size - len(data)) if len(data) < size else b"")

    def close(self) -> None:
        self.rest.close()


def build_server(host: str, port: int, quiet: bool = False, probe_relay: bool | None = None,
                 idle_timeout: float = IDLE_TIMEOUT, max_connections: int = MAX_CONNECTIONS):
    """A threaded HTTP server for the stand-in Open WebUI; raises OSError when it cannot bind.

    ``probe_relay`` (default: ``relay_enabled()``) turns on ``GET /probe``, for the configured
    Ollama URLs only. Threads are bounded: ``max_connections`` connections and ``PROBE_SLOTS``
    probes at once; beyond that the answer is 503. A connection gets a thread only once its whole
    request head has arrived (``_Gate``): slow or silent clients cannot take the threads from others.
    One request a connection (``Connection: close``), so no thread waits on a kept-alive socket.
    """
    lab_token = os.environ.get(LAB_TOKEN_ENV, "")
    relay = relay_enabled() if probe_relay is None else probe_relay
    connection_slots = threading.BoundedSemaphore(max_connections)
    probe_slots = threading.BoundedSemaphore(PROBE_SLOTS)
    busy_body = b'{"detail": "the stand-in Open WebUI is busy: try again shortly"}'
    busy = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(busy_body), busy_body))
    import html
    import socketserver
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        block_on_close = False
        allow_reuse_address = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        def handle_error(self, request: object, client_address: tuple) -> None:
            # socketserver prints a whole traceback; a client that hangs up is not worth a line.
            exc = sys.exc_info()[1]
            if not isinstance(exc, ConnectionError):
                print(f"stand-in Open WebUI: error serving {client_address[0]}: {type(exc).__name__}: {exc}",
                      file=sys.stderr, flush=True)

        def server_bind(self) -> None:
            # HTTPServer.server_bind would call socket.getfqdn(): a DNS query nobody needs.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = host, self.server_address[1]

        def process_request(self, request, client_address) -> None:  # noqa: ANN001
            self.gate.add(request, client_address)  # a thread only once its request head is whole

        def server_close(self) -> None:
            if getattr(self, "gate", None) is not None:  # not yet made when the bind failed
                self.gate.stop()
            super().server_close()

        def head_ready(self, request, client_address, head: bytes) -> None:  # noqa: ANN001
            self.heads[request] = head
            if not connection_slots.acquire(blocking=False):
                # Every thread is busy: answer at once from the accepting thread, start none.
                try:
                    request.settimeout(1)
                    request.sendall(busy)
                except OSError:
                    pass
                self.shutdown_request(request)
                return
            try:
                super().process_request(request, client_address)
            except BaseException:
                connection_slots.release()  # no thread started (out of threads): give the slot back
                self.heads.pop(request, None)
                self.shutdown_request(request)

        def process_request_thread(self, request, client_address) -> None:  # noqa: ANN001
            try:
                super().process_request_thread(request, client_address)
            finally:
                self.heads.pop(request, None)
                connection_slots.release()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers then body wait ~40 ms for a delayed ACK
        server_version = "uvicorn"  # what the real one says; the page says it is a stand-in
        timeout = idle_timeout  # an idle (or stalled) connection is closed after this many seconds

        def version_string(self) -> str:
            return self.server_version

        def setup(self) -> None:
            super().setup()
            self.rfile = _Prefixed(self.server.heads.get(self.request, b""), self.rfile)

        def handle(self) -> None:
            self.close_connection = True
            self.handle_one_request()  # one request a connection: a thread never waits on keep-alive

        def end_headers(self) -> None:
            if self.command:
                self.send_header("Connection", "close")
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if lab_token:
                self.send_header(LAB_TOKEN_HEADER, lab_token)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            if not quiet:
                client = f"{self.client_address[0]}:{self.client_address[1]}"
                line = f'INFO:     {client} - "{self.command} {self.path} HTTP/1.1" {status}'
                try:
                    print(line, file=sys.stderr, flush=True)
                except (OSError, ValueError):
                    pass

        def _json(self, status: int, data: object) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def _probe(self, query_text: str) -> None:
            if not relay:
                self._json(403, {"detail": "the probe relay is off: start the stand-in with --probe-relay "
                                           f"(or {PROBE_RELAY_ENV}=1) to let GET /probe test its Ollama URLs"})
                return
            query = parse_qs(query_text)
            try:
                timeout = parse_timeout(query["timeout"][-1]) if "timeout" in query else DEFAULT_TIMEOUT
            except ValueError as exc:
                self._json(400, {"detail": str(exc)})
                return
            configured = ollama_urls()
            urls = list(dict.fromkeys(query.get("url") or configured))
            allowed = {u.rstrip("/") for u in configured}
            others = [u for u in urls if u.rstrip("/") not in allowed]
            if others:
                self._json(403, {"detail": f"GET /probe tests only this Open WebUI's Ollama URLs "
                                           f"({'; '.join(configured)}), not {others[0][:200]!r}"})
                return
            if not probe_slots.acquire(blocking=False):
                self._json(503, {"detail": f"{PROBE_SLOTS} probes are already running: try again shortly"})
                return
            try:
                self._json(200, probe(urls, timeout))
            finally:
                probe_slots.release()

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/") or "/"
            if path in ("/health", "/health/db"):
                self._json(200, {"status": True})
            elif path == "/probe":
                self._probe(parts.query)
            elif path == "/":
                items = "".join(f"<li><code>{html.escape(u)}</code></li>" for u in ollama_urls())
                self._send(200, _PAGE.format(items=items).encode(), "text/html; charset=utf-8")
            else:
                self._json(404, {"detail": "Not Found"})

    server = Server((host, port), Handler)
    server.heads = {}
    server.gate = _Gate(server.head_ready, min(idle_timeout, HEADER_TIMEOUT))
    return server


def _serve(host: str, port: int, quiet: bool, probe_relay: bool | None = None) -> int:
    import signal

    # First thing: a SIGTERM/SIGINT from now on stops us cleanly, even one sent while we bind.
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()  # only set a flag: shutdown() from here would wait on the loop it interrupts

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        server = build_server(host, port, quiet, probe_relay)
    except OSError as exc:
        where = _join(host, port)
        if exc.errno == errno.EADDRINUSE:
            why = "address already in use; stop what uses it or choose another port with --port N or PORT"
        else:
            why = _describe(exc)
        print(f"stand-in Open WebUI: cannot listen on {where}: {why}.", file=sys.stderr, flush=True)
        return 1
    bound = server.server_address
    relaying = relay_enabled() if probe_relay is None else probe_relay
    print(f"stand-in Open WebUI listening on {bound[0]}:{bound[1]}; Ollama URLs: {'; '.join(ollama_urls())}"
          f"; GET /probe {'on (those URLs only)' if relaying else 'off'}", file=sys.stderr, flush=True)
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


def main(argv: list[str] | None = None) -> int:
    """``serve``, ``probe`` or ``save``; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog="webui-standin", description="A stand-in Open WebUI.")
    sub = parser.add_subparsers(dest="command", metavar="serve|probe|save")
    sub.required = True
    serve = sub.add_parser("serve", help="listen like Open WebUI (GET /health, GET /probe)")
    serve.add_argument("--host", help=f"bind address (default $HOST or {DEFAULT_HOST}; 0.0.0.0: every address)")
    serve.add_argument("--image", action="store_true",
                       help="play the real image inside a container: $HOST defaults to 0.0.0.0, as its start.sh")
    serve.add_argument("--port", type=int, help="port (default $PORT or 8080; 0 picks a free one)")
    serve.add_argument("--quiet", action="store_true", help="do not log requests on stderr")
    serve.add_argument("--probe-relay", action="store_true", default=None,
                       help=f"answer GET /probe for the configured Ollama URLs (also {PROBE_RELAY_ENV}=1)")
    check = sub.add_parser("probe", help="probe Ollama URLs once and print one JSON object")
    check.add_argument("--timeout", default=DEFAULT_TIMEOUT, type=str, help="seconds (default 3)")
    check.add_argument("urls", nargs="*", metavar="URL", help="default: the URLs Open WebUI would use")
    save = sub.add_parser("save", help="save Ollama URLs in $DATA_DIR/webui.db, as Admin → Settings → Connections")
    save.add_argument("urls", nargs="+", metavar="URL")
    args = parser.parse_args(argv)
    if args.command == "save":
        print(save_ollama_urls(args.urls), flush=True)
        return 0
    if args.command == "probe":
        try:
            timeout = parse_timeout(args.timeout)
        except ValueError as exc:
            parser.error(str(exc))
        print(json.dumps(probe(args.urls or ollama_urls(), timeout)), flush=True)
        return 0
    port = args.port
    if port is None:
        text = os.environ.get("PORT", str(DEFAULT_PORT))
        try:
            port = int(text)
        except ValueError:
            parser.error(f"PORT={text!r} is not a port number")
    if not 0 <= port <= 65535:
        parser.error(f"port {port} is not a TCP port (0 to 65535)")
    host = args.host or os.environ.get("HOST") or ("0.0.0.0" if args.image else DEFAULT_HOST)
    return _serve(host, port, args.quiet, args.probe_relay)


if __name__ == "__main__":
    sys.exit(main())
