"""The paste reader: docker run lines, compose files and host Ollama lines, each into the doctor's facts."""

from __future__ import annotations

import shutil

import pytest

from owui_lab import predict
from owui_lab.errors import ConfigError
from owui_lab.paste import Paste, host_bind, parse_run, read_compose, read_paste, split_commands
from owui_lab.paste.compose import interpolate

README = ("docker run -d -p 3000:8080 --add-host=host.docker.internal:host-gateway -v open-webui:/app/backend/data "
          "--name open-webui --restart always ghcr.io/open-webui/open-webui:main")


def test_a_run_line_becomes_the_doctors_facts():
    run = parse_run(README)
    f = run.facts
    assert (f.name, f.image, f.network_mode) == ("open-webui", "ghcr.io/open-webui/open-webui:main", "bridge")
    assert [p.flag() for p in f.ports] == ["-p 3000:8080"]
    assert f.extra_hosts == (("host.docker.internal", "host-gateway"),)
    assert run.ignored == ("-d", "-v open-webui:/app/backend/data", "--restart always")


@pytest.mark.parametrize("text", [
    "docker run -d \\\n  -p 127.0.0.1:11434:11434 \\\n  --net=mynet \\\n  -e 'OLLAMA_HOST=0.0.0.0:11434' ollama/ollama",
    "docker run -d `\n  -p 127.0.0.1:11434:11434 `\n  --network mynet `\n  --env \"OLLAMA_HOST=0.0.0.0:11434\" ollama/ollama",
    "sudo docker run -d\n  -p '127.0.0.1:11434:11434'\n  --network='mynet'\n  -e 'OLLAMA_HOST'='0.0.0.0:11434' ollama/ollama",
])
def test_quoting_and_continuations(text):
    f = parse_run(text).facts
    assert f.network_mode == "mynet" and f.env == {"OLLAMA_HOST": "0.0.0.0:11434"}
    assert [(p.host_ip, p.host_port, p.container_port) for p in f.ports] == [("127.0.0.1", 11434, 11434)]


def test_several_commands_in_one_paste():
    text = "docker network create owui && docker run -d --network owui --name ollama ollama/ollama\n$ " + README
    assert [c.split()[-1] for c in split_commands(text)] == ["ollama/ollama", "ghcr.io/open-webui/open-webui:main"]


@pytest.mark.parametrize("text, words", [
    ("ls -la", "is not a docker run"),
    ("docker run -d -p 3000:8080 -e 'OLLAMA_BASE_URL=http://x", "quote is not closed"),
    ("docker run -d -p 3000:8080", "names no image"),
    ("docker run -p abc:8080 img", "not a port mapping"),
    ("docker run --name", "has no value"),
])
def test_bad_input_is_one_clear_error(text, words):
    with pytest.raises(ConfigError) as info:
        parse_run(text)
    assert words in str(info.value) and "Hint:" in str(info.value)


@pytest.mark.parametrize("lines, bind", [
    ("OLLAMA_HOST=0.0.0.0 ollama serve", "0.0.0.0"),
    ("export OLLAMA_HOST=0.0.0.0:11500\nollama serve", "0.0.0.0:11500"),
    ('[Service]\nEnvironment="OLLAMA_HOST=0.0.0.0"', "0.0.0.0"),
    ("launchctl setenv OLLAMA_HOST \"0.0.0.0\"", "0.0.0.0"),
    ("ollama serve", "127.0.0.1"),
    ("nothing here", None),
])
def test_host_ollama_lines(lines, bind):
    assert host_bind(lines)[0] == bind


def test_interpolation_as_compose_does():
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET-a} ${UNSET-b} ${EMPTY-c} ${EMPTY:-d} $$SET ${UNSET}", env) == "x b  d $SET "


COMPOSE = """
services:
  ollama:
    image: ollama/ollama
    expose: ["11434"]
  open-webui:
    image: ghcr.io/open-webui/open-webui:${WEBUI_DOCKER_TAG-main}
    ports: ["${OPEN_WEBUI_PORT-3000}:8080"]
    environment:
      OLLAMA_BASE_URL: http://ollama:11434
    extra_hosts: ["host.docker.internal:host-gateway"]
"""


