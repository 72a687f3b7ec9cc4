"""The engine's fix written into the person's own paste, shown as a diff.

Each fix is a set of knob changes (``fixes.fix_changes``); here each knob becomes an edit of what was
pasted: ``-e OLLAMA_BASE_URL=...`` on Open WebUI's ``docker run``, ``--add-host``, ``--network``, ``-p``
on the Ollama container, an ``OLLAMA_HOST`` line for the host's Ollama, the same keys in a compose file.
Commands are shown one flag a line (``\\`` continuations) so the diff shows only what changed.
"""

from __future__ import annotations

import difflib
import re
import shlex
from typing import Any, Sequence

import yaml

from .. import compose_file
from ..fixes import Change
from .command import _VALUED, RunCommand
from .compose import interpolate
from .reading import PastedSetup

_URL_KEYS = ("OLLAMA_BASE_URL", "OLLAMA_BASE_URLS", "OLLAMA_API_BASE_URL")


def _groups(run: RunCommand) -> list[str]:
    """The command's words as lines: ``docker run``, one flag (with its value) a line, then the image."""
    words = list(run.tokens)
    lines = [f"{run.engine} run"]
    i = 0
    while i < run.image_index:
        word = words[i]
        if word in _VALUED and i + 1 < run.image_index:
            lines.append(f"{word} {shlex.quote(words[i + 1])}")
            i += 2
        else:
            lines.append(shlex.quote(word) if "=" not in word else word.split("=", 1)[0] + "=" + shlex.quote(word.split("=", 1)[1]))
            i += 1
    lines.append(" ".join(shlex.quote(w) for w in words[run.image_index:]))
    return lines


def _render(groups: list[str]) -> list[str]:
    return [g + " \\" for g in groups[:-1]] + groups[-1:] if len(groups) > 1 else groups


def _drop(groups: list[str], flags: tuple[str, ...], key: str | None = None) -> list[str]:
    def matches(g: str) -> bool:
        flag = g.split("=", 1)[0].split(" ", 1)[0]
        if flag not in flags:
            return False
        if key is None:
            return True
        value = g[len(flag):].lstrip(" =").strip("'\"")
        return value.split("=", 1)[0].strip("'\"") == key
    return [g for g in groups if not matches(g)]


def _add(groups: list[str], line: str) -> list[str]:
    return groups[:-1] + [line] + groups[-1:]


def _set_env(groups: list[str], key: str, value: str, also: Sequence[str] = ()) -> list[str]:
    for k in (key, *also):
        groups = _drop(groups, ("-e", "--env"), k)
    return _add(groups, f"-e {shlex.quote(f'{key}={value}')}")


