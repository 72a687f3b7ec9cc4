"""The lab's host firewall (an iptables rule of its own) and its address of the host, run for real.

As root, a lab with ``host_firewall`` inserts INPUT rules that carry its labels and name only its own
ports and bridges, and removes them on teardown, also when it fails halfway; ``lab clean`` finds a rule
left by a lab that was killed. Without root (or iptables) the lab refuses with a clear error. The
other rules of this host are never touched.
"""

from __future__ import annotations

import shlex
import subprocess

import pytest

from owui_lab import docker_api
from owui_lab.config import Config
from owui_lab.engine import evaluate
from owui_lab.errors import LabError
from owui_lab.lab import firewall
from owui_lab.lab.live import Lab
from tests.lab_support import derived_run_id, leftovers, stand_in_image

pytestmark = pytest.mark.usefixtures("docker_daemon")

WALLED = Config(ollama="host", ollama_bind="0.0.0.0", add_host_gateway=True, host_firewall=True,
                host_address="192.168.1.20")


def _input_rules() -> list[str]:
    return subprocess.run(["iptables", "-S", "INPUT"], capture_output=True, text=True, check=True).stdout.splitlines()


@pytest.fixture
def root() -> None:
    if firewall.problem():
        pytest.fail(firewall.problem())  # CI runs as root with iptables: a missing one is a failure


def test_the_rules_are_the_labs_own_and_go_with_it(root) -> None:
    stand_in_image()
    before = _input_rules()
    configs = [WALLED, WALLED.replace(base_url="http://192.168.1.20:11434"),
               WALLED.replace(webui_network="host", base_url="http://192.168.1.20:11434")]
    with Lab(configs, keep_ports=False, probe_timeout=2.0) as lab:
        rules = firewall.labelled_rules(session=lab.session)
        seen = lab.observe_many(configs)
        assert [shlex.split(r) for r in rules] == [shlex.split(r) for r in lab.firewall_rules]  # one bridge: docker0
        assert len(rules) == 1 and all(r in _input_rules() for r in before)  # inserted; the others still there
        words = shlex.split(rules[0])
        ports = {int(p) for p in words[words.index("--dports") + 1].split(",")}
        assert words[words.index("-i") + 1] == "docker0" and words[-2:] == ["-j", "DROP"]
        assert ports == {lab.ports[11434]}  # the lab's stand-in port only, not Open WebUI's page
        text = words[words.index("--comment") + 1]
        assert f"session={lab.session}" in text and f"owner={lab.owner}" in text
        assert lab.host_address and lab.host_address.startswith(("192.0.2.", "198.51.100.", "203.0.113."))
        session = lab.session
    assert [o.outcome for o in seen] == [evaluate(c).outcome for c in configs] == ["unreachable", "unreachable", "ok"]
    after = _input_rules()
    assert [r for r in before if r not in after] == []  # every other rule still there (others may add theirs)
    assert leftovers(session=session) == []


def test_lab_clean_removes_a_rule_a_killed_lab_left(root, monkeypatch: pytest.MonkeyPatch) -> None:
    from owui_lab.lab.kept import clean, clean_plan

    run = derived_run_id("firewall-clean")  # this test's own run: clean touches nothing of anyone else's
    monkeypatch.setenv("OWUI_LAB_RUN", run)
    session = docker_api.new_session_id()
    firewall.drop_to_host(session, docker_api.current_owner(), ["docker0"], [9])  # as a killed lab leaves it
    assert firewall.labelled_rules(session=session, run=run)
    assert any(session in r for r in clean_plan(run=run).firewall_rules)
    removed = clean(run=run)
    assert any(session in r for r in removed.firewall_rules) and not removed.failed
    assert firewall.labelled_rules(session=session) == []


def test_without_root_the_lab_refuses_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(firewall.os, "geteuid", lambda: 1000)
    with pytest.raises(LabError) as info:
        Lab(WALLED).up()
    assert "needs root" in info.value.message and "without --host-firewall" in info.value.hint
    monkeypatch.setattr(firewall.shutil, "which", lambda name: None)
    monkeypatch.setattr(firewall.os, "geteuid", lambda: 0)
    assert "iptables is not installed" in firewall.problem()


def test_removal_touches_nothing_but_the_kits_rules() -> None:
    assert firewall.remove(["-A INPUT -i docker0 -j DROP", "-A FORWARD -m comment --comment owui-lab -j DROP"]) == []
