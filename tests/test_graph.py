"""The topology graph: boundaries, nesting, ports, and the red edge where the engine's first step fails."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings

from owui_lab import Config, load_scenario, scenarios
from owui_lab.engine import HOST, evaluate, ollama_namespace, webui_namespace
from owui_lab.graph import FAIL_AT, FAIL_FRACTION, boundaries, chain, topology
from tests.strategies import configs

SEED_IDS = [s.id for s in scenarios()]

# Where each of the docs' eight seeds puts Open WebUI and Ollama (outermost boundary first), and the Ollama
# edge's fate, written out by hand: they hold ``expected`` to the docs' diagrams.
EXPECTED = {
    "desktop-ollama-on-host": (["host", "vm", "network:bridge"], ["host"], None),
    "desktop-compose": (["host", "vm", "network:open-webui_default"], ["host", "vm", "network:open-webui_default"], None),
    "desktop-separate-networks": (["host", "vm", "network:webui-net"], ["host", "vm", "network:ollama-net"], "resolve"),
    "desktop-host-network": (["host", "vm", "network:host"], ["host"], "listen"),
    "linux-ollama-on-host": (["host", "network:bridge"], ["host"], "listen"),
    "linux-compose": (["host", "network:open-webui_default"], ["host", "network:open-webui_default"], None),
    "linux-separate-networks": (["host", "network:webui-net"], ["host", "network:ollama-net"], "resolve"),
    "linux-host-network": (["host", "network:host"], ["host", "network:host"], None),
}


def expected(config: Config) -> tuple[list[str], list[str], str | None]:
    """Where a configuration puts Open WebUI and Ollama, and the step that fails, from the config and the engine.

    A container sits in its network, inside Docker Desktop's VM on Desktop (its host network too); a native
    Ollama sits on the host, in the host network's box when Open WebUI shares the host's network on Docker
    Engine. So a scenario added to the catalog is checked without a line here.
    """
    vm = ["vm"] if config.platform == "desktop" else []
    webui = ["host", *vm, f"network:{config.webui_network}"]
    if config.ollama_in_container:
        ollama = ["host", *vm, f"network:{config.ollama_network_effective}"]
    else:
        shares = config.platform == "linux" and webui_namespace(config) == HOST
        ollama = ["host", "network:host"] if shares else ["host"]
    failing = evaluate(config).failing_step
    return webui, ollama, failing.name if failing else None


@pytest.mark.parametrize("scenario_id", sorted(EXPECTED))
def test_the_expectations_agree_with_the_hand_written_ones(scenario_id):
    """For the docs' eight seeds, ``expected`` gives what was written out by hand (a stale id fails here too)."""
    assert expected(load_scenario(scenario_id)) == EXPECTED[scenario_id]


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_seed_nesting_and_verdict(scenario_id):
    config = load_scenario(scenario_id)
    g = topology(config)
    webui_chain, ollama_chain, failing = expected(config)
    assert chain(g, "open-webui") == webui_chain
    assert chain(g, "ollama") == ollama_chain
    api = g.edges["open-webui", "ollama"]
    assert api["failing_step"] == failing
    assert api["reachable"] is (failing is None)
    assert api["url"] == config.parsed_base_url.url
    if failing:
        assert api["fail_at"] == FAIL_AT[failing]
        assert api["short_reason"] and len(api["short_reason"]) <= 60
    else:
        assert api["fail_at"] is None and api["verdict"] == "ok"


@pytest.mark.parametrize("scenario_id", SEED_IDS)
def test_seed_host_label_names_the_platform(scenario_id):
    config = load_scenario(scenario_id)
    label = topology(config).nodes["host"]["label"]
    assert ("Docker Desktop" in label) is (config.platform == "desktop")
    assert ("Linux" in label) is (config.platform == "linux")


def test_published_ports_of_the_seeds():
    g = topology(load_scenario("linux-ollama-on-host"))
    port = g.nodes["port:open-webui"]
    assert (port["label"], port["host_port"], port["container_port"]) == ("3000→8080", 3000, 8080)
    assert port["boundary"] == "network:bridge" and not port["loopback_only"]
    assert g.edges["port:open-webui", "open-webui"]["kind"] == "publish"
    # Host mode discards -p: no published port, and the browser goes to 8080 directly.
    g = topology(load_scenario("linux-host-network"))
    assert not g.has_node("port:open-webui")
    assert g.edges["browser", "open-webui"]["url"] == "http://localhost:8080"


def test_ollama_published_on_loopback_is_marked():
    config = load_scenario("linux-separate-networks").replace(ollama_publish="loopback")
    port = topology(config).nodes["port:ollama"]
    assert port["loopback_only"] and port["bind"] == "127.0.0.1"
    assert port["label"] == "127.0.0.1:11434→11434"
    port = topology(config.replace(ollama_publish="all")).nodes["port:ollama"]
    assert not port["loopback_only"] and port["label"] == "11434→11434"


def test_native_ollama_shows_its_bind_address():
    g = topology(load_scenario("linux-ollama-on-host"))
    d = g.nodes["ollama"]
    assert d["kind"] == "process" and d["bind"] == "127.0.0.1" and d["port"] == 11434
    assert "127.0.0.1:11434" in d["listen"]


