"""The central test: on a Linux engine, the lab's observation equals the engine's prediction.

It runs the product's own truth grid (``owui_lab.lab.grid``, what ``owui-lab lab grid`` runs) and
checks the recording it makes through the same path as the recordings in data/truth/
(``owui_lab.truth.check``): every knob value the docs' Linux diagrams turn on, 480 configurations in
10 setups (the setups real reports need, which ``lab grid`` adds on Docker Engine, are recorded in
data/truth/ and run live in the small grid and tests/test_lab_firewall.py). ``test_the_cli_records_a_small_grid`` runs the command itself, as a learner would, and
``test_ctrl_c_keeps_a_partial_recording_and_leaves_nothing`` interrupts it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from owui_lab.engine import evaluate
from owui_lab.lab.grid import (HOST_ADDRESS, OTHER_HOST_PORT, SHARED, URL_HOSTS, WEBUI_NETWORKS, desktop_grid, linux_grid,
                               run_grid, small_grid, summary)
from owui_lab.truth import CONTRIBUTE, check, load_recording
from tests.lab_support import REPO, cli_env, derived_run_id, leftovers, stand_in_image


@pytest.mark.usefixtures("docker_daemon")
def test_every_linux_configuration_of_the_grid_agrees_with_the_engine(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    stand_in_image()
    # The docs' knobs (about a minute). The setups of real reports are checked offline against their
    # recording in data/truth/, live by the small grid and tests/test_lab_firewall.py: CI stays lean.
    grid = linux_grid(reports=False)
    recording = run_grid(grid, progress=False, say=lambda text: None)
    path = recording.write(tmp_path / "linux.json")
    back = load_recording(path)
    disagreements = check(back, path.name)
    with capsys.disabled():
        print(f"\nlab grid: {len(back.entries)} Linux configurations in {len(grid.families)} setups checked "
              f"against the engine in {back.seconds:.1f} s; {len(disagreements)} disagreement(s)")
        for note in back.notes:
            print(f"  {note}")
    assert not back.partial, back.partial_reason
    assert len(back.entries) == grid.count == 480
    assert back.facts.userland_proxy is True  # this daemon's default, measured by the grid
    assert not disagreements, "lab and engine disagree:\n" + "\n".join(map(str, disagreements))


@pytest.mark.usefixtures("docker_daemon")
def test_the_cli_records_a_small_grid(tmp_path: Path) -> None:
    stand_in_image()
    out = tmp_path / "small.json"
    run_id = derived_run_id("grid-cli")
    done = subprocess.run([sys.executable, "-m", "owui_lab", "lab", "grid", "--grid", "small", "--output", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=REPO, env=cli_env(OWUI_LAB_RUN=run_id))
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert "the small grid, " in first and "about" in first and "minute" in first  # the estimate, before it starts
    recording = load_recording(out)
    assert len(recording.entries) == small_grid().count and not recording.partial
    assert not check(recording), summary(recording)
    text = "\n".join(rest)
    assert "the engine agrees with" in text and "Privacy:" in text and "data/truth/" in text
    bar_end = f"{small_grid().count}/{small_grid().count} ["
    assert bar_end in done.stderr and bar_end not in done.stdout  # the progress bar, on stderr
    assert leftovers(run=run_id) == []


@pytest.mark.usefixtures("docker_daemon")
def test_ctrl_c_keeps_a_partial_recording_and_leaves_nothing(tmp_path: Path) -> None:
    stand_in_image()
    out = tmp_path / "partial.json"
    run_id = derived_run_id("grid-sigint")
    proc = subprocess.Popen([sys.executable, "-m", "owui_lab", "lab", "grid", "--output", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env=cli_env(OWUI_LAB_RUN=run_id))
    # Interrupt once the first setups are being created.
    deadline = time.monotonic() + 60
    while not leftovers(run=run_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 130, stderr
    assert "Ctrl-C: stopping" in stdout
    recording = load_recording(out)
    assert recording.partial and "Ctrl-C" in recording.partial_reason
    assert len(recording.entries) < linux_grid().count
    assert "PARTIAL" in stdout
    assert not check(recording)
    assert json.loads(out.read_text())["partial"] is True
    assert leftovers(run=run_id) == []


def test_the_grid_covers_every_knob_value() -> None:
    # the docs' knobs (Docker Engine adds the setups of real reports: test_the_grid_covers_the_setups_...)
    configs = [c for c in linux_grid().configs if c.parsed_base_url.host != "host.containers.internal"]
    configs = [c for c in configs if not (c.host_address or c.ollama_host_port or c.stored_url or c.host_firewall)]
    assert {c.ollama for c in configs} == {"host", "container"}
    assert {c.ollama_bind for c in configs if c.ollama == "host"} == {"127.0.0.1", "0.0.0.0"}
    assert {c.ollama_network for c in configs if c.ollama == "container"} == {"bridge", "host", SHARED}
    assert {c.ollama_publish for c in configs if c.ollama == "container"} == {"none", "all", "loopback"}
    assert {c.webui_network for c in configs} == set(WEBUI_NETWORKS)
    assert {c.add_host_gateway for c in configs} == {False, True}
    assert {c.parsed_base_url.host for c in configs} == set(URL_HOSTS)
    # the same user-defined network, another one, and each outcome class occurs
    assert any(c.shared_network for c in configs)
    assert any(c.ollama_network == SHARED and c.webui_network == "lab-b" for c in configs)
    # On a Linux engine with Docker's defaults, none of these five hosts times out: a published port
    # is answered by docker-proxy from every network (see tests/test_engine_lab_facts.py).
    assert {evaluate(c).outcome for c in configs} == {"ok", "name_not_resolved", "connection_refused"}
    # ... and without docker-proxy (userland-proxy off) some do: the recording's facts decide which.
    assert "unreachable" in {evaluate(c.replace(userland_proxy=False)).outcome for c in configs}


def test_the_grid_covers_the_setups_real_reports_need() -> None:
    configs = linux_grid(firewall=True).configs
    assert {c.ollama_host_port for c in configs} == {None, OTHER_HOST_PORT}
    assert {c.add_host_ip for c in configs} == {None, "127.0.0.1", "172.17.0.1", HOST_ADDRESS}
    assert {c.host_address for c in configs} == {None, HOST_ADDRESS}
    assert any(c.stored_url and c.stored_url != c.base_url for c in configs)
    # a host firewall: dropped from a bridge, not from the host network, for a host process and a published port
    walled = [c for c in configs if c.host_firewall]
    assert {evaluate(c).outcome for c in walled if c.webui_network != "host"} >= {"unreachable", "ok"}
    assert {c.ollama for c in walled} == {"host", "container"}
    assert not any(c.host_firewall for c in linux_grid(firewall=False).configs)  # no root: not played
    assert not any(c.host_firewall for c in small_grid(firewall=False).configs)
    assert not any(c.host_address for c in linux_grid("podman-rootful").configs)  # Docker Engine only
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"({linux_grid(firewall=True).count} on Docker Engine" in readme


def test_the_instructor_guide_asks_desktop_learners_to_run_the_grid_in_the_first_break() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    guide = readme[readme.index("## Instructor guide"):readme.index("## After the workshop")]
    part = guide[guide.index("**In the first break"):]
    assert "Docker Desktop" in part and ".venv/bin/owui-lab lab grid" in part and r".venv\Scripts\owui-lab lab grid" in part
    # What it says about the run is what the command does: its estimate, its file name, where to send it.
    minutes = max(1, round(desktop_grid().estimate() / 60))  # the grid Docker Desktop runs
    assert f"about {minutes} minute" in part
    assert "owui-lab-truth-desktop-" in part and "data/truth/" in part and "truth grid: <your" in part
    assert "truth grid: <your platform>" in CONTRIBUTE and "data/truth/" in CONTRIBUTE


def test_plan_prints_the_setups_and_the_estimate_without_running(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from owui_lab.cli import main
    from owui_lab.lab import grid as truth_grid
    from owui_lab.truth import PlatformFacts

    facts = PlatformFacts(engine="engine", platform="linux", server_version="20.10", api_version="1.41",
                          operating_system="Debian", os_type="linux", architecture="x86_64", kernel="6.1")
    monkeypatch.setattr(truth_grid, "local_facts", lambda: facts)
    monkeypatch.setattr(truth_grid, "run_grid", lambda *a, **k: pytest.fail("--plan must not run anything"))
    assert main(["lab", "grid", "--plan"]) == 0
    out = capsys.readouterr().out.splitlines()
    grid = truth_grid.linux_grid()
    assert out[0].startswith(f"Docker Engine 20.10 on Debian (kernel 6.1): the linux grid, {grid.count} configurations "
                             f"in {len(grid.families)} setups")
    plan = [line for line in out[1:] if line.startswith("  - ")]
    assert len(plan) == len(grid.families) and out[-len(plan):] == plan
    # where the lab cannot play a host firewall (no root), the grid says it leaves it out, and does
    monkeypatch.setattr(truth_grid.firewall_rules, "problem", lambda: "no root here.")
    assert main(["lab", "grid", "--plan"]) == 0
    text = capsys.readouterr().out
    assert "A host firewall is left out of this grid: no root here." in text and "iptables rule" not in text
    assert "Ollama process on this host, OLLAMA_HOST=127.0.0.1; 8 Open WebUI containers; 40 configurations" in plan[0]


def test_an_unknown_grid_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from owui_lab.cli import main
    from owui_lab.lab import grid as truth_grid

    facts = truth_grid.platform_facts({"OperatingSystem": "Debian"}, {})
    monkeypatch.setattr(truth_grid, "local_facts", lambda: facts)
    code = main(["lab", "grid", "--grid", "huge"])
    err = capsys.readouterr().err
    assert code != 0 and "no grid called 'huge'" in err and "auto, linux, desktop, small" in err


def test_an_output_folder_that_cannot_take_the_recording_is_refused_before_anything_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from owui_lab.cli import main
    from owui_lab.lab import grid as truth_grid

    monkeypatch.setattr(truth_grid, "local_facts", lambda: pytest.fail("nothing may run"))
    code = main(["lab", "grid", "--output", str(tmp_path / "missing" / "r.json")])
    assert code != 0 and "does not exist" in capsys.readouterr().err


def test_the_help_counts_the_small_grid_right(capsys) -> None:
    from owui_lab.cli import main

    with pytest.raises(SystemExit):
        main(["lab", "grid", "--help"])
    assert f"small: {small_grid().count} configurations" in " ".join(capsys.readouterr().out.split())


def test_a_recording_the_disk_refuses_at_the_end_is_kept_in_the_temporary_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import tempfile

    from owui_lab.cli import main
    from owui_lab.config import Config
    from owui_lab.lab import grid as truth_grid
    from owui_lab.truth import Recording, entry_for, platform_facts

    facts = platform_facts({"OperatingSystem": "Debian"}, {"Version": "20.10"})
    recording = Recording(facts=facts, entries=(entry_for(Config(), "name_not_resolved", True, "not known"),),
                          recorded_on="2026-12-01", kit_version="0.1.0", grid="small", seconds=1.0)
    monkeypatch.setattr(truth_grid, "local_facts", lambda: facts)
    monkeypatch.setattr(truth_grid, "run_grid", lambda *a, **k: recording)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    original = Recording.write

    def write(self, path):
        if Path(path).parent == tmp_path:
            raise OSError(28, "No space left on device")
        return original(self, path)

    monkeypatch.setattr(Recording, "write", write)
    assert main(["lab", "grid", "--grid", "small", "--output", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "could not be written" in out and "No space left on device" in out
    assert load_recording(tmp_path / "tmp" / "r.json").entries == recording.entries
    assert f"Written to {tmp_path / 'tmp' / 'r.json'}" in out
