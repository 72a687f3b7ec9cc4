"""The take-home cheat sheet: the setups of the docs' "Network Diagrams" page as a visual one-pager.

Nothing on it is written by hand. For each seed scenario (as many as the catalogue holds: eight) the
engine gives what really happens (and the step that fails), its gentlest fix, the URL to use once fixed,
the security note of the fixed setup where the fix opens Ollama and, for a host Ollama on Linux, the
safer docker0 bind beside ``0.0.0.0`` when the engine says it works too; the small diagram of each card
is ``drawing.draw`` of the scenario's own configuration in its print variant, ``drawing.CARD`` (names, path,
URL: at least ``DIAGRAM_PT`` printed). ``owui-lab cheatsheet -o FILE [--paper a4|letter]``
writes it as ``.pdf`` (to print: vector, text searchable), ``.png`` or ``.html``.

Example::

    from owui_lab.cheatsheet import cheat_sheet, save
    rows = cheat_sheet()          # one Row per seed scenario, each with its Verdict
    save("cheatsheet.pdf", paper="letter")
"""

from __future__ import annotations

import base64
import html
import logging
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from .catalog import Scenario, scenarios
from .config import DOCKER0_ADDRESS, Config
from .engine import Verdict, evaluate
from .errors import ConfigError, OwuiLabError
from .fixes import candidate_changes
from .palette import MUTED, PATH, TEXT, outcome_words
from .prediction import predict

#: The formats ``save`` writes.
FORMATS = (".html", ".pdf", ".png")
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



@dataclass(frozen=True)
class Row:
    """One scenario on the cheat sheet, every word computed from the engine.

    Attributes:
        scenario: the seed scenario.
        verdict: ``predict()`` of its configuration.
        diagram: the docs' diagram in one line (who, where, which URL).
        happens: what really happens, with the failing step and its reason.
        fix: the engine's gentlest fix ("" when it works as it is).
        security: the security notes of the setup once fixed (where Ollama is opened).
        url: the ``OLLAMA_BASE_URL`` to use: the scenario's own, or the fixed setup's.
        safer: for a fix that opens a host Ollama on every address, the docker0-only bind the engine
            says works as well, in the engine's words ("" otherwise).
    """

    scenario: Scenario
    verdict: Verdict
    diagram: str
    happens: str
    fix: str
    security: tuple[str, ...]
    url: str = ""
    safer: str = ""

    @property
    def works(self) -> bool:
        """True when Open WebUI reaches Ollama and the browser reaches Open WebUI, as configured."""
        return self.verdict.reachable and self.verdict.browser.reachable

    @property
    def outcome(self) -> str:
        """The verdict in a few words: works, or which step fails how (and the browser when it fails)."""
        v = self.verdict
        text = outcome_words(v.outcome).split(" (")[0]
        if v.failing_step is not None:
            text += f" (step {v.failing_step.name})"
        if not v.browser.reachable:
            text += f"; the browser cannot open {v.browser.url}"
        return text


def diagram_line(c: Config) -> str:
    """The docs' diagram of a configuration in one line: browser → Open WebUI → URL → Ollama."""
    platform = "Linux" if c.platform == "linux" else "Docker Desktop"
    if c.webui_host_mode:
        webui = "Open WebUI (--network host)"
    else:
        net = "default bridge" if c.webui_network == "bridge" else f"network {c.webui_network}"
        webui = f"Open WebUI (container on the {net}, -p {c.webui_port}:8080)"
    if c.ollama_in_container:
        net = c.ollama_network_effective
        where = "host network" if net == "host" else ("default bridge" if net == "bridge" else f"network {net}")
        publish = {"none": "", "all": ", -p 11434:11434", "loopback": ", -p 127.0.0.1:11434:11434"}[
            c.ollama_publish_effective]
        ollama = f"Ollama (container on the {where}{publish})"
    else:
        ollama = f"Ollama (native on the host, OLLAMA_HOST={c.ollama_listen})"
    extra = " + --add-host host-gateway" if c.add_host_gateway else ""
    compose = "compose: " if c.compose else ""
    return f"{platform}, {compose}{webui}{extra} → {c.base_url} → {ollama}"


