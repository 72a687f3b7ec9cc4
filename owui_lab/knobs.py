"""Every knob a learner sets, declared once: its name, kind, values, label, CLI flag and help, platforms.

``Config`` (``config.py``) has one field per declaration here, in this order (a test says so); its
generic checks (a value among the choices, true or false, a TCP port) and the CLI's arguments
(``commands/args.py``) are generated from ``KNOBS``, and so is the README's knob table
(``tests/test_knobs.py`` keeps it true), and so are the sandbox's controls (``widgets/explorer.py``: each
kind its control, under its ``group``, greyed out where a ``when`` fails), and so are the recipe's commands
(``recipe.py`` reads each knob's ``Written``: an ``-e`` or a run flag on Open WebUI or Ollama is written with
no code of its own). Adding a knob is one declaration here, its ``Config`` field, its engine rule (and its truth rows).

Stdlib only, on the base floor: nothing here imports the kit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

#: The kinds of value a knob takes; ``choice``, ``bool`` and ``port`` are checked generically by ``Config``.
KINDS = ("choice", "bool", "port", "network", "name", "bind", "url", "ip")
BOTH = ("linux", "desktop")

#: Whose command a knob is written in: Open WebUI's container, Ollama (its container, or the host's
#: service: ``recipe.host_ollama_steps``), the daemon or Docker Desktop (a setting, or which program runs
#: the commands), or none (a fact about the host, or the shape of the whole).
ROLES = ("webui", "ollama", "daemon", "none")
#: How a knob is written (``recipe.py`` reads it):
#: ``env`` ``-e NAME=value`` / compose ``environment``; ``flag`` a run flag (``--add-host=SPEC``, ``-p SPEC``)
#: and its compose list key (``extra_hosts``, ``ports``); ``network`` ``--network`` / compose ``networks`` or
#: ``network_mode``; ``name`` ``--name`` / the compose service; ``part`` inside another knob's spelling;
#: ``shape`` which commands there are; ``setting`` not a command: a setting of the daemon, Docker Desktop or
#: Open WebUI (a note says it); ``fact`` not a command: a fact about the host.
FORMS = ("env", "flag", "network", "name", "part", "shape", "setting", "fact")


@dataclass(frozen=True)
class Written:
    """How a knob is written in a command and a compose file.

    Attributes:
        role: one of ``ROLES``.
        form: one of ``FORMS``.
        name: the variable (``env``), the run flag (``flag``: ``--add-host``, ``-p``), the knob it is a part of.
        compose: a ``flag``'s compose key, a list (``extra_hosts``, ``ports``).
        spec: the value as written, a template over ``{value}``, ``{container_port}`` (the role's own
            port) and the configuration's fields and properties (``{ollama_published_port}``).
        by_value: a choice's spec per value; a value not listed is not written (``none``).
        reads: the configuration attribute to read instead of the knob's field (an effective value).
    """

    role: str = "none"
    form: str = ""  # undeclared: tests/test_knobs.py asks every knob to say how it is written
    name: str = ""
    compose: str = ""
    spec: str = "{value}"
    by_value: tuple[tuple[str, str], ...] = ()
    reads: str = ""

    @property
    def ordinary(self) -> bool:
        """Written by ``recipe.py`` from this declaration alone: an ``-e`` or a run flag of a container."""
        return self.form in ("env", "flag") and self.role in ("webui", "ollama")


def env_var(role: str, name: str) -> Written:
    """``-e NAME=value`` on ``role`` (compose ``environment``)."""
    return Written(role, "env", name)


def run_flag(role: str, name: str, compose: str, spec: str = "{value}", **more: Any) -> Written:
    """A run flag on ``role`` and its compose list key."""
    return Written(role, "flag", name, compose, spec, **more)


@dataclass(frozen=True)
class Knob:
    """One knob.

    Attributes:
        name: the ``Config`` field (``ollama_bind``).
        kind: one of ``KINDS``.
        label: the learner's words for it (the sandbox's label).
        help: the CLI's help line.
        metavar: what the CLI shows for its value ("" for a flag: ``--x/--no-x``; the choices by default).
        choices: the values a ``choice`` knob takes.
        platforms: where it applies (``linux``, ``desktop``).
        example: for a port, the example its error message gives ("3000 (as in -p 3000:8080)").
        drawn: how the picture shows it.
        written: how a command writes it (``recipe.py`` builds the commands from it).
        group: the sandbox's heading it sits under ("Docker", "Ollama", "Open WebUI"); "" puts it under
            "More knobs", closed at first (a new knob lands there by default).
        choice_labels: the learner's words for each of ``choices``, in order (the choices themselves by default).
        suggestions: values the sandbox offers for a typed knob (the learner may type any other).
        when: where it applies besides ``platforms``: conditions on other knobs, each a key of
            ``CONDITIONS`` (``"ollama=container"``); where one fails the sandbox greys it out and says why.
    """

    name: str
    kind: str
    label: str
    help: str
    metavar: str = ""
    choices: tuple[str, ...] = ()
    platforms: tuple[str, ...] = BOTH
    example: str = ""
    drawn: str = ""
    written: Written = Written()
    group: str = ""
    choice_labels: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    when: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        """The CLI's spelling: ``--ollama-bind``."""
        return "--" + self.name.replace("_", "-")

    @property
    def shown_metavar(self) -> str:
        return self.metavar or "|".join(self.choices)

    @property
    def options(self) -> list[tuple[str, str]]:
        """A ``choice`` knob's values as (the learner's words, value) pairs."""
        return list(zip(self.choice_labels or self.choices, self.choices))

    def failing(self, values: Mapping[str, Any]) -> str | None:
        """The first of ``when`` that ``values`` (knob name -> value) break, or None where it applies."""
        for condition in self.when:
            name, sign, wanted = re.fullmatch(r"(\w+)(!?=)(.*)", condition).groups()  # type: ignore[union-attr]
            if (str(values.get(name)) == wanted) != (sign == "="):
                return condition
        return None


