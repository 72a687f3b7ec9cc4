"""The cheat sheet: all eight seed scenarios, every verdict on it equal to predict(), in three formats."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from owui_lab import cheatsheet as cs
from owui_lab.catalog import scenarios
from owui_lab.cli import main
from owui_lab.engine import OUTCOMES, evaluate
from owui_lab.prediction import predict

IDS = [s.id for s in scenarios()]


def test_it_names_all_eight_scenarios():
    rows = cs.cheat_sheet()
    assert len(IDS) == 8
    assert [r.scenario.id for r in rows] == IDS


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_verdict_on_it_equals_predict(scenario_id):
    row = next(r for r in cs.cheat_sheet() if r.scenario.id == scenario_id)
    v = predict(scenario_id)
    assert row.verdict == v
    assert row.happens.startswith(cs.WHAT_HAPPENS[v.outcome])
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
    assert row.security == tuple(n.removeprefix("Security: ") for n in after.notes if n.startswith("Security:"))


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
    rows = re.findall(r"<tr data-scenario='([^']+)'>(.*?)</tr>", page, re.S)
    assert [i for i, _ in rows] == IDS
    for scenario_id, cells in rows:
        happens = re.search(r"<td class='happens'[^>]*>(.*?)</td>", cells, re.S).group(1)
        assert happens.startswith(cs.WHAT_HAPPENS[predict(scenario_id).outcome])


def _pdf_text(data: bytes) -> str:
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(stream)
        except zlib.error:
            continue
        for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)", body):
            text.append(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1"))
    return "\n".join(text)


def test_pdf_is_text_with_every_scenario_and_verdict(tmp_path):
    path = cs.save(tmp_path / "sheet.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for scenario_id in IDS:
        assert f"[{scenario_id}]" in text
        first_words = cs.WHAT_HAPPENS[predict(scenario_id).outcome].split(" (")[0]
        assert first_words in text
    # The verdicts in their order down the page: each scenario's words come before the next one's.
    positions = [text.index(f"[{i}]") for i in IDS]
    assert positions == sorted(positions)


def test_png_is_an_a4_landscape_picture(tmp_path):
    path = cs.save(tmp_path / "sheet.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1753, 1240)  # 11.69 x 8.27 in at 150 dpi


def test_cli_writes_it_and_refuses_an_unknown_format(tmp_path, capsys):
    assert main(["cheatsheet", "-o", str(tmp_path / "take-home.html")]) == 0
    assert (tmp_path / "take-home.html").exists()
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
