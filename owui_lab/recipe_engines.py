"""How each engine's commands are spelled: its program, its compose tool, and what the learner must know there.

``recipe.py`` writes a configuration as commands; this module says how they start on the engine the learner
chose (``Config.engine``) and the notes that name it. The engines' networking rules stay in ``engines.py``
(the note about Podman's refusal of host-gateway asks ``engines.resolve`` and words it with ``reasons``).
Every spelling here was run on this kit's machines: Docker 20.10 (rootful and rootless), Podman 4.3.1 (rootful
and rootless), podman-compose 1.0.3 (``tests/test_recipe_engines_live.py``).
"""

from __future__ import annotations

from . import engines, reasons
from .config import Config

#: The program that runs the commands, per engine: rootful Podman is root's (its containers, networks and
#: images are root's, apart from each user's rootless ones), the rootless engines are the user's own.
#: Rootful Docker's CLI talks to the system daemon (the docker group, as Docker's post-install steps set up).
PROGRAMS: dict[str, tuple[str, ...]] = {
    "docker": ("docker",), "docker-rootless": ("docker",),
    "podman-rootful": ("sudo", "podman"), "podman-rootless": ("podman",),
}
#: The compose tool per engine: Podman 4.3 has no ``podman compose`` (measured: an unknown command), so
#: its compose files run with podman-compose (a Debian/Ubuntu package). podman-compose 1.0.3 (Debian 12)
#: ignores the file's ``name:`` and names the project after the folder (measured), so it is given ``-p``.
COMPOSE_PROGRAMS: dict[str, tuple[str, ...]] = {
    "docker": ("docker", "compose"), "docker-rootless": ("docker", "compose"),
    "podman-rootful": ("sudo", "podman-compose", "-p"), "podman-rootless": ("podman-compose", "-p"),
}
COMPOSE_TOOLS = {"docker": "Docker Compose", "podman": "podman-compose"}
#: What each CLI says when it discards a publish on the host network (measured: Docker 20.10, Podman 4.3.1).
DISCARDED_PUBLISH = {
    "docker": ("Docker", "WARNING: Published ports are discarded when using host network mode"),
    "podman": ("Podman", "Port mappings have been discarded as one of the Host, Container, Pod, and None network "
                         "modes are in use"),
}
_NO_PODMAN_COMPOSE = ("Podman 4.3 has no podman compose (measured; newer Podman's podman compose runs such a tool): "
                      "install podman-compose (apt install podman-compose), or run docker compose against Podman's "
                      "Docker-compatible service")
#: Where the commands run, per engine other than rootful Docker Engine ({title}: ``engines.title``).
ENGINE_NOTES = {
    "podman-rootful": "{title}: run these as root (sudo): rootful Podman's containers, networks and images are root's, "
                      "not those of your user's rootless Podman. " + _NO_PODMAN_COMPOSE +
                      " (sudo podman system service, then DOCKER_HOST=unix:///run/podman/podman.sock).",
    "podman-rootless": "{title}: run these as your own user, without sudo (sudo podman is root's Podman, with other "
                       "containers and networks). " + _NO_PODMAN_COMPOSE +
                       " (podman system service, then DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock).",
    "docker-rootless": "{title}: the docker CLI must talk to your rootless daemon, not the system's: docker context "
                       "use rootless (dockerd-rootless-setuptool.sh install creates it) or export "
                       "DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock; no sudo (sudo docker talks to the rootful "
                       "daemon).",
}


def program(c: Config) -> tuple[str, ...]:
    """The words that start each command on this engine: ``docker``, ``sudo podman`` or ``podman``."""
    return PROGRAMS[c.engine]


def cli(c: Config) -> str:
    """The engine's CLI, without sudo: ``docker`` or ``podman``."""
    return PROGRAMS[c.engine][-1]


def compose_program(c: Config, project: str) -> tuple[str, ...]:
    """The compose tool's words before its subcommand (``up``, ``down``), with the project where it needs it."""
    words = COMPOSE_PROGRAMS[c.engine]
    return (*words, project) if words[-1] == "-p" else words


def engine_notes(c: Config) -> list[str]:
    """What the commands mean on another engine than rootful Docker Engine, the engine named."""
    if not engines.differs(c):
        return []
    title = engines.title(c)
    out = [ENGINE_NOTES[c.engine].format(title=title)]
    # the engine's own rule for the flag on the run line (engines.resolve), in its own words (reasons)
    resolved = engines.resolve(c, "host.docker.internal", "host" if c.webui_host_mode else f"net:{c.webui_network}")
    code = resolved[1] if resolved else ""
    alias = engines.host_alias(c)
    if code == "podman_refuses_host_gateway":  # the whole podman run line is refused
        url = "" if c.parsed_base_url.host == alias else f" and write {alias} in the URL"
        out.append(f"{title}: {reasons.render(code, resolved[3])} (measured on Podman 4.3.1): leave --add-host "
                   f"out{url}.")
    elif code == "host_docker_internal_on_podman" and c.parsed_base_url.host == "host.docker.internal":
        out.append(f"{title}: {reasons.render(code, resolved[3])} (measured on Podman 4.3.1): write {alias} "
                   "in the URL.")
    return out
