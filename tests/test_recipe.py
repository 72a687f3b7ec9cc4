"""The recipe: docker run lines and compose files that build exactly the configuration, no daemon needed."""

from __future__ import annotations

import shlex

import pytest
import yaml
from hypothesis import given, settings

from owui_lab import Config, load_scenario, scenarios
from owui_lab.errors import ConfigError
from owui_lab.recipe import OLLAMA_IMAGE, WEBUI_IMAGE, WEBUI_NAME, recipe
from tests.strategies import configs

SCENARIO_IDS = [s.id for s in scenarios()]


def _run_of(r, name):
    """The docker run argv whose --name is ``name``."""
    for argv in r.runs:
        if argv[argv.index("--name") + 1] == name:
            return argv
    raise AssertionError(f"no docker run for {name}: {r.runs}")


def _flag_values(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def _network_of_run(argv):
    nets = [a.split("=", 1)[1] for a in argv if a.startswith("--network=")]
    return nets[0] if nets else "bridge"


def _network_of_service(service, model):
    """The configuration's network name a compose service is on (the inverse of the recipe)."""
    if "network_mode" in service:
        return service["network_mode"]
    if "networks" in service:
        (key,) = service["networks"]
        return model["networks"][key]["name"]
    return f"{model['name']}_default"


def knobs_from_compose(model: dict, ollama_name: str = "ollama") -> dict:
    """Read a compose model back into the engine's effective knobs, as Docker would run it."""
    webui = model["services"][WEBUI_NAME]
    ollama = model["services"].get(ollama_name)
    knobs = {
        "webui_network": _network_of_service(webui, model),
        "base_url": webui["environment"]["OLLAMA_BASE_URL"],
        "add_host_gateway": webui.get("extra_hosts") == ["host.docker.internal:host-gateway"],
        "webui_port": int(webui["ports"][0].split(":")[0]) if "ports" in webui else None,
        "ollama": "container" if ollama else "bundled" if webui["image"].endswith(":ollama") else "host",
    }
    if ollama:
        ports = [p.rsplit(":", 2) for p in ollama.get("ports", [])]  # [address:]host:container
        publish = "none" if not ports else ("loopback" if ports[0][0] == "127.0.0.1" else "all")
        knobs["ollama_host_port"] = int(ports[0][-2]) if ports else None
        knobs.update(
            ollama_network=_network_of_service(ollama, model),
            ollama_publish=publish,
            ollama_bind=ollama.get("environment", {}).get("OLLAMA_HOST"),
        )
    return knobs


# ---- the eight seeds, spelled out ----


def test_linux_ollama_on_host_needs_the_host_gateway_and_tells_how_to_bind():
    r = recipe(load_scenario("linux-ollama-on-host"))
    assert r.network_creates == ()
    (webui,) = r.runs
    assert webui[:3] == ("docker", "run", "-d")
    assert "--add-host=host.docker.internal:host-gateway" in webui
    assert _flag_values(webui, "-p") == ["3000:8080"]
    assert _flag_values(webui, "-e") == ["OLLAMA_BASE_URL=http://host.docker.internal:11434"]
    assert webui[-1] == WEBUI_IMAGE
    # What the Linux learner typed: the installer's service, OLLAMA_HOST left unset (one truth for
    # lesson 01 and the sandbox: the scenario leaves the bind unset and the recipe says so).
    assert "OLLAMA_HOST is unset: it listens on 127.0.0.1:11434" in r.host_ollama
    assert "systemctl edit" not in r.host_ollama and "Environment=" not in r.host_ollama
    fixed = recipe(load_scenario("linux-ollama-on-host").replace(ollama_bind="0.0.0.0"))
    assert 'Environment="OLLAMA_HOST=0.0.0.0"' in fixed.host_ollama
    assert "systemctl daemon-reload" in fixed.host_ollama
    assert list(r.compose["services"]) == [WEBUI_NAME]
    assert r.compose["services"][WEBUI_NAME]["network_mode"] == "bridge"  # docker run's default bridge
    assert r.compose["services"][WEBUI_NAME]["extra_hosts"] == ["host.docker.internal:host-gateway"]
    assert r.browser_url == "http://localhost:3000"


@pytest.mark.parametrize("sid", ["linux-compose", "desktop-compose"])
def test_compose_stack_uses_the_stacks_default_network_and_the_service_name(sid):
    r = recipe(load_scenario(sid))
    model = r.compose
    assert model["name"] == "open-webui"
    assert list(model["services"]) == ["ollama", WEBUI_NAME]
    assert "networks" not in model  # open-webui_default is the stack's own network
    for service in model["services"].values():
        assert "networks" not in service and "network_mode" not in service
    assert model["services"]["ollama"]["image"] == OLLAMA_IMAGE
    assert model["services"][WEBUI_NAME]["environment"] == {"OLLAMA_BASE_URL": "http://ollama:11434"}
    assert model["services"][WEBUI_NAME]["depends_on"] == ["ollama"]
    assert "ports" not in model["services"]["ollama"]
    # compose comes first for a compose stack; the docker run form still says the same
    text = r.text()
    assert text.index("compose.yaml") < text.index("docker run")
    assert r.network_creates == (("docker", "network", "create", "open-webui_default"),)
    assert _network_of_run(_run_of(r, "ollama")) == "open-webui_default"


@pytest.mark.parametrize("sid", ["linux-separate-networks", "desktop-separate-networks"])
def test_separate_networks_are_created_and_declared_by_name(sid):
    r = recipe(load_scenario(sid))
    assert [argv[-1] for argv in r.network_creates] == ["ollama-net", "webui-net"]
    assert _network_of_run(_run_of(r, "ollama")) == "ollama-net"
    assert _network_of_run(_run_of(r, WEBUI_NAME)) == "webui-net"
    assert r.compose["networks"] == {"ollama-net": {"name": "ollama-net"}, "webui-net": {"name": "webui-net"}}
    assert r.compose["services"]["ollama"]["networks"] == ["ollama-net"]


@pytest.mark.parametrize("sid", ["linux-host-network", "desktop-host-network"])
def test_host_network_drops_the_published_port(sid):
    r = recipe(load_scenario(sid))
    (webui,) = r.runs
    assert "--network=host" in webui and "-p" not in webui
    service = r.compose["services"][WEBUI_NAME]
    assert service["network_mode"] == "host" and "ports" not in service
    assert r.browser_url == "http://localhost:8080"
    assert any("ignores -p" in n for n in r.notes)


def test_desktop_host_networking_setting_is_a_note_not_a_command():
    on = recipe(load_scenario("desktop-host-network").replace(desktop_host_networking=True))
    off = recipe(load_scenario("desktop-host-network"))
    assert any("Enable host" in n for n in on.notes)
    assert any("host networking is off" in n for n in off.notes)
    assert on.runs == off.runs  # the setting lives in Docker Desktop, not in the command


def test_desktop_host_ollama_with_a_bind_says_launchctl_and_setx():
    r = recipe(load_scenario("desktop-ollama-on-host").replace(ollama_bind="0.0.0.0"))
    assert "launchctl setenv OLLAMA_HOST 0.0.0.0" in r.host_ollama
    assert "setx OLLAMA_HOST 0.0.0.0" in r.host_ollama


def test_container_ollama_knobs_become_flags():
    c = Config(
        platform="linux", ollama="container", ollama_bind="0.0.0.0:11434", ollama_publish="loopback",
        webui_network="host", base_url="http://127.0.0.1:11434",
    )
    r = recipe(c)
    ollama = _run_of(r, "ollama")
    assert _flag_values(ollama, "-p") == ["127.0.0.1:11434:11434"]
    assert _flag_values(ollama, "-e") == ["OLLAMA_HOST=0.0.0.0:11434"]
    assert _network_of_run(ollama) == "bridge" and not any(a.startswith("--network") for a in ollama)
    assert r.host_ollama == ""
    assert r.compose["services"]["ollama"]["network_mode"] == "bridge"
    assert r.compose["services"]["ollama"]["environment"] == {"OLLAMA_HOST": "0.0.0.0:11434"}


def test_publish_is_left_out_on_the_host_network_and_said_so():
    c = Config(ollama="container", ollama_network="host", ollama_publish="all", webui_network="host",
               base_url="http://127.0.0.1:11434")
    r = recipe(c)
    assert "-p" not in _run_of(r, "ollama")
    assert "ports" not in r.compose["services"]["ollama"]
    assert any("discards its -p" in n for n in r.notes)


def test_a_custom_ollama_name_is_the_container_and_the_service():
    c = load_scenario("linux-compose").replace(ollama_name="llm", base_url="http://llm:11434")
    r = recipe(c)
    assert list(r.compose["services"]) == ["llm", WEBUI_NAME]
    assert _run_of(r, "llm")[-1] == OLLAMA_IMAGE


def test_the_shell_script_parses_back_into_the_same_argv():
    for sid in SCENARIO_IDS:
        r = recipe(load_scenario(sid))
        # each command is one logical line: backslash-newline continuations join it back
        commands = r.docker_run_script.replace("\\\n", "").strip().splitlines()
        assert [tuple(shlex.split(line)) for line in commands] == [*r.network_creates, *r.runs]


# ---- overrides for tests that really run the stack ----


def test_overrides_change_only_what_running_it_here_needs():
    labels = {"io.owui-lab.managed": "true", "io.owui-lab.session": "s1"}
    c = load_scenario("linux-separate-networks")
    r = recipe(
        c,
        images={"ollama": "img:1", WEBUI_NAME: "img:1"},
        commands={"ollama": ["python3", "-c", "print(1)"], WEBUI_NAME: ["sleep", "1"]},
        project="owui-t-s1",
        network_names={"ollama-net": "owui-t-s1-ollama-net", "webui-net": "owui-t-s1-webui-net"},
        labels=labels,
        volumes=False,
        init=True,
    )
    model = r.compose
    assert model["name"] == "owui-t-s1"
    assert model["networks"]["ollama-net"] == {"name": "owui-t-s1-ollama-net", "labels": labels}
    ollama = model["services"]["ollama"]
    assert ollama["image"] == "img:1" and ollama["command"] == ["python3", "-c", "print(1)"]
    assert ollama["labels"] == labels and ollama["init"] is True and "volumes" not in ollama
    assert "volumes" not in model
    run = _run_of(r, "ollama")
    assert "--init" in run and _flag_values(run, "--label") == ["io.owui-lab.managed=true", "io.owui-lab.session=s1"]
    assert run[-4:] == ("img:1", "python3", "-c", "print(1)")
    assert r.network_creates[0][-1] == "owui-t-s1-ollama-net"
    # the knobs read back are the configuration's, under the test's network names
    back = knobs_from_compose(model)
    assert back["ollama_network"] == "owui-t-s1-ollama-net" and back["webui_network"] == "owui-t-s1-webui-net"


def test_the_stack_default_network_follows_the_project_and_carries_the_labels():
    labels = {"io.owui-lab.managed": "true"}
    r = recipe(load_scenario("linux-compose"), project="owui-t-x", labels=labels, volumes=False)
    assert r.compose["networks"] == {"default": {"labels": labels}}
    assert knobs_from_compose(r.compose)["webui_network"] == "owui-t-x_default"
    assert r.network_creates[0][-1] == "owui-t-x_default"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"images": {"webui": "x"}}, "unknown role"),
        ({"commands": {"db": ["x"]}}, "unknown role"),
        ({"project": "-bad"}, "not a valid compose project"),
        ({"project": "has space"}, "not a valid compose project"),
    ],
)
def test_bad_overrides_are_refused_with_a_hint(kwargs, words):
    with pytest.raises(ConfigError) as info:
        recipe(load_scenario("linux-compose"), **kwargs)
    assert words in info.value.message and info.value.hint


