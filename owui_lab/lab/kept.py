"""Labs that stay up: ``lab up`` (bring up, record, leave running), ``status``, ``down``, ``clean``.

Each returns data; ``commands/lab.py`` only parses and prints. Everything acts on the caller's own
objects (``docker_api.current_owner()``) unless ``everyone=True`` (the CLI's ``--all``), and every
selector is checked first: an empty or malformed session or run id is an error, never "all".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .. import docker_api
from ..config import Config, redact_url
from ..prediction import predict
from . import firewall
from .interrupt import DeferredInterrupt
from .live import Lab, browser_check
from .processes import labelled_host_processes, stop_host_processes
from .results import Observation, agrees
from .state import forget_state, load_states, orphan_logs, save_state
from .processes import HOST_PROCESS_ENV


def keep_up(config: Config, progress: Any = None, **lab_options: Any) -> tuple[dict[str, Any], Observation]:
    """Bring a lab up, record it, probe it, and leave it running (``owui-lab lab up``).

    Ctrl-C at any moment: either everything is removed (KeyboardInterrupt propagates) or the lab is
    up and recorded. Once recorded, Ctrl-C is ignored until the process exits, so no interrupt can land
    between "recorded" and the caller's "exit 0".

    Returns:
        The lab's record (as stored) and what the probe observed.
    """
    with DeferredInterrupt(restore=False) as guard:
        lab = Lab(config, progress=progress, **lab_options)
        lab.up()
        try:
            guard.check()
            description = lab.describe()
            path = save_state(description)
            guard.check()
            observed = lab.probe()
            guard.check()
            verdict = predict(config)
            description["observed"] = observed.to_dict()
            description["predicted"] = {"outcome": verdict.outcome, "reachable": verdict.reachable}
            description["agree"] = agrees(verdict, observed)
            description["state_file"] = str(path)
            save_state(description)  # a disk full by now: taken down below, not left up unrecorded
        except BaseException:
            lab.down()
            forget_state(lab.session)
            raise
        lab.detach()
    return description, observed


def status(everyone: bool = False) -> list[dict[str, Any]]:
    """The labs that are up, each probed again.

    The caller's recorded labs (``lab up``) are probed; with ``everyone`` the kit's containers of other
    owners (and unrecorded ones) are listed too, by session and owner, without probing.
    """
    states = load_states()
    owner = docker_api.current_owner()
    cli = docker_api.client()
    try:
        containers = docker_api.labelled_containers(cli, everyone=everyone)
        by_session: dict[str, list[Any]] = {}
        for c in containers:
            by_session.setdefault(str(c.labels.get(docker_api.LABEL_SESSION, "")), []).append(c)
        report = []
        for st in states:
            session = st["session"]
            mine = [c for c in by_session.pop(session, []) if docker_api.owner_of(c) == owner]
            entry: dict[str, Any] = {
                "session": session,
                "owner": owner,
                "containers": {c.name: c.status for c in mine},
                "host_processes": labelled_host_processes(session, owner=owner),
                "commands": [redact_url(str(x)) for x in st.get("commands", []) if isinstance(x, str)],
            }
            webui = next((c for c in mine if c.name == st.get("webui_container")), None)
            probe_url, browser_url = st.get("probe_url"), st.get("browser_url")
            if webui is not None and webui.status == "running" and isinstance(probe_url, str) and isinstance(browser_url, str):
                token = st.get("token") if isinstance(st.get("token"), str) else None
                result = docker_api.probe_by_exec(webui, [probe_url], 2.0)[0]
                outcome, detail = result.get("outcome"), result.get("detail")
                if outcome == "ok" and token and result.get("lab_token") != token:
                    outcome, detail = "unreachable", f"a server that is not this lab's Ollama answered ({detail})"
                entry["observed"] = {"url": probe_url, "outcome": outcome, "detail": detail}
                port = int(browser_url.rsplit(":", 1)[1])
                entry["browser"] = {"url": browser_url, "reachable": browser_check(port, token)[0]}
            report.append(entry)
        for session, rest in sorted(by_session.items()) if everyone else ():
            # With --all: the kit's other labs on this daemon (other owners', and 'lab run's in progress).
            report.append({
                "session": session,
                "owner": ", ".join(sorted({docker_api.owner_of(c) or "(no owner label)" for c in rest})),
                "containers": {c.name: c.status for c in rest},
                "host_processes": [],
                "commands": [],
                "recorded": False,
            })
        return report
    finally:
        cli.close()


@dataclass
class Removal:
    """What ``down``/``clean`` removed (or, for a plan, would remove)."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    host_processes: list[int] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    firewall_rules: list[str] = field(default_factory=list)  # iptables rules of a lab's host firewall

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "containers": self.containers,
            "networks": self.networks,
            "host_processes": self.host_processes,
            "logs": self.logs,
            "failed": self.failed,
            "firewall_rules": self.firewall_rules,
            "seconds": round(self.seconds, 3),
        }


