"""The lessons' words and claims, loaded strictly from ``owui_lab/data/lessons/<lesson>.yaml``.

A lesson notebook holds prose and one-line code cells; everything a learner is asked (question, choices,
hint, explanation, fix-it task) lives in its YAML file next to the **claims** its prose makes. A claim
quotes a sentence of the lesson (``said``) and states what the engine must answer for a configuration
(``outcome``, ``fails_at``, ``works``, ...). ``claim_problems`` holds every claim to ``predict()``;
``uncovered_outcome_sentences`` finds sentences that state an outcome without a claim, so no hand-written
sentence can contradict the engine unnoticed (tests/test_lessons.py runs both on every lesson).

Example::

    from owui_lab.lessons import load_lesson, lesson_problems
    load_lesson("03_separate_networks").claims     # the sentences of lesson 03 and what the engine must say
    lesson_problems("03_separate_networks")        # [] while the engine agrees with every one

The notebooks open a lesson with ``owui_lab.widgets.lesson.lesson``, which builds their widgets from this
data (the widgets floor; this module stays on the engine floor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from .catalog import load_scenario
from .config import KNOB_NAMES, Config
from .engine import OUTCOMES, STEP_NAMES, Verdict, evaluate
from .prediction import predict
from .errors import ConfigError, ScenarioError

LESSON_IDS = ("00_welcome", "01_ollama_on_host", "02_compose", "03_separate_networks", "04_host_networking",
              "05_doctor", "06_sandbox", "07_podman_and_rootless")
PREDICT_KINDS = ("outcome", "reachable", "browser", "browser_url", "step", "url")
FIX_GOALS = ("ollama", "both")
# What a claim may say about a configuration, each checked against the engine.
CLAIM_KEYS = ("outcome", "reachable", "fails_at", "works", "fails", "browser", "browser_url")

_TOP = {"lesson": str, "title": str, "configs": dict, "exercises": dict, "claims": list, "general": list,
        "held": dict, "further": list}
_PREDICT = {"kind", "config", "ask", "question", "choices", "hint", "explanation", "claims", "withhold"}
_FIXIT = {"kind", "config", "knobs", "keep", "goal", "task", "hint", "explanation", "solution_rule", "claims",
          "networks", "speak"}
# An open exercise: a task to try (in the sandbox, a terminal, or on paper), its answer held back until tried.
_OPEN = {"kind", "task", "answer", "claims"}
_HELD = {"title", "text"}
# What a question's reveal may leave out, because a later question asks it (the comparison shows it later).
WITHHOLD = ("fixes", "browser", "diagram")
# Every claim names the question(s) it answers and where its truth comes from: a docs or issue link
# ("https://..."), or a truth recording row ("truth: <file> <configuration>").
_CLAIM = {"said", "config", "answers", "keys", "source", *CLAIM_KEYS}
_GENERAL = {"said", "why"}
SOURCE = re.compile(r"^(https://\S+|truth: \S+\.json\b.*|engine: .+)$")


@dataclass(frozen=True)
class Claim:
    """A sentence of a lesson and what the engine must say for it to be true.

    Attributes:
        said: the words of the lesson that state the outcome (quoted exactly, whitespace aside).
        config: the configuration the sentence is about.
        expect: claim key -> expected value (see ``CLAIM_KEYS``).
        where: the lesson and the place of the sentence, for messages.
        answers: the exercises whose answer this sentence gives: it may be read only after them.
        keys: the key values of the answer (a URL, a port, a version, a telling phrase) that must not
            be read before those exercises either.
        source: where the sentence's truth comes from (a docs or issue link, or a truth recording).
    """

    said: str
    config: Config
    expect: tuple[tuple[str, Any], ...]
    where: str
    answers: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson: its kind, configuration and every text the learner reads."""

    id: str
    kind: str
    config: Config
    spec: tuple[tuple[str, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.spec).get(key, default)


@dataclass(frozen=True)
class Lesson:
    """A lesson's data: named configurations, exercises, claims, general sentences.

    ``owui_lab.widgets.lesson.OpenLesson`` opens it in a notebook (the widgets built from it).
    """

    id: str
    title: str
    configs: Mapping[str, Config]
    exercises: Mapping[str, Exercise]
    claims: tuple[Claim, ...]
    general: tuple[tuple[str, str], ...] = field(default=())
    held: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    further: tuple[tuple[str, str], ...] = field(default=())

    def config(self, name: str) -> Config:
        """One of the lesson's named configurations."""
        try:
            return self.configs[name]
        except KeyError:
            raise ConfigError(
                f"Lesson {self.id} has no configuration {name!r}.", f"use one of: {', '.join(self.configs)}."
            ) from None

    def texts(self, keys: tuple[str, ...] = ("question", "choices", "hint", "explanation", "task", "answer"),
              ) -> list[tuple[str, str]]:
        """The texts a learner reads besides the notebook's markdown, as (where, text).

        The exercises' texts (those of ``keys``); with "explanation" or "answer" among the keys, the
        held-back sections and the further exercises' answers; with "task", their tasks.
        """
        out = []
        for ex in self.exercises.values():
            for key in keys:
                value = ex.get(key)
                if value:
                    text = "\n".join(map(str, value)) if isinstance(value, list) else str(value)
                    out.append((f"exercise {ex.id} {key}", text))
        stating = "explanation" in keys or "answer" in keys
        if stating:
            out += [(f"held {name}", f"{title}\n\n{text}") for name, (title, text) in self.held.items()]
        for i, (task, answer) in enumerate(self.further):
            out += [(f"further[{i}] task", task)] if "task" in keys else []
            out += [(f"further[{i}] answer", answer)] if stating else []
        return out


# --------------------------------------------------------------------------------------------------
# Loading, strictly
# --------------------------------------------------------------------------------------------------


def _fail(path: str, what: str, hint: str = "fix the lesson file and run again.") -> ScenarioError:
    return ScenarioError(f"The lesson file {path}: {what}", hint)


def _config_from(path: str, where: str, raw: Any, named: Mapping[str, Config]) -> Config:
    """A configuration: a name from ``configs:`` or a mapping {scenario: ID, knob: value, ...}."""
    if isinstance(raw, str):
        if raw not in named:
            raise _fail(path, f"{where} names the configuration {raw!r}, which configs: does not define.",
                        f"use one of: {', '.join(named) or '(none defined)'}.")
        return named[raw]
    if not isinstance(raw, dict) or "scenario" not in raw:
        raise _fail(path, f"{where} must be a configuration name or a mapping with scenario: and knobs.")
    knobs = {k: v for k, v in raw.items() if k != "scenario"}
    unknown = sorted(set(knobs) - KNOB_NAMES)
    if unknown:
        raise _fail(path, f"{where} has unknown knob(s) {', '.join(unknown)}.",
                    f"the knobs are: {', '.join(sorted(KNOB_NAMES))}.")
    try:
        return load_scenario(raw["scenario"]).replace(**knobs)
    except (ConfigError, ScenarioError) as exc:
        raise _fail(path, f"{where}: {exc.message}", exc.hint) from None


def _check_keys(path: str, where: str, raw: Any, allowed: set[str], required: set[str]) -> None:
    if not isinstance(raw, dict):
        raise _fail(path, f"{where} must be a mapping.")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _fail(path, f"{where} has unknown key(s) {', '.join(unknown)}.", f"the keys are: {', '.join(sorted(allowed))}.")
    missing = sorted(required - set(raw))
    if missing:
        raise _fail(path, f"{where} lacks {', '.join(missing)}.")


def _claim(path: str, lesson_id: str, where: str, raw: Any, named: Mapping[str, Config],
           answers: tuple[str, ...] = ()) -> Claim:
    _check_keys(path, where, raw, _CLAIM, {"said", "config"} | (set() if answers else {"answers"}))
    expect = {k: raw[k] for k in CLAIM_KEYS if k in raw}
    if not expect:
        raise _fail(path, f"{where} states nothing to check.", f"add one of: {', '.join(CLAIM_KEYS)}.")
    if "outcome" in expect and expect["outcome"] not in OUTCOMES:
        raise _fail(path, f"{where}: outcome {expect['outcome']!r} is not one of {', '.join(OUTCOMES)}.")
    if "fails_at" in expect and expect["fails_at"] not in (*STEP_NAMES, "none"):
        raise _fail(path, f"{where}: fails_at {expect['fails_at']!r} is not a step ({', '.join(STEP_NAMES)}) or none.")
    for key in ("works", "fails"):
        if key in expect and not (isinstance(expect[key], list) and all(isinstance(u, str) for u in expect[key])):
            raise _fail(path, f"{where}: {key} must be a list of base URLs.")
    said = raw["said"]
    if not isinstance(said, str) or len(said.split()) < 3:
        raise _fail(path, f"{where}: said must quote the lesson's words (three words at least).")
    config = _config_from(path, where + " config", raw["config"], named)
    raw_answers = raw.get("answers", list(answers))
    keys = raw.get("keys", [])
    if not (isinstance(raw_answers, list) and raw_answers and all(isinstance(a, str) for a in raw_answers)):
        raise _fail(path, f"{where}: answers must list the exercise(s) whose answer the sentence gives.")
    if not (isinstance(keys, list) and all(isinstance(k, (str, int, float)) for k in keys)):
        raise _fail(path, f"{where}: keys must be a list of the answer's key values (URLs, ports, versions).")
    source = raw.get("source", "")
    if source and not SOURCE.match(str(source)):
        raise _fail(path, f"{where}: source {source!r} is not a link (https://...), a truth recording "
                    "(truth: FILE.json CONFIGURATION) or the engine's rule (engine: ...).")
    return Claim(said=said, config=config, expect=tuple(expect.items()), where=f"{lesson_id}: {where}",
                 answers=tuple(raw_answers), keys=tuple(str(k) for k in keys), source=str(source))


def parse_lesson(raw: Any, path: str = "<lesson>") -> Lesson:
    """Build a ``Lesson`` from the YAML's data; a ScenarioError names the file and the field."""
    _check_keys(path, "the top level", raw, set(_TOP), {"lesson", "title", "exercises"})
    for key, kind in _TOP.items():
        if key in raw and not isinstance(raw[key], kind):
            raise _fail(path, f"{key} must be a {kind.__name__}.")
    lesson_id = raw["lesson"]
    named: dict[str, Config] = {}
    for name, spec in (raw.get("configs") or {}).items():
        named[name] = _config_from(path, f"configs.{name}", spec, named)
    exercises: dict[str, Exercise] = {}
    claims: list[Claim] = []
    for ex_id, spec in raw["exercises"].items():
        where = f"exercises.{ex_id}"
        if not isinstance(spec, dict) or spec.get("kind") not in ("predict", "fixit", "open"):
            raise _fail(path, f"{where} needs kind: predict, fixit or open.")
        if spec["kind"] == "open":
            _check_keys(path, where, spec, _OPEN, {"kind", "task", "answer"})
            for i, c in enumerate(spec.get("claims") or []):
                claims.append(_claim(path, lesson_id, f"{where}.claims[{i}]", c, named, (ex_id,)))
            body = {k: v for k, v in spec.items() if k not in ("kind", "claims")}
            exercises[ex_id] = Exercise(ex_id, "open", None, tuple(body.items()))  # type: ignore[arg-type]
            continue
        if spec["kind"] == "predict":
            _check_keys(path, where, spec, _PREDICT, {"kind", "config", "ask", "question"})
            if spec["ask"] not in PREDICT_KINDS:
                raise _fail(path, f"{where}: ask {spec['ask']!r} is not one of {', '.join(PREDICT_KINDS)}.")
            if spec["ask"] in ("url", "browser_url") and not spec.get("choices"):
                raise _fail(path, f"{where}: ask {spec['ask']} needs choices: (the URLs to pick from).")
            bad = sorted(set(spec.get("withhold") or ()) - set(WITHHOLD))
            if bad:
                raise _fail(path, f"{where}: withhold {', '.join(bad)} is not one of {', '.join(WITHHOLD)}.")
        else:
            _check_keys(path, where, spec, _FIXIT, {"kind", "config", "knobs", "task"})
            if spec.get("goal", "both") not in FIX_GOALS:
                raise _fail(path, f"{where}: goal {spec['goal']!r} is not one of {', '.join(FIX_GOALS)}.")
        config = _config_from(path, f"{where}.config", spec["config"], named)
        for i, c in enumerate(spec.get("claims") or []):
            claims.append(_claim(path, lesson_id, f"{where}.claims[{i}]", c, named, (ex_id,)))
        body = {k: v for k, v in spec.items() if k not in ("kind", "config", "claims")}
        exercises[ex_id] = Exercise(ex_id, spec["kind"], config, tuple(body.items()))
    for i, c in enumerate(raw.get("claims") or []):
        claims.append(_claim(path, lesson_id, f"claims[{i}]", c, named))
    for claim in claims:
        unknown = sorted(set(claim.answers) - set(exercises))
        if unknown:
            raise _fail(path, f"{claim.where.split(': ', 1)[1]}: answers names no exercise: {', '.join(unknown)}.",
                        f"use some of: {', '.join(exercises)}.")
    general = []
    for i, g in enumerate(raw.get("general") or []):
        _check_keys(path, f"general[{i}]", g, _GENERAL, _GENERAL)
        general.append((g["said"], g["why"]))
    held = {}
    for name, h in (raw.get("held") or {}).items():
        _check_keys(path, f"held.{name}", h, _HELD, _HELD)
        held[name] = (str(h["title"]), str(h["text"]))
    further = []
    for i, f in enumerate(raw.get("further") or []):
        _check_keys(path, f"further[{i}]", f, {"task", "answer"}, {"task", "answer"})
        further.append((str(f["task"]), str(f["answer"])))
    return Lesson(lesson_id, raw["title"], named, exercises, tuple(claims), tuple(general), held, tuple(further))


@lru_cache(maxsize=None)
def load_lesson(lesson_id: str) -> Lesson:
    """Load one lesson's data from the package (``owui_lab/data/lessons/<lesson_id>.yaml``)."""
    from importlib import resources

    import yaml

    if lesson_id not in LESSON_IDS:
        raise ScenarioError(f"There is no lesson {lesson_id!r}.", f"use one of: {', '.join(LESSON_IDS)}.")
    resource = resources.files("owui_lab") / "data" / "lessons" / f"{lesson_id}.yaml"
    path = f"owui_lab/data/lessons/{lesson_id}.yaml"
    try:
        raw = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"The lesson file {path} is missing from the installed kit.",
                            "reinstall the kit (make setup).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise _fail(path, f"is not valid YAML{line}: {getattr(exc, 'problem', exc)}.") from None
    loaded = parse_lesson(raw, path)
    if loaded.id != lesson_id:
        raise _fail(path, f"lesson: says {loaded.id!r}, but the file is {lesson_id}.yaml.")
    return loaded


# --------------------------------------------------------------------------------------------------
# Claims held to the engine
# --------------------------------------------------------------------------------------------------


def _reachable(config: Config, url: str) -> tuple[bool, Verdict]:
    v = evaluate(config.replace(base_url=url))
    return v.reachable, v


def claim_problems(claim: Claim) -> list[str]:
    """Where ``claim`` disagrees with ``predict()``; empty when the engine agrees with every part."""
    v = predict(claim.config)
    said = f"{claim.where} ({' '.join(claim.said.split())!r})"
    problems = []
    failing = v.failing_step
    engine_says = f"the engine says {v.outcome}" + (f" at step {failing.name}: {failing.reason}" if failing else "")
    for key, expected in claim.expect:
        if key == "outcome" and v.outcome != expected:
            problems.append(f"{said} claims outcome {expected}; {engine_says}.")
        elif key == "reachable" and v.reachable != expected:
            problems.append(f"{said} claims reachable={expected}; {engine_says}.")
        elif key == "fails_at" and (failing.name if failing else "none") != expected:
            problems.append(f"{said} claims the first failing step is {expected}; {engine_says}.")
        elif key in ("works", "fails"):
            for url in expected:
                ok, uv = _reachable(claim.config, url)
                if ok != (key == "works"):
                    step = uv.failing_step
                    why = f"fails at {step.name}: {step.reason}" if step else "works"
                    problems.append(f"{said} claims {url} {'works' if key == 'works' else 'fails'}; the engine: {why}.")
        elif key == "browser" and v.browser.reachable != expected:
            problems.append(f"{said} claims the browser {'reaches' if expected else 'cannot reach'} Open WebUI; "
                            f"the engine: {v.browser.reason}.")
        elif key == "browser_url" and not (v.browser.reachable and v.browser.url == expected):
            problems.append(f"{said} claims the browser opens {expected}; the engine: {v.browser.url} "
                            f"({'works' if v.browser.reachable else 'does not load'}: {v.browser.reason}).")
    return problems


def lesson_problems(lesson_id: str) -> list[str]:
    """Every claim of one lesson that the engine contradicts."""
    return [p for c in load_lesson(lesson_id).claims for p in claim_problems(c)]


# --------------------------------------------------------------------------------------------------
# Sentences that state an outcome must carry a claim
# --------------------------------------------------------------------------------------------------

# Words that state what happens to a connection or a page. A sentence with one of them is an outcome
# statement unless a claim (checked against the engine) or a "general" entry (with why) covers it.
OUTCOME_WORDS = re.compile(
    r"\b(works?|working|fails?|failed|refused|refuses|unreachable|reachable|reach(es)?|hangs?|dropped|drops?|"
    r"times? out|resolves?|blocked|isolated|forwards?)\b",
    re.I,
)


def normalise(text: str) -> str:
    """Text as a reader sees it: no markdown emphasis or HTML tags, single spaces."""
    import html

    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links: their words
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)\*(?!\w)", r"\1", text)
    return " ".join(text.split())


