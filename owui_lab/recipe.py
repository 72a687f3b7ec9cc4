"""A configuration as commands a learner can copy: ``docker``/``podman`` run lines, a ``compose.yaml``, host steps.

The explorer shows what the learner built in the widget; this module writes the same deployment as
what they would type. Both forms realise exactly the knobs of the ``Config``:

- Every ordinary knob (an ``-e`` or a run flag such as ``-p``, ``--add-host`` on Open WebUI or Ollama) is
  written from its declaration (``knobs.Written``): ``written`` has no code per knob.
- The structure is written here, named: which containers run (Ollama in a container or on the host), their
  names, the networks (``network create`` for a user-defined one; compose's own default network; the
  default bridge as ``network_mode: bridge``), a publish left out on the host network, volumes.
- Ollama on the host: how to set ``OLLAMA_HOST`` for the systemd service (Linux) or the app
  (macOS/Windows), since no container command starts it.
- The engine (``Config.engine``): ``docker`` for Docker Engine, rootful or rootless (a note says which
  daemon the CLI must talk to), ``sudo podman`` for rootful Podman and ``podman`` for rootless Podman, with
  podman-compose for the compose file; the notes name the engine, and say where the engine's own rules
  (``engines.py``) refuse what the command holds.

A user-defined network is created with ``docker network create`` for ``docker run``, and declared under
``networks:`` (with that exact ``name:``) in the compose file; a network called ``<project>_default`` is
the compose stack's own default network. The default bridge is ``network_mode: bridge`` in compose
(not the stack's network): that is what ``docker run`` without ``--network`` does, and it has no DNS
for container names.

Tests run the generated compose files with stand-ins: ``images``, ``commands``, ``project``,
``network_names``, ``labels``, ``volumes`` and ``init`` change only what is needed to run them here
(offline, alongside other tests); the learner-facing recipe uses the real images.

How each engine's commands are spelled (its program, compose tool and notes) is ``recipe_engines.py``.
This module imports only the configuration, the knobs' declarations, that module and PyYAML: it is cheap to
call on every toggle.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from . import compose_file, knobs, recipe_engines
from .catalog import Scenario, as_config
from .config import OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config
from .errors import ConfigError

OLLAMA_IMAGE = "ollama/ollama"
WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:main"
#: Open WebUI with Ollama inside (built with USE_OLLAMA=true): ``ollama: bundled``.
WEBUI_BUNDLED_IMAGE = "ghcr.io/open-webui/open-webui:ollama"
WEBUI_NAME = "open-webui"  # the container and compose service name, as in Open WebUI's README
PROJECT = "open-webui"  # the compose project: its default network is open-webui_default
SPECIAL_NETWORKS = ("bridge", "host")
#: The knobs' roles (``knobs.ROLES``) as the recipe names its containers, and each one's own port.
ROLE_NAMES = {"webui": WEBUI_NAME, "ollama": "ollama"}
CONTAINER_PORTS = {"webui": WEBUI_CONTAINER_PORT, "ollama": OLLAMA_PORT}
#: The publish flag: a container on the host network has it discarded (Docker warns), so it is left out.
PUBLISH_FLAG = "-p"


@dataclass(frozen=True)
class Recipe:
    """The commands that build one configuration.

    Attributes:
        config: the configuration they build.
        network_creates: ``docker network create`` argv lists, one per user-defined network.
        runs: ``docker run`` argv lists, Ollama's first (when it is a container), then Open WebUI's.
        compose: the compose model (a dict, as ``compose.yaml`` holds it).
        host_ollama: how to run and configure Ollama natively; "" when Ollama is a container.
        notes: what else the learner must know to reproduce it (Desktop settings, persistent config).
        browser_url: where the browser opens Open WebUI.
    """

    config: Config
    network_creates: tuple[tuple[str, ...], ...]
    runs: tuple[tuple[str, ...], ...]
    compose: dict[str, Any]
    host_ollama: str
    notes: tuple[str, ...]
    browser_url: str
    project: str = PROJECT
    _yaml: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def program(self) -> tuple[str, ...]:
        """The words that start each command on this engine: ``docker``, ``sudo podman`` or ``podman``."""
        return recipe_engines.program(self.config)

    @property
    def cli(self) -> str:
        """The engine's CLI, without sudo: ``docker`` or ``podman`` (the headings say "With podman run")."""
        return recipe_engines.cli(self.config)

    @property
    def compose_tool(self) -> str:
        """Who runs the compose file: Docker Compose, or podman-compose on Podman."""
        return recipe_engines.COMPOSE_TOOLS[self.cli]

    @property
    def compose_up(self) -> str:
        """The command that brings the compose file up, in its folder."""
        return " ".join((*self.compose_program, "up", "-d"))

    @property
    def compose_program(self) -> tuple[str, ...]:
        """The compose tool's words before its subcommand (``up``, ``down``), with the project where it needs it."""
        return recipe_engines.compose_program(self.config, self.project)

    @property
    def docker_run_script(self) -> str:
        """The ``network create`` and ``run`` lines (``docker`` or ``podman``) as a shell script to paste."""
        lines = [_shell(argv) for argv in self.network_creates]
        lines += [_shell(argv) for argv in self.runs]
        return "\n".join(lines) + "\n"

    @property
    def compose_yaml(self) -> str:
        """The compose file's text (``docker compose -p PROJECT up -d`` in its folder runs it)."""
        if not self._yaml:  # memoised: the model is immutable once built
            self._yaml.append(compose_file.text(self.compose))
        return self._yaml[0]

    def text(self) -> str:
        """Everything as one plain-text recipe: host steps, docker run lines, compose file, notes."""
        parts = []
        if self.host_ollama:
            parts.append("# Ollama on the host\n" + self.host_ollama.rstrip() + "\n")
        run = f"# With {self.cli} run\n" + self.docker_run_script
        compose = f"# With {self.compose_tool}: compose.yaml, then {self.compose_up}\n{self.compose_yaml}"
        # a compose stack is built with compose first; the docker run lines are the same, spelled out
        parts += [compose, run] if self.config.compose else [run, compose]
        if self.notes:
            parts.append("# Notes\n" + "\n".join(f"# - {n}" for n in self.notes) + "\n")
        parts.append(f"# Then open {self.browser_url} in your browser.\n")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "docker_run": self.docker_run_script,
        "compose_up": self.compose_up,
            "network_creates": [list(a) for a in self.network_creates],
            "runs": [list(a) for a in self.runs],
            "compose": self.compose,
            "compose_yaml": self.compose_yaml,
            "host_ollama": self.host_ollama,
            "notes": list(self.notes),
            "browser_url": self.browser_url,
        }

    def __str__(self) -> str:
        return self.text()


