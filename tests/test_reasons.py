"""The engine's steps are data; their sentences and picture labels come from tables keyed by reason code."""

from __future__ import annotations

import ast
import itertools
import json
import string
from dataclasses import fields
from pathlib import Path

import pytest

import owui_lab
from owui_lab import Config
from owui_lab.config import DOCKER0_ADDRESS
from owui_lab.engine import OUTCOMES, STEP_NAMES, Browser, Step, evaluate
from owui_lab.errors import ConfigError
from owui_lab.graph import LABELS, short_reason
from owui_lab.reasons import REASONS, render

#: The engine's rules: rootful Docker Engine and Docker Desktop, and where the other engines differ.
RULES = [Path(owui_lab.__file__).parent / name for name in ("engine.py", "engines.py")]


def codes_in_the_engine() -> set[str]:
    """Every reason code written in the rules: their snake_case string literals (not dict keys, outcomes, knobs)."""
    found: set[str] = set()
    for path in RULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keys = {id(k) for d in ast.walk(tree) if isinstance(d, ast.Dict) for k in d.keys}
        found |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                  and id(n) not in keys and n.value.isidentifier() and n.value.islower() and "_" in n.value}
    return found - set(OUTCOMES) - {f.name for f in fields(Config)}


def grid() -> list[Config]:
    """Configurations over every knob value that changes the engine's path (a few thousand, a second or two)."""
    out = []
    for platform, ollama, bind, webui_net, ollama_net, publish, gateway, host, port, desktop_host, proxy in \
            itertools.product(["linux", "desktop"], ["host", "container"],
                              [None, "127.0.0.1", "0.0.0.0:11435", DOCKER0_ADDRESS],
                              ["bridge", "host", "ai"], [None, "host", "ai", "other"],
                              [None, "none", "all", "loopback"],
                              [False, True], ["localhost", "host.docker.internal", "ollama", "other", DOCKER0_ADDRESS,
                                              "10.0.0.5"], [11434, 8080], [False, True], [True, False]):
        if ollama == "host" and (ollama_net or publish):
            continue
        if (platform == "linux" and desktop_host) or (not proxy and (ollama == "host" or port != 11434)):
            continue
        try:
            out.append(Config(platform=platform, ollama=ollama, ollama_bind=bind, webui_network=webui_net,
                              ollama_network=ollama_net, ollama_publish=publish, add_host_gateway=gateway,
                              base_url=f"http://{host}:{port}",
                              desktop_host_networking=desktop_host, userland_proxy=proxy))
        except ConfigError:
            continue
    # The other engines on Linux, and the knobs that name an address of the host.
    for engine, ollama, bind, webui_net, ollama_net, publish, gateway, host, port in itertools.product(
            ["docker-rootless", "podman-rootful", "podman-rootless"], ["host", "container"],
            [None, "127.0.0.1", "0.0.0.0:11435"], ["bridge", "host", "ai"], [None, "host", "bridge", "other"],
            [None, "none", "all", "loopback"], [False, True],
            ["localhost", "host.docker.internal", "host.containers.internal", DOCKER0_ADDRESS, "10.88.0.1"],
            [11434, 8080]):
        if ollama == "host" and (ollama_net or publish):
            continue
        try:
            out.append(Config(engine=engine, ollama=ollama, ollama_bind=bind, webui_network=webui_net,
                              ollama_network=ollama_net, ollama_publish=publish, add_host_gateway=gateway,
                              base_url=f"http://{host}:{port}"))
        except ConfigError:
            continue
    for platform, ollama, bind, publish, webui_net, knob in itertools.product(
            ["linux", "desktop"], ["host", "container"], [None, "0.0.0.0", "0.0.0.0:11435", "192.168.1.20"],
            [None, "all", "loopback"], ["bridge", "host"], ["host_address", "add_host_ip"]):
        if ollama == "host" and publish:
            continue
        url = "http://192.168.1.20:11434" if knob == "host_address" else "http://host.docker.internal:11434"
        try:
            out.append(Config(platform=platform, ollama=ollama, ollama_bind=bind, ollama_publish=publish,
                              webui_network=webui_net, base_url=url, **{knob: "192.168.1.20"}))
        except ConfigError:
            continue
    # Ollama bundled in the Open WebUI container (the :ollama image), and the legacy OLLAMA_API_BASE_URL.
    for platform, bind, webui_net, gateway, url, desktop_host in itertools.product(
            ["linux", "desktop"], [None, "0.0.0.0", "0.0.0.0:11435"], ["bridge", "host", "ai"], [False, True],
            ["/ollama", "http://localhost:11434", "http://127.0.0.1:11434", "http://host.docker.internal:11434",
             f"http://{DOCKER0_ADDRESS}:11434", "http://localhost:8080"], [False, True]):
        try:
            out.append(Config(platform=platform, ollama="bundled", ollama_bind=bind, webui_network=webui_net,
                              add_host_gateway=gateway, base_url=url, desktop_host_networking=desktop_host))
        except ConfigError:
            continue
    out.append(Config(base_url="", api_base_url="http://127.0.0.1:11434/api", webui_network="host"))
    out.append(Config(base_url="http://127.1:11434"))  # an IP address the resolver reads as 127.0.0.1
    out.append(Config(ollama_bind="0.0.0.0", add_host_gateway=True, host_firewall=True))  # a host firewall drops it
    return out


