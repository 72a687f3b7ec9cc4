"""``predict`` and every public function of the engine's floor, against generated garbage (issue 13).

Each public function takes a scenario id, a ``Scenario`` or a ``Config``; given anything else, or a
configuration built from hostile knob values, it returns a result or raises the kit's own error
(``OwuiLabError``): never a traceback, never a hang (hypothesis' deadline bounds each example, the
test's timeout the whole). The hostile strings keep the spirit of the issue's 382 bad inputs.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import owui_lab
from owui_lab import Config, Scenario, predict, scenario
from owui_lab.catalog import as_config
from owui_lab.config import KNOB_NAMES, parse_base_url, parse_ollama_host
from owui_lab.engine import Verdict, evaluate
from owui_lab.errors import OwuiLabError
from owui_lab.fixes import find_fixes
from owui_lab.recipe import recipe
from tests.strategies import HOSTILE

SEED_IDS = [s.id for s in owui_lab.scenarios()]

scalars = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=40), st.binary(max_size=20), st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SEED_IDS),
)
garbage = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scalars.filter(
    lambda x: isinstance(x, (str, int, bool, type(None)))), inner, max_size=3), max_leaves=8)
things = st.one_of(garbage, st.builds(lambda i: scenario(i), st.sampled_from(SEED_IDS)),
                   st.builds(lambda i: scenario(i).config, st.sampled_from(SEED_IDS)))

PLAUSIBLE = {
    "platform": ["linux", "desktop"], "ollama": ["host", "container"],
    "ollama_bind": [None, "127.0.0.1", "0.0.0.0", "172.17.0.1", "[::1]:11434", "http://0.0.0.0"],
    "ollama_network": [None, "bridge", "host", "ai"], "ollama_publish": [None, "none", "all", "loopback"],
    "ollama_name": ["ollama", "llm"], "webui_network": ["bridge", "host", "ai"], "webui_port": [3000, 8080],
    "add_host_gateway": [True, False], "desktop_host_networking": [True, False], "compose": [True, False],
    "engine": ["docker", "docker-rootless", "podman-rootful", "podman-rootless"],
    "base_url": ["http://ollama:11434", "http://host.docker.internal:11434", "http://172.17.0.1:11434"],
}
knob_values = st.fixed_dictionaries({}, optional={
    name: st.one_of(st.sampled_from(PLAUSIBLE.get(name, [None])), garbage) for name in sorted(KNOB_NAMES)
})

FAST = settings(max_examples=300, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])


def kit_result_or_kit_error(call, *args, **kwargs):
    """Call; an OwuiLabError is fine (it is the kit's paragraph), anything else fails the test."""
    try:
        return call(*args, **kwargs)
    except OwuiLabError as exc:
        text = str(exc)
        assert text and "Traceback" not in text and len(text) < 2000, text
        assert "\n" not in exc.message, "one paragraph"
        return None


@pytest.mark.timeout(600)
@FAST
@given(thing=things)
def test_every_public_function_takes_an_id_a_scenario_or_a_config_and_refuses_the_rest(thing):
    for function in (predict, evaluate, find_fixes, as_config, recipe):
        result = kit_result_or_kit_error(function, thing)
        if isinstance(thing, (Config, Scenario)) or (isinstance(thing, str) and thing in SEED_IDS):
            assert result is not None, f"{function.__name__}({thing!r}) must work"
    for function in (owui_lab.scenario, owui_lab.load_scenario, parse_ollama_host, parse_base_url):
        kit_result_or_kit_error(function, thing)


@pytest.mark.timeout(600)
@FAST
@given(knobs=knob_values)
def test_any_knobs_give_a_verdict_or_a_config_error(knobs):
    config = kit_result_or_kit_error(lambda: Config(**knobs))
    kit_result_or_kit_error(Config.from_knobs, knobs, {"platform": "linux"})
    if config is None:
        return
    verdict = predict(config)  # a valid configuration always has a verdict
    assert isinstance(verdict, Verdict) and verdict.outcome in ("ok", "name_not_resolved", "connection_refused",
                                                                  "unreachable")
    assert verdict.transcript() and verdict.to_dict()["config"] == config.to_dict()
    assert recipe(config).runs or recipe(config).host_ollama
    for fix in verdict.fixes:
        assert fix and "\n" not in fix


def test_hostile_strings_are_each_tried_on_every_knob():
    """The fixed list alone, exhaustively: every hostile string on every string knob."""
    tried = clean = 0
    for name in sorted(KNOB_NAMES):
        for value in HOSTILE + [math.nan, -1, 2**64, [], {}]:
            tried += 1
            config = kit_result_or_kit_error(lambda: Config(**{name: value}))
            if config is not None:
                assert predict(config).transcript()
            clean += 1
    assert tried == clean and tried >= 800


@pytest.mark.timeout(600)
@settings(max_examples=60, deadline=timedelta(seconds=20), suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.function_scoped_fixture])
@given(thing=things, name=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)),
       ext=st.sampled_from([".mmd", ".png", ".svg", ".jpg", "", ".MMD"]))
def test_the_drawing_doors_take_the_same_three_kinds_and_refuse_the_rest(thing, name, ext, tmp_path):
    from owui_lab import draw, save, topology
    from owui_lab.mermaid import mermaid

    for function in (mermaid, topology):
        kit_result_or_kit_error(function, thing)
    if isinstance(thing, Config) and ext != ".png":  # the heavy picture path, a few times
        kit_result_or_kit_error(draw, thing)
    kit_result_or_kit_error(save, thing, tmp_path / f"{name}{ext}")
    kit_result_or_kit_error(save, "linux-compose", tmp_path / f"{name}{ext}")