def recipe(
    config: Config | Scenario | str,
    *,
    images: Mapping[str, str] | None = None,
    commands: Mapping[str, Sequence[str]] | None = None,
    project: str = PROJECT,
    network_names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    volumes: bool = True,
    init: bool = False,
    image_env: Mapping[str, Mapping[str, str]] | None = None,
    ulimits: Mapping[str, int] | None = None,
) -> Recipe:
    """Write a configuration as the commands that build it.

    Args:
        config: the deployment: a ``Config``, a ``Scenario`` or a seed scenario's id.
        images: image per role ("ollama", "open-webui") instead of the real images (tests: a stand-in).
        commands: command (argv) per role, run in that image instead of its default command.
        project: the compose project name; ``<project>_default`` (and ``open-webui_default``) in the
            configuration mean the stack's default network.
        network_names: real name per user-defined network of the configuration (tests: unique names).
        labels: labels put on every container, network and volume (tests: the kit's labels).
        volumes: keep the data volumes (``ollama``, ``open-webui``); tests leave them out.
        init: run each container with an init (``--init``) so it stops at once.
        image_env: per role, the environment a replacement image must have to behave like the real
            one (the official ``ollama/ollama`` sets ``OLLAMA_HOST=0.0.0.0:11434``); the
            configuration's own variables win, as ``-e`` wins over an image's ``ENV``.
        ulimits: resource limits per container (``--ulimit nofile=1024:1024``, compose ``ulimits:``): where
            the machine's hard limits are below Podman's defaults no Podman container starts without them
            (``docker_api.container_limits`` says when).

    Returns:
        The recipe: docker run lines, the compose model, host steps and notes.

    Raises:
        ConfigError: a role in ``images``/``commands`` is unknown, or the project name is not valid.
    """
    config = as_config(config)
    roles = {"ollama", WEBUI_NAME}
    for what, given in (("images", images), ("commands", commands), ("image_env", image_env)):
        unknown = sorted(set(given or {}) - roles)
        if unknown:
            raise ConfigError(
                f"recipe(): {what} has unknown role(s): {', '.join(unknown)}.",
                "the roles are ollama and open-webui.",
            )
    if not project or not all(ch.isalnum() or ch in "_-" for ch in project) or not project[0].isalnum():
        raise ConfigError(
            f"recipe(): {project!r} is not a valid compose project name.",
            "use lowercase letters, digits, '_' and '-', starting with a letter or digit.",
        )
    plan = _Plan(config, images or {}, commands or {}, project, network_names or {}, dict(labels or {}), volumes, init,
                 image_env or {}, dict(ulimits or {}))
    return Recipe(
        config=config,
        network_creates=plan.network_creates(),
        runs=plan.runs(),
        compose=plan.compose(),
        host_ollama=host_ollama_steps(config),
        notes=plan.notes(),
        browser_url=_browser_url(config),
        project=project,
    )


