"""The lab service's web application (tornado), authenticated by JupyterHub.

Every request is made as a hub user: a learner's notebook sends its server's token
(``Authorization: token $JUPYTERHUB_API_TOKEN``), the instructor's browser logs in with the hub's
OAuth. The user's hub name is the owner of every lab run for them; nothing here takes a name from
the request body. Routes, under the service's prefix (``/services/owui-lab/``):

* ``GET api/status``: the caller's name, whether they are an instructor, the daemon's platform, the queue.
* ``POST api/runs`` ``{"config": {...}, "keep": false}``: queue a live run (``keep``: leave the lab
  up afterwards, at most two per learner); ``GET api/runs``: the caller's runs;
  ``GET api/runs/ID``: one of them (place in line, progress line, result); ``DELETE api/runs/ID``: stop it.
* ``GET api/labs``: the caller's Docker objects (in-process, rate-limited); ``DELETE api/labs``: remove
  them (only theirs).
* ``POST api/answers`` ``{"lesson": ID, "question": ID, "answer": value}``: a first answer to one of the
  lessons' own questions (a list of values for "tick every URL that works"), kept anonymously.
* Instructors only: ``GET api/questions`` (every lesson question with the room's counts, and the
  current one), ``POST api/current`` ``{"question": ID}`` (what the projector shows),
  ``GET api/questions/ID``, ``POST api/questions/ID/reveal``, and ``projector``: the room's answers as
  bars that fill in live, the reveal, and "Run it for real".

Every request body is at most ``MAX_BODY`` bytes and ``MAX_DEPTH`` levels of JSON deep; runs, answers and
kept labs live in the service's SQLite database (``store``), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated

from ..errors import ConfigError, OwuiLabError
from ..prediction import predict
from ..presentation import CSS, live_html, verdict_html
from .answers import AnswerBook, UnknownQuestion
from .labs import Labs
from .projector import page as projector_page
from .runs import QueueFull, RunNotFound, RunQueue
from .store import Store
from .worker import config_from_json, run_in_subprocess
from .. import docker_api
from ..lab import Observation
from ..widgets.live import LiveReport

#: The largest request body taken (a configuration or an answer is a few hundred bytes).
MAX_BODY = 1024 * 1024
#: The deepest JSON taken (a configuration is two levels deep).
MAX_DEPTH = 8
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deep ``text``'s arrays and objects nest (counted without parsing, so depth costs nothing)."""
    depth = most = 0
    for ch in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        most = max(most, depth)
    return most

log = logging.getLogger("owui_lab.service")


class Service:
    """What the handlers share: the queue, the answers, who teaches, the daemon's platform."""

    def __init__(self, queue: RunQueue, answers: AnswerBook, instructors: set[str], platform: str,
                 labs: Labs | None = None) -> None:
        self.queue = queue
        self.answers = answers
        self.labs = labs
        self.instructors = instructors
        self.platform = platform
        self._changed: asyncio.Event | None = None

    def changed(self) -> asyncio.Event:
        """Set on the next answer or reveal (the projector's long poll waits on it)."""
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()


class Base(HubOAuthenticated, web.RequestHandler):
    browser_page = False  # a page a browser opens (not logged in: to the hub's login, not a 403)

    def initialize(self, service: Service) -> None:
        self.service = service

    @property
    def user(self) -> str:
        model = self.current_user
        if not model or model.get("kind", "user") != "user":
            raise web.HTTPError(403, "Only hub users can use the lab service.")
        return model["name"]

    @property
    def instructor(self) -> bool:
        model = self.current_user or {}
        return model.get("name") in self.service.instructors or bool(model.get("admin"))

    def check_xsrf_cookie(self) -> None:
        # Tornado checks XSRF before anything asked who the caller is; resolving a token first lets
        # JupyterHub skip the check for token-authenticated calls (the notebooks) and keep it for the
        # browser. Only for a token: the cookie path checks XSRF itself (asking here would recurse).
        if self.request.headers.get("Authorization"):
            _ = self.current_user
        return super().check_xsrf_cookie()

    def prepare(self) -> None:
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY or len(self.request.body or b"") > MAX_BODY:
            raise web.HTTPError(413, f"A request body is at most {MAX_BODY // 1024} KiB here.")
        if self.current_user is None:
            if self.browser_page and self.request.method == "GET":
                return  # @web.authenticated sends the browser to the hub's login
            raise web.HTTPError(403, "Log in to the hub first (or send your server's token).")

    def body(self) -> dict:
        try:
            text = (self.request.body or b"{}").decode()
            if json_depth(text) > MAX_DEPTH:
                raise web.HTTPError(400, f"The request body nests deeper than {MAX_DEPTH} levels.")
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise web.HTTPError(400, "The request body is not JSON.")
        if not isinstance(data, dict):
            raise web.HTTPError(400, "The request body must be a JSON object.")
        return data

    def send(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))

    def require_instructor(self) -> None:
        if not self.instructor:
            raise web.HTTPError(403, "Only the instructor sees the room's answers.")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, OwuiLabError):
            message, hint = exc.message, exc.hint
        elif isinstance(exc, web.HTTPError) and exc.log_message:
            message, hint = exc.log_message, ""
        else:
            message, hint = self._reason, ""
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message, "hint": hint}))

    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, OwuiLabError):
            # The kit's own errors are answers with a hint; the daemon being slow (LabError) is a 503.
            status = {QueueFull: 429, RunNotFound: 404, UnknownQuestion: 404, ConfigError: 400}.get(type(e), 503)
            log.warning("%s %s: %s", self.request.method, self.request.path, e)
            self.send_error(status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)

    def run_dict(self, run: Any) -> dict:
        return run.to_dict(self.service.queue.position(run), self.service.queue.progress(run))


