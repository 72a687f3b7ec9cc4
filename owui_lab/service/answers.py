"""Peer instruction: the room's first answers to the lessons' own questions, anonymous, on disk.

A learner's notebook sends the lesson's id, the question's id and its *first* answer (the prediction,
before any hint or reveal); nothing else. The question itself (its text, configuration, choices and
answer key) comes from the kit (``owui_lab.lessons.lesson_question``), so a learner can neither make up
a question nor put words on the projector, and the engine alone decides what is right. One answer per
learner per question, kept under a keyed pseudonym in the service's database (``store``): the
projector shows how many picked each option and never who, and a restart loses nothing. The question
the projector shows changes only when the instructor picks one.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import time
from functools import lru_cache
from typing import Any

from ..errors import ConfigError, OwuiLabError
from ..lessons import LessonQuestion, lesson_question, lesson_questions
from ..presentation import option_label
from .store import Store

#: Longest lesson or question id accepted (the kit's are short names).
MAX_ID = 80


class UnknownQuestion(OwuiLabError):
    """No lesson question has that id."""


def plain(text: str) -> str:
    """A question's text as plain text (the lessons allow HTML; the projector shows text only)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


@lru_cache(maxsize=None)
def kit_question(qid: str) -> LessonQuestion:
    """The lesson question ``LESSON.EXERCISE`` as the kit asks it."""
    if not isinstance(qid, str) or len(qid) > 2 * MAX_ID + 1 or qid.count(".") != 1:
        raise UnknownQuestion(f"There is no lesson question {str(qid)[:MAX_ID]!r}.",
                              "questions are named LESSON.EXERCISE, e.g. 01_ollama_on_host.which-step.")
    lesson, exercise = qid.split(".")
    try:
        return lesson_question(lesson, exercise)
    except OwuiLabError as exc:
        raise UnknownQuestion(exc.message, exc.hint) from None


@lru_cache(maxsize=1)
def question_ids() -> tuple[str, ...]:
    """The ids of every lesson question, in the lessons' order (the kit's: a fixed, small set)."""
    return tuple(q.id for q in lesson_questions())


class AnswerBook:
    """The room's answers and the projector's current question, in ``store`` (nothing names a learner)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        secret = store.get("pseudonym_secret")
        if secret is None:  # kept with the answers: the same learner keeps one pseudonym across restarts
            secret = secrets.token_hex(32)
            store.put("pseudonym_secret", secret)
        self._secret = bytes.fromhex(secret)

    @property
    def version(self) -> int:
        """Grows with every answer, reveal and change of question (the projector asks "anything since N?")."""
        return int(self.store.get("version", 0))

    def _bump(self, db: Any) -> None:
        db.execute("INSERT INTO room (key, value) VALUES ('version', '1') ON CONFLICT(key) DO UPDATE "
                   "SET value = CAST(value AS INTEGER) + 1")

    def pseudonym(self, learner: str) -> str:
        return hmac.new(self._secret, learner.encode(), hashlib.sha256).hexdigest()[:16]

    def submit(self, learner: str, lesson: Any, exercise: Any, answer: Any) -> dict:
        """Record ``learner``'s first answer to a lesson's question (later ones are not predictions)."""
        if not all(isinstance(x, str) and 0 < len(x) <= MAX_ID for x in (lesson, exercise)):
            raise ConfigError("An answer names its lesson and question (their ids, as in the notebook).",
                              "send {\"lesson\": ..., \"question\": ..., \"answer\": ...}.")
        q = kit_question(f"{lesson}.{exercise}")
        value = self._checked(q, answer)
        with self.store.transaction() as db:
            if not db.execute("SELECT 1 FROM revealed WHERE question = ?", (q.id,)).fetchone():
                added = db.execute("INSERT OR IGNORE INTO answers (question, who, answer, at) VALUES (?, ?, ?, ?)",
                                   (q.id, self.pseudonym(learner), json.dumps(value), time.time())).rowcount
                if added:
                    self._bump(db)
        return self.view(q.id)

    @staticmethod
    def _checked(q: LessonQuestion, answer: Any) -> Any:
        values = list(q.key.values)
        if q.key.several:
            if not isinstance(answer, list) or len(answer) > len(values) or not all(a in values for a in answer):
                raise ConfigError("This question takes every base URL the learner expects to work, as a list.",
                                  f"send a list of some of: {', '.join(map(str, values))} ([] : none works).")
            return q.key.in_order(answer)
        if isinstance(answer, (list, dict)) or answer not in values:
            raise ConfigError(f"{str(answer)[:80]!r} is not one of this question's answers.",
                              f"send one of: {', '.join(repr(v) for v in values)}.")
        return answer

    # ---- what the instructor sees ----
    def view(self, qid: str, *, key: bool = False) -> dict[str, Any]:
        """One question, the room's counts per option, and (``key``, after the reveal) which are right."""
        q = kit_question(qid)
        rows = self.store.execute("SELECT answer, at FROM answers WHERE question = ?", (q.id,))
        answers = [json.loads(a) for a, _ in rows]
        revealed = bool(self.store.execute("SELECT 1 FROM revealed WHERE question = ?", (q.id,)))

        def count(value: Any) -> int:
            return sum(1 for a in answers if (value in a if q.key.several else a == value))

        options = []
        for value in q.key.values:
            option = {"label": option_label(q.ask, value), "value": value, "count": count(value)}
            if key and revealed:
                option["right"] = value in q.key.accepted
            options.append(option)
        return {"id": q.id, "lesson": q.lesson, "exercise": q.exercise, "text": plain(q.text), "ask": q.ask,
                "several": q.key.several, "config": q.config.to_dict(), "options": options, "total": len(answers),
                "revealed": revealed, "last_answer": max((at for _, at in rows), default=0.0)}

    def questions(self) -> list[dict[str, Any]]:
        """Every lesson question (the kit's, in the lessons' order), each with the room's counts."""
        return [self.view(qid, key=True) for qid in question_ids()]

    def current(self) -> str | None:
        """The question on the projector (only the instructor changes it)."""
        return self.store.get("current")

    def choose(self, qid: str) -> dict[str, Any]:
        """Put ``qid`` on the projector."""
        q = kit_question(qid)
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO room (key, value) VALUES ('current', ?)", (json.dumps(q.id),))
            self._bump(db)
        return self.view(q.id, key=True)

    def reveal(self, qid: str) -> dict[str, Any]:
        """Mark the right options (answers after this are no longer predictions and are not counted)."""
        q = kit_question(qid)
        with self.store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO revealed (question, at) VALUES (?, ?)", (q.id, time.time()))
            self._bump(db)
        return self.view(q.id, key=True)
