"""One live run in a process of its own, on behalf of one learner.

The service starts ``python -m owui_lab.service.worker`` per run with ``OWUI_LAB_OWNER`` set to the
learner's name (so every container, network and host stand-in the lab creates carries the learner as
owner), the configuration as JSON on stdin, and reads one JSON object from stdout. A process per run
keeps one learner's run from touching another's state, and SIGINT (the learner's "stop") makes the lab
tear everything down before the process ends, as Ctrl-C does on the command line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..errors import ConfigError, LabError, OwuiLabError, PlatformMismatch
from ..prediction import predict
from ..lab import load_states, run
from ..lab.kept import keep_up as lab_up

#: Seconds a run may take before the service interrupts it (bring-up, probe and teardown take 1-5 s).
RUN_TIMEOUT = 120.0
#: Labs one learner may keep up at once on the shared daemon ("keep": true).
MAX_KEPT = 2


def config_from_json(data: Any):
    """A ``Config`` from what a learner sent: only the kit's knobs, in the kit's shapes, validated."""
    if not isinstance(data, dict):
        raise ConfigError("A live run needs a configuration (a JSON object of the kit's knobs).",
                          "send Config.to_dict(), e.g. from owui_lab.load_scenario(ID).")
    return Config.from_knobs(data)


class WorkerHandle:
    """What the queue holds for a running worker: ``interrupt()`` asks the lab to tear down and stop."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.interrupted = False

    def interrupt(self) -> None:
        self.interrupted = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)


def owner_environment(owner: str, state_root: Path) -> dict[str, str]:
    """The environment of a run for ``owner``: their name as owner, their own state directory."""
    import hashlib

    env = dict(os.environ)
    env["OWUI_LAB_OWNER"] = owner
    # Labs that stay up are recorded per learner: one learner's records never list another's labs.
    folder = state_root / hashlib.sha256(owner.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(state_root, 0o700)  # one learner's records (session ids, lab tokens) are no one else's
    os.chmod(folder, 0o700)
    env["OWUI_LAB_STATE_DIR"] = str(folder)
    env.pop("JUPYTERHUB_API_TOKEN", None)  # the service's own token stays with the service
    return env


def run_in_subprocess(state_root: Path, timeout: float = RUN_TIMEOUT) -> Callable[[Any, Callable[[Any], None]], dict]:
    """A runner for ``RunQueue``: each run in ``python -m owui_lab.service.worker`` as its owner."""

    def runner(run: Any, started: Callable[[Any], None]) -> dict:
        proc = subprocess.Popen(
            [sys.executable, "-m", "owui_lab.service.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=owner_environment(run.owner, state_root), start_new_session=True,
        )
        handle = WorkerHandle(proc)
        started(handle)
        timer = threading.Timer(timeout, handle.interrupt)
        timer.start()
        try:
            out, err = proc.communicate(json.dumps({"config": run.config, "keep": run.keep}))
        finally:
            timer.cancel()
        try:
            answer = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        except ValueError:
            answer = {}
        if "error" in answer:
            raise LabError(answer["error"], answer.get("hint", ""))
        if proc.returncode != 0 or "predicted" not in answer:
            tail = (err or "").strip().splitlines()[-1:] or ["no output"]
            raise LabError(f"The live run ended without a result (exit {proc.returncode}: {tail[0]}).",
                           "run it again; if it fails twice, tell the instructor (the service's log has more).")
        return answer

    return runner


def keep_up(config: Any) -> dict:
    """Bring ``config`` up, probe it, and leave it running, as ``owui-lab lab up`` does (recorded)."""
    if len(load_states()) >= MAX_KEPT:
        raise LabError(f"You already have {MAX_KEPT} labs up on the classroom's server.",
                       "remove yours first (clean), then bring this one up.")
    description, observed = lab_up(config, progress=False, keep_ports=False)
    return {"session": description["session"], "kept": True, "predicted": predict(config).to_dict(),
            "observed": observed.to_dict(), "agree": description["agree"], "notes": description.get("notes", []),
            "seconds": None}


def _main() -> int:
    request = json.loads(sys.stdin.read() or "{}")
    try:
        config = config_from_json(request.get("config"))

        try:
            if request.get("keep"):
                result = keep_up(config)
            else:
                result = run(config, progress=False, keep_ports=False).to_dict()
            result["ran"] = True
        except PlatformMismatch as exc:
            result = {"ran": False, "reason": exc.message, "predicted": predict(config).to_dict(),
                      "observed": None, "agree": None}
    except OwuiLabError as exc:
        print(json.dumps({"error": exc.message, "hint": exc.hint}))
        return 2
    except KeyboardInterrupt:
        print(json.dumps({"error": "Stopped; everything it had started was removed."}))
        return 130
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
