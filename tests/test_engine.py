"""The engine against every rule it models, and the docs' eight seed scenarios as the docs (corrected) say."""

from __future__ import annotations

import re

import pytest

from owui_lab import Config, load_scenario, predict
from owui_lab.config import DOCKER0_ADDRESS as DOCKER0
from owui_lab.engine import OUTCOMES, STEP_NAMES, evaluate

LINUX = dict(platform="linux")
DESKTOP = dict(platform="desktop")


def outcome(**knobs) -> str:
    return evaluate(Config(**knobs)).outcome


# ---- the docs' eight seeds, as the docs (corrected) say ------------------------------------------

SEEDS = {
    # id: (reachable outcome, browser reachable, browser url)
    "desktop-ollama-on-host": ("ok", True, "http://localhost:3000"),
    "desktop-compose": ("ok", True, "http://localhost:3000"),
    "desktop-separate-networks": ("name_not_resolved", True, "http://localhost:3000"),
    "desktop-host-network": ("connection_refused", False, "http://localhost:8080"),
    "linux-ollama-on-host": ("connection_refused", True, "http://localhost:3000"),
    "linux-compose": ("ok", True, "http://localhost:3000"),
    "linux-separate-networks": ("name_not_resolved", True, "http://localhost:3000"),
    "linux-host-network": ("ok", True, "http://localhost:8080"),
}


@pytest.mark.parametrize("scenario_id", sorted(SEEDS))
def test_seed_scenarios_predict_what_the_corrected_docs_say(scenario_id):
    expected_outcome, browser_ok, browser_url = SEEDS[scenario_id]
    v = predict(load_scenario(scenario_id))
    assert v.outcome == expected_outcome
    assert v.reachable == (expected_outcome == "ok")
    assert v.browser.reachable == browser_ok
    assert v.browser.url == browser_url
    if v.reachable and v.browser.reachable:
        assert v.fixes == ()
    else:
        assert v.fixes, "a broken seed must come with a fix"


def test_linux_ollama_on_host_needs_both_add_host_and_all_addresses():
    c = load_scenario("linux-ollama-on-host")
    assert evaluate(c).outcome == "connection_refused"  # #209: Ollama on 127.0.0.1
    assert evaluate(c.replace(ollama_bind="0.0.0.0")).outcome == "ok"
    assert evaluate(c.replace(ollama_bind="0.0.0.0", add_host_gateway=False)).outcome == "name_not_resolved"  # #7189


def test_the_docs_docker_proxy_is_corrected_in_the_notes():
    v = predict(load_scenario("linux-ollama-on-host"))
    assert any("Docker proxy" in n and "172.17.0.1" in n for n in v.notes)
    assert "172.17.0.1" in v.failing_step.reason


def test_desktop_host_networking_setting_since_4_34():
    c = load_scenario("desktop-host-network")
    on = evaluate(c.replace(desktop_host_networking=True))
    assert on.outcome == "ok" and on.browser.reachable
    assert any("4.34" in n for n in predict(c).notes)
    assert any("Enable host networking" in f for f in predict(c).fixes)


def test_desktop_compose_without_base_url_points_at_the_host():
    c = load_scenario("desktop-compose").replace(base_url="http://host.docker.internal:11434")
    v = evaluate(c)
    assert v.outcome == "connection_refused"  # nothing on the Mac at 11434: Ollama is the compose service
    assert "publishes no port" in v.failing_step.reason


# ---- rules of Docker networking ------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_localhost_in_a_bridged_container_is_the_container_itself(host):  # #3861
    v = evaluate(Config(**LINUX, ollama="host", ollama_bind="0.0.0.0", base_url=f"http://{host}:11434"))
    assert v.outcome == "connection_refused"
    assert "container itself" in v.steps[1].reason


def test_default_bridge_has_no_dns_for_container_names():
    v = evaluate(Config(ollama="container", base_url="http://ollama:11434"))
    assert v.outcome == "name_not_resolved"
    assert "default bridge" in v.failing_step.reason


