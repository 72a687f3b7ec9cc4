"""The cheat sheet's engines: every cell is the engine's verdict for that engine, and its source holds it.

A cell whose source is a truth recording must be a row of that recording, observed as the engine says;
a cell "measured by hand" must be one no recording holds. The printed second page says it all at 9 pt,
and a ninth scenario moves to that page instead of shrinking the first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from owui_lab import cheatsheet as cs
from owui_lab import cheatsheet_engines as ce
from owui_lab import cheatsheet_print as cp
from owui_lab.config import ENGINE_TITLES, Config
from owui_lab.engine import evaluate
from owui_lab.palette import OUTCOME_PHRASE, PATH

TRUTH = Path(__file__).resolve().parents[1] / "data" / "truth"
TABLE = ce.engine_table()
CELLS = [cell for row in TABLE.rows for cell in row] + list(TABLE.loopback)


def _recording(engine: str) -> dict:
    return json.loads((TRUTH / ce.RECORDINGS[engine]).read_text(encoding="utf-8"))


def _row(engine: str, config: Config) -> dict | None:
    """The recording's row of ``config`` (its deployment knobs that differ from the defaults), or None."""
    default = Config()
    platform = {"platform", "desktop_host_networking", "userland_proxy", "engine"}
    knobs = {k: v for k, v in config.to_dict().items() if k not in platform and v != getattr(default, k)}
    return next((r for r in _recording(engine)["configurations"] if r["knobs"] == knobs), None)


@pytest.mark.parametrize("engine", ce.ENGINES)
def test_each_recording_is_of_its_engine(engine):
    """The file a column cites was recorded on that engine, at the version its name says."""
    facts = _recording(engine)["platform"]
    assert facts["server_version"].split("+")[0] in ce.RECORDINGS[engine]  # "20.10.24+dfsg1": Debian's build
    assert (facts["engine"] == "podman") == engine.startswith("podman")
    assert bool(facts.get("rootless")) == engine.endswith("rootless")


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: f"{c.engine}:{c.way.name}:{c.config.ollama_bind}")
def test_every_cell_is_the_engines_verdict_and_its_source_holds_it(cell):
    assert cell.config.engine == cell.engine and cell.config.ollama == "host"
    assert cell.verdict == evaluate(cell.config)
    assert cell.words.startswith(PATH[cell.works].mark)
    row = _row(cell.engine, cell.config)
    if cell.source == ce.BY_HAND:
        assert row is None, f"{ce.RECORDINGS[cell.engine]} holds this cell: cite it"
        assert (TRUTH.parents[1] / ce.BY_HAND).exists()
    else:
        assert cell.source == ce.RECORDINGS[cell.engine]
        assert row is not None, f"{cell.source} has no row {cell.config.to_dict()}"
        assert row["observed"]["outcome"] == cell.verdict.outcome
        assert row["observed"]["browser"] == cell.verdict.browser.reachable
    if not cell.works:
        assert OUTCOME_PHRASE[cell.verdict.outcome] in cell.words or "browser" in cell.words
        why = cell.verdict.failing_step.reason if cell.verdict.failing_step else cell.verdict.browser.reason
        assert TABLE.notes[cell.note - 1] == why


def test_what_a_learner_on_each_engine_reads():
    """The differences the sheet is for, as the engine decides them (not the words: their verdicts)."""
    docker_name, podman_name = "Docker's name", "Podman's name"
    assert [TABLE.cell(docker_name, e).works for e in ce.ENGINES] == [
        evaluate(Config(platform="linux", ollama="host", ollama_bind="0.0.0.0", engine=e,
                        add_host_gateway=True)).reachable for e in ce.ENGINES]
    # What Podman refuses: --add-host=...:host-gateway, in the engine's own sentence.
    for engine in ("podman-rootful", "podman-rootless"):
        cell = TABLE.cell(docker_name, engine)
        assert cell.verdict.failing_step.code == "podman_refuses_host_gateway"
        assert TABLE.cell(podman_name, engine).works
    # Each engine gets a URL to use, from a way that works there.
    for engine, use in zip(ce.ENGINES, TABLE.use):
        assert any(c.works and c.config.base_url in use for row in TABLE.rows for c in row if c.engine == engine)
    # And the 127.0.0.1 row: Ollama's default bind fails where 0.0.0.0 works, on every engine.
    assert [c.engine for c in TABLE.loopback] == list(ce.ENGINES)
    assert not any(c.works for c in TABLE.loopback)


def test_the_engines_page_prints_every_cell_note_and_source(tmp_path):
    """Each block of words of the second page is read back from the PDF where the layout put it."""
    import pypdfium2 as pdfium

    from owui_lab.drawing import text_width

    for paper in cs.PAPERS:
        pdf = pdfium.PdfDocument(cs.save(tmp_path / f"{paper}.pdf", paper=paper))
        page = cs.layout(cs.cheat_sheet(), paper)[-1]
        tp = pdf[len(pdf) - 1].get_textpage()
        printed = []
        for block in page.blocks:
            right = block.x + max(text_width(line.text, line.size, line.bold) for line in block.lines)
            inside = tp.get_text_bounded(block.x * 72 - 1, (block.top - block.height) * 72 - 1, right * 72 + 1,
                                         block.top * 72 + 1)
            flat = re.sub(r"\s+", "", inside)
            assert flat == re.sub(r"\s+", "", "".join(line.text for line in block.lines)), (paper, inside)
            printed.append(flat)
        everything = "".join(printed)
        for engine in ce.ENGINES:
            assert re.sub(r"\s+", "", ENGINE_TITLES[engine]) in everything
            assert ce.RECORDINGS[engine] in everything
        for cell in CELLS:
            assert re.sub(r"\s+", "", cell.words) in everything
        for text in TABLE.notes + TABLE.caveats + TABLE.use:
            assert re.sub(r"\s+", "", text) in everything


def test_the_engines_html_has_every_cell(tmp_path):
    page = cs.to_html(cs.cheat_sheet())
    for cell in CELLS:
        assert f"data-engine='{cell.engine}' data-source='{cell.source}'>{cell.words}" in page.replace("&#x27;", "'")


@pytest.mark.parametrize("paper", sorted(cs.PAPERS))
@pytest.mark.parametrize("count", [4, 8, 9, 11])
def test_n_scenarios_fit_cards_move_to_the_second_page(paper, count):
    """However many scenarios the catalogue holds, the first page keeps its diagrams at least 6 pt, the
    rest go on pages of their own at the same size, and the engines' table comes last, inside the margins."""
    rows = cs.cheat_sheet()
    rows = (rows * 2)[:count]
    pages = cs.layout(rows, paper)
    assert len(pages) == 2 + (count > 8)
    assert sum(len(p.cards) for p in pages) == count and not pages[-1].cards
    assert len(pages[0].cards) == min(count, 8)  # as many rows as keep the diagrams' text >= DIAGRAM_PT
    assert [c.row for p in pages for c in sorted(p.cards, key=lambda c: (c.x, -c.top))] == rows
    for page in pages:
        for card in page.cards:
            x0, y0, x1, y1 = card.diagram
            assert cs.MARGIN - 1e-6 <= card.x and card.x + card.width <= page.width - cs.MARGIN + 1e-6
            assert card.top - card.height >= cs.MARGIN
        cards_bottom = min((c.top - c.height for c in page.cards), default=page.height)
        for block in page.blocks:
            assert block.top <= cards_bottom and block.top - block.height >= cs.MARGIN, "the table runs off"
    assert cp.smallest_diagram_pt(list(pages[0].cards)) >= cs.DIAGRAM_PT - 0.01
