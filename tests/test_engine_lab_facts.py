"""Engine rules corrected after the live lab showed what the daemon really does.

Each rule below was a disagreement between the engine and the lab (tests/test_lab_grid.py); the
offline test pins the corrected rule, the docker-marked one shows the daemon doing it.
"""

from __future__ import annotations

import pytest

from owui_lab.config import Config
from owui_lab.engine import evaluate

# Correction 1 (Docker 20.10, default "userland-proxy": true): a published port reached via the
# docker0 address from ANOTHER bridge network is not dropped by the DOCKER-ISOLATION chains.
# Packets arriving from any Docker bridge skip the DNAT ("-t nat -A DOCKER -i <bridge> -j RETURN"),
# reach the host's INPUT, and docker-proxy (listening on the host address) forwards them into
# Ollama's network. The engine used to predict "unreachable" (dropped) here.
CROSS_BRIDGE = Config(ollama="container", ollama_network="a", ollama_publish="all", webui_network="b",
                      add_host_gateway=True)


def test_published_port_is_reached_from_another_bridge_network_through_docker_proxy() -> None:
    v = evaluate(CROSS_BRIDGE)
    assert v.outcome == "ok"
    # The words no longer name docker-proxy (6213acc: it forwards only with the default userland-proxy);
    # the rule still hangs on it: the step is the published port on docker0, and without docker-proxy
    # (userland-proxy off) Docker's isolation drops the same packets.
    listen = v.steps[-2]
    assert listen.code == "listen_published_docker0" and "docker0 (172.17.0.1)" in listen.reason
    no_proxy = evaluate(CROSS_BRIDGE.replace(userland_proxy=False))
    assert no_proxy.outcome == "unreachable" and no_proxy.steps[-1].code == "isolation_drops_published_port"
    assert evaluate(CROSS_BRIDGE.replace(webui_network="bridge", base_url="http://172.17.0.1:11434")).outcome == "ok"
    assert evaluate(CROSS_BRIDGE.replace(ollama_network="bridge", webui_network="b")).outcome == "ok"


def test_published_port_to_a_loopback_bound_container_is_refused_not_dropped() -> None:
    # docker-proxy accepts, finds nothing listening behind it and closes: the caller sees no answer
    # at once, which the probe (and the engine) call connection_refused.
    v = evaluate(CROSS_BRIDGE.replace(ollama_bind="127.0.0.1"))
    assert v.outcome == "connection_refused"


def test_names_still_never_resolve_across_networks() -> None:
    assert evaluate(CROSS_BRIDGE.replace(base_url="http://ollama:11434")).outcome == "name_not_resolved"


@pytest.mark.usefixtures("docker_daemon")
def test_the_daemon_forwards_a_published_port_across_bridge_networks() -> None:
    from owui_lab.lab import Lab

    configs = [CROSS_BRIDGE, CROSS_BRIDGE.replace(webui_network="bridge"),
               CROSS_BRIDGE.replace(base_url="http://172.17.0.1:11434", add_host_gateway=False)]
    with Lab(configs, keep_ports=False, probe_timeout=3.0) as lab:
        seen = lab.observe_many(configs)
    assert [o.outcome for o in seen] == ["ok", "ok", "ok"], [o.detail for o in seen]