def test_user_defined_network_resolves_container_names():
    v = evaluate(Config(ollama="container", ollama_network="ai", webui_network="ai", base_url="http://ollama:11434"))
    assert v.outcome == "ok"


def test_custom_service_name():
    c = Config(ollama="container", ollama_name="llm", ollama_network="ai", webui_network="ai", base_url="http://llm:11434")
    assert evaluate(c).outcome == "ok"
    assert evaluate(c.replace(base_url="http://ollama:11434")).outcome == "name_not_resolved"


def test_names_never_resolve_across_networks():
    v = evaluate(Config(ollama="container", ollama_network="a", webui_network="b", base_url="http://ollama:11434"))
    assert v.outcome == "name_not_resolved"
    assert "across networks" in v.failing_step.reason


def test_host_network_container_uses_the_hosts_resolver():
    v = evaluate(Config(ollama="container", ollama_network="ai", webui_network="host", base_url="http://ollama:11434"))
    assert v.outcome == "name_not_resolved"
    assert "host's resolver" in v.failing_step.reason


def test_host_docker_internal_on_linux_needs_add_host_also_in_host_mode():
    base = dict(**LINUX, ollama="host", ollama_bind="0.0.0.0", webui_network="host")
    assert outcome(**base) == "name_not_resolved"
    assert outcome(**base, add_host_gateway=True) == "ok"


def test_host_docker_internal_is_built_into_desktop():
    assert outcome(**DESKTOP, ollama="host") == "ok"  # even with Ollama on 127.0.0.1


def test_desktop_has_no_docker0_on_the_host():
    v = evaluate(Config(**DESKTOP, ollama="host", ollama_bind="0.0.0.0", base_url="http://172.17.0.1:11434"))
    assert v.outcome == "connection_refused"
    assert any("no docker0" in n for n in v.notes)


def test_loopback_ollama_refuses_docker0_but_not_host_network():
    bridged = Config(**LINUX, ollama="host", base_url="http://172.17.0.1:11434")
    assert evaluate(bridged).outcome == "connection_refused"
    assert evaluate(bridged.replace(webui_network="host", base_url="http://localhost:11434")).outcome == "ok"
    # in host mode 172.17.0.1 is the host's own address, but Ollama on 127.0.0.1 does not listen there
    assert evaluate(bridged.replace(webui_network="host")).outcome == "connection_refused"


def test_published_ports_listen_on_all_host_addresses_including_docker0():
    c = Config(ollama="container", ollama_publish="all", add_host_gateway=True)
    assert evaluate(c).outcome == "ok"
    assert evaluate(c.replace(base_url="http://172.17.0.1:11434")).outcome == "ok"


def test_loopback_publish_is_reachable_only_from_host_loopback():
    c = Config(ollama="container", ollama_publish="loopback", add_host_gateway=True)
    assert evaluate(c).outcome == "connection_refused"
    assert evaluate(c.replace(webui_network="host", base_url="http://127.0.0.1:11434")).outcome == "ok"


def test_published_port_from_another_bridge_network_is_forwarded_by_docker_proxy():
    # Corrected after the live lab: see tests/test_engine_lab_facts.py.
    c = Config(ollama="container", ollama_network="a", ollama_publish="all", webui_network="b",
               add_host_gateway=True)
    v = evaluate(c)
    assert v.outcome == "ok"


def test_service_to_service_traffic_uses_the_container_port():
    c = Config(ollama="container", ollama_network="ai", webui_network="ai", compose=True,
               ollama_bind="0.0.0.0:11434", base_url="http://ollama:11435")
    assert evaluate(c).outcome == "connection_refused"


def test_host_mode_discards_webui_port():
    v = predict(Config(webui_network="host", webui_port=3000, base_url="http://127.0.0.1:11434"))
    assert v.browser.url == "http://localhost:8080"
    assert "discarded" in v.browser.reason


