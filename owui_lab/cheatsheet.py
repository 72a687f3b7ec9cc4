"""The take-home cheat sheet: the eight setups of the docs' "Network Diagrams" page on one page.

Nothing on it is written by hand. For each seed scenario the engine gives what really happens (and the
step that fails), its gentlest fix, and the security note of the fixed setup where the fix opens Ollama;
the one-line diagram is drawn from the scenario's own configuration. ``owui-lab cheatsheet -o FILE``
writes it as ``.html``, ``.pdf`` (matplotlib's PDF backend) or ``.png``.

Example::

    from owui_lab.cheatsheet import cheat_sheet, save
    rows = cheat_sheet()          # one Row per seed scenario, each with its Verdict
    save("cheatsheet.pdf")
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from .catalog import Scenario, scenarios
from .config import Config
from .engine import Verdict, evaluate
from .errors import ConfigError, OwuiLabError
from .fixes import candidate_changes
from .prediction import predict

#: The formats ``save`` writes.
FORMATS = (".html", ".pdf", ".png")
TITLE = "Open WebUI cannot reach Ollama? The eight setups of the docs' Network Diagrams, as they really behave"
#: An outcome in the learner's words (the engine's ids never reach a learner).
WHAT_HAPPENS = {
    "ok": "Works",
    "name_not_resolved": "Fails: the host name does not resolve",
    "connection_refused": "Fails: connection refused",
    "unreachable": "Fails: unreachable (the connection hangs until it times out)",
}


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
    """

    scenario: Scenario
    verdict: Verdict
    diagram: str
    happens: str
    fix: str
    security: tuple[str, ...]


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
    text = WHAT_HAPPENS[v.outcome]
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


def row(s: Scenario) -> Row:
    """One scenario's row, computed from the engine."""
    v = predict(s.config)
    fix = v.fixes[0] if v.fixes else ""
    after = fixed_config(s.config, fix) if fix else s.config
    notes = evaluate(after).notes if after is not None else v.notes
    security = tuple(n.removeprefix("Security: ") for n in notes if n.startswith("Security:"))
    return Row(s, v, diagram_line(s.config), what_happens(v), fix, security)


def cheat_sheet() -> list[Row]:
    """Every seed scenario's row, in the catalogue's order."""
    return [row(s) for s in scenarios()]


# --------------------------------------------------------------------------------------------------
# Writing it
# --------------------------------------------------------------------------------------------------


def to_html(rows: list[Row]) -> str:
    """The cheat sheet as one printable HTML page."""
    esc = html.escape
    body = []
    for r in rows:
        ok = r.verdict.reachable and r.verdict.browser.reachable
        colour = "#1e8449" if ok else "#c0392b"
        security = "".join(f"<div class='sec'>Security: {esc(n)}</div>" for n in r.security)
        fix = esc(r.fix) if r.fix else "Nothing to fix."
        body.append(
            f"<tr data-scenario='{esc(r.scenario.id)}'><td><b>{esc(r.scenario.title)}</b>"
            f"<div class='id'>{esc(r.scenario.id)}</div><div class='diagram'>{esc(r.diagram)}</div></td>"
            f"<td class='happens' style='color:{colour}'>{esc(r.happens)}</td>"
            f"<td class='fix'>{fix}{security}</td></tr>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>owui-lab cheat sheet</title>"
        "<style>body{font:11px/1.35 sans-serif;margin:12mm;color:#222}h1{font-size:16px}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccd;padding:4px 6px;"
        "vertical-align:top;text-align:left}th{background:#f6f8fa}.id{color:#555;font-family:monospace}"
        ".diagram{margin-top:3px}.sec{color:#7a5200;margin-top:3px}@page{size:A4 landscape;margin:8mm}"
        "</style></head><body>"
        f"<h1>{esc(TITLE)}</h1>"
        "<table><tr><th style='width:34%'>Setup (the docs' diagram in one line)</th>"
        "<th style='width:33%'>What really happens</th><th>The fix (and what it opens)</th></tr>"
        + "".join(body)
        + "</table><p class='id'>Generated by owui-lab from its engine and seed scenarios "
        "(owui-lab cheatsheet -o FILE). Check your own setup: owui-lab doctor.</p></body></html>"
    )


