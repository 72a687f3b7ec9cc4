"""The stand-in services: a fake Ollama and a fake Open WebUI, one self-contained script each.

The lab runs them in a bare Python container as ``python3 -c SOURCE ARGS...`` (the image has no
``owui_lab``), or as a host process for "Ollama on the host". ``source(name)`` gives a script's text
and ``path(name)`` its file; ``owui_lab.standins.ollama.parse_ollama_host`` is also what
``owui_lab.config`` uses, so the stand-in binds exactly where the engine says Ollama binds.
``spawn(name, args, env)`` runs one as a local process (Ollama "on the host") and waits until it
listens.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from ..errors import ConfigError, LabError

if TYPE_CHECKING:
    import subprocess

NAMES = ("ollama", "webui")


def path(name: str) -> Path:
    """The file of a stand-in script.

    Args:
        name: "ollama" or "webui".

    Returns:
        The path of ``owui_lab/standins/<name>.py``.

    Raises:
        ConfigError: ``name`` is not a stand-in.
    """
    if name not in NAMES:
        raise ConfigError(f"There is no stand-in called {name!r}.", f"use one of: {', '.join(NAMES)}.")
    return Path(__file__).with_name(f"{name}.py")


@lru_cache(maxsize=None)
def source(name: str) -> str:
    """The text of a stand-in script, to run as ``python3 -c SOURCE ARGS...``.

    Args:
        name: "ollama" or "webui".

    Returns:
        The script's source code (standard library only, Python 3.9+).
    """
    return path(name).read_text(encoding="utf-8")


_LISTENING = re.compile(r"listening on (\[[^\]]*\]|[^\s:;]+):(\d+)")


class Running:
    """A stand-in running as a local process (``spawn``); a context manager that stops it.

    Attributes:
        name: "ollama" or "webui".
        process: the ``subprocess.Popen``.
        host: the address it listens on, as it printed it ("::" for every address, dual-stack).
        port: the port it listens on.
        log: the file its stderr goes to (the start line, then one line a request).
    """

    def __init__(self, name: str, process: subprocess.Popen, host: str, port: int, log: Path) -> None:
        self.name, self.process, self.host, self.port, self.log = name, process, host, port, log

    @property
    def url(self) -> str:
        """``http://`` URL reaching it from this machine (loopback when it listens everywhere)."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "127.0.0.1"  # the dual-stack socket takes IPv4 too
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def log_text(self) -> str:
        """What it has printed on stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> float:
        """Send ``sig`` (SIGTERM by default) and wait; returns the seconds it took to exit.

        It is killed (SIGKILL) when it has not exited after ``timeout`` seconds.
        """
        import subprocess

        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.monotonic() - started

    def __enter__(self) -> "Running":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn(
    name: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    python: str | None = None,
    ready_timeout: float = 10.0,
    log: Path | None = None,
) -> Running:
    """Start a stand-in as a local process and wait until it listens.

    Args:
        name: "ollama" (args like ``["--bind", "0.0.0.0", "--port", "0"]``) or "webui" (args like
            ``["serve", "--port", "0"]``).
        args: its command-line arguments; ``--port 0`` picks a free port, read back from its output.
        env: extra environment variables (``OLLAMA_HOST``, ``OLLAMA_BASE_URL``, ...), laid over ours.
        python: the interpreter (default: this one).
        ready_timeout: seconds to wait for its "listening on" line.
        log: where its stderr goes (default: a temporary file).

    Returns:
        The running stand-in, with the address and port it listens on.

    Raises:
        LabError: it exited before listening (its one-line reason is in the message: a busy port,
            an address this machine does not have) or did not listen in time.
    """
    import subprocess  # here, not at the top: owui_lab.config imports this package
    import tempfile

    script = path(name)
    if log is None:
        handle, text = tempfile.mkstemp(prefix=f"owui-lab-standin-{name}-", suffix=".log")
        os.close(handle)
        log = Path(text)
    environment = dict(os.environ)
    environment.update(env or {})
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [python or sys.executable, "-u", str(script), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=environment,
            start_new_session=True,  # the learner's Ctrl-C in a notebook reaches us, not it; we stop it
        )
    deadline = time.monotonic() + ready_timeout
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = _LISTENING.search(text)
        if found:
            return Running(name, process, found.group(1).strip("[]"), int(found.group(2)), log)
        if process.poll() is not None:
            lines = [line for line in text.splitlines() if line.strip()]
            if not lines and _disk_full(log.parent):  # it could not even write why
                raise LabError(
                    f"The stand-in {name} did not start: the disk holding its log {log} is full.",
                    "free some space there, or point OWUI_LAB_STATE_DIR at a folder on another disk.",
                )
            raise LabError(
                f"The stand-in {name} did not start: {lines[-1] if lines else f'exit status {process.returncode}'}",
                "read the reason above; for a busy port choose another one (or stop what uses it)." if lines
                else f"its log {log} is empty: run 'owui-lab standin {name}' in a terminal to see why.",
            )
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise LabError(
                f"The stand-in {name} did not start listening within {ready_timeout:g} s.",
                f"its output is in {log}; the machine may be overloaded, try again.",
            )
        time.sleep(0.02)


def _disk_full(folder: Path, room: int = 64 * 1024) -> bool:
    """Whether the file system holding ``folder`` has less than ``room`` bytes left for this user."""
    import shutil

    try:
        return shutil.disk_usage(folder).free < room
    except OSError:
        return False
