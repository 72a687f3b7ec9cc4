"""The one renderer: verdicts, live results and error boxes as HTML, in one palette.

Every widget of the kit (the lessons' exercises, the sandbox, the projector view) and the doctor show
what the engine predicted and what the lab observed through these functions, so a verdict looks the
same wherever a learner meets it. Pure functions of the kit's own objects: tested without widgets.
"""

from __future__ import annotations

import html
from typing import Any

from .config import Config
from .engine import Verdict
from .errors import OwuiLabError
from .palette import (BORDER, CODE_BG, CONTROL_BORDER, FAILS, FAILS_BG, FAILS_INK, INFO, MUTED, OUTCOME_PHRASE,
                      OUTCOME_TEXT, PANEL_BG, PAPER, PATH, TEXT, WARNING_BG, WARNING_INK, WORKS, WORKS_BG,
                      WORKS_INK)

#: What a learner does at home to run the lessons live (one place, so every cell says the same).
RUN_AT_HOME = (
    "To run it live at home: on a Linux machine with Docker (or Docker Desktop), clone the kit and run "
    "<code>make lab</code>; the same cell then starts light stand-ins of Open WebUI and Ollama, probes "
    "them and tears them down in a few seconds."
)

#: A failing step as an answer to "which step fails first?" (None: none does).
STEP_TEXT = {
    "resolve": "resolve: the host name does not resolve",
    "route": "route: packets cannot get there",
    "listen": "listen: nothing listens at that address and port",
    None: "none: every step works",
}
#: The yes/no answers of the questions that have them.
YES_NO_TEXT = {
    "reachable": {True: "Yes, it connects", False: "No, it fails"},
    "browser": {True: "Yes, Open WebUI opens", False: "No, the page does not load"},
}


def option_label(ask: str, value: Any) -> str:
    """An option of a predict-then-check question (``owui_lab.lessons.answer_key``) in the learner's words."""
    if ask == "outcome":
        return OUTCOME_TEXT[value]
    if ask == "step":
        return STEP_TEXT[value]
    if ask in YES_NO_TEXT:
        return YES_NO_TEXT[ask][value]
    return "none of these: the page does not load" if value is None else str(value)


#: Keeps JupyterLab's command-mode shortcuts out of the kit's widgets: without it the arrow keys in a
#: question's radio group select the next cell, and Enter on a button enters edit mode instead of pressing
#: it. A plain (unmodified) arrow, Enter, Space, Home or End pressed inside the kit's output stops there;
#: Tab, Escape and Shift+Enter still reach JupyterLab. ipywidgets cannot add a listener, so an empty
#: image's ``onerror`` adds it, once, to the output that holds it (where nothing is trusted, a no-op).
KEEP_KEYS = (
    "<img alt='' src='data:,' style='display:none' onerror=\"var o=this.closest('.jp-OutputArea-output');"
    "if(o&&!o.dataset.owuiKeys){o.dataset.owuiKeys='1';o.addEventListener('keydown',function(e){"
    "if(!e.ctrlKey&&!e.metaKey&&!e.altKey&&!e.shiftKey&&/^(Arrow|Enter$| $|Home$|End$)/.test(e.key))"
    "e.stopPropagation();});}\">"
)

#: Appended to a result that appears below what the learner clicked: scrolls it into view (just enough).
SCROLL_INTO_VIEW = ("<img alt='' src='data:,' style='display:none' "
                    "onerror=\"this.parentElement.scrollIntoView({block:'nearest'})\">")

