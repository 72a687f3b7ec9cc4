"""A host firewall between the containers' bridges and the host (ufw's default "deny incoming").

The rows recorded on Docker Engine 20.10 live in data/truth/ (tests/test_truth.py checks them); these pin
the rule's edges: from a bridge network to an address of the host it is dropped (a timeout), from the
host network it is not, and the knob is refused where it is not modelled.
"""

from __future__ import annotations

import pytest

from owui_lab.config import Config
from owui_lab.engine import evaluate
from owui_lab.errors import ConfigError
from owui_lab.prediction import predict

HOST_OLLAMA = dict(ollama="host", ollama_bind="0.0.0.0")


@pytest.mark.parametrize("knobs", [
    dict(HOST_OLLAMA, add_host_gateway=True),
    dict(HOST_OLLAMA, base_url="http://172.17.0.1:11434", webui_network="ai"),
    dict(HOST_OLLAMA, host_address="192.168.1.20", base_url="http://192.168.1.20:11434"),
    # docker-proxy, a host process, answers a published port for packets from Docker's own bridges
    dict(ollama="container", ollama_publish="all", add_host_gateway=True),
])
def test_from_a_bridge_to_the_host_it_is_dropped(knobs: dict) -> None:
    without = evaluate(Config(**knobs))
    with_firewall = evaluate(Config(**knobs, host_firewall=True))
    assert without.outcome == "ok"
    assert with_firewall.outcome == "unreachable"
    assert with_firewall.steps[-1].code == "host_firewall_drops"


def test_from_the_host_network_it_is_not() -> None:
    c = Config(**HOST_OLLAMA, webui_network="host", base_url="http://172.17.0.1:11434", host_firewall=True)
    assert evaluate(c).outcome == "ok"


def test_nothing_listening_is_a_timeout_not_a_refusal_behind_the_firewall() -> None:
    c = Config(ollama="host", add_host_gateway=True)  # Ollama on 127.0.0.1: refused without a firewall
    assert evaluate(c).outcome == "connection_refused"
    assert evaluate(c.replace(host_firewall=True)).outcome == "unreachable"


def test_with_userland_proxy_off_a_published_port_goes_by_nat_not_input() -> None:
    c = Config(ollama="container", ollama_publish="all", add_host_gateway=True, userland_proxy=False,
               host_firewall=True)
    assert evaluate(c).outcome == "ok"


def test_the_fix_opens_the_firewall_for_that_port() -> None:
    verdict = predict(Config(**HOST_OLLAMA, add_host_gateway=True, host_firewall=True))
    assert any("ufw allow in on docker0 to any port 11434" in f for f in verdict.fixes)


@pytest.mark.parametrize("knobs", [dict(platform="desktop"), dict(engine="podman-rootful"),
                                   dict(engine="docker-rootless")])
def test_it_is_refused_where_it_is_not_modelled(knobs: dict) -> None:
    with pytest.raises(ConfigError, match="--host-firewall"):
        Config(host_firewall=True, **knobs)


def test_an_inherited_firewall_is_dropped_on_another_engine_and_a_given_one_is_refused() -> None:
    base = {"host_firewall": True, "ollama_bind": "0.0.0.0"}
    assert Config.from_knobs({"engine": "podman-rootful"}, base).host_firewall is False
    with pytest.raises(ConfigError, match="--host-firewall"):
        Config.from_knobs({"engine": "podman-rootful", "host_firewall": True})
