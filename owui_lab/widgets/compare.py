"""The lessons' comparison: Docker Desktop and Linux, each with its diagram and verdict.

The two platforms sit side by side where the notebook is at least about 1200 px wide (the comparison
in one view) and stack below that, each at the notebook's whole width; a click widens a diagram to the
whole row. The diagrams are SVG: crisp at any zoom and on high-density screens.
"""

from __future__ import annotations

from ..config import Config
from ..engine import Verdict
from ..prediction import predict
from ..presentation import CSS, esc, verdict_html
from .base import diagram_html


def compare_html(
    left: Config,
    right: Config,
    titles: tuple[str, str] = ("Docker Desktop", "Linux"),
    *,
    diagrams: bool = True,
) -> tuple[str, tuple[Verdict, Verdict]]:
    """The comparison as HTML, and the two verdicts (left, right)."""
    verdicts = (predict(left), predict(right))
    panels = []
    for title, config, verdict in zip(titles, (left, right), verdicts):
        picture = diagram_html(config, alt=title) if diagrams else ""
        panels.append(
            f'<div class="owui-compare-panel" data-outcome="{esc(verdict.outcome)}">'
            f'<h4 class="owui-compare-title">{esc(title)}</h4>{picture}{verdict_html(verdict, notes=True)}</div>'
        )
    return f"{CSS}<div class='owui-compare'>{''.join(panels)}</div>", verdicts


def compare(
    left: Config,
    right: Config,
    titles: tuple[str, str] = ("Docker Desktop", "Linux"),
    *,
    diagrams: bool = True,
) -> tuple[Verdict, Verdict]:
    """Display two configurations, each with its diagram and verdict (the lessons' Desktop | Linux view).

    Returns:
        The two verdicts, left then right.
    """
    from IPython.display import HTML, display

    markup, verdicts = compare_html(left, right, titles, diagrams=diagrams)
    display(HTML(markup))
    return verdicts