def edited(setup: PastedSetup, changes: Sequence[Change]) -> tuple[list[str], list[str]]:
    """The paste before and after the changes, as lines (commands, compose files, host lines)."""
    knobs = {k: v for ch in changes for k, v in ch.knobs}
    webui_id = setup.webui.id
    target = setup.reconstruction.target.container
    before: list[str] = []
    after: list[str] = []
    notes: list[str] = []
    runs = {c.id: r for c, r in zip(setup.containers, setup.runs)}
    for cid, run in runs.items():
        groups = _groups(run)
        new = list(groups)
        if cid == webui_id:
            if "base_url" in knobs:
                new = _set_env(new, "OLLAMA_BASE_URL", knobs["base_url"], _URL_KEYS[1:])
            if "add_host_ip" in knobs and knobs["add_host_ip"] is None:
                new = [g for g in new if not (g.startswith("--add-host") and "host.docker.internal" in g)]
            if knobs.get("add_host_gateway"):
                new = _add(new, "--add-host=host.docker.internal:host-gateway")
            if "webui_network" in knobs:
                new = _drop(new, ("--network", "--net"))
                if knobs["webui_network"] != "bridge":
                    new = _add(new, f"--network {knobs['webui_network']}")
        if target is not None and cid == target.id:
            if "ollama_network" in knobs:
                new = _drop(new, ("--network", "--net"))
                if knobs["ollama_network"] != "bridge":
                    new = _add(new, f"--network {knobs['ollama_network']}")
            if knobs.get("ollama_publish") == "all":
                new = _add(new, "-p 11434:11434")
            if "ollama_bind" in knobs:
                new = _set_env(new, "OLLAMA_HOST", f"{knobs['ollama_bind']}:11434")
        if knobs.get("ollama_network") and knobs.get("ollama_network") == knobs.get("webui_network") and cid == webui_id:
            after.append(f"docker network create {knobs['ollama_network']}")
        before += _render(groups)
        after += _render(new)
    compose_before, compose_after = _compose(setup, knobs)
    before += compose_before
    after += compose_after
    if "ollama_bind" in knobs and (target is None):
        host_lines = [line for text in _host_texts(setup) for line in text.split("\n")]
        before += host_lines
        bind = knobs["ollama_bind"]
        if any("ollama serve" in line for line in host_lines):
            after += [re.sub(r"^(\s*)(?:export\s+)?(?:OLLAMA_HOST=\S+\s+)?ollama serve", rf"\1OLLAMA_HOST={bind} ollama serve", line)
                      for line in host_lines if not re.match(r"\s*export\s+OLLAMA_HOST=", line)]
        else:
            kept = [line for line in host_lines if "OLLAMA_HOST" not in line and line.strip() != "[Service]"]
            after += kept + ["sudo systemctl edit ollama.service   # then add:", "[Service]",
                             f'Environment="OLLAMA_HOST={bind}"',
                             "sudo systemctl daemon-reload && sudo systemctl restart ollama"]
    if knobs.get("stored_url"):
        notes.append(f"# Open WebUI → Admin → Settings → Connections: set the Ollama URL to {knobs['stored_url']}")
    if knobs.get("desktop_host_networking"):
        notes.append("# Docker Desktop 4.34+: Settings → Resources → Network → Enable host networking, Apply & restart")
    if "ollama_publish" in knobs and target is None:
        notes.append("# and publish Ollama's port on its container: -p 11434:11434")
    return before, after + notes


def _host_texts(setup: PastedSetup) -> list[str]:
    return list(setup.paste.host)


def _compose(setup: PastedSetup, knobs: dict[str, Any]) -> tuple[list[str], list[str]]:
    texts = setup.paste.compose
    if not texts:
        return [], []
    model = yaml.safe_load(interpolate(texts[0], setup.paste.compose_env or {})) or {}
    before = compose_file.text(model).splitlines()
    services = model.get("services") or {}
    web = setup.webui.labels.get("com.docker.compose.service")
    spec = services.get(web)
    if isinstance(spec, dict):
        if "base_url" in knobs:
            env = spec.get("environment")
            if isinstance(env, list):
                env = [e for e in env if str(e).split("=", 1)[0] not in _URL_KEYS]
                env.append(f"OLLAMA_BASE_URL={knobs['base_url']}")
            else:
                env = {k: v for k, v in (env or {}).items() if k not in _URL_KEYS}
                env["OLLAMA_BASE_URL"] = knobs["base_url"]
            spec["environment"] = env
        if knobs.get("add_host_gateway"):
            spec.setdefault("extra_hosts", []).append("host.docker.internal:host-gateway")
    container = setup.reconstruction.target.container
    o_name = container.labels.get("com.docker.compose.service") if container is not None else None
    o_spec = services.get(o_name)
    if isinstance(o_spec, dict):
        if knobs.get("ollama_publish") == "all":
            o_spec.setdefault("ports", []).append("11434:11434")
        if "ollama_bind" in knobs:
            o_spec.setdefault("environment", {})
            if isinstance(o_spec["environment"], list):
                o_spec["environment"].append(f"OLLAMA_HOST={knobs['ollama_bind']}:11434")
            else:
                o_spec["environment"]["OLLAMA_HOST"] = f"{knobs['ollama_bind']}:11434"
    return before, compose_file.text(model).splitlines()


def fix_diff(setup: PastedSetup, changes: Sequence[Change]) -> str:
    """The fix as a unified diff of the person's own paste ("" when nothing in the paste changes)."""
    before, after = edited(setup, changes)
    return "\n".join(difflib.unified_diff(before, after, "what you pasted", "fixed", lineterm=""))
