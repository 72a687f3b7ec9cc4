"""The engine knob: where rootless Docker and Podman differ from rootful Docker Engine (owui_lab/engines.py).

The recordings in data/truth/ check every rule row by row (tests/test_truth.py); these tests pin the
reasoning a learner reads: the name each engine gives the host, the flag Podman refuses, the namespaces
of the rootless engines, and that Docker Engine and Docker Desktop are untouched by the knob.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from owui_lab import engines
from owui_lab.config import ENGINES, Config
from owui_lab.engine import evaluate
from owui_lab.errors import ConfigError
from owui_lab.prediction import predict

HOST_OLLAMA_ALL = dict(ollama="host", ollama_bind="0.0.0.0")


def test_docker_desktop_has_no_other_engine():
    with pytest.raises(ConfigError, match="--engine podman-rootless runs on a Linux host"):
        Config(platform="desktop", engine="podman-rootless")


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_knows_its_own_host_name_and_not_the_other(engine):
    own, other = engines.host_alias(Config(engine=engine)), None
    other = "host.docker.internal" if own == "host.containers.internal" else "host.containers.internal"
    works = evaluate(Config(engine=engine, base_url=f"http://{own}:11434", add_host_gateway=own.startswith(
        "host.docker"), **HOST_OLLAMA_ALL))
    unknown = evaluate(Config(engine=engine, base_url=f"http://{other}:11434", **HOST_OLLAMA_ALL))
    assert works.steps[0].ok, works.transcript()
    assert unknown.outcome == "name_not_resolved" and other in unknown.steps[0].reason


def test_podman_refuses_host_gateway_and_the_fix_is_its_own_name():
    broken = Config(engine="podman-rootful", add_host_gateway=True, **HOST_OLLAMA_ALL)
    verdict = predict(broken)
    assert verdict.outcome == "name_not_resolved"
    assert "invalid IP address in add-host" in verdict.steps[0].reason
    assert any("host.containers.internal" in f for f in verdict.fixes)
    assert not any("host-gateway" in f and f.startswith("add --add-host") for f in verdict.fixes)


@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless"])
def test_with_another_url_the_host_gateway_flag_gets_its_note(engine):
    """The verdict is the API's (the flag is harmless there); podman run refuses the line: the note says so."""
    url = "http://host.containers.internal:11434"
    with_flag = predict(Config(engine=engine, add_host_gateway=True, base_url=url, **HOST_OLLAMA_ALL))
    without = predict(Config(engine=engine, base_url=url, **HOST_OLLAMA_ALL))
    assert with_flag.outcome == without.outcome == "ok"
    assert "podman_run_refuses_host_gateway" in [n.code for n in with_flag.note_data]
    assert "podman_run_refuses_host_gateway" not in [n.code for n in without.note_data]
    assert "leave --add-host out" in " ".join(with_flag.notes)


@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless", "docker-rootless"])
def test_a_name_on_rootless_podman_warns_of_aardvarks_start_up(engine):
    by_name = dict(ollama="container", ollama_network="lab-a", webui_network="lab-a", base_url="http://ollama:11434")
    codes = [n.code for n in predict(Config(engine=engine, **by_name)).note_data]
    by_gateway = predict(Config(engine=engine, **{**by_name, "base_url": "http://10.89.0.1:11434"}))
    assert ("rootless_podman_dns_start" in codes) == (engine == "podman-rootless")
    assert "rootless_podman_dns_start" not in [n.code for n in by_gateway.note_data]


@pytest.mark.parametrize("engine", ["podman-rootful", "podman-rootless"])
def test_two_podman_networks_say_how_they_were_made(engine):
    """Across two user networks the verdict is for networks made by podman network create (recorded); the note
    says that the Docker-compatible API's networks are isolated, and only where the networks differ."""
    apart = dict(ollama="container", ollama_network="lab-a", ollama_publish="all", webui_network="lab-b",
                 base_url="http://host.containers.internal:11434")
    across = predict(Config(engine=engine, **apart))
    together = predict(Config(engine=engine, **{**apart, "webui_network": "lab-a"}))
    on_docker = predict(Config(engine="docker", **{**apart, "base_url": "http://172.17.0.1:11434"}))
    assert across.outcome == "ok"
    assert "podman_compat_networks_isolated" in [n.code for n in across.note_data]
    assert "isolate=true" in " ".join(across.notes) and "podman network create" in " ".join(across.notes)
    assert "podman_compat_networks_isolated" not in [n.code for n in together.note_data]
    assert "podman_compat_networks_isolated" not in [n.code for n in on_docker.note_data]


