"""The cheat sheet laid out for print: the cards' page(s), then the engines' page, as matplotlib figures.

``layout(rows, paper)`` places every card of ``cheatsheet.cheat_sheet()`` (its title with ✓ or ✗, its
small diagram in ``drawing.CARD``, its words) and the engines' table of ``cheatsheet_engines`` on A4 or
US Letter, in inches from each page's bottom-left corner, with the page's legibility floors: words at
least ``BODY_PT``, diagram text at least ``DIAGRAM_PT`` printed. ``figure(page)`` paints one page (vector
text). ``cheatsheet.save`` writes them; ``tests/test_cheatsheet.py`` reads the PDF back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cheatsheet_engines import BY_HAND, ENGINES, RECORDINGS, SETUP_WORDS, engine_table
from .config import ENGINE_TITLES
from .errors import ConfigError
from .palette import MUTED, PATH, TEXT

if TYPE_CHECKING:
    from .cheatsheet import Row

#: The paper sizes ``save`` lays the page out for, (width, height) in inches, portrait.
PAPERS = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
#: The smallest text on the page outside the diagrams, in points (printed, read at arm's length).
BODY_PT = 9.0
#: The smallest text inside the diagrams (``drawing.CARD``: names, ports, marks and URLs), in points printed.
DIAGRAM_PT = 6.0
TITLE = "Open WebUI cannot reach Ollama? The {count} setups of the docs' Network Diagrams, as they really behave"
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def title(count: int) -> str:
    """The page's title for ``count`` setups (the catalogue's count, in words up to twelve)."""
    return TITLE.format(count=NUMBERS[count] if count < len(NUMBERS) else count)


# --------------------------------------------------------------------------------------------------
# The page: two columns of cards, each a title with ✓ or ✗, the diagram, and the words
# --------------------------------------------------------------------------------------------------

MARGIN = 0.4  # inches around the page's content (inside every printer's unprintable edge)
GAP = 0.1  # between the two columns, and the least between two rows
PAD = 0.09  # inside a card
SIZE_TITLE, SIZE_CARD, SIZE_BODY = 15.0, 11.0, BODY_PT
LINE = 1.28  # line height, in font sizes
MARKS = {True: "✓", False: "✗"}


@dataclass(frozen=True)
class Line:
    """One line of words on a card or the page: its text, size in points, weight, colour, and indent."""

    text: str
    size: float
    bold: bool = False
    colour: str = ""
    indent: float = 0.0

    @property
    def height(self) -> float:
        return self.size * LINE / 72


@dataclass(frozen=True)
class Card:
    """Where one scenario's card goes, in inches from the page's bottom-left corner (as a PDF counts)."""

    row: Row
    x: float
    top: float
    width: float
    height: float
    head: tuple[Line, ...]
    words: tuple[Line, ...]
    diagram: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Block:
    """Lines of words placed at ``x``, their first line's top at ``top`` (inches from the bottom-left)."""

    x: float
    top: float
    lines: tuple[Line, ...]

    @property
    def height(self) -> float:
        return sum(line.height for line in self.lines)


@dataclass(frozen=True)
class Page:
    """A laid-out page: its paper, size in inches, the header's and footer's lines, the cards, and (on the
    engines' page) the table's blocks of words and its rules (x0, y, x1: thin lines between its rows)."""

    paper: str
    width: float
    height: float
    header: tuple[Line, ...]
    footer: tuple[Line, ...]
    cards: tuple[Card, ...]
    blocks: tuple[Block, ...] = ()
    rules: tuple[tuple[float, float, float], ...] = ()


