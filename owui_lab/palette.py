"""The one palette: every colour the kit shows, named by what it means, and how an outcome looks and reads.

Every picture and page of the kit takes its colours from here: the drawing and the Mermaid export,
the HTML renderer (verdicts, live runs, the stage), the cheat sheet, the mode banner, the error box
and the classroom service's pages. A test fails on a hex colour anywhere else in the package.

Works and fails are the Okabe–Ito bluish green and vermillion (Okabe & Ito, "Color Universal Design",
2008), a pair that stays apart under deuteranopia, protanopia and tritanopia (``tests/test_palette.py``
simulates all three). Colour is never alone: a working path is solid and marked ✓, a failing one
dashed and marked ✗ (``PATH``), in the legend too. The ``*_INK`` shades are the same hues dark
enough for text on white (contrast at least 4.5:1, WCAG AA), for words, marks and buttons.

Base floor: imports nothing of the kit, so every floor may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------------------------------
# Outcomes: works, fails, and a warning (prediction only, a security note, a notice)
# --------------------------------------------------------------------------------------------------

WORKS = "#009e73"  # Okabe–Ito bluish green: a path that works (lines, borders, bars)
FAILS = "#d55e00"  # Okabe–Ito vermillion: a path that fails
WORKS_INK = "#007a5a"  # works, as text or a filled button on white (5.3:1)
FAILS_INK = "#b34700"  # fails, as text on white (5.5:1)
WORKS_BG = "#eef8f4"  # behind a verdict that works
FAILS_BG = "#fcf0e8"  # behind a verdict that fails, and behind an error box
WARNING_INK = "#7a5200"  # attention: prediction only, a security note, a notice (7.1:1)
WARNING_BG = "#fff5dc"

# --------------------------------------------------------------------------------------------------
# Text and surfaces
# --------------------------------------------------------------------------------------------------

TEXT = "#1b1b1b"  # body text
MUTED = "#555555"  # secondary text (7.5:1 on white)
PAPER = "#ffffff"  # the page, and the white behind labels on a picture
PANEL_BG = "#fbfcfc"  # behind a box of the kit's output
CODE_BG = "#f6f8fa"  # behind code and table headers
BORDER = "#ccccdd"  # a box's or a table's thin border
CONTROL_BORDER = "#888888"  # an unpressed switch on the stage
INFO = "#1f618d"  # neutral emphasis: Docker Desktop mode, the projector's buttons and tabs
BAR = "#5d6d7e"  # a count that is neither right nor wrong (the room's answers)
TRACK = "#eef1f4"  # the empty part of a bar

# --------------------------------------------------------------------------------------------------
# The picture's boxes: (fill, edge) by what the box stands for
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxColours:
    """A box's fill and its edge (the edge colours its label too)."""

    fill: str
    edge: str


BOXES: dict[str, BoxColours] = {
    "host": BoxColours("#f5f5f5", "#4d4d4d"),  # the host machine
    "vm": BoxColours("#e6effa", "#2f6aa8"),  # Docker Desktop's Linux VM
    "bridge": BoxColours("#fff5dc", "#8a6100"),  # the default bridge network (docker0)
    "user-defined": BoxColours("#eef0f8", "#4a5a9a"),  # a user-defined network (compose's too)
    "host-network": BoxColours("#f3eafa", "#7b4aa0"),  # --network host
    "container": BoxColours("#ffffff", "#1d63ed"),  # a container (Docker blue)
    "process": BoxColours("#ffffff", "#4d4d4d"),  # a process on the host (a native Ollama)
    "person": BoxColours("#ffffff", "#4d4d4d"),  # the learner's browser
    "port": BoxColours("#ffe08a", "#8a6d00"),  # a published port
}

# --------------------------------------------------------------------------------------------------
# How a path looks: never by colour alone
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathLook:
    """How a path that works or fails is drawn: its colour, its line, its mark and its word.

    Attributes:
        colour: the line's colour.
        ink: the same hue for text (URLs, marks, callouts).
        dashed: a dashed line (fails) or a solid one (works): the shape carries the meaning too.
        mark: ✓ or ✗, on the path and in the legend.
        word: the legend's word.
    """

    colour: str
    ink: str
    dashed: bool
    mark: str
    word: str


PATH = {
    True: PathLook(WORKS, WORKS_INK, dashed=False, mark="✓", word="works"),
    False: PathLook(FAILS, FAILS_INK, dashed=True, mark="✗", word="fails"),
}

# --------------------------------------------------------------------------------------------------
# Outcomes in words (the engine's ids never reach a learner); every page says them the same way
# --------------------------------------------------------------------------------------------------

#: An outcome as the answer to "does Open WebUI reach Ollama?".
OUTCOME_TEXT = {
    "ok": "Yes: Open WebUI reaches Ollama",
    "name_not_resolved": "No: the host name does not resolve",
    "connection_refused": "No: connection refused (nothing listens there)",
    "unreachable": "No: unreachable (the packets never arrive)",
}
#: The same outcomes as a short phrase ("connection refused").
OUTCOME_PHRASE = {
    "ok": "it connects",
    "name_not_resolved": "name not resolved",
    "connection_refused": "connection refused",
    "unreachable": "unreachable",
}


def outcome_words(outcome: str) -> str:
    """An outcome as a statement, "Works" or "Fails: ..." (the cheat sheet's column), from ``OUTCOME_TEXT``."""
    if outcome == "ok":
        return "Works"
    return "Fails: " + OUTCOME_TEXT[outcome].split(": ", 1)[1]
