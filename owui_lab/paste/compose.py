"""Compose files as people paste them, read into one ``ContainerFacts`` per service.

Where ``docker compose`` is installed, ``docker compose config --format json`` normalises the file(s)
exactly as Compose will run them (interpolation, merges, the project's default network); elsewhere
PyYAML reads them and ``${VAR}``, ``${VAR-default}`` and ``${VAR:-default}`` are filled in here. Both
land in the same reader, which knows the list and map forms of ``ports``, ``environment`` and
``extra_hosts``. A compose project puts every service without ``networks:`` on one user-defined
network, ``<project>_default``, which resolves service names: that is what ``--compose`` means.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from ..diagnosis.inspect import Attachment, ContainerFacts
from ..errors import ConfigError
from .command import _ports_of, _publish

PROJECT = "paste"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\$")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """``${VAR}``, ``${VAR-default}``, ``${VAR:-default}``, ``$VAR`` and ``$$`` as Compose fills them in."""
    def fill(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3) or ""
        value = env.get(name)
        if op == ":-" and not value:
            return default
        if op == "-" and value is None:
            return default
        return value or ""
    return _VAR.sub(fill, text)


def load(texts: Sequence[str], env: Mapping[str, str] | None = None, *, use_docker: bool = True) -> dict[str, Any]:
    """The compose model of one or more files (later files override earlier ones), normalised.

    Raises:
        ConfigError: a file is not YAML, or has no ``services``.
    """
    env = dict(os.environ if env is None else env)
    if use_docker and shutil.which("docker"):
        model = _docker_config(texts, env)
        if model is not None:
            return model
    merged: dict[str, Any] = {}
    for text in texts:
        try:
            data = yaml.safe_load(interpolate(text, env))
        except yaml.YAMLError as exc:
            raise ConfigError(f"The compose file is not valid YAML: {str(exc).splitlines()[0]}.",
                              "paste the file as it is on disk (spaces, not tabs, for indentation).") from None
        if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
            raise ConfigError("The compose file has no services: section.",
                              "paste the whole compose file, starting at services: (or version:).")
        _merge(merged, data)
    return merged


def _merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    # Compose's override rule, simplified: maps merge, lists of ports/extra_hosts/env append.
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + [v for v in value if v not in into[key]]
        else:
            into[key] = value


def _docker_config(texts: Sequence[str], env: Mapping[str, str]) -> dict[str, Any] | None:
    """``docker compose config`` over the files, or None when it cannot (old CLI, a file it refuses)."""
    with tempfile.TemporaryDirectory(prefix="owui-lab-paste-") as tmp:
        args = ["docker", "compose", "-p", PROJECT]
        for i, text in enumerate(texts):
            path = Path(tmp) / f"compose{i}.yaml"
            path.write_text(text, encoding="utf-8")
            args += ["-f", str(path)]
        try:
            done = subprocess.run(args + ["config", "--format", "json"], capture_output=True, text=True,
                                  timeout=20, env={**env, "COMPOSE_PROJECT_NAME": PROJECT}, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired):
            return None
    if done.returncode != 0:
        return None
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("services"), dict) else None


def read_compose(texts: Sequence[str], env: Mapping[str, str] | None = None, *,
                 use_docker: bool = True) -> list[ContainerFacts]:
    """One ``ContainerFacts`` per service, as ``docker inspect`` would show the running stack.

    Args:
        texts: the compose file(s), as text.
        env: the variables for interpolation (default: this process's environment).
        use_docker: normalise with ``docker compose config`` where it exists.
    """
    model = load(texts, env, use_docker=use_docker)
    top_networks = model.get("networks") or {}
    out = []
    for service, spec in model["services"].items():
        spec = spec if isinstance(spec, dict) else {}
        mode = str(spec.get("network_mode") or "")
        names = _service_networks(spec.get("networks"))
        if mode in ("", "bridge") and not names and mode != "bridge":
            names = {"default": []}
        attachments = tuple(
            Attachment(network=_network_name(n, top_networks), aliases=tuple(a))
            for n, a in names.items()
        )
        if mode == "host" or mode == "none" or mode.startswith(("container:", "service:")):
            attachments = ()
        ports = []
        for p in spec.get("ports") or []:
            ports.extend(_port(p))
        labels = {"com.docker.compose.project": PROJECT, "com.docker.compose.service": str(service)}
        out.append(ContainerFacts(
            id="", name=str(spec.get("container_name") or f"{PROJECT}-{service}-1"), image=str(spec.get("image") or ""),
            running=True, status="running",
            network_mode=mode or (attachments[0].network if attachments else "bridge"),
            networks=attachments, extra_hosts=tuple(_extra_hosts(spec.get("extra_hosts"))),
            env=_environment(spec.get("environment")), ports=tuple(ports),
            exposed=tuple(n for e in spec.get("expose") or [] for n in _ports_of(str(e))), labels=labels,
        ))
    return out


def _service_networks(value: Any) -> dict[str, list[str]]:
    if isinstance(value, list):
        return {str(n): [] for n in value}
    if isinstance(value, dict):
        return {str(n): [str(a) for a in ((v or {}).get("aliases") or [])] if isinstance(v, dict) else []
                for n, v in value.items()}
    return {}


def _network_name(key: str, top: Mapping[str, Any]) -> str:
    spec = top.get(key) if isinstance(top, dict) else None
    if isinstance(spec, dict) and spec.get("name"):
        return str(spec["name"])
    return f"{PROJECT}_{key}"


def _port(value: Any):
    if isinstance(value, int):
        return _publish(str(value))
    if isinstance(value, dict):  # the long form, and what docker compose config prints
        target = value.get("target")
        published = str(value.get("published") or "")
        spec = f"{value.get('host_ip') + ':' if value.get('host_ip') else ''}{published + ':' if published else ''}{target}"
        return _publish(f"{spec}/{value.get('protocol') or 'tcp'}")
    return _publish(str(value))


def _extra_hosts(value: Any) -> list[tuple[str, str]]:
    items = value.items() if isinstance(value, dict) else (
        (e.partition("=")[0], e.partition("=")[2]) if "=" in str(e) else (str(e).partition(":")[0], str(e).partition(":")[2])
        for e in (value or []))
    out = []
    for name, address in items:
        address = address[0] if isinstance(address, list) and address else address
        out.append((str(name).strip(), str(address).strip().strip("[]")))
    return out


def _environment(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out = {}
    for entry in value or []:
        key, sep, val = str(entry).partition("=")
        if sep:
            out[key] = val
    return out
