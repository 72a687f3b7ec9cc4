"""Engine and lab agree on every spelling of a host the container's resolver reads (issue 25).

Hypothesis draws base URLs from the grammar of ``config.read_host`` (glibc's inet_aton forms,
IPv6 in brackets, names in any case) and container names in any case; each example is brought up
for real (a few lab runs in all: several URLs share one lab) and the observation must equal the
engine's prediction on every one.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owui_lab.config import Config
from owui_lab.engine import evaluate
from tests.strategies import name_spellings, url_hosts

pytestmark = pytest.mark.usefixtures("docker_daemon")

LIVE = settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _agree(configs: list[Config]) -> None:
    from owui_lab.lab import Lab

    with Lab(configs, keep_ports=False, probe_timeout=3.0) as lab:
        seen = lab.observe_many(configs)
    wrong = [(c.base_url, c.webui_network, evaluate(c).outcome, o.outcome, o.detail)
             for c, o in zip(configs, seen) if evaluate(c).outcome != o.outcome]
    assert wrong == [], wrong


@LIVE
@given(st.lists(url_hosts(), min_size=6, max_size=6, unique_by=lambda pair: pair[0]), st.sampled_from([None, "0.0.0.0"]))
def test_host_ollama_every_spelling(hosts: list[tuple[str, str]], bind: str | None) -> None:
    """A host Ollama (loopback or every address); Open WebUI on the host network and on the default
    bridge with host-gateway: numeric forms, IPv6 and names in any case all agree."""
    configs = [Config(ollama="host", ollama_bind=bind, webui_network=net, add_host_gateway=net == "bridge",
                      base_url=f"http://{spelled}:11434")
               for spelled, _ in hosts for net in ("host", "bridge")]
    _agree(configs)


@LIVE
@given(name_spellings("ollama"), st.lists(name_spellings("ollama"), min_size=3, max_size=3))
def test_container_names_in_any_case(name: str, spellings: list[str]) -> None:
    """Docker's DNS is case-insensitive: any case of the Ollama container's name resolves, another name does not."""
    configs = [Config(ollama="container", ollama_name=name, ollama_network="ai", webui_network="ai",
                      base_url=f"http://{s}:11434") for s in [*spellings, "ollama2"]]
    _agree(configs)
