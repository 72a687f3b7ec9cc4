"""The engine's fix written into the person's own paste, shown as a diff.

Each fix is a set of knob changes (``fixes.fix_changes``); here each knob becomes an edit of what was
pasted: ``-e OLLAMA_BASE_URL=...`` on Open WebUI's ``docker run``, ``--add-host``, ``--network``, ``-p``
on the Ollama container, an ``OLLAMA_HOST`` line for the host's Ollama, the same keys in a compose file.
Commands are shown one flag a line (``\\`` continuations) so the diff shows only what changed.
"""

from __future__ import annotations

import difflib
import io
import re
import shlex
from typing import Any, Sequence

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..fixes import Change
from .command import _VALUED, RunCommand
from .compose import PROJECT
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
    """The person's compose file as they wrote it, and edited in place: comments, quoting, ``${VAR}``
    references, key order and indentation stay (a round trip through ruamel.yaml); only the fix's lines
    change. A file ruamel.yaml cannot read back gets no diff (the fixes are still said in words)."""
    texts = setup.paste.compose
    if not texts:
        return [], []
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never re-wrap a long line
    round_trip.indent(**_indents(texts[0]))
    try:
        model = round_trip.load(texts[0])
    except YAMLError:
        return [], []
    services = (model or {}).get("services") if isinstance(model, dict) else None
    if not isinstance(services, dict):
        return [], []
    web = services.get(setup.webui.labels.get("com.docker.compose.service"))
    if isinstance(web, dict):
        if "base_url" in knobs:
            _set_compose_env(web, "OLLAMA_BASE_URL", knobs["base_url"], _URL_KEYS[1:])
        if knobs.get("add_host_gateway"):
            _add_compose_entry(web, "extra_hosts", "host.docker.internal", "host-gateway")
        if "webui_network" in knobs:
            _set_compose_network(model, web, knobs["webui_network"])
    container = setup.reconstruction.target.container
    ollama = services.get(container.labels.get("com.docker.compose.service")) if container is not None else None
    if isinstance(ollama, dict):
        if knobs.get("ollama_publish") == "all":
            ports = ollama.setdefault("ports", [])
            ports.append(DoubleQuotedScalarString("11434:11434"))  # quoted, as Compose's docs advise for ports
        if "ollama_bind" in knobs:
            _set_compose_env(ollama, "OLLAMA_HOST", f"{knobs['ollama_bind']}:11434", ())
        if "ollama_network" in knobs:
            _set_compose_network(model, ollama, knobs["ollama_network"])
    written = io.StringIO()
    round_trip.dump(model, written)
    before, after = texts[0].splitlines(), written.getvalue().splitlines()
    return before, _as_the_author_indented(before, after)


def _as_the_author_indented(before: list[str], after: list[str]) -> list[str]:
    """``after`` with every line it did not change in the author's own indentation (ruamel.yaml writes one
    indentation; a file may mix several): a changed line takes the indentation of the line it replaces, a new
    list item that of the item above it. Kept only where it reads back the same as ruamel.yaml's text."""
    matcher = difflib.SequenceMatcher(a=[line.strip() for line in before], b=[line.strip() for line in after],
                                      autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(before[i1:i2])
            continue
        for k, j in enumerate(range(j1, j2)):
            line = after[j]
            if tag == "replace" and i1 + k < i2:
                line = " " * _indent(before[i1 + k]) + line.lstrip()
            elif (out and j > 0 and line.lstrip().startswith("- ") and after[j - 1].lstrip().startswith("- ")
                  and _indent(after[j - 1]) == _indent(line)):
                line = " " * _indent(out[-1]) + line.lstrip()
            out.append(line)
    try:
        same = yaml.safe_load("\n".join(out)) == yaml.safe_load("\n".join(after))
    except yaml.YAMLError:
        same = False
    return out if same else after


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indents(text: str) -> dict[str, int]:
    """The file's own indentation, for ruamel.yaml: a nested key's step, and where a list's dash sits
    under its key (``ports:`` then ``  - ...`` is offset 2, ``- ...`` right under it is 0)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping, offset = None, None
    for parent, line in zip(lines, lines[1:]):
        if not parent.rstrip().endswith(":"):
            continue
        step = _indent(line) - _indent(parent)
        if line.lstrip().startswith("- ") and offset is None and step >= 0:
            offset = step
        elif not line.lstrip().startswith("- ") and mapping is None and step > 0:
            mapping = step
    mapping, offset = mapping or 2, offset or 0
    return {"mapping": mapping, "sequence": offset + 2, "offset": offset}


def _set_compose_env(spec: Any, key: str, value: str, also_drop: Sequence[str]) -> None:
    """``key=value`` in a service's environment, list or map form, in the place of an old ``key`` (or last);
    the keys ``also_drop`` go."""
    env = spec.get("environment")
    if env is None:
        spec["environment"] = [f"{key}={value}"]
    elif isinstance(env, list):
        names = [str(e).split("=", 1)[0] for e in env]
        for i in reversed([i for i, name in enumerate(names) if name in also_drop]):
            del env[i]
            del names[i]
        if key in names:
            env[names.index(key)] = f"{key}={value}"
        else:
            env.append(f"{key}={value}")
    elif isinstance(env, dict):
        for name in [name for name in env if name in also_drop]:
            del env[name]
        env[key] = value


def _set_compose_network(model: Any, spec: Any, network: str) -> None:
    """A service on ``network``: ``network_mode: host`` (its ports go: host networking publishes nothing), the
    project's default network (no key), or a network of the file's own (created by Compose)."""
    if network in ("host", "bridge"):
        spec["network_mode"] = network
        for key in ("networks", "ports") if network == "host" else ("networks",):
            spec.pop(key, None)
        return
    spec.pop("network_mode", None)
    name = network.removeprefix(f"{PROJECT}_")
    if name == "default":
        spec.pop("networks", None)
        return
    spec["networks"] = [name]
    top = model.get("networks")
    if not isinstance(top, dict):
        model["networks"] = top = {}
    if name not in top and not any(isinstance(v, dict) and v.get("name") == network for v in top.values()):
        top[name] = {}


def _add_compose_entry(spec: Any, field: str, name: str, value: str) -> None:
    """``name:value`` in a list field (``extra_hosts``), or ``name: value`` in its map form."""
    entries = spec.setdefault(field, [])
    if isinstance(entries, dict):
        entries[name] = value
    elif f"{name}:{value}" not in entries:
        entries.append(f"{name}:{value}")


def fix_diff(setup: PastedSetup, changes: Sequence[Change]) -> str:
    """The fix as a unified diff of the person's own paste ("" when nothing in the paste changes)."""
    before, after = edited(setup, changes)
    return "\n".join(difflib.unified_diff(before, after, "what you pasted", "fixed", lineterm=""))
