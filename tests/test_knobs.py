"""Each knob is declared once (``owui_lab/knobs.py``); Config, the CLI, the sandbox and the README follow it."""

from __future__ import annotations

import html
import re
from dataclasses import field, fields, make_dataclass, replace
from pathlib import Path

import pytest

from owui_lab import knobs
from owui_lab.cli import build_parser
from owui_lab.commands import args as cli_args
from owui_lab import config as config_module
from owui_lab.config import DOCKER0_ADDRESS, IMAGE_DEFAULT_BASE_URL, Config
from owui_lab.errors import ConfigError
from owui_lab.knobs import FORMS, KINDS, KNOBS, ROLES, Knob, env_var, markdown_table, run_flag
from owui_lab.widgets import explorer as explorer_module
from owui_lab.widgets.explorer import OWN_CONTROLS, Explorer, effective

README = Path(__file__).resolve().parents[1] / "README.md"


def test_one_declaration_per_config_field_in_order():
    assert [k.name for k in KNOBS] == [f.name for f in fields(Config)]
    for k in KNOBS:
        assert k.kind in KINDS and k.label and k.help and k.drawn, k.name
        assert set(k.platforms) <= {"linux", "desktop"} and k.platforms, k.name
        assert bool(k.choices) == (k.kind == "choice"), k.name
        assert not k.example or k.kind == "port", k.name
        w = k.written  # how a command writes it (recipe.py reads it)
        assert w.role in ROLES and w.form in FORMS, k.name
        assert (w.form in ("env", "flag")) == bool(w.name) or w.form == "part", k.name
        assert bool(w.compose) == (w.form == "flag"), k.name
        assert not w.by_value or {v for v, _ in w.by_value} < set(k.choices), k.name


def test_the_readme_table_is_the_declarations():
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- knobs: generated from owui_lab/knobs.py -->\n(.*?)\n<!-- /knobs -->", text, re.S)
    assert table, "the README lost its knob table markers"
    assert table.group(1) == markdown_table(), "README's knob table is stale: paste knobs.markdown_table()"


@pytest.mark.parametrize("k", [k for k in KNOBS if k.kind in ("choice", "bool", "port")], ids=lambda k: k.name)
def test_config_checks_each_generic_knob_from_its_declaration(k):
    bad = {"choice": "sideways", "bool": "yes", "port": 70000}[k.kind]
    with pytest.raises(ConfigError) as caught:
        Config(**{k.name: bad})
    assert caught.value.args[0].startswith(f"{k.flag} ")


def test_every_knob_is_a_cli_flag_and_reaches_the_configuration():
    assert {k.name for k in KNOBS} <= set(vars(build_parser().parse_args(["predict"])))
    for k in KNOBS:
        if k.kind == "choice":
            args = build_parser().parse_args(["predict", "--ollama", "container", k.flag, k.choices[-1]])
            assert getattr(cli_args.config_from_args(args), k.name) == k.choices[-1]
            with pytest.raises(ConfigError):
                cli_args.config_from_args(build_parser().parse_args(["predict", k.flag, "sideways"]))


@pytest.fixture
def throwaway(monkeypatch):
    """A knob that exists only in this test: one declaration (an ``-e TEA=...`` on Open WebUI), a ``Config`` field.

    The field lives on a subclass of ``Config`` (the real one is untouched); the declaration is appended to
    ``KNOBS`` wherever a module read it at import. Everything is undone after the test. Yields the
    declaration and the configuration class with its field.
    """
    extra = Knob("tea", "choice", "Tea", "the learner's tea (a knob that only exists in this test)",
                 choices=("green", "black"), choice_labels=("green tea", "black tea"), drawn="nowhere",
                 when=("ollama=container",), written=env_var("webui", "TEA"))
    config_with_tea = make_dataclass("Config", [("tea", str, field(default="green"))], bases=(Config,), frozen=True)
    declared = (*KNOBS, extra)
    monkeypatch.setattr(knobs, "KNOBS", declared)
    monkeypatch.setitem(knobs.BY_NAME, extra.name, extra)
    monkeypatch.setattr(cli_args, "KNOBS", declared)
    monkeypatch.setattr(cli_args, "KNOB_NAMES", cli_args.KNOB_NAMES | {extra.name})
    monkeypatch.setattr(config_module, "KNOB_NAMES", config_module.KNOB_NAMES | {extra.name})
    monkeypatch.setattr(cli_args, "Config", config_with_tea)
    monkeypatch.setattr(explorer_module, "Config", config_with_tea)
    return extra, config_with_tea


def test_a_throwaway_knob_reaches_the_cli(throwaway):
    """Adding a knob is one declaration: the CLI offers it, with its values and help, and sets it."""
    extra, config_with_tea = throwaway
    parser = build_parser()
    args = parser.parse_args(["predict", "--ollama", "container", "--tea", "black"])
    assert args.tea == "black"
    made = cli_args.config_from_args(args)
    assert isinstance(made, config_with_tea) and made.tea == "black" and made.ollama == "container"
    sub = next(a for a in parser._subparsers._group_actions[0].choices.values() if a.prog.endswith("predict"))
    assert "the learner's tea" in sub.format_help() and "--tea green|black" in sub.format_help()
    assert "--tea" in knobs.markdown_table()


@pytest.mark.parametrize("written", [env_var("webui", "TEA"), run_flag("webui", "--dns", "dns", "10.0.0.{value}"),
                                     run_flag("ollama", "--hostname", "hostname", "{value}-{ollama_name}"),
                                     env_var("ollama", "TEA")],
                         ids=["env", "flag", "ollama-flag", "ollama-env"])
