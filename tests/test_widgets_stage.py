"""The stage (the instructor's projector view), without a browser: switches, verdict, diagram, live."""

from __future__ import annotations

import base64
import re

import owui_lab
from owui_lab.environment import LIVE_LINUX, NO_DAEMON
from owui_lab.widgets import live
from owui_lab.widgets.live import LiveReport
from owui_lab.widgets.stage import Stage
from tests.widgets_support import mode, observation


def test_stage_toggles_change_the_verdict():
    s = Stage("linux-ollama-on-host", diagram=False)
    s.widget
    assert s.headline().startswith("✗") and s.verdict.outcome == "connection_refused"
    s._toggles["bind_all"].value = True
    assert s.verdict.reachable and s.headline().startswith("✓")
    assert 'data-outcome="ok"' in s._headline.value
    s._toggles["add_host_gateway"].value = False
    assert s.verdict.outcome == "name_not_resolved"


def test_stage_scenarios_reset_the_toggles():
    s = Stage(diagram=False)
    s.widget
    s._picker.value = "desktop-host-network"
    assert s._toggles["host_network"].value and not s._toggles["desktop_host_networking"].value
    assert not s._toggles["desktop_host_networking"].disabled
    assert not s.verdict.browser.reachable
    s._toggles["desktop_host_networking"].value = True
    assert s.verdict.reachable and s.verdict.browser.reachable
    s._picker.value = "linux-compose"
    assert s._toggles["desktop_host_networking"].disabled
    assert s.config == owui_lab.load_scenario("linux-compose")


def test_stage_draws_the_diagram():
    s = Stage("linux-host-network")
    s.widget
    png = re.compile(r'<img class="owui-stage-diagram" [^>]*src="data:image/png;base64,([^"]+)"')
    before = base64.b64decode(png.search(s._picture.value).group(1))
    assert before.startswith(b"\x89PNG"), "the stage shows no diagram"
    s._toggles["host_network"].value = False
    assert base64.b64decode(png.search(s._picture.value).group(1)) != before  # the path changed colour


def test_stage_runs_live_only_where_the_daemon_can(mode, monkeypatch):
    monkeypatch.setattr(live, "live_check", lambda c: LiveReport(owui_lab.predict(c), observed=observation(c), agree=True))
    mode(LIVE_LINUX)
    s = Stage("linux-ollama-on-host", diagram=False)
    s.widget
    assert not s._run.disabled
    s._run.click()
    assert 'data-live="ran"' in s._live.value
    s._toggles["bind_all"].value = True
    assert s._live.value == ""  # the observation was of the previous configuration
    s._picker.value = "desktop-compose"
    assert s._run.disabled and "cannot emulate" in s._run_reason.value
    mode(NO_DAEMON, binder=True)
    t = Stage("linux-compose", diagram=False)
    t.widget
    assert t._run.disabled and "Binder" in t._run_reason.value


def test_the_stage_holds_the_verdict_until_reveal():
    """Predict first (issue 21): with hold on, every change hides the verdict and the diagram until Reveal."""
    stage = Stage("linux-ollama-on-host", diagram=False, hold=True)
    stage.widget
    hidden = lambda: [p.layout.visibility for p in (stage._headline, stage._steps, stage._picture)]  # noqa: E731
    assert not stage.revealed and hidden() == ["hidden"] * 3 and stage._reveal.layout.display is None
    stage._reveal.click()
    assert stage.revealed and hidden() == ["visible"] * 3 and stage._reveal.layout.display == "none"
    assert "refused" in stage._headline.value.lower()
    stage.toggle("bind_all", True)  # a new configuration: the room predicts again
    assert not stage.revealed and hidden() == ["hidden"] * 3
    stage._hold.value = False  # the instructor turns holding off: everything shows, now and after changes
    assert stage.revealed and hidden() == ["visible"] * 3
    stage.toggle("bind_all", False)
    assert stage.revealed and hidden() == ["visible"] * 3


def test_the_stage_shows_everything_by_default():
    stage = Stage("linux-ollama-on-host", diagram=False)
    stage.widget
    assert stage.revealed and stage._headline.layout.visibility == "visible" and stage._reveal.layout.display == "none"


def test_the_stage_runs_the_same_setup_on_another_engine():
    """The engine dropdown: the same setup on Podman or rootless Docker, hidden on Docker Desktop (issue 23)."""
    from owui_lab.engine import evaluate
    from owui_lab.widgets.stage import Stage

    s = Stage(diagram=False)
    _ = s.widget
    s._engine.value = "docker-rootless"
    assert s.config.engine == "docker-rootless" and s.verdict.outcome == evaluate(s.config).outcome
    s.choose("desktop-ollama-on-host")
    assert s.config.engine == "docker" and s._engine.layout.display == "none"


def test_every_picture_the_stage_reaches_is_large_on_the_projector(monkeypatch):
    """Every seed x every switch x every base URL x every engine, as the stage's own controls set them, drawn
    for the projector: nothing overlaps and no text is under 14.5 pt (15 for the seeds themselves, in
    ``test_drawing``). A picture too wide for its canvas says less (short boundary labels, then URLs without
    http://) rather than shrink its text; 318 of these 864 were under 15 pt before it did, the worst 12.9.
    """
    import itertools

    from owui_lab.config import ENGINES
    from owui_lab.drawing import PROJECTOR, draw, new_figure, text_sizes
    from owui_lab.graph import topology
    from owui_lab.widgets.base import BASE_URLS
    from tests.test_drawing import assert_readable

    stage = Stage(diagram=False)
    monkeypatch.setattr("owui_lab.widgets.stage.predict", lambda config: None)  # its configurations only: fast
    reached = set()
    for sid in stage.scenarios:
        for switches in itertools.product((False, True), repeat=len(Stage.TOGGLES)):
            for url, engine in itertools.product(BASE_URLS, ENGINES):
                stage.choose(sid)
                for (name, _), on in zip(Stage.TOGGLES, switches):
                    stage.toggle(name, on)
                stage.set_base_url(url)
                stage.set_engine(engine)
                reached.add(stage.config)
    assert len(reached) > 500, len(reached)
    small, pictures = [], {}
    for config in reached:  # one drawing per picture: many configurations draw the same boxes and words
        g = topology(config)
        key = (sorted((n, sorted((k, str(v)) for k, v in d.items())) for n, d in g.nodes(data=True)),
               sorted((a, b, sorted((k, str(v)) for k, v in d.items())) for a, b, d in g.edges(data=True)))
        key = repr(key)  # everything the picture is drawn from
        pictures.setdefault(key, config)
    for config in pictures.values():
        fig, ax = new_figure(PROJECTOR.canvas_w)
        draw(config, ax=ax, sizes=PROJECTOR)
        assert_readable(fig)
        smallest = min(size for _, size in text_sizes(fig))
        if smallest < 14.5:
            small.append((round(smallest, 2), config))
        fig.clf()
    assert not small, sorted(small, key=lambda s: s[0])[:3]