KNOBS: tuple[Knob, ...] = (
    Knob("platform", "choice", "Platform", "linux (Docker Engine) or desktop (Docker Desktop)",
         choices=("linux", "desktop"), drawn="the outer box: the Linux host, or your Mac/PC around Docker Desktop's VM",
         written=Written("none", "shape"), group="Docker", choice_labels=("Linux", "Docker Desktop")),
    Knob("ollama", "choice", "Ollama runs", "Ollama as a native process on the host, a container of its own, or "
         "bundled: inside the Open WebUI container (the ghcr.io/open-webui/open-webui:ollama image)",
         choices=("host", "container", "bundled"),
         drawn="Ollama as a process on the host, a container in its network, or a process inside the Open WebUI "
               "container (bundled)",
         written=Written("ollama", "shape"), group="Ollama",
         choice_labels=("on the host", "in a container", "inside Open WebUI (:ollama)")),
    Knob("ollama_bind", "bind", "OLLAMA_HOST", "Ollama's OLLAMA_HOST (host default 127.0.0.1, image 0.0.0.0)",
         metavar="ADDR", drawn="'listens ADDR:PORT' under Ollama", written=env_var("ollama", "OLLAMA_HOST"),
         group="Ollama", suggestions=("127.0.0.1", "0.0.0.0", "0.0.0.0:11434", "127.0.0.1:11434", "http://0.0.0.0")),
    Knob("ollama_network", "network", "Ollama network", "container Ollama's network (default bridge)",
         metavar="bridge|host|NAME", drawn="the network box Ollama sits in",
         written=Written("ollama", "network", reads="ollama_network_effective"), group="Ollama",
         when=("ollama=container",)),
    Knob("ollama_publish", "choice", "Ollama publishes",
         "container Ollama's -p 11434:11434 (loopback = -p 127.0.0.1:11434:11434)",
         choices=("none", "all", "loopback"), drawn="a port on the edge of Ollama's network box",
         written=run_flag("ollama", "-p", "ports", reads="ollama_publish_effective", by_value=(
             ("all", "{ollama_published_port}:{container_port}"),
             ("loopback", "127.0.0.1:{ollama_published_port}:{container_port}"))), group="Ollama",
         choice_labels=("not published", "-p 11434:11434", "-p 127.0.0.1:11434:11434"),
         when=("ollama=container", "ollama_network!=host")),
    Knob("ollama_host_port", "port", "Ollama's host port", "the host port of container Ollama's -p N:11434 "
         "(default 11434)", metavar="N", example="7869 (as in -p 7869:11434 on the Ollama container)",
         drawn="the published port's label", written=Written("ollama", "part", "ollama_publish"),
         when=("ollama=container", "ollama_network!=host", "ollama_publish!=none")),
    Knob("ollama_name", "name", "Ollama's name", "the Ollama container's name / compose service (default ollama)",
         metavar="NAME", drawn="the Ollama container's caption", written=Written("ollama", "name"), group="Ollama",
         when=("ollama=container",)),
    Knob("webui_network", "network", "Open WebUI network", "Open WebUI's network (default bridge)",
         metavar="bridge|host|NAME", drawn="the network box Open WebUI sits in", written=Written("webui", "network"),
         group="Open WebUI"),
    Knob("webui_port", "port", "Open WebUI -p", "host port published to 8080 (default 3000)", metavar="N",
         example="3000 (as in -p 3000:8080)", drawn="the port on the edge of Open WebUI's network box",
         written=run_flag("webui", "-p", "ports", "{value}:{container_port}"), group="Open WebUI",
         when=("webui_network!=host",)),
    Knob("add_host_gateway", "bool", "--add-host=host.docker.internal:host-gateway",
         "--add-host=host.docker.internal:host-gateway on Open WebUI",
         drawn="where the path from Open WebUI leads (docker0)",
         written=run_flag("webui", "--add-host", "extra_hosts", "host.docker.internal:host-gateway"),
         group="Open WebUI"),
    Knob("base_url", "url", "OLLAMA_BASE_URL", "OLLAMA_BASE_URL (image default http://host.docker.internal:11434; "
         "/ollama is the image's own value, '' an empty -e OLLAMA_BASE_URL=)",
         metavar="URL", drawn="the label of the path from Open WebUI to Ollama",
         written=env_var("webui", "OLLAMA_BASE_URL"), group="Open WebUI",
         suggestions=("http://host.docker.internal:11434", "http://ollama:11434", "http://localhost:11434",
                      "http://127.0.0.1:11434", "http://172.17.0.1:11434",
                      "http://host.containers.internal:11434")),  # the last: Podman's name for the host
    Knob("api_base_url", "url", "OLLAMA_API_BASE_URL (legacy)", "the legacy OLLAMA_API_BASE_URL (…/api): Open WebUI "
         "reads it only when OLLAMA_BASE_URL is empty, which the image's /ollama never is", metavar="URL",
         drawn="only in the verdict (a note when it is ignored)", written=env_var("webui", "OLLAMA_API_BASE_URL")),
    Knob("desktop_host_networking", "bool", "Docker Desktop: Enable host networking (4.34+)",
         "Docker Desktop 4.34+ 'Enable host networking' on", platforms=("desktop",),
         drawn="the host network box: the VM's, or shared with your Mac/PC", written=Written("daemon", "setting"),
         group="Docker"),
    Knob("compose", "bool", "one compose stack", "both run as services of one compose file",
         drawn="the compose network's caption", written=Written("none", "shape"), group="Open WebUI",
         when=("ollama=container",)),
    Knob("userland_proxy", "bool", "the daemon's userland-proxy", "the daemon's userland-proxy setting (default on; "
         "off: no docker-proxy, published ports are forwarded by NAT alone)",
         drawn="only in the verdict (a timeout between bridge networks)", written=Written("daemon", "setting")),
    Knob("engine", "choice", "Engine", "the container engine on Linux (default docker: rootful Docker Engine)",
         choices=("docker", "docker-rootless", "podman-rootful", "podman-rootless"), platforms=("linux",),
         drawn="the host's caption, and a rootless engine's own namespace box", written=Written("daemon", "shape"),
         group="Docker",
         choice_labels=("Docker Engine (rootful)", "rootless Docker Engine", "Podman run as root", "rootless Podman")),
    Knob("host_address", "ip", "the host's own address", "the host's own address besides loopback and docker0 "
         "(its LAN IP), when the base URL names it", metavar="IP", drawn="only in the verdict", written=Written("none", "fact")),
    Knob("add_host_ip", "ip", "--add-host=host.docker.internal:IP", "--add-host=host.docker.internal:IP on Open "
         "WebUI (an address instead of host-gateway)", metavar="IP", drawn="where the path from Open WebUI leads",
         written=run_flag("webui", "--add-host", "extra_hosts", "host.docker.internal:{value}")),
    Knob("stored_url", "url", "the URL Open WebUI saved", "the Ollama URL saved in Open WebUI's database (Admin → "
         "Settings → Connections); it wins over OLLAMA_BASE_URL", metavar="URL",
         drawn="the label of the path, when it wins", written=Written("webui", "setting")),
    Knob("host_firewall", "bool", "a host firewall drops docker0 → host", "a host firewall (ufw's default 'deny "
         "incoming') drops connections from containers' bridges to the host's own services", platforms=("linux",),
         drawn="only in the verdict", written=Written("none", "fact")),
)