# ---- every configuration ----


@settings(max_examples=300, deadline=None)
@given(configs())
def test_the_recipe_builds_exactly_the_configuration(c):
    r = recipe(c)
    model = yaml.safe_load(r.compose_yaml)
    assert model == r.compose  # the text is the model
    back = knobs_from_compose(model)
    assert back["base_url"] == c.base_url
    assert back["add_host_gateway"] == c.add_host_gateway
    assert back["webui_network"] == (c.webui_network if c.webui_network in ("bridge", "host") or
                                     c.webui_network.endswith("_default") else c.webui_network)
    assert back["webui_port"] == (None if c.webui_host_mode else c.webui_port)
    assert back["ollama"] == c.ollama
    webui = _run_of(r, WEBUI_NAME)
    assert f"OLLAMA_BASE_URL={c.base_url}" in webui
    assert ("--add-host=host.docker.internal:host-gateway" in webui) == c.add_host_gateway
    assert _network_of_run(webui) == c.webui_network
    assert ("-p" in webui) == (not c.webui_host_mode)
    if c.ollama_in_container:
        assert back["ollama_network"] == c.ollama_network_effective
        assert back["ollama_publish"] == c.ollama_publish_effective
        assert back["ollama_bind"] == c.ollama_bind
        assert back["ollama_host_port"] == (c.ollama_published_port if back["ollama_publish"] != "none" else None)
        ollama = _run_of(r, c.ollama_name)
        assert _network_of_run(ollama) == c.ollama_network_effective
        assert r.host_ollama == ""
        assert len(r.runs) == 2
    elif c.ollama_bundled:  # one container, the :ollama image; Ollama's OLLAMA_HOST goes on it
        assert len(r.runs) == 1 and r.host_ollama == "" and webui[-1] == "ghcr.io/open-webui/open-webui:ollama"
        assert model["services"][WEBUI_NAME].get("environment", {}).get("OLLAMA_HOST") == c.ollama_bind
    else:
        assert len(r.runs) == 1 and r.host_ollama
        assert str(c.ollama_listen) in r.host_ollama
    user_nets = {n for n in (c.webui_network, c.ollama_network_effective) if n and n not in ("bridge", "host")}
    assert {argv[-1] for argv in r.network_creates} == user_nets
    assert r.browser_url.endswith(":8080" if c.webui_host_mode else f":{c.webui_port}")


