"""What a learner's notebook calls on the classroom hub: live runs and answers, via the lab service.

On the hub a learner's server has no Docker socket. ``OWUI_LAB_SERVICE_URL`` (set by the hub) says
where the lab service is, and the server's own token (``JUPYTERHUB_API_TOKEN``) says who the learner
is; the service runs the lab as them. Standard library only: the notebooks import it cheaply.

    from owui_lab.classroom import ServiceClient
    result = ServiceClient.from_env().run(config, progress=print)   # place in line, then the result
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from .errors import OwuiLabError

SERVICE_URL_ENV = "OWUI_LAB_SERVICE_URL"
SHARE_ENV = "OWUI_LAB_SHARE_ANSWERS"  # "0": never send this learner's answers to the room


class ServiceUnavailable(OwuiLabError):
    """The classroom's lab service does not answer, or refused the request."""

    exit_code = 3


class ServiceDown(ServiceUnavailable):
    """The lab service does not answer at all (stopped, or restarting: JupyterHub restarts it)."""


#: Seconds a waiting learner keeps asking a silent service before saying so (a restart takes a few).
RESTART_GRACE = 60.0


def in_classroom() -> bool:
    """Whether this kernel runs on the classroom hub (its learner image sets OWUI_LAB_CLASSROOM=1)."""
    return os.environ.get("OWUI_LAB_CLASSROOM") == "1"


_share = os.environ.get(SHARE_ENV, "1") != "0"


def share_answers(on: bool = True) -> None:
    """Opt in (the default on the hub) or out of sending first answers, anonymously, to the room."""
    global _share
    _share = bool(on)


def sharing() -> bool:
    return _share and in_classroom() and bool(os.environ.get(SERVICE_URL_ENV))


