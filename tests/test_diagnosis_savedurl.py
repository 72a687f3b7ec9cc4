"""The doctor offline, beyond the recorded scenarios: Open WebUI's saved URL, container states,
hostile input, the headline. No daemon: databases are written here with ``sqlite3`` in the shapes
Open WebUI 0.12 (one row per key) and earlier versions (one JSON blob per row) write.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest

from owui_lab.config import redact_url
from owui_lab.diagnosis.diagnose import Observations, diagnose
from owui_lab.diagnosis.inspect import HostOllama, looks_like_webui, parse_container, port_number
from owui_lab.diagnosis.reconstruct import check_url
from owui_lab.diagnosis.savedurl import (
    SavedUrls,
    database_path,
    from_ollama_config,
    read_config_json,
    read_database,
    urls_in_use,
)
from tests.test_diagnosis_inspect import NO_HOST, load

SAVED_BROKEN = "http://localhost:11434"


# --------------------------------------------------------------------------------------------------
# Reading webui.db tolerantly
# --------------------------------------------------------------------------------------------------


def per_key_db(path: Path, values: dict) -> Path:
    """A webui.db as Open WebUI 0.12 writes it: config(key TEXT PRIMARY KEY, value JSON, updated_at)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE config (key TEXT PRIMARY KEY, value JSON NOT NULL, updated_at BIGINT)")
    conn.executemany("INSERT INTO config VALUES (?, ?, 0)", [(k, json.dumps(v)) for k, v in values.items()])
    conn.execute("CREATE TABLE user (id TEXT)")
    conn.commit()
    conn.close()
    return path


