"""The explorer, driven programmatically: set widget values, check the verdict, the diagram and the commands."""

from __future__ import annotations

import base64
import re
import os
from functools import lru_cache
from html import escape as html_escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owui_lab import Config, load_scenario, predict, scenarios
from owui_lab import drawing
from owui_lab.errors import ConfigError
from owui_lab.environment import LIVE_LINUX
from owui_lab.widgets.explorer import STACK_NETWORK, Explorer, _same, effective, explorer
from owui_lab.presentation import SCROLL_INTO_VIEW, verdict_html
from owui_lab.recipe import recipe
from tests.strategies import configs
from tests.widgets_support import mode  # noqa: F401 (a fixture)

SCENARIO_IDS = [s.id for s in scenarios()]
PNG = b"\x89PNG\r\n\x1a\n"
NOTEBOOK = Path(__file__).parent / "data" / "explorer.ipynb"


@lru_cache(maxsize=256)
def fresh_png(config: Config) -> bytes:
    """The diagram drawn from scratch, on a figure of its own: what the app must show."""
    return drawing.render_png(drawing.draw(config, verdict=predict(config)))


@pytest.fixture(scope="module")
def app() -> Explorer:
    return explorer()


def assert_consistent(app: Explorer) -> None:
    """Everything the app shows belongs to the configuration its controls describe."""
    assert app.error is None
    assert app.verdict == predict(app.config)
    assert app.recipe == recipe(app.config)
    assert app.recipe_text == recipe(app.config).text()
    assert app.image_config == app.config
    assert app.png == fresh_png(app.config)  # never a stale picture
    assert app.verdict_html.value == verdict_html(app.verdict, platform=True)
    c = app.config
    assert c.platform == app.controls["platform"].value
    assert c.ollama == app.controls["ollama"].value
    assert c.base_url == app.controls["base_url"].value
    assert c.add_host_gateway == app.controls["add_host_gateway"].value
    assert c.ollama_bind == (app.controls["ollama_bind"].value.strip() or None)
    assert c.desktop_host_networking == (c.platform == "desktop" and app.controls["desktop_host_networking"].value)
    mode = app.w_mode.value
    if mode in ("bridge", "host"):
        assert c.webui_network == mode and not c.compose
    elif mode == "compose":
        assert c.compose and c.ollama == "container" and c.webui_network == app._stack_net
    else:
        assert c.webui_network == app._webui_net and not c.compose
    if c.ollama == "container":
        assert c.ollama_network == app.w_ollama_net.value
        assert c.ollama_name == app.controls["ollama_name"].value
        if c.ollama_network != "host":  # Docker discards -p there: the configuration leaves it unset
            assert c.ollama_publish == app.controls["ollama_publish"].value
    else:
        assert c.ollama_network is None and c.ollama_publish is None and c.ollama_host_port is None


def test_it_starts_on_the_defaults_and_draws_once():
    app = explorer()
    assert app.config == Config()
    assert app.refresh_count == 1
    assert app.png.startswith(PNG)
    assert_consistent(app)
    assert "docker run" in app.recipe_html.value


def test_it_starts_from_a_scenario_id_or_a_config():
    assert explorer("linux-compose").active_preset == "linux-compose"
    c = load_scenario("linux-host-network")
    assert explorer(c).config == c


def test_owui_lab_explorer_is_callable_in_any_import_order():
    import owui_lab
    import owui_lab.widgets.explorer as module

    assert owui_lab.explorer is module.explorer
    assert isinstance(owui_lab.explorer("linux-compose"), Explorer)


@pytest.mark.parametrize("sid", SCENARIO_IDS)
def test_each_preset_sets_every_knob_and_redraws_once(app, sid):
    before = app.refresh_count
    app.apply_preset(sid)
    assert app.refresh_count == before + 1
    expected = load_scenario(sid)
    assert _same(app.config, expected)
    assert app.active_preset == sid
    assert app.preset_buttons[sid].button_style == "info"
    assert all(b.button_style == "" for k, b in app.preset_buttons.items() if k != sid)
    assert_consistent(app)
    v = app.verdict
    html = app.verdict_html.value
    for step in v.steps:
        assert ("✓" if step.ok else "✗") in html
    for fix in v.fixes:
        assert html_escape(fix) in html
    assert v.browser.url in html


def test_presets_change_the_verdict_and_the_picture(app):
    seen_png, seen_html = set(), set()
    for sid in SCENARIO_IDS:
        app.apply_preset(sid)
        seen_png.add(app.png)
        seen_html.add(app.verdict_html.value)
    assert len(seen_png) == len(SCENARIO_IDS) and len(seen_html) == len(SCENARIO_IDS)


