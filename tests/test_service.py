"""The lab service's parts that need no hub and no daemon: the room's queue, the answers, the page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

import owui_lab.service
from owui_lab import load_scenario
from owui_lab.errors import ConfigError, OwuiLabError
from owui_lab.lessons import lesson_question
from owui_lab.prediction import predict
from owui_lab.service.answers import AnswerBook, UnknownQuestion
from owui_lab.service.app import json_depth
from owui_lab.service.projector import page
from owui_lab.service.runs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, QueueFull, RunNotFound, RunQueue, ordinal
from owui_lab.service.labs import Labs
from owui_lab.service.store import Store
from owui_lab.service.worker import config_from_json, owner_environment


class Gate:
    """A runner whose runs finish when the test says so (records how many ran at once)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.order: list[str] = []

    def __call__(self, run, started) -> dict:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.order.append(run.owner)
        try:
            if run.config.get("fail"):
                raise RuntimeError("boom")
            self.release.wait(10)
            return {"owner": run.owner}
        finally:
            with self.lock:
                self.now -= 1


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_queue_runs_at_most_concurrency_at_once_first_come_first_served() -> None:
    gate = Gate()
    queue = RunQueue(gate, concurrency=2)
    try:
        runs = [queue.submit(f"learner{i}", {}) for i in range(6)]
        wait_for(lambda: sum(r.state == RUNNING for r in runs) == 2)
        time.sleep(0.1)
        assert [r.state for r in runs] == [RUNNING, RUNNING, QUEUED, QUEUED, QUEUED, QUEUED]
        assert [queue.position(r) for r in runs] == [0, 0, 1, 2, 3, 4]
        assert queue.progress(runs[3]).startswith("Waiting: 2nd in line (2 running, 4 waiting)")
        assert queue.progress(runs[0]).startswith("Running: ")
        gate.release.set()
        wait_for(lambda: all(r.state == DONE for r in runs))
        assert gate.most == 2
        assert gate.order == [f"learner{i}" for i in range(6)]
        assert runs[5].result == {"owner": "learner5"}
        assert queue.progress(runs[5]).startswith("Done in ")
        # Once runs have finished, the waiting line says how long it will take.
        gate.release.clear()
        more = [queue.submit(f"other{i}", {}) for i in range(3)]
        wait_for(lambda: more[2].state == QUEUED and more[1].state == RUNNING)
        assert re.search(r"about \d+ s to go", queue.progress(more[2]))
        gate.release.set()
    finally:
        gate.release.set()
        queue.close()


def test_a_learner_sees_and_stops_only_their_own_runs() -> None:
    gate = Gate()
    queue = RunQueue(gate, concurrency=1)
    try:
        first = queue.submit("ann", {})
        wait_for(lambda: first.state == RUNNING)
        bobs = queue.submit("bob", {})
        with pytest.raises(RunNotFound):
            queue.get(bobs.id, "ann")
        with pytest.raises(RunNotFound):
            queue.cancel(bobs.id, "ann")
        assert bobs.state == QUEUED
        assert [r.id for r in queue.runs_of("ann")] == [first.id]
        assert queue.cancel(bobs.id, "bob").state == CANCELLED
        assert queue.position(bobs) == 0
    finally:
        gate.release.set()
        queue.close()


def test_one_learner_cannot_fill_the_room_queue_and_the_room_has_a_limit() -> None:
    gate = Gate()
    queue = RunQueue(gate, concurrency=1, per_learner=2, max_queue=3)
    try:
        first = queue.submit("ann", {})
        wait_for(lambda: first.state == RUNNING)
        queue.submit("ann", {})
        with pytest.raises(QueueFull, match="You already have 2 live runs"):
            queue.submit("ann", {})
        queue.submit("bob", {})
        queue.submit("cid", {})
        wait_for(lambda: queue.stats()["waiting"] == 3)
        with pytest.raises(QueueFull, match="queue is full"):
            queue.submit("dan", {})
    finally:
        gate.release.set()
        queue.close()


