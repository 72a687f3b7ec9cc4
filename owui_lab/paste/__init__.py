"""What people paste, read into the kit's configuration: ``docker run`` lines, compose files, host Ollama lines.

A person with a broken Open WebUI arrives with a command copied from a README, a blog or an issue, not
with knobs. This package reads it into the same ``ContainerFacts`` that ``docker inspect`` gives the
doctor, so a pasted command and a running container become a ``Config`` by one path
(``diagnosis.reconstruct``), and says what it had to assume and which flags it ignored.

- ``command.py``: ``docker run`` / ``podman run`` lines (shlex quoting, ``\\`` and `````` continuations).
- ``compose.py``: compose files (``docker compose config`` where it exists, else PyYAML with
  ``${VAR-default}`` interpolation).
- ``host.py``: the host Ollama as people write it (``OLLAMA_HOST=0.0.0.0 ollama serve``, systemd lines).
- ``reading.py``: the whole paste into a ``Config``, with assumptions and ignored flags.
- ``edit.py``: the engine's fix written back into the person's own paste, shown as a diff.

It stands on the running floor beside ``diagnosis`` (whose reader it shares) and imports no Docker SDK.
"""

from __future__ import annotations

from .command import RunCommand, parse_run, split_commands
from .compose import read_compose
from .host import host_bind
from .reading import Paste, PastedSetup, paste_from_text, read_paste

__all__ = [
    "Paste",
    "PastedSetup",
    "RunCommand",
    "host_bind",
    "parse_run",
    "paste_from_text",
    "read_compose",
    "read_paste",
    "split_commands",
]