@pytest.fixture(scope="module")
def emitted() -> dict[tuple[str, bool], Step | Browser]:
    """One step (or browser) for each (code, ok) the engine emits over the grid."""
    seen: dict[tuple[str, bool], Step | Browser] = {}
    for c in grid():
        v = evaluate(c)
        for s in v.steps:
            seen.setdefault((s.code, s.ok), s)
        seen.setdefault((v.browser.code, v.browser.reachable), v.browser)
    return seen


def test_every_code_the_engine_writes_has_a_template_and_every_template_a_code():
    assert codes_in_the_engine() == set(REASONS)


def test_every_failing_code_has_a_picture_label(emitted):
    failing = {code for code, ok in emitted if not ok}
    assert failing <= set(LABELS), f"no label in graph.LABELS for {sorted(failing - set(LABELS))}"
    assert set(LABELS) <= set(REASONS), f"labels for codes the engine never writes: {set(LABELS) - set(REASONS)}"
    assert set(LABELS) - failing == FALLBACKS, "a label no failing step uses"


#: The defensive fallback of the listen step that no configuration reaches (``mac_nothing_listens`` is reached
#: by Ollama bundled in a host-network Open WebUI on Docker Desktop, asked at host.docker.internal).
FALLBACKS = {"nothing_known_listens"}


def test_the_grid_renders_every_template(emitted):
    assert set(REASONS) - {code for code, _ok in emitted} == FALLBACKS


def test_each_code_is_either_a_success_or_a_failure(emitted):
    assert not {code for code, ok in emitted if ok} & {code for code, ok in emitted if not ok}


def test_every_sentence_and_label_renders_from_the_steps_own_fields(emitted):
    for (code, ok), step in emitted.items():
        assert step.reason and "{" not in step.reason, code
        if not ok:
            label = short_reason(step)
            assert label and len(label) <= 60 and "{" not in label, (code, label)


def test_templates_name_only_known_fields():
    """A template may use the step's fields, the constants and the two phrase formats, nothing else."""
    fields = {"subject", "address", "port", "docker0", "ollama_default_port", "webui_container_port", "who",
              "network", "name_kind", "webui_network", "ollama_network", "ollama_name", "ollama_port", "ollama_host",
              "published_port", "spec", "place", "webui_port", "engine", "engine_title", "gateway"}
    for code, template in REASONS.items():
        for _text, name, spec, _conv in string.Formatter().parse(template):
            if name is not None:
                assert name in fields, (code, name)
                assert spec in ("", "network", "podman_network", "place", "forwarder"), (code, spec)


def test_a_step_is_data_and_its_json_keeps_the_old_keys():
    v = evaluate(owui_lab.load_scenario("linux-ollama-on-host"))
    listen = v.failing_step
    assert (listen.name, listen.ok, listen.code, listen.outcome) == \
        ("listen", False, "ollama_not_on_docker0", "connection_refused")
    assert (listen.subject, listen.address, listen.port) == ("docker0", DOCKER0_ADDRESS, 11434)
    assert dict(listen.facts)["ollama_host"] == "127.0.0.1"
    assert listen.reason == render(listen.code, listen.fields)
    d = json.loads(json.dumps(v.to_dict()))
    assert [s["name"] for s in d["steps"]] == list(STEP_NAMES[:3])
    assert {"name", "ok", "reason", "code", "outcome", "subject", "address", "port", "facts"} <= set(d["steps"][2])
    assert d["steps"][2]["reason"] == listen.reason and d["browser"]["code"] == v.browser.code


def test_rewording_a_template_rewords_the_step(monkeypatch):
    step = evaluate(owui_lab.load_scenario("linux-ollama-on-host")).failing_step
    monkeypatch.setitem(REASONS, step.code, "Ollama hears only {ollama_host}")
    assert step.reason == "Ollama hears only 127.0.0.1"
