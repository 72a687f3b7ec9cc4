"""The lab service's parts that need no hub and no daemon: the room's queue, the answers, the page."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from owui_lab import load_scenario
from owui_lab.errors import ConfigError
from owui_lab.prediction import predict
from owui_lab.service.answers import AnswerBook, UnknownQuestion, question_id
from owui_lab.service.projector import page
from owui_lab.service.runs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, QueueFull, RunNotFound, RunQueue, ordinal
from owui_lab.service.worker import config_from_json


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


def question(config_id: str = "linux-ollama-on-host", ask: str = "outcome") -> dict:
    return {"text": "<b>Does</b> Open WebUI reach Ollama?", "ask": ask,
            "config": load_scenario(config_id).to_dict(), "choices": None}


def test_first_answers_are_counted_once_per_learner_and_anonymously() -> None:
    book = AnswerBook()
    q = book.submit("ann", question(), "connection_refused")
    book.submit("ann", question(), "ok")  # a second answer is not a prediction
    book.submit("bob", question(), "ok")
    data = q.to_dict(key=True)
    counts = {o["value"]: o["count"] for o in data["options"]}
    assert counts["connection_refused"] == 1 and counts["ok"] == 1 and data["total"] == 2
    assert data["text"] == "Does Open WebUI reach Ollama?"
    text = json.dumps(data) + json.dumps(list(q.answers))
    assert "ann" not in text and "bob" not in text
    assert all("right" not in o for o in data["options"])  # no key before the reveal
    with pytest.raises(ConfigError, match="not one of this question's answers"):
        book.submit("cid", question(), "maybe")


def test_the_reveal_uses_the_engines_answer_not_the_learners() -> None:
    book = AnswerBook()
    q = book.submit("ann", question("linux-compose", ask="reachable"), False)
    revealed = book.reveal(q.id).to_dict(key=True)
    right = [o["value"] for o in revealed["options"] if o["right"]]
    assert right == [predict("linux-compose").reachable]
    late = book.submit("bob", question("linux-compose", ask="reachable"), True)
    assert late.to_dict(key=True)["total"] == 1  # after the reveal, answers are no longer predictions
    with pytest.raises(UnknownQuestion):
        book.reveal("0" * 16)


def test_the_same_question_has_the_same_id_everywhere() -> None:
    a = question_id("Does it <i>work</i>?", "outcome", {"x": 1}, None)
    assert a == question_id("Does it work?", "outcome", {"x": 1}, None)
    assert a != question_id("Does it work?", "reachable", {"x": 1}, None)


def test_the_projector_page_is_self_contained_and_escapes_its_values() -> None:
    html = page("/services/owui-lab/", 'x"</script>')
    assert "</script>\"" not in html and '"x\\"<\\/script>"' in html
    assert not re.search(r"(src|href)=\"?https?://", html)  # classrooms are often offline
    assert "textContent = q.text" in html  # learners' question text is never injected as HTML
