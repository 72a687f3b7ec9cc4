"""The room's queue of live runs: first come, first served, at most ``concurrency`` at a time.

When 100 learners click "Run it live" at once, the server's daemon runs a few labs at a time and
everyone else waits in line, told their place and how long runs take here. Each run is carried out
by a runner (``worker.run_in_subprocess`` in the service: one short-lived process per run, with the
learner's name as the owner of everything it creates); the queue itself knows nothing of Docker, so
its rules are tested without a daemon.
"""

from __future__ import annotations

import collections
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import OwuiLabError
from .store import Store

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class QueueFull(OwuiLabError):
    """The room's queue (or this learner's share of it) is full."""

    exit_code = 6


class RunNotFound(OwuiLabError):
    """No run with that id belongs to the caller."""


#: What a runner gets: the run (owner, config, id) and a way to say it has started a process that
#: ``cancel`` may interrupt. It returns the result (a JSON-able dict) or raises OwuiLabError.
Runner = Callable[["Run", Callable[[Any], None]], dict]


@dataclass
class Run:
    """One live run asked for by one learner.

    Attributes:
        id: unguessable id (the learner polls it).
        owner: the learner's hub name: the owner label of everything the run creates.
        config: the configuration as the kit's ``Config.to_dict()``.
        state: queued | running | done | failed | cancelled.
        result: the lab's result (prediction, observation, agreement, notes) when done.
        error: what stopped it, in the kit's words, when failed.
    """

    id: str
    owner: str
    config: dict
    submitted: float
    seq: int
    keep: bool = False
    state: str = QUEUED
    started: float | None = None
    finished: float | None = None
    result: dict | None = None
    error: str = ""
    handle: Any = field(default=None, repr=False)

    def to_dict(self, position: int, progress: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "position": position,
            "progress": progress,
            "config": self.config,
            "keep": self.keep,
            "result": self.result,
            "error": self.error,
            "waited": round((self.started or time.time()) - self.submitted, 3) if self.state != CANCELLED else None,
            "seconds": round(self.finished - self.started, 3) if self.finished and self.started else None,
        }


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class RunQueue:
    """First come, first served, ``concurrency`` runs at a time, by worker threads.

    Args:
        runner: carries out one run (see ``Runner``).
        concurrency: runs at the same time (the server's cores and daemon set it; 4 suits 2 cores:
            a run mostly waits for containers to start).
        max_queue: runs waiting at most, for the whole room (beyond it: QueueFull, try again).
        per_learner: runs one learner may have waiting or running at once.
        keep: finished runs remembered per learner (their results stay readable).
        store: the service's database: every run is written there, so a restart finds the line as it
            was (waiting runs wait on; a run cut off by the restart says so). None: memory only.
        max_kept: labs one learner may keep up at once ("keep": true), counted with those asked for
            and not yet up, under the queue's lock (so three at once cannot pass a limit of two).
    """

    def __init__(self, runner: Runner, *, concurrency: int = 4, max_queue: int = 300, per_learner: int = 3,
                 keep: int = 20, store: Store | None = None, max_kept: int = 2) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.runner = runner
        self.concurrency = concurrency
        self.max_queue = max_queue
        self.per_learner = per_learner
        self.keep = keep
        self._lock = threading.Condition()
        self._waiting: collections.deque[Run] = collections.deque()
        self._runs: dict[str, Run] = {}
        self._seq = itertools.count()
        self._durations: collections.deque[float] = collections.deque(maxlen=50)
        self._closed = False
        self.store = store or Store()
        self.max_kept = max_kept
        self._restore()
        self._threads = [threading.Thread(target=self._work, name=f"owui-lab-run-{i}", daemon=True)
                         for i in range(concurrency)]
        for t in self._threads:
            t.start()

    # ---- asking ----
    def submit(self, owner: str, config: dict, keep: bool = False) -> Run:
        with self._lock:
            if self._closed:
                raise QueueFull("The lab service is shutting down.", "wait a minute and run it again.")
            mine = [r for r in self._runs.values() if r.owner == owner and r.state in (QUEUED, RUNNING)]
            if len(mine) >= self.per_learner:
                raise QueueFull(
                    f"You already have {len(mine)} live runs waiting or running.",
                    "wait for one of them to finish (or stop one), then run this again.",
                )
            if len(self._waiting) >= self.max_queue:
                raise QueueFull(
                    f"The room's queue is full ({len(self._waiting)} live runs are waiting).",
                    "the prediction above already stands; run it live again in a minute.",
                )
            if keep and self.kept_count(owner) >= self.max_kept:
                raise QueueFull(f"You already have {self.max_kept} labs up (or on their way) on the classroom's server.",
                                "remove yours first (clean), then bring this one up.")
            run = Run(secrets.token_hex(8), owner, dict(config), time.time(), next(self._seq), keep=bool(keep))
            self._runs[run.id] = run
            self._save(run)
            self._waiting.append(run)
            self._forget_old(owner)
            self._lock.notify()
            return run

    def get(self, run_id: str, owner: str | None) -> Run:
        """The run ``run_id`` if ``owner`` owns it (None: anyone's, for instructors)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or (owner is not None and run.owner != owner):
                # The same answer for "no such run" and "someone else's": ids reveal nothing.
                raise RunNotFound(f"No live run {run_id!r} of yours is known here.",
                                  "list yours with GET api/runs; finished runs are kept for a while.")
            return run

    def runs_of(self, owner: str) -> list[Run]:
        with self._lock:
            return sorted((r for r in self._runs.values() if r.owner == owner), key=lambda r: r.seq)

    def cancel(self, run_id: str, owner: str | None) -> Run:
        """Take a waiting run out of the line, or interrupt a running one (it then tears down)."""
        with self._lock:
            run = self.get(run_id, owner)
            if run.state == QUEUED:
                self._waiting.remove(run)
                run.state, run.finished = CANCELLED, time.time()
                run.error = "Stopped before it started."
                self._save(run)
                return run
            handle = run.handle if run.state == RUNNING else None
        if handle is not None and hasattr(handle, "interrupt"):
            handle.interrupt()
        return run

    def position(self, run: Run) -> int:
        """1 for the next to start, 0 when running or finished."""
        with self._lock:
            if run.state != QUEUED:
                return 0
            return 1 + sum(1 for r in self._waiting if r.seq < run.seq)

    def typical_seconds(self) -> float | None:
        """The median duration of the recent runs here (None before the first)."""
        with self._lock:
            if not self._durations:
                return None
            ordered = sorted(self._durations)
            return ordered[len(ordered) // 2]

    def progress(self, run: Run) -> str:
        """One line for the learner: their place in line, or how far the run is."""
        typical = self.typical_seconds()
        with self._lock:
            state, waiting, running = run.state, len(self._waiting), self._running_count()
        if state == QUEUED:
            place = self.position(run)
            ahead = place - 1 + running
            line = f"Waiting: {ordinal(place)} in line ({running} running, {waiting} waiting)"
            if typical is not None:
                line += f"; about {max(1, round((ahead // self.concurrency + 1) * typical))} s to go"
            return line + "."
        if state == RUNNING:
            so_far = time.time() - (run.started or time.time())
            line = f"Running: starting the stand-ins, probing, tearing down ({so_far:.1f} s so far"
            if typical is not None:
                line += f"; a run takes about {typical:.1f} s here"
            return line + ")."
        if state == DONE:
            return f"Done in {run.finished - run.started:.1f} s (waited {run.started - run.submitted:.1f} s)."
        if state == CANCELLED:
            return "Stopped."
        return "Failed: " + run.error

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"waiting": len(self._waiting), "running": self._running_count(), "concurrency": self.concurrency,
                    "typical_seconds": None if not self._durations else sorted(self._durations)[len(self._durations) // 2]}

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking runs, interrupt the running ones (they tear down), wait for the workers."""
        with self._lock:
            self._closed = True
            # Waiting runs stay waiting on disk: the service that starts next runs them.
            self._waiting.clear()
            running = [r for r in self._runs.values() if r.state == RUNNING]
            self._lock.notify_all()
        for run in running:
            if hasattr(run.handle, "interrupt"):
                run.handle.interrupt()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))

    # ---- working ----
    def _running_count(self) -> int:
        return sum(1 for r in self._runs.values() if r.state == RUNNING)

    def _forget_old(self, owner: str) -> None:
        done = [r for r in self._runs.values() if r.owner == owner and r.state in FINISHED]
        for r in sorted(done, key=lambda r: r.seq)[: max(0, len(done) - self.keep)]:
            del self._runs[r.id]
            self.store.execute("DELETE FROM runs WHERE id = ?", (r.id,))

    # ---- on disk ----
    def kept_count(self, owner: str) -> int:
        """Labs ``owner`` has up (recorded by the service) or asked to keep and not yet up."""
        with self._lock:
            up = self.store.execute("SELECT COUNT(*) FROM kept WHERE owner = ?", (owner,))[0][0]
            coming = sum(1 for r in self._runs.values() if r.owner == owner and r.keep and r.state in (QUEUED, RUNNING))
            return up + coming

    def _save(self, run: Run) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO runs (id, seq, owner, config, keep, state, submitted, started, finished, result, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run.id, run.seq, run.owner, json.dumps(run.config), int(run.keep), run.state, run.submitted, run.started,
             run.finished, None if run.result is None else json.dumps(run.result), run.error))

    def _restore(self) -> None:
        """The line as the last service left it: waiting runs wait on, runs cut off by the restart say so."""
        rows = self.store.execute("SELECT id, seq, owner, config, keep, state, submitted, started, finished, result, "
                                  "error FROM runs ORDER BY seq")
        for (rid, seq, owner, config, keep, state, submitted, started, finished, result, error) in rows:
            run = Run(rid, owner, json.loads(config), submitted, seq, keep=bool(keep), state=state, started=started,
                      finished=finished, result=None if result is None else json.loads(result), error=error)
            if run.state == RUNNING:
                run.state, run.finished = FAILED, time.time()
                run.error = ("The lab service restarted while this run was running, so its result is lost "
                             "(the lab removes what it started when its run ends). Run it again.")
                self._save(run)
            self._runs[run.id] = run
            if run.state == QUEUED:
                self._waiting.append(run)
        self._seq = itertools.count(1 + max((r.seq for r in self._runs.values()), default=-1))

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                run = self._waiting.popleft()
                run.state, run.started = RUNNING, time.time()
                self._save(run)

            def started(handle: Any, run: Run = run) -> None:
                run.handle = handle

            try:
                result = self.runner(run, started)
            except OwuiLabError as exc:
                outcome = (FAILED, None, str(exc))
            except Exception as exc:  # noqa: BLE001 - one broken run must not stop the room's queue
                outcome = (FAILED, None, f"The live run failed unexpectedly ({exc.__class__.__name__}: {exc}).")
            else:
                outcome = (DONE, result, "")
            with self._lock:
                run.state, run.result, run.error = outcome
                if run.state == FAILED and getattr(run.handle, "interrupted", False):
                    run.state, run.error = CANCELLED, "Stopped; everything it had started was removed."
                run.finished = time.time()
                run.handle = None
                if run.state == DONE:
                    self._durations.append(run.finished - run.started)
                    if run.keep and isinstance(run.result, dict) and run.result.get("session"):
                        self.store.execute("INSERT OR REPLACE INTO kept (owner, session, since) VALUES (?, ?, ?)",
                                           (run.owner, str(run.result["session"]), run.finished))
                self._save(run)