@pytest.mark.parametrize("use_docker", [False, pytest.param(True, marks=pytest.mark.skipif(
    not shutil.which("docker"), reason="no docker CLI here: the PyYAML path is the one tested"))])
def test_compose_services_share_the_projects_default_network(use_docker):
    services = {c.labels["com.docker.compose.service"]: c for c in read_compose([COMPOSE], {}, use_docker=use_docker)}
    webui = services["open-webui"]
    assert webui.network_names == services["ollama"].network_names == ("paste_default",)
    assert webui.env["OLLAMA_BASE_URL"] == "http://ollama:11434"
    assert [p.flag() for p in webui.ports] == ["-p 3000:8080"]
    assert webui.extra_hosts == (("host.docker.internal", "host-gateway"),)
    assert services["ollama"].exposed == (11434,)


def test_a_paste_says_what_it_assumed_and_ignored():
    setup = read_paste(Paste(commands=(README,)))
    assert setup.config.platform == "linux" and setup.config.ollama == "host"
    assert setup.config.ollama_bind == "127.0.0.1"
    said = " ".join(setup.assumptions)
    assert "assumed Docker Engine on Linux" in said and "native Ollama on the host" in said
    assert "open-webui: --restart always" in setup.ignored


def test_a_compose_paste_is_a_compose_config():
    setup = read_paste(Paste(compose=(COMPOSE,), compose_env={}, use_docker_compose=False))
    c = setup.config
    assert c.compose and c.ollama == "container" and c.shared_network == "paste_default"


def test_no_open_webui_is_an_error():
    with pytest.raises(ConfigError, match="None of the pasted containers is Open WebUI"):
        read_paste(Paste(commands=("docker run -d ollama/ollama",)))


def test_add_host_to_an_ip_is_read_into_the_knob():
    """The doctor's reader (which the paste shares) follows --add-host=host.docker.internal:IP."""
    setup = read_paste(Paste(commands=("docker run -d -p 3000:8080 --add-host=host.docker.internal:10.9.8.7 "
                                       "ghcr.io/open-webui/open-webui:main",), host=("OLLAMA_HOST=0.0.0.0 ollama serve",)))
    assert setup.config.add_host_ip == "10.9.8.7" and not setup.config.add_host_gateway
    assert predict(setup.config).outcome == "unreachable"


BUNDLED = ("docker run -d -p 3000:8080 -v ollama:/root/.ollama -v open-webui:/app/backend/data --name open-webui "
           "--restart always ghcr.io/open-webui/open-webui:{tag}")


@pytest.mark.parametrize("tag", ["ollama", "git-ollama"])
def test_the_ollama_image_tag_is_ollama_bundled_inside(tag):
    setup = read_paste(Paste(commands=(BUNDLED.format(tag=tag),)))
    assert setup.config is not None and setup.config.ollama == "bundled"
    assert setup.config.effective_base_url == "http://localhost:11434"  # the image's /ollama, USE_OLLAMA_DOCKER=true
    assert not setup.unexpressed
    assert not any("where Ollama runs" in a for a in setup.assumptions)  # the image says it: inside
    assert predict(setup.config).reachable


def test_the_main_image_is_not_bundled_and_a_bundled_ollama_takes_its_containers_ollama_host():
    main = read_paste(Paste(commands=(BUNDLED.format(tag="main"),)))
    assert main.config.ollama == "host"
    pasted = BUNDLED.format(tag="ollama").replace("--restart", "-e OLLAMA_HOST=0.0.0.0 -e OLLAMA_BASE_URL="
                                                  "http://[::1]:11434 --restart")
    setup = read_paste(Paste(commands=(pasted,)))
    assert (setup.config.ollama, setup.config.ollama_bind) == ("bundled", "0.0.0.0")
    assert predict(setup.config).reachable  # ::1 too: OLLAMA_HOST=0.0.0.0 is a dual-stack wildcard


