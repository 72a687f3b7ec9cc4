"""The picture's size variants: how large its text is, and how much it says, for each place it is shown.

``drawing.draw(config, sizes=...)`` takes one of these: ``NORMAL`` (the notebook's picture), ``LESSON``
(the lessons' column), ``PROJECTOR`` (the stage, read from the back of the room) and ``CARD`` (the cheat
sheet's printed card). The readability tests hold each to its floor (``tests/test_drawing.py``,
``tests/test_cheatsheet.py``, the browser tests); to add a variant, add a ``Sizes`` here and its test.

Pure data: nothing here imports matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The design canvas's width in inches: all layout is in these units (``drawing.DESIGN_H`` its height).
DESIGN_W = 13.0


@dataclass(frozen=True)
class Sizes:
    """The picture's font sizes (points at scale 1) and how much it says: one per way it is shown.

    Attributes:
        canvas_w: the design canvas's width in inches (the layout spreads spare room over it).
        details: nodes say what they are ("container", "native process"); the verdict line under the
            picture is drawn. The projector leaves both out (the stage prints the steps in large type).
        sparse: the print card's few words: each box its name only (no address), no failure callout and
            no legend (the card prints them at body size), and the empty lanes under the boxes cut off.
    """

    boundary: float = 12.5
    title: float = 15.5
    sub: float = 12
    edge: float = 12.5
    port: float = 11.5
    mark: float = 20
    reason: float = 14.5
    foot: float = 11.5
    canvas_w: float = DESIGN_W
    details: bool = True
    sparse: bool = False


#: The notebook's picture (lessons, sandbox, files).
NORMAL = Sizes()
#: The lessons' picture: as NORMAL, but no text under 12.5 pt (ports, legend, node kinds) on a canvas as wide
#: as the widest seed packs to; shown a column wide, its smallest text gains a tenth.
LESSON = Sizes(sub=12.5, port=12.5, foot=12.5, canvas_w=12.9)
#: The stage's picture for a projector: every text at least 15 pt (NORMAL's smallest is 11.5) with fewer
#: words (no "container"/"native process", no verdict line), on a canvas as wide as the widest seed
#: packs to: shown as wide as the stage leaves it, its smallest text reads from the back of the room.
PROJECTOR = Sizes(boundary=15, title=17, sub=15, edge=15, port=15, mark=22, reason=15, foot=15, canvas_w=13.25,
                  details=False)
#: The cheat sheet's card, printed about 3.5 in wide: the boxes' names, the path with its ✓/✗ and dashes, its
#: URLs and published ports, nothing else; its text is large for the canvas (as wide as the widest seed packs
#: to) so that, printed, the smallest is at least ``cheatsheet``'s 6 pt.
CARD = Sizes(boundary=23, title=24, sub=23, edge=23, port=23, mark=26, reason=23, foot=23, canvas_w=13.0,
             details=False, sparse=True)