def test_browser_edge_unreachable_on_desktop_host_network():
    g = topology(load_scenario("desktop-host-network"))
    http = g.edges["browser", "open-webui"]
    assert not http["reachable"] and http["short_reason"]
    # Docker Desktop's host network is the VM's: drawn inside the VM.
    assert g.nodes["network:host"]["boundary"] == "vm"
    # With Desktop's host networking on, the container still runs in the VM, sharing your Mac/PC's network.
    g = topology(load_scenario("desktop-host-network").replace(desktop_host_networking=True))
    assert g.edges["browser", "open-webui"]["reachable"]
    assert g.nodes["network:host"]["boundary"] == "vm" and g.nodes["network:host"]["namespace"] == HOST
    assert chain(g, "ollama") == ["host"]


def test_edge_crossings():
    g = topology(load_scenario("linux-separate-networks"))
    api = g.edges["open-webui", "ollama"]
    assert api["boundary"] == "host"
    assert api["crosses"] == ("network:webui-net", "network:ollama-net")
    api = topology(load_scenario("linux-compose")).edges["open-webui", "ollama"]
    assert api["crosses"] == () and api["boundary"] == "network:open-webui_default"


def test_a_given_verdict_is_used():
    config = load_scenario("linux-compose")
    verdict = evaluate(config)
    assert topology(config, verdict).graph["verdict"] is verdict


def test_a_label_is_read_from_the_steps_fields_not_its_sentence(monkeypatch):
    """Rewording the engine's sentence leaves the picture's label as it was (graph.LABELS reads the fields)."""
    from owui_lab.reasons import REASONS

    config = load_scenario("linux-separate-networks")
    before = topology(config).edges["open-webui", "ollama"]["short_reason"]
    monkeypatch.setitem(REASONS, "name_across_networks", "reworded entirely: '{subject}'")
    api = topology(config).edges["open-webui", "ollama"]
    assert api["short_reason"] == before == "'ollama': names never resolve across networks"
    assert api["reason"] == "reworded entirely: 'ollama'"


# --------------------------------------------------------------------------------------------------
# Every configuration the widgets can reach
# --------------------------------------------------------------------------------------------------


def _namespace_of_box(g: nx.DiGraph, node: str) -> str | None:
    box = g.nodes[node]["boundary"]
    return g.nodes[box].get("namespace")


@settings(max_examples=300, deadline=None)
@given(configs())
def test_graph_invariants(config: Config):
    g = topology(config)
    verdict = evaluate(config)
    contains = g.edge_subgraph([(a, b) for a, b, k in g.edges(data="kind") if k == "contains"])
    # The nesting is a tree rooted at the host machine, and ``boundary`` agrees with it.
    assert nx.is_arborescence(contains)
    assert [n for n in contains if contains.in_degree(n) == 0] == ["host"]
    for node, parent in g.nodes(data="boundary"):
        if node != "host":
            assert g.has_edge(parent, node) and g.edges[parent, node]["kind"] == "contains"
    assert g.has_node("vm") is (config.platform == "desktop")
    assert boundaries(g)[0] == "host"
    # Containers sit in the namespace the engine reasons about.
    webui_ns = webui_namespace(config)
    assert _namespace_of_box(g, "open-webui") == webui_ns
    if config.ollama_in_container:
        assert _namespace_of_box(g, "ollama") == ollama_namespace(config)
    elif config.ollama_bundled:  # the :ollama image: a process in Open WebUI's own box
        assert g.nodes["ollama"]["kind"] == "process"
        assert g.nodes["ollama"]["boundary"] == g.nodes["open-webui"]["boundary"]
        assert ollama_namespace(config) == webui_ns
    else:
        assert g.nodes["ollama"]["kind"] == "process"
        box = g.nodes["ollama"]["boundary"]
        assert box == "host" or g.nodes[box]["namespace"] == HOST
    # On Docker Desktop the VM holds every container, and nothing else (but the Ollama bundled in one).
    if config.platform == "desktop" and not config.ollama_bundled:
        for node in ("open-webui", "ollama"):
            assert ("vm" in chain(g, node)) is (g.nodes[node]["kind"] == "container")
    # On Linux a native Ollama shares the box of a host-network Open WebUI.
    if config.platform == "linux" and not config.ollama_in_container and webui_ns == HOST:
        assert g.nodes["ollama"]["boundary"] == g.nodes["open-webui"]["boundary"] == "network:host"
    # Published ports, exactly when Docker publishes them.
    assert g.has_node("port:open-webui") is (not config.webui_host_mode)
    publish = config.ollama_publish_effective
    assert g.has_node("port:ollama") is (publish != "none")
    if publish != "none":
        assert g.nodes["port:ollama"]["loopback_only"] is (publish == "loopback")
    # The Ollama edge: coloured and marked where the engine's first failing step is.
    api = g.edges["open-webui", "ollama"]
    assert api["reachable"] is verdict.reachable
    assert api["verdict"] == verdict.outcome
    failing = verdict.failing_step
    if failing is None:
        assert api["failing_step"] is None and api["fail_at"] is None
    else:
        assert api["failing_step"] == failing.name
        assert api["fail_at"] == FAIL_AT[failing.name]
        assert api["fail_fraction"] == FAIL_FRACTION[api["fail_at"]]
        assert api["reason"] == failing.reason
    http = g.edges["browser", "open-webui"]
    assert http["reachable"] is verdict.browser.reachable
    assert http["url"] == verdict.browser.url
    # An edge crosses no boundary exactly when both ends share their innermost box.
    same_box = g.nodes["open-webui"]["boundary"] == g.nodes["ollama"]["boundary"]
    assert (api["crosses"] == ()) is same_box


def test_fail_positions_are_ordered_along_the_edge():
    assert FAIL_FRACTION["source"] < FAIL_FRACTION["middle"] < FAIL_FRACTION["target"]
    assert FAIL_AT == {"resolve": "source", "route": "middle", "listen": "target", "answer": "target"}
