"""fixes: every fix the kit proposes is a change the engine itself says makes everything work."""

from __future__ import annotations

from hypothesis import given, settings

from owui_lab import Config, load_scenario, predict
from owui_lab.engine import evaluate
from owui_lab.fixes import MAX_FIXES, _apply, _conflicting, candidate_changes, find_fixes
from tests.strategies import configs


def _works(c: Config) -> bool:
    v = evaluate(c)
    return v.reachable and v.browser.reachable


def _changes_behind(c: Config, text: str) -> tuple:
    """The candidate change(s) whose words make up ``text``."""
    by_text = {ch.text: ch for ch in candidate_changes(c)}
    parts = text.split("; and ")
    assert all(p in by_text for p in parts), (text, sorted(by_text))
    return tuple(by_text[p] for p in parts)


@settings(max_examples=300, deadline=None)
@given(configs())
def test_every_fix_applied_makes_everything_work(c):
    verdict = predict(c)
    if verdict.reachable and verdict.browser.reachable:
        assert verdict.fixes == ()
        return
    assert len(verdict.fixes) <= MAX_FIXES
    for fix in verdict.fixes:
        combo = _changes_behind(c, fix)
        assert not _conflicting(combo)
        fixed = _apply(c, combo)
        assert fixed is not None and _works(fixed), fix


@settings(max_examples=200, deadline=None)
@given(configs())
def test_no_pair_contains_a_change_that_works_alone(c):
    if _works(c):
        return
    alone = {ch.text for ch in candidate_changes(c) if (f := _apply(c, (ch,))) is not None and _works(f)}
    for fix in find_fixes(c):
        parts = fix.split("; and ")
        if len(parts) == 2:
            assert not alone & set(parts), fix


def test_gentlest_first_and_the_limit():
    c = load_scenario("linux-ollama-on-host")
    fixes = find_fixes(c)
    assert 1 <= len(fixes) <= MAX_FIXES
    assert "OLLAMA_HOST=0.0.0.0" in fixes[0]  # an env var of the service before moving Open WebUI
    assert find_fixes(c, limit=1) == fixes[:1]


def test_a_seed_id_is_enough():
    assert find_fixes("linux-ollama-on-host") == find_fixes(load_scenario("linux-ollama-on-host"))


def test_the_check_can_fail_a_change_that_does_not_work():
    c = load_scenario("linux-ollama-on-host")
    assert not _works(_apply(c, ()))  # no change: still broken, so the check above can fail
    assert _apply(c, ((ch := candidate_changes(c)[0]), ch)) is not None  # the same change twice is one knob
    assert _conflicting((ch, ch))
