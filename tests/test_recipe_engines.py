"""How each engine's commands are spelled (``recipe_engines.py``): program, compose tool, notes (issue 23).

``tests/test_recipe_engines_live.py`` runs them on rootful and rootless Podman and rootless Docker."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from owui_lab import engines, load_scenario, predict
from owui_lab.config import ENGINES
from owui_lab.recipe import recipe
from owui_lab.recipe_engines import PROGRAMS
from tests.strategies import configs


@pytest.mark.parametrize(("engine", "program"), [
    ("docker", ("docker",)), ("docker-rootless", ("docker",)),
    ("podman-rootful", ("sudo", "podman")), ("podman-rootless", ("podman",)),
])
def test_each_engine_writes_its_own_program(engine, program):
    r = recipe(load_scenario("linux-separate-networks").replace(engine=engine))
    for argv in (*r.network_creates, *r.runs):
        assert argv[:len(program)] == program and argv[len(program)] in ("network", "run")
        assert ("sudo" in argv) == (engine == "podman-rootful")  # rootless: nothing with sudo
    assert r.cli == program[-1] and f"# With {r.cli} run\n" in r.text()
    assert r.compose_up.endswith("up -d") and r.compose_up in r.text()
    assert r.compose_up.startswith("sudo ") == (engine == "podman-rootful")
    assert ("podman-compose" in r.compose_up) == engine.startswith("podman")
    commands = r.docker_run_script.replace("\\\n", "").strip().splitlines()
    assert [tuple(shlex.split(line)) for line in commands] == [*r.network_creates, *r.runs]


@pytest.mark.parametrize("engine", ["docker-rootless", "podman-rootful", "podman-rootless"])
def test_the_notes_name_the_engine(engine):
    c = load_scenario("linux-compose").replace(engine=engine)
    first = recipe(c).notes[0]
    assert first.startswith(engines.title(c) + ":")
    assert ("DOCKER_HOST" in first) and (("context" in first) == (engine == "docker-rootless"))
    assert not any("DOCKER_HOST" in n for n in recipe(c.replace(engine="docker")).notes)


def test_podman_refusing_host_gateway_is_said_with_the_engines_name_for_the_host():
    c = load_scenario("linux-ollama-on-host").replace(engine="podman-rootful", ollama_bind="0.0.0.0")
    r = recipe(c)
    assert predict(c).steps[0].code == "podman_refuses_host_gateway"  # the engine's rule, which the note follows
    refusal = [n for n in r.notes if "host-gateway" in n and "refuses" in n]
    assert refusal and engines.host_alias(c) in refusal[0] and refusal[0].startswith(engines.title(c))
    fixed = c.replace(add_host_gateway=False, base_url=f"http://{engines.host_alias(c)}:11434")
    assert predict(fixed).outcome == "ok"
    assert not any("host-gateway" in n for n in recipe(fixed).notes)
    own_name_with_the_flag = recipe(c.replace(base_url=fixed.base_url)).notes
    assert any("leave --add-host out." in n for n in own_name_with_the_flag)  # the URL is already Podman's
    unfixed_url = c.replace(add_host_gateway=False)
    assert any(engines.host_alias(c) in n and n.startswith(engines.title(c)) for n in recipe(unfixed_url).notes)

def test_the_host_network_note_quotes_the_engines_own_warning():
    r = recipe(load_scenario("linux-host-network").replace(engine="podman-rootless"))
    assert "-p" not in r.runs[-1]
    assert any("Podman ignores -p" in n and "Port mappings have been discarded" in n for n in r.notes)
    assert not any("Docker ignores" in n for n in r.notes)


@settings(max_examples=100, deadline=None)
@given(configs(), st.sampled_from(ENGINES))
def test_the_engine_changes_only_the_program_of_each_command(c, engine):
    """Every knob is written alike on every engine: only the words that start a command differ."""
    assume(c.platform == "linux")  # Docker Desktop is always engine docker
    docker, other = recipe(c), recipe(c.replace(engine=engine))
    n = len(PROGRAMS[engine])
    assert [a[n:] for a in (*other.network_creates, *other.runs)] == [
        a[1:] for a in (*docker.network_creates, *docker.runs)]
    assert other.compose == docker.compose and other.host_ollama == docker.host_ollama
