"""The lessons' comparison: two configurations (Docker Desktop | Linux), each with its diagram and verdict."""

from __future__ import annotations

import base64

from ..config import Config
from ..engine import Verdict
from ..prediction import predict
from .base import diagram_or_note
from .html import CSS, esc, missing_diagram_html, verdict_html


def compare(
    left: Config,
    right: Config,
    titles: tuple[str, str] = ("Docker Desktop", "Linux"),
    *,
    diagrams: bool = True,
) -> tuple[Verdict, Verdict]:
    """Display two configurations side by side, each with its diagram and verdict.

    Returns:
        The two verdicts, left then right.
    """
    from IPython.display import HTML, display

    verdicts = (predict(left), predict(right))
    cells = []
    for title, config, verdict in zip(titles, (left, right), verdicts):
        picture = ""
        if diagrams:
            png, note = diagram_or_note(config)
            picture = (
                f'<img style="max-width:100%" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                if png is not None
                else missing_diagram_html(note)
            )
        cells.append(
            f'<td style="vertical-align:top;width:50%;padding:4px;text-align:left"><h4 style="margin:2px 0">{esc(title)}</h4>'
            f"{picture}{verdict_html(verdict, notes=True)}</td>"
        )
    display(HTML(f"{CSS}<table class='owui-compare' style='width:100%;border:none;table-layout:fixed'><tr>{''.join(cells)}</tr></table>"))
    return verdicts
