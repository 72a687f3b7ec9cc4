"""The records of labs that stay up: strict reading, contained paths, private files, clear errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from owui_lab.cli import main
from owui_lab.config import redact_url
from owui_lab.errors import LabError
from owui_lab.lab import state


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "labs"
    monkeypatch.setenv("OWUI_LAB_STATE_DIR", str(where))
    return where


@pytest.mark.parametrize("text", ["{}", "[1]", "null", "{\"session\": \"\"}", "{\"session\": 5}", "{not json",
                                  "\"abc\"", "{\"session\": \"../../victim\"}", "\udcff"])
def test_a_malformed_record_is_the_kits_error_naming_the_file(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    path = folder / "abc123.json"
    path.write_text(text, errors="surrogateescape")
    with pytest.raises(LabError) as caught:
        state.load_states()
    assert str(path) in caught.value.message and "rm " in caught.value.hint


def test_a_record_naming_another_lab_than_its_file_is_refused(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "abc123.json").write_text(json.dumps({"session": "def456"}))
    with pytest.raises(LabError, match="names another lab"):
        state.load_states()


def test_paths_are_built_only_from_valid_ids(folder: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("keep me")
    for bad in ("../victim", "../../victim", "", "a/b", "a.b"):
        with pytest.raises(LabError, match="session id"):
            state.forget_state(bad)
        with pytest.raises(LabError):
            state.save_state({"session": bad})
    assert victim.read_text() == "keep me"


def test_records_are_private_and_store_no_password(folder: Path) -> None:
    path = state.save_state({"session": "abc123", "config": {"base_url": "http://me:s3cret@localhost:11434"},
                             "commands": ["curl http://me:s3cret@localhost:11434/api/tags"]})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    text = path.read_text()
    assert "s3cret" not in text and "http://me:***@localhost:11434" in text
    assert state.load_states() == [json.loads(text)]
    state.forget_state("abc123")
    assert not path.exists()


def test_redact_url_keeps_the_user_and_drops_the_password() -> None:
    assert redact_url("http://me:pw@host:11434") == "http://me:***@host:11434"
    assert redact_url("see http://a:b@x and http://y:1/") == "see http://a:***@x and http://y:1/"
    assert redact_url("http://user@host") == "http://user@host"


def test_logs_of_a_killed_run_are_orphans_unless_the_lab_lives(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "dead1-ollama.log").write_text("x")
    (folder / "dead1-ollama-2.log").write_text("x")
    (folder / "live1-ollama.log").write_text("x")
    (folder / "kept1-ollama.log").write_text("x")
    (folder / "kept1.json").write_text(json.dumps({"session": "kept1"}))
    assert [p.name for p in state.orphan_logs({"live1"})] == ["dead1-ollama-2.log", "dead1-ollama.log"]


@pytest.mark.parametrize("make", ["file", "readonly"])
def test_an_unusable_state_directory_is_one_clear_paragraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture, make: str) -> None:
    monkeypatch.delenv("OWUI_LAB_STATE_DIR", raising=False)
    if make == "file":
        cache = tmp_path / "cache-is-a-file"
        cache.write_text("")
    else:
        if os.geteuid() == 0:
            cache = Path("/proc/self")  # not writable even for root, like /etc for a learner
        else:
            cache = Path("/etc")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    with pytest.raises(LabError) as caught:
        state.state_dir()
    assert "cannot keep its lab records" in caught.value.message and "OWUI_LAB_STATE_DIR" in caught.value.hint
    assert main(["lab", "status"]) != 0
    err = capsys.readouterr().err
    assert "cannot keep its lab records" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