def down(session: str | None = None, everyone: bool = False) -> list[Removal]:
    """Remove one lab (``session``), or every recorded lab of the caller (every owner's: ``everyone``).

    Raises:
        LabError: ``session`` is given but empty or malformed.
    """
    if session is not None:
        sessions = [docker_api.check_session(session)]
    else:
        sessions = [s["session"] for s in load_states()]
    owner = None if everyone else docker_api.current_owner()
    cli = docker_api.client()
    out = []
    try:
        with DeferredInterrupt(), docker_api.daemon_calls("taking labs down"):  # a second Ctrl-C must not leave half a lab
            if everyone and session is None:
                found = docker_api.labelled_sessions(cli)
                sessions = list(dict.fromkeys(sessions + sorted(s for s in found if s)))
            for one in sessions:
                start = time.perf_counter()
                pids = stop_host_processes(labelled_host_processes(one, owner=owner, everyone=everyone))
                rules = firewall.labelled_rules(session=one, owner=owner)
                failed = firewall.remove(rules)
                removed = docker_api.remove_labelled(cli, session=one, owner=owner, everyone=everyone)
                forget_state(one)
                out.append(Removal(list(removed.containers), list(removed.networks), pids, [],
                                   failed + list(removed.failed), [one], time.perf_counter() - start, rules))
    finally:
        cli.close()
    return out


def clean_plan(run: str | None = None, everyone: bool = False) -> Removal:
    """What ``clean`` would remove, without removing anything (``lab clean --all`` says it first)."""
    owner = None if everyone else docker_api.current_owner()
    if run is not None:
        docker_api.check_run(run)
    cli = docker_api.client()
    try:
        names = docker_api.list_labelled(cli, run=run, owner=owner, everyone=everyone)
    finally:
        cli.close()
    pids = labelled_host_processes(run=run, owner=owner, everyone=everyone)
    return Removal(
        containers=[n.split(":", 1)[1] for n in names if n.startswith("container:")],
        networks=[n.split(":", 1)[1] for n in names if n.startswith("network:")],
        host_processes=pids,
        firewall_rules=firewall.labelled_rules(owner=owner, run=run),
    )


def clean(run: str | None = None, everyone: bool = False) -> Removal:
    """Remove the kit's containers, networks and host stand-ins (the caller's, or everyone's), by label only.

    Also forgets the records of labs now gone and removes host stand-in logs that no lab owns any
    more (left by a run that was SIGKILLed).

    Raises:
        LabError: ``run`` is given but empty or malformed.
    """
    start = time.perf_counter()
    owner = None if everyone else docker_api.current_owner()
    if run is not None:
        docker_api.check_run(run)
    cli = docker_api.client()
    try:
        with DeferredInterrupt(), docker_api.daemon_calls("removing the kit's labelled objects"):
            pids = stop_host_processes(labelled_host_processes(run=run, owner=owner, everyone=everyone))
            rules = firewall.labelled_rules(owner=owner, run=run)
            rules_failed = firewall.remove(rules)
            removed = docker_api.remove_labelled(cli, run=run, owner=owner, everyone=everyone)
            gone = set(removed.containers)
            for st in load_states(everyone=everyone):
                if run is None or set(st.get("containers") or []) <= gone:
                    forget_state(st["session"])
            alive = docker_api.labelled_sessions(cli) | _host_sessions()
            logs = []
            for log in orphan_logs(alive):
                log.unlink(missing_ok=True)
                logs.append(log.name)
    finally:
        cli.close()
    return Removal(list(removed.containers), list(removed.networks), pids, logs, rules_failed + list(removed.failed),
                   [], time.perf_counter() - start, rules)


def _host_sessions() -> set[str]:
    """Sessions of host stand-ins still running (any owner this user can see)."""
    import psutil


    out = set()
    for pid in labelled_host_processes(everyone=True):
        try:
            out.add(psutil.Process(pid).environ().get(HOST_PROCESS_ENV, ""))
        except psutil.Error:
            continue
    return out