CSS = f"""
<style>
.owui-box {{border:1px solid {BORDER}; border-radius:6px; padding:8px 12px; margin:6px 0; background:{PANEL_BG}; color:{TEXT}; text-align:left}}
.owui-box.owui-verdict {{border-width:2px; line-height:1.45}}
.owui-verdict.owui-works {{border-color:{WORKS}; background:{WORKS_BG}}}
.owui-verdict.owui-fails {{border-color:{FAILS}; border-style:dashed; background:{FAILS_BG}}}
.owui-compare {{display:flex; flex-wrap:wrap; gap:16px; align-items:flex-start}}
.owui-compare-panel {{flex:1 1 536px; min-width:0}}  /* side by side from a ~1090 px output area: a notebook >= 1200 px */
.owui-compare-title {{margin:6px 0 2px 0; font-size:1.2em}}
.owui-zoom {{display:block; cursor:zoom-in}}
.owui-zoom > input {{position:absolute; opacity:0; width:1px; height:1px; margin:0}}  /* Tab, then Space: zoom */
.owui-zoom > input:focus-visible + img {{outline:3px solid {INFO}; outline-offset:2px}}
.owui-zoom img {{display:block; width:100%; height:auto}}
.owui-zoom > input:checked + img {{cursor:zoom-out}}
.owui-compare-panel:has(> .owui-zoom > input:checked) {{flex-basis:100%}}
.owui-box ul {{margin:4px 0 4px 0; padding-left:1.2em}}
.owui-steps td {{padding:0 8px 0 0; vertical-align:top}}
.owui-ok {{color:{WORKS_INK}; font-weight:bold}}
.owui-bad {{color:{FAILS_INK}; font-weight:bold}}
.owui-muted {{color:{MUTED}}}
.owui-explorer .widget-toggle-buttons {{display:flex; align-items:center}}
.owui-explorer .widget-toggle-buttons > .widget-label {{flex:0 0 auto; text-align:right; margin-right:8px}}
/* A knob's field stays inside its column (100% and ipywidgets' 2 px margins would cut its right edge);
   a long label goes above its field, so the fields of "More knobs" start on one line */
.owui-explorer .owui-knobs .widget-inline-hbox {{max-width:calc(100% - 2 * var(--jp-widgets-margin, 2px))}}
.owui-explorer .owui-stacked.widget-inline-hbox {{flex-direction:column; align-items:stretch; height:auto}}
.owui-explorer .owui-stacked > .widget-label {{text-align:left; max-width:none; margin-bottom:2px}}
.owui-explorer .owui-verdict-headline {{font-size:22px; font-weight:bold; line-height:1.3; margin:2px 0 4px 0}}
.owui-stage, .owui-stage .widget-label, .owui-stage button,
.owui-stage .widget-toggle-buttons button, .owui-stage input {{font-size:22px !important}}
/* a drop-down cannot wrap: at 18 px its longest choice (a URL or a scenario) shows whole in the 330 px column */
.owui-stage select {{font-size:18px !important}}
.owui-stage button, .owui-stage .widget-toggle-button {{height:auto !important; min-height:44px; padding:6px 14px}}
.owui-stage .owui-switch {{white-space:normal; line-height:1.25; text-align:left}}
.owui-stage .widget-dropdown, .owui-stage .widget-label, .owui-stage .widget-inline-hbox {{height:auto !important; line-height:1.4}}
.owui-stage .widget-dropdown > select {{height:48px !important; padding:4px 4px}}
.owui-stage .owui-box {{font-size:20px}}
.owui-stage h1.owui-title {{font-size:44px; margin:8px 0}}
.owui-stage .owui-verdict-headline {{font-size:40px; font-weight:bold; line-height:1.2; margin:0 0 8px 0}}
.owui-stage .owui-steps {{font-size:22px; line-height:1.5}}
.owui-stage .owui-muted, .owui-stage .owui-run-reason {{font-size:18px; line-height:1.35}}
.owui-stage-controls > * {{margin-bottom:6px}}
.owui-stage .owui-switch {{justify-content:flex-start; text-align:left; font-weight:bold; border:3px solid {CONTROL_BORDER};
  background:{PAPER}; color:{TEXT}; box-shadow:none}}
.owui-stage .owui-switch.mod-active {{background:{WORKS_INK}; border-color:{WORKS_INK}; color:{PAPER}}}
.owui-stage .owui-switch:disabled {{border-style:dashed}}
.owui-stage-url-label {{display:block; font-size:22px; font-family:monospace; margin:4px 0 -2px 0}}
.owui-describe > summary {{cursor:pointer; color:{MUTED}; margin:2px 0}}
.owui-stage .owui-describe > summary, .owui-stage .owui-description {{font-size:18px}}
.owui-paste-fix pre {{font-family:var(--jp-code-font-family, monospace)}}
.owui-stage .owui-paste-result, .owui-stage .owui-paste-fix pre, .owui-stage .owui-paste textarea {{font-size:18px; line-height:1.35}}
.owui-stage .owui-paste-read {{width:auto !important}}
.owui-description {{font-size:0.95em; line-height:1.4; user-select:text}}
.owui-description ul {{margin:2px 0 6px 0; padding-left:1.2em}}
.owui-diagram, .owui-stage-diagram {{display:block; width:100%; height:auto}}
.owui-stage-diagram {{max-height:calc(100vh - 190px); object-fit:contain; object-position:left top}}
/* The sandbox on a short screen: knobs in one column beside the picture, all on one screen */
@media (max-height: 800px) {{
  .owui-explorer .owui-explorer-main {{flex-wrap:nowrap !important}}
  .owui-explorer .owui-explorer-picture {{flex:1 1 auto !important; max-width:none !important}}
  .owui-explorer .owui-knobs {{flex:0 0 400px !important; flex-direction:column !important; gap:0 !important}}
  .owui-explorer .owui-knobs > .widget-vbox {{max-width:none !important; flex:0 0 auto !important}}
  .owui-explorer .owui-knobs .widget-inline-hbox {{margin-top:1px; margin-bottom:1px}}
}}
/* Keyboard: a focus ring that shows (3 px, {INFO} is 6.4:1 on white; JupyterLab's own is 1 px light blue) */
:is(.owui-predict, .owui-fixit, .owui-explorer, .owui-stage, .owui-box) :is(button, input, select, textarea, a,
  [tabindex]):focus-visible {{outline:3px solid {INFO} !important; outline-offset:2px !important}}
/* Text contrast >= 4.5:1: ipywidgets' green buttons are 4.11:1 with white text */
:is(.owui-predict, .owui-fixit, .owui-explorer, .owui-stage) .jupyter-button.mod-success {{background:{WORKS_INK}}}
/* A control's name for screen readers, not shown (the stage shows its own, larger label) */
.owui-stage .owui-unseen-label > .widget-label {{position:absolute !important; width:1px; height:1px;
  overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap}}
</style>
""" + KEEP_KEYS