#: Every condition a knob's ``when`` names, and why the knob does not count where it fails (the sandbox's
#: "Not used here"; ``{name}`` is that knob's value), or a reason for each value the other knob has instead.
CONDITIONS: dict[str, str | dict[str, str]] = {
    "ollama=container": {"host": "Ollama runs on the host, not in Docker",
                         "bundled": "Ollama runs inside the Open WebUI container, on its network"},
    "ollama_network!=host": "Docker discards -p on the host network",
    "ollama_publish!=none": "Ollama's port is not published",
    "webui_network!=host": "Docker discards -p {webui_port}:8080 with --network host (Open WebUI is on port 8080)",
}

#: The knobs by name.
BY_NAME: dict[str, Knob] = {k.name: k for k in KNOBS}


def settle(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (knob name -> value) with each knob that does not apply put back to its default.

    A knob for the other platform goes back to its default (Linux has no Docker Desktop setting, Docker
    Desktop no other engine); so does one whose ``when`` fails, if it is optional (None) or off (False) by
    default: the configuration then says what the commands say. Any other value stays as set, and the
    engine ignores it as Docker does (``-p`` with ``--network host``). The sandbox and the lessons' widgets
    build their configurations through it.
    """
    settled = dict(values)
    for k in KNOBS:
        if k.name in settled and (values.get("platform") not in k.platforms
                                  or (defaults[k.name] in (None, False) and k.failing(values))):
            settled[k.name] = defaults[k.name]
    return settled


def knob(name: str) -> Knob:
    """The declaration of knob ``name`` (KeyError for an unknown one)."""
    return BY_NAME[name]


def markdown_table() -> str:
    """The README's knob table: flag, values, where it applies, what it means."""
    rows = ["| knob | CLI flag | values | applies on | what it is |", "|---|---|---|---|---|"]
    for k in KNOBS:
        values = "true / false" if k.kind == "bool" else k.shown_metavar
        where = " and ".join({"linux": "Linux", "desktop": "Docker Desktop"}[p] for p in k.platforms)
        rows.append(f"| `{k.name}` | `{k.flag}` | `{values}` | {where} | {k.help} |")
    return "\n".join(rows)