def test_seed_outcomes_in_the_app(app):
    expected = {
        "linux-ollama-on-host": "connection_refused",
        "linux-compose": "ok",
        "linux-separate-networks": "name_not_resolved",
        "linux-host-network": "ok",
        "desktop-ollama-on-host": "ok",
        "desktop-host-network": "connection_refused",
    }
    for sid, outcome in expected.items():
        app.apply_preset(sid)
        assert app.verdict.outcome == outcome, sid


def test_toggling_a_knob_fixes_linux_ollama_on_host(app):
    app.apply_preset("linux-ollama-on-host")
    assert not app.verdict.reachable
    png = app.png
    before = app.refresh_count
    app.controls["ollama_bind"].value = "0.0.0.0"
    assert app.refresh_count == before + 1
    assert app.verdict.reachable and app.config.ollama_bind == "0.0.0.0"
    assert app.png != png
    assert app.active_preset is None
    assert 'OLLAMA_HOST=0.0.0.0' in app.recipe_text
    assert_consistent(app)


def test_a_bad_base_url_shows_the_error_and_loses_nothing(app):
    app.apply_preset("linux-compose")
    good, png = app.config, app.png
    app.controls["base_url"].value = "ollama:11434"
    assert isinstance(app.error, ConfigError)
    assert app.error.message in app.verdict_html.value.replace("&#x27;", "'")
    assert "Traceback" not in app.verdict_html.value
    assert app.controls["base_url"].value == "ollama:11434"  # what the learner typed stays
    assert app.config == good and app.png == png and app.image_config == good
    assert "last valid configuration" in app.image_caption.value
    assert app.run_button.disabled
    app.controls["platform"].value = "desktop"  # other knobs still move while the URL is wrong
    assert app.controls["platform"].value == "desktop" and app.error is not None
    app.controls["base_url"].value = "http://ollama:11434"
    assert app.error is None and app.config.platform == "desktop" and app.config.compose
    assert app.image_caption.value == ""
    assert_consistent(app)


def test_inapplicable_controls_are_disabled_or_hidden_and_named(app):
    app.apply_preset("linux-ollama-on-host")
    assert app.w_ollama_net.disabled and app.controls["ollama_publish"].disabled and app.controls["ollama_name"].disabled
    assert "Ollama runs on the host" in app.unused.value
    assert app.controls["desktop_host_networking"].layout.display == "none"
    assert app.controls["add_host_gateway"].layout.display != "none"  # hiding one control never hides another
    assert not app.controls["webui_port"].disabled
    app.apply_preset("desktop-host-network")
    assert app.controls["desktop_host_networking"].layout.display is None
    assert app.controls["webui_port"].disabled and "-p 3000:8080" in app.unused.value
    app.apply_preset("linux-compose")
    assert not app.w_ollama_net.disabled and not app.controls["ollama_publish"].disabled
    with app.batch():
        app.w_ollama_net.value = "host"
        app.controls["ollama_publish"].value = "all"
    assert app.controls["ollama_publish"].disabled and "discards -p on the host network" in app.unused.value
    assert app.config.ollama_publish_effective == "none"


def test_the_desktop_setting_is_kept_but_not_applied_on_linux(app):
    app.apply_preset("desktop-host-network")
    app.controls["desktop_host_networking"].value = True
    assert app.verdict.reachable
    app.controls["platform"].value = "linux"
    assert app.config.desktop_host_networking is False and app.controls["desktop_host_networking"].value is True
    app.controls["platform"].value = "desktop"
    assert app.config.desktop_host_networking is True


def test_compose_needs_a_container_ollama_and_says_so(app):
    app.apply_preset("linux-ollama-on-host")
    before = app.refresh_count
    app.w_mode.value = "compose"
    assert app.refresh_count == before + 1  # the implied change redraws once with it
    assert app.config.ollama == "container" and app.config.compose
    assert app.config.ollama_network == STACK_NETWORK == app.config.webui_network
    assert "Ollama now runs in a container" in app.notice.value
    app.controls["ollama"].value = "host"
    assert app.w_mode.value == "bridge" and not app.config.compose
    assert "back on the default bridge" in app.notice.value
    app.controls["add_host_gateway"].value = False
    assert app.notice.value == ""  # a notice belongs to the change that caused it


def test_separate_networks_put_a_new_ollama_container_on_its_own_network(app):
    app.apply_preset("linux-host-network")
    app.w_mode.value = "separate"
    app.controls["ollama"].value = "container"
    assert app.config.webui_network == "webui-net" and app.config.ollama_network == "ollama-net"
    assert [v for _, v in app.w_ollama_net.options] == ["bridge", "host", "ollama-net", "webui-net"]
    app.w_ollama_net.value = "webui-net"  # join Open WebUI's network: the name resolves
    assert app.config.shared_network == "webui-net"
    assert app.verdict.steps[0].ok
    app.w_mode.value = "bridge"
    assert app.config.ollama_network == "bridge"
    assert_consistent(app)