def _key(text: str) -> str:
    # Matching ignores case and quote style: a sentence may start a list item or follow a colon.
    return normalise(text).casefold().replace("“", '"').replace("”", '"').replace("’", "'")


def sentences(text: str) -> list[str]:
    """The sentences (and list items, table rows) of a markdown text, normalised."""
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*] |\d+\. |\||#))", text):
        block = normalise(block)
        if not block or block.startswith("|---") or set(block) <= set("|- :"):
            continue
        block = re.sub(r"^(#+|[-*]|\d+\.)\s+", "", block)  # a heading's or a list item's marker
        out.extend(s for s in re.split(r"(?<=[.!?:;])\s+(?=[A-Z*(\"`])", block) if s.strip())
    return out


def uncovered_outcome_sentences(lesson_data: Lesson, markdown: str) -> list[str]:
    """Sentences of ``markdown`` and of the exercises that state an outcome with no claim or general entry."""
    covers = [_key(c.said) for c in lesson_data.claims] + [_key(s) for s, _ in lesson_data.general]
    # Questions and tasks ask; hints and explanations state, so they are held to claims like the prose.
    texts = [("notebook", markdown), *lesson_data.texts(("hint", "explanation"))]
    out = []
    for where, text in texts:
        for sentence in sentences(text):
            if not OUTCOME_WORDS.search(sentence):
                continue
            key = _key(sentence)
            if any(c and (c in key or key in c) for c in covers):
                continue
            out.append(f"{lesson_data.id} {where}: {sentence!r}")
    return out