def esc(text: Any) -> str:
    """``text`` escaped for HTML."""
    return html.escape(str(text))


def mark(ok: bool) -> str:
    """✓ in green or ✗ in red."""
    return '<span class="owui-ok">✓</span>' if ok else '<span class="owui-bad">✗</span>'


def outcome_phrase(outcome: str) -> str:
    """An engine outcome in a few words."""
    return OUTCOME_PHRASE[outcome]


def platform_phrase(c: Config) -> str:
    """Which Docker the configuration is for, as a learner says it."""
    if c.platform == "linux":
        return "Docker Engine on Linux"
    return "Docker Desktop (macOS/Windows), host networking " + ("on" if c.desktop_host_networking else "off")


def verdict_html(
    verdict: Verdict,
    *,
    fixes: bool = True,
    notes: bool = True,
    steps_class: str = "",
    platform: bool = False,
    browser: bool = True,
) -> str:
    """A verdict as an HTML lab transcript: each step ✓/✗ with its reason, the browser, the fixes.

    Args:
        verdict: the engine's verdict.
        fixes: list the fixes when something fails.
        notes: list the engine's notes.
        steps_class: an extra class on the steps (the projector enlarges them).
        platform: say first which Docker the configuration is for (the sandbox, where it changes).
        browser: show the browser's path (a lesson leaves it out where a later question asks it).
    """
    c = verdict.config
    works = verdict.reachable and verdict.browser.reachable
    rows = "".join(
        f"<tr><td>{mark(s.ok)}</td><td><b>{esc(s.name)}</b></td><td>{esc(s.reason)}</td></tr>" for s in verdict.steps
    )
    head = (
        '<span class="owui-ok">reachable ✓</span>'
        if verdict.reachable
        else f'<span class="owui-bad">NOT reachable ✗ ({esc(outcome_phrase(verdict.outcome))})</span>'
    )
    b = verdict.browser
    parts = [
        f'<div class="owui-box owui-verdict {"owui-works" if works else "owui-fails"}" '
        f'data-outcome="{esc(verdict.outcome)}">',
    ]
    if platform:
        parts.append(f'<div class="owui-muted">{esc(platform_phrase(c))}</div>')
    parts += [
        f"<div><b>Open WebUI → Ollama</b> at <code>{esc(c.base_url)}</code>: {head}</div>",
        f'<table class="owui-steps {steps_class}">{rows}</table>',
    ]
    if browser:
        parts.append(f"<div><b>Browser → Open WebUI</b> at <code>{esc(b.url)}</code>: {mark(b.reachable)} "
                     f"{esc(b.reason)}</div>")
    if fixes and verdict.fixes:
        title = "Fix (any one of these)" if len(verdict.fixes) > 1 else "Fix"
        parts.append(f"<div><b>{title}:</b><ul>" + "".join(f"<li>{esc(f)}</li>" for f in verdict.fixes) + "</ul></div>")
    if notes and verdict.notes:
        parts.append('<div class="owui-muted"><b>Notes:</b><ul>'
                     + "".join(f"<li>{esc(n)}</li>" for n in verdict.notes) + "</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def headline_text(verdict: Verdict) -> str:
    """The verdict in a few words: what a room reads first."""
    if verdict.reachable and verdict.browser.reachable:
        return "✓ It works: Open WebUI reaches Ollama"
    if verdict.reachable:
        return "✗ Ollama is reached, but the browser cannot open Open WebUI"
    return "✗ " + OUTCOME_TEXT[verdict.outcome].split(": ", 1)[1].capitalize()


def headline_html(verdict: Verdict) -> str:
    """The headline in the verdict's colour, marked with its outcome (``.owui-verdict-headline``)."""
    colour = PATH[verdict.reachable and verdict.browser.reachable].ink
    return (f'<div class="owui-verdict-headline" data-outcome="{esc(verdict.outcome)}" '
            f'style="color:{colour}">{esc(headline_text(verdict))}</div>')


def error_html(exc: OwuiLabError) -> str:
    """The kit's error as the readable box a notebook shows (never a traceback)."""
    return exc._repr_html_()


def notice_html(text: str) -> str:
    """A one-line notice in the attention colour (the sandbox says why it moved another knob)."""
    return (f"<div style='color:{WARNING_INK};background:{WARNING_BG};padding:4px 8px;border-radius:4px'>"
            f"ℹ {esc(text)}</div>")


def fix_diff_html(diff: str, summary: str) -> str:
    """A unified diff of the learner's own paste behind a ``<details>`` toggle (closed: the verdict first),
    a removed line on the fails colour and an added one on the works colour; the -/+ signs stay, so the
    colour is never the only cue."""
    rows = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")):
            style = f"color:{MUTED}"
        elif line.startswith("-"):
            style = f"color:{FAILS_INK};background:{FAILS_BG}"
        elif line.startswith("+"):
            style = f"color:{WORKS_INK};background:{WORKS_BG}"
        else:
            style = ""
        rows.append(f"<span style='{style}'>{esc(line) or ' '}</span>")
    return (f"<details class='owui-paste-fix'><summary>{esc(summary)}</summary>"
            f"<p style='margin:4px 0;color:{MUTED}'>A line with − goes, a line with + comes in; the rest is your "
            "paste as it was (@@ says where: line numbers before and after).</p>"
            f"<pre style='background:{CODE_BG};border:1px solid {BORDER};padding:6px 8px;margin:4px 0;"
            "overflow-x:auto;white-space:pre;line-height:1.35'>" + "\n".join(rows) + "</pre></details>")


def description_html(description: Any, dom_id: str, summary: str = "Describe this diagram", key: str = "") -> str:
    """A diagram's description behind a "Describe this diagram" toggle (``<details>``: no JavaScript, so
    Voila and an exported page work; Space/Enter open it from the keyboard).

    Args:
        description: a ``describe.Description`` (not imported here: ``describe`` draws on networkx).
        dom_id: the id of the text, which the image's ``aria-describedby`` names.
        summary: the toggle's words (one picture of two: which one).
        key: which of a widget's descriptions this is (letters only), so each one stays open or closed across
            redraws on its own.
    """
    sections = "".join(
        f"<div><b>{esc(heading)}:</b><ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul></div>"
        for heading, lines in description.sections
    )
    state = f"owuiDescribeOpen{key}"
    return (f'<details class="owui-describe" ontoggle="{_REMEMBER_OPEN.format(state=state)}">'
            f"<summary>{esc(summary)}</summary>"
            f'<div class="owui-description" id="{esc(dom_id)}"><p><b>{esc(description.title)}</b> '
            f'{esc(description.summary)}</p>{sections}</div></details>{_REOPEN.format(state=state)}')


#: A redraw replaces the widget's HTML, and a new ``<details>`` starts closed: a learner reading the
#: description with a screen reader would lose it at every toggle of a knob. The open state is kept on the
#: widget's own element (which a redraw keeps) and restored by the next description drawn into it.
#: Where scripts do not run (an exported page), the toggle still opens and closes; it just starts closed.
#: Both are templates of ``{state}``, the widget's dataset key for one description (``description_html``'s key).
_REMEMBER_OPEN = ("var w=this.closest('.widget-html,.jp-OutputArea-output');"
                  "if(w)w.dataset.{state}=this.open?'1':''")
_REOPEN = ("<img alt='' src='data:,' style='display:none' onerror=\"var d=this.previousElementSibling,"
           "w=this.closest('.widget-html,.jp-OutputArea-output');if(d&&w&&w.dataset.{state})d.open=true\">")


def missing_diagram_html(note: str) -> str:
    """Why there is no diagram (the verdict still teaches)."""
    return f'<i class="owui-diagram-missing">{esc(note)}</i>'


def _reachable_words(reachable: bool, outcome: str) -> str:
    return f"{'reachable' if reachable else 'not reachable'} ({outcome_phrase(outcome)})"


def live_html(report: Any, *, home: bool = True, compact: bool = False, browser_first: bool = False) -> str:
    """A live report as HTML: observed beside predicted, or why only the prediction is shown.

    Args:
        report: a ``widgets.live.LiveReport`` (not imported here: the live module renders through this one).
        home: when it did not run, also say how to run it live at home.
        compact: two lines for the projector (the observation and whether it agrees), no table.
        browser_first: the question asked was about the browser: the browser's path leads.
    """
    p = report.predicted
    if compact and report.observed is not None:
        o = report.observed
        mark_, colour = PATH[report.agree].mark, PATH[report.agree].ink
        agreement = "The engine was right." if report.agree else "Observation and prediction differ."
        return (
            f'<div class="owui-box owui-live" data-live="ran" style="border-left:6px solid {colour}">'
            f'<b style="color:{colour}">{mark_} Live run ({report.seconds:.1f} s)</b>: observed '
            f"{esc(_reachable_words(o.reachable, o.outcome))}; the browser "
            f"{'reaches' if o.browser.reachable else 'does not reach'} Open WebUI. {agreement}</div>"
        )
    if report.observed is None:
        browser = (f"The browser {'opens' if p.browser.reachable else 'cannot open'} Open WebUI at "
                   f"{p.browser.url}. ")
        ollama = f"Open WebUI → Ollama: {_reachable_words(p.reachable, p.outcome)}. "
        said = browser + ollama if browser_first else ollama
        return (
            f'<div class="owui-box owui-live" data-live="predicted-only" style="border-left:6px solid {WARNING_INK}">'
            f"<b>Prediction only.</b> The engine predicts: {esc(said)}"
            f"{esc(report.reason)}{'<br>' + RUN_AT_HOME if home else ''}</div>"
        )
    o = report.observed
    rows = [
        ("Open WebUI reaches Ollama", p.reachable, o.reachable),
        ("what happened", outcome_phrase(p.outcome), outcome_phrase(o.outcome)),
        ("browser reaches Open WebUI", p.browser.reachable, o.browser.reachable),
    ]
    if browser_first:
        rows = [("browser opens Open WebUI at " + p.browser.url, p.browser.reachable, o.browser.reachable),
                *rows[:2]]

    def cell(value: Any) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else esc(value)

    body = "".join(
        f"<tr><td>{esc(label)}</td><td>{cell(pv)}</td><td>{cell(ov)}</td><td>{mark(pv == ov)}</td></tr>"
        for label, pv, ov in rows
    )
    if report.agree:
        summary = '<span class="owui-ok">✓ The lab agrees with the prediction. The engine was right.</span>'
    else:
        summary = (
            '<span class="owui-bad">✗ The lab disagrees with the prediction</span>: on a real setup this '
            "points to something the engine does not model (a firewall, another Ollama); in the kit it "
            "is a bug worth reporting."
        )
    replaced = dict(report.replaced_ports)
    said = learners_ports(probe_words(o.detail), replaced) if o.detail else ""
    detail = f"<div class='owui-muted'>What the probe saw: {esc(said)}</div>" if said else ""
    # A port the lab had to change is a footnote in the learner's words; its note would say it again.
    kept = [n for n in report.notes if not (replaced and n.startswith("Host ports busy"))]
    notes = "".join(f"<div class='owui-muted'>Note: {esc(n)}</div>" for n in kept)
    footnote = ""
    if replaced:
        used = "; ".join(f"something on this machine already uses port {a}, so this run used port {b} instead"
                         for a, b in replaced.items())
        footnote = (f"<div class='owui-muted owui-footnote' style='font-size:0.9em'>¹ {esc(used)}. "
                    "On your own setup it is the port you wrote; the result is the same, and everything else "
                    "ran as you set it up.</div>")
    return (
        f'<div class="owui-box owui-live" data-live="ran" style="border-left:6px {"solid" if report.agree else "dashed"} {PATH[report.agree].colour}">'
        f"<b>Live run on this Docker daemon</b> ({report.seconds:.1f} s: stand-ins started, probed from "
        f"inside Open WebUI's network, removed).<br>{summary}"
        "<table class='owui-live-table' style='margin-top:4px'><tr><th></th><th>predicted</th><th>observed</th>"
        f"<th>agree</th></tr>{body}</table>{detail}{notes}{footnote}</div>"
    )


def probe_words(detail: str) -> str:
    """What a probe saw, without Python's exception dressing ("[Errno 111] ...", "TimeoutError: ...")."""
    import re

    text = re.sub(r"\[Errno -?\d+\]\s*", "", detail)
    text = re.sub(r"\b[A-Z]\w*(Error|Exception): ", "", text)
    return text.strip()


def learners_ports(text: str, replaced: dict[int, int]) -> str:
    """``text`` with each port the lab used in place of the learner's written as the learner's, marked ¹."""
    import re

    for learner, lab_port in replaced.items():
        text = re.sub(rf"(?<=:){lab_port}\b", f"{learner}¹", text)
    return text


def predicted_only_banner(title: str, body_html: str) -> str:
    """An attention box for a cell that cannot look at Docker here (``body_html`` is trusted HTML)."""
    return (f'<div class="owui-box owui-live" data-live="predicted-only" style="border-left:6px solid {WARNING_INK}">'
            f"<b>{esc(title)}</b> {body_html}</div>")


# --------------------------------------------------------------------------------------------------
# The doctor's box (written by the doctor's helper): the checklist, the steps, the fixes
# --------------------------------------------------------------------------------------------------


def doctor_html(report: Any) -> str:
    """The doctor's report as an HTML checklist: headline, ✓/✗ per check, first steps, fixes, notes.

    Args:
        report: a ``diagnosis.Report`` (not imported here: the diagnosis renders through this module).
    """
    works = report.reachable
    parts = [
        CSS,
        f'<div class="owui-box owui-verdict owui-doctor {"owui-works" if works else "owui-fails"}" style="max-width:60em">',
        f'<div class="owui-doctor-headline" style="font-size:1.1em;font-weight:bold;color:{PATH[works].ink}">'
        f"{esc(report._headline())}</div>",
        f'<div class="owui-muted" style="margin:4px 0 8px">{esc(report.daemon.get("product", "Docker"))}'
        + (f" · nearest scenario <code>{esc(report.scenario)}</code>" if report.scenario else "")
        + "</div>",
    ]
    if report.webui:
        w = report.webui
        saved = w.get("base_urls_source") == "database"
        parts.append(
            f"<div>Open WebUI <b>{esc(w['name'])}</b> (<code>{esc(w['image'])}</code>), network "
            f"<code>{esc(w['network_mode'])}</code>, " + ("URL saved in its database: " if saved else "URLs: ")
            + ", ".join(f"<code>{esc(u)}</code>" for u in w["base_urls"]) + "</div>"
        )
    if report.ollama:
        parts.append(f"<div>Ollama: {esc(report.ollama.get('how', ''))}</div>")
    # inline and per cell: JupyterLab's own stylesheet right-aligns table cells in outputs
    td = '<td style="text-align:left;vertical-align:top;padding:2px 8px 2px 0">'
    rows = "".join(
        f"<tr>{td}{mark(c.ok)}</td>{td}<code>{esc(c.id)}</code></td>{td}{esc(c.detail)}</td></tr>" for c in report.checks
    )
    parts.append(f'<table class="owui-doctor-checks" style="margin:8px 0">{rows}</table>')

    def section(title: str, items: list[str], *, code: bool = False, ordered: bool = False, color: str = "") -> None:
        if not items:
            return
        tag = "ol" if ordered else "ul"
        style = f' style="color:{color}"' if color else ""
        body = "".join(f"<li>{f'<code>{esc(i)}</code>' if code else esc(i)}</li>" for i in items)
        parts.append(f"<div><b{style}>{esc(title)}:</b><{tag}>{body}</{tag}></div>")

    section("First (all of these, in order)", report.first, ordered=True, color=FAILS_INK)
    then = "Then fix" if report.first else "Fix"
    section(f"{then} (any one of these)" if len(report.fixes) > 1 else then, report.fixes, color=FAILS_INK)
    section("Where observation and prediction differ", report.discrepancies)
    section("Security", [f.detail + (f" Safer: {f.fix}" if f.fix else "") for f in report.findings], color=WARNING_INK)
    section("Looked for", report.looked_for)
    if report.start_commands:
        # a "# ..." line captions the commands after it; it is not a command (nor a bullet) of its own
        groups: list[tuple[str, list[str]]] = [("", [])]
        for item in report.start_commands:
            if item.startswith("#"):
                groups.append((item.lstrip("# "), []))
            else:
                groups[-1][1].append(item)
        html_groups = "".join(
            (f'<div class="owui-muted">{esc(caption)}</div>' if caption else "")
            + "<ul>" + "".join(f"<li><code>{esc(c)}</code></li>" for c in cmds) + "</ul>"
            for caption, cmds in groups if caption or cmds
        )
        parts.append(f"<div><b>To start the stack (from the docs):</b>{html_groups}</div>")
    if report.notes:
        parts.append('<div class="owui-muted"><b>Notes:</b><ul>' + "".join(f"<li>{esc(n)}</li>" for n in report.notes) + "</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def doctor_cannot_look_html(detail: str) -> str:
    """The doctor's box where no Docker daemon answers: what the doctor does, and where to run it."""
    return predicted_only_banner(
        "The doctor needs a Docker daemon to look at, and none answers here",
        f"({esc(detail)}). The doctor only reads: it lists and inspects <i>your</i> containers, reads the Ollama "
        "URL Open WebUI saved (from a copy of its database), asks each URL from inside Open WebUI's own network "
        "with one short-lived probe container it removes at once, and prints what is broken with the exact fix. "
        "It starts nothing of its own besides that probe and changes nothing of yours. Run it on the machine "
        "where Open WebUI runs: <code>owui-lab doctor</code> in a terminal, or this notebook there.",
    )
