"""The eight seed scenarios of the docs' "Network Diagrams" page, loaded strictly from YAML.

Each file in ``data/scenarios/`` holds one scenario: ``id`` (the file's stem), ``title``, ``summary``
(one line), ``docs`` (what the docs say, corrected where they are wrong) and ``config`` (knobs of
``Config``). An unknown key, a missing one or a wrong type is an error naming the file and the field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import KNOB_NAMES, Config
from .errors import ConfigError, ScenarioError

_FIELDS = {"id": str, "title": str, "summary": str, "docs": str, "config": dict}


@dataclass(frozen=True)
class Scenario:
    """A seed scenario: a named configuration with the docs' words about it."""

    id: str
    title: str
    summary: str
    docs: str
    knobs: tuple[tuple[str, Any], ...]

    @property
    def config(self) -> Config:
        return Config(**dict(self.knobs))

    @property
    def platform(self) -> str:
        return self.config.platform

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "platform": self.platform,
            "summary": self.summary,
            "docs": self.docs,
            "config": dict(self.knobs),
        }


def data_dir() -> Path:
    """Where the kit's data lives: ``OWUI_LAB_DATA``, the installed copy, or the repository's ``data/``."""
    env = os.environ.get("OWUI_LAB_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "scenarios").is_dir():
            return candidate
    return here.parent / "data"


def load_scenario_file(path: Path) -> Scenario:
    """Load one scenario file strictly; a ScenarioError names the file and the field."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ScenarioError(
            f"The scenario file {path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}.",
            "fix the file (compare it with data/scenarios/linux-compose.yaml) and run again.",
        ) from None
    except OSError as exc:
        raise ScenarioError(f"The scenario file {path} cannot be read: {exc.strerror}.", "check the path.") from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"The scenario file {path} must be a mapping of id, title, summary, docs and config.",
            "compare it with data/scenarios/linux-compose.yaml.",
        )
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ScenarioError(
            f"The scenario file {path} has unknown field(s): {', '.join(unknown)}.",
            f"the fields are: {', '.join(_FIELDS)}.",
        )
    for name, kind in _FIELDS.items():
        if name not in raw:
            raise ScenarioError(f"The scenario file {path} has no '{name}' field.", f"add {name}: ...")
        if not isinstance(raw[name], kind):
            raise ScenarioError(
                f"The scenario file {path}: '{name}' must be a {kind.__name__}.",
                "compare it with data/scenarios/linux-compose.yaml.",
            )
    if raw["id"] != path.stem:
        raise ScenarioError(
            f"The scenario file {path} has id '{raw['id']}', but its name says '{path.stem}'.",
            f"rename the file to {raw['id']}.yaml or change the id.",
        )
    knobs = raw["config"]
    unknown = sorted(set(knobs) - KNOB_NAMES)
    if unknown:
        raise ScenarioError(
            f"The scenario file {path}: config has unknown knob(s): {', '.join(unknown)}.",
            f"the knobs are: {', '.join(sorted(KNOB_NAMES))}.",
        )
    try:
        Config(**knobs)
    except ConfigError as exc:
        raise ScenarioError(f"The scenario file {path}: {exc.message}", exc.hint) from None
    return Scenario(
        id=raw["id"],
        title=raw["title"],
        summary=raw["summary"].strip(),
        docs=" ".join(raw["docs"].split()),
        knobs=tuple(knobs.items()),
    )


@lru_cache(maxsize=4)
def _load_all(directory: str) -> dict[str, Scenario]:
    folder = Path(directory)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ScenarioError(
            f"No scenario files in {folder}.",
            "run from the kit's repository, or set OWUI_LAB_DATA to its data/ folder.",
        )
    out: dict[str, Scenario] = {}
    for path in files:
        scenario = load_scenario_file(path)
        out[scenario.id] = scenario
    return out


def scenarios() -> list[Scenario]:
    """All seed scenarios, Docker Desktop first, in the docs' order."""
    order = ["ollama-on-host", "compose", "separate-networks", "host-network"]
    found = _load_all(str(data_dir() / "scenarios")).values()

    def key(s: Scenario) -> tuple[int, int, str]:
        platform, _, rest = s.id.partition("-")
        rank = order.index(rest) if rest in order else len(order)
        return (0 if platform == "desktop" else 1, rank, s.id)

    return sorted(found, key=key)


def scenario(scenario_id: str) -> Scenario:
    """One seed scenario by id, e.g. ``linux-host-network``."""
    found = _load_all(str(data_dir() / "scenarios"))
    if scenario_id not in found:
        raise ScenarioError(
            f"There is no scenario '{scenario_id}'.",
            f"the scenarios are: {', '.join(s.id for s in scenarios())} (owui-lab scenarios lists them).",
        )
    return found[scenario_id]


def load_scenario(scenario_id: str) -> Config:
    """The configuration of one seed scenario."""
    return scenario(scenario_id).config
