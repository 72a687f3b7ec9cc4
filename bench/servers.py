"""Start servers (JupyterLab, Voila, anything) for a test or a benchmark, and drive Debian's Chromium with Playwright.

Every server runs in a process group of its own, is waited for with an explicit, bounded timeout on a
loopback URL, and is stopped in a ``finally`` by its own PID's process group (kernels included), so a
failing test never leaves a server behind. Its output goes to a log file whose tail is put into every
failure message: a server that did not come up says why.

Example::

    from bench.servers import chromium, jupyter_lab   # a test (pytest puts the repository on sys.path)
    from servers import chromium, jupyter_lab         # a script in bench/ (Python puts its folder there)

    with jupyter_lab(root_dir) as lab, chromium() as browser:
        page = browser.new_page()
        page.goto(lab.url("lab/tree/explorer.ipynb"))
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Debian's Chromium (never a browser download), and how the tests and benchmarks start it.
CHROMIUM = os.environ.get("OWUI_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Where tests keep what a person may want to look at after a run (screenshots, logs).
ARTIFACTS = Path(__file__).resolve().parents[1] / "tests" / "artifacts"

#: The virtual environment's scripts (jupyter, voila) sit beside the running Python.
VENV_BIN = Path(sys.executable).parent


class ServerFailed(RuntimeError):
    """A server did not come up in time, or died; the message carries the tail of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now.

    Another process may take it before the caller binds it; tests that start a server on it fail
    with the server's own "address in use" in the log rather than hanging.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def artifact_path(name: str) -> Path:
    """A path under ``tests/artifacts/`` (created), for screenshots and kept logs."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def _require_loopback(url: str) -> None:
    # The network rule: tests talk to loopback only. Refuse anything else before sending a byte.
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"refusing to poll {url!r}: tests only talk to loopback addresses")


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET on a loopback ``url``, or None when nothing answers."""
    _require_loopback(url)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


@dataclass
class Server:
    """A running server: its process, its base URL and its log."""

    process: subprocess.Popen
    base_url: str
    log_path: Path
    token: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str = "", **query: str) -> str:
        """``base_url`` + ``path``, with the token (when there is one) and ``query`` in the query string."""
        params = dict(query)
        if self.token:
            params.setdefault("token", self.token)
        url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def log(self, tail: int | None = 4000) -> str:
        """The server's output so far (its last ``tail`` characters, or all of it with None)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(log unreadable: {exc})"
        return text if tail is None else text[-tail:]


def _stop(process: subprocess.Popen, grace: float) -> None:
    """Stop the process group led by ``process``: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # the leader is gone; its children (kernels) may not be
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children that ignored SIGTERM (a busy kernel) die with the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def serve(
    argv: Sequence[str],
    ready_url: str,
    *,
    base_url: str | None = None,
    token: str = "",
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    grace: float = 5.0,
    log_path: str | os.PathLike | None = None,
) -> Iterator[Server]:
    """Run ``argv`` as a server until the ``with`` block ends.

    Args:
        argv: The server's command line. It is executed directly (no shell), so the PID we hold is the
            server's own and leads its process group.
        ready_url: A loopback URL that answers 200 once the server is ready.
        base_url: What ``Server.url`` builds on; defaults to ``ready_url``'s scheme and netloc.
        token: A token that ``Server.url`` adds to the URLs it builds.
        cwd: The server's working directory.
        env: Variables added to (or replacing) the current environment.
        timeout: Seconds to wait for ``ready_url`` before failing.
        grace: Seconds between SIGTERM and SIGKILL when stopping.
        log_path: Where the server's stdout and stderr go; a temporary file by default.

    Yields:
        The running ``Server``.

    Raises:
        ServerFailed: The server exited before it was ready, or was not ready within ``timeout``.
    """
    _require_loopback(ready_url)
    if base_url is None:
        parts = urllib.parse.urlsplit(ready_url)
        base_url = f"{parts.scheme}://{parts.netloc}/"
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="owui-lab-server-", suffix=".log")
        os.close(handle)
        log_path = name
    log_path = Path(log_path)
    full_env = {**os.environ, **(env or {})}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - argv comes from the test itself
            list(argv),
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we stop the server and its kernels together
        )
    server = Server(process=process, base_url=base_url, log_path=log_path, token=token)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise ServerFailed(
                    f"{argv[0]} exited with code {process.returncode} before {ready_url} answered.\n"
                    f"--- its log ({log_path}) ---\n{server.log()}"
                )
            if http_status(ready_url) == 200:
                break
            if time.monotonic() > deadline:
                raise ServerFailed(
                    f"{argv[0]} did not answer 200 at {ready_url} within {timeout:.0f} s.\n"
                    f"--- its log ({log_path}) ---\n{server.log()}"
                )
            time.sleep(0.2)
        yield server
    finally:
        _stop(process, grace)