class ServiceClient:
    """Talks to the lab service as the learner whose token it holds.

    Args:
        url: the service's URL, ending in ``/services/owui-lab/``.
        token: a hub token of the learner (their server's ``JUPYTERHUB_API_TOKEN``).
        timeout: seconds per request.
    """

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_env(cls, timeout: float = 10.0) -> "ServiceClient":
        url, token = os.environ.get(SERVICE_URL_ENV, ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not url or not token:
            raise ServiceUnavailable(
                "This notebook does not run on the classroom hub (no lab service is configured).",
                "on the hub, OWUI_LAB_SERVICE_URL and JUPYTERHUB_API_TOKEN are set for you; elsewhere, "
                "live runs use the local Docker daemon.",
            )
        return cls(url, token, timeout)

    # ---- plumbing ----
    def request(self, method: str, path: str, body: Any = None, timeout: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read() or b"{}")
            except ValueError:
                answer = {}
            message = answer.get("error") or f"The lab service refused the request (HTTP {exc.code})."
            hint = answer.get("hint") or (
                "log in to the hub again (your server's token is not accepted)." if exc.code == 403
                else "try again in a minute; tell the instructor if it keeps failing.")
            raise ServiceUnavailable(message, hint) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceDown(
                f"The classroom's lab service at {self.url} does not answer ({reason}).",
                "the prediction stands; tell the instructor (the hub's lab service may have stopped).",
            ) from None

    # ---- what learners do ----
    def status(self) -> dict:
        """Who the service thinks you are, the daemon's platform, and the room's queue."""
        return self.request("GET", "api/status")

    def submit(self, config: Any, keep: bool = False) -> dict:
        """Queue a live run of ``config`` (a Config, or its dict); returns the run (place in line).

        ``keep``: leave the lab up afterwards to look around (``labs()`` lists it, ``clean()`` removes it).
        """
        knobs = config.to_dict() if hasattr(config, "to_dict") else config
        return self.request("POST", "api/runs", {"config": knobs, "keep": bool(keep)})

    def get(self, run_id: str) -> dict:
        return self.request("GET", f"api/runs/{run_id}")

    def cancel(self, run_id: str) -> dict:
        """Stop one of your runs: out of the line, or interrupted (it then removes what it started)."""
        return self.request("DELETE", f"api/runs/{run_id}")

    def runs(self) -> list:
        return self.request("GET", "api/runs")

    def labs(self) -> Any:
        """Your labs that are up on the server's daemon (nobody else's)."""
        return self.request("GET", "api/labs", timeout=130)

    def clean(self) -> Any:
        """Remove your labs from the server's daemon (nobody else's)."""
        return self.request("DELETE", "api/labs", timeout=130)

    def run(self, config: Any, progress: Callable[[str], None] | None = None, poll: float = 0.25,
            timeout: float = 900.0, keep: bool = False) -> dict:
        """Queue ``config``, wait for it (telling ``progress`` each new line), return the finished run.

        Raises:
            ServiceUnavailable: the service does not answer, refused, or the run failed (its reason).
        """
        run = self.submit(config, keep=keep)
        deadline = time.monotonic() + timeout
        said = ""
        while True:
            if run["progress"] != said and progress is not None:
                said = run["progress"]
                progress(said)
            if run["state"] in ("done", "failed", "cancelled"):
                break
            if time.monotonic() > deadline:
                self.cancel(run["id"])
                raise ServiceUnavailable("The live run did not finish in time; it was stopped.",
                                         "the room's queue is long: the prediction stands, try again later.")
            time.sleep(poll)
            run = self._get_through_restart(run, progress)
        if run["state"] != "done":
            raise ServiceUnavailable(run["error"] or "The live run was stopped.", "run it again when you are ready.")
        return run

    def _get_through_restart(self, run: dict, progress: Callable[[str], None] | None) -> dict:
        """The run's news; while the service restarts (it keeps the line on disk), keep asking a while."""
        silent_since = None
        while True:
            try:
                return self.get(run["id"])
            except ServiceDown:
                if silent_since is None:
                    silent_since = time.monotonic()
                    if progress is not None:
                        progress("The lab service is restarting; your run keeps its place in line.")
                if time.monotonic() - silent_since > RESTART_GRACE:
                    raise
                time.sleep(1.0)

    def answer(self, lesson: str, question: str, answer: Any) -> dict:
        """Send a first answer to a lesson's question to the room, anonymously (``share_answers`` opts out).

        ``answer``: one option's value, or for "tick every URL that works" the list of ticked URLs.
        """
        return self.request("POST", "api/answers", {"lesson": lesson, "question": question, "answer": answer},
                            timeout=3)


def live_via_service(config: Any, progress: Callable[[str], None] | None = None) -> dict:
    """A live run through the classroom's lab service: ran, observed (the lab's dict), agree, seconds, notes, reason.

    Never raises: a silent or refusing service, a full queue or a failed run is a reason the learner
    reads, beside the prediction.
    """
    try:
        run = ServiceClient.from_env().run(config, progress=progress)
    except OwuiLabError as exc:
        return {"ran": False, "reason": str(exc)}
    result = run["result"] or {}
    if not result.get("ran"):
        return {"ran": False, "reason": result.get("reason", "The lab service did not run it.")}
    notes = list(result.get("notes", ()))
    if run.get("waited") and run["waited"] >= 1:
        notes.append(f"It waited {run['waited']:.0f} s in the classroom's queue before it ran.")
    return {"ran": True, "observed": result["observed"], "agree": bool(result.get("agree")),
            "seconds": float(result.get("seconds") or 0.0), "notes": tuple(notes), "reason": ""}


def share_first_answer_soon(check: Any, value: Any) -> threading.Thread | None:
    """``share_first_answer`` in the background: the learner's feedback never waits for the room."""
    if not sharing():
        return None
    thread = threading.Thread(target=share_first_answer, args=(check, value), name="owui-lab-share-answer")
    thread.start()  # not a daemon: a notebook that ends right after answering still sends it
    return thread


def share_first_answer(check: Any, value: Any) -> bool:
    """Send a lesson question's first answer to the room when on the hub and not opted out.

    Only the lessons' own questions go to the room, named by lesson and question id
    (``check.lesson_question``, set when a lesson opens the exercise); the service takes the question's
    words and answer key from the kit. Never raises and never blocks the learner for long: the room's
    bar chart is a bonus, the learner's own feedback comes first. Returns whether it was sent.
    """
    origin = getattr(check, "lesson_question", None)
    if not sharing() or not origin:
        return False
    lesson, question = origin
    try:
        ServiceClient.from_env(timeout=3).answer(lesson, question, value)
        return True
    except OwuiLabError:
        return False
