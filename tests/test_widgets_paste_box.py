"""The "paste your command" box in the sandbox and on the stage: every knob set from what was pasted."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from owui_lab.widgets.explorer import explorer  # noqa: E402
from owui_lab.widgets.paste_box import PasteBox  # noqa: E402
from owui_lab.widgets.stage import Stage  # noqa: E402
from tests.test_paste_edit import COMMENTED  # noqa: E402

RUN = ("docker run -d -p 3001:8080 \\\n  --add-host=host.docker.internal:host-gateway \\\n"
       "  -v open-webui:/app/backend/data --name open-webui ghcr.io/open-webui/open-webui:main\n"
       "OLLAMA_HOST=0.0.0.0 ollama serve")
COMPOSE = ("services:\n  ollama:\n    image: ollama/ollama\n  open-webui:\n    image: ghcr.io/open-webui/open-webui:main\n"
           "    ports: ['3000:8080']\n    environment:\n      - OLLAMA_BASE_URL=http://ollama:11434\n")


def test_the_sandbox_sets_every_knob_from_a_paste():
    app = explorer()
    assert app.paste_box.read(RUN) is not None
    c = app.config
    assert (c.ollama, c.ollama_bind, c.add_host_gateway, c.webui_port) == ("host", "0.0.0.0", True, 3001)
    assert (app.controls["ollama_bind"].value, app.controls["add_host_gateway"].value, app.controls["webui_port"].value) == ("0.0.0.0", True, 3001)
    assert app.verdict.reachable
    assert "ignored" not in app.paste_box.result.value and "Read past" in app.paste_box.result.value


def test_the_sandbox_reads_a_compose_file_as_a_stack():
    app = explorer()
    app.paste_box.read(COMPOSE)
    assert app.config.compose and app.w_mode.value == "compose" and app.verdict.reachable


def test_a_bad_paste_is_the_kits_error_and_changes_nothing():
    app = explorer()
    before = app.config
    assert app.paste_box.read("docker run -d -p 3000:8080 -e 'OLLAMA_BASE_URL=http://x") is None
    assert "quote is not closed" in app.paste_box.result.value and "Hint" in app.paste_box.result.value
    assert app.config == before


def test_the_stage_takes_a_paste():
    stage = Stage("desktop-ollama-on-host")
    verdict = stage.paste(COMPOSE)
    assert verdict.reachable and stage.config.compose and stage.scenario_id.endswith("compose")
    stage.paste(RUN.replace("OLLAMA_HOST=0.0.0.0 ", ""))
    assert stage.verdict.outcome == "connection_refused" and stage.config.platform == "desktop" or stage.verdict.reachable


PASTED_ADD_HOST_IP = ("docker run -d -p 3000:8080 --add-host=host.docker.internal:10.9.8.7 "
                      "ghcr.io/open-webui/open-webui:main\nOLLAMA_HOST=0.0.0.0 ollama serve")


def test_a_pasted_rarer_knob_is_set_under_more_knobs_opened():
    app = explorer()
    assert app.more.selected_index is None  # closed at first: the usual knobs share the screen with the picture
    app.paste_box.read(PASTED_ADD_HOST_IP)
    assert app.config.add_host_ip == "10.9.8.7" == app.controls["add_host_ip"].value
    assert app.more.selected_index == 0  # opened: the learner sees what the paste set
    assert "no control for" not in app.paste_box.result.value


def test_a_knob_the_view_has_no_control_for_is_named():
    box = PasteBox(lambda setup: setup.config.replace(add_host_ip=None), lambda: "linux")  # a view without it
    box.read(PASTED_ADD_HOST_IP)
    assert box.setup.config.add_host_ip == "10.9.8.7"
    assert "no control for:</b> --add-host-ip 10.9.8.7" in box.result.value




def test_a_broken_paste_comes_back_fixed_as_the_learner_wrote_it():
    """Under the box, closed until opened: the learner's own file with the engine's first fix, as a diff (the
    CLI's), its comments kept; the verdict above says why first. A paste that works gets no diff."""
    app = explorer()
    app.paste_box.read(COMMENTED)
    assert not app.verdict.reachable
    shown = app.paste_box.result.value
    assert "<details class='owui-paste-fix'>" in shown and "<details class='owui-paste-fix' open" not in shown
    assert "first fix (Docker Engine on Linux)" in shown
    assert "-      - OLLAMA_BASE_URL=http://localhost:11434" in shown
    assert "+      - OLLAMA_BASE_URL=http://ollama:11434" in shown
    assert "# point it at ollama" in shown  # the author's comment, unchanged context
    app.paste_box.read(COMPOSE)
    assert app.verdict.reachable and "owui-paste-fix" not in app.paste_box.result.value


def test_the_fix_names_the_engine_it_is_for():
    from owui_lab.widgets.paste_box import PasteBox

    box = PasteBox(lambda setup: None, lambda: None)
    box.read("podman run -d -p 3000:8080 -e OLLAMA_BASE_URL=http://localhost:11434 "
             "ghcr.io/open-webui/open-webui:main\nOLLAMA_HOST=0.0.0.0 ollama serve")
    assert "owui-paste-fix" in box.result.value
    assert "first fix (" in box.result.value and "Docker Engine on Linux" not in box.result.value