def what_happens(v: Verdict) -> str:
    """The verdict in words: works, or which step fails and why; then the browser when it fails."""
    text = outcome_words(v.outcome)
    step = v.failing_step
    if step is not None:
        reason = step.reason.removesuffix(" → connection refused")
        text += f" (step {step.name}: {reason})"
    if not v.browser.reachable:
        text += f". And the browser cannot open Open WebUI at {v.browser.url}: {v.browser.reason}"
    elif v.reachable:
        text += f": every step passes, and the browser opens Open WebUI at {v.browser.url}"
    return text + "."


def fixed_config(config: Config, fix: str) -> Config | None:
    """The configuration after ``fix`` (one of the engine's fix texts), found among the engine's changes."""
    changes = candidate_changes(config)
    for size in (1, 2):
        for combo in combinations(changes, size):
            if "; and ".join(ch.text for ch in combo) != fix:
                continue
            knobs = config.to_dict()
            for ch in combo:
                knobs.update(dict(ch.knobs))
            try:
                return Config(**knobs)
            except ConfigError:
                return None
    return None


def docker0_bind(config: Config) -> str:
    """The engine's words for binding a host Ollama to docker0 only, when that works for ``config``.

    ``OLLAMA_HOST=0.0.0.0`` opens Ollama to the LAN; on Linux ``OLLAMA_HOST=172.17.0.1`` is enough for
    containers. Returned only when the engine says the setup then works end to end; "" otherwise.
    """
    if config.platform != "linux" or config.ollama_in_container or not config.ollama_listen.all_addresses:
        return ""
    try:
        bound = Config(**{**config.to_dict(), "ollama_bind": DOCKER0_ADDRESS})
    except ConfigError:
        return ""
    v = evaluate(bound)
    if not (v.reachable and v.browser.reachable):
        return ""
    note = next((n for n in v.notes if n.startswith(f"Security: OLLAMA_HOST={DOCKER0_ADDRESS}")), "")
    # The note's first sentence (up to its "(safer than 0.0.0.0)."): the costs stay in the lessons.
    return note.removeprefix("Security: ").split(". ")[0].rstrip(".") + "." if note else ""


def row(s: Scenario) -> Row:
    """One scenario's row, computed from the engine."""
    v = predict(s.config)
    fix = v.fixes[0] if v.fixes else ""
    after = fixed_config(s.config, fix) if fix else s.config
    notes = evaluate(after).notes if after is not None else v.notes
    security = tuple(n.removeprefix("Security: ") for n in notes if n.startswith("Security:"))
    url = (after or s.config).base_url
    safer = docker0_bind(after) if after is not None and fix else ""
    return Row(s, v, diagram_line(s.config), what_happens(v), fix, security, url, safer)


def cheat_sheet() -> list[Row]:
    """Every seed scenario's row, in the catalogue's order."""
    return [row(s) for s in scenarios()]


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
class Page:
    """The laid-out page: its paper, size in inches, the header's and footer's lines, and the cards."""

    paper: str
    width: float
    height: float
    header: tuple[Line, ...]
    footer: tuple[Line, ...]
    cards: tuple[Card, ...]


