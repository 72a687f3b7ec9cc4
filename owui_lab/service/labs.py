"""A learner's own labs on the server's daemon: see them, remove them; never anyone else's.

Both go through the kit's own ``owui-lab lab status|clean`` as the learner (``OWUI_LAB_OWNER`` set
to their hub name, their own state directory): the lab acts on the caller's owner label only, so the
service never has a second, divergent idea of whose objects are whose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..errors import LabError
from .worker import owner_environment


def _state_root() -> Path:
    return Path(os.environ.get("OWUI_LAB_SERVICE_DIR") or Path.home() / ".cache/owui-lab/service")


def _lab(owner: str, *args: str) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "owui_lab", "lab", *args, "--json"],
        capture_output=True, text=True, timeout=120, env=owner_environment(owner, _state_root()),
    )
    try:
        return json.loads(proc.stdout)
    except ValueError:
        tail = (proc.stderr or proc.stdout or "no output").strip().splitlines()[-1:]
        raise LabError(f"'owui-lab lab {args[0]}' gave no answer ({tail[0] if tail else 'no output'}).",
                       "try again; the service's log has more.") from None


def of_owner(owner: str) -> Any:
    """The labs ``owner`` has up (``owui-lab lab status --json`` as them)."""
    return _lab(owner, "status")


def clean_owner(owner: str) -> Any:
    """Remove every object labelled with ``owner`` (``owui-lab lab clean --json`` as them)."""
    from .. import docker_api

    if not hasattr(docker_api, "LABEL_OWNER"):
        # A kit whose lab cleans by the kit's label alone would remove every learner's labs.
        raise LabError("This version of the kit cannot clean one learner's labs alone.",
                       "update the kit on the server (lab clean must act on the caller's owner label).")
    return _lab(owner, "clean")
