"""Real commands and compose files from Open WebUI's README and from issue threads, each with the outcome
its reporter saw (``tests/data/pasted/*.yaml``), read by ``owui_lab.paste`` and predicted by the engine.

Each entry names its source, the platform, the symptom and the fix that worked. An entry the model cannot
express says so (``expressible: why not``) and is only checked to read without error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from owui_lab import predict
from owui_lab.errors import ConfigError
from owui_lab.paste import Paste, read_paste

CORPUS = Path(__file__).parent / "data" / "pasted"
ENTRIES = sorted(CORPUS.glob("*.yaml"))
REQUIRED = {"source", "what", "platform", "paste", "reported", "fix"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def paste_of(entry: dict) -> Paste:
    p = entry["paste"]
    platform = entry["platform"] if entry["platform"] in ("linux", "desktop", "wsl2-engine") else None
    return Paste(commands=tuple(p.get("commands", ())), compose=tuple(p.get("compose", ())),
                 host=tuple(p.get("host", ())), platform=platform, stored_url=p.get("stored_url"),
                 compose_env={}, use_docker_compose=False)


def test_the_corpus_is_large_and_sourced():
    assert len(ENTRIES) >= 30
    for path in ENTRIES:
        entry = load(path)
        assert REQUIRED <= set(entry), path.name
        assert entry["source"].startswith("https://github.com/"), path.name
        assert entry["paste"].get("commands") or entry["paste"].get("compose"), path.name
    sources = {load(p)["source"] for p in ENTRIES}
    assert any("open-webui/open-webui/blob/" in s and "docker-compose" in s for s in sources), "Open WebUI's own compose files"


@pytest.mark.parametrize("path", ENTRIES, ids=[p.stem for p in ENTRIES])
def test_each_entry_reads(path):
    """Every expressible paste reads; the others read or say why not in the kit's own words."""
    entry = load(path)
    if entry.get("expressible", True) is True:
        assert read_paste(paste_of(entry)).webui is not None
        return
    try:
        read_paste(paste_of(entry))
    except ConfigError as exc:
        assert "Hint:" in str(exc)


def expressed(entry: dict):
    if entry.get("expressible", True) is not True or entry["platform"] == "podman":
        return None
    setup = read_paste(paste_of(entry))
    return None if setup.config is None else predict(setup.config)


def _marks(path: Path):
    why = load(path).get("known_disagreement")
    return pytest.param(path, id=path.stem, marks=pytest.mark.xfail(strict=True, reason=why) if why else ())


@pytest.mark.parametrize("path", [_marks(p) for p in ENTRIES])
def test_prediction_agrees_with_the_report(path):
    entry = load(path)
    verdict = expressed(entry)
    if verdict is None:
        pytest.skip(f"not expressible: {entry.get('expressible', 'the kit cannot express this setup')}")
    reported = entry["reported"]
    if "reachable" in reported and reported["reachable"] is not None:
        assert verdict.reachable == reported["reachable"], verdict.transcript()
    if "outcome" in reported:
        assert verdict.outcome == reported["outcome"], verdict.transcript()
    if "browser" in reported:
        assert verdict.browser.reachable == reported["browser"], verdict.transcript()


@pytest.mark.parametrize("path", ENTRIES, ids=[p.stem for p in ENTRIES])
def test_a_port_collision_is_said_where_one_was_reported(path):
    entry = load(path)
    if entry.get("expressible", True) is not True:
        pytest.skip("not expressible")
    said = " ".join(read_paste(paste_of(entry)).unexpressed)
    assert ("address already in use" in said) == bool(entry["reported"].get("collision")), said


#: Entries a model of this kit made expressible (issue 26): they must stay expressed, not drift back to a skip.
MODELLED = {
    "owui-readme-bundled-ollama-cpu": "ollama=bundled (the :ollama image)",
    "owui-readme-bundled-ollama-gpu": "ollama=bundled (the :ollama image)",
    "owui-2176-unraid-legacy-api-url": "api_base_url (the legacy OLLAMA_API_BASE_URL, ignored in the image)",
    "owui-compose-official-api": "Open WebUI's own compose files, the api overlay",
}


@pytest.mark.parametrize("stem", sorted(MODELLED))
def test_the_modelled_setups_stay_expressed(stem):
    verdict = expressed(load(CORPUS / f"{stem}.yaml"))
    assert verdict is not None, MODELLED[stem]


def test_how_much_of_the_corpus_is_expressed_and_agrees():
    """The corpus's figures (the issue's "expresses N of M, agrees with K"), computed, and printed with -s."""
    entries = [load(p) for p in ENTRIES]
    verdicts = [(e, expressed(e)) for e in entries]
    shown = [(e, v) for e, v in verdicts if v is not None]
    agree = [e for e, v in shown if v.reachable == e["reported"].get("reachable", v.reachable)
             and v.outcome == e["reported"].get("outcome", v.outcome)]
    print(f"\npasted corpus: {len(entries)} entries, {len(shown)} expressed, {len(agree)} agree")
    assert len(shown) - len(agree) == sum(1 for e, v in shown if e.get("known_disagreement"))
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert f"holds {len(entries)} real commands" in readme
    assert f"it expresses {len(shown)} of them and agrees with {len(agree)}" in readme, "README's corpus figures"
