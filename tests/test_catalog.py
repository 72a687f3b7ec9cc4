"""The seed scenarios load strictly: every malformed file is refused with the file and the field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from owui_lab import scenario, scenarios
from owui_lab.errors import ScenarioError
from owui_lab.catalog import _load_all, load_scenario_file

IDS = {
    "desktop-ollama-on-host", "desktop-compose", "desktop-separate-networks", "desktop-host-network",
    "linux-ollama-on-host", "linux-compose", "linux-separate-networks", "linux-host-network",
}


def test_the_eight_seeds_load_in_the_docs_order():
    found = scenarios()
    assert {s.id for s in found} == IDS
    assert [s.platform for s in found] == ["desktop"] * 4 + ["linux"] * 4
    for s in found:
        assert s.platform == s.id.split("-")[0]
        assert s.title and s.summary and s.docs


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(ScenarioError) as err:
        scenario("linux-magic")
    assert "linux-magic" in str(err.value) and "linux-compose" in str(err.value)


GOOD = """id: {stem}
title: T
summary: S
docs: D
config:
  platform: linux
  ollama: host
"""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: [unclosed\n", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
        (GOOD + "colour: red\n", "unknown field(s): colour"),
        (GOOD.replace("title: T\n", ""), "no 'title' field"),
        (GOOD.replace("title: T", "title: [1]"), "'title' must be a str"),
        (GOOD + "  olama: host\n", "unknown knob(s): olama"),
        (GOOD.replace("ollama: host", "ollama: cloud"), "--ollama 'cloud'"),
        (GOOD + "  ollama_network: ai\n", "applies to an Ollama container"),
        (GOOD.replace("id: {stem}", "id: other-id"), "its name says"),
    ],
)
def test_malformed_files_name_the_file_and_the_field(tmp_path: Path, text, words):
    path = tmp_path / "broken.yaml"
    path.write_text(text.format(stem="broken"))
    with pytest.raises(ScenarioError) as err:
        load_scenario_file(path)
    assert words in str(err.value)
    assert str(path) in str(err.value)


def test_an_empty_folder_says_where_to_point(tmp_path: Path):
    with pytest.raises(ScenarioError, match="OWUI_LAB_DATA"):
        _load_all(tmp_path)