def test_ollama_in_container_bound_to_loopback_is_not_reachable_from_others():
    c = Config(ollama="container", ollama_network="ai", webui_network="ai", ollama_bind="127.0.0.1",
               base_url="http://ollama:11434")
    assert evaluate(c).outcome == "connection_refused"


def test_ollama_scheme_changes_the_port():
    c = Config(webui_network="host", ollama_bind="http://0.0.0.0", base_url="http://localhost:11434")
    v = evaluate(c)
    assert v.outcome == "connection_refused" and "port 80" in v.failing_step.reason
    assert evaluate(c.replace(base_url="http://localhost:80")).outcome == "ok"


def test_unknown_address_is_unreachable_not_guessed():
    v = evaluate(Config(base_url="http://10.1.2.3:11434"))
    assert v.outcome == "unreachable"
    assert v.failing_step.name == "route"


# ---- shape of the verdict ------------------------------------------------------------------------


def test_verdict_shape_and_transcript():
    v = predict(load_scenario("linux-ollama-on-host"))
    d = v.to_dict()
    assert d["outcome"] in OUTCOMES
    assert [s["name"] for s in d["steps"]] == ["resolve", "route", "listen"]
    assert all({"name", "ok", "reason", "code", "outcome"} <= set(s) for s in d["steps"])
    assert set(d["browser"]) >= {"url", "reachable"}
    text = v.transcript()
    assert "✗ listen" in text and "✓ resolve" in text and "Fix" in text


def test_fixes_are_concrete_and_verified():
    v = predict(load_scenario("linux-ollama-on-host"))
    assert any('OLLAMA_HOST=0.0.0.0' in f and "systemctl edit ollama.service" in f for f in v.fixes)
    v = predict(Config(ollama="host", ollama_bind="0.0.0.0"))  # #7189
    assert any("--add-host=host.docker.internal:host-gateway" in f for f in v.fixes)
    v = predict(load_scenario("linux-separate-networks"))
    assert any("docker network connect" in f for f in v.fixes)


def test_compose_fixes_speak_compose():
    c = load_scenario("linux-compose").replace(base_url="http://host.docker.internal:11434")
    fixes = predict(c).fixes
    assert fixes and "compose file" in fixes[0] and "http://ollama:11434" in fixes[0]


def test_steps_stop_at_the_first_failure():
    for v in (evaluate(load_scenario(s)) for s in SEEDS):
        names = [s.name for s in v.steps]
        assert names == list(STEP_NAMES[: len(names)]) or names[-1] == "route"
        assert all(s.ok for s in v.steps[:-1])
        assert v.steps[-1].ok == v.reachable


# ---- a bind of one specific address: every sentence the engine writes about it is true (issue 11) ----

HOST_LINUX = dict(platform="linux", ollama="host", add_host_gateway=True, base_url="http://host.docker.internal:11434")


def _text(v) -> str:
    return "\n".join([*(s.reason for s in v.steps), *v.fixes, *v.notes])


def test_a_docker0_bind_is_docker0_only_not_all_addresses():
    v = predict(Config(**HOST_LINUX, ollama_bind="172.17.0.1"))
    assert v.outcome == "ok"
    listen = next(s for s in v.steps if s.name == "listen")
    assert "all addresses" not in listen.reason and "only there" in listen.reason
    text = _text(v)
    assert "must listen" not in text, "it already listens on docker0: no note may ask for more"
    assert "docker0 only" in text and "your LAN does not" in text
    assert "OLLAMA_HOST=0.0.0.0" not in text, "0.0.0.0 is not the fix of what already works"


@pytest.mark.parametrize("bind", ["127.0.0.1", "10.1.2.3", "192.168.1.20:11434", "[::1]"])
def test_a_bind_elsewhere_is_refused_on_docker0_and_says_where_it_listens(bind):
    v = predict(Config(**HOST_LINUX, ollama_bind=bind))
    assert v.outcome == "connection_refused"
    listen = v.failing_step
    assert listen.name == "listen" and " only" in listen.reason and "all addresses" not in listen.reason


