"""Faults: a failure halfway leaves nothing, Ctrl-C at any moment of `lab up` leaves nothing (or a lab
that is up and recorded), `lab clean` spares a learner's look-alikes, bad input gets one paragraph."""

from __future__ import annotations

import json
import random
import re
import secrets
import signal
import subprocess
import sys
import time

import pytest

import owui_lab
from owui_lab import docker_api
from owui_lab.errors import LabError
from owui_lab.lab import Lab
from tests.lab_support import REPO, cli_env, derived_run_id, leftovers, owui_lab as owui_lab_cli, stand_in_image

pytestmark = pytest.mark.usefixtures("docker_daemon")


@pytest.fixture(scope="module")
def image() -> str:
    return stand_in_image()


# ---------------------------------------------------------------------------------------------
# A failure halfway
# ---------------------------------------------------------------------------------------------


def test_a_daemon_error_halfway_leaves_nothing(image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Networks and the Ollama container exist when Open WebUI's creation fails for real."""
    original = Lab._container
    made: list[str] = []

    def container(self, role, command, **kwargs):
        if role.startswith("webui"):
            time.sleep(0.3)  # let Ollama's container and the networks come into being first
            kwargs["network"] = f"owui-lab-no-such-network-{secrets.token_hex(3)}"
            kwargs.pop("ports", None)
        made.append(role)
        return original(self, role, command, **kwargs)

    monkeypatch.setattr(Lab, "_container", container)
    lab = Lab(owui_lab.load_scenario("linux-separate-networks"), keep_ports=False)
    with pytest.raises(Exception, match="(?i)network"):
        with lab:
            pytest.fail("the body must not run")
    assert "ollama" in made
    assert leftovers(session=lab.session) == []


def test_a_host_stand_in_that_fails_halfway_leaves_nothing(image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from owui_lab.lab import live, state

    started = []

    def boom(*args, **kwargs):
        started.append(real(*args, **kwargs))  # it listens; the lab fails before it records it
        raise LabError("the stand-in Ollama did not listen (simulated)", "none")

    real = live.start_host_ollama
    monkeypatch.setattr(live, "start_host_ollama", boom)
    lab = Lab(owui_lab.load_scenario("linux-ollama-on-host").replace(ollama_bind="0.0.0.0"), keep_ports=False)
    with pytest.raises(LabError, match="simulated"):
        lab.up()
    assert started
    # Found by its labels and stopped (SIGTERM, then SIGKILL after 1 s): give the signal time to land on a
    # loaded machine; a stand-in nobody stops serves forever, so a timeout here is a real failure.
    started[0].process.wait(timeout=10)
    assert leftovers(session=lab.session) == []  # containers, networks and the host process
    assert list(state.state_dir().glob(f"{lab.session}-*.log")) == []


# ---------------------------------------------------------------------------------------------
# Ctrl-C at random moments of `owui-lab lab up`
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "scenario_id"), [("up", "linux-ollama-on-host"), ("up", "linux-separate-networks"),
                                                     ("run", "linux-compose")])
