"""``save``: write a configuration's diagram to a file, in the format its extension names.

``.png`` and ``.svg`` are pictures (``drawing.py``, which loads matplotlib); ``.mmd`` is Mermaid C4
text in the style of the Open WebUI docs (``mermaid.py``, no matplotlib). Each is imported only when
that format is written, so ``owui-lab draw -o x.mmd`` never loads matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from .catalog import Scenario, as_config
from .config import Config, shown
from .errors import ConfigError, OwuiLabError

#: The extensions ``save`` writes.
FORMATS = (".png", ".svg", ".mmd")


def save(config: Config | Scenario | str, path: str | Path, *, side_by_side: bool = False,
         title: str | None = None) -> Path:
    """Write the diagram of a configuration, in the format its extension names.

    Args:
        config: the deployment: a ``Config``, a ``Scenario`` or a seed scenario's id.
        path: a ``.png``, ``.svg`` or ``.mmd`` (Mermaid, the docs' C4 style) file name.
        side_by_side: draw Linux and Docker Desktop next to each other (PNG and SVG only).
        title: the Mermaid diagram's title line (the pictures carry none).

    Returns:
        The path written.

    Raises:
        ConfigError: the extension is not one of ``FORMATS``, or side by side was asked of Mermaid.
        OwuiLabError: the file cannot be written.
    """
    config = as_config(config)
    if not isinstance(path, (str, Path)):
        raise ConfigError(f"{shown(path)} is not a file name.", "pass a path such as 'diagram.png'.")
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ConfigError(
            f"Cannot tell which format to write for {shown(str(path))}: the extension {shown(ext or '(none)')} "
            "is not one the kit draws.",
            "name the output file .png (picture), .svg (scalable picture) or .mmd (Mermaid text for the docs).",
        )
    if ext == ".mmd":
        if side_by_side:
            raise ConfigError(
                "The side-by-side view is two pictures; Mermaid text (.mmd) holds one diagram.",
                "write a .png or .svg for the side-by-side view, or drop the side-by-side option.",
            )
        from .mermaid import mermaid  # networkx, not matplotlib

        data = mermaid(config, title=title).encode("utf-8")
    else:
        from .drawing import picture_bytes  # matplotlib loads here, for pictures only

        data = picture_bytes(config, ext, side_by_side=side_by_side)
    try:
        path.write_bytes(data)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        reason = getattr(exc, "strerror", None) or "the name is not a file name"
        raise OwuiLabError(
            f"Cannot write the diagram to {shown(str(path))}: {reason}.",
            f"choose a path in a folder that exists and that you may write to, e.g. -o diagram{ext}.",
        ) from None
    return path
