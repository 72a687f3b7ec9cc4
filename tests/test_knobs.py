"""Each knob is declared once (``owui_lab/knobs.py``); Config, the CLI and the README follow it."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from owui_lab import knobs
from owui_lab.cli import build_parser
from owui_lab.commands import args as cli_args
from owui_lab.config import Config
from owui_lab.errors import ConfigError
from owui_lab.knobs import KINDS, KNOBS, Knob, markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_one_declaration_per_config_field_in_order():
    assert [k.name for k in KNOBS] == [f.name for f in fields(Config)]
    for k in KNOBS:
        assert k.kind in KINDS and k.label and k.help and k.drawn, k.name
        assert set(k.platforms) <= {"linux", "desktop"} and k.platforms, k.name
        assert bool(k.choices) == (k.kind == "choice"), k.name
        assert not k.example or k.kind == "port", k.name


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


def test_a_throwaway_knob_reaches_the_cli(monkeypatch):
    """Adding a knob is one declaration: the CLI offers it, with its values and help, at once."""
    extra = Knob("tea", "choice", "Tea", "the learner's tea (a knob that only exists in this test)",
                 choices=("green", "black"), drawn="nowhere")
    monkeypatch.setattr(cli_args, "KNOBS", (*KNOBS, extra))
    parser = build_parser()
    assert parser.parse_args(["predict", "--tea", "green"]).tea == "green"
    sub = next(a for a in parser._subparsers._group_actions[0].choices.values() if a.prog.endswith("predict"))
    assert "the learner's tea" in sub.format_help() and "--tea green|black" in sub.format_help()
    assert "--tea" in markdown_table_with(monkeypatch, extra)


def markdown_table_with(monkeypatch, extra: Knob) -> str:
    monkeypatch.setattr(knobs, "KNOBS", (*KNOBS, extra))
    return knobs.markdown_table()


def test_a_knobs_label_reaches_the_explorer_and_the_stage(monkeypatch):
    """The sandbox and the stage read their knobs' labels from the declarations."""
    from dataclasses import replace

    from owui_lab.widgets.explorer import Explorer
    from owui_lab.widgets.stage import Stage

    for name in ("base_url", "engine"):
        monkeypatch.setitem(knobs.BY_NAME, name, replace(knobs.BY_NAME[name], label=f"relabelled {name}"))
    explorer = Explorer()
    assert explorer.w_base_url.description == "relabelled base_url"
    assert explorer.w_engine.description == "relabelled engine"
    stage = Stage()
    stage.widget  # noqa: B018 - built on first use
    assert stage._url.description == "relabelled base_url" and stage._engine.description == "relabelled engine"
