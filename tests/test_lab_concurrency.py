"""Concurrent labs never read each other's stand-ins: each lab's stand-ins answer with its own token.

Offline: the token travels in the stand-ins' answers and the lab's checks refuse a stranger's.
Live: eight CLI runs at once, three rounds, agree with the engine every time; two parallel
``linux-host-network`` runs (one shared host network namespace) never mix.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from owui_lab.lab import live
from owui_lab.standins import spawn
from owui_lab.standins import webui as webui_standin
from tests.lab_support import REPO, cli_env, derived_run_id, leftovers, stand_in_image


def test_the_stand_ins_answer_with_their_labs_token_and_the_probe_reports_it() -> None:
    with spawn("ollama", ["--bind", "127.0.0.1", "--port", "0", "--quiet"], env={"OWUI_LAB_TOKEN": "tok-a"}) as ollama:
        got = webui_standin.probe([ollama.url], 3.0)["results"][0]
        assert got["outcome"] == "ok" and got["lab_token"] == "tok-a"
    with spawn("ollama", ["--bind", "127.0.0.1", "--port", "0", "--quiet"], env={"OWUI_LAB_TOKEN": ""}) as plain:
        got = webui_standin.probe([plain.url], 3.0)["results"][0]
        assert got["outcome"] == "ok" and "lab_token" not in got  # a stand-in outside the lab sends none


def test_the_browser_check_accepts_only_its_own_labs_open_webui(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "BROWSER_TIMEOUT", 0.3)
    with spawn("webui", ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"], env={"OWUI_LAB_TOKEN": "tok-a"}) as ui:
        assert live.browser_check(ui.port, "tok-a")[0]
        ok, detail = live.browser_check(ui.port, "tok-b")
        assert not ok and "not this lab's Open WebUI" in detail


def _run(args: list[str], run_id: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "owui_lab", "lab", "run", *args, "--json"], capture_output=True,
                         text=True, timeout=240, cwd=REPO, env=cli_env(OWUI_LAB_RUN=run_id))
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return json.loads(out.stdout)


EIGHT = [
    ["--scenario", "linux-ollama-on-host"],
    ["--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0"],
    ["--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0"],
    ["--scenario", "linux-compose"],
    ["--scenario", "linux-host-network"],
    ["--scenario", "linux-host-network"],
    ["--scenario", "linux-host-network"],
    ["--scenario", "linux-separate-networks"],
]


@pytest.mark.slow
@pytest.mark.usefixtures("docker_daemon")
def test_eight_labs_at_once_agree_with_the_engine_round_after_round() -> None:
    stand_in_image()
    run_id = derived_run_id("eight")
    disagreements = []
    for round_ in range(3):
        with ThreadPoolExecutor(max_workers=len(EIGHT)) as pool:
            results = list(pool.map(lambda a: _run(a, run_id), EIGHT))
        for args, r in zip(EIGHT, results):
            if not r["agree"]:
                disagreements.append((round_, args, r["predicted"]["outcome"], r["observed"]))
        sessions = [r["session"] for r in results]
        assert len(set(sessions)) == len(sessions)
    assert disagreements == []
    assert leftovers(run=run_id) == []


@pytest.mark.slow
@pytest.mark.usefixtures("docker_daemon")
def test_two_parallel_host_network_runs_never_mix() -> None:
    """Both labs' Ollama and Open WebUI share the host's network namespace (and, asked for the
    scenario's own ports, race for 11434 and 8080): each must observe its own stand-ins or fail clearly."""
    stand_in_image()
    run_id = derived_run_id("hostnet")
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda a: _run(a, run_id), [["--scenario", "linux-host-network"]] * 2))
        assert all(r["agree"] and r["observed"]["outcome"] == "ok" for r in results), results
        ports = [r["observed"]["url"].rsplit(":", 1)[1] for r in results]
        assert ports[0] != ports[1]
    assert leftovers(run=run_id) == []