def blob_db(path: Path, blobs: list[dict]) -> Path:
    """A webui.db as Open WebUI before 0.12 wrote it: config(id, data JSON, version, ...), newest row wins."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE config (id INTEGER PRIMARY KEY, data JSON NOT NULL, version INTEGER, created_at DATETIME, updated_at DATETIME)")
    conn.executemany("INSERT INTO config (data, version) VALUES (?, 0)", [(json.dumps(b),) for b in blobs])
    conn.commit()
    conn.close()
    return path


def test_per_key_schema(tmp_path):
    db = per_key_db(tmp_path / "webui.db", {
        "ollama.base_urls": ["http://a:11434/", "http://b:11434"],
        "ollama.enable": True,
        "ollama.api_configs": {"1": {"enable": False}},
        "ui.name": "x",
    })
    s = read_database(db)
    assert s.found and s.urls == ("http://a:11434", "http://b:11434") and s.enabled is True
    assert s.disabled == ("http://b:11434",) and s.active == ("http://a:11434",) and not s.problem


def test_per_key_schema_connection_disabled_by_url_key(tmp_path):
    db = per_key_db(tmp_path / "webui.db", {"ollama.base_urls": ["http://a:11434"], "ollama.api_configs": {"http://a:11434": {"enable": False}}})
    assert read_database(db).active == ()


def test_blob_schema_newest_row_wins(tmp_path):
    db = blob_db(tmp_path / "webui.db", [{"ollama": {"base_urls": ["http://old:11434"]}}, {"ollama": {"base_urls": ["http://new:11434"], "enable": True}}])
    s = read_database(db)
    assert s.found and s.urls == ("http://new:11434",)


def test_nothing_saved_yet_is_not_found(tmp_path):
    assert not read_database(per_key_db(tmp_path / "webui.db", {"ui.name": "x"})).found
    assert not read_database(blob_db(tmp_path / "old.db", [{"ui": {}}])).found


@pytest.mark.parametrize("make, words", [
    (lambda p: None, "no database yet"),
    (lambda p: p.write_bytes(b""), "still empty"),
    (lambda p: p.write_bytes(b"this is not sqlite at all" * 100), "damaged"),
    (lambda p: _table(p, "CREATE TABLE user (id TEXT)"), "no 'config' table"),
    (lambda p: _table(p, "CREATE TABLE config (name TEXT, stuff TEXT)"), "columns the doctor does not know"),
])
def test_unreadable_databases_are_one_sentence(tmp_path, make, words):
    db = tmp_path / "webui.db"
    make(db)
    before = db.read_bytes() if db.exists() else None
    s = read_database(db)
    assert not s.found and words in s.problem, s.problem
    assert (db.read_bytes() if db.exists() else None) == before


def _table(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_locked_database_is_one_sentence(tmp_path):
    db = per_key_db(tmp_path / "webui.db", {"ollama.base_urls": ["http://a:11434"]})
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        s = read_database(db)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert not s.found and "locked" in s.problem


def test_odd_saved_values(tmp_path):
    db = per_key_db(tmp_path / "webui.db", {"ollama.base_urls": {"not": "a list"}})
    assert "shape" in read_database(db).problem
    db2 = per_key_db(tmp_path / "w2.db", {"ollama.base_urls": "http://a:11434;http://b:11434"})
    assert read_database(db2).urls == ("http://a:11434", "http://b:11434")


def test_legacy_config_json_and_ollama_config_answer(tmp_path):
    f = tmp_path / "config.json"
    f.write_text(json.dumps({"ollama": {"base_urls": ["http://x:11434"]}}))
    assert read_config_json(f).urls == ("http://x:11434",)
    f.write_text("{not json")
    assert read_config_json(f).problem
    answer = {"ENABLE_OLLAMA_API": True, "OLLAMA_BASE_URLS": ["http://y:11434"], "OLLAMA_API_CONFIGS": {}}
    assert from_ollama_config(answer).urls == ("http://y:11434",) and from_ollama_config(answer).source == "Open WebUI"
    assert from_ollama_config({"detail": "Not authenticated"}).problem


def test_database_path_follows_open_webuis_env():
    assert database_path({}) == ("/app/backend/data/webui.db", "")
    assert database_path({"DATA_DIR": "/data/"}) == ("/data/webui.db", "")
    assert database_path({"DATABASE_URL": "sqlite:////srv/w.db"}) == ("/srv/w.db", "")
    path, why = database_path({"DATABASE_URL": "postgresql://bob:secret@db:5432/owui"})
    assert path == "" and "database server" in why and "secret" not in why
    assert "encrypted" in database_path({"DATABASE_URL": "sqlite+sqlcipher:///x.db"})[1]


def test_urls_in_use_follows_open_webuis_rule():
    saved = SavedUrls(found=True, urls=("http://saved:11434",), source="database")
    env = ("http://env:11434",)
    use = urls_in_use(env, saved, persistent=True, reset_on_start=False)
    assert use.urls == ("http://saved:11434",) and use.from_saved and use.differs
    for persistent, reset in ((False, False), (True, True)):
        off = urls_in_use(env, saved, persistent=persistent, reset_on_start=reset)
        assert off.urls == env and not off.from_saved and not off.differs
    assert not urls_in_use(env, SavedUrls(pending=True), persistent=True, reset_on_start=False).differs


# --------------------------------------------------------------------------------------------------
# The trap, diagnosed (recorded compose payload: http://ollama:11434 works)
# --------------------------------------------------------------------------------------------------


def test_saved_url_trap_headline_checks_and_both_ways_out():
    daemon, containers, _ = load("linux-compose")
    saved = SavedUrls(found=True, urls=(SAVED_BROKEN,), source="database", where="webui.db in volume 'x_open-webui'")
    r = diagnose(daemon, containers, NO_HOST, saved=saved)
    assert not r.reachable and r.outcome == "connection_refused"
    assert r.headline == (
        "Open WebUI uses the URL saved in its database, http://localhost:11434, not OLLAMA_BASE_URL=http://ollama:11434: "
        "it does NOT reach Ollama there (predicted): connection refused, nothing listens there."
    )
    assert r.check("saved_url").ok is False and "webui.db in volume 'x_open-webui'" in r.check("saved_url").detail
    assert r.check("env_url").ok and r.env_urls[0]["predicted"] == "ok"
    assert r.fixes[0].startswith("in Open WebUI: Admin Panel → Settings → Connections → Ollama API, change "
                                 "http://localhost:11434 to http://ollama:11434 and Save")
    assert 'ENABLE_PERSISTENT_CONFIG: "false"' in r.fixes[1] and "docker compose up -d" in r.fixes[1]  # a compose stack
    assert "RESET_CONFIG_ON_START" in r.fixes[2] and "ALL of Open WebUI's saved settings" in r.fixes[2]
    # the engine's own "set OLLAMA_BASE_URL=..." would change nothing: it is said for the admin panel
    assert not any(f.startswith("set OLLAMA_BASE_URL") for f in r.fixes), r.fixes
    assert r.webui["base_urls_source"] == "database" and r.to_dict()["saved"]["urls"] == [SAVED_BROKEN]


def test_saved_url_that_works_and_an_ignored_environment():
    daemon, containers, raw = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    env = dict(webui.env, OLLAMA_BASE_URL="http://localhost:11434")
    containers = [c if c is not webui else parse_container(_with_env(raw, webui.name, env)) for c in containers]
    saved = SavedUrls(found=True, urls=("http://ollama:11434",), source="database")
    r = diagnose(daemon, containers, NO_HOST, saved=saved)
    assert r.reachable and r.fixes == [] and r.headline.startswith("Open WebUI reaches Ollama (predicted) through the URL saved")
    assert r.headline.endswith("OLLAMA_BASE_URL=http://localhost:11434 is ignored.")
    assert any("correct it first" in n for n in r.notes)


def test_persistence_off_means_the_environment():
    daemon, containers, raw = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    env = dict(webui.env, ENABLE_PERSISTENT_CONFIG="false")
    containers = [c if c is not webui else parse_container(_with_env(raw, webui.name, env)) for c in containers]
    r = diagnose(daemon, containers, NO_HOST, saved=SavedUrls(found=True, urls=(SAVED_BROKEN,), source="database"))
    assert r.reachable and r.urls[0]["url"] == "http://ollama:11434" and r.check("saved_url") is None


def test_unreadable_saved_config_is_a_sentence_not_a_guess():
    daemon, containers, _ = load("linux-compose")
    r = diagnose(daemon, containers, NO_HOST, saved=SavedUrls(problem="its database could not be read (locked)", where="webui.db in volume 'v'"))
    assert r.reachable and any("could not read the Ollama URL Open WebUI saved (webui.db in volume 'v')" in n for n in r.notes)


def _with_env(raw: dict, name: str, env: dict) -> dict:
    payload = copy.deepcopy(next(p for p in raw["containers"] if p["Name"].lstrip("/") == name))
    payload["Config"]["Env"] = [f"{k}={v}" for k, v in env.items()]
    return payload


def _payload(raw: dict, name_part: str) -> dict:
    return copy.deepcopy(next(p for p in raw["containers"] if name_part in p["Name"]))


# --------------------------------------------------------------------------------------------------
# Issue 13: states, hostile input, names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state, words, first", [
    ({"Status": "restarting", "Running": True, "Restarting": True}, "restarting: it keeps crashing", "docker logs --tail 50"),
    ({"Status": "paused", "Running": True, "Paused": True}, "paused", "docker unpause"),
    ({"Status": "created", "Running": False}, "created but never started", "docker start"),
    ({"Status": "dead", "Running": False, "Dead": True}, "dead", "docker rm"),
    ({"Status": "exited", "Running": False, "ExitCode": 1}, "exited (code 1)", "docker start"),
])
def test_open_webui_states_are_reported_as_such(state, words, first):
    daemon, _, raw = load("linux-compose")
    webui_p = _payload(raw, "open-webui")
    webui_p["State"] = state
    webui_p["RestartCount"] = 7
    containers = [parse_container(webui_p), parse_container(_payload(raw, "ollama"))]
    w = containers[0]
    assert not w.running
    r = diagnose(daemon, containers, NO_HOST)
    assert r.check("webui_running").ok is False and words in r.check("webui_running").detail
    assert words in r.headline and r.headline.startswith(f"Open WebUI '{w.name}' is not running")
    assert any(first in step for step in r.first), r.first


def test_stopped_open_webui_and_no_ollama_at_all():
    """Issue 11: the headline names the first real problem, and the steps are complete."""
    daemon, _, raw = load("linux-readme-add-host")
    webui_p = _payload(raw, "open-webui")
    webui_p["State"] = {"Status": "exited", "Running": False, "ExitCode": 0}
    r = diagnose(daemon, [parse_container(webui_p)], NO_HOST)
    assert "not running" in r.headline and "no Ollama was found" in r.headline
    assert r.first[0] == "start an Ollama (the commands below)" and r.first[1].startswith("start Open WebUI: docker start")
    assert r.start_commands
    text = r.text()
    assert "First (all of these, in order):" in text and "connection_refused" not in r.headline


def test_stopped_ollama_found_by_image_only_is_said_to_be_such():
    daemon, _, raw = load("linux-compose")
    oll = _payload(raw, "ollama")
    oll["State"] = {"Status": "exited", "Running": False, "ExitCode": 0}
    r = diagnose(daemon, [parse_container(_payload(raw, "open-webui")), parse_container(oll)], NO_HOST)
    detail = r.check("ollama").detail
    assert "found by its image only" in detail and "NOT running: exited (code 0)" in detail
    assert r.headline.startswith("The Ollama container") and "is not running" in r.headline
    assert r.first and r.first[0].startswith("start Ollama: docker start")


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999", "http://x:0", "http://[", "http://:11434"])
def test_hostile_urls_are_a_sentence(url):
    engine_url, problem = check_url(url)
    assert problem and engine_url == ""
    daemon, containers, raw = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    containers = [c if c is not webui else parse_container(_with_env(raw, webui.name, dict(webui.env, OLLAMA_BASE_URL=url))) for c in containers]
    r = diagnose(daemon, containers, NO_HOST, Observations())
    assert not r.reachable and r.check("base_url").ok is False
    r.text(), r._repr_html_(), json.dumps(r.to_dict())


def test_port_zero_is_not_port_80():
    assert check_url("http://x:0")[0] == "" and "port 0" in check_url("http://x:0")[1]
    assert check_url("http://x")[0] == "http://x:80"


@pytest.mark.parametrize("value, port", [("²", 8080), ("", 8080), ("3000", 3000), ("0", 8080), ("99999", 8080), ("٣", 8080)])
def test_port_env_is_read_as_ascii_digits(value, port):
    assert port_number(value, 8080) == port
    daemon, containers, raw = load("linux-readme-add-host")
    webui = next(c for c in containers if looks_like_webui(c))
    bad = parse_container(_with_env(raw, webui.name, dict(webui.env, PORT=value)))
    assert bad.webui_port == port
    diagnose(daemon, [bad], NO_HOST).text()


def test_network_none_is_said_plainly_with_no_bridge_fixes():
    daemon, _, raw = load("linux-readme-add-host")
    p = _payload(raw, "open-webui")
    p["HostConfig"]["NetworkMode"] = "none"
    p["NetworkSettings"]["Networks"] = {"none": {}}
    r = diagnose(daemon, [parse_container(p)], HostOllama(11434, loopback=True, docker0=True))
    assert r.check("network").ok is False and "--network none" in r.headline
    assert r.predicted is None and r.scenario is None
    assert "without --network none" in r.fixes[0]
    assert not any("host-gateway to Open WebUI's docker run" in f for f in r.fixes)


def test_network_container_mode_uses_the_owners_network():
    daemon, _, raw = load("linux-compose")
    webui_p, oll_p = _payload(raw, "open-webui"), _payload(raw, "ollama")
    side = copy.deepcopy(webui_p)  # a sidecar on the compose network whose namespace Open WebUI joins
    side["Id"] = "f" * 64
    side["Name"] = "/sidecar"
    side["Config"]["Env"] = []
    side["Config"]["Image"] = "busybox"
    side["Config"]["Labels"] = {}
    webui_p["HostConfig"]["NetworkMode"] = "container:" + side["Id"]
    webui_p["NetworkSettings"]["Networks"] = {}
    r = diagnose(daemon, [parse_container(webui_p), parse_container(oll_p), parse_container(side)], NO_HOST)
    assert r.reachable and r.outcome == "ok"
    assert any("shares the network namespace of container 'sidecar'" in n for n in r.notes)
    # the owner is gone: said plainly, nothing predicted
    r = diagnose(daemon, [parse_container(webui_p), parse_container(oll_p)], NO_HOST)
    assert r.predicted is None and "did not find" in r.check("network").detail


def test_naming_one_container_narrows_what_is_diagnosed_not_what_is_looked_at():
    daemon, containers, _ = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    r = diagnose(daemon, containers, NO_HOST, focus={webui.id})
    assert r.reachable and r.ollama["where"] == "container"


def test_doctor_takes_a_name_not_letters(monkeypatch):
    from owui_lab import diagnosis
    from owui_lab.diagnosis import observe

    seen = {}

    def fake_collect(cli, containers, include_lab=False):
        seen["containers"] = containers
        raise RuntimeError("stop here")

    monkeypatch.setattr(observe, "collect", fake_collect)
    with pytest.raises(Exception):
        diagnosis.doctor("open-webui", client=object())
    assert seen["containers"] == ["open-webui"]
    from owui_lab.errors import ConfigError

    with pytest.raises(ConfigError):
        diagnosis.doctor([1, 2], client=object())


def test_a_password_in_a_base_url_is_never_printed_nor_stored():
    daemon, containers, raw = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    url = "http://bob:hunter2@ollama:11434"
    containers = [c if c is not webui else parse_container(_with_env(raw, webui.name, dict(webui.env, OLLAMA_BASE_URL=url))) for c in containers]
    saved = SavedUrls(found=True, urls=("http://alice:s3cret@localhost:11434",), source="database")
    for r in (diagnose(daemon, containers, NO_HOST), diagnose(daemon, containers, NO_HOST, saved=saved)):
        for shown in (r.text(), r._repr_html_(), json.dumps(r.to_dict(), ensure_ascii=False)):
            assert "hunter2" not in shown and "s3cret" not in shown
            assert "bob:***@" in shown


def test_redact_url():
    assert redact_url("http://bob:pw@h:1/x") == "http://bob:***@h:1/x"
    assert redact_url("see https://tok@h and http://a:b@c@d") == "see https://tok@h and http://a:***@d"
    assert redact_url("http://h:11434") == "http://h:11434" and redact_url("http://[::1") == "http://[::1"


# --------------------------------------------------------------------------------------------------
# Issue 11: what the learner sees of the doctor
# --------------------------------------------------------------------------------------------------


def test_html_cells_left_aligned_and_captions_are_not_bullets():
    from html.parser import HTMLParser

    daemon, _, raw = load("linux-readme-add-host")
    webui_p = _payload(raw, "open-webui")
    webui_p["State"] = {"Status": "exited", "Running": False, "ExitCode": 0}
    r = diagnose(daemon, [parse_container(webui_p)], NO_HOST)
    page = r._repr_html_()

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tds, self.lis, self.in_li = [], [], False

        def handle_starttag(self, tag, attrs):
            if tag == "td":
                self.tds.append(dict(attrs).get("style", ""))
            self.in_li = tag == "li" or self.in_li and tag == "code"
            if tag == "li":
                self.lis.append("")

        def handle_data(self, data):
            if self.in_li and self.lis:
                self.lis[-1] += data

    cells = Cells()
    cells.feed(page)
    assert len(cells.tds) == 3 * len(r.checks) and all("text-align:left" in s for s in cells.tds)
    assert not any(item.lstrip().startswith("#") for item in cells.lis), cells.lis
    assert "or in Docker" in page  # a caption, above the commands it names
    assert page.index(r.headline.replace("'", "&#x27;")) < page.index("<table")


def test_the_no_daemon_doctor_box_says_what_the_doctor_does():
    from owui_lab.presentation import doctor_cannot_look_html

    box = doctor_cannot_look_html("no Docker daemon answers at /var/run/docker.sock")
    assert "only reads" in box and "changes nothing of yours" in box
    assert "stand-in" not in box and "make lab" not in box  # it starts no stand-ins


def test_a_stopped_ollama_without_open_webui_is_said_to_be_stopped():
    daemon, _, raw = load("linux-compose")
    oll = _payload(raw, "ollama")
    oll["State"] = {"Status": "exited", "Running": False, "ExitCode": 137}
    r = diagnose(daemon, [parse_container(oll)], NO_HOST)
    assert "found by its image only, NOT running: exited (code 137)" in r.check("ollama").detail
    assert r.first == [f"start Ollama: docker start {oll['Name'].lstrip('/')}"]


# --------------------------------------------------------------------------------------------------
# The probe container never outlives the doctor (a fake client: the failures Docker really gives)
# --------------------------------------------------------------------------------------------------


class _FakeProbe:
    def __init__(self, start_error=None, wait_error=None):
        self.start_error, self.wait_error, self.removed = start_error, wait_error, False

    def start(self):
        if self.start_error:
            raise self.start_error

    def wait(self, timeout):
        if self.wait_error:
            raise self.wait_error
        return {"StatusCode": 0}

    def logs(self, **kw):
        return b'{"results": [{"url": "http://x:11434", "outcome": "ok", "detail": "", "seconds": 0.01}]}'

    def remove(self, force=False):
        self.removed = True


class _FakeClient:
    def __init__(self, probe):
        self.probe = probe
        self.containers = self

    def create(self, *args, **kw):
        return self.probe


def test_a_probe_whose_start_fails_is_removed_not_left_created():
    """A crash-looping target refuses a joining container: the created probe is removed all the same."""
    from docker.errors import APIError

    from owui_lab import docker_api
    from owui_lab.errors import LabError

    probe = _FakeProbe(start_error=APIError("cannot join network of a non running container"))
    with pytest.raises(LabError) as err:
        docker_api.probe_from_namespace(_FakeClient(probe), "a" * 64, ["http://x:11434"], image="img", timeout=1)
    assert probe.removed and "failed" in err.value.message


def test_a_paused_probe_is_one_bounded_sentence_and_removed():
    from requests.exceptions import ReadTimeout

    from owui_lab import docker_api
    from owui_lab.errors import LabError

    probe = _FakeProbe(wait_error=ReadTimeout("read timed out"))
    with pytest.raises(LabError) as err:
        docker_api.probe_from_namespace(_FakeClient(probe), "a" * 64, ["http://x:11434"], image="img", timeout=1)
    assert probe.removed and "did not finish within 31 s" in err.value.message and "paused" in err.value.hint
    ok = _FakeProbe()
    assert docker_api.probe_from_namespace(_FakeClient(ok), "a" * 64, ["http://x:11434"], image="img", timeout=1)[0]["outcome"] == "ok"
    assert ok.removed


def test_several_saved_urls_are_each_diagnosed_and_a_switched_off_one_is_said():
    daemon, containers, _ = load("linux-compose")
    saved = SavedUrls(found=True, urls=("http://localhost:11434", "http://ollama:11434", "http://off:11434"),
                      disabled=("http://off:11434",), source="database")
    r = diagnose(daemon, containers, NO_HOST, saved=saved)
    assert [u["url"] for u in r.urls] == ["http://localhost:11434", "http://ollama:11434"]
    assert [u["predicted"] for u in r.urls] == ["connection_refused", "ok"] and r.reachable
    assert any("Switched off" in n and "http://off:11434" in n for n in r.notes)
    assert r.headline.startswith("Open WebUI reaches Ollama (predicted) through the URL saved in its database")


def test_a_data_directory_the_doctor_cannot_read_is_one_sentence():
    """docker cp refused (permissions, a vanished container): a sentence in the report, no traceback."""
    from docker.errors import APIError

    from owui_lab.diagnosis.observe import read_saved_urls

    class Api:
        def get_archive(self, container, path):
            raise APIError("permission denied while trying to read /app/backend/data/webui.db")

    class Cli:
        api = Api()

    daemon, containers, _ = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    saved = read_saved_urls(Cli(), webui)
    assert not saved.found and "could not be copied" in saved.problem and "permission denied" in saved.problem
    r = diagnose(daemon, containers, NO_HOST, saved=saved)
    assert r.reachable and any("could not read the Ollama URL Open WebUI saved" in n for n in r.notes)
