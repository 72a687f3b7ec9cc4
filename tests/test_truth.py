"""Truth recordings: the schema is strict, redaction removes what is personal, and the engine agrees
with every recording in data/truth/ (a disagreement names the file and the configuration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from owui_lab.config import Config
from owui_lab.truth import (
    SCHEMA,
    Entry,
    PlatformFacts,
    Recording,
    RecordingError,
    Redactor,
    check,
    deployment_knobs,
    entry_for,
    load_recording,
    parse_recording,
    platform_facts,
)

TRUTH = Path(__file__).resolve().parent.parent / "data" / "truth"
INSPECT = Path(__file__).resolve().parent / "data" / "inspect"
RECORDINGS = sorted(TRUTH.glob("*.json"))

LINUX_FACTS = PlatformFacts(engine="engine", platform="linux", server_version="20.10.24", api_version="1.41",
                            operating_system="Debian GNU/Linux 12 (bookworm)", os_type="linux",
                            architecture="x86_64", kernel="6.1.0", docker0="172.17.0.1",
                            userland_proxy=True, userland_proxy_source="measured")


def recording(entries: list[Entry], facts: PlatformFacts = LINUX_FACTS, partial: bool = False) -> Recording:
    return Recording(facts=facts, entries=tuple(entries), recorded_on="2026-11-30", kit_version="0.1.0",
                     grid="test", seconds=1.0, partial=partial)


def test_there_are_recordings_and_a_linux_one_among_them() -> None:
    assert RECORDINGS, f"no recording in {TRUTH}"
    platforms = {load_recording(p).facts.platform for p in RECORDINGS}
    assert "linux" in platforms


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.name for p in RECORDINGS])
def test_the_engine_agrees_with_every_recording(path: Path) -> None:
    rec = load_recording(path)
    assert rec.entries, f"{path.name} holds no configuration"
    disagreements = check(rec, path.name)
    assert not disagreements, "the engine disagrees with a recording:\n" + "\n".join(map(str, disagreements))


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.name for p in RECORDINGS])
def test_recordings_hold_nothing_personal(path: Path) -> None:
    text = path.read_text()
    rec = load_recording(path)
    # No public address; the lab's own private ones (loopback, docker0, its containers) are fine.
    assert Redactor().text(text) == text
    assert "/home/" not in text and "/Users/" not in text and "/root" not in text
    assert json.loads(text)["privacy"]["note"]
    assert rec.recorded_on.count("-") == 2  # a date, no time of day


def test_a_disagreement_names_the_file_and_the_configuration() -> None:
    c = Config(ollama="host", ollama_bind="127.0.0.1", add_host_gateway=True)
    right = entry_for(c, "connection_refused", True, "[Errno 111] Connection refused")
    wrong = entry_for(c, "ok", True, "200")
    found = check(recording([right, wrong]), "x.json")
    assert [d.index for d in found] == [1]
    text = str(found[0])
    assert "x.json configurations[1]" in text and "ollama_bind=127.0.0.1" in text and "add_host_gateway=True" in text
    assert "predicts connection_refused" in text and "observed ok" in text


def test_the_platform_facts_set_the_platform_knobs() -> None:
    # The same deployment: with docker-proxy it works, without it Docker's isolation drops it.
    c = Config(ollama="container", ollama_network="lab-a", ollama_publish="all", webui_network="bridge",
               base_url="http://172.17.0.1:11434")
    entry = entry_for(c, "unreachable", True, "timed out")
    assert "userland_proxy" not in entry.knobs and "platform" not in entry.knobs
    no_proxy = PlatformFacts(**{**LINUX_FACTS.to_dict(), "userland_proxy": False})
    assert check(recording([entry], no_proxy)) == []
    assert len(check(recording([entry], LINUX_FACTS))) == 1
    unseen = PlatformFacts(**{**LINUX_FACTS.to_dict(), "userland_proxy": None})
    assert unseen.knobs() == {"platform": "linux", "engine": "docker"}  # unseen: the engine's default (on)


@pytest.mark.parametrize("kind,rootless,knob", [
    ("engine", False, "docker"), ("rootless", True, "docker-rootless"), ("podman", False, "podman-rootful"),
    ("podman", True, "podman-rootless"), ("desktop", False, "docker")])
def test_the_facts_set_the_engine_knob(kind: str, rootless: bool, knob: str) -> None:
    facts = PlatformFacts(**{**LINUX_FACTS.to_dict(), "engine": kind, "rootless": rootless,
                             "platform": "desktop" if kind == "desktop" else "linux"})
    assert facts.knobs()["engine"] == knob
    assert Config(**facts.knobs()).engine == knob


def test_a_recording_made_before_the_engine_facts_still_reads(tmp_path: Path) -> None:
    data = recording([entry_for(Config(), "name_not_resolved", True, "x")]).to_dict()
    for later in ("rootless", "network_backend", "port_forwarder"):
        del data["platform"][later]
    back = parse_recording(data, "old.json")
    assert back.facts.rootless is None and back.facts.port_forwarder == "?"
    data["platform"]["port_forwarder"] = 3
    with pytest.raises(RecordingError, match="port_forwarder"):
        parse_recording(data, "old.json")


def test_a_recording_round_trips_through_json(tmp_path: Path) -> None:
    entries = [entry_for(Config(), "name_not_resolved", True, "Name or service not known")]
    rec = recording(entries, partial=True)
    path = rec.write(tmp_path / "r.json")
    back = load_recording(path)
    assert back.to_dict() == rec.to_dict()
    assert back.partial and back.entries[0].knobs == {}
    assert json.loads(path.read_text())["schema"] == SCHEMA


def _valid() -> dict:
    return recording([entry_for(Config(add_host_gateway=True), "connection_refused", True, "refused")]).to_dict()


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.update(extra=1), "unknown field(s) extra"),
        (lambda d: d.pop("platform"), "lacks the field(s) platform"),
        (lambda d: d.update(schema=99), "schema 1"),
        (lambda d: d.update(recorded_on="2026-11-30T10:00:00"), "not a date"),
        (lambda d: d.update(partial="no"), "'partial' is 'no'"),
        (lambda d: d["platform"].update(userland_proxy="yes"), "'platform.userland_proxy'"),
        (lambda d: d["platform"].update(platform="bsd"), "not linux or desktop"),
        (lambda d: d["configurations"][0]["knobs"].update(platform="desktop"), "which the platform facts decide"),
        (lambda d: d["configurations"][0]["knobs"].update(colour="red"), "unknown knob(s) colour"),
        (lambda d: d["configurations"][0]["knobs"].update(ollama="moon"), "configurations[0].knobs are not a valid"),
        (lambda d: d["configurations"][0]["observed"].update(outcome="Refused"), "configurations[0].observed.outcome"),
        (lambda d: d["configurations"][0]["observed"].update(browser=1), "configurations[0].observed.browser"),
        (lambda d: d["configurations"][0]["predicted"].pop("browser"), "lacks the field(s) browser"),
        (lambda d: d.update(configurations=[]), "empty in a recording that says it is complete"),
    ],
)
def test_the_schema_is_strict_and_says_where(change, words: str) -> None:
    data = _valid()
    parse_recording(data, "ok.json")
    change(data)
    with pytest.raises(RecordingError) as info:
        parse_recording(data, "bad.json")
    assert "bad.json" in str(info.value) and words in str(info.value)
    assert "Hint:" in str(info.value)


def test_a_file_that_is_not_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(RecordingError, match="broken.json is not JSON"):
        load_recording(path)
    with pytest.raises(RecordingError, match="cannot be read"):
        load_recording(tmp_path / "missing.json")


def test_deployment_knobs_are_the_non_default_ones() -> None:
    c = Config(ollama="container", ollama_network="x", webui_network="x", userland_proxy=False)
    assert deployment_knobs(c) == {"ollama": "container", "ollama_network": "x", "webui_network": "x"}


def test_redaction_replaces_personal_facts_and_says_which() -> None:
    r = Redactor(host_names=["alice-laptop"], user_names=["alice"], home_folders=["/Users/alice"],
                 addresses=["192.168.1.23", "fe80::a00:27ff:fe4e:66a1%eth0", "127.0.0.1", "not an address"])
    text = ("alice-laptop: open /Users/alice/.docker/run/docker.sock as alice from 192.168.1.23 and "
            "2a00:1450:4001:80b::200e and 8.8.4.4 and fe80::a00:27ff:fe4e:66a1; keep 127.0.0.1, 172.17.0.1, 172.18.0.5, 192.168.65.254, "
            "192.168.16.2, fe80::1, ::1")
    out = r.text(text)
    assert "alice" not in out and "192.168.1.23" not in out and "2a00:" not in out and "8.8.4.4" not in out
    assert "fe4e" not in out
    assert out.startswith("<host>: open <home>/.docker/run/docker.sock as <user> from <address>")
    for kept in ("127.0.0.1", "172.17.0.1", "172.18.0.5", "192.168.65.254", "192.168.16.2", "fe80::1", "::1"):
        assert kept in out
    assert r.redacted == {"host name", "user name", "home folder", "LAN address"}
    assert Redactor().text("nothing here: [Errno 111] Connection refused") == "nothing here: [Errno 111] Connection refused"


def test_redaction_leaves_words_containing_a_user_name_alone() -> None:
    r = Redactor(user_names=["ann"])
    assert r.text("annotation by ann") == "annotation by <user>"


def _payload(name: str) -> dict:
    return json.loads((INSPECT / name).read_text())


def test_desktop_facts_from_a_recorded_docker_info() -> None:
    raw = _payload("desktop-readme.json")
    version = {"Platform": {"Name": "Docker Desktop 4.37.1 (178610)"}, "Version": "27.4.0", "ApiVersion": "1.47",
               "Os": "linux", "Arch": "arm64", "KernelVersion": "6.10.14-linuxkit"}
    facts = platform_facts(raw["info"], version, "172.17.0.1", desktop_host_networking=(True, "measured"))
    assert (facts.engine, facts.platform, facts.desktop_version) == ("desktop", "desktop", "4.37.1")
    assert facts.kernel.endswith("linuxkit")
    assert facts.knobs() == {"platform": "desktop", "engine": "docker", "desktop_host_networking": True}
    assert facts.title.startswith("Docker Desktop 4.37.1 (engine 27.4")


def test_linux_facts_from_a_recorded_docker_info() -> None:
    raw = _payload("linux-compose.json")
    facts = platform_facts(raw["info"], {"Version": "20.10.24", "ApiVersion": "1.41"}, "172.17.0.1",
                           userland_proxy=(False, "measured"), desktop_host_networking=(True, "ignored"))
    assert (facts.engine, facts.platform, facts.desktop_version) == ("engine", "linux", None)
    assert facts.desktop_host_networking is None and facts.desktop_host_networking_source == "not Docker Desktop"
    assert facts.knobs() == {"platform": "linux", "engine": "docker", "userland_proxy": False}


def test_a_recorded_userland_proxy_off_sets_the_engine_knob() -> None:
    # A hand-written fixture (tests/data/truth/, not data/truth/: nothing here was measured) in the
    # recording format, from Docker's documented NAT and isolation rules with userland-proxy false.
    path = Path(__file__).parent / "data" / "truth" / "linux-userland-proxy-off.json"
    rec = load_recording(path)
    assert rec.facts.userland_proxy is False and rec.facts.knobs()["userland_proxy"] is False
    assert check(rec, path.name) == []
    # The same observations under Docker's default (docker-proxy on): the two dropped packets are
    # exactly what the engine then gets wrong, each named.
    flipped = Recording(**{**rec.__dict__, "facts": PlatformFacts(**{**rec.facts.to_dict(), "userland_proxy": True})})
    found = check(flipped, path.name)
    assert [d.index for d in found] == [0, 4]
    assert all(d.entry.observed["outcome"] == "unreachable" and d.predicted_outcome == "ok" for d in found)
