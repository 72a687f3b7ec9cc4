"""Every question is asked before anything that answers it (issue 21).

Each claim in ``owui_lab/data/lessons/*.yaml`` names the exercise(s) it answers. These tests walk each
lesson notebook in order, as a learner reads it: the markdown cells (intro, objectives, headings), the
commands shown, and every question's text, hint and reveal (the engine's reasoning, the diagram's words,
the explanation), every held-back section and comparison once it opens. They fail where a claim's words,
its outcome restated (about the question's own configuration), or one of its key values (a URL, a port, a version) can be read before the
question it answers. Every lesson notebook present is walked (``notebooks/NN_*.ipynb`` that opens a
lesson), so a new lesson is held to it as soon as it exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from owui_lab import lessons as L
from owui_lab.graph import topology
from owui_lab.prediction import predict
from owui_lab.widgets import lesson as W
from owui_lab.widgets.cells import commands_html
from owui_lab.widgets.compare import compare_html
from owui_lab.presentation import verdict_html

ROOT = Path(__file__).resolve().parents[1]
OPENS = re.compile(r'\blesson\("([^"]+)"\)')
CALL = re.compile(r'\.(exercise|compare|show_commands|held|further|run_live)\(([^)]*)\)')


def lesson_notebooks() -> list[str]:
    """The lesson notebooks present: ``notebooks/NN_*.ipynb`` whose code opens a lesson."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        if OPENS.search(code):
            found.append(path.stem)
    return found


def _args(raw: str) -> list[str]:
    return re.findall(r'"([^"]*)"', raw)


def _diagram_words(config) -> str:
    """The words a diagram draws (its labels, URLs and reasons): the SVG's text is paths."""
    g = topology(config)
    words = []
    for _, data in [*g.nodes(data=True), *((e, d) for *e, d in g.edges(data=True))]:
        words += [str(v) for k, v in data.items() if isinstance(v, str) and k not in ("kind", "subkind", "boundary")]
    return "\n".join(words)


def _reveal(opened, spec, exercise) -> str:
    """Everything a learner can read once this exercise is answered, solved or shown."""
    if spec.kind == "predict":
        out = exercise._explanation()
        if "diagram" not in exercise.withhold:
            out += "\n" + _diagram_words(exercise.config)
        return out
    if spec.kind == "fixit":
        return "\n".join([*exercise.solutions(), exercise.why, exercise.hint])
    return spec.get("answer")


def walk(lesson_id: str, cells) -> list[str]:
    """Where, reading ``cells`` in order, a claim of ``lesson_id`` is given away before its question."""
    opened = W.lesson(lesson_id)
    data = opened.data
    seen: list[tuple[str, str]] = []
    problems: list[str] = []
    asked: set[str] = set()

    def read(where: str, text: str) -> None:
        seen.append((where, text))

    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            read(f"cell {i} (markdown)", cell.source)
            continue
        for kind, raw in CALL.findall(cell.source):
            args = _args(raw)
            if kind == "exercise":
                ex_id = args[0]
                spec = data.exercises[ex_id]
                for claim in data.claims:
                    if ex_id not in claim.answers:
                        continue
                    for where, text in seen:
                        for found in L.gives_away(claim, text, restated=claim.config == spec.config):
                            problems.append(f"{lesson_id}: {where} gives away the answer to {ex_id!r} "
                                            f"({claim.where}): {found}")
                asked.add(ex_id)
                exercise = opened.exercise(ex_id)
                read(f"exercise {ex_id} (question)", "\n".join(str(spec.get(k) or "") for k in
                                                               ("question", "choices", "hint", "task")))
                read(f"exercise {ex_id} (its reveal)", _reveal(opened, spec, exercise))
            elif kind == "compare":
                a, b = (data.config(n) for n in args)
                read(f"cell {i} (the comparison)", compare_html(a, b)[0] + _diagram_words(a) + _diagram_words(b))
            elif kind == "show_commands":
                read(f"cell {i} (the commands)", commands_html(data.config(args[0])))
            elif kind == "run_live":
                read(f"cell {i} (the live run)", "\n".join(verdict_html(predict(data.config(n))) for n in args))
            elif kind == "held":
                title, text = data.held[args[0]]
                read(f"cell {i} (held: {title})", f"{title}\n{text}")
            elif kind == "further":
                read(f"cell {i} (further exercises)", "\n".join(f"{t}\n{a}" for t, a in data.further))
    for claim in data.claims:
        missing = [a for a in claim.answers if a not in asked]
        if missing:
            problems.append(f"{claim.where}: answers {missing}, which the notebook never asks")
    return problems