def test_ctrl_c_at_random_moments_of_lab_up_leaves_nothing(image: str, command: str, scenario_id: str, tmp_path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = []
    for trial in range(4):
        run_id = derived_run_id(f"sigint-{secrets.token_hex(4)}")
        env = cli_env(OWUI_LAB_RUN=run_id, OWUI_LAB_STATE_DIR=str(tmp_path))
        args = [sys.executable, "-m", "owui_lab", "lab", command, "--scenario", scenario_id, "--free-ports", "--json"]
        if scenario_id == "linux-ollama-on-host":
            args += ["--ollama-bind", "0.0.0.0"]  # two host stand-ins: more to leave behind
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        delay = rng.uniform(0.05, 2.5)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        outcomes.append((round(delay, 2), proc.returncode))
        where = f"(seed {seed}, trial {trial}, SIGINT after {delay:.2f} s, exit {proc.returncode})"
        # Python's own start-up may be interrupted (a traceback from importlib, exit 1): nothing of
        # the kit ran yet. Once the kit runs, Ctrl-C is one line, never a traceback.
        assert not re.search(r'owui_lab/[\w/]+\.py", line \d+, in (?!<module>)', err), f"{where}: {err}"
        if proc.returncode == 0 and command == "run":
            pass  # `lab run` finished: it tore everything down itself
        elif proc.returncode == 0:
            # Too late to interrupt: the lab is up and recorded; `lab down` removes it.
            assert leftovers(run=run_id), where
            session = json.loads(out)["session"]
            down = owui_lab_cli("lab", "down", env=env)
            assert down.returncode == 0 and session in down.stdout, f"{where}: {down.stdout} {down.stderr}"
        else:
            assert proc.returncode in (130, 1, -signal.SIGINT), f"{where}: {err}"
        assert leftovers(run=run_id) == [], f"{where}: {out[-500:]} {err}"
    print(f"SIGINT trials (delay s, exit): {outcomes}")


# ---------------------------------------------------------------------------------------------
# lab clean
# ---------------------------------------------------------------------------------------------


def test_lab_clean_spares_unlabelled_look_alikes(image: str, tmp_path) -> None:
    cli = docker_api.client()
    suffix = secrets.token_hex(3)
    run_id = derived_run_id(f"clean-{suffix}")
    env = cli_env(OWUI_LAB_RUN=run_id, OWUI_LAB_STATE_DIR=str(tmp_path))
    look_alikes = []
    networks = []
    try:
        # A learner's own setup, named like the docs name things (with a suffix: others run tests too).
        networks.append(cli.networks.create(f"ollama-net-{suffix}"))
        look_alikes.append(cli.containers.run(image, ["python3", "-c", "import time; time.sleep(300)"], detach=True,
                                              init=True, name=f"ollama-{suffix}", network=networks[0].name))
        look_alikes.append(cli.containers.create(image, ["python3"], name=f"open-webui-{suffix}"))
        look_alikes.append(cli.containers.create(image, ["python3"], name=f"owui-lab-{suffix}-ollama",
                                                 labels={"io.owui-lab.other": "x"}))  # not managed=true
        up = owui_lab_cli("lab", "up", "--scenario", "linux-compose", "--free-ports", "--json", env=env)
        assert up.returncode == 0, up.stderr
        assert leftovers(run=run_id)
        clean = owui_lab_cli("lab", "clean", "--run", run_id, env=env)
        assert clean.returncode == 0, clean.stderr
        assert "nothing else was touched" in clean.stdout
        assert leftovers(run=run_id) == []
        for c in look_alikes:
            c.reload()  # raises NotFound if it had been removed
        assert look_alikes[0].status == "running"
        networks[0].reload()
    finally:
        for c in look_alikes:
            c.remove(force=True)
        for n in networks:
            n.remove()
        docker_api.remove_labelled(cli, run=run_id)
        cli.close()


# ---------------------------------------------------------------------------------------------
# Bad input: one paragraph, never a traceback, nothing created
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (["lab", "run", "--ollama", "container", "--ollama-publish", "everywhere"], 2, "not a value the kit knows"),
        (["lab", "run", "--ollama", "container", "--base-url", "http://example.com:11434"], 5, "only sends traffic"),
        (["lab", "run", "--scenario", "linux-compose", "--timeout", "0"], 2, "probe timeout"),
        (["lab", "run", "--scenario", "no-such-scenario"], 2, "no scenario"),
        (["lab", "down", "x;rm"], 5, "not a lab session id"),
    ],
)
def test_bad_input_is_one_clear_paragraph(image: str, args: list[str], exit_code: int, words: str) -> None:
    run_id = derived_run_id(f"bad-{secrets.token_hex(4)}")
    done = owui_lab_cli(*args, env=cli_env(OWUI_LAB_RUN=run_id))
    assert done.returncode == exit_code, done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Hint:" in done.stderr
    assert leftovers(run=run_id) == []


