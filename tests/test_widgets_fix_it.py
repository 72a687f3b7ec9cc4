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
    assert not fb.correct and "connection refused" in fb.message  # one of the two things
    assert "connection_refused" not in fb.message  # words, never the engine's id
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
    b = build_config(compose, {"ollama": "bundled"})  # inside Open WebUI: no network, port or stack of its own
    assert b.ollama == "bundled" and b.ollama_network is None and b.ollama_publish is None and not b.compose
    e = build_config(owui_lab.load_scenario("linux-compose").replace(engine="podman-rootful"), {"platform": "desktop"})
    assert e.platform == "desktop" and e.engine == "docker"  # Docker Desktop runs Docker


def test_what_happens_now_follows_the_knobs():
    f = _linux_fixit()
    f.widget
    assert f._now.value == ""  # on request only: it may answer a question asked above
    f._now_panel.selected_index = 0
    assert "does not resolve" in f._now.value or "unknown on Docker Engine on Linux" in f._now.value
    f._controls["add_host_gateway"].value = True
    assert "docker0" in f._now.value and "owui-verdict" in f._now.value
    f._controls["ollama_bind"].value = "0.0.0.0"
    assert "listens on all addresses" in f._now.value
    f._controls["base_url"].value = "ollama:11434"  # not a URL: the box says so, in the kit's words
    assert "no scheme" in f._now.value


def test_reset_puts_the_broken_setup_back():
    f = _linux_fixit()
    f.widget
    f._controls["add_host_gateway"].value = True
    f._controls["ollama_bind"].value = "0.0.0.0"
    f.check(), f.check()
    f._reset_button.click()
    # The broken setup's own bind: unset, as the installer leaves it (the scenario's one truth).
    assert f.values == {"add_host_gateway": False, "ollama_bind": f.broken.ollama_bind, "base_url": f.broken.base_url}
    assert f._controls["add_host_gateway"].value is False and f._controls["ollama_bind"].label == "(default of where it runs)"
    assert f.tries == 0 and f.feedback is None and f._result.value == "" and f._solution_button.disabled
    f._now_panel.selected_index = 0
    assert "unknown on Docker Engine on Linux" in f._now.value


def test_an_unset_knob_shows_its_option_at_start_and_after_reset():
    """ipywidgets 8 shows a Dropdown whose value is None as a blank box: 01's OLLAMA_HOST was blank (issue 21)."""
    from owui_lab.widgets.lesson import lesson

    f = lesson("01_ollama_on_host").exercise("fix")
    f.widget
    bind = f._controls["ollama_bind"]
    assert f.broken.ollama_bind is None and bind.label == "(default of where it runs)" and bind.index is not None
    bind.value = "0.0.0.0"
    assert f.values["ollama_bind"] == "0.0.0.0"
    f._reset_button.click()
    assert bind.label == "(default of where it runs)" and f.values["ollama_bind"] is None
    f.set(ollama_bind=None)
    assert bind.label == "(default of where it runs)"


def test_the_summary_waits_for_the_fix_it():
    """01's summary names the fix: it opens once the fix-it is solved or its solution shown (issue 21)."""
    from owui_lab.widgets.lesson import lesson

    for solve in (True, False):
        l01 = lesson("01_ollama_on_host")
        questions = [l01.exercise(e) for e in ("desktop", "linux", "no-add-host", "which-urls")]
        fix = l01.exercise("fix")
        summary = l01.held("summary")
        for q in questions:
            q.reveal()
        assert not summary.opened
        if solve:
            fix.set(add_host_gateway=True, ollama_bind="0.0.0.0").check()
        else:
            fix.show_solution()
        assert summary.opened and "OLLAMA_HOST=172.17.0.1" in summary.shown_html


def test_a_list_in_keep_allows_any_one_and_says_why_not():
    """03: Ollama may change networks, but not to the host network (more exposed than the -p it forbids)."""
    from owui_lab.widgets.lesson import lesson

    f = lesson("03_separate_networks").exercise("fix")
    on_host = f.set(ollama_network="host", base_url="http://172.17.0.1:11434").check()
    assert not on_host.correct and "must be" in on_host.message and "the network ollama-net" in on_host.message
    f.reset()
    assert f.set(webui_network="ollama-net").check().correct


def test_solutions_keep_the_exercises_own_rule():
    """02 and 03 say 'without publishing Ollama's port': no solution may publish it, and each one works."""
    from owui_lab.widgets.lesson import lesson

    for lesson_id in ("01_ollama_on_host", "02_compose", "03_separate_networks", "04_host_networking"):
        f = lesson(lesson_id).exercise("fix")
        solutions = f.solutions()
        assert solutions, f"{lesson_id}: the fix-it offers no solution"
        for text in solutions:
            assert "-p 11434" not in text and "publish" not in text, f"{lesson_id}: {text}"
    three = lesson("03_separate_networks").exercise("fix")
    assert any("docker network connect ollama-net" in s for s in three.solutions())


def test_a_compose_exercise_speaks_compose():
    from owui_lab.widgets.lesson import lesson

    f = lesson("02_compose").exercise("fix")
    f.widget
    labels = [c.description for c in f._controls.values()]
    assert "open-webui: environment: OLLAMA_BASE_URL" in labels
    assert "open-webui: extra_hosts: host.docker.internal:host-gateway" in labels
    assert not any("--add-host" in label for label in labels)
    assert all("compose file" in s or "extra_hosts" in s for s in f.solutions())
    f.set(base_url="http://ollama:11434")
    assert f.check().correct
