"""Truth recordings: what a real daemon did with a grid of configurations, kept to check the engine.

``owui-lab lab grid`` runs a grid of configurations on the local Docker daemon and writes one
recording (JSON): the platform's facts (engine, OS, Desktop version, kernel, userland-proxy, Docker
Desktop's host-networking setting where it can be seen) and, for every configuration, its knobs, the
engine's prediction at the time and the observation. Recordings contributed from learners' machines
live in the repository's ``data/truth/``; ``tests/test_truth.py`` checks the engine against every one
of them on every CI run.

The platform facts *set* the engine's platform knobs (``platform``, ``desktop_host_networking``,
``userland_proxy``): a configuration's recorded knobs are only the deployment (where Ollama and Open
WebUI run, the URL...). A platform that behaves differently is therefore a fact the engine must
learn as a knob, never a configuration patched one by one.

Nothing personal goes into a recording: only the listed essentials of ``docker info``/``version``
are kept, and every text is scrubbed of this machine's host name, user name, home folder and LAN
addresses (``Redactor``); the recording lists what was redacted.

This module is pure (no Docker): the live part is ``owui_lab.lab.grid``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .config import KNOB_NAMES, Config
from .engine import evaluate
from .errors import ConfigError, OwuiLabError
from .docker_api import parse_daemon_info

SCHEMA = 1
PLATFORM_KNOBS = ("platform", "desktop_host_networking", "userland_proxy", "engine")
DEPLOYMENT_KNOBS = frozenset(KNOB_NAMES - set(PLATFORM_KNOBS))
OUTCOME_WORDS = ("ok", "name_not_resolved", "connection_refused", "unreachable")
CONTRIBUTE = (
    "To contribute it: open an issue on the owui-lab repository titled 'truth grid: <your platform>' "
    "and attach the file (or open a pull request adding it to data/truth/). It holds no host name, "
    "user name or LAN address: read it first, it is plain JSON."
)


class RecordingError(OwuiLabError):
    """A truth recording does not follow the schema."""


# --------------------------------------------------------------------------------------------------
# Platform facts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformFacts:
    """The essentials of a daemon that decide how its networking behaves.

    Attributes:
        engine: "engine" (Docker Engine on Linux), "desktop", "rootless" or "podman".
        platform: the engine's ``Config.platform`` word: "linux" or "desktop".
        server_version: the daemon's version.
        api_version: the API version it speaks.
        operating_system: ``docker info``'s OperatingSystem ("Docker Desktop", "Debian GNU/Linux 12 ...").
        os_type: "linux" (or "windows" for Windows containers).
        architecture: "x86_64", "aarch64"...
        kernel: the daemon's kernel (``...-linuxkit`` or ``...-microsoft-standard-WSL2`` on Desktop).
        desktop_version: Docker Desktop's version ("4.37.1"), or None.
        docker0: the default bridge's gateway as the daemon reported it.
        userland_proxy: the daemon's userland-proxy setting, or None when it could not be seen.
        userland_proxy_source: how it was found out.
        desktop_host_networking: Docker Desktop's "Enable host networking", or None (not Desktop,
            or not seen).
        desktop_host_networking_source: how it was found out.
        rootless: the engine runs as a normal user (rootless Docker, rootless Podman), or None when
            not seen (recordings older than the engine knob).
        network_backend: Podman's network backend ("netavark", "cni"), rootless Docker's network
            driver ("slirp4netns"), "bridge" for a rootful Docker Engine, or "?".
        port_forwarder: what holds a published port on the host ("docker-proxy", "conmon",
            "rootlessport", "rootlesskit"), or "?" when not seen.
    """

    engine: str
    platform: str
    server_version: str
    api_version: str
    operating_system: str
    os_type: str
    architecture: str
    kernel: str
    desktop_version: str | None = None
    docker0: str | None = None
    userland_proxy: bool | None = None
    userland_proxy_source: str = "not seen"
    desktop_host_networking: bool | None = None
    desktop_host_networking_source: str = "not seen"
    rootless: bool | None = None
    network_backend: str = "?"
    port_forwarder: str = "?"

    @property
    def engine_knob(self) -> str:
        """The engine knob (``Config.engine``) this daemon is: docker, docker-rootless, podman-rootful/-rootless."""
        if self.engine == "podman":
            return "podman-rootless" if self.rootless else "podman-rootful"
        return "docker-rootless" if self.engine == "rootless" else "docker"

    def knobs(self) -> dict[str, Any]:
        """The engine's platform knobs these facts set (an unseen fact keeps the engine's default)."""
        out: dict[str, Any] = {"platform": self.platform, "engine": self.engine_knob}
        if self.userland_proxy is not None:
            out["userland_proxy"] = self.userland_proxy
        if self.platform == "desktop" and self.desktop_host_networking is not None:
            out["desktop_host_networking"] = self.desktop_host_networking
        return out

    @property
    def title(self) -> str:
        """One line for the learner: "Docker Desktop 4.37.1 (engine 27.4.0, linuxkit kernel ...)"."""
        names = {"engine": "Docker Engine", "desktop": "Docker Desktop", "rootless": "rootless Docker Engine",
                 "podman": "rootless Podman" if self.rootless else "Podman (rootful)" if self.rootless is False
                 else "Podman"}
        name = names.get(self.engine, self.engine)
        if self.desktop_version:
            return f"{name} {self.desktop_version} (engine {self.server_version}, kernel {self.kernel})"
        return f"{name} {self.server_version} on {self.operating_system} (kernel {self.kernel})"

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FACT_TYPES}


_FACT_TYPES: dict[str, tuple[type, ...]] = {
    "engine": (str,), "platform": (str,), "server_version": (str,), "api_version": (str,),
    "operating_system": (str,), "os_type": (str,), "architecture": (str,), "kernel": (str,),
    "desktop_version": (str, type(None)), "docker0": (str, type(None)),
    "userland_proxy": (bool, type(None)), "userland_proxy_source": (str,),
    "desktop_host_networking": (bool, type(None)), "desktop_host_networking_source": (str,),
    "rootless": (bool, type(None)), "network_backend": (str,), "port_forwarder": (str,),
}
#: Facts added with the engine knob: recordings made before it lack them (their defaults stand).
_LATER_FACTS = ("rootless", "network_backend", "port_forwarder")
_DESKTOP_VERSION = re.compile(r"Docker Desktop\s+(\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)


def platform_facts(
    info: Mapping[str, Any],
    version: Mapping[str, Any],
    docker0: str | None = None,
    userland_proxy: tuple[bool | None, str] = (None, "not seen"),
    desktop_host_networking: tuple[bool | None, str] = (None, "not seen"),
) -> PlatformFacts:
    """Read the platform's essentials from ``docker info`` and ``docker version`` payloads (pure).

    Read tolerantly: a field missing in this engine's version becomes "?".

    Args:
        info: ``docker info`` (the API's ``/info``).
        version: ``docker version`` (the API's ``/version``).
        docker0: the default bridge's gateway, when known.
        userland_proxy: (value, how it was seen), measured by the grid.
        desktop_host_networking: (value, how it was seen), measured by the grid on Docker Desktop.
    """
    daemon = parse_daemon_info(dict(info), dict(version), docker0)
    platform_name = str((version.get("Platform") or {}).get("Name") or "")
    match = _DESKTOP_VERSION.search(platform_name)
    return PlatformFacts(
        engine=daemon.kind,
        platform=daemon.platform,
        server_version=daemon.server_version,
        api_version=daemon.api_version,
        operating_system=daemon.operating_system,
        os_type=str(info.get("OSType") or version.get("Os") or "?"),
        architecture=str(info.get("Architecture") or version.get("Arch") or "?"),
        kernel=str(info.get("KernelVersion") or version.get("KernelVersion") or "?"),
        desktop_version=match.group(1) if match else None,
        docker0=docker0,
        userland_proxy=userland_proxy[0],
        userland_proxy_source=userland_proxy[1],
        desktop_host_networking=desktop_host_networking[0] if daemon.platform == "desktop" else None,
        desktop_host_networking_source=desktop_host_networking[1] if daemon.platform == "desktop"
        else "not Docker Desktop",
        rootless=daemon.rootless,
        network_backend=daemon.network_backend,
    )


# --------------------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------------------

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])")


class Redactor:
    """Scrubs a machine's personal facts out of text: host names, user names, home folders, LAN addresses.

    Replaced: the names and folders given, this machine's own addresses (``addresses``: its LAN and
    public ones) and any public (globally routable) address. Kept: loopback, and the private
    addresses of the lab's own containers and Docker's bridges (172.17.0.1, a lab network's
    192.168.x.y): they say nothing about the learner and the recording needs them.

    Args:
        host_names: this machine's names (``socket.gethostname()``, ``docker info``'s Name...).
        user_names: the user's names (login, ``OWUI_LAB_OWNER``).
        home_folders: home folder paths.
        addresses: this machine's own addresses outside Docker (its LAN and public addresses).
    """

    def __init__(self, host_names: Iterable[str] = (), user_names: Iterable[str] = (),
                 home_folders: Iterable[str] = (), addresses: Iterable[str] = ()) -> None:
        self._addresses = set()
        for a in addresses:
            try:
                ip = ipaddress.ip_address(str(a).split("%")[0])
            except ValueError:
                continue
            if not (ip.is_loopback or ip.is_unspecified):
                self._addresses.add(ip)
        # Longest first, so "alice-laptop.local" goes before "alice".
        self._words: list[tuple[str, str, str]] = []
        for kind, marker, values in (("home folder", "<home>", home_folders), ("host name", "<host>", host_names),
                                     ("user name", "<user>", user_names)):
            for value in values:
                value = (value or "").strip()
                if len(value) >= 2 and value not in ("/", "root", "localhost", "docker-desktop"):
                    self._words.append((value, marker, kind))
        self._words.sort(key=lambda w: -len(w[0]))
        self.redacted: set[str] = set()

    def text(self, value: str) -> str:
        """The text with every personal fact replaced by <host>, <user>, <home> or <address>."""
        out = value
        for word, marker, kind in self._words:
            pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)
            out, count = pattern.subn(marker, out)
            if count:
                self.redacted.add(kind)
        out = _IPV4.sub(self._address, out)
        out = _IPV6.sub(self._address, out)
        return out

    def _address(self, match: re.Match[str]) -> str:
        text = match.group(1)
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return text
        if ip in self._addresses or ip.is_global:
            self.redacted.add("LAN address")
            return "<address>"
        return text

    def value(self, value: Any) -> Any:
        """Scrub every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


