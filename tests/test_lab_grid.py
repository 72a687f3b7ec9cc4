"""The central test: on a Linux engine, the lab's observation equals the engine's prediction.

The grid covers every knob value the docs' Linux diagrams turn on: Ollama on the host bound to
127.0.0.1 or 0.0.0.0, or a container on the default bridge, the host network, the same user-defined
network as Open WebUI or another one, published none / all / loopback; Open WebUI on the default
bridge, the host network, a shared or a separate network; with and without
``--add-host=host.docker.internal:host-gateway``; the base URL's host ``localhost``, ``127.0.0.1``,
``host.docker.internal``, the Ollama container's name and ``172.17.0.1``.

It is fast because setups are shared: one Lab per Ollama placement holds one Open WebUI container
per (network, add-host) pair, and each of those probes all five URLs at once.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from owui_lab.config import Config
from owui_lab.engine import evaluate
from owui_lab.lab import Lab

pytestmark = pytest.mark.docker

URL_HOSTS = ("localhost", "127.0.0.1", "host.docker.internal", "ollama", "172.17.0.1")
WEBUI_NETWORKS = ("bridge", "host", "lab-a", "lab-b")  # lab-a: Ollama's own user-defined network
SHARED = "lab-a"


def ollama_placements() -> list[list[dict]]:
    """Each entry: the Ollama knobs of one family (configurations sharing one Ollama)."""
    out: list[list[dict]] = [
        [{"ollama": "host", "ollama_bind": "127.0.0.1"}],
        [{"ollama": "host", "ollama_bind": "0.0.0.0"}],
    ]
    for network in ("bridge", SHARED):
        for publish in ("none", "all", "loopback"):
            out.append([{"ollama": "container", "ollama_network": network, "ollama_publish": publish}])
    # Docker discards -p in host mode: the three publish values are one placement.
    out.append([{"ollama": "container", "ollama_network": "host", "ollama_publish": p} for p in ("none", "all", "loopback")])
    # A container Ollama told to listen on its own loopback: published or not, nobody else gets in.
    out.append([{"ollama": "container", "ollama_network": SHARED, "ollama_publish": "all", "ollama_bind": "127.0.0.1"}])
    return out


def family_configs(ollama_variants: list[dict]) -> list[Config]:
    configs = []
    for knobs, network, add_host, host in itertools.product(ollama_variants, WEBUI_NETWORKS, (False, True), URL_HOSTS):
        configs.append(
            Config(platform="linux", webui_network=network, add_host_gateway=add_host,
                   base_url=f"http://{host}:11434", **knobs)
        )
    return configs


def check_family(configs: list[Config]) -> tuple[list[str], list[str]]:
    """Bring one family up, probe every configuration; return (disagreements, transients).

    A disagreement is probed once more while the lab is still up: other Docker users on this
    daemon (concurrent test runs) create and remove networks, and Docker rewrites its iptables
    rules meanwhile. One that goes away on the second probe is reported as a transient, with the
    daemon's NAT rules of that moment; one that stays is a real disagreement: a bug in the engine
    or in the lab.
    """
    problems, transients = [], []
    with Lab(configs, keep_ports=False, probe_timeout=3.0) as lab:
        observations = lab.observe_many(configs)
        suspects = [(c, o) for c, o in zip(configs, observations) if not _agrees(c, o)]
        if suspects:
            rules = _nat_rules()
            again = lab.observe_many([c for c, _ in suspects])
            for (config, first), second in zip(suspects, again):
                if _agrees(config, second):
                    transients.append(f"{_describe(config, first)}; second probe agreed. NAT rules then: {rules}")
                else:
                    problems.append(_describe(config, second))
    return problems, transients


def _agrees(config: Config, seen) -> bool:
    verdict = evaluate(config)
    return verdict.outcome == seen.outcome and verdict.browser.reachable == seen.browser.reachable


def _describe(config: Config, seen) -> str:
    verdict = evaluate(config)
    return (f"{_knobs(config)}: predicted {verdict.outcome} (browser {verdict.browser.reachable}), "
            f"observed {seen.outcome} at {seen.url} ({seen.detail}; browser {seen.browser.reachable})")


def _nat_rules() -> str:
    import subprocess

    try:
        done = subprocess.run(["iptables", "-t", "nat", "-S", "DOCKER"], capture_output=True, text=True, timeout=5)
        return " | ".join(done.stdout.split("\n")) or done.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"(iptables not readable: {exc})"


def _knobs(c: Config) -> str:
    keys = ("ollama", "ollama_bind", "ollama_network", "ollama_publish", "webui_network", "add_host_gateway", "base_url")
    return " ".join(f"{k}={getattr(c, k)}" for k in keys if getattr(c, k) is not None)


def test_every_linux_configuration_of_the_grid_agrees_with_the_engine(capsys: pytest.CaptureFixture) -> None:
    families = [family_configs(p) for p in ollama_placements()]
    count = sum(len(f) for f in families)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(check_family, families))
    problems = [p for f, _ in found for p in f]
    transients = [item for _, ts in found for item in ts]
    seconds = time.perf_counter() - start
    with capsys.disabled():
        print(f"\nlab grid: {count} Linux configurations in {len(families)} setups checked against the engine "
              f"in {seconds:.1f} s; {len(problems)} disagreement(s), {len(transients)} transient(s) "
              "that agreed on a second probe")
        for t in transients:
            print(f"  transient: {t}")
    assert not problems, "lab and engine disagree:\n" + "\n".join(problems)


def test_the_grid_covers_every_knob_value() -> None:
    configs = [c for p in ollama_placements() for c in family_configs(p)]
    assert {c.ollama for c in configs} == {"host", "container"}
    assert {c.ollama_bind for c in configs if c.ollama == "host"} == {"127.0.0.1", "0.0.0.0"}
    assert {c.ollama_network for c in configs if c.ollama == "container"} == {"bridge", "host", SHARED}
    assert {c.ollama_publish for c in configs if c.ollama == "container"} == {"none", "all", "loopback"}
    assert {c.webui_network for c in configs} == set(WEBUI_NETWORKS)
    assert {c.add_host_gateway for c in configs} == {False, True}
    assert {c.parsed_base_url.host for c in configs} == set(URL_HOSTS)
    # the same user-defined network, another one, and each outcome class occurs
    assert any(c.shared_network for c in configs)
    assert any(c.ollama_network == SHARED and c.webui_network == "lab-b" for c in configs)
    # On a Linux engine with Docker's defaults, none of these five hosts times out: a published port
    # is answered by docker-proxy from every network (see tests/test_engine_lab_facts.py).
    assert {evaluate(c).outcome for c in configs} == {"ok", "name_not_resolved", "connection_refused"}
