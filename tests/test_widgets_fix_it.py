"""Fix it: the engine checks the repair; hints before solutions; knobs that do not apply are disabled."""

from __future__ import annotations

import pytest

import owui_lab
from owui_lab.errors import ConfigError
from owui_lab.widgets.base import build_config
from owui_lab.widgets.fix_it import FixIt


def _linux_fixit() -> FixIt:
    linux = owui_lab.load_scenario("linux-ollama-on-host").replace(add_host_gateway=False)
    return FixIt("fix", linux, ["add_host_gateway", "ollama_bind", "base_url"],
                 keep={"webui_network": "bridge"}, hint="two things")


def test_fixit_is_checked_by_the_engine():
    f = _linux_fixit()
    assert not f.check().correct
    f.set(add_host_gateway=True)
    fb = f.check()
    assert not fb.correct and "connection_refused" in fb.message  # one of the two things
    f.set(ollama_bind="0.0.0.0")
    assert f.check().correct
    assert f.verdict.reachable


def test_fixit_alternative_repairs_count_too():
    f = _linux_fixit()
    f.set(ollama_bind="0.0.0.0", base_url="http://172.17.0.1:11434")
    assert f.check().correct


def test_fixit_keeps_the_task_constraints():
    f = FixIt("fix", owui_lab.load_scenario("linux-ollama-on-host"), ["webui_network", "base_url"],
              keep={"webui_network": "bridge"})
    f.set(webui_network="host", base_url="http://127.0.0.1:11434")
    fb = f.check()
    assert f.verdict.reachable and not fb.correct and "part of the task" in fb.message


def test_fixit_widget_controls_move_the_knobs_and_show_hints():
    f = _linux_fixit()
    f.widget
    f._controls["add_host_gateway"].value = True
    f._controls["ollama_bind"].value = "0.0.0.0"
    assert f.values["ollama_bind"] == "0.0.0.0"
    f._check_button.click()
    assert f.feedback.correct and "Fixed" in f._result.value
    g = _linux_fixit()
    g.widget
    assert g._solution_button.disabled  # no answer before a hint
    g.check()
    assert "Hint" not in g._result.value and g._solution_button.disabled
    g.check()
    assert "Hint" in g._result.value  # after the second unsuccessful check
    assert not g._solution_button.disabled
    g._solution_button.click()
    assert "OLLAMA_HOST=0.0.0.0" in g._result.value


def test_fixit_disables_knobs_that_do_not_apply():
    compose = owui_lab.load_scenario("linux-compose").replace(base_url="http://host.docker.internal:11434")
    f = FixIt("fix", compose, ["ollama", "ollama_network", "ollama_publish", "base_url"])
    f.widget
    assert not f._controls["ollama_network"].disabled
    f._controls["ollama"].value = "host"
    assert f._controls["ollama_network"].disabled and f._controls["ollama_publish"].disabled
    assert f.config.ollama_network is None  # reset, not silently kept


def test_fixit_refuses_a_working_start_and_unknown_knobs():
    with pytest.raises(ConfigError, match="already works"):
        FixIt("fix", owui_lab.load_scenario("linux-compose"), ["base_url"])
    f = _linux_fixit()
    with pytest.raises(ConfigError, match="does not let you change"):
        f.set(webui_network="host")
    f.set(base_url="ollama:11434")
    fb = f.check()
    assert not fb.correct and "no scheme" in fb.message


def test_build_config_drops_what_no_longer_applies():
    compose = owui_lab.load_scenario("linux-compose")
    c = build_config(compose, {"ollama": "host"})
    assert c.ollama_network is None and not c.compose
    d = build_config(owui_lab.load_scenario("desktop-host-network"), {"desktop_host_networking": True, "platform": "linux"})
    assert not d.desktop_host_networking