# --------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    c: Config
    images: Mapping[str, str]
    commands: Mapping[str, Sequence[str]]
    project: str
    network_names: Mapping[str, str]
    labels: dict[str, str]
    volumes: bool
    init: bool
    image_env: Mapping[str, Mapping[str, str]]
    ulimits: dict[str, int]

    def env(self, role: str, own: Mapping[str, str]) -> dict[str, str]:
        """A role's environment: the image stand-in's variables, then the configuration's own."""
        return {**self.image_env.get(role, {}), **own}

    # ---- networks ----
    def is_stack_default(self, net: str) -> bool:
        """Whether a network of the configuration is the compose stack's own default network."""
        return net in (f"{PROJECT}_default", f"{self.project}_default")

    def real(self, net: str) -> str:
        """The network's real name: the stack's default network follows the project name."""
        if self.is_stack_default(net):
            return f"{self.project}_default"
        return self.network_names.get(net, net)

    def user_networks(self) -> list[str]:
        """User-defined networks of the configuration, Ollama's first, each once."""
        nets = []
        for net in (self.c.ollama_network_effective, self.c.webui_network):
            if net and net not in SPECIAL_NETWORKS and net not in nets:
                nets.append(net)
        return nets

    def label_args(self) -> list[str]:
        return [arg for k, v in self.labels.items() for arg in ("--label", f"{k}={v}")]

    def image(self, role: str) -> str:
        """The role's image: Ollama's, Open WebUI's, or Open WebUI's ``:ollama`` with Ollama bundled inside."""
        if role == "ollama":
            return OLLAMA_IMAGE
        return WEBUI_BUNDLED_IMAGE if self.c.ollama_bundled else WEBUI_IMAGE

    def bundled_env(self, role: str) -> dict[str, str]:
        """Ollama's own variables (OLLAMA_HOST), on the Open WebUI container when Ollama is bundled in it: the
        image's start.sh runs ``ollama serve`` there, with the container's environment."""
        return written(self.c, "ollama")[1] if role == "webui" and self.c.ollama_bundled else {}

    # ---- docker run ----
    def network_creates(self) -> tuple[tuple[str, ...], ...]:
        program = recipe_engines.program(self.c)
        return tuple(
            (*program, "network", "create", *self.label_args(), self.real(net)) for net in self.user_networks()
        )

    def run(self, role: str, name: str, volumes: Sequence[str]) -> tuple[str, ...]:
        """One container's run line: name, labels, network, its knobs' flags and environment, volumes, image."""
        own = ROLE_NAMES[role]
        argv = [*recipe_engines.program(self.c), "run", "-d", "--name", name, *self.label_args()]
        if self.init:
            argv.append("--init")
        argv += [f"--ulimit={limit}={n}:{n}" for limit, n in self.ulimits.items()]
        net = network_of(self.c, role)
        if net != "bridge":  # docker run without --network: the default bridge
            argv.append(f"--network={self.real(net)}")
        flags, env = written(self.c, role)
        env = {**self.bundled_env(role), **env}
        for flag, _, value in flags:
            argv += [f"{flag}={value}"] if flag.startswith("--") else [flag, value]
        argv += [arg for k, v in self.env(own, env).items() for arg in ("-e", f"{k}={v}")]
        if self.volumes:
            argv += list(volumes)
        argv.append(self.images.get(own, self.image(role)))
        argv += list(self.commands.get(own, ()))
        return tuple(argv)

    def runs(self) -> tuple[tuple[str, ...], ...]:
        out = []
        if self.c.ollama_in_container:
            out.append(self.run("ollama", self.c.ollama_name, ["-v", "ollama:/root/.ollama"]))
        bundled = ["-v", "ollama:/root/.ollama"] if self.c.ollama_bundled else []
        out.append(self.run("webui", WEBUI_NAME, [*bundled, "-v", "open-webui:/app/backend/data", "--restart", "always"]))
        return tuple(out)

    # ---- compose ----
    def service_network(self, service: dict[str, Any], net: str) -> None:
        """The default bridge is ``network_mode: bridge`` (no DNS, as docker run); the stack's default network is
        no key at all (compose puts every service without ``networks:`` there); any other is ``networks:``."""
        if net in SPECIAL_NETWORKS:
            service["network_mode"] = net
        elif not self.is_stack_default(net):
            service["networks"] = [net]

    def service(self, role: str) -> dict[str, Any]:
        """One compose service: image, command, network, its knobs' keys and environment."""
        own = ROLE_NAMES[role]
        service: dict[str, Any] = {"image": self.images.get(own, self.image(role))}
        if own in self.commands:
            service["command"] = list(self.commands[own])
        self.service_network(service, network_of(self.c, role) or "bridge")
        flags, env = written(self.c, role)
        for _, key, value in flags:
            service.setdefault(key, []).append(value)
        env = self.env(own, {**self.bundled_env(role), **env})
        if env:
            service["environment"] = env
        return service

    def compose(self) -> dict[str, Any]:
        c = self.c
        services: dict[str, Any] = {}
        if c.ollama_in_container:
            ollama = self.service("ollama")
            if self.volumes:
                ollama["volumes"] = ["ollama:/root/.ollama"]
            self.service_extras(ollama)
            services[c.ollama_name] = ollama
        webui = self.service("webui")
        if self.volumes:
            webui["volumes"] = (["ollama:/root/.ollama"] if c.ollama_bundled else []) + ["open-webui:/app/backend/data"]
            webui["restart"] = "always"
        if c.ollama_in_container:
            webui["depends_on"] = [c.ollama_name]
        self.service_extras(webui)
        services[WEBUI_NAME] = webui

        model: dict[str, Any] = {"name": self.project, "services": services}
        networks: dict[str, Any] = {}
        for net in self.user_networks():
            if self.is_stack_default(net):
                if self.labels:  # the stack's own network carries the labels too
                    networks["default"] = {"labels": dict(self.labels)}
                continue
            networks[net] = {"name": self.real(net)}
            if self.labels:
                networks[net]["labels"] = dict(self.labels)
        if networks:
            model["networks"] = networks
        if self.volumes:
            vols: dict[str, Any] = {}
            for name in (["ollama"] if c.ollama_in_container or c.ollama_bundled else []) + [WEBUI_NAME]:
                vols[name] = {"labels": dict(self.labels)} if self.labels else {}
            model["volumes"] = vols
        return model

    def service_extras(self, service: dict[str, Any]) -> None:
        if self.init:
            service["init"] = True
        if self.ulimits:
            service["ulimits"] = dict(self.ulimits)
        if self.labels:
            service["labels"] = dict(self.labels)

    # ---- notes ----
    def notes(self) -> tuple[str, ...]:
        c = self.c
        out = recipe_engines.engine_notes(c)
        host_mode = c.webui_host_mode or c.ollama_network_effective == "host"
        if c.platform == "desktop" and host_mode:
            if c.desktop_host_networking:
                out.append(
                    "Docker Desktop 4.34+: turn on Settings → Resources → Network → Enable host "
                    "networking (then restart Docker Desktop); without it 'host' is the Linux VM."
                )
            else:
                out.append(
                    "Docker Desktop's host networking is off here: --network host joins the Linux VM's "
                    "network, not your Mac/PC's."
                )
        who, warning = recipe_engines.DISCARDED_PUBLISH[recipe_engines.cli(c)]
        if c.webui_host_mode:
            out.append(f"With --network host {who} ignores -p (it prints \"{warning}\"): Open WebUI listens on port "
                       "8080 itself.")
        if c.ollama_in_container and c.ollama_network_effective == "host" and c.ollama_publish:
            out.append(f"Ollama is on the host network: {who} discards its -p, so the recipe leaves it out.")
        out.append(
            "A URL saved in Open WebUI's database wins over OLLAMA_BASE_URL while the same data volume is "
            "reused and ENABLE_PERSISTENT_CONFIG is not false (current versions save it at the first start; "
            "older ones once an admin saved Connections). Change it in Admin → Settings → Connections, or set "
            "-e ENABLE_PERSISTENT_CONFIG=false, or start once with -e RESET_CONFIG_ON_START=true (it empties "
            "every saved setting)."
        )
        return tuple(out)


