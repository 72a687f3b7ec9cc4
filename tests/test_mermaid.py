"""Mermaid C4 text: every node and boundary appears, nested as in the graph; the Ollama relation tells the verdict."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from owui_lab import Config, load_scenario, scenarios
from owui_lab.engine import evaluate
from owui_lab.mermaid import _ids, mermaid
from owui_lab.graph import chain, topology
from owui_lab.palette import PATH
from tests.strategies import configs

_ELEMENT = re.compile(r'^(Boundary|Person|Component)\((\w+), "([^"]*)"(?:, "([^"]*)")?\)( \{)?$')
_REL = re.compile(r'^Rel\((\w+), (\w+), "([^"]*)", "([^"]*)"\)$')
_STYLE = re.compile(r'^UpdateRelStyle\((\w+), (\w+), \$textColor="(#[0-9a-f]{6})", \$lineColor="(#[0-9a-f]{6})"')


def parse(text: str) -> dict:
    """A small parser for the subset of Mermaid C4 the kit writes; fails on anything else."""
    lines = text.splitlines()
    assert lines[0] == "C4Context"
    elements: dict[str, dict] = {}
    rels: dict[tuple[str, str], tuple[str, str]] = {}
    styles: dict[tuple[str, str], str] = {}
    stack: list[str] = []
    for raw in lines[1:]:
        line = raw.strip()
        if line.startswith("title "):
            continue
        if line == "}":
            assert stack, "unbalanced }"
            stack.pop()
            continue
        m = _ELEMENT.match(line)
        if m:
            kind, ident, label, descr, opens = m.groups()
            assert ident not in elements, f"duplicate id {ident}"
            assert (kind == "Boundary") is bool(opens)
            elements[ident] = {"kind": kind, "label": label, "descr": descr, "parent": stack[-1] if stack else None}
            if opens:
                stack.append(ident)
            continue
        m = _REL.match(line)
        if m:
            a, b, label, url = m.groups()
            rels[(a, b)] = (label, url)
            continue
        m = _STYLE.match(line)
        assert m, f"unexpected line: {line!r}"
        styles[(m[1], m[2])] = m[4]
    assert not stack, "unclosed boundary"
    return {"elements": elements, "rels": rels, "styles": styles}


def check(config: Config) -> dict:
    text = mermaid(config)
    parsed = parse(text)
    g = topology(config)
    elements = parsed["elements"]
    ids = _ids(g)
    # Every boundary and node appears once, of the right C4 kind, nested as in the graph.
    kinds = {"boundary": "Boundary", "person": "Person", "container": "Component", "process": "Component"}
    drawn = {n: d for n, d in g.nodes(data=True) if d["kind"] != "port"}
    for node, d in drawn.items():
        assert ids[node] in elements, f"{node} is missing from the Mermaid text"
        element = elements[ids[node]]
        assert element["kind"] == kinds[d["kind"]]
        parents = chain(g, node)
        assert element["parent"] == (ids[parents[-1]] if parents else None), f"{node} is nested wrongly"
        if d["kind"] == "boundary" and node != "host":
            assert element["label"] == d["label"]
    assert len(elements) == len(drawn), "the text has elements the graph does not"
    host_label = elements[ids["host"]]["label"]
    assert ("Docker Desktop" in host_label) if config.platform == "desktop" else ("Linux" in host_label)
    # Published ports are written on their container, loopback-only marked.
    for container in ("open-webui", "ollama"):
        port = f"port:{container}"
        if g.has_node(port):
            descr = elements[ids[container]]["descr"]
            assert g.nodes[port]["label"] in descr
            assert ("loopback only" in descr) is g.nodes[port]["loopback_only"]
    # The Ollama relation: labelled with the base URL, ✗ and the failing step when broken.
    verdict = evaluate(config)
    label, url = parsed["rels"][(ids["open-webui"], ids["ollama"])]
    assert url == config.parsed_base_url.url
    if verdict.reachable:
        assert label.startswith("✓") and "✗" not in label
    else:
        assert label.startswith(f"✗ {verdict.failing_step.name}: ")
    colour = parsed["styles"][(ids["open-webui"], ids["ollama"])]
    assert colour == PATH[verdict.reachable].ink
    label, url = parsed["rels"][(ids["browser"], ids["open-webui"])]
    assert url == verdict.browser.url
    assert label.startswith("✗") is (not verdict.browser.reachable)
    return parsed


@pytest.mark.parametrize("scenario_id", [s.id for s in scenarios()])
def test_seed_structure(scenario_id):
    check(load_scenario(scenario_id))


@settings(max_examples=200, deadline=None)
@given(configs())
def test_structure_of_any_configuration(config):
    check(config)


def test_docs_style_for_linux_ollama_on_host():
    text = mermaid(load_scenario("linux-ollama-on-host"), title="Ollama on the host (Docker Engine)")
    assert text.splitlines()[:2] == ["C4Context", "title Ollama on the host (Docker Engine)"]
    # The docs' identifiers and words, so a corrected diagram diffs cleanly against the page.
    assert 'Boundary(b0, "Hosting Machine - Linux") {' in text
    assert 'Boundary(b1, "default bridge (no DNS for names)") {' in text
    assert 'Person(user, "User", "Browser on the host")' in text
    assert 'Rel(user, openwebui, "Makes requests via exposed port -p 3000:8080", "http://localhost:3000")' in text
    assert 'Component(ollama, "Ollama", "native process on the host, listening on 127.0.0.1:11434")' in text
    assert 'Rel(openwebui, ollama, "✗ listen: ' in text and '"http://host.docker.internal:11434")' in text


def test_compose_relation_uses_the_docs_words():
    text = mermaid(load_scenario("linux-compose"))
    assert '"✓ Makes API calls via inter-container networking", "http://ollama:11434"' in text
    assert "compose network 'open-webui_default'" in text


def test_distinct_ids_for_names_that_differ_only_in_punctuation():
    config = Config(platform="linux", ollama="container", ollama_network="a-b", webui_network="a.b",
                    base_url="http://ollama:11434")
    parsed = parse(mermaid(config))
    boundaries = [i for i, e in parsed["elements"].items() if e["kind"] == "Boundary"]
    assert len(boundaries) == 3 and len(set(boundaries)) == 3