class Status(Base):
    def get(self) -> None:
        self.send({"user": self.user, "instructor": self.instructor, "platform": self.service.platform,
                   "queue": self.service.queue.stats()})


class Runs(Base):
    def get(self) -> None:
        self.send([self.run_dict(r) for r in self.service.queue.runs_of(self.user)])

    def post(self) -> None:
        body = self.body()
        config = config_from_json(body.get("config"))  # validated before it waits in line
        run = self.service.queue.submit(self.user, config.to_dict(), keep=body.get("keep") is True)
        log.info("run %s queued for %s", run.id, self.user)
        self.send(self.run_dict(run), 202)


class OneRun(Base):
    def get(self, run_id: str) -> None:
        self.send(self.run_dict(self.service.queue.get(run_id, self.user)))

    def delete(self, run_id: str) -> None:
        self.send(self.run_dict(self.service.queue.cancel(run_id, self.user)))


class MyLabs(Base):
    async def get(self) -> None:
        self.send(await IOLoop.current().run_in_executor(None, self.service.labs.of_owner, self.user))

    async def delete(self) -> None:
        self.send(await IOLoop.current().run_in_executor(None, self.service.labs.clean_owner, self.user))


class Answers(Base):
    def post(self) -> None:
        data = self.body()
        q = self.service.answers.submit(self.user, data.get("lesson"), data.get("question"), data.get("answer"))
        self.service.notify()
        self.send({"question": q["id"], "total": q["total"]}, 201)


class Questions(Base):
    async def get(self) -> None:
        self.require_instructor()
        since = int(self.get_argument("since", "-1"))
        book = self.service.answers
        if since == book.version:  # long poll: answer as soon as something changes, at most 20 s later
            try:
                await asyncio.wait_for(self.service.changed().wait(), 20)
            except asyncio.TimeoutError:
                pass
        self.send({"version": book.version, "current": book.current(), "questions": book.questions()})


class Current(Base):
    def post(self) -> None:
        self.require_instructor()
        q = self.service.answers.choose(self.body().get("question"))
        self.service.notify()
        self.send(q)


class OneQuestion(Base):
    def get(self, qid: str) -> None:
        self.require_instructor()
        self.send(self.service.answers.view(qid, key=True))


class Reveal(Base):
    def post(self, qid: str) -> None:
        self.require_instructor()
        q = self.service.answers.reveal(qid)
        self.service.notify()
        verdict = predict(config_from_json(q["config"]))
        self.send({"question": q, "verdict_html": CSS + verdict_html(verdict, notes=True)})


class Projector(Base):
    browser_page = True
    @web.authenticated
    def get(self) -> None:
        self.require_instructor()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(projector_page(prefix=self.settings["service_prefix"], xsrf=self.xsrf_token.decode()))


class RunHtml(Base):
    """A finished run as the kit's one renderer draws it (the projector shows it as is)."""

    def get(self, run_id: str) -> None:
        run = self.service.queue.get(run_id, self.user)
        out = self.run_dict(run)
        if run.state == "done" and run.result:
            r = run.result
            predicted = predict(config_from_json(run.config))
            if r.get("ran"):
                report = LiveReport(predicted, Observation.from_dict(r["observed"]), bool(r.get("agree")),
                                    float(r.get("seconds") or 0.0), "", tuple(r.get("notes", ())))
            else:
                report = LiveReport(predicted, reason=r.get("reason", ""))
            out["html"] = CSS + live_html(report, home=False)
        self.send(out)


class Home(Base):
    browser_page = True
    @web.authenticated
    def get(self) -> None:
        if self.instructor:
            self.redirect(self.request.path.rstrip("/") + "/projector")
            return
        self.send({"service": "owui-lab", "user": self.user,
                   "use": "your notebooks' 'Run it live' buttons use this service; nothing to do here."})