def written(c: Config, role: str) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """A role's ordinary knobs as written: (run flag, compose key, value) per flag, and its environment.

    Every ``env`` and ``flag`` declaration of the role (``knobs.Written``) is written here, in the declarations'
    order, so a new ordinary knob reaches the run line, the compose file (and, for Ollama's environment, the
    host Ollama's steps) with no change to this module. A publish is left out on the host network (the one
    structural rule here: the engine discards it).
    """
    flags: list[tuple[str, str, str]] = []
    env: dict[str, str] = {}
    host_network = network_of(c, role) == "host"
    for k in knobs.KNOBS:
        w = k.written
        if w.role != role or not w.ordinary:
            continue
        value = getattr(c, w.reads or k.name)
        spec = dict(w.by_value).get(value) if w.by_value else (None if value in (None, False) else w.spec)
        if spec is None or (w.name == PUBLISH_FLAG and host_network):
            continue
        text = spec.format_map(_Fields(c, value=value, container_port=CONTAINER_PORTS[role]))
        if w.form == "env":
            env[w.name] = text
        else:
            flags.append((w.name, w.compose, text))
    return flags, env


def network_of(c: Config, role: str) -> str | None:
    """The role's network, as its ``network`` declaration reads it (None: a host Ollama)."""
    (k,) = [k for k in knobs.KNOBS if k.written.role == role and k.written.form == "network"]
    return getattr(c, k.written.reads or k.name)


