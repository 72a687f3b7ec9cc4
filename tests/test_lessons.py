"""The lessons' data: loaded strictly, and every sentence that states an outcome held to the engine.

``owui_lab/data/lessons/<lesson>.yaml`` holds each lesson's exercise texts and the claims its prose makes.
These tests fail when a claim disagrees with ``predict()``, when a sentence of a lesson states an outcome
without a claim (or a ``general`` entry saying why it is no configuration's outcome), or when a claim
quotes words the lesson no longer says.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from owui_lab import lessons as L
from owui_lab.widgets import lesson as W
from owui_lab.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]


def _markdown(lesson_id: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{lesson_id}.ipynb", as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("lesson_id", L.LESSON_IDS)
def test_every_claim_agrees_with_the_engine(lesson_id):
    lesson = L.load_lesson(lesson_id)
    assert lesson.claims, f"{lesson_id} makes no claim: its outcomes would go unchecked"
    assert L.lesson_problems(lesson_id) == []


@pytest.mark.parametrize("lesson_id", L.LESSON_IDS)
def test_no_outcome_sentence_goes_unchecked(lesson_id):
    lesson = L.load_lesson(lesson_id)
    assert L.uncovered_outcome_sentences(lesson, _markdown(lesson_id)) == []


@pytest.mark.parametrize("lesson_id", L.LESSON_IDS)
def test_every_claim_quotes_the_lesson(lesson_id):
    lesson = L.load_lesson(lesson_id)
    assert L.unquoted_claims(lesson, _markdown(lesson_id)) == []


@pytest.mark.parametrize("lesson_id", L.LESSON_IDS)
def test_every_exercise_is_used_once_by_its_notebook(lesson_id):
    nb = nbformat.read(ROOT / "notebooks" / f"{lesson_id}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for exercise_id in L.load_lesson(lesson_id).exercises:
        assert code.count(f'.exercise("{exercise_id}")') == 1, f"{lesson_id}: exercise {exercise_id} shown != once"


# --------------------------------------------------------------------------------------------------
# The checker fails on 03 as it stood before this change (issue 11)
# --------------------------------------------------------------------------------------------------

# The words of 03_separate_networks before the correction, verbatim.
OLD_03_PROSE = """
**Objectives**
- explain why container names never resolve across networks;
- explain why going "round the back" through a published port and the bridge IP fails on Linux;
- join the networks, or go through the host deliberately.

### Why it breaks, precisely

- **Names**: Docker's embedded DNS answers per network. `ollama` is a name on `ollama-net` only.
- **Addresses**: even by IP, separate bridges are isolated (the `DOCKER-ISOLATION` iptables chains drop
  traffic between them). On Linux, a published port reached via `172.17.0.1` from another bridge network is
  DNAT'ed into Ollama's network and then dropped: the connection hangs until it times out (**unreachable**,
  not refused).
"""
OLD_03_HINT = (
    "The published port turns the packet towards Ollama's network. What do Docker's isolation rules do "
    "with packets forwarded from one bridge network to another?"
)
# What those words claim, written as the claims file would have to hold them.
OLD_03_CLAIMS = """
lesson: 03_separate_networks
title: "03 (before)"
configs:
  bridge-ip: {scenario: linux-separate-networks, ollama_publish: all, base_url: "http://172.17.0.1:11434"}
exercises:
  q: {kind: predict, config: bridge-ip, ask: outcome, question: "What happens?"}
claims:
  - said: going "round the back" through a published port and the bridge IP fails on Linux
    config: bridge-ip
    reachable: false
    answers: [q]
  - said: a published port reached via 172.17.0.1 from another bridge network is DNAT'ed into Ollama's network and then dropped
    config: bridge-ip
    outcome: unreachable
    answers: [q]