def unquoted_claims(lesson_data: Lesson, markdown: str) -> list[str]:
    """Claims (and general entries) whose words are nowhere in the lesson: stale after an edit."""
    haystack = _key(markdown + "\n" + "\n".join(t for _, t in lesson_data.texts()))
    out = [f"{c.where}: {c.said!r}" for c in lesson_data.claims if _key(c.said) not in haystack]
    out += [f"{lesson_data.id} general: {s!r}" for s, _ in lesson_data.general if _key(s) not in haystack]
    return out


# --------------------------------------------------------------------------------------------------
# Answer keys: what a predict-then-check question accepts, from the engine
# --------------------------------------------------------------------------------------------------

#: The answers of each kind of question with fixed answers, in the order they are offered.
FIXED_ANSWERS: dict[str, tuple[Any, ...]] = {
    "outcome": OUTCOMES,
    "reachable": (True, False),
    "browser": (True, False),
    "step": ("resolve", "route", "listen", None),
}


@dataclass(frozen=True)
class AnswerKey:
    """What a question offers and what the engine accepts.

    Attributes:
        values: the options' values in the order offered (base URLs for ``url``/``browser_url``, then
            None, "none of these", for ``browser_url``).
        accepted: the right values (for ``url``: every working base URL; the answer is right when the
            ticked ones are exactly these).
        several: the learner ticks several options (``ask="url"``) rather than picking one.
    """

    values: tuple[Any, ...]
    accepted: frozenset
    several: bool = False

    def in_order(self, values: Any) -> list[Any]:
        """``values`` in the order the options are offered."""
        wanted = set(values)
        return [v for v in self.values if v in wanted]