@pytest.mark.parametrize("engine", ["docker-rootless", "podman-rootless"])
def test_rootless_engines_reach_a_host_ollama_only_on_every_address(engine):
    name = engines.host_alias(Config(engine=engine))
    base = Config(engine=engine, base_url=f"http://{name}:11434", add_host_gateway=engine.startswith("docker"))
    loopback = evaluate(replace(base, ollama_bind="127.0.0.1"))
    assert loopback.outcome == "connection_refused"
    all_addresses = evaluate(replace(base, ollama_bind="0.0.0.0"))
    # Rootless Docker's host-gateway is docker0 inside rootlesskit's namespace: not the host either way.
    assert all_addresses.reachable == (engine == "podman-rootless"), all_addresses.transcript()


def test_rootless_docker_host_network_is_rootlesskit_s_not_the_browser_s():
    c = Config(engine="docker-rootless", webui_network="host", base_url="http://127.0.0.1:11434")
    verdict = evaluate(c)
    assert not verdict.browser.reachable and "rootlesskit" in verdict.browser.reason
    assert verdict.outcome == "connection_refused"
    rootless_podman = evaluate(replace(c, engine="podman-rootless"))
    assert rootless_podman.reachable and rootless_podman.browser.reachable  # its host network is the host's


@pytest.mark.parametrize("config", [Config(), Config(add_host_gateway=True, **HOST_OLLAMA_ALL),
                                    Config(platform="desktop", ollama_bind="127.0.0.1")])
def test_docker_engine_and_desktop_are_untouched_by_the_knob(config):
    assert not engines.differs(config)
    assert engines.resolve(config, "host.docker.internal", "net:bridge") is None
    assert engines.route(config, "172.17.0.1", "net:bridge", False) is None


def test_every_podman_verdict_says_what_comes_from_the_docs():
    notes = evaluate(Config(engine="podman-rootless")).notes
    assert any(n.startswith("From the docs, not recorded") and "pasta" in n for n in notes)
    assert not any("pasta" in n for n in evaluate(Config(engine="docker-rootless")).notes)


def test_the_picture_names_the_engine_and_its_namespace():
    from owui_lab.graph import topology

    g = topology(Config(engine="docker-rootless", webui_network="host"))
    labels = {data.get("label") for _, data in g.nodes(data=True)}
    assert "Host machine · Linux (rootless Docker Engine)" in labels
    assert "host network (rootlesskit's)" in labels
    podman = topology(Config(engine="podman-rootless"))
    assert "rootless Podman's network namespace" in {d.get("label") for _, d in podman.nodes(data=True)}
    rootful = topology(Config())
    assert "Host machine · Linux (Docker Engine)" in {d.get("label") for _, d in rootful.nodes(data=True)}


@pytest.mark.parametrize(("network", "bridge", "label"), [
    (None, "podman0 (10.88.0.1)", "via podman0"),
    ("ai", "the gateway of the network 'ai'", "via its gateway"),
])
def test_a_refusal_at_podman_s_gateway_names_podman_s_bridge_not_docker0(network, bridge, label):
    """Rootful Podman's host.containers.internal leads to its network's gateway: not docker0, not 172.17.0.1."""
    from owui_lab.graph import short_reason

    c = Config(engine="podman-rootful", base_url="http://host.containers.internal:11434", webui_network=network)
    failing = next(s for s in evaluate(c).steps if not s.ok)
    assert failing.code == "ollama_not_on_docker0"
    assert f"arriving on {bridge} finds nothing" in failing.reason and "172.17.0.1" not in failing.reason
    assert short_reason(failing).endswith(label)
    docker = next(s for s in evaluate(Config(add_host_gateway=True)).steps if not s.ok)
    assert "arriving on docker0 (172.17.0.1)" in docker.reason and short_reason(docker).endswith("via docker0")


@pytest.mark.parametrize("engine, says, never", [
    ("docker", "DOCKER-USER", "ordinary program"),
    ("podman-rootful", "netavark's forwarding rules come first", "DOCKER-USER"),
    ("podman-rootless", "held by rootlessport", "past ufw"),
    ("docker-rootless", "held by rootlesskit", "past ufw"),
])
def test_a_port_published_everywhere_gets_its_engines_security_note(engine, says, never):
    """Docker's DOCKER-USER chain is Docker's; a rootless engine's port is an ordinary socket a host firewall sees."""
    v = predict(Config(engine=engine, ollama="container", ollama_publish="all"))
    security = " ".join(n.text for n in v.note_data if n.security)
    assert says in security and never not in security, security
    assert "-p 127.0.0.1:11434:11434" in security
