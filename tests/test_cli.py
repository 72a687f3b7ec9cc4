"""The CLI as a learner uses it: a subprocess, its output and its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from owui_lab import scenarios


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "owui_lab", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )


def test_scenarios_lists_every_seed_one_line_each():
    out = run("scenarios")
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    seeds = scenarios()
    assert len(lines) == len(seeds)
    assert all(line.startswith(s.id) and s.platform in line for line, s in zip(lines, seeds))
    data = json.loads(run("scenarios", "--json").stdout)
    assert [d["id"] for d in data] == [s.id for s in seeds]
    assert all({"id", "title", "platform"} <= set(d) for d in data)


def test_predict_transcript_and_exit_zero_when_unreachable():
    out = run("predict", "--scenario", "linux-ollama-on-host")
    assert out.returncode == 0
    assert "✗ listen" in out.stdout and "NOT reachable (connection_refused)" in out.stdout
    assert "OLLAMA_HOST=0.0.0.0" in out.stdout


def test_predict_json_shape_and_knob_overrides():
    out = run("predict", "--scenario", "linux-ollama-on-host", "--ollama-bind", "0.0.0.0", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["reachable"] is True and data["outcome"] == "ok"
    assert {"name", "ok", "reason"} <= set(data["steps"][0])
    assert data["fixes"] == [] and data["browser"] == {**data["browser"], "url": "http://localhost:3000", "reachable": True}


def test_predict_without_scenario_uses_defaults_and_no_flags():
    data = json.loads(run("predict", "--json", "--no-add-host-gateway").stdout)
    assert data["outcome"] == "name_not_resolved"  # the image default URL on Linux without add-host
    data = json.loads(run("predict", "--json", "--add-host-gateway", "--ollama-bind", "0.0.0.0").stdout)
    assert data["outcome"] == "ok"


def test_scenario_knobs_that_no_longer_apply_are_dropped():
    out = run("predict", "--scenario", "linux-compose", "--ollama", "host", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["config"]["ollama_network"] is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["predict", "--platform", "windows"], "--platform 'windows'"),
        (["predict", "--ollama", "host", "--ollama-network", "ai"], "applies to an Ollama container"),
        (["predict", "--base-url", "ollama:11434"], "no scheme"),
        (["predict", "--scenario", "nope"], "no scenario 'nope'"),
        (["predict", "--webui-port", "abc"], "not a port number"),
        (["predict", "--colour", "red"], "unrecognized arguments"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_bad_input_one_paragraph_no_traceback(args, words):
    out = run(*args)
    assert out.returncode != 0
    assert words in out.stderr
    assert "Traceback" not in out.stderr and "Hint:" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_malformed_scenario_file_is_reported_not_raised(tmp_path: Path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "linux-broken.yaml").write_text("id: linux-broken\ntitle: [oops\n")
    out = run("scenarios", env={"OWUI_LAB_DATA": str(tmp_path)})
    assert out.returncode != 0
    assert "linux-broken.yaml" in out.stderr and "not valid YAML" in out.stderr
    assert "Traceback" not in out.stderr


def test_engine_imports_nothing_heavy():
    code = (
        "import sys, owui_lab, owui_lab.cli; owui_lab.predict(owui_lab.load_scenario('linux-compose'));"
        "owui_lab.cli.build_parser();"
        "heavy = [m for m in ('matplotlib', 'networkx', 'docker', 'ipywidgets') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_goes_away_gets_no_traceback(unbuffered):
    """Whether or not PYTHONUNBUFFERED is set (it was on the CI machine, not on a learner's: there stdout
    into a pipe is block-buffered and the broken pipe showed only in the interpreter's last flush)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `owui-lab scenarios | head -0`
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    try:
        out = subprocess.run([sys.executable, "-m", "owui_lab", "scenarios"], stdout=write_end,
                             stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    finally:
        os.close(write_end)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
    assert out.returncode == 141


# ---- every flag of scenarios/predict/draw against generated garbage: one paragraph, never a traceback ----

from datetime import timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from owui_lab.cli import main as cli_main  # noqa: E402
from tests.strategies import HOSTILE  # noqa: E402

CONFIG_FLAGS = ["--scenario", "--platform", "--ollama", "--ollama-bind", "--ollama-network", "--ollama-publish",
                "--ollama-name", "--webui-network", "--webui-port", "--base-url"]
SWITCHES = ["--add-host-gateway", "--no-add-host-gateway", "--desktop-host-networking", "--compose", "--json",
            "--side-by-side", "--userland-proxy", "--no-userland-proxy"]
tokens = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20).filter(lambda t: "\x00" not in t))


@pytest.mark.timeout(600)
@settings(max_examples=150, deadline=timedelta(seconds=20),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["predict", "draw", "scenarios", "nonsense"]),
       flags=st.lists(st.tuples(st.sampled_from(CONFIG_FLAGS + SWITCHES), tokens), max_size=4),
       output=st.sampled_from(["d.mmd", "d.svg", "x.jpg", "", "missing/d.mmd"]))
def test_garbage_on_every_flag_is_one_paragraph(command, flags, output, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # draw writes -o relative to here
    argv = [command]
    for flag, value in flags:
        argv += [flag] if flag in SWITCHES else [flag, value]
    if command == "draw":
        argv += ["-o", output]
    code = cli_main(argv)
    out = capsys.readouterr()
    if code == 0:
        assert out.out and not out.err
        return
    assert code in (2, 3), (argv, code, out.err)
    assert out.err.startswith("owui-lab: ") and out.err.count("\n") == 1, (argv, out.err)
    assert "Traceback" not in out.err and "Hint:" in out.err


@pytest.mark.parametrize("port", ["３０００", "+3000", "3_000", " 3000"])
def test_a_port_in_other_digits_or_signs_is_refused_not_taken_for_3000(port):
    done = run("predict", "--webui-port", port)
    assert done.returncode != 0 and "is not a port number" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_scenario_is_refused_not_ignored():
    done = run("predict", "--scenario", "")
    assert done.returncode != 0 and "There is no scenario ''" in done.stdout + done.stderr
