"""The host's Ollama as people write it: where it listens, from ``OLLAMA_HOST``.

Read: ``OLLAMA_HOST=0.0.0.0 ollama serve``, ``export OLLAMA_HOST=0.0.0.0``, a systemd
``Environment="OLLAMA_HOST=0.0.0.0:11434"`` line (with or without ``[Service]``), ``launchctl setenv
OLLAMA_HOST 0.0.0.0`` (macOS) and ``setx OLLAMA_HOST 0.0.0.0`` (Windows). A paste that starts Ollama but
never sets the variable (``ollama serve``, ``systemctl start ollama``) means Ollama's default, 127.0.0.1.
"""

from __future__ import annotations

import re
import shlex

_PATTERNS = (
    re.compile(r"""Environment\s*=\s*["']?OLLAMA_HOST=([^"'\s]*)"""),
    re.compile(r"""(?:launchctl\s+setenv|setx)\s+OLLAMA_HOST\s+["']?([^"'\s]*)"""),
    re.compile(r"""\$env:OLLAMA_HOST\s*=\s*["']?([^"'\s]*)"""),
    re.compile(r"""(?:^|[\s;&])(?:export\s+)?OLLAMA_HOST=("[^"]*"|'[^']*'|\S*)"""),
)
_STARTS = re.compile(r"\bollama\s+serve\b|systemctl\s+(re)?start\s+ollama|\bOllama\.app\b|brew services start ollama")


def host_bind(lines: str | list[str]) -> tuple[str | None, str]:
    """The ``OLLAMA_HOST`` a host Ollama runs with, from pasted lines, and how it was found.

    Args:
        lines: one text or several.

    Returns:
        (value, how): the value (None when the paste neither sets it nor starts Ollama) and a phrase
        naming the line it came from. The last setting wins, as in a shell.
    """
    texts = [lines] if isinstance(lines, str) else list(lines)
    value: str | None = None
    how = ""
    for text in texts:
        for line in text.replace("\r\n", "\n").split("\n"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for pattern in _PATTERNS:
                m = pattern.search(line)
                if m:
                    raw = m.group(1)
                    try:
                        raw = shlex.split(raw)[0] if raw else ""
                    except (ValueError, IndexError):
                        raw = raw.strip("\"'")
                    value, how = raw, f"OLLAMA_HOST={raw} (from: {line})"
                    break
            else:
                if value is None and _STARTS.search(line):
                    value, how = "", f"Ollama's default 127.0.0.1:11434 (from: {line}, no OLLAMA_HOST)"
    if value == "":
        return "127.0.0.1", how
    return value, how