"""


def test_the_claims_of_the_old_03_text_are_refuted_by_the_engine():
    old = L.parse_lesson(yaml.safe_load(OLD_03_CLAIMS), "old-03.yaml")
    problems = [p for c in old.claims for p in L.claim_problems(c)]
    assert len(problems) == 2, problems
    assert all("the engine says ok" in p for p in problems)


def test_the_old_03_text_is_caught_even_without_a_claim():
    """With today's claims file, the old sentences are outcome statements nobody checks: the test fails."""
    today = L.load_lesson("03_separate_networks")
    uncovered = L.uncovered_outcome_sentences(today, OLD_03_PROSE)
    assert any("then dropped: the connection hangs" in u for u in uncovered), uncovered
    assert any("bridge IP fails on Linux" in u for u in uncovered), uncovered


def test_the_old_03_hint_is_gone():
    texts = " ".join(t for _, t in L.load_lesson("03_separate_networks").texts())
    assert "isolation rules do with packets" not in texts
    assert "DNAT'ed into Ollama's network and then dropped" not in _markdown("03_separate_networks")


def test_03_says_when_the_drop_would_happen():
    text = " ".join(t for _, t in L.load_lesson("03_separate_networks").texts())
    assert '"userland-proxy": false' in text and '"userland-proxy": true' in text


# --------------------------------------------------------------------------------------------------
# Strict loading
# --------------------------------------------------------------------------------------------------

GOOD = {
    "lesson": "x",
    "title": "X",
    "configs": {"l": {"scenario": "linux-compose"}},
    "exercises": {"q": {"kind": "predict", "config": "l", "ask": "outcome", "question": "What happens?"}},
    "claims": [{"said": "the stack works here", "config": "l", "outcome": "ok", "answers": ["q"]}],
}


def _with(path: tuple, value):
    import copy

    raw = copy.deepcopy(GOOD)
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    "raw, words",
    [
        (_with(("colour",), "red"), "unknown key(s) colour"),
        (_with(("configs", "l"), {"scenario": "linux-compose", "colour": 1}), "unknown knob(s) colour"),
        (_with(("configs", "l"), {"scenario": "no-such-scenario"}), "configs.l"),
        (_with(("exercises", "q", "config"), "nowhere"), "exercises.q.config names the configuration 'nowhere'"),
        (_with(("exercises", "q", "ask"), "vibes"), "ask 'vibes'"),
        (_with(("exercises", "q", "ask"), "url"), "needs choices"),
        (_with(("exercises", "q", "why"), "x"), "exercises.q has unknown key(s) why"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "outcome": "fine", "answers": ["q"]}]), "outcome 'fine'"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "answers": ["q"]}]), "states nothing to check"),
        (_with(("claims",), [{"said": "works", "config": "l", "outcome": "ok", "answers": ["q"]}]), "three words"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "fails_at": "dns", "answers": ["q"]}]), "fails_at 'dns'"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "outcome": "ok"}]), "lacks answers"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "outcome": "ok", "answers": ["z"]}]),
         "answers names no exercise: z"),
        (_with(("claims",), [{"said": "the stack works here", "config": "l", "outcome": "ok", "answers": ["q"],
                              "source": "my memory"}]), "source 'my memory' is not a link"),
        (_with(("exercises", "q", "withhold"), ["answers"]), "withhold answers is not one of"),
    ],
)
def test_a_bad_lesson_file_is_an_error_naming_the_field(raw, words):
    with pytest.raises(ScenarioError) as caught:
        L.parse_lesson(raw, "bad.yaml")
    assert "bad.yaml" in str(caught.value) and words in str(caught.value)


def test_an_unknown_lesson_says_which_exist():
    with pytest.raises(ScenarioError, match="03_separate_networks"):
        L.load_lesson("07_nothing")
    with pytest.raises(ScenarioError, match="03_separate_networks"):
        W.lesson("07_nothing")  # as a notebook's first cell opens it


