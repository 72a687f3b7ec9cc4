"""A base URL at the host's own address (its LAN IP): reached when Ollama listens there, refused on loopback.

Issue 26: such a URL was always "unreachable: not an address the kit can place". The rule is Linux's own:
a connection from a container to an address of the host arrives at the host, where only a listener on that
address or on every address answers (the same as docker0's rule, which the grid recorded here). Docker
Desktop's handling of it is not recorded, so there the kit says so.
"""

from __future__ import annotations

import pytest

from owui_lab import Config, predict
from owui_lab.errors import ConfigError

LAN = "192.168.1.20"


@pytest.mark.parametrize("knobs, outcome", [
    ({"ollama_bind": "0.0.0.0"}, "ok"),
    ({"ollama_bind": LAN}, "ok"),
    ({"ollama_bind": "127.0.0.1"}, "connection_refused"),
    ({}, "connection_refused"),
    ({"ollama": "container", "ollama_publish": "all"}, "ok"),
    ({"ollama": "container", "ollama_publish": "loopback"}, "connection_refused"),
    ({"ollama": "container", "ollama_publish": "all", "ollama_host_port": 7869}, "connection_refused"),
    ({"webui_network": "host", "ollama_bind": "0.0.0.0"}, "ok"),
])
def test_the_hosts_own_address(knobs, outcome):
    c = Config(base_url=f"http://{LAN}:11434", host_address=LAN, **knobs)
    assert predict(c).outcome == outcome, predict(c).transcript()


def test_unknown_without_the_knob_and_unplaced_on_desktop():
    assert predict(Config(base_url=f"http://{LAN}:11434", ollama_bind="0.0.0.0")).outcome == "unreachable"
    v = predict(Config(platform="desktop", base_url=f"http://{LAN}:11434", host_address=LAN))
    assert v.outcome == "unreachable" and "not recorded" in v.failing_step.reason


@pytest.mark.parametrize("bad", ["127.0.0.1", "172.17.0.1", "0.0.0.0", "my-laptop", 3])
def test_host_address_is_an_ip_of_the_host(bad):
    with pytest.raises(ConfigError, match="--host-address"):
        Config(host_address=bad)


@pytest.mark.parametrize("ip, knobs, outcome", [
    ("172.17.0.1", {"ollama_bind": "0.0.0.0"}, "ok"),              # the same as host-gateway on Linux
    ("172.17.0.1", {}, "connection_refused"),                      # a loopback Ollama, as with host-gateway
    (LAN, {"ollama_bind": "0.0.0.0", "host_address": LAN}, "ok"),  # the host's LAN address
    ("10.9.8.7", {"ollama_bind": "0.0.0.0"}, "unreachable"),       # an address the kit cannot place
])
def test_add_host_to_a_given_ip(ip, knobs, outcome):
    c = Config(add_host_ip=ip, **knobs)
    assert predict(c).outcome == outcome, predict(c).transcript()


def test_add_host_ip_fix_and_conflicts():
    v = predict(Config(add_host_ip="10.9.8.7", ollama_bind="0.0.0.0"))
    assert any("instead of :10.9.8.7" in f for f in v.fixes)
    with pytest.raises(ConfigError, match="both map host.docker.internal"):
        Config(add_host_ip="172.17.0.1", add_host_gateway=True)
    with pytest.raises(ConfigError, match="--add-host-ip"):
        Config(add_host_ip="my-laptop")


def test_the_live_lab_refuses_an_add_host_address_it_does_not_have():
    """The lab plays loopback, docker0 and the host's address; any other could lead off this machine."""
    from owui_lab.lab.live import Lab

    with pytest.raises(ConfigError, match="--add-host-ip 10.9.8.7 maps host.docker.internal to an address the lab"):
        Lab(Config(add_host_ip="10.9.8.7", ollama_bind="0.0.0.0"))
    for ip in ("127.0.0.1", "172.17.0.1", LAN):
        Lab(Config(add_host_ip=ip, host_address=LAN, ollama_bind="0.0.0.0"))  # built, not refused