def test_a_failing_run_says_why_and_the_queue_goes_on() -> None:
    gate = Gate()
    gate.release.set()
    queue = RunQueue(gate, concurrency=1)
    try:
        bad = queue.submit("ann", {"fail": True})
        good = queue.submit("bob", {})
        wait_for(lambda: good.state == DONE)
        assert bad.state == FAILED
        assert "RuntimeError: boom" in bad.error
        assert queue.progress(bad).startswith("Failed: ")
    finally:
        queue.close()


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]


def test_only_the_kits_knobs_in_the_kits_shapes_can_be_run() -> None:
    assert config_from_json(load_scenario("linux-compose").to_dict()) == load_scenario("linux-compose")
    with pytest.raises(ConfigError, match="Unknown knob"):
        config_from_json({"image": "alpine", "command": "rm -rf /"})
    with pytest.raises(ConfigError):
        config_from_json({"webui_network": "none"})
    with pytest.raises(ConfigError):
        config_from_json(["platform", "linux"])


def test_the_projector_page_is_self_contained_and_escapes_its_values() -> None:
    html = page("/services/owui-lab/", 'x"</script>')
    assert "</script>\"" not in html and '"x\\"<\\/script>"' in html
    assert not re.search(r"(src|href)=\"?https?://", html)  # classrooms are often offline
    assert "textContent = q.text" in html  # learners' question text is never injected as HTML


# ---- the room's answers: the lessons' own questions, the instructor's projector (issue 24) ----

URLS = "01_ollama_on_host", "which-urls"  # "tick every URL that works"


def book(tmp_path=None) -> AnswerBook:
    return AnswerBook(Store(tmp_path / "service.sqlite" if tmp_path else ":memory:"))


def test_first_answers_are_counted_once_per_learner_and_anonymously() -> None:
    room = book()
    room.submit("ann", "01_ollama_on_host", "linux", "connection_refused")
    room.submit("ann", "01_ollama_on_host", "linux", "ok")  # a second answer is not a prediction
    data = room.submit("bob", "01_ollama_on_host", "linux", "ok")
    counts = {o["value"]: o["count"] for o in data["options"]}
    assert counts["connection_refused"] == 1 and counts["ok"] == 1 and data["total"] == 2
    assert "ann" not in json.dumps(room.store.execute("SELECT * FROM answers"))
    assert all("right" not in o for o in data["options"])  # no key before the reveal


def test_learners_answer_only_the_lessons_own_questions_whose_words_come_from_the_kit() -> None:
    room = book()
    made_up = {"text": "Vote for me", "ask": "outcome", "config": load_scenario("linux-compose").to_dict()}
    with pytest.raises(ConfigError):
        room.submit("ann", made_up, "x", "ok")
    with pytest.raises(UnknownQuestion):
        room.submit("ann", "01_ollama_on_host", "no-such-question", "ok")
    with pytest.raises(UnknownQuestion):
        room.submit("ann", "99_mine", "first", "ok")
    with pytest.raises(ConfigError, match="not one of this question's answers"):
        room.submit("ann", "01_ollama_on_host", "linux", "maybe")
    asked = lesson_question("01_ollama_on_host", "linux")
    data = room.submit("ann", "01_ollama_on_host", "linux", "ok")
    assert data["config"] == asked.config.to_dict()
    assert data["text"] and "<" not in data["text"]
    assert [o["value"] for o in data["options"]] == list(asked.key.values)


def test_every_size_a_learner_sends_is_bounded() -> None:
    room = book()
    for lesson, question, answer in [("0" * 100_000, "linux", "ok"), ("01_ollama_on_host", "l" * 10_000, "ok"),
                                     ("01_ollama_on_host", "linux", "x" * 400_000),
                                     (*URLS, ["http://127.0.0.1:11434"] * 1000)]:
        with pytest.raises(OwuiLabError):
            room.submit("ann", lesson, question, answer)
    assert room.store.execute("SELECT COUNT(*) FROM answers")[0][0] == 0
    # The projector's whole answer is the kit's questions: its size does not grow with what learners send.
    assert len(json.dumps(room.questions())) < 64 * 1024