def colours() -> dict[str, str]:
    # ink: the works/fails hues dark enough for text, and for a card's thin frame on white paper
    return {"ok": PATH[True].ink, "fail": PATH[False].ink, "text": TEXT, "muted": MUTED}


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` inches, measured in the diagrams' font (DejaVu Sans)."""
    from .drawing import text_width

    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += f" {word}"
            continue
        while text_width(word, size, bold) > width:  # a URL or a file name wider than the column
            head = _split(word, width, size, bold)
            lines.append(head)
            word = word[len(head):]
        lines.append(word)
    return lines or [""]


def _split(word: str, width: float, size: float, bold: bool) -> str:
    """The longest head of ``word`` that fits ``width``, cut after a ``/`` or before a ``.``, ``:`` or ``-`` (a
    hyphen ending a line would read as a word broken in two, and PDF readers drop it)."""
    from .drawing import text_width

    fits = max(i for i in range(1, len(word) + 1) if i == 1 or text_width(word[:i], size, bold) <= width)
    cuts = [i for i in range(1, fits + 1) if word[i - 1] == "/" or (i < len(word) and word[i] in ".:-")]
    return word[:max(cuts)] if cuts and max(cuts) > fits // 3 else word[:fits]


def _card_words(r: Row, width: float) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """A card's title line, and the words under its diagram (labelled paragraphs, wrapped to ``width``)."""
    c = colours()
    head = (Line(r.scenario.title, SIZE_CARD, True, c["text"], indent=0.22),)
    paragraphs = [("", r.outcome, True), ("Ollama URL: ", r.url, False)]
    if r.fix:
        paragraphs.append(("Fix: ", r.fix, False))
    if r.safer:
        paragraphs.append(("Safer: ", r.safer, False))
    paragraphs += [("Security: ", n, False) for n in r.security if not r.safer or "0.0.0.0" not in n]
    words: list[Line] = []
    for label, text, bold in paragraphs:
        for i, line in enumerate(wrap(label + text, width, SIZE_BODY, bold)):
            words.append(Line(line, SIZE_BODY, bold, c["text"] if bold or not i else c["text"]))
    return head, tuple(words)


def _header_footer(title_text: str, lead: str, paper: str) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    c = colours()
    inner = PAPERS[paper][0] - 2 * MARGIN
    header = tuple(Line(t, SIZE_TITLE, True, c["text"]) for t in wrap(title_text, inner, SIZE_TITLE, True))
    header += tuple(Line(t, SIZE_BODY, False, c["muted"]) for t in wrap(lead, inner, SIZE_BODY))
    footer = tuple(Line(t, SIZE_BODY, False, c["muted"]) for t in wrap(
        "Every verdict, URL and fix here is the owui-lab engine's (owui-lab cheatsheet -o FILE). "
        "Check yours: owui-lab doctor.", inner, SIZE_BODY))
    return header, footer


def smallest_diagram_pt(cards: list[Card]) -> float:
    """The smallest diagram text of the placed ``cards``, printed, in points (its font x the card's scale)."""
    from .drawing import CARD, layout as draw_layout
    from .graph import topology

    smallest = min(CARD.boundary, CARD.title, CARD.edge, CARD.port, CARD.mark)
    scales = []
    for card in cards:
        lay = draw_layout(topology(card.row.scenario.config, card.row.verdict), CARD)
        x0, y0, x1, y1 = card.diagram
        scales.append(min((x1 - x0) / lay.width, (y1 - y0) / (lay.height - lay.bottom)))
    return smallest * min(scales)


def _place_cards(rows: list[Row], texts: list, top: float, per_column: int, diagram_h: float, gap: float,
                 column: float) -> list[Card]:
    """Cards down the left column, then the right, from ``top``; each diagram ``diagram_h`` high at most."""
    from .drawing import CARD, design_size

    design_w, design_h = design_size(CARD)
    d_max = (column - 2 * PAD) * design_h / design_w
    fixed = [2 * PAD + sum(line.height for line in h + w) + 0.06 for h, w in texts]
    cards, y = [], top
    for i in range(per_column):
        row_h = max(fixed[j] for j in (i, i + per_column) if j < len(rows)) + diagram_h
        for col, index in enumerate((i, i + per_column)):
            if index >= len(rows):
                continue
            head, words = texts[index]
            x = MARGIN + col * (column + GAP)
            # A card with fewer words than its neighbour gives the room to its diagram.
            d_h = min(d_max, row_h - fixed[index])
            d_top = y - PAD - sum(line.height for line in head) - 0.03
            d_w = d_h * design_w / design_h
            d_x = x + (column - d_w) / 2
            cards.append(Card(rows[index], x, y, column, row_h, head, words, (d_x, d_top - d_h, d_x + d_w, d_top)))
        y -= row_h + gap
    return cards


def layout(rows: list[Row], paper: str = "a4") -> tuple[Page, ...]:
    """Lay the sheet out on ``paper``: the cards' page, then the engines' page.

    The cards run down the left column, then the right, in the catalogue's order. Every diagram gets the
    same size, as large as the page allows (at most the column's width); what height is left is shared
    out between the rows, so the first page is filled to its margins. The first page holds as many rows
    of cards as keep the diagrams' text at least ``DIAGRAM_PT`` printed (four rows: eight cards); cards
    past them (a ninth scenario) go on a page of their own, at the same size; the engines' page is last.

    Why a page for the engines: the eight cards fill the first at 9 pt words and 6 pt diagrams (its
    smallest diagram text is 6.1-6.2 pt); the engines' table (five ways to write the URL on four
    engines, the engine's reasons and its caveat) needs about eight inches of 9 pt words more.
    """
    from .drawing import CARD, design_size

    if paper not in PAPERS:
        raise ConfigError(f"The cheat sheet comes in no paper size called '{paper}'.",
                          f"choose one of: {', '.join(PAPERS)}.")
    width, height = PAPERS[paper]
    inner = width - 2 * MARGIN
    header, footer = _header_footer(
        title(len(rows)), "✓ works as configured; ✗ fails: which step, the Ollama URL to use, the fix. "
        "Podman or rootless Docker: overleaf.", paper)
    column = (inner - GAP) / 2
    texts = [_card_words(r, column - 2 * PAD) for r in rows]
    fixed = [2 * PAD + sum(line.height for line in h + w) + 0.06 for h, w in texts]
    top = height - MARGIN - sum(line.height for line in header) - 0.06
    bottom = MARGIN + sum(line.height for line in footer) + 0.08
    design_w, design_h = design_size(CARD)
    d_max = (column - 2 * PAD) * design_h / design_w

    def fit(per_column: int) -> tuple[float, float]:
        """(diagram height, gap between rows) with ``per_column`` rows of the first cards on the page."""
        rows_fixed = [max(fixed[j] for j in (i, i + per_column) if j < len(rows)) for i in range(per_column)]
        room = top - bottom - (per_column - 1) * GAP - sum(rows_fixed)
        diagram_h = min(room / per_column, d_max)
        return diagram_h, GAP + (room - per_column * diagram_h) / max(per_column - 1, 1)

    def cards(per_column: int) -> list[Card]:
        first = min(len(rows), 2 * per_column)
        return _place_cards(rows[:first], texts[:first], top, per_column, *fit(per_column), column)

    per_column = -(-len(rows) // 2)
    while per_column > 1 and smallest_diagram_pt(cards(per_column)) < DIAGRAM_PT:
        per_column -= 1
    first = min(len(rows), 2 * per_column)
    diagram_h, _ = fit(per_column)
    pages = [Page(paper, width, height, header, footer, tuple(cards(per_column)))]
    continued = tuple(line for line in _header_footer(f"{title(len(rows))} (continued)", "", paper)[0] if line.bold)
    for start in range(first, len(rows), first):  # the cards past the first page: as many pages as they need
        more = rows[start:start + first]
        placed = _place_cards(more, texts[start:start + first], height - MARGIN - sum(line.height for line in continued)
                              - 0.06, -(-len(more) // 2), diagram_h, GAP, column)
        pages.append(Page(paper, width, height, continued, footer, tuple(placed)))
    pages.append(_engines_page(paper))
    return tuple(pages)


def _engines_page(paper: str) -> Page:
    """The last page: the engines' table, its notes and the engine's caveat."""
    c = colours()
    width, height = PAPERS[paper]
    inner = width - 2 * MARGIN
    header, footer = _header_footer(
        "On Podman or rootless Docker? What changes for a host Ollama",
        f"{SETUP_WORDS} Each cell is the owui-lab engine's verdict for that engine, measured in the recording "
        f"its column names (data/truth/); † measured by hand ({BY_HAND}).", paper)
    top = height - MARGIN - sum(line.height for line in header) - 0.06
    table = engine_table()
    label_w = 2.2
    cell_w = (inner - label_w) / len(ENGINES)
    blocks: list[Block] = []
    rules: list[tuple[float, float, float]] = []

    def row(label: list[Line], cells: list[list[Line]], y: float) -> float:
        blocks.append(Block(MARGIN, y, tuple(label)))
        for i, lines in enumerate(cells):
            blocks.append(Block(MARGIN + label_w + i * cell_w + 0.06, y, tuple(lines)))
        h = max(sum(line.height for line in lines) for lines in [label, *cells])
        rules.append((MARGIN, y - h - 0.04, width - MARGIN))
        return y - h - 0.1

    def words(text: str, w: float, bold: bool = False, colour: str = "") -> list[Line]:
        return [Line(t, SIZE_BODY, bold, colour or c["text"]) for t in wrap(text, w - 0.1, SIZE_BODY, bold)]

    y = top
    y = row(words("Ollama URL (Open WebUI's OLLAMA_BASE_URL)", label_w, True),
            [words(ENGINE_TITLES[e], cell_w, True) + words(f"recorded: {RECORDINGS[e]}", cell_w, colour=c["muted"])
             for e in ENGINES], y)

    def cell_lines(cell) -> list[Line]:
        dagger = " †" if cell.source == BY_HAND else ""
        return words(cell.words + dagger, cell_w, colour=c["ok"] if cell.works else c["fail"])

    for cells in table.rows:
        y = row(words(cells[0].way.label, label_w), [cell_lines(cell) for cell in cells], y)
    y = row(words("OLLAMA_HOST=127.0.0.1 (Ollama's default) at the URL that works", label_w),
            [cell_lines(cell) for cell in table.loopback], y)
    y = row(words("So use", label_w, True), [words(u, cell_w, True) for u in table.use], y)
    notes = [Line(t, SIZE_BODY, False, c["text"]) for n, why in enumerate(table.notes, 1)
             for t in wrap(f"({n}) {why}", inner, SIZE_BODY)]
    notes += [Line(t, SIZE_BODY, False, c["muted"]) for caveat in table.caveats for t in wrap(caveat, inner, SIZE_BODY)]
    blocks.append(Block(MARGIN, y - 0.04, tuple(notes)))
    return Page(paper, width, height, header, footer, (), tuple(blocks), tuple(rules))


def figure(page: Page):
    """The page as a matplotlib figure (no pyplot): vector text, one ``drawing.draw`` per card."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    from .drawing import CARD, draw, font

    c = colours()
    W, H = page.width, page.height
    fig = Figure(figsize=(W, H))
    FigureCanvasAgg(fig)

    def text(x: float, y: float, line: Line, **kw) -> None:
        fig.text(x / W, y / H, line.text, fontproperties=font(line.size, line.bold), color=line.colour or c["text"],
                 va="top", ha="left", **kw)

    y = H - MARGIN
    for line in page.header:
        text(MARGIN, y, line)
        y -= line.height
    y = MARGIN + sum(line.height for line in page.footer)
    for line in page.footer:
        text(MARGIN, y, line)
        y -= line.height
    for card in page.cards:
        works = card.row.works
        colour = c["ok"] if works else c["fail"]
        # Never colour alone: a failing card's frame is dashed and carries ✗, a working one solid with ✓.
        fig.add_artist(FancyBboxPatch(
            (card.x / W, (card.top - card.height) / H), card.width / W, card.height / H,
            boxstyle="round,pad=0,rounding_size=0.008", transform=fig.transFigure, facecolor="none",
            edgecolor=colour, linewidth=1.6, linestyle="-" if works else (0, (4, 2.5))))
        y = card.top - PAD
        fig.text((card.x + PAD) / W, y / H, MARKS[works], fontproperties=font(SIZE_CARD + 2, True), color=colour,
                 va="top", ha="left")
        for line in card.head:
            text(card.x + PAD + line.indent, y, line)
            y -= line.height
        x0, y0, x1, y1 = card.diagram
        ax = fig.add_axes(((x0) / W, y0 / H, (x1 - x0) / W, (y1 - y0) / H))
        draw(card.row.scenario.config, ax=ax, verdict=card.row.verdict, sizes=CARD)
        y = y0 - 0.06
        for line in card.words:
            text(card.x + PAD + line.indent, y, line)
            y -= line.height
    for block in page.blocks:
        y = block.top
        for line in block.lines:
            text(block.x + line.indent, y, line)
            y -= line.height
    for x0, y, x1 in page.rules:
        fig.add_artist(Line2D((x0 / W, x1 / W), (y / H, y / H), transform=fig.transFigure, color=c["muted"],
                              linewidth=0.5))
    return fig
