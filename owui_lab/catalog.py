"""The seed scenarios (one per diagram) of the docs' "Network Diagrams" page, loaded strictly from YAML.

Each file in the package's ``owui_lab/data/scenarios/`` (shipped inside the wheel, read with
``importlib.resources``) holds one scenario: ``id`` (the file's stem), ``title``, ``summary`` (one
line), ``docs`` (what the docs say, corrected where they are wrong) and ``config`` (knobs of
``Config``). An unknown key, a missing one or a wrong type is an error naming the file and the field.
The YAML is read with yaml's safe loader, bounded in size, without anchors or aliases (an alias bomb
would otherwise expand without end) and with string keys only.

``as_config`` is the one door every public function uses: it takes a seed scenario's id, a
``Scenario`` or a ``Config``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .config import KNOB_NAMES, Config, shown
from .errors import ConfigError, ScenarioError

_FIELDS = {"id": str, "title": str, "summary": str, "docs": str, "config": dict}
#: A scenario file is a few hundred bytes; anything this big is not one.
MAX_FILE_BYTES = 64 * 1024
_EXAMPLE = "owui_lab/data/scenarios/linux-compose.yaml"


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


def scenario_folder() -> Traversable:
    """Where the seed scenarios are: ``$OWUI_LAB_DATA/scenarios`` if set, else the package's copy."""
    env = os.environ.get("OWUI_LAB_DATA")
    if env:
        return Path(env) / "scenarios"
    return files(__package__) / "data" / "scenarios"


@lru_cache(maxsize=1)
def _strict_loader() -> type:
    """yaml's safe loader, strict where YAML 1.1 and 1.2 part ways, and without anchors and aliases.

    PyYAML reads YAML 1.1: ``07000`` is octal 3584 there (7000 in YAML 1.2), ``50:00`` is 3000
    (base 60), ``yes``/``on`` are true, and a duplicate key silently wins. A scenario file means one
    thing under both: such a value or key is an error naming its line. Built on first use: yaml
    loads when scenarios are first read, not with ``import owui_lab``.
    """
    import yaml

    def refuse(node: Any, what: str) -> Any:
        raise yaml.constructor.ConstructorError(None, None, what, node.start_mark)

    def strict_int(loader: Any, node: Any) -> int:
        text = loader.construct_scalar(node)
        if not re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", text):
            refuse(node, f"{text} is a number YAML 1.1 and 1.2 read differently (octal, base 60, '_'): "
                         "write it in plain decimal digits, e.g. 7000")
        return int(text)

    def strict_bool(loader: Any, node: Any) -> bool:
        text = loader.construct_scalar(node)
        if text not in ("true", "false"):
            refuse(node, f"{text} is a boolean only in YAML 1.1: write true or false")
        return text == "true"

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    if key in seen:
                        refuse(key_node, f"the key {key!r} appears twice (YAML would keep only the last)")
                    seen.add(key)
                except TypeError:
                    pass  # an unhashable key: the base class says so
            return super().construct_mapping(node, deep)

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(None, None, "an alias (*name) is not allowed in a scenario file",
                                           event.start_mark)
            if getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError(None, None, "an anchor (&name) is not allowed in a scenario file",
                                           event.start_mark)
            return super().compose_node(parent, index)

    StrictLoader.add_constructor("tag:yaml.org,2002:int", strict_int)
    StrictLoader.add_constructor("tag:yaml.org,2002:bool", strict_bool)
    return StrictLoader


def _parse(path: Any, data: bytes) -> Any:
    import yaml

    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"The scenario file {path} is {len(data):,} bytes; a scenario is a few hundred.",
            f"keep one scenario a file, under {MAX_FILE_BYTES // 1024} KiB (compare it with {_EXAMPLE}).",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"The scenario file {path} is not UTF-8 text (byte {exc.start}).",
            "save it as UTF-8 (any text editor can), then run again.",
        ) from None
    try:
        return yaml.load(text, Loader=_strict_loader())  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ScenarioError(
            f"The scenario file {path} is not valid YAML{where}: {getattr(exc, 'problem', None) or 'unreadable'}.",
            f"fix the file (compare it with {_EXAMPLE}) and run again.",
        ) from None
    except RecursionError:
        raise ScenarioError(
            f"The scenario file {path} nests too deeply to be a scenario.",
            f"compare it with {_EXAMPLE}.",
        ) from None