def test_the_projector_shows_the_question_the_instructor_picked_and_only_that() -> None:
    room = book()
    assert room.current() is None
    room.submit("ann", "00_welcome", "first", "ok")  # a learner's answer does not steer the projector
    assert room.current() is None
    room.choose("01_ollama_on_host.linux")
    room.submit("bob", "02_compose", "with-url", "ok")
    assert room.current() == "01_ollama_on_host.linux"
    with pytest.raises(UnknownQuestion):
        room.choose("made.up")


def test_tick_every_url_that_works_questions_show_a_bar_per_option() -> None:
    room = book()
    asked = lesson_question(*URLS)
    urls = list(asked.key.values)
    room.submit("ann", *URLS, [urls[0], urls[3]])
    room.submit("bob", *URLS, [urls[3]])
    data = room.submit("cid", *URLS, [])
    assert data["several"] and data["total"] == 3
    assert [o["count"] for o in data["options"]] == [1, 0, 0, 2]
    with pytest.raises(ConfigError):
        room.submit("dan", *URLS, urls[0])  # one URL alone is not this question's answer
    revealed = room.reveal(asked.id)
    assert [o["value"] for o in revealed["options"] if o["right"]] == asked.key.in_order(asked.key.accepted)


def test_the_reveal_uses_the_engines_answer_not_the_learners() -> None:
    room = book()
    room.submit("ann", "02_compose", "image-default-linux", "ok")
    revealed = room.reveal("02_compose.image-default-linux")
    right = [o["value"] for o in revealed["options"] if o["right"]]
    assert right == [predict(lesson_question("02_compose", "image-default-linux").config).outcome]
    late = room.submit("bob", "02_compose", "image-default-linux", "ok")
    assert late["total"] == 1  # after the reveal, answers are no longer predictions


def test_the_service_and_the_notebook_share_one_answer_key_and_the_service_imports_no_widget() -> None:
    from owui_lab.widgets.lesson import lesson

    for lesson_id, exercise in [("01_ollama_on_host", "linux"), URLS, ("04_host_networking", "browser")]:
        widget = lesson(lesson_id).exercise(exercise)
        asked = lesson_question(lesson_id, exercise)
        assert widget.lesson_question == (lesson_id, exercise)
        assert [v for _, v in widget.options] == list(asked.key.values) and widget.accepted == set(asked.key.accepted)
    sources = " ".join(p.read_text() for p in (Path(owui_lab.service.__file__).parent).glob("*.py"))
    assert "predict_check" not in sources and "PredictCheck" not in sources


# ---- state survives a restart ----

def test_runs_and_answers_survive_a_restart_of_the_service(tmp_path) -> None:
    never = threading.Event()  # the first service dies mid-run: its run never finishes
    store = Store(tmp_path / "service.sqlite")
    queue = RunQueue(lambda run, started: never.wait() and {}, concurrency=1, store=store)
    first = queue.submit("ann", {})
    wait_for(lambda: first.state == RUNNING)
    second = queue.submit("bob", {})
    AnswerBook(store).submit("ann", "01_ollama_on_host", "linux", "ok")
    AnswerBook(store).choose("01_ollama_on_host.linux")
    queue._closed = True  # the service dies: nothing is told, nothing is tidied

    gate2 = Gate()
    gate2.release.set()
    store2 = Store(tmp_path / "service.sqlite")
    again = RunQueue(gate2, concurrency=1, store=store2)
    try:
        cut = again.get(first.id, "ann")
        assert cut.state == FAILED and "restarted while this run was running" in cut.error
        waited = again.get(second.id, "bob")
        wait_for(lambda: waited.state == DONE)
        assert waited.result == {"owner": "bob"}
        room = AnswerBook(store2)
        assert room.current() == "01_ollama_on_host.linux"
        data = room.submit("ann", "01_ollama_on_host", "linux", "connection_refused")  # still ann's first
        assert data["total"] == 1 and {o["value"]: o["count"] for o in data["options"]}["ok"] == 1
        assert oct(os.stat(tmp_path).st_mode & 0o777) == "0o700"
    finally:
        again.close()


# ---- limits that hold ----