def answer_key(config: Config, ask: str, choices: Any = ()) -> AnswerKey:
    """The answer key of a question of kind ``ask`` about ``config``, computed by the engine alone."""
    if ask not in PREDICT_KINDS:
        raise ConfigError(f"{ask!r} is not a kind of question.", f"use one of: {', '.join(PREDICT_KINDS)}.")
    choices = tuple(choices or ())
    if ask in ("url", "browser_url") and not choices:
        raise ConfigError(f"A question of kind {ask!r} needs the URLs to choose from.", "pass choices=[...].")
    v = predict(config)
    if ask == "outcome":
        return AnswerKey(FIXED_ANSWERS[ask], frozenset({v.outcome}))
    if ask == "reachable":
        return AnswerKey(FIXED_ANSWERS[ask], frozenset({v.reachable}))
    if ask == "browser":
        return AnswerKey(FIXED_ANSWERS[ask], frozenset({v.browser.reachable}))
    if ask == "step":
        return AnswerKey(FIXED_ANSWERS[ask], frozenset({v.failing_step.name if v.failing_step else None}))
    if ask == "browser_url":
        works = v.browser.url if v.browser.reachable and v.browser.url in choices else None
        return AnswerKey((*choices, None), frozenset({works}))
    accepted = set()
    for url in choices:
        try:
            if evaluate(config.replace(base_url=url)).reachable:
                accepted.add(url)
        except ConfigError:
            continue
    return AnswerKey(choices, frozenset(accepted), several=True)