class _Fields(dict):
    """A spec's fields: the value given, then the configuration's own fields and properties."""

    def __init__(self, c: Config, **given: Any) -> None:
        super().__init__(given)
        self.c = c

    def __missing__(self, key: str) -> Any:
        return getattr(self.c, key)


def _browser_url(c: Config) -> str:
    port = WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port
    return f"http://localhost:{port}"


def host_ollama_steps(c: Config) -> str:
    """How to run the native Ollama with this configuration's environment (``OLLAMA_HOST``); "" for a container
    or an Ollama bundled in Open WebUI's.

    The variables are Ollama's ``env`` declarations (``knobs.Written``), set on the systemd service (Linux) or
    the app (macOS/Windows), since no container command starts it.
    """
    if c.ollama_in_container or c.ollama_bundled:
        return ""
    _, env = written(c, "ollama")
    listen = c.ollama_listen
    bind_name = knobs.knob("ollama_bind").written.name
    unset = "" if bind_name in env else f"{bind_name} is unset"
    if c.platform == "linux":
        if not env:
            return (
                "# Ollama runs as the systemd service ollama.service (from Ollama's Linux installer).\n"
                f"# {unset}: it listens on {listen} (loopback only).\n"
                "systemctl status ollama\n"
            )
        return (
            "# Ollama runs as the systemd service ollama.service; set where it listens:\n"
            "sudo systemctl edit ollama.service\n"
            "#   [Service]\n"
            + "".join(f'#   Environment="{k}={v}"\n' for k, v in env.items())
            + "sudo systemctl daemon-reload && sudo systemctl restart ollama\n"
            f"# It now listens on {listen}{' (' + unset + ')' if unset else ''}.\n"
            "# (Or in a terminal instead of the service: "
            + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " ollama serve)\n"
        )
    if not env:
        return (
            f"# Ollama runs as the app on your Mac/PC; {unset}, so it listens on "
            f"{listen}.\n# Containers reach it at host.docker.internal: Docker Desktop forwards even to 127.0.0.1.\n"
        )
    return (
        "# Ollama runs as the app on your Mac/PC; set where it listens, then quit and reopen Ollama:\n"
        + "".join(f"launchctl setenv {k} {shlex.quote(v)}    # macOS\n" for k, v in env.items())
        + "".join(f"setx {k} {_windows_quote(v)}    # Windows (then restart Ollama from the tray)\n"
                  for k, v in env.items())
        + f"# It now listens on {listen}.\n"
    )


def _windows_quote(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ' &|<>^"') else value


def _short_flags() -> set[str]:
    """The knobs' run flags written with their value as the next word (``-p 3000:8080``)."""
    return {k.written.name for k in knobs.KNOBS if k.written.form == "flag" and not k.written.name.startswith("--")}


def _shell(argv: Sequence[str]) -> str:
    """One command, its options one per line (flag and value together), ready to paste."""
    lead = 2 if tuple(argv[:1]) == ("sudo",) else 1  # "sudo podman": the program is two words
    verb = tuple(argv[lead:lead + 2])
    head_len = lead + (2 if verb in (("network", "create"), ("run", "-d")) else 1)
    head = " ".join(shlex.quote(a) for a in argv[:head_len])
    chunks: list[str] = []
    rest = list(argv[head_len:])
    i = 0
    while i < len(rest):
        arg = rest[i]
        takes_value = arg in ("--name", "-e", "-v", "--label", "--restart") or arg in _short_flags()
        if takes_value and i + 1 < len(rest):
            chunks.append(f"{arg} {shlex.quote(rest[i + 1])}")
            i += 2
        else:
            chunks.append(shlex.quote(arg))
            i += 1
    if len(chunks) <= 2:
        return " ".join([head, *chunks])
    return " \\\n  ".join([head, *chunks])