def test_the_keep_limit_holds_when_three_keeps_arrive_at_once() -> None:
    gate = Gate()
    queue = RunQueue(gate, concurrency=4, max_kept=2)
    accepted, refused = [], []
    barrier = threading.Barrier(3)

    def keep() -> None:
        barrier.wait()
        try:
            accepted.append(queue.submit("ann", {}, keep=True))
        except QueueFull:
            refused.append(1)

    try:
        threads = [threading.Thread(target=keep) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(accepted) == 2 and len(refused) == 1
    finally:
        gate.release.set()
        queue.close()


def test_learner_state_folders_are_private(tmp_path) -> None:
    env = owner_environment("ann", tmp_path / "service")
    assert oct(os.stat(env["OWUI_LAB_STATE_DIR"]).st_mode & 0o777) == "0o700"
    assert oct(os.stat(tmp_path / "service").st_mode & 0o777) == "0o700"


class FakeContainer:
    def __init__(self, name: str, session: str) -> None:
        self.name, self.status, self.labels = name, "running", {"io.owui-lab.session": session}


def test_my_labs_is_answered_in_process_and_rate_limited(tmp_path, monkeypatch) -> None:
    from owui_lab import docker_api

    calls = []

    class Cli:
        def close(self) -> None:
            pass

    monkeypatch.setattr(docker_api, "client", lambda timeout=None: Cli())
    monkeypatch.setattr(docker_api, "labelled_containers",
                        lambda cli, owner=None: calls.append(owner) or [FakeContainer("owui-lab-s1-webui", "s1")])
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("a subprocess per 'my labs'"))
    labs = Labs(Store(), tmp_path)
    answers = [labs.of_owner("ann") for _ in range(40)]
    assert answers[0] == [{"session": "s1", "owner": "ann", "containers": {"owui-lab-s1-webui": "running"},
                           "kept": False, "expires": None}]
    assert calls == ["ann"]  # 40 asks in a row: one look at the daemon
    labs.of_owner("bob")
    assert calls == ["ann", "bob"]


def test_kept_labs_expire_when_idle_and_all_go_when_the_hub_stops(tmp_path, monkeypatch) -> None:
    store = Store()
    labs = Labs(store, tmp_path, idle=600)
    downed = []
    monkeypatch.setattr(labs, "_lab", lambda owner, *args: downed.append((owner, *args)) or {})
    now = time.time()
    store.execute("INSERT INTO kept VALUES ('ann', 'old1', ?), ('bob', 'new1', ?)", (now - 3600, now - 10))
    assert labs.expire() == [("ann", "old1")]
    assert downed == [("ann", "down", "old1")]
    assert labs.expire(everything=True) == [("bob", "new1")]
    assert store.execute("SELECT COUNT(*) FROM kept")[0][0] == 0


def test_a_kept_lab_is_recorded_when_it_is_up_and_counts_against_the_limit(tmp_path) -> None:
    store = Store()
    queue = RunQueue(lambda run, started: {"session": "abc123", "kept": True}, concurrency=1, store=store, max_kept=1)
    try:
        run = queue.submit("ann", {}, keep=True)
        wait_for(lambda: run.state == DONE)
        assert store.execute("SELECT owner, session FROM kept") == [("ann", "abc123")]
        with pytest.raises(QueueFull, match="labs up"):
            queue.submit("ann", {}, keep=True)
    finally:
        queue.close()


def test_json_depth_is_counted_without_parsing() -> None:
    assert json_depth('{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert json_depth("[" * 5000 + "]" * 5000) == 5000


@pytest.fixture
def service_url(monkeypatch, tmp_path):
    """The service's web application on a loopback port, every caller the learner "ann"."""
    import asyncio

    from tornado.httpserver import HTTPServer

    from owui_lab.service import app as service_app

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "test")
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setattr(service_app.Base, "get_current_user", lambda self: {"name": "ann", "kind": "user"})
    monkeypatch.setattr(service_app.Base, "check_xsrf_cookie", lambda self: None)
    store = Store()
    service = service_app.Service(RunQueue(Gate(), concurrency=1, store=store), AnswerBook(store), set(), "none",
                                  Labs(store, tmp_path))
    ready, port = threading.Event(), []

    def serve() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        server = HTTPServer(service_app.make_app(service, "/services/owui-lab/"), max_body_size=service_app.MAX_BODY)
        socket = __import__("tornado.netutil", fromlist=["x"]).bind_sockets(0, "127.0.0.1")
        server.add_sockets(socket)
        port.append(socket[0].getsockname()[1])
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(10)
    yield f"http://127.0.0.1:{port[0]}/services/owui-lab/"
    service.queue.close()