def test_no_daemon_and_missing_image_are_clear(image: str) -> None:
    done = owui_lab_cli("lab", "run", "--scenario", "linux-compose",
                        env=cli_env(DOCKER_HOST="unix:///nonexistent/docker.sock"))
    assert done.returncode == 3 and "No Docker daemon answers" in done.stderr and "Traceback" not in done.stderr
    run_id = derived_run_id(f"img-{secrets.token_hex(4)}")
    # A registry on loopback that is not there: the pull fails at once, and nothing leaves this host.
    done = owui_lab_cli("lab", "run", "--scenario", "linux-compose",
                        env=cli_env(OWUI_LAB_IMAGE=f"127.0.0.1:9/owui-lab/missing:{run_id}", OWUI_LAB_RUN=run_id))
    assert done.returncode == 3, done.stderr
    assert "scripts/build-offline-image.sh" in done.stderr and "OWUI_LAB_IMAGE" in done.stderr
    assert leftovers(run=run_id) == []


def test_lab_clean_after_a_sigkill_stops_the_host_stand_in_and_removes_its_log(image: str, tmp_path) -> None:
    """SIGKILL gives the lab no chance to tidy up: lab clean finds the host stand-in by its labels and
    removes the <session>-ollama*.log it left in the state directory."""
    run_id = derived_run_id(f"kill9-{secrets.token_hex(2)}")
    state = tmp_path / "labs"
    env = cli_env(OWUI_LAB_RUN=run_id, OWUI_LAB_STATE_DIR=str(state))
    proc = subprocess.Popen([sys.executable, "-m", "owui_lab", "lab", "run", "--scenario", "linux-ollama-on-host",
                             "--ollama-bind", "0.0.0.0", "--free-ports"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(state.glob("*-ollama*.log")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert list(state.glob("*-ollama*.log")), "the host stand-in never started"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert leftovers(run=run_id)  # a host stand-in (and maybe containers) outlived the CLI
        done = owui_lab_cli("lab", "clean", "--run", run_id, "--json", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        data = json.loads(done.stdout)
        assert data["host_processes"] and data["logs"]
        assert leftovers(run=run_id) == []
        assert list(state.glob("*.log")) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        owui_lab_cli("lab", "clean", "--run", run_id, env=env)


# ---------------------------------------------------------------------------------------------
# A paused or frozen container (issue 25)
# ---------------------------------------------------------------------------------------------


def test_a_paused_ollama_during_bring_up_is_said_and_the_run_ends_in_seconds(
    image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docker pause`` of the lab's Ollama while the lab waits for it: the lab says it is paused, ends
    in seconds (it used to hang forever on the exec stream) and leaves nothing; ``lab clean`` after it
    prints no traceback. (The pause comes just before the wait: a pause landing while Docker starts an
    exec can lock the container inside the daemon, which no client can undo.)"""
    from owui_lab.lab import live

    original = docker_api.wait_listening
    paused: list[str] = []

    def pause_then_wait(container, *args, **kwargs):
        if container.name.endswith("-ollama"):
            for _ in range(50):  # "unable to freeze" while its processes still start: a moment later
                try:
                    container.client.api.pause(container.id)  # the lab's own, labelled container
                    paused.append(container.name)
                    break
                except Exception as exc:  # noqa: BLE001 - the SDK's APIError
                    last = exc
                    time.sleep(0.1)
            else:
                raise last
        return original(container, *args, **kwargs)

    monkeypatch.setattr(live.docker_api, "wait_listening", pause_then_wait)
    run_id = derived_run_id(f"paused-{secrets.token_hex(2)}")
    monkeypatch.setenv(docker_api.RUN_ENV, run_id)
    lab = Lab(owui_lab.load_scenario("linux-compose"), keep_ports=False)
    started = time.monotonic()
    with pytest.raises(LabError, match="is paused") as caught:
        with lab:
            pytest.fail("the body must not run")
    took = time.monotonic() - started
    assert paused and paused[0] in caught.value.message and "docker unpause" in caught.value.hint
    assert took < 20, f"the lab took {took:.0f} s"
    assert leftovers(session=lab.session) == []
    cleaned = owui_lab_cli("lab", "clean", "--run", run_id, "--json", env=cli_env())
    assert cleaned.returncode == 0 and "Traceback" not in cleaned.stdout + cleaned.stderr