def load_scenario_file(path: Path | Traversable) -> Scenario:
    """Load one scenario file strictly; a ScenarioError names the file and the field."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"The scenario file {path} cannot be read: {exc.strerror or type(exc).__name__}.",
            "check the path and its permissions.",
        ) from None
    raw = _parse(path, data)
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"The scenario file {path} must be a mapping of id, title, summary, docs and config.",
            f"compare it with {_EXAMPLE}.",
        )
    _check_keys(path, raw, "")
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
                f"compare it with {_EXAMPLE}.",
            )
    stem = path.name.removesuffix(".yaml")
    if raw["id"] != stem:
        raise ScenarioError(
            f"The scenario file {path} has id {shown(raw['id'])}, but its name says '{stem}'.",
            f"rename the file to {shown(raw['id'])}.yaml or change the id.",
        )
    knobs = raw["config"]
    _check_keys(path, knobs, "config")
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


def _check_keys(path: Any, mapping: dict[Any, Any], where: str) -> None:
    bad = [k for k in mapping if not isinstance(k, str)]
    if bad:
        inside = f" in {where}" if where else ""
        raise ScenarioError(
            f"The scenario file {path} has a key that is not a name{inside}: {shown(bad[0])}.",
            f"every key is a word such as title or platform (compare it with {_EXAMPLE}).",
        )


@lru_cache(maxsize=4)
def _load_all(folder: Traversable) -> dict[str, Scenario]:
    try:
        found = sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    except OSError:
        found = []
    if not found:
        raise ScenarioError(
            f"No scenario files in {folder}.",
            "reinstall the kit (pip install owui-lab ships them), or point OWUI_LAB_DATA at a folder "
            "that holds scenarios/*.yaml.",
        )
    out: dict[str, Scenario] = {}
    for path in found:
        loaded = load_scenario_file(path)
        out[loaded.id] = loaded
    return out


def scenarios() -> list[Scenario]:
    """All seed scenarios, Docker Desktop first, in the docs' order."""
    order = ["ollama-on-host", "compose", "separate-networks", "host-network"]
    found = _load_all(scenario_folder()).values()

    def key(s: Scenario) -> tuple[int, int, str]:
        platform, _, rest = s.id.partition("-")
        rank = order.index(rest) if rest in order else len(order)
        return (0 if platform == "desktop" else 1, rank, s.id)

    return sorted(found, key=key)


def scenario(scenario_id: str) -> Scenario:
    """One seed scenario by id, e.g. ``linux-host-network``."""
    found = _load_all(scenario_folder())
    if not isinstance(scenario_id, str) or scenario_id not in found:
        raise ScenarioError(
            f"There is no scenario {shown(scenario_id)}.",
            f"the scenarios are: {', '.join(s.id for s in scenarios())} (owui-lab scenarios lists them).",
        )
    return found[scenario_id]


def load_scenario(scenario_id: str) -> Config:
    """The configuration of one seed scenario."""
    return scenario(scenario_id).config


def as_config(config: Config | Scenario | str) -> Config:
    """A ``Config`` from a config, a ``Scenario`` or a seed scenario's id: the door of every public function."""
    if isinstance(config, Config):
        return config
    if isinstance(config, Scenario):
        return config.config
    if isinstance(config, str):
        return load_scenario(config)
    raise ConfigError(
        f"{shown(config)} ({type(config).__name__}) is not a configuration.",
        "pass an owui_lab.Config, a scenario (owui_lab.scenario('linux-compose')) or a seed "
        "scenario's id such as 'linux-compose' (owui_lab.scenarios() lists them).",
    )
