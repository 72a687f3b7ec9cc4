"""The take-home cheat sheet: the setups of the docs' "Network Diagrams" page as a visual sheet.

Nothing on it is written by hand. For each seed scenario (as many as the catalogue holds) the
engine gives what really happens (and the step that fails), its gentlest fix, the URL to use once fixed,
the security note of the fixed setup where the fix opens Ollama and, for a host Ollama on Linux, the
safer docker0 bind beside ``0.0.0.0`` when the engine says it works too; the small diagram of each card
is ``drawing.draw`` of the scenario's own configuration in its print variant, ``drawing.CARD`` (names, path,
URL: at least ``DIAGRAM_PT`` printed). The last page is for Podman and rootless Docker: the engines' table
of ``cheatsheet_engines`` (each cell the engine's verdict with ``engine=``, and its source). The rows are
computed here; ``cheatsheet_print`` lays them out for paper, this module writes the files. ``owui-lab
cheatsheet -o FILE [--paper a4|letter]`` writes it as ``.pdf`` (to print two-sided: vector, text
searchable), ``.png`` (a file a page) or ``.html``.

Example::

    from owui_lab.cheatsheet import cheat_sheet, save
    rows = cheat_sheet()          # one Row per seed scenario, each with its Verdict
    save("cheatsheet.pdf", paper="letter")
"""

from __future__ import annotations

import base64
import html
import logging
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from .catalog import Scenario, scenarios
from .cheatsheet_engines import BY_HAND, ENGINES, RECORDINGS, SETUP_WORDS, engine_table
# The print layout is cheatsheet_print's; its sizes, papers and layout are named through here too.
from .cheatsheet_print import (  # noqa: F401
    BODY_PT, DIAGRAM_PT, MARGIN, MARKS, PAPERS, SIZE_BODY, SIZE_CARD, SIZE_TITLE, colours, figure, layout, title,
)
from .config import DOCKER0_ADDRESS, ENGINE_TITLES, Config
from .engine import Verdict, evaluate
from .errors import ConfigError, OwuiLabError
from .fixes import candidate_changes
from .palette import outcome_words
from .prediction import predict

#: The formats ``save`` writes.
FORMATS = (".html", ".pdf", ".png")
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
        text += f" (step {step.name}: {step.cause})"
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
    note = next((n.body for n in v.note_data if n.code == "security_ollama_on_docker0"), "")
    # The note's first sentence (up to its "(safer than 0.0.0.0)."): the costs stay in the lessons. A sentence
    # ends at a full stop before a capital, never inside an address such as 172.17.0.1.
    return re.split(r"(?<=\.)\s+(?=[A-Z])", note, maxsplit=1)[0] if note else ""


def row(s: Scenario) -> Row:
    """One scenario's row, computed from the engine."""
    v = predict(s.config)
    fix = v.fixes[0] if v.fixes else ""
    after = fixed_config(s.config, fix) if fix else s.config
    notes = evaluate(after).note_data if after is not None else v.note_data
    security = tuple(n.body for n in notes if n.security)
    url = (after or s.config).base_url
    safer = docker0_bind(after) if after is not None and fix else ""
    return Row(s, v, diagram_line(s.config), what_happens(v), fix, security, url, safer)


def cheat_sheet() -> list[Row]:
    """Every seed scenario's row, in the catalogue's order."""
    return [row(s) for s in scenarios()]


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
    c = colours()
    page = layout(rows, paper)[0]
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
        f".engines{{break-before:page;margin-top:.3in}}table{{border-collapse:collapse;width:100%}}"
        f"th,td{{text-align:left;vertical-align:top;padding:.04in;border-bottom:1px solid {c['muted']}}}"
        f"td.works{{color:{c['ok']}}}td.fails{{color:{c['fail']}}}.notes{{padding-left:1.5em}}"
        "th small{font-size:inherit;font-weight:normal;color:inherit}"
        "</style></head><body><main>"
        f"<h1>{esc(title(len(rows)))}</h1><p class='lead'>{header}</p><div class='cards'>{''.join(cards)}</div>"
        f"{engines_html()}</main>"
        f"<footer><p>{' '.join(esc(line.text) for line in page.footer)}</p></footer></body></html>"
    )


def engines_html() -> str:
    """The engines' table as an HTML section: the same cells, notes and caveat as the printed second page."""
    esc = html.escape
    table = engine_table()

    def cells(row) -> str:
        return "".join(f"<td class='{'works' if cell.works else 'fails'}' data-engine='{cell.engine}' "
                       f"data-source='{esc(cell.source)}'>{esc(cell.words)}{' †' if cell.source == BY_HAND else ''}</td>"
                       for cell in row)

    head = "".join(f"<th scope='col'>{esc(ENGINE_TITLES[e])}<br><small>recorded: {esc(RECORDINGS[e])}</small></th>"
                   for e in ENGINES)
    body = "".join(f"<tr><th scope='row'>{esc(row[0].way.label)}</th>{cells(row)}</tr>" for row in table.rows)
    body += (f"<tr><th scope='row'>OLLAMA_HOST=127.0.0.1 (Ollama's default) at the URL that works</th>"
             f"{cells(table.loopback)}</tr>")
    body += "<tr><th scope='row'>So use</th>" + "".join(f"<td><code>{esc(u)}</code></td>" for u in table.use) + "</tr>"
    notes = "".join(f"<li>{esc(n)}</li>" for n in table.notes)
    caveats = "".join(f"<p class='lead'>{esc(t)}</p>" for t in table.caveats)
    return (f"<section class='engines' aria-labelledby='engines'><h2 id='engines'>On Podman or rootless Docker? "
            f"What changes for a host Ollama</h2><p class='lead'>{esc(SETUP_WORDS)} Each cell is the owui-lab engine's "
            f"verdict for that engine, measured in the recording its column names (data/truth/); † measured by hand "
            f"({esc(BY_HAND)}).</p><table><thead><tr><th scope='col'>Ollama URL (Open WebUI's OLLAMA_BASE_URL)</th>"
            f"{head}</tr></thead><tbody>{body}</tbody></table><ol class='notes'>{notes}</ol>{caveats}</section>")


# --------------------------------------------------------------------------------------------------
# Writing it
# --------------------------------------------------------------------------------------------------


def save(path: str | Path, paper: str = "a4") -> Path:
    """Write the cheat sheet in the format the extension names (.html, .pdf or .png), for ``paper``.

    A PDF holds both pages; a PNG is the first page, and the engines' page goes beside it as FILE-2.png.

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
    pages = layout(rows, paper)
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
                    if ext == ".pdf":  # one document, a page a figure (print it two-sided)
                        from matplotlib.backends.backend_pdf import PdfPages

                        with PdfPages(path, metadata={"Creator": "owui-lab"}) as pdf:
                            for page in pages:
                                pdf.savefig(figure(page))
                    else:  # a picture a page: FILE.png, then FILE-2.png
                        for n, page in enumerate(pages, 1):
                            target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
                            figure(page).savefig(target, format="png", dpi=150)
            finally:
                quiet.setLevel(level)
    except OSError as exc:
        raise OwuiLabError(f"Cannot write the cheat sheet to '{path}': {exc.strerror}.",
                           "choose a folder you can write to.") from None
    return path