def test_each_claim_kind_catches_a_wrong_claim():
    """Every kind of claim can fail: a claim of the opposite of the engine's answer is reported."""
    raw = yaml.safe_load("""
lesson: x
title: X
configs:
  l: {scenario: linux-ollama-on-host}
  a: {scenario: linux-ollama-on-host, ollama_bind: 0.0.0.0}
  h: {scenario: linux-host-network, webui_port: 3000}
exercises:
  q: {kind: predict, config: l, ask: outcome, question: "What happens?"}
claims:
  - {said: "one two three", config: l, outcome: ok, answers: [q]}
  - {said: "one two three", config: l, reachable: true, answers: [q]}
  - {said: "one two three", config: l, fails_at: resolve, answers: [q]}
  - {said: "one two three", config: l, works: ["http://127.0.0.1:11434"], answers: [q]}
  - {said: "one two three", config: a, fails: ["http://host.docker.internal:11434"], answers: [q]}
  - {said: "one two three", config: h, browser_url: "http://localhost:3000", answers: [q]}
  - {said: "one two three", config: h, browser: false, answers: [q]}
""")
    lesson = L.parse_lesson(raw, "kinds.yaml")
    for claim in lesson.claims:
        assert L.claim_problems(claim), f"{claim.expect} was not caught"


def test_the_outcome_detector_sees_through_markdown():
    lesson = L.parse_lesson(GOOD, "good.yaml")
    assert L.uncovered_outcome_sentences(lesson, "**It** `works` here.") != []
    assert L.uncovered_outcome_sentences(lesson, "- The stack *works* here, fine.") == []


# --------------------------------------------------------------------------------------------------
# The answer comes only after the prediction
# --------------------------------------------------------------------------------------------------


def test_the_comparison_waits_for_the_questions_above_it():
    l03 = W.lesson("03_separate_networks")
    first, second = l03.exercise("which-step"), l03.exercise("bridge-ip")
    gate = l03.compare("desktop", "linux")
    gate.widget
    assert not gate.opened and gate._body.value == "" and "class=\"owui-box owui-verdict" not in gate._wait.value
    first.answer("resolve")
    assert not gate.opened
    second.reveal()  # on request counts as answered
    assert gate.opened and "owui-compare" in gate._body.value and "owui-verdict" in gate._body.value


def test_a_later_question_does_not_hold_back_an_earlier_cell():
    l03 = W.lesson("03_separate_networks")
    q = l03.exercise("which-step")
    gate = l03.compare("desktop", "linux")
    l03.exercise("round-the-back-desktop")  # shown after the comparison
    q.answer("resolve")
    assert gate.opened


def test_running_the_first_cell_again_starts_the_lesson_again():
    a = W.lesson("01_ollama_on_host")
    a.exercise("desktop")
    assert len(a.shown) == 1 and W.lesson("01_ollama_on_host").shown == []


def test_the_live_cell_says_what_it_did_but_not_what_it_saw(monkeypatch):
    from owui_lab import environment

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/owui-lab-no-daemon.sock")
    environment.detect(refresh=True)
    try:
        l01 = W.lesson("01_ollama_on_host")
        l01.exercise("desktop"), l01.exercise("linux")
        gate = l01.run_live("linux", "desktop")
        gate.widget
        assert 'data-live="predicted-only"' in gate._wait.value and "Prediction only" in gate._wait.value
        assert "connection refused" not in gate._wait.value.lower() and "The engine predicts" not in gate._wait.value
        html = gate.open()
        assert "The engine predicts" in html and "connection refused" in html
    finally:
        monkeypatch.delenv("DOCKER_HOST")
        environment.detect(refresh=True)


def test_04_shows_its_commands_only_after_the_browser_question():
    """The recipe says 'Then open http://localhost:8080': the browser question's answer."""
    l04 = W.lesson("04_host_networking")
    qs = [l04.exercise(e) for e in ("linux-loopback", "browser", "desktop-off")]
    gate = l04.show_commands("linux")
    gate.widget
    assert "8080" not in gate._wait.value and gate._body.value == ""
    for q in qs:
        q.reveal()
    assert "http://localhost:8080" in gate._body.value


def test_07_shows_the_podman_commands_of_its_podman_setup():
    """Lesson 07's commands are the engine's own: sudo podman for Podman run as root, its name for the host."""
    l07 = W.lesson("07_podman_and_rootless")
    qs = [l07.exercise(e) for e in ("podman-add-host", "rootless-gateway", "rootless-loopback")]
    gate = l07.show_commands("podman-own-name")
    gate.widget
    for q in qs:
        q.reveal()
    html = gate._body.value
    assert "sudo podman run -d" in html and "podman-compose" in html and "docker run" not in html
    assert "host.containers.internal" in html and "host-gateway" not in html
    assert "Podman run as root: run these as root" in html