@dataclass(frozen=True)
class LessonQuestion:
    """One predict-then-check question of a lesson, as the kit asks it (the classroom's projector shows it).

    Attributes:
        lesson: the lesson's id; exercise: the exercise's id in it.
        text: the question (HTML allowed, as in the notebook); ask: its kind; config: its configuration;
        choices: the base URLs offered (``url``/``browser_url``), else empty; key: its answer key.
    """

    lesson: str
    exercise: str
    text: str
    ask: str
    config: Config
    choices: tuple[str, ...]
    key: AnswerKey

    @property
    def id(self) -> str:
        return f"{self.lesson}.{self.exercise}"


def lesson_question(lesson_id: str, exercise_id: str) -> LessonQuestion:
    """A lesson's predict-then-check question: its text, configuration, choices and answer key, from the kit."""
    data = load_lesson(lesson_id)
    spec = data.exercises.get(exercise_id)
    if spec is None or spec.kind != "predict":
        asked = [e.id for e in data.exercises.values() if e.kind == "predict"]
        raise ConfigError(f"Lesson {lesson_id} has no question {exercise_id!r}.", f"use one of: {', '.join(asked)}.")
    choices = tuple(spec.get("choices") or ())
    return LessonQuestion(lesson_id, exercise_id, spec.get("question"), spec.get("ask"), spec.config, choices,
                          answer_key(spec.config, spec.get("ask"), choices))


