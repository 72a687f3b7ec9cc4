"""A learner's own labs on the server's daemon: see them, remove them; never anyone else's.

Seeing them is answered in the service's own process (one labelled ``docker ps`` by the learner's
owner label, the kept labs from the service's database), at most once every few seconds per learner
(a repeat within that time gets the last answer) and a few at a time for the room, so a learner who
polls cannot slow the others down. Removing them goes through the kit's own ``owui-lab lab down|clean``
as the learner (``OWUI_LAB_OWNER`` set to their hub name, their own 0700 state folder): the lab acts
on the caller's owner label only, so the service never has a second idea of whose objects are whose.
Kept labs expire: ``Keeper`` takes a lab down once its learner has left it alone for the idle time the
instructor sets, and takes every kept lab down when the hub stops.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .. import docker_api
from ..errors import LabError
from .store import Store
from .worker import owner_environment

log = logging.getLogger("owui_lab.service")

#: Seconds a learner's "my labs" answer is reused for (a poll loop costs the daemon nothing more).
LABS_EVERY = 3.0
#: "My labs" asked of the daemon at once, for the whole room.
LABS_AT_ONCE = 2


class Labs:
    """A learner's labs: listed in-process and rate-limited, removed as the learner, expired when idle.

    Args:
        store: the service's database (its ``kept`` table: which learner keeps which lab since when).
        state_root: the service's folder of per-learner state folders.
        idle: seconds a kept lab stays up after its learner last brought it up or looked at it.
    """

    def __init__(self, store: Store, state_root: Path, idle: float = 1800.0) -> None:
        self.store = store
        self.state_root = state_root
        self.idle = idle
        self._gate = threading.BoundedSemaphore(LABS_AT_ONCE)
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, Any]] = {}

    def of_owner(self, owner: str) -> Any:
        """``owner``'s labs: each session's containers and, for kept ones, since when and until when."""
        with self._lock:
            seen = self._last.get(owner)
            if seen and time.monotonic() - seen[0] < LABS_EVERY:
                return seen[1]
        kept = {s: since for s, since in self.store.execute("SELECT session, since FROM kept WHERE owner = ?", (owner,))}
        now = time.time()
        self.store.execute("UPDATE kept SET since = ? WHERE owner = ?", (now, owner))  # looking at them keeps them
        with self._gate:
            cli = docker_api.client(timeout=10)
            try:
                containers = docker_api.labelled_containers(cli, owner=owner)
            finally:
                cli.close()
        sessions: dict[str, dict[str, str]] = {}
        for c in containers:
            sessions.setdefault(str(c.labels.get(docker_api.LABEL_SESSION, "")), {})[c.name] = c.status
        answer = [{"session": s, "owner": owner, "containers": names, "kept": s in kept,
                   "expires": round(now + self.idle) if s in kept else None}
                  for s, names in sorted(sessions.items())]
        with self._lock:
            self._last[owner] = (time.monotonic(), answer)
        return answer

    def clean_owner(self, owner: str) -> Any:
        """Remove every object labelled with ``owner`` (``owui-lab lab clean --json`` as them)."""
        answer = self._lab(owner, "clean")
        self.store.execute("DELETE FROM kept WHERE owner = ?", (owner,))
        with self._lock:
            self._last.pop(owner, None)
        return answer

    def down(self, owner: str, session: str) -> Any:
        """Take one kept lab of ``owner`` down (``owui-lab lab down SESSION --json`` as them)."""
        answer = self._lab(owner, "down", session)
        self.store.execute("DELETE FROM kept WHERE owner = ? AND session = ?", (owner, session))
        with self._lock:
            self._last.pop(owner, None)
        return answer

    def expire(self, now: float | None = None, everything: bool = False) -> list[tuple[str, str]]:
        """Take down the kept labs left alone longer than ``idle`` (``everything``: all of them)."""
        from concurrent.futures import ThreadPoolExecutor

        cutoff = float("inf") if everything else (now or time.time()) - self.idle
        gone = self.store.execute("SELECT owner, session FROM kept WHERE since < ?", (cutoff,))

        def take_down(kept: tuple[str, str]) -> None:
            owner, session = kept
            try:
                self.down(owner, session)
                log.info("kept lab %s of %s taken down (%s)", session, owner, "the hub stops" if everything else "idle")
            except LabError as exc:
                log.error("could not take down kept lab %s of %s: %s", session, owner, exc)

        with ThreadPoolExecutor(4) as pool:  # JupyterHub gives a stopping service about 15 s
            list(pool.map(take_down, gone))
        return gone

    def _lab(self, owner: str, *args: str) -> Any:
        proc = subprocess.run(
            [sys.executable, "-m", "owui_lab", "lab", *args, "--json"],
            capture_output=True, text=True, timeout=120, env=owner_environment(owner, self.state_root),
        )
        try:
            return json.loads(proc.stdout)
        except ValueError:
            tail = (proc.stderr or proc.stdout or "no output").strip().splitlines()[-1:]
            raise LabError(f"'owui-lab lab {args[0]}' gave no answer ({tail[0] if tail else 'no output'}).",
                           "try again; the service's log has more.") from None
