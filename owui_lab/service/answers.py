"""Peer instruction: the room's first answers to each predict-then-check question, anonymous.

A learner's notebook sends its *first* answer to a question (their prediction, before any hint or
reveal); the service keeps one answer per learner per question under a keyed pseudonym, so the
instructor's projector shows how many picked each option and never who. The answer key is not taken
from the learner's notebook: the service rebuilds the question with the kit's own ``PredictCheck``
from the configuration, so the engine alone decides what is right, and only after the reveal.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, OwuiLabError
from .worker import config_from_json

MAX_TEXT = 1000  # characters of a question's text
MAX_QUESTIONS = 300  # questions the room may have at once (the workshop has about 20)


class UnknownQuestion(OwuiLabError):
    """No question with that id has been answered yet."""


def plain(text: str) -> str:
    """A question's text as plain text (the notebooks allow HTML; the projector shows text only)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def question_id(text: str, ask: str, config: dict, choices: list | None) -> str:
    """The same question in every learner's notebook gets the same id."""
    canonical = json.dumps([plain(text), ask, config, choices or []], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass
class Question:
    """One question as the room sees it: options in the notebook's order, answers by pseudonym."""

    id: str
    text: str
    ask: str
    config: dict
    choices: list | None
    options: list[tuple[str, Any]]
    accepted: list[Any]
    first_seen: float
    answers: dict[str, Any] = field(default_factory=dict)
    last_answer: float = 0.0
    revealed: bool = False

    def counts(self) -> list[int]:
        values = list(self.answers.values())
        return [sum(1 for v in values if v == option) for _, option in self.options]

    def to_dict(self, *, key: bool) -> dict[str, Any]:
        """The question, the room's counts, and (``key``, after the reveal) which options are right."""
        counts = self.counts()
        out = {
            "id": self.id,
            "text": self.text,
            "ask": self.ask,
            "config": self.config,
            "options": [{"label": label, "value": value, "count": count}
                        for (label, value), count in zip(self.options, counts)],
            "total": len(self.answers),
            "revealed": self.revealed,
            "last_answer": self.last_answer,
        }
        if key and self.revealed:
            for option in out["options"]:
                option["right"] = option["value"] in self.accepted
        return out


class AnswerBook:
    """The room's answers, kept in memory for the session (nothing names a learner)."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._questions: dict[str, Question] = {}
        self.version = 0  # grows with every answer and reveal (the projector asks "anything since N?")

    def pseudonym(self, learner: str) -> str:
        return hmac.new(self._secret, learner.encode(), hashlib.sha256).hexdigest()[:16]

    def submit(self, learner: str, question: Any, answer: Any) -> Question:
        """Record ``learner``'s first answer to ``question`` (later ones are not predictions)."""
        q = self._question(question)
        with self._lock:
            q = self._questions.setdefault(q.id, q)
            if answer not in [v for _, v in q.options]:
                raise ConfigError(f"{answer!r} is not one of this question's answers.",
                                  f"send one of: {', '.join(repr(v) for _, v in q.options)}.")
            who = self.pseudonym(learner)
            if who not in q.answers and not q.revealed:
                q.answers[who] = answer
                q.last_answer = time.time()
                self.version += 1
            return q

    def questions(self) -> list[Question]:
        with self._lock:
            return sorted(self._questions.values(), key=lambda q: (q.last_answer, q.first_seen), reverse=True)

    def get(self, qid: str) -> Question:
        with self._lock:
            q = self._questions.get(qid)
        if q is None:
            raise UnknownQuestion(f"No question {qid!r} has been answered yet.",
                                  "the question appears once a learner checks an answer.")
        return q

    def reveal(self, qid: str) -> Question:
        q = self.get(qid)
        with self._lock:
            q.revealed = True
            self.version += 1
        return q

    def _question(self, data: Any) -> Question:
        """Rebuild the question with the kit's PredictCheck: the engine computes the answer key."""
        from ..widgets.predict_check import PredictCheck

        if not isinstance(data, dict):
            raise ConfigError("An answer needs its question (text, ask, config, choices).",
                              "send what PredictCheck.share() sends.")
        text, ask, choices = data.get("text"), data.get("ask", "outcome"), data.get("choices")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise ConfigError("A question needs a text of 1 to 1000 characters.", "send the question as asked.")
        if choices is not None and (not isinstance(choices, list) or not all(isinstance(c, str) for c in choices)
                                    or len(choices) > 12):
            raise ConfigError("A question's choices are up to 12 base URLs.", "send the choices as asked.")
        config = config_from_json(data.get("config"))
        check = PredictCheck(text, config, ask=ask, choices=choices)
        qid = question_id(text, ask, config.to_dict(), choices)
        with self._lock:
            if qid not in self._questions and len(self._questions) >= MAX_QUESTIONS:
                raise ConfigError("The room has too many questions open.", "ask the instructor to restart the lab service.")
        return Question(
            id=qid, text=plain(text), ask=ask, config=config.to_dict(), choices=choices,
            options=[(plain(str(label)), value) for label, value in check.options],
            accepted=check.options_in_order(check.accepted), first_seen=time.time(),
        )