def _figure(rows: list[Row]):
    """The cheat sheet as a matplotlib figure: A4 landscape, three columns, one block per scenario."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.69, 8.27))
    fig.text(0.02, 0.975, TITLE, fontsize=11, weight="bold", va="top")
    columns = ((0.02, 80, "Setup (the docs' diagram in one line)"), (0.36, 80, "What really happens"),
               (0.685, 70, "The fix (and what it opens)"))
    top, bottom = 0.935, 0.04
    for x, _, head in columns:
        fig.text(x, top, head, fontsize=8, weight="bold", va="top")
    height = (top - 0.02 - bottom) / len(rows)
    for i, r in enumerate(rows):
        y = top - 0.02 - i * height
        ok = r.verdict.reachable and r.verdict.browser.reachable
        cells = (
            [(f"{r.scenario.title}  [{r.scenario.id}]", "bold", "#222")]
            + [(line, "normal", "#222") for line in textwrap.wrap(r.diagram, columns[0][1])],
            [(line, "normal", "#1e8449" if ok else "#c0392b") for line in textwrap.wrap(r.happens, columns[1][1])],
            [(line, "normal", "#222") for line in textwrap.wrap(r.fix or "Nothing to fix.", columns[2][1])]
            + [(line, "normal", "#7a5200") for n in r.security for line in textwrap.wrap("Security: " + n, columns[2][1])],
        )
        for (x, _, _), lines in zip(columns, cells):
            size = 6.3 if len(lines) <= 9 else 5.6
            for j, (line, weight, colour) in enumerate(lines):
                fig.text(x, y - j * size * 1.3 / (8.27 * 72), line, fontsize=size, weight=weight, color=colour,
                         va="top")
        fig.add_artist(_rule(fig, y + 0.004))
    fig.text(0.02, 0.015, "Generated by owui-lab from its engine and seed scenarios (owui-lab cheatsheet -o FILE). "
             "Check your own setup: owui-lab doctor.", fontsize=6, color="#555")
    return fig


def _rule(fig, y: float):
    from matplotlib.lines import Line2D

    return Line2D([0.02, 0.98], [y, y], transform=fig.transFigure, color="#ccd", linewidth=0.5)


def _latin1(text: str) -> str:
    # The PDF uses the 14 standard fonts (small, text searchable): they hold Latin-1 only.
    for a, b in (("→", "->"), ("✓", "yes"), ("✗", "no"), ("…", "..."), ("’", "'")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def save(path: str | Path) -> Path:
    """Write the cheat sheet in the format the extension names (.html, .pdf or .png)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ConfigError(
            f"Cannot tell which format to write for '{path}': the extension '{ext or '(none)'}' is not one "
            "the cheat sheet comes in.",
            "name the file .pdf (to print), .png (a picture) or .html (a web page).",
        )
    rows = cheat_sheet()
    try:
        if ext == ".html":
            path.write_text(to_html(rows), encoding="utf-8")
        elif ext == ".pdf":
            from matplotlib import rc_context

            latin = [Row(r.scenario, r.verdict, _latin1(r.diagram), _latin1(r.happens), _latin1(r.fix),
                         tuple(_latin1(n) for n in r.security)) for r in rows]
            import logging

            quiet = logging.getLogger("matplotlib.font_manager")
            level = quiet.level
            quiet.setLevel(logging.ERROR)  # "Helvetica: using medium" is the core font itself, not a problem
            try:
                with rc_context({"pdf.use14corefonts": True, "font.family": "sans-serif"}):
                    _figure(latin).savefig(path, format="pdf")
            finally:
                quiet.setLevel(level)
        else:
            _figure(rows).savefig(path, format="png", dpi=150)
    except OSError as exc:
        raise OwuiLabError(f"Cannot write the cheat sheet to '{path}': {exc.strerror}.",
                           "choose a folder you can write to.") from None
    return path