# --------------------------------------------------------------------------------------------------
# Recordings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One configuration of a grid: its deployment knobs, the engine's word then, and what happened.

    Attributes:
        knobs: the deployment knobs (``Config`` fields except the platform knobs), non-default only.
        predicted: {"outcome", "browser"} as the engine said when recording.
        observed: {"outcome", "browser", "detail"} as the lab saw it.
    """

    knobs: dict[str, Any]
    predicted: dict[str, Any]
    observed: dict[str, Any]

    def config(self, facts: PlatformFacts) -> Config:
        """The full configuration: the deployment knobs, and the platform knobs the facts set."""
        return Config(**self.knobs, **facts.knobs())

    def to_dict(self) -> dict[str, Any]:
        return {"knobs": self.knobs, "predicted": self.predicted, "observed": self.observed}

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.knobs.items())


@dataclass(frozen=True)
class Recording:
    """One grid run on one platform (see the module's docstring)."""

    facts: PlatformFacts
    entries: tuple[Entry, ...]
    recorded_on: str  # a date (YYYY-MM-DD), nothing finer
    kit_version: str
    grid: str  # which grid: "linux", "desktop", "small" ...
    seconds: float
    partial: bool = False
    partial_reason: str = ""
    redacted: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "kit_version": self.kit_version,
            "recorded_on": self.recorded_on,
            "grid": self.grid,
            "seconds": round(self.seconds, 1),
            "partial": self.partial,
            "partial_reason": self.partial_reason,
            "privacy": {
                "redacted": list(self.redacted),
                "note": "Only the listed essentials of docker info/version are kept; host names, user "
                        "names, home folders and LAN addresses are replaced by <host>, <user>, <home>, "
                        "<address>.",
            },
            "platform": self.facts.to_dict(),
            "notes": list(self.notes),
            "configurations": [e.to_dict() for e in self.entries],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n"

    def write(self, path: str | Path) -> Path:
        """Write the recording (atomically: a half-written file never exists)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path


_TOP_KEYS = {"schema", "kit_version", "recorded_on", "grid", "seconds", "partial", "partial_reason", "privacy",
             "platform", "notes", "configurations"}
_ENTRY_KEYS = {"knobs", "predicted", "observed"}
_PREDICTED_KEYS = {"outcome", "browser"}
_OBSERVED_KEYS = {"outcome", "browser", "detail"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_recording(data: Any, source: str = "the recording") -> Recording:
    """Check a recording's JSON strictly against the schema and build it.

    Raises:
        RecordingError: naming the file, the configuration's index and the field that is wrong.
    """
    def fail(where: str, what: str) -> RecordingError:
        return RecordingError(
            f"{source}: {where} {what}.",
            "recordings are written by 'owui-lab lab grid'; fix the field or record the grid again.",
        )

    def keys(obj: Any, allowed: set[str], where: str) -> None:
        if not isinstance(obj, dict):
            raise fail(where, "is not an object")
        unknown, missing = sorted(set(obj) - allowed), sorted(allowed - set(obj))
        if unknown:
            raise fail(where, f"has unknown field(s) {', '.join(unknown)}")
        if missing:
            raise fail(where, f"lacks the field(s) {', '.join(missing)}")

    def typed(value: Any, types: tuple[type, ...], where: str) -> Any:
        # bool is an int in Python: never accept True for a number, nor 1 for a boolean.
        if isinstance(value, bool) and bool not in types:
            raise fail(where, f"is {value!r}, not {'/'.join(t.__name__ for t in types)}")
        if not isinstance(value, types):
            raise fail(where, f"is {value!r}, not {'/'.join(t.__name__ for t in types)}")
        return value

    keys(data, _TOP_KEYS, "the top level")
    if data["schema"] != SCHEMA:
        raise fail("'schema'", f"is {data['schema']!r}; this kit reads schema {SCHEMA}")
    for name in ("kit_version", "grid", "partial_reason"):
        typed(data[name], (str,), f"'{name}'")
    if not isinstance(data["recorded_on"], str) or not _DATE.fullmatch(data["recorded_on"]):
        raise fail("'recorded_on'", "is not a date YYYY-MM-DD")
    typed(data["seconds"], (int, float), "'seconds'")
    typed(data["partial"], (bool,), "'partial'")
    keys(data["privacy"], {"redacted", "note"}, "'privacy'")
    redacted = typed(data["privacy"]["redacted"], (list,), "'privacy.redacted'")
    notes = typed(data["notes"], (list,), "'notes'")
    for i, n in enumerate(notes):
        typed(n, (str,), f"notes[{i}]")
    missing_later = {n for n in _LATER_FACTS if isinstance(data["platform"], dict) and n not in data["platform"]}
    keys(data["platform"], set(_FACT_TYPES) - missing_later, "'platform'")
    for name, types in _FACT_TYPES.items():
        if name in data["platform"]:
            typed(data["platform"][name], types, f"'platform.{name}'")
    facts = PlatformFacts(**data["platform"])
    if facts.platform not in ("linux", "desktop"):
        raise fail("'platform.platform'", f"is {facts.platform!r}, not linux or desktop")
    entries = []
    configurations = typed(data["configurations"], (list,), "'configurations'")
    for i, raw in enumerate(configurations):
        where = f"configurations[{i}]"
        keys(raw, _ENTRY_KEYS, where)
        knobs = typed(raw["knobs"], (dict,), f"{where}.knobs")
        platform_knobs = sorted(set(knobs) & set(PLATFORM_KNOBS))
        if platform_knobs:
            raise fail(f"{where}.knobs", f"sets {', '.join(platform_knobs)}, which the platform facts decide")
        unknown = sorted(set(knobs) - DEPLOYMENT_KNOBS)
        if unknown:
            raise fail(f"{where}.knobs", f"has unknown knob(s) {', '.join(unknown)}")
        keys(raw["predicted"], _PREDICTED_KEYS, f"{where}.predicted")
        keys(raw["observed"], _OBSERVED_KEYS, f"{where}.observed")
        for part in ("predicted", "observed"):
            if raw[part]["outcome"] not in OUTCOME_WORDS:
                raise fail(f"{where}.{part}.outcome", f"is {raw[part]['outcome']!r}, not one of {', '.join(OUTCOME_WORDS)}")
            typed(raw[part]["browser"], (bool,), f"{where}.{part}.browser")
        typed(raw["observed"]["detail"], (str,), f"{where}.observed.detail")
        entry = Entry(knobs=dict(knobs), predicted=dict(raw["predicted"]), observed=dict(raw["observed"]))
        try:
            entry.config(facts)
        except ConfigError as exc:
            raise fail(f"{where}.knobs", f"are not a valid configuration ({exc.message})") from None
        entries.append(entry)
    if not entries and not data["partial"]:
        raise fail("'configurations'", "is empty in a recording that says it is complete")
    return Recording(
        facts=facts, entries=tuple(entries), recorded_on=data["recorded_on"], kit_version=data["kit_version"],
        grid=data["grid"], seconds=float(data["seconds"]), partial=data["partial"],
        partial_reason=data["partial_reason"], redacted=tuple(str(r) for r in redacted), notes=tuple(notes),
    )


def load_recording(path: str | Path) -> Recording:
    """Read and check one recording file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordingError(f"The recording {path} cannot be read ({exc.strerror}).", "check the path.") from None
    except ValueError as exc:
        raise RecordingError(f"The recording {path.name} is not JSON ({exc}).",
                             "recordings are written by 'owui-lab lab grid'; record the grid again.") from None
    return parse_recording(data, path.name)


def deployment_knobs(config: Config) -> dict[str, Any]:
    """A configuration's deployment knobs that differ from the defaults (what an entry records)."""
    default = Config()
    return {name: getattr(config, name) for name in sorted(DEPLOYMENT_KNOBS)
            if getattr(config, name) != getattr(default, name)}


def entry_for(config: Config, observed_outcome: str, observed_browser: bool, detail: str) -> Entry:
    """An entry for a configuration the lab observed, with the engine's prediction of it now."""
    verdict = evaluate(config)
    return Entry(
        knobs=deployment_knobs(config),
        predicted={"outcome": verdict.outcome, "browser": verdict.browser.reachable},
        observed={"outcome": observed_outcome, "browser": observed_browser, "detail": detail},
    )


@dataclass(frozen=True)
class Disagreement:
    """A configuration where the engine today predicts something other than what was observed."""

    source: str
    index: int
    entry: Entry
    predicted_outcome: str
    predicted_browser: bool

    def __str__(self) -> str:
        o = self.entry.observed
        return (f"{self.source} configurations[{self.index}] ({self.entry.describe()}): the engine predicts "
                f"{self.predicted_outcome} (browser {'reaches' if self.predicted_browser else 'does not reach'} "
                f"Open WebUI), the recording observed {o['outcome']} ({o['detail']}; browser "
                f"{'reached' if o['browser'] else 'did not reach'} it)")


def check(recording: Recording, source: str = "recording") -> list[Disagreement]:
    """The engine's predictions today against every observation of a recording."""
    out = []
    for i, entry in enumerate(recording.entries):
        verdict = evaluate(entry.config(recording.facts))
        if verdict.outcome != entry.observed["outcome"] or verdict.browser.reachable != entry.observed["browser"]:
            out.append(Disagreement(source, i, entry, verdict.outcome, verdict.browser.reachable))
    return out
