"""The lab's host firewall: iptables rules that drop what the lab's containers send to its own host ports.

A host firewall such as ufw (default "deny incoming") drops, in the filter table's INPUT chain, what
arrives at the host from a container's bridge. The lab plays it with one rule per bridge its Open
WebUI containers sit on, scoped to its own run: only the lab's own host ports (``--dports``), only
from that bridge (``-i docker0``, ``-i br-...``), carrying a comment with the kit's label, the lab's
session, owner and run. It is removed on teardown and by ``lab clean``/``lab down``, by that comment
alone: no other rule is ever touched. Inserting a rule needs root and ``iptables``; without them the
lab refuses the configuration (the prediction still stands).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from typing import Iterable, Sequence

from .. import docker_api
from ..errors import LabError

CHAIN = "INPUT"
MARK = "owui-lab"  # the comment's first word: the kit's rules, and only they, start with it
TIMEOUT = 20.0


def problem() -> str | None:
    """Why this machine cannot play a host firewall (None when it can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return ("A host firewall is played with an iptables rule on this host, which needs root; this lab runs as "
                "a normal user.")
    if shutil.which("iptables") is None:
        return "A host firewall is played with an iptables rule on this host, but iptables is not installed."
    return None


def comment(session: str, owner: str) -> str:
    """The comment of this lab's rules: the kit's mark and the lab's labels (session, owner, run)."""
    labels = docker_api.labels(session, "firewall", owner)
    words = [MARK, f"session={labels[docker_api.LABEL_SESSION]}", f"owner={labels[docker_api.LABEL_OWNER]}"]
    if docker_api.LABEL_RUN in labels:
        words.append(f"run={labels[docker_api.LABEL_RUN]}")
    return " ".join(words)


def _iptables(args: Sequence[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["iptables", "-w", "5", *args], capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"iptables {' '.join(args[:2])} did not run: {exc}.",
                       "check 'iptables -S INPUT' by hand; 'owui-lab lab clean' removes the kit's rules.") from None


def drop_to_host(session: str, owner: str, interfaces: Iterable[str], ports: Iterable[int]) -> list[str]:
    """Insert, for each bridge interface, a rule dropping TCP to ``ports`` of this host; returns the rules.

    Raises:
        LabError: iptables refused a rule (those inserted before it are removed first).
    """
    wanted = ",".join(str(p) for p in sorted(set(ports)))
    text = comment(session, owner)
    done: list[str] = []
    for interface in dict.fromkeys(interfaces):
        spec = ["-i", interface, "-p", "tcp", "-m", "multiport", "--dports", wanted,
                "-m", "comment", "--comment", text, "-j", "DROP"]
        result = _iptables(["-I", CHAIN, "1", *spec])
        if result.returncode != 0:
            remove(done)
            raise LabError(f"iptables refused the lab's firewall rule on {interface}: {result.stderr.strip()[:200]}.",
                           "run the lab without --host-firewall (owui-lab predict still explains it).")
        done.append(shlex.join(["-A", CHAIN, *spec]))
    return done


def labelled_rules(session: str | None = None, owner: str | None = None, run: str | None = None,
                   run_prefix: str | None = None) -> list[str]:
    """The kit's rules in INPUT (``iptables -S`` lines), filtered by their comment's labels."""
    if problem() is not None:
        return []
    result = _iptables(["-S", CHAIN])
    out = []
    for line in result.stdout.splitlines():
        labels = _labels_of(line)
        if labels is None:
            continue
        if session is not None and labels.get("session") != session:
            continue
        if owner is not None and labels.get("owner") != owner:
            continue
        if run is not None and labels.get("run") != run:
            continue
        if run_prefix is not None and not labels.get("run", "").startswith(run_prefix):
            continue
        out.append(line)
    return out


def _labels_of(line: str) -> dict[str, str] | None:
    """The labels in the comment of one of the kit's INPUT rules (an ``iptables -S`` line); None for any other."""
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if words[:2] != ["-A", CHAIN] or "--comment" not in words[:-1]:
        return None
    text = words[words.index("--comment") + 1].split()
    if not text or text[0] != MARK:
        return None
    return dict(w.split("=", 1) for w in text[1:] if "=" in w)


def remove(rules: Iterable[str]) -> list[str]:
    """Delete these rules (``iptables -S`` lines); returns those that could not be deleted."""
    failed = []
    for line in rules:
        if _labels_of(line) is None:
            continue  # never anything but the kit's own INPUT rules
        words = shlex.split(line)
        result = _iptables(["-D", CHAIN, *words[2:]])
        if result.returncode != 0 and "does a matching rule exist" not in result.stderr:
            failed.append(f"iptables rule '{line}': {result.stderr.strip()[:200]}")
    return failed
