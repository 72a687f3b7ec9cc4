"""A lesson as its notebook opens it: the lesson's data (``owui_lab.lessons``) and its one-line cells.

``owui_lab.lessons`` loads a lesson's words and claims and holds them to the engine (the engine floor);
this module builds what the notebook shows from them: the exercises' widgets, the commands, the
comparison and the live run.

Example::

    from owui_lab.widgets.lesson import lesson
    l03 = lesson("03_separate_networks")
    l03.exercise("which-step")        # a predict-then-check widget, its texts from the YAML
"""

from __future__ import annotations

from typing import Any

from ..catalog import scenarios
from ..config import Config
from ..environment import detect
from ..errors import ConfigError
from ..lessons import Lesson, load_lesson
from ..presentation import CSS, RUN_AT_HOME, esc
from .base import ipywidgets
from .cells import commands_html, run_live_html, show_commands
from .compare import compare_html
from .fix_it import FixIt
from .predict_check import AfterAnswers, PredictCheck
from .try_it import TryIt


def lesson(lesson_id: str) -> "OpenLesson":
    """One lesson, as a notebook opens it: its data, and no question shown yet.

    Each call starts afresh, so running a notebook's first cell again starts the lesson again.
    """
    return OpenLesson(load_lesson(lesson_id))


class OpenLesson:
    """A lesson's data and its open notebook: what the notebook's cells call (one short line each).

    ``shown`` lists the questions the notebook has shown so far, in order: what the lesson shows after
    them (the comparison, the live run's observation) waits until they are answered.
    """

    def __init__(self, data: Lesson) -> None:
        self.data = data
        self.shown: list = []

    def __repr__(self) -> str:
        return f"<lesson {self.data.id}: {self.data.title}>"

    # -- the lesson's data, as the notebooks and tests read it --------------------------------
    @property
    def id(self) -> str:
        return self.data.id

    @property
    def title(self) -> str:
        return self.data.title

    @property
    def configs(self):
        return self.data.configs

    @property
    def exercises(self):
        return self.data.exercises

    @property
    def claims(self):
        return self.data.claims

    @property
    def general(self):
        return self.data.general

    def config(self, name: str) -> Config:
        """One of the lesson's named configurations."""
        return self.data.config(name)

    def texts(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        """The exercises' texts a learner reads, as (where, text)."""
        return self.data.texts(*args, **kwargs)

    # -- what the notebooks call (one short line each) --------------------------------------
    def exercise(self, exercise_id: str) -> Any:
        """The widget of one exercise (predict-then-check or fix-it), built from the lesson's data."""
        try:
            spec = self.data.exercises[exercise_id]
        except KeyError:
            raise ConfigError(
                f"Lesson {self.id} has no exercise {exercise_id!r}.", f"use one of: {', '.join(self.data.exercises)}."
            ) from None
        if spec.kind == "predict":
            widget: Any = PredictCheck(
                spec.get("question"), spec.config, ask=spec.get("ask"), hint=spec.get("hint", ""),
                why=spec.get("explanation", ""), choices=spec.get("choices"), withhold=spec.get("withhold") or (),
            )
            widget.lesson_question = (self.id, exercise_id)  # its first answer goes to the room by these ids
        elif spec.kind == "open":
            widget = TryIt(spec.get("task"), spec.get("answer"))
        else:
            widget = FixIt(
                spec.get("task"), spec.config, spec.get("knobs"), goal=spec.get("goal", "both"),
                keep=spec.get("keep"), hint=spec.get("hint", ""), why=spec.get("explanation", ""),
                networks=spec.get("networks", ()),
            )
        self.shown.append(widget)
        return widget

    def held(self, name: str) -> Any:
        """A section of the lesson's words that answers its questions (what the docs get wrong, the
        summary): it opens once every exercise above it is answered, solved or shown."""
        try:
            title, text = self.data.held[name]
        except KeyError:
            raise ConfigError(f"Lesson {self.id} has no held-back section {name!r}.",
                              f"use one of: {', '.join(self.data.held) or '(none)'}.") from None
        body = f'<div class="owui-held"><h3>{esc(title)}</h3>{text}</div>'
        return AfterAnswers(list(self.shown), lambda: CSS + body, title[0].lower() + title[1:])

    def further(self) -> Any:
        """The further exercises, each with its answer held back until the learner has tried it."""
        items = [TryIt(task, answer) for task, answer in self.data.further]
        box = ipywidgets().VBox([item.widget for item in items])
        box.add_class("owui-further")
        return box

    def show_commands(self, name: str) -> Any:
        """What a learner types to build one of the lesson's configurations.

        Before the questions it is the setup; after them it may hold answers (the recipe names the page's
        URL), so it then waits until they are answered.
        """
        config = self.config(name)
        if not self.shown:
            show_commands(config)
            return None
        return AfterAnswers(self.shown, lambda: commands_html(config), "the commands")

    def compare(self, left: str, right: str) -> Any:
        """Both platforms side by side (diagrams and the engine's reasoning), once the questions are answered."""
        a, b = self.config(left), self.config(right)
        titles = tuple("Docker Desktop" if c.platform == "desktop" else "Linux" for c in (a, b))
        return AfterAnswers(self.shown, lambda: compare_html(a, b, titles)[0],
                            "the diagrams and the engine's reasoning")

    def run_live(self, *names: str) -> Any:
        """The lesson's "run it for real" cell: it runs now; what it observed opens once the questions are answered.

        The live run goes first (where this daemon can run one of the configurations) so the observation is
        ready; only a neutral line says it ran. A lesson whose questions ask about the browser shows the
        browser's path first.
        """
        configs = [self.config(n) for n in names]
        # only a predict-then-check asks something (a fix-it or a try-it has no ``ask``)
        browser_first = any(isinstance(q, PredictCheck) and q.ask in ("browser", "browser_url") for q in self.shown)
        markup, reports = run_live_html(*configs, browser_first=browser_first)
        ran = [r for r in reports if r.ran]
        if ran:
            r = ran[0]
            status = (f'<div class="owui-live-status" data-live="ran" data-agree="{"yes" if r.agree else "no"}">'
                      f"The live run is done on this Docker daemon ({r.seconds:.1f} s: stand-ins started, probed "
                      "from inside Open WebUI's network, removed).</div>")
        else:
            why = reports[0].reason or detect().why_not(configs[0].platform)
            status = (f'<div class="owui-live-status" data-live="predicted-only">Prediction only: nothing runs '
                      f"live here. {esc(why)}<br>{RUN_AT_HOME}</div>")
        return AfterAnswers(self.shown, lambda: CSS + markup, "the live run's result", waiting_html=status)

    def scenarios(self) -> None:
        """The seed scenarios, one line each (id and title)."""
        print("\n".join(f"{s.id:<27} {s.title}" for s in scenarios()))
