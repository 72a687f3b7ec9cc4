"""Ctrl-C during a live run: never between creating a Docker object and recording it."""

from __future__ import annotations

import signal
import threading
from typing import Any


class DeferredInterrupt:
    """While active, Ctrl-C (SIGINT) only sets a flag; ``check()`` raises it at a safe point.

    A KeyboardInterrupt in the middle of an API call could leave a container the daemon created but
    the lab never heard of. Deferring the interrupt to the points between calls means the lab always
    knows what exists (and cleanup by label catches the rest). Only the main thread gets signals;
    elsewhere this does nothing.
    """

    def __init__(self, restore: bool = True) -> None:
        """``restore=False``: at exit ignore Ctrl-C until the process ends (a CLI command's last word)."""
        self.pending = False
        self._restore = restore
        self._previous: Any = None
        self._active = False

    def __enter__(self) -> "DeferredInterrupt":
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
                self._active = True
            except ValueError:  # pragma: no cover - not the main interpreter
                self._active = False
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        self.pending = True

    def check(self) -> None:
        if self.pending:
            raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        if self._active and self._restore:
            signal.signal(signal.SIGINT, self._previous)
        elif self._active:
            # The command has decided (lab up and recorded, or removed): a Ctrl-C from here on must
            # not kill it. A Python handler is not enough: interpreter shutdown resets it to the
            # default action (death by SIGINT, exit -2, with the lab up); SIG_IGN survives shutdown.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