def _colours() -> dict[str, str]:
    # ink: the works/fails hues dark enough for text, and for a card's thin frame on white paper
    return {"ok": PATH[True].ink, "fail": PATH[False].ink, "text": TEXT, "muted": MUTED}


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` inches, measured in the diagrams' font (DejaVu Sans)."""
    from .drawing import text_width

    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _card_words(r: Row, width: float) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """A card's title line, and the words under its diagram (labelled paragraphs, wrapped to ``width``)."""
    c = _colours()
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


def layout(rows: list[Row], paper: str = "a4") -> Page:
    """Lay the cards out on ``paper``: the catalogue's order down the left column, then the right.

    Every diagram gets the same size, as large as the page allows (at most the column's width); what
    height is left is shared out between the rows, so the page is filled to its margins.
    """
    from .drawing import CARD, design_size

    if paper not in PAPERS:
        raise ConfigError(f"The cheat sheet comes in no paper size called '{paper}'.",
                          f"choose one of: {', '.join(PAPERS)}.")
    c = _colours()
    width, height = PAPERS[paper]
    inner = width - 2 * MARGIN
    header = tuple(Line(t, SIZE_TITLE, True, c["text"]) for t in wrap(title(len(rows)), inner, SIZE_TITLE, True))
    header += tuple(Line(t, SIZE_BODY, False, c["muted"]) for t in wrap(
        "✓ works as configured; ✗ fails: which step, then the Ollama URL to use and the fix.", inner, SIZE_BODY))
    footer = tuple(Line(t, SIZE_BODY, False, c["muted"]) for t in wrap(
        "Every verdict, URL and fix here is the owui-lab engine's (owui-lab cheatsheet -o FILE). "
        "Check yours: owui-lab doctor.", inner, SIZE_BODY))
    column = (inner - GAP) / 2
    per_column = -(-len(rows) // 2)
    texts = [_card_words(r, column - 2 * PAD) for r in rows]
    fixed = [2 * PAD + sum(line.height for line in h + w) + 0.06 for h, w in texts]
    rows_fixed = [max(fixed[i], fixed[i + per_column] if i + per_column < len(rows) else 0)
                  for i in range(per_column)]
    top = height - MARGIN - sum(line.height for line in header) - 0.06
    bottom = MARGIN + sum(line.height for line in footer) + 0.08
    room = top - bottom - (per_column - 1) * GAP - sum(rows_fixed)
    design_w, design_h = design_size(CARD)
    d_max = (column - 2 * PAD) * design_h / design_w
    diagram_h = min(room / per_column, d_max)
    gap = GAP + (room - per_column * diagram_h) / max(per_column - 1, 1)
    cards = []
    y = top
    for i in range(per_column):
        row_h = rows_fixed[i] + diagram_h
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
    return Page(paper, width, height, header, footer, tuple(cards))


def figure(page: Page):
    """The page as a matplotlib figure (no pyplot): vector text, one ``drawing.draw`` per card."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    from .drawing import CARD, draw, font

    c = _colours()
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
    return fig


# --------------------------------------------------------------------------------------------------
# The web page
# --------------------------------------------------------------------------------------------------


def diagram_alt(r: Row) -> str:
    """The diagram's text alternative, from the engine (``describe``: the kit's one diagram-in-words)."""
    from .describe import describe

    return describe(r.scenario.config, r.verdict).summary


def to_html(rows: list[Row], paper: str = "a4") -> str:
    """The cheat sheet as one printable HTML page: the same cards, each diagram an SVG with alt text."""
    from .drawing import CARD, design_size, draw, new_figure, render_svg

    esc = html.escape
    c = _colours()
    page = layout(rows, paper)
    cards = []
    for r in rows:  # in the catalogue's order (a screen reader's order); the grid flows down the columns
        _, ax = new_figure(*design_size(CARD))
        svg = base64.b64encode(render_svg(draw(r.scenario.config, ax=ax, verdict=r.verdict, sizes=CARD))).decode("ascii")
        words = "".join(
            f"<p class='{cls}'>{esc(label)}{'<code>' + esc(text) + '</code>' if cls == 'url' else esc(text)}</p>"
            for cls, label, text in (
                [("happens", "", r.outcome), ("url", "Ollama URL: ", r.url)]
                + ([("fix", "Fix: ", r.fix)] if r.fix else [])
                + ([("safer", "Safer: ", r.safer)] if r.safer else [])
                + [("sec", "Security: ", n) for n in r.security if not r.safer or "0.0.0.0" not in n]))
        state = "works" if r.works else "fails"
        cards.append(
            f"<section class='card {state}' data-scenario='{esc(r.scenario.id)}' aria-labelledby='t-{esc(r.scenario.id)}'>"
            f"<h2 id='t-{esc(r.scenario.id)}'><span class='mark' aria-hidden='true'>{MARKS[r.works]}</span> "
            f"{esc(r.scenario.title)}<span class='sr'> ({state})</span></h2>"
            f"<img src='data:image/svg+xml;base64,{svg}' alt='{esc(diagram_alt(r), quote=True)}'>{words}</section>"
        )
    size = "A4" if paper == "a4" else "letter"
    header = " ".join(esc(line.text) for line in page.header if line.size == SIZE_BODY)  # under the title
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>owui-lab cheat sheet</title><style>"
        f"@page{{size:{size} portrait;margin:{MARGIN}in}}"
        f"body{{font:{BODY_PT}pt/1.3 'DejaVu Sans',sans-serif;margin:{MARGIN}in;color:{c['text']};"
        "max-width:60rem}"
        f"h1{{font-size:{SIZE_TITLE}pt;margin:0 0 .2em}}.lead,footer{{color:{c['muted']}}}"
        f".cards{{display:grid;grid-template-columns:1fr 1fr;grid-template-rows:repeat({-(-len(rows) // 2)},auto);"
        "grid-auto-flow:column;gap:.2in}"
        f".card{{border:2px solid {c['ok']};border-radius:6px;padding:.09in;break-inside:avoid}}"
        f".card.fails{{border:2px dashed {c['fail']}}}"
        f"h2{{font-size:{SIZE_CARD}pt;margin:0 0 .3em}}.mark{{font-size:{SIZE_CARD + 2}pt}}"
        f".works .mark{{color:{c['ok']}}}.fails .mark{{color:{c['fail']}}}"
        "img{width:100%;height:auto;display:block}p{margin:.2em 0}.happens{font-weight:bold}"
        "code{font-family:inherit}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
        "</style></head><body><main>"
        f"<h1>{esc(title(len(rows)))}</h1><p class='lead'>{header}</p><div class='cards'>{''.join(cards)}</div></main>"
        f"<footer><p>{' '.join(esc(line.text) for line in page.footer)}</p></footer></body></html>"
    )


# --------------------------------------------------------------------------------------------------
# Writing it
# --------------------------------------------------------------------------------------------------


def save(path: str | Path, paper: str = "a4") -> Path:
    """Write the cheat sheet in the format the extension names (.html, .pdf or .png), for ``paper``.

    Args:
        path: the file to write; its extension picks the format.
        paper: "a4" or "letter" (portrait).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ConfigError(
            f"Cannot tell which format to write for '{path}': the extension '{ext or '(none)'}' is not one "
            "the cheat sheet comes in.",
            "name the file .pdf (to print), .png (a picture) or .html (a web page).",
        )
    rows = cheat_sheet()
    page = layout(rows, paper)
    try:
        if ext == ".html":
            path.write_text(to_html(rows, paper), encoding="utf-8")
        else:
            from matplotlib import rc_context

            quiet = logging.getLogger("matplotlib.font_manager")
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                # TrueType embedded (Type 42): the PDF keeps DejaVu's ✓, ✗ and →, and stays searchable.
                with rc_context({"pdf.fonttype": 42, "svg.fonttype": "path"}):
                    figure(page).savefig(path, format=ext[1:], dpi=150, metadata={"Creator": "owui-lab"}
                                         if ext == ".pdf" else None)
            finally:
                quiet.setLevel(level)
    except OSError as exc:
        raise OwuiLabError(f"Cannot write the cheat sheet to '{path}': {exc.strerror}.",
                           "choose a folder you can write to.") from None
    return path
