"""The record of labs that stay up (``owui-lab lab up``): one small JSON file a lab, strictly read.

Files live in ``state_dir()``: ``$OWUI_LAB_STATE_DIR``, else ``$XDG_CACHE_HOME/owui-lab/labs``
(``~/.cache/owui-lab/labs``). Each is ``<session>.json``, written 0600 (it names containers and URLs
of one person's lab), beside the logs of that lab's host stand-ins (``<session>-<role>.log``).

Every path is built from a validated session id (``docker_api.check_session``), so a state file
saying ``{"session": "../../victim"}`` is refused and never names a file outside the directory.
A state file is read strictly: anything but an object with a valid ``session`` is the kit's error
naming the file and what to do, never a ``KeyError``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .. import docker_api
from ..config import redact_urls
from ..errors import LabError

STATE_DIR_ENV = "OWUI_LAB_STATE_DIR"
#: A record's file name: a session id as ``docker_api.new_session_id`` makes them (8 hex digits), ``.json``.
_SESSION_FILE = re.compile(r"[0-9a-f]{8}\.json")
#: The fields the kit reads back from a record, with their types (and their items' types).
_FIELDS: dict[str, tuple[type, ...]] = {
    "owner": (str,), "token": (str,), "webui_container": (str,), "probe_url": (str,), "browser_url": (str,),
    "containers": (list, str), "networks": (list, str), "host_processes": (list, int), "commands": (list, str),
    "ports": (dict,), "config": (dict,),
}


def state_dir() -> Path:
    """The directory of lab records, created (0700) when missing.

    Raises:
        LabError: it cannot be created or written (a file in the way, a read-only place such as
            ``XDG_CACHE_HOME=/etc`` for a normal user): one paragraph naming it and what to do.
    """
    base = os.environ.get(STATE_DIR_ENV)
    if base:
        path = Path(base)
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(cache) / "owui-lab" / "labs"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(f"{path} is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(f"no permission to write in {path}")
    except OSError as exc:
        raise LabError(
            f"The kit cannot keep its lab records in {path} ({exc.strerror or exc}).",
            f"set {STATE_DIR_ENV} (or XDG_CACHE_HOME) to a directory you can write, e.g. "
            f"export {STATE_DIR_ENV}=$HOME/.cache/owui-lab/labs.",
        ) from None
    return path


def state_path(session: str) -> Path:
    """The record of one lab: ``<state_dir>/<session>.json`` (the id is checked first)."""
    return state_dir() / f"{docker_api.check_session(session)}.json"


def log_path(session: str, role: str) -> Path:
    """Where a host stand-in of a lab writes its output: ``<state_dir>/<session>-<role>.log``."""
    if not role.replace("-", "").isalnum():
        raise LabError(f"{role!r} is not a stand-in role.", "this is a bug in the kit: please report it.")
    return state_dir() / f"{docker_api.check_session(session)}-{role}.log"


def save_state(description: dict[str, Any]) -> Path:
    """Write a lab's record (0600, atomically); URLs with a password are stored redacted."""
    path = state_path(description.get("session"))  # type: ignore[arg-type]
    tmp = path.with_name(f".{path.name}.tmp")
    data = json.dumps(redact_urls(description), indent=2, ensure_ascii=False)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(data)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.chmod(tmp, 0o600)  # an old file of that name may have had wider permissions
        tmp.replace(path)
    except OSError as exc:  # a full disk (ENOSPC), a quota, a folder made read-only meanwhile
        raise LabError(
            f"The kit cannot write the lab record {path} ({exc.strerror or exc}).",
            f"free some space there, or set {STATE_DIR_ENV} to a folder on another disk; the lab is "
            "taken down again so that nothing is left unrecorded.",
        ) from None
    return path


def read_state(path: Path) -> dict[str, Any]:
    """One record, strictly: a JSON object whose ``session`` is a valid id matching the file name.

    Raises:
        LabError: unreadable, not JSON, not an object, or no valid session: names the file and says
            to remove it (``lab down`` would otherwise not know which lab it meant).
    """
    hint = f"remove that file by hand (rm {path}) and run 'owui-lab lab clean' to remove what the lab left."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LabError(f"The lab record {path} cannot be read ({exc.__class__.__name__}: {exc}).", hint) from None
    if not isinstance(data, dict):
        raise LabError(f"The lab record {path} is not a JSON object but {type(data).__name__}.", hint)
    session = data.get("session")
    try:
        docker_api.check_session(session)
    except LabError:
        raise LabError(f"The lab record {path} has no valid session id ({session!r}).", hint) from None
    if path.name != f"{session}.json":
        raise LabError(f"The lab record {path} names another lab ({session!r}).", hint)
    for key, kind in _FIELDS.items():
        value = data.get(key)
        if value is None:
            continue
        wrong = not isinstance(value, kind[0]) or (
            len(kind) > 1 and not all(isinstance(v, kind[1]) and not isinstance(v, bool) for v in value))
        if wrong:
            what = kind[0].__name__ + (f" of {kind[1].__name__}" if len(kind) > 1 else "")
            raise LabError(f"The lab record {path} has a field '{key}' that is not a {what}: {value!r:.80}.", hint)
    if "browser_url" in data and not re.fullmatch(r"http://\S+:[0-9]{1,5}", data["browser_url"]):
        raise LabError(f"The lab record {path} has a browser_url without a port: {data['browser_url']!r:.80}.", hint)
    return data


def load_states(everyone: bool = False) -> list[dict[str, Any]]:
    """The caller's records in the state directory (strictly: one bad record is an error, never skipped).

    Only files named like a record (``<session>.json``) are records: another ``*.json`` put there is
    not the kit's and is left alone. Records are per owner: two people sharing one folder (a
    classroom's shared cache) see, keep and forget only their own unless ``everyone``.
    """
    records = [read_state(path) for path in sorted(state_dir().glob("*.json")) if _SESSION_FILE.fullmatch(path.name)]
    if everyone:
        return records
    me = docker_api.current_owner()
    return [r for r in records if r.get("owner", me) == me]


def forget_state(session: str) -> None:
    """Drop a lab's record and the logs of its host stand-ins (also those of a SIGKILLed run)."""
    folder = state_dir()
    session = docker_api.check_session(session)
    (folder / f"{session}.json").unlink(missing_ok=True)
    for log in folder.glob(f"{session}-*.log"):
        log.unlink(missing_ok=True)


def orphan_logs(live_sessions: set[str]) -> list[Path]:
    """Host stand-in logs whose lab is neither recorded nor running (left by a SIGKILLed run)."""
    folder = state_dir()
    recorded = {p.stem for p in folder.glob("*.json")}
    out = []
    for log in folder.glob("*-*.log"):
        session = log.name.split("-", 1)[0]
        if session not in recorded and session not in live_sessions:
            out.append(log)
    return sorted(out)