def _cells(lesson_id: str):
    return nbformat.read(ROOT / "notebooks" / f"{lesson_id}.ipynb", as_version=4).cells


def test_the_lesson_notebooks_are_found():
    found = lesson_notebooks()
    assert {"00_welcome", "01_ollama_on_host", "04_host_networking"} <= set(found), found
    assert all(name in L.LESSON_IDS for name in found), "a lesson notebook without its lesson data"


@pytest.mark.parametrize("lesson_id", lesson_notebooks())
def test_no_answer_is_readable_before_its_question(lesson_id):
    assert walk(lesson_id, _cells(lesson_id)) == []


@pytest.mark.parametrize("lesson_id", lesson_notebooks())
def test_every_claim_names_its_question_and_source(lesson_id):
    for claim in L.load_lesson(lesson_id).claims:
        assert claim.answers, f"{claim.where} names no question"
        assert claim.source, f"{claim.where} ({claim.said!r}) has no source:"


# --------------------------------------------------------------------------------------------------
# The walk fails on the lessons as they stood before issue 21
# --------------------------------------------------------------------------------------------------

OLD_01_INTRO = """# 01 · Ollama on the host

Ollama runs natively (the macOS/Windows app, or the Linux `ollama.service`); Open WebUI runs in a
container with `-p 3000:8080`. The same command works on Docker Desktop and fails on Linux. Why?

**Objectives**
- know why a Linux Ollama on `127.0.0.1` refuses Open WebUI, and fix it safely;
"""
OLD_04_INTRO = """# 04 · Host networking

**Objectives**
- know that `-p` is discarded in host mode and the UI moves to port 8080;
"""


@pytest.mark.parametrize("lesson_id, old, words", [
    ("01_ollama_on_host", OLD_01_INTRO, "gives away the answer to 'linux'"),
    ("04_host_networking", OLD_04_INTRO, "gives away the answer to 'browser'"),
])
def test_the_walk_catches_an_answer_in_the_intro(lesson_id, old, words):
    cells = list(_cells(lesson_id))
    cells.insert(0, nbformat.v4.new_markdown_cell(old))
    problems = walk(lesson_id, cells)
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("lesson_id, earlier, later", [
    ("01_ollama_on_host", "no-add-host", "which-urls"),     # its fix list named http://172.17.0.1:11434
    ("03_separate_networks", "which-step", "bridge-ip"),    # its fix list was the next question's setup
    ("04_host_networking", "linux-loopback", "browser"),    # its browser line and diagram named :8080
])
def test_the_walk_catches_a_reveal_that_answers_a_later_question(monkeypatch, lesson_id, earlier, later):
    """The three give-aways issue 21 names: each comes back once the earlier reveal withholds nothing."""
    from dataclasses import replace

    raw = L.load_lesson(lesson_id)
    spec = raw.exercises[earlier]
    assert spec.get("withhold"), f"{lesson_id} {earlier} withholds nothing"
    body = {k: v for k, v in spec.spec if k != "withhold"}
    patched = replace(raw, exercises={**raw.exercises, earlier: L.Exercise(spec.id, spec.kind, spec.config,
                                                                          tuple(body.items()))})
    monkeypatch.setattr(W, "load_lesson", lambda _id: patched)
    problems = walk(lesson_id, _cells(lesson_id))
    assert any(f"exercise {earlier} (its reveal) gives away the answer to {later!r}" in p for p in problems), problems
