"""The cheat sheet: every seed scenario, every verdict on it equal to predict(), in three formats and two papers.

The printed page is read back with pdfium (pypdfium2): its text objects give the font sizes, its
rendering the pixels that say the page is filled.
"""

from __future__ import annotations

import html
import re
import struct

import pytest

from owui_lab import cheatsheet as cs
from owui_lab.catalog import scenarios
from owui_lab.cli import main
from owui_lab.describe import describe
from owui_lab.config import DOCKER0_ADDRESS, Config
from owui_lab.errors import ConfigError
from owui_lab.engine import OUTCOMES, evaluate
from owui_lab.palette import outcome_words
from owui_lab.prediction import predict

IDS = [s.id for s in scenarios()]


def test_it_names_every_seed_scenario():
    rows = cs.cheat_sheet()
    assert IDS and [r.scenario.id for r in rows] == IDS


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_verdict_on_it_equals_predict(scenario_id):
    row = next(r for r in cs.cheat_sheet() if r.scenario.id == scenario_id)
    v = predict(scenario_id)
    assert row.verdict == v
    assert row.happens.startswith(outcome_words(v.outcome))
    if v.failing_step:
        assert f"step {v.failing_step.name}:" in row.happens
    assert ("the browser cannot open" in row.happens) == (not v.browser.reachable)
    assert row.fix == (v.fixes[0] if v.fixes else "")


@pytest.mark.parametrize("scenario_id", [i for i in IDS if predict(i).fixes])
def test_each_fix_on_it_makes_everything_work(scenario_id):
    row = next(r for r in cs.cheat_sheet() if r.scenario.id == scenario_id)
    fixed = cs.fixed_config(row.scenario.config, row.fix)
    assert fixed is not None, f"the fix {row.fix!r} is not one of the engine's changes"
    after = evaluate(fixed)
    assert after.reachable and after.browser.reachable
    # The security note is the fixed setup's own: present exactly when the engine warns about it.
    assert row.security == tuple(n.body for n in after.note_data if n.code.startswith("security_"))
    assert all(not n.startswith("Security") for n in row.security)  # the card heads them itself


def test_a_fix_that_opens_ollama_carries_its_security_note():
    row = next(r for r in cs.cheat_sheet() if r.scenario.id == "linux-ollama-on-host")
    assert "OLLAMA_HOST=0.0.0.0" in row.fix
    assert any("no authentication" in n for n in row.security)


def test_no_engine_ids_reach_the_reader():
    words = " ".join(f"{r.happens} {r.fix} {r.diagram}" for r in cs.cheat_sheet())
    for outcome in OUTCOMES[1:]:
        assert outcome not in words


def test_html(tmp_path):
    path = cs.save(tmp_path / "sheet.html")
    page = path.read_text(encoding="utf-8")
    cards = re.findall(r"<section class='card (works|fails)' data-scenario='([^']+)'(.*?)</section>", page, re.S)
    assert [i for _, i, _ in cards] == IDS
    for state, scenario_id, body in cards:
        v = predict(scenario_id)
        assert (state == "works") == (v.reachable and v.browser.reachable)
        happens = re.search(r"<p class='happens'>(.*?)</p>", body, re.S).group(1)
        assert happens.startswith(outcome_words(v.outcome).split(" (")[0])
        # The diagram is there, with a text alternative computed from the engine.
        alt = re.search(r"<img src='data:image/svg\+xml;base64,[^']+' alt='([^']+)'>", body).group(1)
        assert html.unescape(alt) == describe(scenario_id).summary


# --------------------------------------------------------------------------------------------------
# The printed page, read back with pdfium (the PDF's own text objects, and the page as pixels)
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(cs.PAPERS))
def printed(request, tmp_path_factory):
    """(paper, the cards' Page, PDF document) for each paper size."""
    import pypdfium2 as pdfium
    path = cs.save(tmp_path_factory.mktemp(request.param) / "sheet.pdf", paper=request.param)
    assert path.read_bytes().startswith(b"%PDF-")
    return request.param, cs.layout(cs.cheat_sheet(), request.param)[0], pdfium.PdfDocument(path)


def _chars(pdf, index=0):
    """Every character on a page: (text, font size in pt, centre x, centre y in pt from bottom-left)."""
    import pypdfium2.raw as raw

    page = pdf[index]
    tp = page.get_textpage()
    out = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if not ch.strip() or raw.FPDFText_IsGenerated(tp.raw, i):
            continue
        left, bottom, right, top = tp.get_charbox(i)
        out.append((ch, raw.FPDFText_GetFontSize(tp.raw, i), (left + right) / 2, (bottom + top) / 2))
    return out, tp.get_text_range()


def _in_diagram(page, x, y):
    return any(x0 * 72 <= x <= x1 * 72 and y0 * 72 <= y <= y1 * 72 for x0, y0, x1, y1 in
               (c.diagram for c in page.cards))


