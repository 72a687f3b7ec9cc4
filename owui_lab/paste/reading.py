"""A whole paste (commands, compose files, host Ollama lines) into one ``Config``, by the doctor's path.

The pasted containers become the same ``ContainerFacts`` that ``docker inspect`` gives, and
``diagnosis.reconstruct`` turns them into a ``Config`` exactly as it does for running containers: which
Ollama the base URL is meant for, the knobs, what the model cannot express. What the paste leaves
unsaid is assumed out loud: the platform, where Ollama runs, its ``OLLAMA_HOST``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Sequence

from ..config import ENGINES, Config, parse_ollama_host
from ..diagnosis.inspect import (ContainerFacts, HostOllama, base_urls, is_bundled, is_webui_image, looks_like_ollama,
                                 looks_like_webui)
from ..diagnosis.reconstruct import Reconstruction, check_url, reconstruct
from ..docker_api import DaemonInfo
from ..errors import ConfigError
from .command import RunCommand, parse_run, split_commands
from .compose import read_compose
from .host import host_bind

#: How a platform a person names is modelled, and what the kit says about it.
PLATFORMS = {
    "linux": ("linux", ""),
    "desktop": ("desktop", ""),
    "wsl2-engine": ("linux", "Docker Engine inside WSL 2 is modelled as Docker Engine on Linux (from the docs, "
                    "not recorded: this machine has no WSL 2); Windows itself is one more NAT away"),
}


@dataclass(frozen=True)
class Paste:
    """What a person pasted.

    Attributes:
        commands: ``docker run`` / ``podman run`` lines (a text may hold several).
        compose: compose files, as text (later ones override earlier ones, like ``-f a -f b``).
        host: lines about the host's Ollama (``OLLAMA_HOST=0.0.0.0 ollama serve``, systemd lines).
        platform: "linux", "desktop" or "wsl2-engine"; None when the person did not say.
        engine: the container engine on Linux (``Config.engine``); None: read from the commands (``podman
            run`` is rootless Podman, ``sudo podman run`` Podman run as root, anything else Docker Engine).
        stored_url: the URL Open WebUI saved in its database (Admin → Settings → Connections), when known.
        compose_env: variables for the compose file's ``${...}`` (None: this process's environment).
    """

    commands: tuple[str, ...] = ()
    compose: tuple[str, ...] = ()
    host: tuple[str, ...] = ()
    platform: str | None = None
    engine: str | None = None
    stored_url: str | None = None
    compose_env: dict[str, str] | None = None
    use_docker_compose: bool = True


@dataclass(frozen=True)
class PastedSetup:
    """A paste, read: the configuration and everything said about how it was read.

    Attributes:
        config: the configuration (None when the model cannot express it; ``unexpressed`` says why).
        reconstruction: the doctor's reading of the Open WebUI container's base URL.
        runs: the ``docker run`` lines, read.
        containers: every pasted container (compose services included).
        webui: the Open WebUI container.
        assumptions: what the paste left unsaid and the kit assumed.
        ignored: flags read past.
        unexpressed: what the model cannot express about this setup.
        paste: what was pasted.
    """

    config: Config | None
    reconstruction: Reconstruction
    runs: tuple[RunCommand, ...]
    containers: tuple[ContainerFacts, ...]
    webui: ContainerFacts
    assumptions: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    unexpressed: tuple[str, ...] = field(default=())
    paste: Paste = field(default_factory=Paste)


def read_paste(paste: Paste) -> PastedSetup:
    """Read a paste into a configuration, by the doctor's own path.

    Raises:
        ConfigError: nothing to read, a command that is not ``docker run``, no Open WebUI container, or an
            unknown platform.
    """
    assumptions: list[str] = []
    ignored: list[str] = []
    runs: list[RunCommand] = []
    for text in paste.commands:
        found = split_commands(text)
        if not found and text.strip().startswith(("docker ", "podman ", "sudo ")):
            ignored.append(f"{text.strip()} (not a run command: what it creates shows in the run commands' flags)")
            continue
        runs.extend(parse_run(cmd) for cmd in found or [text])
    containers = [r.facts for r in runs]
    for r in runs:
        who = r.facts.name or r.facts.image
        ignored.extend(f"{who}: {flag}" for flag in r.ignored)
        for path in r.env_files:
            assumptions.append(f"{who}: --env-file {path} is not in the paste; its variables are not known")
    if paste.compose:
        containers.extend(read_compose(list(paste.compose), paste.compose_env, use_docker=paste.use_docker_compose))
    if not containers:
        raise ConfigError("Nothing to read: the paste has no docker run command and no compose file.",
                          "pass --from-command \"docker run ...\" (once per command) or --compose-file FILE.")
    index = next((i for i, c in enumerate(containers) if looks_like_webui(c) or _old_webui(c.image)), None)
    if index is None:
        raise ConfigError(
            "None of the pasted containers is Open WebUI (no ghcr.io/open-webui/open-webui image, no OLLAMA_BASE_URL).",
            "paste the command that starts Open WebUI too.",
        )
    containers = [_named(c, i) for i, c in enumerate(containers)]
    webui = containers[index]
    podman = (paste.engine or "").startswith("podman") or any(r.engine == "podman" for r in runs)
    platform, note = _platform(paste.platform, assumptions, podman=podman)
    if note:
        assumptions.append(note)
    env = dict(webui.env)
    bundled = is_bundled(webui)
    if bundled:
        env.setdefault("USE_OLLAMA_DOCKER", "true")
    urls = base_urls(env, official_image=is_webui_image(webui.image) or _old_webui(webui.image))
    url = urls.urls[0] if urls.urls else ""
    env_url = url
    if paste.stored_url:
        assumptions.append(f"Open WebUI uses the URL saved in its database ({paste.stored_url}), not "
                           f"{urls.source} ({url}): the saved one wins while the data volume is kept")
        url = paste.stored_url
    elif urls.source not in ("OLLAMA_BASE_URL", "OLLAMA_BASE_URLS"):
        assumptions.append(f"Open WebUI's Ollama URL comes from {urls.source}: {url}")
    assumptions.extend(urls.notes)
    host = _host_ollama(paste, containers, webui, bundled, assumptions)
    engine = _engine(paste.engine, runs, platform, assumptions)
    _refused_by_podman(engine, runs)
    kind = DAEMON_KINDS[engine] if platform == "linux" else "desktop"
    daemon = DaemonInfo(platform=platform, kind=kind, server_version="", api_version="", operating_system="",
                        docker0="172.17.0.1", podman_rootless=engine == "podman-rootless")
    rec = reconstruct(url, webui, containers, daemon, host, desktop_host_networking=False if platform == "desktop" else None)
    unexpressed = list(rec.unexpressed)
    config = rec.config
    if paste.stored_url and config is not None and check_url(env_url)[0]:
        config = config.replace(stored_url=config.base_url, base_url=check_url(env_url)[0])
    if rec.config is not None and rec.config.parsed_base_url.is_ip and rec.target.where != "container" and \
            not ipaddress.ip_address(rec.config.parsed_base_url.host).is_loopback and \
            rec.config.parsed_base_url.host != "172.17.0.1":
        assumptions.append(f"{rec.config.parsed_base_url.host} is no container of the paste: if it is this machine's "
                           "own address, say so with --host-address (the sandbox: the same knob); another machine "
                           "is outside the kit's model")
    unexpressed.extend(_collisions(containers, host))
    if rec.url_problem:
        unexpressed.append(rec.url_problem)
    return PastedSetup(
        config=config, reconstruction=rec, runs=tuple(runs), containers=tuple(containers),
        webui=webui, assumptions=tuple(dict.fromkeys(assumptions + list(rec.assumptions))),
        ignored=tuple(ignored), unexpressed=tuple(dict.fromkeys(unexpressed)), paste=paste,
    )


def paste_from_text(text: str, platform: str | None = None) -> Paste:
    """One box's text sorted into a ``Paste``: a compose file, ``docker run`` lines, host Ollama lines.

    A text with a top-level ``services:`` is a compose file (any run lines around it are read too); every
    ``docker run``/``podman run`` is a command; the remaining lines that set or start Ollama describe the
    host's Ollama.
    """
    text = text or ""
    compose = (text,) if re.search(r"(?m)^services:\s*$", text) else ()
    commands = tuple(split_commands(text)) if not compose else ()
    rest = [line for line in text.split("\n") if not split_commands(line)] if not compose else []
    host = tuple(line for line in rest if "OLLAMA_HOST" in line or "ollama serve" in line)
    return Paste(commands=commands, compose=compose, host=host, platform=platform)


def _collisions(containers: Sequence[ContainerFacts], host: HostOllama | None) -> list[str]:
    """Published ports that collide with the host's Ollama: the second to bind fails ("address already in use")."""
    out = []
    if host is None:
        return out
    for c in containers:
        for p in c.ports:
            if p.host_port == host.port and p.protocol == "tcp" and (p.all_addresses or p.loopback_only or host.docker0):
                out.append(
                    f"'{c.name}' publishes {p.flag()}, the port the host's Ollama listens on ({host.port}): whichever "
                    "starts second fails with 'bind: address already in use' (Ollama's 'listen tcp ... address "
                    "already in use', or Docker's 'port is already allocated'); drop that -p"
                )
    return out


