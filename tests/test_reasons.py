"""The engine's steps and notes are data; their sentences and picture labels come from tables keyed by code."""

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
from owui_lab.engine import OUTCOMES, STEP_NAMES, Browser, Note, Step, Verdict, evaluate
from owui_lab.errors import ConfigError
from owui_lab.graph import LABELS, short_reason
from owui_lab.reasons import NOTES, OUTCOME_SUFFIX, REASONS, render, render_cause, render_note

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
def verdicts() -> list[Verdict]:
    """The engine's verdicts over the grid, and over the knobs only notes read (``note_grid``)."""
    return [evaluate(c) for c in note_grid()]


@pytest.fixture(scope="module")
def emitted(verdicts) -> dict[tuple[str, bool], Step | Browser]:
    """One step (or browser) for each (code, ok) the engine emits over the grid."""
    seen: dict[tuple[str, bool], Step | Browser] = {}
    for v in verdicts:
        for s in v.steps:
            seen.setdefault((s.code, s.ok), s)
        seen.setdefault((v.browser.code, v.browser.reachable), v.browser)
    return seen


def test_every_code_the_engine_writes_has_a_template_and_every_template_a_code():
    assert codes_in_the_engine() == set(REASONS) | set(NOTES)
    assert not set(REASONS) & set(NOTES), "a code is both a step's reason and a note"


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
    """A template may use the step's (or note's) fields, the constants and the phrase formats, nothing else."""
    fields = {"subject", "address", "port", "docker0", "ollama_default_port", "webui_container_port", "who", "outcome",
              "ollama_bind", "stored_url", "base_url", "api_base_url", "network", "name_kind", "webui_network",
              "ollama_network", "ollama_name", "ollama_port", "ollama_host", "published_port", "spec", "place",
              "webui_port", "engine", "engine_title", "gateway", "bridge"}
    for code, template in {**REASONS, **NOTES}.items():
        for _text, name, spec, _conv in string.Formatter().parse(template):
            if name is not None:
                assert name in fields, (code, name)
                assert spec in ("", "network", "podman_network", "place", "forwarder", "host_network_aside"), \
                    (code, spec)
    assert not any("{outcome}" in t for t in NOTES.values()), "a note states no step's outcome"


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


def test_the_outcome_is_rendered_apart_from_the_cause(emitted):
    """Exactly the failing listen steps state their outcome; ``cause`` is the sentence without it."""
    for (code, ok), step in emitted.items():
        if not isinstance(step, Step):
            continue
        states_outcome = "{outcome}" in REASONS[code]
        assert states_outcome is (step.name == "listen" and not ok), code
        if states_outcome:
            assert step.outcome == "connection_refused"
            assert step.reason.replace(OUTCOME_SUFFIX, "", 1) == step.cause, code
            assert OUTCOME_SUFFIX not in step.cause, code
        else:
            assert step.cause == step.reason, code


def test_the_cause_of_a_refused_connection():
    step = evaluate(owui_lab.load_scenario("linux-ollama-on-host")).failing_step
    assert step.reason == step.cause + OUTCOME_SUFFIX
    assert step.cause == render_cause(step.code, step.fields) and not step.cause.endswith("refused")


def note_grid() -> list[Config]:
    """The grid, and the knobs only notes read: a URL saved in Open WebUI's database, a host-mode port."""
    out = grid()
    for engine, ollama, url in itertools.product(["docker", "docker-rootless", "podman-rootful", "podman-rootless"],
                                                 ["host", "container"],
                                                 ["http://host.docker.internal:11434", "http://localhost:11434"]):
        out.append(Config(engine=engine, ollama=ollama, base_url=url, stored_url="http://me:secret@ollama:11434"))
        out.append(Config(engine=engine, ollama=ollama, base_url=url, webui_network="host", webui_port=3001))
    for engine in ("podman-rootful", "podman-rootless"):  # a container's name on a user network, and two networks
        out.append(Config(engine=engine, ollama="container", ollama_network="lab-a", webui_network="lab-a",
                          base_url="http://ollama:11434"))
        out.append(Config(engine=engine, ollama="container", ollama_network="lab-a", webui_network="lab-b",
                          ollama_publish="all", base_url="http://host.containers.internal:11434"))
    for base_url in ("/ollama", "http://me:secret@ollama:11434"):  # the legacy variable beside OLLAMA_BASE_URL
        out.append(Config(ollama="bundled", base_url=base_url, api_base_url="http://me:secret@ollama:11434/api"))
    return out


@pytest.fixture(scope="module")
def notes_emitted(verdicts) -> dict[str, tuple[Note, str]]:
    """One note (and the verdict's rendered sentence for it) for each note code the engine emits."""
    seen: dict[str, tuple[Note, str]] = {}
    for v in verdicts:
        assert len(v.notes) == len(v.note_data)
        for note, text in zip(v.note_data, v.notes):
            seen.setdefault(note.code, (note, text))
    return seen


def test_every_note_code_is_emitted_and_rendered_from_its_own_fields(notes_emitted):
    assert set(notes_emitted) == set(NOTES), f"never emitted: {sorted(set(NOTES) - set(notes_emitted))}"
    for code, (note, text) in notes_emitted.items():
        assert text == note.text == str(note) == render_note(code, dict(note.facts)), code
        assert text and "{" not in text and text.endswith("."), (code, text)


def test_a_note_is_data_and_the_json_names_its_code():
    v = evaluate(Config(ollama_bind=DOCKER0_ADDRESS, base_url="http://host.docker.internal:11434",
                        add_host_gateway=True))
    codes = [n.code for n in v.note_data]
    assert codes == ["via_docker_proxy_ollama_on_docker0", "security_ollama_on_docker0"]
    assert dict(v.note_data[0].facts) == {"ollama_bind": DOCKER0_ADDRESS}
    assert f"OLLAMA_HOST={DOCKER0_ADDRESS}: docker0 only" in v.notes[0]
    d = json.loads(json.dumps(v.to_dict()))
    assert d["notes"] == list(v.notes) and d["note_codes"] == codes
    saved = evaluate(v.config.replace(stored_url="http://me:secret@ollama:11434")).note_data[-1]
    assert saved.code == "stored_url_wins" and "secret" not in saved.text and "me:***@ollama" in saved.text


def test_rewording_a_note_rewords_the_verdict(monkeypatch):
    v = evaluate(Config(ollama_bind="0.0.0.0"))
    code = v.note_data[0].code
    monkeypatch.setitem(NOTES, code, "Reworded.")
    assert v.note_data[0].body == "Reworded."
    assert v.notes[0] == ("Security: Reworded." if code.startswith("security_") else "Reworded.")