@pytest.mark.parametrize("bind", [None, "127.0.0.1", "0.0.0.0", "172.17.0.1", "10.1.2.3"])
def test_every_ollama_host_a_note_names_does_what_the_note_says(bind):
    """Each 'OLLAMA_HOST=X (...)' in the notes, applied, gives the outcome the note claims: it works."""
    base = Config(**HOST_LINUX, ollama_bind=bind)
    notes = " ".join(predict(base).notes)
    named = set(re.findall(r"OLLAMA_HOST=([0-9.:]+[0-9])", notes))
    assert named, notes
    for value in named:
        assert evaluate(base.replace(ollama_bind=value)).reachable, (value, notes)


def test_the_fix_for_a_specific_bind_does_not_call_it_loopback():
    c = Config(platform="linux", ollama="host", ollama_bind="10.1.2.3", add_host_gateway=True)
    fixes = predict(c).fixes
    assert fixes and not any("beyond loopback" in f for f in fixes)
    assert any("listen on all addresses" in f for f in fixes)


def test_desktop_forwarding_reaches_the_macs_loopback_only():
    ok = predict(Config(platform="desktop", ollama="host"))
    assert ok.reachable
    c = Config(platform="desktop", ollama="host", ollama_bind="192.168.1.20")
    v = predict(c)
    assert v.outcome == "connection_refused" and "loopback" in v.failing_step.reason


def test_the_docs_proxy_note_is_about_a_host_ollama_only():
    # With a published container Ollama, docker-proxy really forwards: no "there is no proxy" note.
    c = Config(platform="linux", ollama="container", ollama_publish="all", add_host_gateway=True)
    assert not any("no proxy" in n for n in predict(c).notes)


def test_the_stand_in_webui_speaks_the_engines_outcomes():
    """standins/webui.py runs alone inside containers (stdlib only), so it keeps a copy: the same list."""
    from owui_lab.standins import webui

    assert webui.OUTCOMES == OUTCOMES


def test_a_password_in_the_base_url_is_never_printed():
    v = predict(Config(ollama="container", ollama_network="ai", webui_network="ai",
                       base_url="http://me:s3cret@ollama:11434"))
    assert v.reachable and "s3cret" not in v.transcript() and "me:***@ollama" in v.transcript()


# ---- every spelling the container's resolver reads means the same (issue 25) ----

HOST_OLLAMA = Config(ollama="host", webui_network="host")


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "017700000001", "0", "LOCALHOST"])
def test_numeric_forms_of_loopback_reach_a_loopback_ollama_from_the_host_network(host):
    v = evaluate(HOST_OLLAMA.replace(base_url=f"http://{host}:11434"))
    assert v.outcome == "ok", v.transcript()


def test_ipv6_loopback_is_refused_by_a_default_ollama_on_ipv4_loopback():
    v = evaluate(HOST_OLLAMA.replace(base_url="http://[::1]:11434"))
    assert v.outcome == "connection_refused" and "::1" in v.failing_step.reason
    assert evaluate(HOST_OLLAMA.replace(base_url="http://[::1]:11434", ollama_bind=":11434")).outcome == "ok"


@pytest.mark.parametrize("name", ["Ollama", "OLLAMA", "oLLama"])
def test_container_names_resolve_whatever_their_case(name):
    c = load_scenario("linux-compose").replace(ollama_name=name, base_url="http://ollama:11434")
    assert evaluate(c).outcome == "ok"


