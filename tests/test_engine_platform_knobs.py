"""The engine's platform knobs that truth recordings set: userland_proxy (the daemon's userland-proxy)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from owui_lab.config import Config
from owui_lab.engine import evaluate
from owui_lab.prediction import predict
from owui_lab.errors import ConfigError
from tests.strategies import configs

CROSS = dict(ollama="container", ollama_network="lab-a", ollama_publish="all", webui_network="bridge",
             base_url="http://172.17.0.1:11434")


def test_without_docker_proxy_isolation_drops_a_published_port_from_another_network() -> None:
    on = evaluate(Config(**CROSS))
    off = predict(Config(**CROSS, userland_proxy=False))
    assert on.outcome == "ok"
    assert off.outcome == "unreachable" and off.failing_step.name == "route"
    reason = off.failing_step.reason
    assert "userland-proxy off" in reason and "isolation" in reason and "timeout" in reason
    assert any("network" in f for f in off.fixes)  # the fix: share Ollama's network (hairpin NAT works there)


@pytest.mark.parametrize(
    "change",
    [
        dict(webui_network="lab-a"),  # hairpin NAT inside Ollama's own network
        dict(webui_network="host"),  # from the host itself: NAT in OUTPUT, no isolation
        dict(ollama_publish="loopback"),  # no DNAT for docker0 at all: refused, as with the proxy
        dict(base_url="http://172.17.0.1:8000"),  # not the published port
        dict(base_url="http://ollama:11434"),  # not via docker0
    ],
)
def test_userland_proxy_matters_only_for_a_published_port_crossing_networks(change: dict) -> None:
    c = Config(**{**CROSS, **change})
    assert evaluate(c).outcome == evaluate(c.replace(userland_proxy=False)).outcome


def test_host_docker_internal_via_host_gateway_is_the_same_path() -> None:
    c = Config(**{**CROSS, "base_url": "http://host.docker.internal:11434"}, add_host_gateway=True)
    assert evaluate(c).outcome == "ok"
    assert evaluate(c.replace(userland_proxy=False)).outcome == "unreachable"


@settings(max_examples=300, deadline=None)
@given(configs())
def test_turning_the_proxy_off_only_ever_turns_ok_into_unreachable(c: Config) -> None:
    with_proxy, without = evaluate(c), evaluate(c.replace(userland_proxy=False))
    assert without.browser == with_proxy.browser
    if without.outcome != with_proxy.outcome:
        assert (with_proxy.outcome, without.outcome) in {("ok", "unreachable"), ("connection_refused", "unreachable")}
        assert c.ollama_publish_effective == "all" and c.webui_network != c.ollama_network_effective


def test_userland_proxy_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError, match="--userland-proxy must be true or false"):
        Config(userland_proxy="no")  # type: ignore[arg-type]
