"""Invariants of the engine over generated configurations (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings

from owui_lab import predict
from owui_lab.engine import OUTCOMES, evaluate, ollama_namespace, webui_namespace
from tests.strategies import configs


@settings(max_examples=400, deadline=None)
@given(configs())
def test_verdicts_are_well_formed(c):
    v = evaluate(c)
    assert v.outcome in OUTCOMES
    assert v.reachable == (v.outcome == "ok")
    assert v.steps and all(s.ok for s in v.steps[:-1]) and v.steps[-1].ok == v.reachable
    assert all(s.reason for s in v.steps)
    assert v.browser.url.startswith("http://localhost:")


@settings(max_examples=400, deadline=None)
@given(configs())
def test_a_name_never_resolves_across_networks(c):
    url = c.parsed_base_url
    if c.ollama_in_container and url.host == c.ollama_name and c.webui_network != c.ollama_network_effective:
        assert evaluate(c).outcome == "name_not_resolved"


@settings(max_examples=300, deadline=None)
@given(configs())
def test_localhost_in_a_bridged_container_never_reaches_ollama(c):
    """Unless Ollama is bundled in that very container (the :ollama image): then it is the one place it does."""
    if c.parsed_base_url.host in ("localhost", "127.0.0.1") and webui_namespace(c).startswith("net:"):
        url = c.parsed_base_url
        inside = c.ollama_bundled and url.port == c.ollama_listen.port and c.ollama_listen.listens_on("127.0.0.1")
        assert evaluate(c).outcome == ("ok" if inside else "connection_refused")


@settings(max_examples=300, deadline=None)
@given(configs(platform="linux"))
def test_on_linux_host_docker_internal_resolves_only_with_add_host(c):
    if c.parsed_base_url.host == "host.docker.internal":
        resolved = evaluate(c).steps[0].ok
        assert resolved == c.add_host_gateway


@settings(max_examples=300, deadline=None)
@given(configs())
def test_bridged_webui_is_always_on_its_published_port(c):
    v = evaluate(c)
    if not c.webui_host_mode:
        assert v.browser.reachable and v.browser.url == f"http://localhost:{c.webui_port}"
    else:
        assert v.browser.url == "http://localhost:8080"


@settings(max_examples=150, deadline=None)
@given(configs())
def test_every_fix_works_when_applied_and_ok_needs_none(c):
    from owui_lab.fixes import _apply, candidate_changes  # the fixes' own machinery

    v = predict(c)
    if v.reachable and v.browser.reachable:
        assert v.fixes == ()
        return
    texts = {ch.text: ch for ch in candidate_changes(c)}
    for fix in v.fixes:
        parts = [texts[t] for t in fix.split("; and ")]
        fixed = _apply(c, tuple(parts))
        assert fixed is not None
        after = evaluate(fixed)
        assert after.reachable and after.browser.reachable, (fix, after.transcript())


@settings(max_examples=200, deadline=None)
@given(configs())
def test_same_namespace_host_network_reaches_loopback_listener(c):
    """Two parties in the same (host) namespace meet on loopback when Ollama listens there."""
    if (
        c.parsed_base_url.host in ("localhost", "127.0.0.1")
        and c.parsed_base_url.port == c.ollama_listen.port
        and webui_namespace(c) == ollama_namespace(c) == "host"
        and (c.ollama_listen.all_addresses or c.ollama_listen.loopback_only)
    ):
        assert evaluate(c).outcome == "ok"