def test_a_spelling_never_changes_the_verdict():
    """For any configuration, writing its URL's host in another form the resolver reads alike
    (inet_aton forms, IPv6 spellings, any case) gives the same verdict as the plain spelling."""
    from hypothesis import given, settings

    from tests.strategies import configs, url_hosts

    @settings(max_examples=300, deadline=None)
    @given(configs(), url_hosts(names=("localhost", "host.docker.internal", "ollama")))
    def same(c: Config, host: tuple[str, str]) -> None:
        spelled, plain = host
        port = c.parsed_base_url.port
        a = evaluate(c.replace(base_url=f"http://{plain}:{port}"))
        b = evaluate(c.replace(base_url=f"http://{spelled}:{port}"))
        assert (a.outcome, [s.ok for s in a.steps]) == (b.outcome, [s.ok for s in b.steps]), (spelled, plain)

    same()


# ---- Ollama bundled in the Open WebUI container (the :ollama image; from its Dockerfile, not recorded) ----

@pytest.mark.parametrize(("platform", "knobs", "outcome", "code"), [
    # start.sh runs `ollama serve` with no OLLAMA_HOST: 127.0.0.1:11434 in Open WebUI's own container
    ("linux", {}, "ok", "listen_bundled"),  # the image's /ollama → http://localhost:11434
    ("desktop", {}, "ok", "listen_bundled"),
    ("linux", {"base_url": "http://localhost:11434"}, "ok", "listen_bundled"),
    ("linux", {"base_url": "http://127.0.0.1:11434"}, "ok", "listen_bundled"),
    ("linux", {"base_url": "http://[::1]:11434"}, "connection_refused", "ollama_not_on_loopback"),
    ("linux", {"base_url": "http://[::1]:11434", "ollama_bind": "0.0.0.0"}, "ok", "listen_bundled"),
    ("linux", {"base_url": "http://localhost:8080"}, "connection_refused", "webui_own_port"),
    ("linux", {"base_url": "http://localhost:11435"}, "connection_refused", "wrong_port"),
    # no Ollama on the host: the host's addresses lead away from it
    ("linux", {"base_url": "http://host.docker.internal:11434"}, "name_not_resolved",
     "host_docker_internal_unknown_on_linux"),
    ("linux", {"base_url": "http://host.docker.internal:11434", "add_host_gateway": True}, "connection_refused",
     "bundled_ollama_not_there"),
    ("desktop", {"base_url": "http://host.docker.internal:11434"}, "connection_refused", "bundled_ollama_not_there"),
    ("linux", {"base_url": "http://ollama:11434", "webui_network": "ai"}, "name_not_resolved", "name_unknown"),
    # on the host network the container's loopback is the host's
    ("linux", {"webui_network": "host"}, "ok", "listen_loopback"),
    ("linux", {"webui_network": "host", "base_url": f"http://{DOCKER0}:11434"}, "connection_refused",
     "ollama_not_on_docker0"),
])
def test_a_bundled_ollama_listens_in_open_webuis_own_container(platform, knobs, outcome, code):
    v = evaluate(Config.from_knobs({"platform": platform, "ollama": "bundled", **knobs}))
    assert v.outcome == outcome, v.transcript()
    assert v.steps[-1 if outcome != "ok" else 2].code == code, v.transcript()
    assert any("From the Dockerfile and start.sh" in n and "test_bundled_live.py" in n for n in v.notes)


def test_the_legacy_api_base_url_is_said_ignored_only_where_open_webui_ignores_it():
    ignored = predict(Config(api_base_url="http://10.10.1.201:11434/api"))
    assert ignored.outcome == "name_not_resolved"  # the image's /ollama: host.docker.internal (issue 2176)
    assert any(n.startswith("OLLAMA_API_BASE_URL=http://10.10.1.201:11434/api is ignored") for n in ignored.notes)
    read = predict(Config(base_url="", api_base_url="http://127.0.0.1:11434/api", webui_network="host"))
    assert read.reachable and read.config.effective_base_url == "http://127.0.0.1:11434"
    assert not any("OLLAMA_API_BASE_URL" in n for n in read.notes)