def lesson_questions() -> list[LessonQuestion]:
    """Every predict-then-check question of every lesson, in the lessons' order."""
    return [lesson_question(lesson_id, e.id) for lesson_id in LESSON_IDS
            for e in load_lesson(lesson_id).exercises.values() if e.kind == "predict"]


# --------------------------------------------------------------------------------------------------
# A question asked before anything answers it
# --------------------------------------------------------------------------------------------------

# The words that state an outcome, by outcome: a sentence with one of them and most of a claim's words
# says that claim's answer, even in other words.
OUTCOME_SAYS = {
    "ok": ("works", "work", "reaches", "reached", "opens"),
    "connection_refused": ("refused", "refuses", "connect call failed"),
    "name_not_resolved": ("not resolve", "never resolve", "no name resolution", "name or service not known"),
    "unreachable": ("unreachable", "times out", "time out", "hangs", "dropped"),
}
_SMALL = {"the", "and", "with", "that", "this", "there", "from", "into", "when", "then", "what", "your", "have",
          "does", "only", "even", "once", "every", "which", "where", "open", "webui", "ollama", "docker"}


def _claim_outcomes(claim: Claim) -> set[str]:
    expect = dict(claim.expect)
    out = set()
    if "outcome" in expect:
        out.add(expect["outcome"])
    if expect.get("reachable") is True or "works" in expect or expect.get("browser") is True or "browser_url" in expect:
        out.add("ok")
    if expect.get("fails_at") == "resolve":
        out.add("name_not_resolved")
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9.:/-]*[a-z0-9]", _key(text)) if len(w) > 3 and w not in _SMALL}


