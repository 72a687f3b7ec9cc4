"""The stand-in services: a fake Ollama and a fake Open WebUI, one self-contained script each.

The lab runs them in a bare Python container as ``python3 -c SOURCE ARGS...`` (the image has no
``owui_lab``), or as a host process for "Ollama on the host". ``source(name)`` gives a script's text
and ``path(name)`` its file; ``owui_lab.standins.ollama.parse_ollama_host`` is also what
``owui_lab.config`` uses, so the stand-in binds exactly where the engine says Ollama binds.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError

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
