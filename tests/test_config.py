"""The configuration: OLLAMA_HOST parsing, base URLs, and every refusal of bad input."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest

from owui_lab import Config, parse_ollama_host
from owui_lab.config import open_webui_base_url, parse_base_url
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


# ---- one naming rule, Docker's; malformed addresses are the kit's error (issue 13) ----------------

from owui_lab.config import name_problem  # noqa: E402


@pytest.mark.parametrize(
    ("name", "ok"),
    [("ollama", True), ("my-ollama_2", True), ("o" * 63, True), ("o" * 64, False), ("my.ollama", False),
     ("x", False), ("-ollama", False), ("UPPER", True), ("ol lama", False), ("ollama/", False), ("", False)],
)
def test_the_ollama_name_follows_dockers_rule_and_one_dns_label(name, ok):
    assert (name_problem(name, resolvable=True) is None) == ok
    if ok:
        assert Config(ollama="container", ollama_name=name).ollama_name == name
    else:
        with pytest.raises(ConfigError, match="--ollama-name"):
            Config(ollama="container", ollama_name=name)


@pytest.mark.parametrize(("name", "ok"), [("a", True), ("ai.net", True), ("-x", False), ("a b", False), ("é", False)])
def test_network_names_follow_dockers_rule(name, ok):
    assert (name_problem(name, network=True) is None) == ok


@pytest.mark.parametrize(
    "bind", ["\x00", "0.0.0.0 :11434", "host name", "[::1]x:1", "exa_mple.com", "-bad", "::1]:11434"],
)
def test_binds_ollama_could_not_listen_on_are_refused(bind):
    with pytest.raises(ConfigError, match="--ollama-bind"):
        Config(ollama_bind=bind)


@pytest.mark.parametrize("bind", ["[::1", "[::1]:11434", "localhost", "ollama.lan", "http://0.0.0.0", ":11434"])
def test_binds_ollama_accepts_are_accepted(bind):
    # "[::1" included: Ollama strips the brackets of a host without a port (envconfig.Host).
    assert Config(ollama_bind=bind).ollama_listen.port > 0


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]]:11434", "http://ollama:0", "http://oll ama:11434",
                                 "http://[::1]x:11434", "http://::1:11434", "http://[zz::1]:11434", 42, None])
def test_malformed_base_urls_are_a_config_error(url):
    with pytest.raises(ConfigError):
        Config(base_url=url)


@pytest.mark.parametrize(("knobs", "base"), [(None, None), ([("platform", "linux")], None), ({1: 2}, None),
                                             ({}, "linux-compose"), ({}, {None: 1})])
def test_from_knobs_refuses_what_is_not_a_mapping_of_names(knobs, base):
    with pytest.raises(ConfigError, match="not a mapping"):
        Config.from_knobs(knobs, base)


def test_error_messages_quote_huge_values_cut_short():
    with pytest.raises(ConfigError) as err:
        Config(platform="x" * 100_000)
    assert len(str(err.value)) < 300
    nested: list = []
    for _ in range(1000):
        nested = [nested]
    with pytest.raises(ConfigError) as err:
        Config(platform=nested)
    assert len(str(err.value)) < 300


# ---- one address parser: hosts as the container's resolver reads them (issue 25) ----


@pytest.mark.parametrize(
    ("written", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("127.1", "127.0.0.1"),
     ("017700000001", "127.0.0.1"), ("0", "0.0.0.0"), ("0X7F.1", "127.0.0.1"), ("[::1]", "::1"),
     ("::1", "::1"), ("[0:0::1]", "::1"), ("127.0.0.1.", None), ("08", None), ("0x", None),
     ("4294967296", None), ("1.2.3.4.5", None), ("ollama", None), ("Ollama", None)],
)
def test_read_host_reads_every_numeric_form_and_ipv6_with_or_without_brackets(written, address):
    from owui_lab.config import read_host

    assert read_host(written).ip == address


def test_names_compare_without_case_as_dockers_dns_does():
    from owui_lab.config import read_host

    assert read_host("OLLAMA").is_named("Ollama") and read_host("LocalHost").is_named("localhost")
    assert not read_host("127.0.0.1").is_named("127.0.0.1")  # an address is not a name


def test_inet_aton_reads_what_glibc_reads():
    """Against this machine's own resolver (glibc, as in the stand-in image), numbers only."""
    import socket
    import sys

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from owui_lab.config import inet_aton
    from tests.strategies import ipv4_spellings

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc's getaddrinfo is the reference")

    def glibc(text: str) -> str | None:
        try:
            infos = socket.getaddrinfo(text.encode(), None, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
        except (socket.gaierror, UnicodeError):
            return None
        return infos[0][4][0]

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(ipv4_spellings().map(lambda pair: pair[0]), st.text("0123456789abcdefxX. ", max_size=24)))
    def agree(text: str) -> None:
        assert inet_aton(text) == glibc(text), text

    agree()


