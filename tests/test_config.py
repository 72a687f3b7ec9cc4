"""The configuration: OLLAMA_HOST parsing, base URLs, and every refusal of bad input."""

from __future__ import annotations

import pytest

from owui_lab import Config, parse_ollama_host
from owui_lab.config import parse_base_url
from owui_lab.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "host", "port"),
    [
        (None, "127.0.0.1", 11434),  # Ollama's default
        ("", "127.0.0.1", 11434),
        ("0.0.0.0", "0.0.0.0", 11434),
        ("0.0.0.0:11434", "0.0.0.0", 11434),
        ("127.0.0.1:8000", "127.0.0.1", 8000),
        ("http://0.0.0.0", "0.0.0.0", 80),  # a scheme changes the default port
        ("https://0.0.0.0", "0.0.0.0", 443),
        ("http://0.0.0.0:11434", "0.0.0.0", 11434),
        (":11434", "", 11434),  # no host: every address
        ("[::]:11434", "::", 11434),
        ("::1", "::1", 11434),
        ("localhost", "localhost", 11434),
        ("0.0.0.0:notaport", "0.0.0.0", 11434),
        ("  0.0.0.0  ", "0.0.0.0", 11434),
    ],
)
def test_ollama_host_is_read_as_ollama_reads_it(value, host, port):
    listen = parse_ollama_host(value)
    assert (listen.host, listen.port) == (host, port)


def test_bind_scope():
    assert parse_ollama_host("0.0.0.0").all_addresses
    assert parse_ollama_host(":11434").all_addresses
    assert parse_ollama_host(None).loopback_only
    assert parse_ollama_host("localhost").loopback_only
    specific = parse_ollama_host("172.17.0.1")
    assert not specific.all_addresses and not specific.loopback_only
    assert specific.listens_on("172.17.0.1") and not specific.listens_on("127.0.0.1")


def test_defaults_follow_where_ollama_runs():
    assert str(Config(ollama="host").ollama_listen) == "127.0.0.1:11434"
    assert Config(ollama="container").ollama_listen.all_addresses  # the image sets OLLAMA_HOST=0.0.0.0
    assert Config(ollama="container").ollama_network_effective == "bridge"
    assert Config(ollama="host").ollama_network_effective is None


def test_host_mode_discards_publish():
    c = Config(ollama="container", ollama_network="host", ollama_publish="all")
    assert c.ollama_publish_effective == "none"


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("http://ollama:11434", "ollama", 11434),
        ("http://host.docker.internal:11434/", "host.docker.internal", 11434),
        ("http://127.0.0.1", "127.0.0.1", 80),
    ],
)
def test_base_url_parsing(url, host, port):
    parsed = parse_base_url(url)
    assert (parsed.host, parsed.port) == (host, port)
    assert not parsed.url.endswith("/")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ollama:11434", "no scheme"),
        ("host.docker.internal:11434", "no scheme"),
        ("https://ollama:11434", "plain http"),
        ("http://:11434", "names no host"),
        ("http://ollama:99999", "port"),
        ("http://ollama:11434/api", "path"),
    ],
)
def test_bad_base_urls_say_what_to_do(url, words):
    with pytest.raises(ConfigError) as err:
        Config(base_url=url)
    assert words in str(err.value)
    assert "Hint:" in str(err.value)


@pytest.mark.parametrize(
    ("knobs", "words"),
    [
        ({"platform": "windows"}, "--platform"),
        ({"ollama": "cloud"}, "--ollama"),
        ({"ollama_publish": "everywhere", "ollama": "container"}, "--ollama-publish"),
        ({"webui_network": "none"}, "--webui-network"),
        ({"webui_network": "bad name!"}, "--webui-network"),
        ({"webui_port": 0}, "--webui-port"),
        ({"webui_port": 70000}, "--webui-port"),
        ({"ollama_network": "bridge"}, "applies to an Ollama container"),
        ({"ollama_publish": "all"}, "applies to an Ollama container"),
        ({"compose": True}, "--compose"),
        ({"desktop_host_networking": True}, "Docker Desktop setting"),
        ({"ollama_name": "-bad"}, "--ollama-name"),
        ({"ollama_bind": " "}, "--ollama-bind"),
        ({"add_host_gateway": "yes"}, "true or false"),
    ],
)
def test_bad_knobs_are_refused_with_a_hint(knobs, words):
    with pytest.raises(ConfigError) as err:
        Config(**knobs)
    assert words in str(err.value)
    assert "Hint:" in str(err.value)


def test_from_knobs_drops_inherited_knobs_that_no_longer_apply():
    base = {"platform": "linux", "ollama": "container", "ollama_network": "stack", "webui_network": "stack",
            "compose": True, "base_url": "http://ollama:11434"}
    c = Config.from_knobs({"ollama": "host"}, base)
    assert c.ollama == "host" and c.ollama_network is None and not c.compose
    assert c.webui_network == "stack"  # still applies


def test_from_knobs_refuses_explicit_contradictions():
    with pytest.raises(ConfigError, match="applies to an Ollama container"):
        Config.from_knobs({"ollama": "host", "ollama_network": "stack"})


def test_from_knobs_refuses_unknown_knobs():
    with pytest.raises(ConfigError, match="Unknown knob"):
        Config.from_knobs({"olama": "host"})


def test_config_is_frozen_and_replace_validates():
    c = Config()
    with pytest.raises(AttributeError):
        c.platform = "desktop"  # type: ignore[misc]
    with pytest.raises(ConfigError):
        c.replace(platform="bsd")
    assert c.replace(platform="desktop").platform == "desktop"