def make_app(service: Service, prefix: str) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    kw = {"service": service}
    return web.Application(
        [
            (prefix, Home, kw),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
            (prefix + "api/status", Status, kw),
            (prefix + "api/runs", Runs, kw),
            (prefix + r"api/runs/([0-9a-f]{16})", OneRun, kw),
            (prefix + r"api/runs/([0-9a-f]{16})/html", RunHtml, kw),
            (prefix + "api/labs", MyLabs, kw),
            (prefix + "api/answers", Answers, kw),
            (prefix + "api/questions", Questions, kw),
            (prefix + "api/current", Current, kw),
            (prefix + r"api/questions/([0-9a-z_-]{1,80}\.[0-9a-z_-]{1,80})", OneQuestion, kw),
            (prefix + r"api/questions/([0-9a-z_-]{1,80}\.[0-9a-z_-]{1,80})/reveal", Reveal, kw),
            (prefix + "projector", Projector, kw),
        ],
        service_prefix=prefix,
        cookie_secret=os.urandom(32),
        login_url=HubOAuth.instance().login_url,
        xsrf_cookies=True,
    )


def daemon_platform() -> str:
    """The platform of the daemon the labs run on ("linux" or "desktop"), or "none"."""
    try:
        cli = docker_api.client(timeout=10)
        try:
            return docker_api.daemon_info(cli).platform
        finally:
            cli.close()
    except OwuiLabError as exc:
        log.error("no Docker daemon for live labs: %s", exc)
        return "none"


def service_dir() -> Path:
    """The service's own folder (its database and the learners' state folders)."""
    return Path(os.environ.get("OWUI_LAB_SERVICE_DIR") or Path.home() / ".cache/owui-lab/service")


def take_down_kept() -> None:
    """``python -m owui_lab.service --take-down-kept``: every kept lab the service recorded goes down.

    The hub runs it as it exits, after its services have stopped (in case the service was killed
    before it could do it itself).
    """
    store = Store(service_dir() / "service.sqlite")
    Labs(store, service_dir()).expire(everything=True)


def main() -> None:
    import sys

    if sys.argv[1:] == ["--take-down-kept"]:
        take_down_kept()
        return
    logging.basicConfig(level=logging.INFO, format="[owui-lab service %(asctime)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8765"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/owui-lab/")
    state_root = service_dir()
    store = Store(state_root / "service.sqlite")
    concurrency = int(os.environ.get("OWUI_LAB_SERVICE_CONCURRENCY", "4"))
    queue = RunQueue(run_in_subprocess(state_root), concurrency=concurrency, store=store,
                     max_queue=int(os.environ.get("OWUI_LAB_SERVICE_MAX_QUEUE", "300")))
    instructors = {n.strip() for n in os.environ.get("OWUI_LAB_INSTRUCTORS", "").split(",") if n.strip()}
    idle = 60 * float(os.environ.get("OWUI_LAB_KEPT_IDLE_MINUTES", "30"))
    labs = Labs(store, state_root, idle=idle)
    service = Service(queue, AnswerBook(store), instructors, daemon_platform(), labs)
    stopping = threading.Event()

    def reap() -> None:  # kept labs left alone longer than the instructor's idle time go down
        while not stopping.wait(min(60.0, idle / 4)):
            labs.expire()

    threading.Thread(target=reap, name="owui-lab-kept-reaper", daemon=True).start()

    async def forever() -> None:
        done = asyncio.Event()
        # JupyterHub stops its services with SIGINT (then SIGTERM) when the hub stops: kept labs go with
        # it. A crash keeps them, and the service JupyterHub starts next finds them in its database.
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, done.set)
        server = HTTPServer(make_app(service, prefix), xheaders=True, max_body_size=MAX_BODY,
                            max_buffer_size=MAX_BODY + 64 * 1024)
        # port 0 is "any free port" (the tests ask for it), not the default 80 that a missing port means
        sockets = bind_sockets(80 if url.port is None else url.port, url.hostname)
        server.add_sockets(sockets)
        host = f"[{url.hostname}]" if ":" in (url.hostname or "") else url.hostname
        bound = url._replace(netloc=f"{host}:{sockets[0].getsockname()[1]}")
        log.info("listening on %s (prefix %s), %d live runs at a time, kept labs idle for %.0f min, daemon: %s",
                 bound.geturl(), prefix, concurrency, idle / 60, service.platform)
        try:
            await done.wait()
            log.info("the hub stops: taking every kept lab down")
            stopping.set()
            queue.close()
            await asyncio.get_running_loop().run_in_executor(None, lambda: labs.expire(everything=True))
        finally:
            server.stop()

    try:
        asyncio.run(forever())
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        queue.close()