def _named(c: ContainerFacts, index: int) -> ContainerFacts:
    """A container with an id (and a name, as Docker would invent one), so the doctor's reader can tell them apart."""
    from dataclasses import replace

    if c.id:
        return c
    return replace(c, id=f"pasted{index:06d}" + "0" * 58, name=c.name or f"pasted-{index}")


def _old_webui(image: str) -> bool:
    """The project's image before its rename (ghcr.io/ollama-webui/ollama-webui), still in old compose files."""
    return image.split(":", 1)[0].endswith("ollama-webui/ollama-webui")


def _platform(named: str | None, assumptions: list[str], podman: bool = False) -> tuple[str, str]:
    if named is None:
        assumptions.append("the paste does not say which platform: assumed " + (
            "Podman on Linux" if podman else "Docker Engine on Linux (rootful)")
            + "; pass --platform desktop for Docker Desktop")
        return "linux", ""
    if named not in PLATFORMS:
        raise ConfigError(f"--platform {named!r} is not a platform the paste reader knows.",
                          f"use one of: {', '.join(PLATFORMS)}.")
    return PLATFORMS[named]


#: ``Config.engine`` → the kind of daemon the doctor's reader expects (``docker_api.DaemonInfo.kind``): the
#: inverse of ``DaemonInfo.engine_knob`` (``tests/test_paste.py`` checks they round-trip).
DAEMON_KINDS = {"docker": "engine", "docker-rootless": "rootless",
                "podman-rootful": "podman", "podman-rootless": "podman"}


