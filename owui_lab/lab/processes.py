"""Host stand-ins (Ollama "on the host"): started through ``standins.spawn``, found by their labels.

A host process has no Docker labels, so the kit labels it through its environment, with the same
words as its Docker objects: ``OWUI_LAB_MANAGED=true``, ``OWUI_LAB_SESSION=<session>``,
``OWUI_LAB_OWNER=<owner>`` and, in the test suite, ``OWUI_LAB_RUN=<run>``. ``labelled_host_processes``
finds them by those variables through psutil, which reads a process's environment on Linux, macOS
and Windows alike (no ``/proc`` walking of our own); only the caller's own processes are visible to a
normal user, which is also what ``lab clean`` may stop.
"""

from __future__ import annotations

import os
import time
from typing import Iterable, Mapping

from .. import docker_api
from ..standins import Running, spawn
from ..standins.ollama import LAB_TOKEN_ENV
from .state import log_path

HOST_PROCESS_ENV = "OWUI_LAB_SESSION"  # the "session label" of a host process
MANAGED_ENV = "OWUI_LAB_MANAGED"


def host_labels(session: str, owner: str) -> dict[str, str]:
    """The environment "labels" of a host stand-in of ``session`` owned by ``owner``."""
    return {
        MANAGED_ENV: "true",
        HOST_PROCESS_ENV: docker_api.check_session(session),
        docker_api.OWNER_ENV: docker_api.check_owner(owner),
    }


def start_host_ollama(session: str, owner: str, role: str, bind: str, ready_timeout: float, token: str = "") -> Running:
    """Start the stand-in Ollama on this host, bound to ``bind``, labelled, and wait until it listens.

    Its output goes to ``<state_dir>/<session>-<role>.log`` (removed with the lab, and by ``lab
    clean`` after a SIGKILL).
    """
    env = {"OLLAMA_HOST": bind, LAB_TOKEN_ENV: token, **host_labels(session, owner)}
    return spawn("ollama", ["--quiet"], env=env, ready_timeout=ready_timeout, log=log_path(session, role))


def _matches(env: Mapping[str, str], session: str | None, run: str | None, run_prefix: str | None,
             owner: str | None, everyone: bool) -> bool:
    if env.get(MANAGED_ENV) != "true" or HOST_PROCESS_ENV not in env:
        return False
    if session is not None and env.get(HOST_PROCESS_ENV) != session:
        return False
    if run is not None and env.get(docker_api.RUN_ENV) != run:
        return False
    if run_prefix is not None and not env.get(docker_api.RUN_ENV, "").startswith(run_prefix):
        return False
    if not everyone and env.get(docker_api.OWNER_ENV, "") != owner:
        return False
    return True


def labelled_host_processes(
    session: str | None = None,
    run: str | None = None,
    run_prefix: str | None = None,
    owner: str | None = None,
    everyone: bool = False,
) -> list[int]:
    """PIDs of host stand-ins the kit started, found by their environment labels.

    Args:
        session: only this lab's.
        run: only this test run's (``OWUI_LAB_RUN``).
        run_prefix: every run whose id starts with it (a test run and the runs it derives).
        owner: only this owner's (default: ``current_owner()``).
        everyone: every owner's (``lab clean --all``); what this user may not read stays unseen.
    """
    import psutil

    if session is not None:
        docker_api.check_session(session)
    if run is not None:
        docker_api.check_run(run)
    if not everyone:
        owner = docker_api.check_owner(owner) if owner is not None else docker_api.current_owner()
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            env = proc.environ()
        except (psutil.Error, OSError):  # gone, a zombie, or another user's
            continue
        if _matches(env, session, run, run_prefix, owner, everyone):
            found.append(proc.pid)
    return sorted(found)


def stop_host_processes(pids: Iterable[int], timeout: float = 1.0) -> list[int]:
    """SIGTERM each of ``pids``, SIGKILL what is left after ``timeout`` s; returns those stopped."""
    import psutil

    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            proc.terminate()
            procs.append(proc)
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied:
            continue  # another user's: not ours to stop
    alive = _still_running(procs)
    deadline = time.monotonic() + timeout
    while alive and time.monotonic() < deadline:
        time.sleep(0.01)
        alive = _still_running(alive)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    return [p.pid for p in procs]


def _still_running(procs: list) -> list:
    """Those of ``procs`` still running; a zombie (exited, not yet reaped by its parent) is stopped."""
    import psutil

    out = []
    for proc in procs:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.Error:
            continue
    return out
