"""The workshop's notebooks: committed clean, no library code, and executable end to end in two modes.

Each notebook runs under nbclient twice:

- **Binder mode** (no marker): the kernel's ``DOCKER_HOST`` points at a socket that does not exist and
  ``BINDER_LAUNCH_HOST`` is set, as on mybinder.org. Every cell must run, and every live cell must say
  plainly that it showed the engine's prediction and how to run it live at home.
- **Docker mode** (marked ``docker``): the kernel sees the real daemon; the lessons' live cells must
  really run (stand-ins up, probed, down) and agree with the engine.

Docker Desktop (the third situation) cannot run here; ``test_widgets_live.py`` covers it by giving the
kit a Desktop daemon description.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
LESSONS = ["01_ollama_on_host.ipynb", "02_compose.ipynb", "03_separate_networks.ipynb", "04_host_networking.ipynb",
           "07_podman_and_rootless.ipynb"]
OFFLINE_IMAGE = "owui-lab/python:offline"
CELL_TIMEOUT = 180


def test_the_workshop_is_all_there():
    expected = {
        "00_welcome.ipynb",
        *LESSONS,
        "05_doctor.ipynb",
        "06_sandbox.ipynb",
        "instructor.ipynb",
    }
    assert expected <= set(ALL), f"missing notebooks: {sorted(expected - set(ALL))}"


@pytest.mark.parametrize("name", ALL)
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {i} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata, f"{name} keeps saved widget state: clear it before committing"


@pytest.mark.parametrize("name", ALL)
def test_notebooks_define_no_library_code(name):
    """Notebooks call the package; functions and classes belong in owui_lab (d2l's rule)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
        assert not defined, f"{name} cell {i} defines {defined}: move them into owui_lab"


def test_lessons_have_the_workshop_shape():
    """Objectives, predict-then-check, a live cell, a fix-it, a summary and further exercises in every lesson."""
    from owui_lab.widgets.lesson import lesson

    for name in LESSONS:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        for needle in ("Objectives", ".exercise(", ".run_live(", ".compare(", "Summary", "Further exercises"):
            assert needle in text, f"{name} lacks {needle!r}"
        data = lesson(name.removesuffix(".ipynb"))
        kinds = [e.kind for e in data.exercises.values()]
        assert kinds.count("predict") >= 3, f"{name} has fewer than three predictions"
        assert kinds.count("fixit") == 1, f"{name} has no fix-it"
        platforms = {c.platform for c in data.configs.values()}
        assert platforms == {"desktop", "linux"}, f"{name} does not put Docker Desktop and Linux side by side"


def test_lesson_code_cells_give_nothing_away():
    """A lesson's code cells are short lines that name exercises; the words live in the lesson's data."""
    for name in ["00_welcome.ipynb", *LESSONS]:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for line in cell.source.splitlines():
                assert len(line) <= 60, f"{name} cell {i}: a long code line: {line!r}"
                for giveaway in ("why=", "hint=", "OLLAMA_HOST", "http://", "network connect", "0.0.0.0"):
                    assert giveaway not in line, f"{name} cell {i} spells out {giveaway!r}: {line!r}"


def test_the_docs_mistakes_are_taught():
    """In the notebook or in what it reveals (its lesson's data: explanations, the held-back summary)."""
    from owui_lab.lessons import load_lesson

    def taught(name: str) -> str:
        cells = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells)
        return cells + "\n".join(t for _, t in load_lesson(name).texts())

    assert "No proxy forwards it" in taught("01_ollama_on_host")
    assert "4.34" in taught("04_host_networking") and "Published ports are discarded" in taught("04_host_networking")
    assert "ENABLE_PERSISTENT_CONFIG" in taught("02_compose")


# --------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------


def _execute(name: str, env: dict[str, str]) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env={**os.environ, **env})
    return nb


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    """Every text and HTML output of the executed notebook, joined (what a learner reads)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"a cell raised {out.get('ename')}: {out.get('evalue')}"
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            data = out.get("data", {})
            for kind in ("text/html", "text/plain"):
                if kind in data:
                    parts.append(data[kind])
    return "\n".join(parts)


def _widget_texts(nb: nbformat.NotebookNode) -> str:
    """Every string a widget holds in the saved widget state (HTML values, labels, options), joined."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    parts = []

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from strings(item)

    for model in state.values():
        for key, value in model.get("state", {}).items():
            if key in ("value", "description", "tooltip", "placeholder", "_options_labels", "_titles", "titles"):
                parts.extend(strings(value))
    return "\n".join(parts)