def test_pdf_is_the_cards_page_then_the_engines_page_with_every_verdict(printed):
    paper, page, pdf = printed
    assert len(pdf) == len(cs.layout(cs.cheat_sheet(), paper)) == 2 + (len(IDS) > 8)  # the engines' page last
    for index in range(len(pdf)):
        width, height = pdf[index].get_size()
        assert (round(width / 72, 2), round(height / 72, 2)) == cs.PAPERS[paper]
    flat = " ".join(" ".join(_chars(pdf, index)[1] for index in range(len(pdf))).split())
    assert cs.title(len(IDS)).split("?")[0] in flat
    for r in cs.cheat_sheet():
        assert r.scenario.title in flat
        assert " ".join(f"{r.outcome} Ollama URL: {r.url}".split()) in flat, r.scenario.id
        if r.fix:
            assert " ".join(f"Fix: {r.fix}".split()) in flat


def test_cards_run_down_the_left_column_then_the_right(printed):
    """Page by page (past eight, the cards go on overleaf), in the catalog's order."""
    paper, _, _ = printed
    pages = [p for p in cs.layout(cs.cheat_sheet(), paper) if p.cards]
    order = []
    for page in pages:
        order += [c.row.scenario.id for c in sorted(page.cards, key=lambda c: (c.x, -c.top))]
        left = [c for c in page.cards if c.x < page.width / 2]
        assert len(left) == -(-len(page.cards) // 2)
        # Every card's frame holds its diagram and stays on the page inside the margins.
        for c in page.cards:
            x0, y0, x1, y1 = c.diagram
            assert c.x <= x0 < x1 <= c.x + c.width and c.top - c.height <= y0 < y1 <= c.top
            assert cs.MARGIN - 1e-6 <= c.x and c.x + c.width <= page.width - cs.MARGIN + 1e-6
    assert order == IDS


@pytest.mark.parametrize("index", [0, -1])
def test_body_text_is_at_least_9_pt(printed, index):
    paper, _, pdf = printed
    page = cs.layout(cs.cheat_sheet(), paper)[index]
    chars, _ = _chars(pdf, index % len(pdf))
    body = [(ch, size) for ch, size, x, y in chars if not _in_diagram(page, x, y)]
    assert len(body) > 1500  # the words of every card (or the engines' table), not only a title
    small = [(ch, round(size, 1)) for ch, size in body if size < cs.BODY_PT - 0.05]
    assert not small, f"body text under {cs.BODY_PT} pt: {small[:20]}"


def test_diagram_text_is_at_least_6_pt_printed(printed):
    """The diagrams' own text objects in the PDF (names, ports, marks, URLs), each at least DIAGRAM_PT."""
    _, page, pdf = printed
    chars, _ = _chars(pdf)
    for card in page.cards:
        x0, y0, x1, y1 = (v * 72 for v in card.diagram)
        inside = [(ch, size) for ch, size, x, y in chars if x0 <= x <= x1 and y0 <= y <= y1]
        words = "".join(ch for ch, _ in inside)
        # The print variant keeps the boxes' names and Ollama's URL (and so must be measured on them).
        for name in ("Browser", "OpenWebUI", "Ollama", card.row.scenario.config.base_url):
            assert name in words, (card.row.scenario.id, name, words)
        small = sorted({round(size, 2) for _, size in inside if size < cs.DIAGRAM_PT - 0.005})
        assert not small, f"{card.row.scenario.id}: diagram text at {small} pt, under {cs.DIAGRAM_PT}"


def test_diagram_size_follows_from_the_variant_and_its_placement():
    """Computed, not read back: the variant's smallest font x the scale the card places it at."""
    from owui_lab.drawing import CARD, design_size, layout
    from owui_lab.graph import topology

    smallest = min(CARD.boundary, CARD.title, CARD.edge, CARD.port, CARD.mark)
    for paper in cs.PAPERS:
        for card in (card for page in cs.layout(cs.cheat_sheet(), paper) for card in page.cards):
            lay = layout(topology(card.row.scenario.config, card.row.verdict), CARD)
            x0, y0, x1, y1 = card.diagram
            scale = min((x1 - x0) / lay.width, (y1 - y0) / (lay.height - lay.bottom))
            assert (x1 - x0) / (y1 - y0) == pytest.approx(design_size(CARD)[0] / design_size(CARD)[1])
            assert smallest * scale >= cs.DIAGRAM_PT, (paper, card.row.scenario.id, smallest * scale)


def test_the_page_is_filled(printed):
    """Ink reaches the margins on all four sides, and no band across the page is left empty."""
    import numpy as np

    _, page, pdf = printed
    dpi = 50
    image = np.asarray(pdf[0].render(scale=dpi / 72).to_pil().convert("L"))
    ink = image < 200
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    h, w = image.shape
    margin = cs.MARGIN * dpi
    assert rows[0] <= margin + 0.02 * h and rows[-1] >= h - margin - 0.03 * h
    assert cols[0] <= margin + 0.01 * w and cols[-1] >= w - margin - 0.01 * w
    # The longest run of blank lines across the whole width: small gaps between rows, no empty half page.
    blank = ~ink[int(margin):h - int(margin)].any(axis=1)
    longest = max((len(run) for run in "".join("1" if b else "0" for b in blank).split("0")), default=0)
    assert longest < 0.03 * h, f"an empty band of {longest / dpi:.2f} in across the page"
    # Each card shows a picture: its diagram's box is drawn in, not blank.
    for c in page.cards:
        x0, y0, x1, y1 = (round(v * dpi) for v in c.diagram)
        box = ink[h - y1:h - y0, x0:x1]
        assert box.mean() > 0.02, c.row.scenario.id


def test_a_host_ollama_on_linux_shows_the_docker0_bind_beside_0000():
    r = next(r for r in cs.cheat_sheet() if r.scenario.id == "linux-ollama-on-host")
    assert "OLLAMA_HOST=0.0.0.0" in r.fix
    assert r.safer.startswith(f"OLLAMA_HOST={DOCKER0_ADDRESS} listens on docker0 only")
    assert r.safer.endswith("(safer than 0.0.0.0).") and "Two costs" not in r.safer  # one whole sentence
    bound = Config(**{**cs.fixed_config(r.scenario.config, r.fix).to_dict(), "ollama_bind": DOCKER0_ADDRESS})
    v = evaluate(bound)
    assert v.reachable and v.browser.reachable
    # Only where it applies: not on Docker Desktop (no docker0 on the Mac/PC), not for a container Ollama.
    for s in scenarios():
        if s.config.platform == "desktop" or s.config.ollama_in_container:
            assert cs.docker0_bind(s.config) == ""


def test_the_safer_line_is_the_first_sentence_even_when_it_ends_in_an_address(monkeypatch):
    """A full stop inside an address (172.17.0.1) or right after one ends no sentence early, and one at the
    end of an address does."""
    from owui_lab import reasons

    monkeypatch.setitem(reasons.NOTES, "security_ollama_on_docker0",
                        "Listen on {docker0}. Not on 0.0.0.0. Costs follow.")
    r = next(r for r in cs.cheat_sheet() if r.scenario.id == "linux-ollama-on-host")
    assert r.safer == f"Listen on {DOCKER0_ADDRESS}."


def test_png_is_the_page_at_150_dpi(tmp_path):
    for paper, (w, h) in cs.PAPERS.items():
        path = cs.save(tmp_path / f"sheet-{paper}.png", paper=paper)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (int(w * 150), int(h * 150))
        second = (tmp_path / f"sheet-{paper}-2.png").read_bytes()  # the engines' page, beside it
        assert struct.unpack(">II", second[16:24]) == (int(w * 150), int(h * 150))


def test_an_unknown_paper_is_refused():
    with pytest.raises(ConfigError, match="letter"):
        cs.layout(cs.cheat_sheet(), "a3")


def test_cli_writes_it_and_refuses_an_unknown_format(tmp_path, capsys):
    assert main(["cheatsheet", "-o", str(tmp_path / "take-home.html")]) == 0
    assert (tmp_path / "take-home.html").exists()
    assert main(["cheatsheet", "-o", str(tmp_path / "letter.pdf"), "--paper", "letter"]) == 0
    assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF-")
    assert "Wrote the cheat sheet" in capsys.readouterr().out
    assert main(["cheatsheet", "-o", str(tmp_path / "sheet.docx")]) == 2
    err = capsys.readouterr().err
    assert "'.docx'" in err and ".pdf" in err and "Traceback" not in err
    assert main(["cheatsheet", "-o", str(tmp_path / "no-such-dir" / "sheet.html")]) != 0
    assert "choose a folder" in capsys.readouterr().err


def test_cli_json_lists_the_eight(capsys):
    import json

    assert main(["cheatsheet", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["scenario"] for r in rows] == IDS


def test_html_has_no_serious_accessibility_violations(tmp_path, axe_core):
    """axe-core over the whole web page: 0 critical, 0 serious (text contrast >= 4.5:1 included)."""
    from tests.support.axe import counts, report, scan, serious
    from bench.servers import artifact_path, chromium

    path = cs.save(tmp_path / "sheet.html")
    with chromium(viewport=(1280, 720)) as browser:
        page = browser.new_page()
        page.goto(path.as_uri())
        page.screenshot(path=str(artifact_path("cheatsheet_html_1280x720.png")), full_page=True)
        violations = scan(page, axe_core)
    assert not serious(violations), f"{counts(violations)}\n{report(serious(violations))}"


def test_html_lead_is_said_once():
    page = cs.to_html(cs.cheat_sheet())
    lead = re.search(r"<p class='lead'>(.*?)</p>", page).group(1)
    assert lead.startswith("✓ works") and "Network Diagrams" not in lead
