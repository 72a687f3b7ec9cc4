"""A diagram in words: computed from the engine and the picture's graph, and shown wherever a diagram is."""

from __future__ import annotations

import re
from html import unescape

import pytest
from hypothesis import given, settings

import owui_lab
from owui_lab.catalog import scenarios
from owui_lab.describe import describe
from owui_lab.graph import topology
from owui_lab.palette import OUTCOME_PHRASE
from owui_lab.prediction import predict
from owui_lab.widgets.base import diagram_html
from tests.strategies import configs

SEEDS = scenarios()


def _section(d, heading: str) -> tuple[str, ...]:
    return next((lines for h, lines in d.sections if h.startswith(heading)), ())


def check(config) -> None:
    """Every fact of the description is the engine's (or the drawn graph's), in the reading order."""
    v = predict(config)
    d = describe(config)
    g = topology(config, v)
    headings = [h for h, _ in d.sections]
    assert headings[:2] == ["What runs where", "The path, step by step"]
    # What runs where: the three parties, each with the box it sits in, and every published port.
    runs = _section(d, "What runs where")
    for node in ("browser", "open-webui", "ollama"):
        label = g.nodes[node]["label"]
        line = next(r for r in runs if r.startswith(label + " ("))
        assert g.nodes[g.nodes[node]["boundary"]]["label"] in line
    for port in ("port:open-webui", "port:ollama"):
        assert g.has_node(port) is any(g.nodes[port]["spec"] in r for r in runs if g.has_node(port))
    # The path: both edges with ✓/✗ and their shape, then each engine step with its reason.
    path = _section(d, "The path")
    assert path[0].startswith(f"Browser → Open WebUI at {v.browser.url}: {'✓' if v.browser.reachable else '✗'}")
    assert path[1].startswith(f"Open WebUI → Ollama at {config.parsed_base_url.url}: {'✓' if v.reachable else '✗'}")
    assert [p.split(":")[0] for p in path[2:]] == [f"step {s.name}" for s in v.steps]
    for line, step in zip(path[2:], v.steps):
        assert line.endswith(step.reason) and ("✓" if step.ok else "✗") in line
    works = v.reachable and v.browser.reachable
    if works:
        assert headings == ["What runs where", "The path, step by step"]
        assert d.summary.startswith("Open WebUI reaches Ollama")
        return
    # Where it fails and why, then the engine's fixes, word for word.
    fails = " ".join(_section(d, "Where it fails"))
    if not v.reachable:
        assert f"step {v.failing_step.name} ({OUTCOME_PHRASE[v.outcome]})" in fails
        assert f"fails at step {v.failing_step.name}" in d.summary
    if not v.browser.reachable:
        assert "cannot open Open WebUI" in fails and "cannot open Open WebUI" in d.summary
    fixes = _section(d, "The fix")
    assert fixes == (v.fixes or fixes) and fixes


@pytest.mark.parametrize("scenario", SEEDS, ids=lambda s: s.id)
def test_every_seed_is_described_from_the_engine(scenario):
    check(scenario.config)


@settings(max_examples=60, deadline=None)
@given(configs())
def test_any_configuration_is_described_from_the_engine(config):
    check(config)


def test_the_linux_host_ollama_reads_as_a_bug_report():
    d = describe("linux-ollama-on-host")
    assert d.summary == ("Open WebUI → Ollama fails at step listen (connection refused) at "
                         "http://host.docker.internal:11434; the browser opens Open WebUI at http://localhost:3000.")
    assert "Ollama (native process, listens 127.0.0.1:11434), in Host machine · Linux (Docker Engine)" in d.text
    assert "OLLAMA_HOST=0.0.0.0" in " ".join(_section(d, "The fix"))


def test_a_lesson_diagram_carries_its_words():
    """The lessons' <img>: alt is the summary, aria-describedby names the description behind the toggle."""
    config = owui_lab.load_scenario("desktop-host-network")
    markup = diagram_html(config, alt="Docker Desktop")
    img = re.search(r"<img [^>]*>", markup).group(0)
    alt = unescape(re.search(r'alt="([^"]*)"', img).group(1))
    assert alt == "Docker Desktop: " + describe(config).summary
    dom_id = re.search(r'aria-describedby="([^"]+)"', img).group(1)
    words = re.search(rf'<details class="owui-describe"[^>]*><summary>Describe this diagram</summary>'
                      rf'<div class="owui-description" id="{dom_id}">(.*?)</div></details>', markup, re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", words.group(1)))
    assert "Where it fails and why" in text and "Enable host networking" in text
    assert re.search(r'aria-describedby="([^"]+)"', diagram_html(config)).group(1) != dom_id  # ids never repeat


def _img_words(markup: str) -> tuple[str, str]:
    """(alt, the description aria-describedby names) of the one diagram <img> in ``markup``."""
    img = re.search(r"<img [^>]*>", markup).group(0)
    dom_id = re.search(r'aria-describedby="([^"]+)"', img).group(1)
    words = re.search(rf'<summary>Describe this diagram</summary><div class="owui-description" id="{dom_id}">'
                      r"(.*?)</div></details>", markup, re.S).group(1)
    return unescape(re.search(r'alt="([^"]*)"', img).group(1)), unescape(re.sub(r"<[^>]+>", " ", words))


def test_the_stage_and_the_sandbox_name_their_picture_and_describe_it():
    """The Painter's pictures: alt is the summary, the description follows the knobs, size facts on the <img>."""
    from owui_lab.widgets.explorer import Explorer
    from owui_lab.widgets.stage import Stage

    stage = Stage("linux-ollama-on-host")
    stage.widget
    alt, words = _img_words(stage._picture.value)
    assert alt == describe("linux-ollama-on-host").summary and "OLLAMA_HOST=0.0.0.0" in words
    # the projector's variant, with its size facts: every text at least 15 pt
    from owui_lab.drawing import PROJECTOR

    facts = re.search(r'data-width-pt="([0-9.]+)" data-smallest-pt="([0-9.]+)"', stage._picture.value)
    assert float(facts.group(1)) == pytest.approx(PROJECTOR.canvas_w * 72) and float(facts.group(2)) >= 15
    stage.toggle("bind_all", True)
    alt, words = _img_words(stage._picture.value)
    assert alt == describe(stage.config).summary and alt.startswith("Open WebUI reaches Ollama")
    assert "Where it fails" not in words

    app = Explorer(owui_lab.load_scenario("desktop-compose"))
    alt, words = _img_words(app.image.value)
    assert alt == describe(app.config).summary and "What runs where" in words