def test_reset_goes_back_to_the_start(app):
    start = app.start_config
    app.apply_preset("desktop-separate-networks")
    before = app.refresh_count
    app.reset()
    assert app.refresh_count == before + 1
    assert _same(app.config, start)


def test_side_by_side_on_request(app):
    app.apply_preset("linux-host-network")
    assert app.side_image.layout.display == "none"
    app.side_toggle.value = True
    assert app.side_image.layout.display is None
    img = re.search(r'<img class="owui-side-diagram" alt="([^"]+)" aria-describedby="([^"]+)" '
                    r'src="data:image/png;base64,([^"]+)"', app.side_image.value)
    assert base64.b64decode(img.group(3)).startswith(PNG)
    assert img.group(1).startswith("Linux (above): ") and "Docker Desktop (below): " in img.group(1)
    # each picture's description behind its own toggle, both named by the image for a screen reader
    ids = img.group(2).split()
    assert len(ids) == 2 and all(f'id="{i}"' in app.side_image.value for i in ids)
    toggles = re.findall(r"<summary>([^<]+)</summary>", app.side_image.value)
    assert toggles == ["Describe the Linux diagram (above)", "Describe the Docker Desktop diagram (below)"]
    assert "Linux" in app.side_html.value and "Docker Desktop" in app.side_html.value
    first = app.side_image.value
    app.apply_preset("linux-compose")
    assert app.side_image.value != first  # follows the knobs while shown
    app.side_toggle.value = False
    assert app.side_image.layout.display == "none"


def test_run_is_disabled_with_the_reason_where_the_lab_cannot_run(monkeypatch, mode):
    from owui_lab import environment

    mode(LIVE_LINUX)  # a daemon answers (as on the CI machine; not on a learner's without docker access), but
    monkeypatch.setattr(environment, "availability", lambda config=None: (False, "no Docker daemon answers (Binder)"))
    app = explorer("linux-compose")
    assert app.run_button.disabled
    assert "no Docker daemon answers (Binder)" in app.run_reason.value
    assert app.run_live() is None


# ---- hypothesis: any sequence of learner actions keeps every output in step ----

ACTIONS = st.one_of(
    st.tuples(st.just("platform"), st.sampled_from(["linux", "desktop"])),
    st.tuples(st.just("desktop_host_networking"), st.booleans()),
    st.tuples(st.just("ollama"), st.sampled_from(["host", "container", "bundled"])),
    st.tuples(st.just("mode"), st.sampled_from(["bridge", "host", "compose", "separate"])),
    st.tuples(st.just("ollama_network"), st.sampled_from(["bridge", "host", "ollama-net", "webui-net", STACK_NETWORK])),
    st.tuples(st.just("ollama_publish"), st.sampled_from(["none", "all", "loopback"])),
    st.tuples(st.just("ollama_bind"), st.sampled_from(["", "127.0.0.1", "0.0.0.0", "0.0.0.0:11434", "http://0.0.0.0"])),
    st.tuples(st.just("add_host_gateway"), st.booleans()),
    st.tuples(st.just("base_url"), st.sampled_from(
        ["http://host.docker.internal:11434", "http://ollama:11434", "http://localhost:11434",
         "http://127.0.0.1:11434", "http://172.17.0.1:11434", "http://ollama:3000"])),
    st.tuples(st.just("webui_port"), st.sampled_from([3000, 3001, 8080])),
    st.tuples(st.just("preset"), st.sampled_from(SCENARIO_IDS)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ACTIONS, min_size=1, max_size=5))
def test_any_sequence_of_actions_keeps_outputs_in_step(app, actions):
    for name, value in actions:
        before = app.refresh_count
        if name == "preset":
            app.apply_preset(value)
            assert app.refresh_count == before + 1
        else:
            widget = app.w_mode if name == "mode" else app.controls[name]
            if widget.disabled or (name == "ollama_network" and value not in [v for _, v in widget.options]):
                continue  # the learner cannot pick it now
            changed = widget.value != value
            widget.value = value
            assert app.refresh_count == before + (1 if changed else 0)
        assert_consistent(app)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs())
def test_any_configuration_loads_into_the_controls_unchanged(app, c):
    if c.compose and c.webui_network in ("bridge", "host"):
        c = c.replace(compose=False)  # the explorer's compose stack puts Open WebUI on the stack's network
    app.set_config(c)
    assert effective(app.config) == effective(c)
    assert app.verdict.outcome == predict(c).outcome