def test_image_env_stands_in_for_the_real_images_env_and_the_configuration_wins():
    image_env = {"ollama": {"OLLAMA_HOST": "0.0.0.0:11434"}}  # what ollama/ollama's Dockerfile sets
    default = recipe(load_scenario("linux-compose"), image_env=image_env)
    assert default.compose["services"]["ollama"]["environment"] == {"OLLAMA_HOST": "0.0.0.0:11434"}
    assert _flag_values(_run_of(default, "ollama"), "-e") == ["OLLAMA_HOST=0.0.0.0:11434"]
    bound = recipe(load_scenario("linux-compose").replace(ollama_bind="127.0.0.1"), image_env=image_env)
    assert bound.compose["services"]["ollama"]["environment"] == {"OLLAMA_HOST": "127.0.0.1"}
    assert "environment" not in recipe(load_scenario("linux-compose")).compose["services"]["ollama"]
    with pytest.raises(ConfigError):
        recipe(load_scenario("linux-compose"), image_env={"db": {}})


# ---- knobs the declarations write (knobs.Written) that were once left out ----


def test_ollamas_host_port_and_an_add_host_address_are_written():
    c = Config(ollama="container", ollama_publish="loopback", ollama_host_port=7869, add_host_ip="192.168.1.20",
               base_url="http://host.docker.internal:7869")
    r = recipe(c)
    assert _flag_values(_run_of(r, "ollama"), "-p") == ["127.0.0.1:7869:11434"]
    assert r.compose["services"]["ollama"]["ports"] == ["127.0.0.1:7869:11434"]
    assert "--add-host=host.docker.internal:192.168.1.20" in _run_of(r, WEBUI_NAME)
    assert r.compose["services"][WEBUI_NAME]["extra_hosts"] == ["host.docker.internal:192.168.1.20"]


def test_settings_are_not_commands():
    """A daemon's, Docker Desktop's or Open WebUI's own setting changes no command (the notes may say it)."""
    base = load_scenario("linux-compose")
    for changed in (base.replace(userland_proxy=False), base.replace(stored_url="http://other:11434"),
                    base.replace(host_address="192.168.1.20")):
        assert recipe(changed).runs == recipe(base).runs and recipe(changed).compose == recipe(base).compose