def test_a_throwaway_knob_reaches_the_recipe(throwaway, monkeypatch, written):
    """An ordinary knob (an -e or a run flag) reaches the run line and the compose file with no recipe edit."""
    from owui_lab.recipe import recipe

    extra, config = throwaway
    extra = replace(extra, written=written)
    monkeypatch.setattr(knobs, "KNOBS", (*KNOBS, extra))
    c = config(tea="black", ollama="container", ollama_network="webui-net", webui_network="webui-net",
               base_url="http://ollama:11434")
    r = recipe(c)
    role = "ollama" if written.role == "ollama" else "open-webui"
    run = next(argv for argv in r.runs if argv[argv.index("--name") + 1] == role)
    service = r.compose["services"][role]
    if written.form == "env":
        assert "TEA=black" in run and service["environment"]["TEA"] == "black"
    else:
        value = written.spec.format(value="black", ollama_name=c.ollama_name)
        assert f"{written.name}={value}" in run and service[written.compose] == [value]
    assert "black" in r.docker_run_script and "black" in r.compose_yaml
    assert "black" not in recipe(c.replace(tea=None)).text()  # an unset knob is not written
    if written.role == "ollama" and written.form == "env":  # a native Ollama gets it in its service's steps
        native = recipe(c.replace(ollama="host", ollama_network=None, base_url="http://host.docker.internal:11434"))
        assert 'Environment="TEA=black"' in native.host_ollama and "TEA=black ollama serve" in native.host_ollama


def test_a_throwaway_knob_reaches_the_explorer(throwaway):
    """The sandbox shows a new knob with no edit of its own: its control, label, choices and when it applies."""
    extra, config_with_tea = throwaway
    app = Explorer()
    control = app.controls["tea"]
    assert control.description == "Tea" and control.tooltip == extra.help
    assert list(control.options) == [("green tea", "green"), ("black tea", "black")]
    assert control in app.more.children[0].children  # no group: under "More knobs"
    assert "owui-knob-tea" in control._dom_classes
    assert isinstance(app.config, config_with_tea) and app.config.tea == "green"
    assert control.disabled and "Tea" not in app.unused.value  # "More knobs" is closed: not on screen
    app.more.selected_index = 0  # opened, its greyed-out knobs are named too
    assert control.disabled and "Tea: Ollama runs on the host" in html.unescape(app.unused.value)
    app.controls["ollama"].value = "container"
    assert not control.disabled and "Tea" not in app.unused.value
    before = app.refresh_count
    control.value = "black"
    assert app.refresh_count == before + 1 and app.error is None
    assert app.config.tea == "black" and app.config.ollama == "container"
    app.set_config(app.config.replace(tea="green"))
    assert control.value == "green" and app.config.tea == "green"
    assert effective(app.config) != effective(app.config.replace(tea="black"))  # presets tell teas apart


def test_a_knobs_label_reaches_the_explorer_and_the_stage(monkeypatch):
    """The sandbox and the stage read their knobs' labels from the declarations."""
    from dataclasses import replace

    from owui_lab.widgets.stage import Stage

    relabelled = tuple(replace(k, label=f"relabelled {k.name}") if k.name in ("base_url", "engine") else k
                       for k in KNOBS)
    monkeypatch.setattr(knobs, "KNOBS", relabelled)
    for k in relabelled:
        monkeypatch.setitem(knobs.BY_NAME, k.name, k)
    explorer = Explorer()
    assert explorer.controls["base_url"].description == "relabelled base_url"
    assert explorer.controls["engine"].description == "relabelled engine"
    stage = Stage()
    stage.widget  # noqa: B018 - built on first use
    assert stage._url.description == "relabelled base_url" and stage._engine.description == "relabelled engine"


def test_every_knob_has_a_control_in_the_explorer():
    """Each declaration is a control of its kind (or one of the exception table's own), in its group."""
    app = Explorer()
    for k in KNOBS:
        if k.name in OWN_CONTROLS and k.name not in app.controls:
            continue  # the mode: Open WebUI's network and the compose stack
        control = app.controls[k.name]
        assert control.description == k.label, k.name
        if k.kind == "choice":
            assert [v for _, v in control.options] == list(k.choices) or k.name in OWN_CONTROLS, k.name
        if not k.group:
            assert control in app.more.children[0].children, k.name


def test_conditions_name_knobs_and_values_they_have():
    for k in KNOBS:
        for condition in k.when:
            assert condition in knobs.CONDITIONS, (k.name, condition)
            name, wanted = condition.replace("!=", "=").split("=")
            assert name in knobs.BY_NAME and name != k.name, condition
            other = knobs.BY_NAME[name]
            assert wanted in other.choices or other.kind != "choice", condition
            reason = knobs.CONDITIONS[condition]
            if isinstance(reason, dict):  # a reason for every other value the knob can have
                assert set(reason) == set(other.choices) - {wanted}, condition
    for k in KNOBS:
        assert not k.choice_labels or len(k.choice_labels) == len(k.choices), k.name
        assert not k.suggestions or k.kind not in ("choice", "bool", "port"), k.name


def test_the_suggested_base_urls_start_with_the_image_default():
    suggestions = knobs.knob("base_url").suggestions
    assert suggestions[0] == IMAGE_DEFAULT_BASE_URL and f"http://{DOCKER0_ADDRESS}:11434" in suggestions