def _learner_text(nb: nbformat.NotebookNode) -> str:
    """What a learner can read after the run: each output as JupyterLab shows it (HTML before plain text),
    and every widget's strings."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            data = out.get("data", {})
            shown = data.get("text/html") or ("" if "application/vnd.jupyter.widget-view+json" in data
                                              else data.get("text/plain", ""))
            parts.append(shown)
    return "\n".join(parts) + "\n" + _widget_texts(nb)


def _visible(text: str) -> str:
    """``text`` without HTML tags, attributes and style sheets: the words on the page."""
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


# What a learner must never read: the engine's outcome ids, and Python's exception texts.
ENGINE_IDS = re.compile(r"name_not_resolved|connection_refused|\((ok|unreachable)\)|reachable \(ok\)")
EXCEPTION_TEXT = re.compile(
    r"Traceback|\b[A-Z]\w*(Error|Exception)\(|\[Errno \d+\]|object at 0x[0-9a-f]+|Connection aborted")


def _no_ids_or_exceptions(name: str, nb: nbformat.NotebookNode) -> None:
    words = _visible(_learner_text(nb))
    for pattern in (ENGINE_IDS, EXCEPTION_TEXT):
        found = pattern.search(words)
        assert not found, f"{name} shows {found.group(0)!r}: ...{words[max(0, found.start() - 200):found.end() + 100]}..."


def _nothing_answered_yet(name: str, nb: nbformat.NotebookNode) -> None:
    """After Run All nobody has answered: no verdict, reasoning or answer of a question is on the page."""
    text = re.sub(r"<style.*?</style>", " ", _learner_text(nb), flags=re.S)  # class names in CSS give nothing
    for giveaway in ("owui-verdict", "owui-feedback", "The answer is", "✓ Right.", "owui-compare",
                     "Live run on this Docker daemon", "The engine predicts"):
        assert giveaway not in text, f"{name} gives {giveaway!r} away before any answer"


def _widget_count(nb: nbformat.NotebookNode) -> int:
    return sum(
        1
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    )


BINDER_ENV = {
    # Nothing answers here: exactly what a kernel on mybinder.org sees.
    "DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock",
    "DOCKER_CONTEXT": "default",
    "BINDER_LAUNCH_HOST": "https://mybinder.org/",
}


@pytest.mark.parametrize("name", ALL)
def test_runs_in_binder_mode(name):
    nb = _execute(name, BINDER_ENV)
    text = _learner_text(nb)
    assert "Traceback" not in text
    assert "owui-diagram-missing" not in text, "a diagram could not be drawn"
    if name == "00_welcome.ipynb":
        assert 'data-mode="none"' in text and "Prediction mode" in text
        assert "Binder" in text
    if name in LESSONS or name == "05_doctor.ipynb":
        assert 'data-live="predicted-only"' in text, "a live cell did not say it showed the prediction only"
        assert 'data-live="ran"' not in text
        assert "run it live at home" in text.lower() or "make lab" in text
    if name in LESSONS:
        assert "Prediction only" in text
        assert _widget_count(nb) >= 4  # the predictions and the fix-it are widgets
    if name in ["00_welcome.ipynb", *LESSONS]:
        _nothing_answered_yet(name, nb)
    _no_ids_or_exceptions(name, nb)
    if name in ("06_sandbox.ipynb", "instructor.ipynb"):
        assert _widget_count(nb) >= 1


def _docker_env() -> dict[str, str]:
    env: dict[str, str] = {}
    if not os.environ.get("OWUI_LAB_IMAGE"):
        # Offline machines (and CI) run the stand-ins from the image scripts/build-offline-image.sh builds.
        env["OWUI_LAB_IMAGE"] = OFFLINE_IMAGE
    return env


@pytest.mark.usefixtures("docker_daemon")
@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_runs_with_the_docker_daemon(name):
    nb = _execute(name, _docker_env())
    text = _learner_text(nb)
    assert "Traceback" not in text
    assert "owui-diagram-missing" not in text, "a diagram could not be drawn"
    if name == "00_welcome.ipynb":
        assert 'data-mode="linux"' in text or 'data-mode="desktop"' in text
    if name in LESSONS:
        ran = text.count('data-live="ran"')
        assert ran == 1, f"the lesson's live cell did not run for real:\n{_live_reason(text)}"
        assert 'data-agree="yes"' in text, "the live run disagreed with the engine"
        _nothing_answered_yet(name, nb)
    _no_ids_or_exceptions(name, nb)
    if name == "05_doctor.ipynb":
        assert 'data-live="predicted-only"' not in text
        assert "not installed" not in text


NO_DAEMON_ENV = {
    # No daemon and no Binder: a laptop whose Docker is stopped.
    "DOCKER_HOST": "unix:///nonexistent/owui-lab-no-daemon.sock",
    "DOCKER_CONTEXT": "default",
}


@pytest.mark.parametrize("name", ALL)
def test_runs_with_no_daemon_and_says_it_in_words(name):
    """Docker stopped on a laptop: every notebook runs, and nothing shows an engine id or an exception."""
    env = {k: v for k, v in os.environ.items() if k != "BINDER_LAUNCH_HOST"}
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute(env={**env, **NO_DAEMON_ENV})
    _no_ids_or_exceptions(name, nb)
    if name in ["00_welcome.ipynb", *LESSONS]:
        _nothing_answered_yet(name, nb)


def _live_reason(text: str) -> str:
    found = re.search(r'data-live="predicted-only".{0,600}', text, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(0)) if found else "(no live cell output)"


def test_binder_env_really_has_no_daemon(monkeypatch):
    """The Binder-mode environment must make the kit see no daemon (else the test above proves nothing)."""
    from owui_lab import environment

    for key, value in BINDER_ENV.items():
        monkeypatch.setenv(key, value)
    mode = environment.detect(refresh=True)
    try:
        assert mode.kind == environment.NO_DAEMON and mode.binder
        assert json.dumps(mode.to_dict())
    finally:
        monkeypatch.undo()
        environment.detect(refresh=True)
