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
    path = folder / "abc12345.json"
    path.write_text(text, errors="surrogateescape")
    with pytest.raises(LabError) as caught:
        state.load_states()
    assert str(path) in caught.value.message and "rm " in caught.value.hint


def test_a_record_naming_another_lab_than_its_file_is_refused(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "abc12345.json").write_text(json.dumps({"session": "def45678"}))
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
    path = state.save_state({"session": "abc12345", "config": {"base_url": "http://me:s3cret@localhost:11434"},
                             "commands": ["curl http://me:s3cret@localhost:11434/api/tags"]})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    text = path.read_text()
    assert "s3cret" not in text and "http://me:***@localhost:11434" in text
    assert state.load_states() == [json.loads(text)]
    state.forget_state("abc12345")
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


# ---- issue 25: typed fields, stray files, owners sharing a folder, a full disk ----


@pytest.mark.parametrize("field", [{"containers": 5}, {"containers": ["a", 3]}, {"host_processes": ["12"]},
                                   {"commands": "docker ps"}, {"browser_url": "http://localhost:x"},
                                   {"token": 7}, {"host_processes": [True]}])
def test_a_wrongly_typed_field_is_the_kits_error_naming_the_field(folder: Path, field: dict) -> None:
    folder.mkdir(parents=True)
    (folder / "abc12345.json").write_text(json.dumps({"session": "abc12345", **field}))
    with pytest.raises(LabError) as caught:
        state.load_states()
    assert next(iter(field)) in caught.value.message and "rm " in caught.value.hint


def test_lab_status_on_a_wrongly_typed_record_is_one_paragraph(folder: Path, capsys: pytest.CaptureFixture) -> None:
    folder.mkdir(parents=True)
    (folder / "abc12345.json").write_text(json.dumps({"session": "abc12345", "containers": 5}))
    assert main(["lab", "status"]) != 0
    out = capsys.readouterr()
    assert "containers" in out.out + out.err and "Traceback" not in out.out + out.err


def test_a_stray_json_file_is_not_a_record(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "notes.json").write_text("[1, 2]")
    (folder / "my-settings.json").write_text("{}")
    state.save_state({"session": "abc12345", "owner": "me"})
    assert [r["session"] for r in state.load_states(everyone=True)] == ["abc12345"]
    assert (folder / "notes.json").exists()


def test_records_are_per_owner(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two people sharing one state folder never see (so never forget) each other's records."""
    from owui_lab import docker_api

    monkeypatch.setenv(docker_api.OWNER_ENV, "ada")
    state.save_state({"session": "aaa11111", "owner": "ada"})
    monkeypatch.setenv(docker_api.OWNER_ENV, "bea")
    state.save_state({"session": "bbb22222", "owner": "bea"})
    assert [r["session"] for r in state.load_states()] == ["bbb22222"]
    monkeypatch.setenv(docker_api.OWNER_ENV, "ada")
    assert [r["session"] for r in state.load_states()] == ["aaa11111"]
    assert len(state.load_states(everyone=True)) == 2


def test_a_full_disk_is_a_reason_not_a_traceback(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    folder.mkdir(parents=True)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(state.os, "open", full)
    with pytest.raises(LabError) as caught:
        state.save_state({"session": "abc12345"})
    assert "No space left on device" in caught.value.message and "another disk" in caught.value.hint