def _engine(named: str | None, runs: Sequence[RunCommand], platform: str, assumptions: list[str]) -> str:
    """The engine the commands ran on: as named, else read from them (``podman run``: Podman's rules)."""
    if named is not None:
        if named not in ENGINES:
            raise ConfigError(f"--engine {named!r} is not an engine the kit knows.",
                              f"use one of: {', '.join(ENGINES)}.")
        return named
    podman = [r for r in runs if r.engine == "podman"]
    if not podman or platform != "linux":
        return "docker"
    if any(r.sudo for r in podman):
        assumptions.append("sudo podman run: Podman run as root (pass --engine podman-rootless if it was not)")
        return "podman-rootful"
    assumptions.append("podman run without sudo: assumed rootless Podman, as your own user (pass --engine "
                       "podman-rootful if you ran it as root)")
    return "podman-rootless"


def _refused_by_podman(engine: str, runs: Sequence[RunCommand]) -> None:
    """A run line Podman 4.3 refuses as a whole: nothing starts, so there is nothing to predict.

    Every line counts on Podman, ``docker run`` too: Fedora's podman-docker makes ``docker`` run Podman.
    """
    if not engine.startswith("podman"):
        return
    for r in runs:
        if any(address == "host-gateway" for _name, address in r.facts.extra_hosts):
            raise ConfigError(
                f"{r.engine} run refuses this line ({r.facts.name or r.facts.image}) on Podman: Podman 4.3 does not "
                "know host-gateway (it says: Error: invalid IP address in add-host: \"host-gateway\"), so no "
                "container starts. Podman 5.3+ accepts it (from the docs, not recorded).",
                "drop --add-host=...:host-gateway: Podman writes host.containers.internal for you, so use "
                "OLLAMA_BASE_URL=http://host.containers.internal:11434.")


def _host_ollama(paste: Paste, containers: Sequence[ContainerFacts], webui: ContainerFacts, bundled: bool,
                 assumptions: list[str]) -> HostOllama | None:
    bind, how = host_bind(list(paste.host)) if paste.host else (None, "")
    if bind is None:
        if bundled or any(looks_like_ollama(c) for c in containers if c is not webui):
            return None
        bind = "127.0.0.1"
        assumptions.append("the paste does not say where Ollama runs: assumed a native Ollama on the host with "
                           "its default OLLAMA_HOST (127.0.0.1:11434, as the Linux installer's systemd service runs it)")
    else:
        assumptions.append(f"the host's Ollama listens per {how}")
    listen = parse_ollama_host(bind)
    loopback = listen.all_addresses or listen.loopback_only
    docker0 = listen.all_addresses or listen.host == "172.17.0.1"
    return HostOllama(port=listen.port, loopback=loopback, docker0=docker0)