def test_04_live_run_leads_with_the_browser(monkeypatch):
    from owui_lab import environment

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/owui-lab-no-daemon.sock")
    environment.detect(refresh=True)
    try:
        l04 = W.lesson("04_host_networking")
        for e in ("linux-loopback", "browser", "desktop-off"):
            l04.exercise(e).reveal()
        html = l04.run_live("linux", "desktop").open()
        linux = html[html.index("<b>Linux</b>"):]
        assert linux.index("Open WebUI at http://localhost:8080") < linux.index("Open WebUI → Ollama")
    finally:
        monkeypatch.delenv("DOCKER_HOST")
        environment.detect(refresh=True)


# --------------------------------------------------------------------------------------------------
# The glossary, linked at first use
# --------------------------------------------------------------------------------------------------


def _glossary_anchors() -> set[str]:
    # JupyterLab's heading anchors: the heading's text, spaces as hyphens.
    nb = nbformat.read(ROOT / "notebooks" / "glossary.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {h.strip().replace(" ", "-") for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def test_every_glossary_link_leads_to_a_term():
    anchors = _glossary_anchors()
    links = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            links += [(path.name, a) for a in re.findall(r"glossary\.ipynb#([^)\s\"]+)", cell.source)]
    assert len({a for _, a in links}) >= 8, links
    assert [(n, a) for n, a in links if a not in anchors] == []


@pytest.mark.parametrize("term", ["loopback", "bridge", "namespace", "publish", "docker0", "host-gateway",
                                  "embedded-DNS", "userland-proxy-and-docker-proxy"])
def test_the_glossary_explains_the_lessons_terms(term):
    assert term in _glossary_anchors()


# --------------------------------------------------------------------------------------------------
# What the fact check of issue 21 found wrong does not come back
# --------------------------------------------------------------------------------------------------

#: Words of the old texts, each false or misleading (the issue's point in the comment).
GONE = (
    "silently discarded",                              # 1: Docker prints a warning
    "#7197, #13784",                                   # 2: #13784 is Docker Engine on Arch, not Desktop
    "#1326",                                           # 3: predates persistent config
    "counts at the first start only",                  # 3: the saved URL wins only under three conditions
    "there is no such proxy",                          # 4: docker-proxy exists, for published ports
    "no proxy, no forwarding",                         # 4
    "there is no proxy",                               # 4
    "unknown on linux unless",                         # 5: Docker Desktop for Linux, Podman differ
    "prefer the bridge with host.docker.internal where you can",  # 6: Desktop advice given as general
    "every container has its own network namespace",   # 7: not with --network host
    "or nowhere (linux)",                              # 8: only without extra_hosts
    "many linux learners copy the docker desktop command",  # 9: the README command has --add-host
    "forwards it from any network",                    # 10/14: only with userland-proxy, published on all addresses
    "impossible before",                               # 12: a beta from 4.29, supported from 4.34
    "used to be impossible",                           # 12
    "a published port is a process on the host",       # 14: only with userland-proxy on
    "works everywhere",                                # overstated: only from containers on that network
    "has no name resolution.",                         # overstated: for container names
)


def _everything_a_learner_reads() -> list[tuple[str, str]]:
    texts = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        texts.append((path.name, "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)))
    for path in sorted((ROOT / "owui_lab" / "data").rglob("*.yaml")):
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for name in ("README.md", "owui_lab/reasons.py", "owui_lab/engine.py", "owui_lab/recipe.py", "owui_lab/fixes.py",
                 "owui_lab/cheatsheet.py"):
        texts.append((name, (ROOT / name).read_text(encoding="utf-8")))
    return texts


def test_what_the_fact_check_found_wrong_does_not_come_back():
    found = []
    for where, text in _everything_a_learner_reads():
        flat = " ".join(text.casefold().replace('"\n', " ").replace('" "', "").split())
        for words in GONE:
            if words in flat:
                found.append(f"{where}: {words!r}")
    assert found == []