def test_the_legacy_api_base_url_is_carried_into_the_config_where_open_webui_ignores_it():
    ignored = read_paste(Paste(commands=("docker run -d -p 3000:8080 -e OLLAMA_API_BASE_URL=http://10.1.2.3:11434/api "
                                         "ghcr.io/open-webui/open-webui:main",)))
    assert ignored.config.api_base_url == "http://10.1.2.3:11434/api"
    assert ignored.config.effective_base_url == "http://host.docker.internal:11434"
    used = read_paste(Paste(commands=("docker run -d --network=host -e OLLAMA_BASE_URL= -e OLLAMA_API_BASE_URL="
                                      "http://127.0.0.1:11434/api ghcr.io/open-webui/open-webui:main",)))
    assert used.config.api_base_url is None and used.config.effective_base_url == "http://127.0.0.1:11434"
    assert any("comes from OLLAMA_API_BASE_URL" in a for a in used.assumptions)


# ---- podman run: Podman's rules, and the line Podman refuses -------------------------------------

PODMAN_WEBUI = ("podman run -d -p 3000:8080 -e OLLAMA_BASE_URL=http://host.containers.internal:11434 "
                "--name open-webui ghcr.io/open-webui/open-webui:main")


@pytest.mark.parametrize(("prefix", "engine"), [("", "podman-rootless"), ("sudo ", "podman-rootful")])
def test_a_podman_run_line_is_read_on_podman(prefix, engine):
    """podman run as a user is rootless Podman; sudo podman run is Podman run as root: each with its own rules."""
    setup = read_paste(Paste(commands=(prefix + PODMAN_WEBUI,), host=("OLLAMA_HOST=0.0.0.0 ollama serve",)))
    assert setup.config.engine == engine
    said = " ".join(setup.assumptions)
    assert "assumed Podman on Linux" in said and "Docker Engine" not in said
    assert ("rootless Podman" if engine == "podman-rootless" else "Podman run as root") in said
    assert predict(setup.config).reachable  # host.containers.internal reaches a 0.0.0.0 Ollama on both


def test_the_engine_can_be_named_and_a_wrong_one_is_refused():
    setup = read_paste(Paste(commands=(PODMAN_WEBUI,), engine="podman-rootful"))
    assert setup.config.engine == "podman-rootful"
    docker = "docker run -d -p 3000:8080 ghcr.io/open-webui/open-webui:main"
    assert read_paste(Paste(commands=(docker,), engine="docker-rootless")).config.engine == "docker-rootless"
    assert read_paste(Paste(commands=(docker,))).config.engine == "docker"
    with pytest.raises(ConfigError, match="--engine 'podmn'.*Hint: use one of: docker, docker-rootless"):
        read_paste(Paste(commands=(docker,), engine="podmn"))


def test_podman_4_3_refuses_a_line_with_host_gateway_and_says_what_to_use():
    """Measured here: podman run --add-host=...:host-gateway fails before anything starts (Podman 4.3.1)."""
    line = PODMAN_WEBUI.replace("-d ", "-d --add-host=host.docker.internal:host-gateway ")
    for prefix in ("", "sudo "):
        with pytest.raises(ConfigError) as refused:
            read_paste(Paste(commands=(prefix + line,)))
        message = str(refused.value)
        assert 'invalid IP address in add-host: "host-gateway"' in message and "no container starts" in message
        assert "host.containers.internal" in message.split("Hint:")[1]
    # the same flag on Docker is Docker's own way to the host; a docker command that runs Podman is refused too
    docker_line = line.replace("podman run", "docker run")
    assert read_paste(Paste(commands=(docker_line,))).config.add_host_gateway
    with pytest.raises(ConfigError, match="docker run refuses this line .* on Podman"):
        read_paste(Paste(commands=(docker_line,), engine="podman-rootless"))


def test_the_paste_s_daemon_kinds_are_engine_knob_backwards():
    """The paste builds the daemon an engine means; the doctor reads the engine back from it."""
    from owui_lab.config import ENGINES
    from owui_lab.docker_api import DaemonInfo
    from owui_lab.paste.reading import DAEMON_KINDS

    assert set(DAEMON_KINDS) == set(ENGINES)
    for engine, kind in DAEMON_KINDS.items():
        daemon = DaemonInfo(platform="linux", kind=kind, server_version="", api_version="", operating_system="",
                            docker0="172.17.0.1", podman_rootless=engine == "podman-rootless")
        assert daemon.engine_knob == engine