def gives_away(claim: Claim, text: str, restated: bool = True) -> list[str]:
    """What in ``text`` gives ``claim``'s answer away: its own words, a key value, or its outcome restated.

    Used on everything a learner can read before the claim's question (tests/test_lessons_order.py).
    ``restated=False`` looks for the words and key values only (the question is about another
    configuration than the claim's, so the claim's outcome is not its answer).
    """
    # HTML (a reveal, a comparison) reads as blocks: each block its own sentence, never one run-on line.
    text = re.sub(r"<(br|/?p|/?li|/?div|/?tr|/?td|/?th|/?h\d|/?ul|/?table|/?figcaption)\b[^>]*>", "\n\n", text)
    seen = _key(text)
    found = []
    if _key(claim.said) in seen:
        found.append(f"its words {claim.said!r}")
    for key in claim.keys:
        if re.search(r"(?<![\w.:/])" + re.escape(_key(key)) + r"(?![\w/])", seen):
            found.append(f"its key value {key!r}")
    said = _words(claim.said)
    # Its values: the numbers of the claim (an address, a port, a version). Ollama's port is in nearly
    # every sentence of the kit, so it tells nothing.
    values = set(re.findall(r"\d[\d.]*\d", _key(claim.said))) - {"11434"}
    says = [w for o in _claim_outcomes(claim) for w in OUTCOME_SAYS.get(o, ())]
    if says and restated:
        for sentence in sentences(text):
            words = _words(sentence)
            if not any(re.search(r"\b" + re.escape(w) + r"\b", _key(sentence)) for w in says):
                continue
            numbers = set(re.findall(r"\d[\d.]*\d", _key(sentence)))
            if values & numbers or (len(said) >= 3 and len(said & words) >= 0.6 * len(said)):
                found.append(f"its outcome restated: {sentence!r}")
    return found