@pytest.mark.parametrize(
    ("bind", "address", "listens"),
    [(None, "::1", False), (None, "127.0.0.2", False), (None, "127.0.0.1", True), (None, "0.0.0.0", True),
     ("::1", "127.0.0.1", False), ("::1", "::", True), ("0.0.0.0", "::1", True), (":11434", "::1", True),
     ("127.0.0.1", "::ffff:127.0.0.1", True), ("localhost", "127.0.0.1", True)],
)
def test_a_listener_takes_its_own_address_only_unless_it_is_a_wildcard(bind, address, listens):
    """Go's wildcard listener is dual-stack; a default Ollama on 127.0.0.1 refuses [::1] (issue 25)."""
    assert parse_ollama_host(bind).listens_on(address) is listens
def test_compose_alone_means_the_stacks_default_network():
    """Issue 26: four working compose reports were predicted 'name not resolved' under --compose alone."""
    from owui_lab import predict
    from owui_lab.config import COMPOSE_DEFAULT_NETWORK

    c = Config.from_knobs({"ollama": "container", "compose": True, "base_url": "http://ollama:11434"})
    assert c.webui_network == c.ollama_network == COMPOSE_DEFAULT_NETWORK
    assert predict(c).reachable
    typed = Config.from_knobs({"ollama": "container", "compose": True, "webui_network": "bridge",
                               "ollama_network": "bridge", "base_url": "http://ollama:11434"})
    assert typed.webui_network == "bridge" and predict(typed).outcome == "name_not_resolved"


@pytest.mark.parametrize("name", ["ollama\n", "ollama\r\n", "my-webui\n"])
def test_a_name_with_a_trailing_newline_is_refused_as_docker_refuses_it(name):
    from owui_lab.config import name_problem

    assert name_problem(name) and name_problem(name, network=True)


@pytest.mark.parametrize(("bind", "shown"), [("::1", "[::1]:11434"), ("[::]:11434", "[::]:11434"),
                                             ("0.0.0.0", "0.0.0.0:11434"), (":11434", "0.0.0.0:11434")])
def test_ollama_host_is_printed_as_ollama_reads_it_back(bind, shown):
    """OLLAMA_HOST=::1:11434 is not an address Ollama can parse: IPv6 goes in brackets (issue 25)."""
    listen = parse_ollama_host(bind)
    assert str(listen) == shown and parse_ollama_host(str(listen)) == listen


# ---- Open WebUI's own derivation of its Ollama URL: the :ollama image and the legacy OLLAMA_API_BASE_URL ----

BASES = [None, "", "/ollama", "/ollama/", "http://ollama:11434", "http://ollama:11434/"]
APIS = [None, "", "http://10.10.1.201:11434/api", "http://10.10.1.201:11434", "http://x:11434/api/", "/ollama/api"]