def _jupyter_env(home: Path) -> dict[str, str]:
    # A private config/runtime/settings directory: the test sees neither the user's JupyterLab settings
    # nor another test's open tabs, and leaves nothing behind in ~/.jupyter.
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    return {name: str(path) for name, path in dirs.items()}


@contextlib.contextmanager
def jupyter_lab(
    root_dir: str | os.PathLike,
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 90.0,
    extra_args: Sequence[str] = (),
) -> Iterator[Server]:
    """A JupyterLab on 127.0.0.1 serving ``root_dir`` (TOOLING.md's recipe), with a random token.

    Open a notebook with ``server.url("lab/tree/NB.ipynb", reset="")``.
    """
    port = port or free_port()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="owui-lab-jupyter-") as home:
        argv = [
            str(VENV_BIN / "jupyter"),
            "lab",
            "--no-browser",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--port-retries=0",
            f"--ServerApp.token={token}",
            "--allow-root",
            f"--ServerApp.root_dir={Path(root_dir).resolve()}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *extra_args,
        ]
        with serve(
            argv,
            f"http://127.0.0.1:{port}/api/status?token={token}",
            base_url=f"http://127.0.0.1:{port}/",
            token=token,
            env={**_jupyter_env(Path(home)), **(env or {})},
            timeout=timeout,
        ) as server:
            yield server


@contextlib.contextmanager
def voila(
    notebook: str | os.PathLike,
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 90.0,
    extra_args: Sequence[str] = (),
) -> Iterator[Server]:
    """Voila serving one ``notebook`` on 127.0.0.1 (TOOLING.md's recipe).

    Ready means Voila's static files answer; the notebook itself runs when a page is opened, so open
    ``server.url()`` in a browser and wait for the widgets.
    """
    port = port or free_port()
    notebook = Path(notebook).resolve()
    with tempfile.TemporaryDirectory(prefix="owui-lab-voila-") as home:
        argv = [
            str(VENV_BIN / "voila"),
            str(notebook),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            *extra_args,
        ]
        with serve(
            argv,
            f"http://127.0.0.1:{port}/voila/static/voila.js",
            base_url=f"http://127.0.0.1:{port}/",
            cwd=notebook.parent,
            env={**_jupyter_env(Path(home)), **(env or {})},
            timeout=timeout,
        ) as server:
            yield server


@contextlib.contextmanager
def chromium(
    *,
    viewport: tuple[int, int] = (1400, 1000),
    timeout_ms: float = 30_000,
    extra_args: Sequence[str] = (),
) -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright, with a new empty user-data directory.

    Never downloads a browser: it launches ``CHROMIUM`` with ``CHROMIUM_ARGS``.

    Yields:
        A Playwright ``BrowserContext``; call ``.new_page()`` on it.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="owui-lab-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, *extra_args],
            headless=True,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            context.set_default_timeout(timeout_ms)
            yield context
        finally:
            context.close()
