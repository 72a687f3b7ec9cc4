"""``docker run`` and ``podman run`` lines as people paste them, read into ``ContainerFacts``.

Quoting follows the shell (``shlex``); a line ending in ``\\`` (bash) or a backtick (PowerShell) goes on
on the next line, and so does a line that starts with a flag (Unraid's template prints one flag a line).
Only the flags that change how Open WebUI reaches Ollama are read; every other flag is listed as ignored
so nothing the person typed disappears silently.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace

from ..diagnosis.inspect import Attachment, ContainerFacts, PublishedPort
from ..errors import ConfigError

#: Flags that take a value, read or not (``-d`` and friends take none).
_VALUED = {
    "-p", "--publish", "--network", "--net", "--add-host", "-e", "--env", "--env-file", "--name",
    "-v", "--volume", "--restart", "-l", "--label", "--gpus", "--device", "--mount", "-w", "--workdir",
    "-u", "--user", "--entrypoint", "-h", "--hostname", "--ip", "--dns", "--cpus", "-m", "--memory",
    "--health-cmd", "--log-driver", "--log-opt", "--pull", "--platform", "--runtime", "--shm-size",
    "--ulimit", "--cap-add", "--cap-drop", "--security-opt", "--network-alias", "--expose",
    "--label-file", "--tmpfs", "--userns", "--pid", "--ipc", "--uts", "--stop-signal", "--stop-timeout",
    "--group-add", "--cidfile", "--device-cgroup-rule",
}
_READ = {"-p", "--publish", "--network", "--net", "--add-host", "-e", "--env", "--env-file", "--name",
         "--expose", "--network-alias"}
_START = re.compile(r"^(sudo\s+)?(docker|podman)(\s+container)?\s+(run|create)\b")


@dataclass(frozen=True)
class RunCommand:
    """One pasted ``docker run`` line, read.

    Attributes:
        text: the command as pasted (continuations joined).
        engine: "docker" or "podman".
        tokens: the words after ``run``/``create``, shell quoting removed.
        facts: the container it starts, in the doctor's terms.
        ignored: flags read past because they do not change the path to Ollama (``-d``, ``-v`` ...).
        env_files: ``--env-file`` paths (their contents are not in the paste: nothing is read from them).
        sudo: the line starts with ``sudo`` (Podman run as root, not rootless).
    """

    text: str
    engine: str
    tokens: tuple[str, ...]
    facts: ContainerFacts
    ignored: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    image_index: int = field(default=-1, compare=False)
    sudo: bool = False


def join_continuations(text: str) -> str:
    """The paste with shell line continuations joined: ``\\`` (bash, zsh) and a backtick (PowerShell)."""
    text = text.replace("\r\n", "\n")
    text = re.sub(r"[\\`][ \t]*\n", " ", text)
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if out and stripped.startswith("-") and out[-1].strip():
            out[-1] += " " + stripped  # one flag a line (Unraid), with no continuation mark
        else:
            out.append(line)
    return "\n".join(out)


def split_commands(text: str) -> list[str]:
    """The ``docker run`` / ``podman run`` commands in a paste, one string each (other lines dropped)."""
    found = []
    for line in join_continuations(text).split("\n"):
        line = line.strip().lstrip("$").strip()
        for part in re.split(r"\s*(?:&&|;)\s*", line):
            if _START.match(part):
                found.append(part)
    return found


def parse_run(text: str) -> RunCommand:
    """Read one ``docker run`` / ``podman run`` line.

    Args:
        text: the command, with or without ``sudo``; continuations allowed.

    Raises:
        ConfigError: the text is not a ``docker run`` line, its quoting is broken, or it names no image.
    """
    joined = " ".join(join_continuations(text).split("\n")).strip().lstrip("$").strip()
    match = _START.match(joined)
    if not match:
        raise ConfigError(
            f"{_short(joined)!r} is not a docker run or podman run command.",
            "paste the whole line you ran, starting with docker run (or podman run), e.g. "
            "docker run -d -p 3000:8080 ghcr.io/open-webui/open-webui:main.",
        )
    try:
        words = shlex.split(joined[match.end():], posix=True)
    except ValueError as exc:
        raise ConfigError(
            f"The command {_short(joined)!r} cannot be split into words: {exc} (a quote is not closed).",
            "paste the command exactly as you ran it; close every ' and \" quote.",
        ) from None
    return replace(_read_words(joined, match.group(2), words), sudo=bool(match.group(1)))


def _read_words(text: str, engine: str, words: list[str]) -> RunCommand:
    name = ""
    network = "bridge"
    env: dict[str, str] = {}
    ports: list[PublishedPort] = []
    hosts: list[tuple[str, str]] = []
    exposed: list[int] = []
    aliases: list[str] = []
    ignored: list[str] = []
    env_files: list[str] = []
    labels: dict[str, str] = {}
    image = ""
    image_index = -1
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-") or word == "-":
            image, image_index = word, i
            break
        flag, eq, value = word.partition("=")
        if flag not in _VALUED and not flag.startswith("--"):
            flag, value, eq = word[:2], word[2:], "x" if len(word) > 2 else ""
            if flag not in _VALUED:
                ignored.append(word)
                i += 1
                continue
        if flag in _VALUED and not eq:
            if i + 1 >= len(words):
                raise ConfigError(f"{flag} at the end of the command has no value.",
                                  f"give it one, e.g. {flag} {'3000:8080' if flag in ('-p', '--publish') else 'VALUE'}.")
            value = words[i + 1]
            i += 1
        i += 1
        if flag not in _READ:
            ignored.append(f"{flag} {value}".strip() if flag in _VALUED else flag)
            if flag in ("-l", "--label"):
                key, _, val = value.partition("=")
                labels[key] = val
            continue
        if flag in ("-p", "--publish"):
            ports.extend(_publish(value))
        elif flag in ("--network", "--net"):
            network = "bridge" if value == "default" else value
        elif flag == "--add-host":
            host, sep, address = value.partition("=") if "=" in value else value.partition(":")
            hosts.append((host.strip(), address.strip().strip("[]")))
        elif flag in ("-e", "--env"):
            key, sep, val = value.partition("=")
            if sep:
                env[key] = val
            else:
                ignored.append(f"{flag} {value} (taken from your shell, which the paste does not show)")
        elif flag == "--env-file":
            env_files.append(value)
        elif flag == "--name":
            name = value
        elif flag == "--expose":
            exposed.extend(_ports_of(value))
        elif flag == "--network-alias":
            aliases.append(value)
    if not image:
        raise ConfigError(
            f"The command {_short(text)!r} names no image.",
            "paste the whole command, up to the image (e.g. ghcr.io/open-webui/open-webui:main).",
        )
    rest = words[image_index + 1:]
    if rest:
        ignored.append("the image's command: " + " ".join(rest))
    networks: tuple[Attachment, ...] = ()
    if network not in ("host", "none") and not network.startswith("container:"):
        networks = (Attachment(network=network, aliases=tuple(aliases)),)
    facts = ContainerFacts(
        id="", name=name, image=image, running=True, status="running", network_mode=network,
        networks=networks, extra_hosts=tuple(hosts), env=env, ports=tuple(ports),
        exposed=tuple(exposed), labels=labels,
    )
    return RunCommand(text=text, engine=engine, tokens=tuple(words), facts=facts, ignored=tuple(ignored),
                      env_files=tuple(env_files), image_index=image_index)


def _ports_of(value: str) -> list[int]:
    number = value.split("/", 1)[0]
    if "-" in number:
        low, _, high = number.partition("-")
        if low.isdigit() and high.isdigit():
            return list(range(int(low), int(high) + 1))
    return [int(number)] if number.isdigit() else []


def _publish(value: str) -> list[PublishedPort]:
    """``-p [ip:][host_port:]container_port[/proto]`` as Docker reads it (IPv6 in brackets)."""
    spec, _, proto = value.partition("/")
    ip = ""
    if spec.startswith("["):
        ip, _, spec = spec[1:].partition("]")
        spec = spec.lstrip(":")
    parts = spec.split(":")
    if len(parts) == 3:
        ip, host_port, container = parts
    elif len(parts) == 2:
        host_port, container = parts
    else:
        host_port, container = "", parts[0]
    if not container.isdigit() or (host_port and not host_port.isdigit()):
        raise ConfigError(
            f"-p {value} is not a port mapping Docker reads.",
            "write it as HOST_PORT:CONTAINER_PORT, e.g. -p 3000:8080 or -p 127.0.0.1:11434:11434.",
        )
    host_ip = "" if ip in ("", "0.0.0.0", "::") else ip
    return [PublishedPort(int(container), proto or "tcp", host_ip, int(host_port or 0))]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