@pytest.mark.parametrize(("base", "api", "bundled", "expected"), [
    ("/ollama", None, False, ("http://host.docker.internal:11434", "image default")),
    ("/ollama", None, True, ("http://localhost:11434", "image default")),
    # issue 2176: the legacy variable alone is never read in the image (its Dockerfile sets /ollama)
    ("/ollama", "http://10.10.1.201:11434/api", False, ("http://host.docker.internal:11434", "image default")),
    ("http://ollama:11434/", "http://10.10.1.201:11434/api", False, ("http://ollama:11434", "OLLAMA_BASE_URL")),
    ("", "http://10.10.1.201:11434/api", False, ("http://10.10.1.201:11434", "OLLAMA_API_BASE_URL")),
    ("", "http://10.10.1.201:11434", False, ("http://10.10.1.201:11434", "OLLAMA_API_BASE_URL")),  # used whole
    ("", None, False, ("http://localhost:11434", "Open WebUI's default")),
    ("", "/ollama/api", True, ("http://localhost:11434", "image default")),  # minus /api, then /ollama's rule
])
def test_open_webui_base_url_is_open_webuis_rule(base, api, bundled, expected):
    assert open_webui_base_url(base, api, bundled=bundled) == expected


def test_config_derives_its_url_from_both_variables_and_the_image():
    assert Config(base_url="/ollama").effective_base_url == "http://host.docker.internal:11434"
    assert Config(ollama="bundled", base_url="/ollama").effective_base_url == "http://localhost:11434"
    assert Config.from_knobs({"ollama": "bundled"}).base_url == "/ollama"  # the :ollama image's own value
    legacy = Config(base_url="", api_base_url="http://10.10.1.201:11434/api")
    assert legacy.effective_base_url == "http://10.10.1.201:11434"
    ignored = Config(api_base_url="http://10.10.1.201:11434/api")
    assert ignored.effective_base_url == ignored.base_url


@pytest.mark.parametrize(("knobs", "words"), [
    ({"base_url": "", "api_base_url": "http://x:11434/v1"}, "whole (it does not end in /api)"),
    ({"base_url": "", "api_base_url": "x:11434/api"}, "no scheme"),
    ({"api_base_url": "  "}, "is not a URL"),
    ({"ollama": "bundled", "ollama_publish": "all"}, "runs inside the Open WebUI container"),
    ({"ollama": "bundled", "compose": True}, "--ollama is bundled"),
])
def test_the_legacy_variable_and_the_bundled_ollama_refuse_what_cannot_be(knobs, words):
    with pytest.raises(ConfigError) as caught:
        Config.from_knobs(knobs)
    assert words in str(caught.value) and "Hint:" in str(caught.value)


def _open_webui_config_source(executable: str) -> str:
    """The installed Open WebUI's ``open_webui/config.py`` (beside the venv's ``bin/open-webui``)."""
    found = sorted(Path(executable).resolve().parent.parent.glob("lib/python3*/site-packages/open_webui/config.py"))
    assert found, f"no open_webui/config.py beside {executable}"
    return found[0].read_text(encoding="utf-8")


def _run_open_webuis_lines(source: str, env: dict[str, str]) -> str:
    """Open WebUI's own lines that derive OLLAMA_BASE_URL, run with ``env`` (not the whole module: it would start
    a database, and its port probe would ask the network)."""
    start = source.index("OLLAMA_API_BASE_URL = os.getenv(")
    end = source.index("def _resolve_ollama_base_url")
    scope = {"os": SimpleNamespace(getenv=lambda k, d=None: env.get(k, d)), "ENV": env.get("ENV", "dev")}
    exec(compile(source[start:end], "open_webui/config.py", "exec"), scope)  # noqa: S102 - Open WebUI's own code
    return scope["OLLAMA_BASE_URL"]


def test_open_webui_base_url_agrees_with_the_installed_open_webui(openwebui_executable):
    """Every combination of the two variables, in and out of the image, :ollama or not, against Open WebUI 0.12.4's
    own lines (``OWUI_LAB_OPENWEBUI``); the lines are found by their first and next definitions."""
    source = _open_webui_config_source(openwebui_executable)
    checked = 0
    for base, api, prod, bundled in itertools.product(BASES, APIS, [True, False], [True, False]):
        env = {k: v for k, v in {"OLLAMA_BASE_URL": base, "OLLAMA_API_BASE_URL": api}.items() if v is not None}
        env.update(ENV="prod" if prod else "dev", USE_OLLAMA_DOCKER="true" if bundled else "false")
        theirs = _run_open_webuis_lines(source, env)
        ours = open_webui_base_url(base, api, prod=prod, bundled=bundled)[0]
        assert ours == theirs, env
        checked += 1
    assert checked == len(BASES) * len(APIS) * 4