# ---- nbclient ----


def test_the_explorer_notebook_runs_under_nbclient(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   store_widget_state=True).execute()
    outputs = nb.cells[1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert "".join(o.get("text", "") for o in nb.cells[2].outputs).split() == ["name_not_resolved", "linux"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    # the diagram's PNG is saved with the page (in its <img>, with its alt text)
    pngs = [re.search(r'<img class="owui-diagram" alt="[^"]+" [^>]*src="data:image/png;base64,([^"]+)"',
                      m["state"].get("value", "")) for m in state.values() if m["model_name"] == "HTMLModel"]
    pngs = [m.group(1) for m in pngs if m]
    assert pngs and base64.b64decode(pngs[0]).startswith(PNG)
    verdicts = [m["state"]["value"] for m in state.values() if m["model_name"] == "HTMLModel"
                and "<b>Browser → Open WebUI</b>" in m["state"].get("value", "")]
    assert verdicts and "NOT reachable" in verdicts[0]


# ---- live (docker) ----


@pytest.mark.usefixtures("docker_daemon")
def test_run_it_live_puts_observed_beside_predicted(monkeypatch):
    monkeypatch.setenv("OWUI_LAB_IMAGE", os.environ.get("OWUI_LAB_IMAGE") or "owui-lab/python:offline")
    app = explorer("linux-compose")
    ok, reason = app.availability(refresh=True)
    assert ok, reason
    shown = []
    app.run_progress.observe(lambda change: shown.append(change["new"]), names="value")
    thread = app.run_live(wait=True)
    assert thread is not None and not thread.is_alive()
    assert any("⏳" in text for text in shown)  # progress while it ran
    assert app.run_progress.value == ""  # and nothing stale after
    result = app.live_result
    assert result is not None, app.run_result.value
    assert result.agree and result.observed.outcome == "ok"
    assert "agrees" in app.run_result.value
    assert app.run_result.value.endswith(SCROLL_INTO_VIEW)  # it comes into view where the learner clicked
    assert not app.run_button.disabled
    app.controls["ollama_publish"].value = "all"  # a new configuration: the old result is not shown with it
    assert app.live_result is None and app.run_result.value == ""


@pytest.mark.usefixtures("docker_daemon")
def test_a_desktop_configuration_cannot_run_on_this_linux_daemon():
    app = explorer("desktop-compose")
    assert app.run_button.disabled
    assert "Desktop" in app.run_reason.value or "platform" in app.run_reason.value


def test_a_drawing_failure_never_hides_the_verdict(monkeypatch):
    app = explorer("linux-compose", cache_png=False)
    png = app.png

    def broken(*args, **kwargs):
        raise ValueError("layout bug")

    monkeypatch.setattr(drawing, "draw", broken)
    app.controls["ollama_publish"].value = "all"
    assert app.error is None and app.verdict == predict(app.config)  # the verdict follows
    assert app.verdict_html.value == verdict_html(app.verdict, platform=True)
    assert "could not be drawn" in app.image_caption.value and "layout bug" in app.image_caption.value
    assert app.png == png and app.image_config != app.config  # the old picture, marked as such


def test_explorer_of_a_number_is_one_clear_error():
    from owui_lab import explorer
    from owui_lab.errors import ConfigError

    with pytest.raises(ConfigError, match="is not a configuration"):
        explorer(123)


def test_the_sandbox_offers_linux_s_engines():
    """Podman and rootless Docker are a knob of the sandbox, on Linux only (issue 23)."""
    from owui_lab.config import ENGINES
    from owui_lab.engine import evaluate

    app = explorer()
    assert [v for _, v in app.controls["engine"].options] == list(ENGINES)
    app.controls["engine"].value = "podman-rootless"
    assert app.config.engine == "podman-rootless" and app.verdict.outcome == evaluate(app.config).outcome
    app.controls["platform"].value = "desktop"
    assert app.config.engine == "docker" and app.controls["engine"].layout.display == "none"


@pytest.mark.parametrize(("engine", "words"), [("podman-rootful", ("With podman run", "sudo podman run -d",
                                                                    "sudo podman-compose -p open-webui up -d")),
                                               ("podman-rootless", ("With podman run", "podman run -d",
                                                                     "podman-compose -p open-webui up -d"))])
def test_the_recipe_tab_speaks_the_chosen_engine(engine, words):
    """Choosing Podman in the sandbox shows podman commands (the recipe follows Config.engine)."""
    app = explorer("linux-compose")
    app.controls["engine"].value = engine
    html = app.recipe_html.value
    assert all(w in html for w in words), html[:400]
    assert ("sudo podman run" in html) == (engine == "podman-rootful") and "docker run" not in html
