"""The lab's stand-in for "the host's own address" never takes addresses of a network this machine is on."""

from __future__ import annotations

import ipaddress
import socket
from types import SimpleNamespace

import psutil

from owui_lab.lab.live import HOST_ADDRESS_SUBNETS, host_address_subnets


def test_subnets_of_this_machine_s_networks_are_left_out(monkeypatch):
    """This sandbox's own LAN is 192.0.2.0/24 (a TEST-NET): a lab bridge there would shadow its neighbours."""
    interfaces = {"eth0": [SimpleNamespace(family=socket.AF_INET, address="192.0.2.2", netmask="255.255.255.0")],
                  "wlan0": [SimpleNamespace(family=socket.AF_INET, address="203.0.113.70", netmask="255.255.255.240")],
                  "lo": [SimpleNamespace(family=socket.AF_INET, address="127.0.0.1", netmask="255.0.0.0")]}
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: interfaces)
    free = host_address_subnets()
    assert not any(s.startswith("192.0.2.") for s in free)
    assert "203.0.113.64/28" not in free and "203.0.113.80/28" in free
    assert all(s.startswith("198.51.100.") for s in free if not s.startswith("203.0.113."))
    assert len(free) == len(HOST_ADDRESS_SUBNETS) - 16 - 1


def test_on_this_machine_no_subnet_overlaps_an_interface():
    local = [ipaddress.ip_network(f"{a.address}/{a.netmask}", strict=False)
             for addresses in psutil.net_if_addrs().values() for a in addresses
             if a.family == socket.AF_INET and a.netmask]
    free = host_address_subnets()
    assert free and not any(ipaddress.ip_network(s).overlaps(n) for s in free for n in local)