def post(url: str, body: bytes) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read()
        except OSError:
            text = b""
        return exc.code, json.loads(text) if text.startswith(b"{") else {}
    except OSError:
        return 0, {}  # the server closed the connection (tornado does on a body over its limit)


def test_bodies_over_a_mebibyte_and_deep_json_are_refused_not_parsed(service_url) -> None:
    padded = {"lesson": "01_ollama_on_host", "question": "linux", "answer": "ok", "pad": "a" * (2 * 1024 * 1024)}
    status, _ = post(service_url + "api/answers", json.dumps(padded).encode())
    assert status in (0, 400, 413)  # refused before it is read, never taken
    status, answer = post(service_url + "api/runs", b'{"config": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert status == 400 and "deeper" in answer["error"]
    status, answer = post(service_url + "api/answers", json.dumps(
        {"lesson": "01_ollama_on_host", "question": "linux", "answer": "ok"}).encode())
    assert status == 201 and answer == {"question": "01_ollama_on_host.linux", "total": 1}
    status, answer = post(service_url + "api/answers", json.dumps(
        {"question": {"text": "Vote for me", "ask": "outcome", "config": {}}, "answer": "ok"}).encode())
    assert status == 400


def test_a_learner_waiting_on_a_run_sees_it_continue_through_a_restart_of_the_service(monkeypatch) -> None:
    from owui_lab import classroom

    client = classroom.ServiceClient("http://127.0.0.1:9/services/owui-lab/", "token")
    answers = iter([classroom.ServiceDown("down", "x"), classroom.ServiceDown("down", "x"),
                    {"id": "r1", "state": "done", "progress": "Done in 3.0 s (waited 9.0 s).", "error": ""}])

    def get(run_id):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(client, "submit", lambda config, keep=False: {"id": "r1", "state": "queued",
                                                                        "progress": "Waiting: 3rd in line."})
    monkeypatch.setattr(client, "get", get)
    monkeypatch.setattr(classroom.time, "sleep", lambda s: None)
    lines = []
    run = client.run({}, progress=lines.append)
    assert run["state"] == "done"
    assert lines == ["Waiting: 3rd in line.", "The lab service is restarting; your run keeps its place in line.",
                     "Done in 3.0 s (waited 9.0 s)."]


def test_the_service_takes_every_kept_lab_down_when_the_hub_stops_it(tmp_path) -> None:
    """JupyterHub stops a service with SIGINT first: the kept labs it recorded go down before it exits."""
    import signal
    import sys

    store = Store(tmp_path / "service.sqlite")
    store.execute("INSERT INTO kept VALUES ('ann', 'feedbeef0001', ?)", (time.time(),))
    store.close()
    env = dict(os.environ, OWUI_LAB_SERVICE_DIR=str(tmp_path), JUPYTERHUB_API_TOKEN="t",
               JUPYTERHUB_SERVICE_URL="http://127.0.0.1:0", JUPYTERHUB_API_URL="http://127.0.0.1:1/hub/api",
               DOCKER_HOST="unix:///nonexistent.sock", OWUI_LAB_SERVICE_CONCURRENCY="1")
    proc = subprocess.Popen([sys.executable, "-m", "owui_lab.service"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        while not lines or "listening on" not in lines[-1]:
            lines.append(proc.stdout.readline())
            assert lines[-1], "".join(lines)
        # port 0 is any free port: not 80 (as root it took port 80; as a learner it failed, no permission)
        port = int(re.search(r"listening on http://127\.0\.0\.1:(\d+)", lines[-1]).group(1))
        assert port not in (0, 80), lines[-1]
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    log = "".join(lines) + out
    assert "taking every kept lab down" in log
    # No daemon here, so the take-down itself fails, and says so (with a daemon, tests/test_hub.py).
    assert "could not take down kept lab feedbeef0001 of ann" in log
