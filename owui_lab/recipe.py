"""A configuration as commands a learner can copy: ``docker run`` lines, a ``compose.yaml``, host steps.

The explorer shows what the learner built in the widget; this module writes the same deployment as
what they would type. Both forms realise exactly the knobs of the ``Config``:

- Open WebUI: its network (``--network host``, a user-defined network, or the default bridge with
  ``-p PORT:8080``), ``--add-host=host.docker.internal:host-gateway`` and ``OLLAMA_BASE_URL``.
- Ollama in a container: its network, its published port (``-p 11434:11434`` or
  ``-p 127.0.0.1:11434:11434``) and ``OLLAMA_HOST``; its name is also the compose service name, so
  ``http://ollama:11434`` means the same thing in both forms.
- Ollama on the host: how to set ``OLLAMA_HOST`` for the systemd service (Linux) or the app
  (macOS/Windows), since no Docker command starts it.

A user-defined network is created with ``docker network create`` for ``docker run``, and declared under
``networks:`` (with that exact ``name:``) in the compose file; a network called ``<project>_default`` is
the compose stack's own default network. The default bridge is ``network_mode: bridge`` in compose
(not the stack's network): that is what ``docker run`` without ``--network`` does, and it has no DNS
for container names.

Tests run the generated compose files with stand-ins: ``images``, ``commands``, ``project``,
``network_names``, ``labels``, ``volumes`` and ``init`` change only what is needed to run them here
(offline, alongside other tests); the learner-facing recipe uses the real images.

This module imports only the engine's configuration and PyYAML: it is cheap to call on every toggle.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .catalog import Scenario, as_config
from .config import OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config
from .errors import ConfigError

OLLAMA_IMAGE = "ollama/ollama"
WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:main"
WEBUI_NAME = "open-webui"  # the container and compose service name, as in Open WebUI's README
PROJECT = "open-webui"  # the compose project: its default network is open-webui_default
SPECIAL_NETWORKS = ("bridge", "host")


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
    def docker_run_script(self) -> str:
        """The ``docker network create`` and ``docker run`` lines as a shell script to paste."""
        lines = [_shell(argv) for argv in self.network_creates]
        lines += [_shell(argv) for argv in self.runs]
        return "\n".join(lines) + "\n"

    @property
    def compose_yaml(self) -> str:
        """The compose file's text (``docker compose -p PROJECT up -d`` in its folder runs it)."""
        if not self._yaml:  # memoised: the model is immutable once built
            import yaml

            self._yaml.append(yaml.safe_dump(self.compose, sort_keys=False, default_flow_style=False, width=100))
        return self._yaml[0]

    def text(self) -> str:
        """Everything as one plain-text recipe: host steps, docker run lines, compose file, notes."""
        parts = []
        if self.host_ollama:
            parts.append("# Ollama on the host\n" + self.host_ollama.rstrip() + "\n")
        run = "# With docker run\n" + self.docker_run_script
        compose = f"# With Docker Compose: compose.yaml, then docker compose up -d\n{self.compose_yaml}"
        # a compose stack is built with compose first; the docker run lines are the same, spelled out
        parts += [compose, run] if self.config.compose else [run, compose]
        if self.notes:
            parts.append("# Notes\n" + "\n".join(f"# - {n}" for n in self.notes) + "\n")
        parts.append(f"# Then open {self.browser_url} in your browser.\n")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "docker_run": self.docker_run_script,
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
                 image_env or {})
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

    # ---- docker run ----
    def network_creates(self) -> tuple[tuple[str, ...], ...]:
        return tuple(
            ("docker", "network", "create", *self.label_args(), self.real(net)) for net in self.user_networks()
        )

    def runs(self) -> tuple[tuple[str, ...], ...]:
        out = []
        c = self.c
        if c.ollama_in_container:
            argv = ["docker", "run", "-d", "--name", c.ollama_name, *self.label_args()]
            if self.init:
                argv.append("--init")
            net = c.ollama_network_effective
            if net != "bridge":
                argv.append(f"--network={self.real(net)}")
            publish = _publish_spec(c)
            if publish:
                argv += ["-p", publish]
            own = {"OLLAMA_HOST": c.ollama_bind} if c.ollama_bind is not None else {}
            argv += [arg for k, v in self.env("ollama", own).items() for arg in ("-e", f"{k}={v}")]
            if self.volumes:
                argv += ["-v", "ollama:/root/.ollama"]
            argv.append(self.images.get("ollama", OLLAMA_IMAGE))
            argv += list(self.commands.get("ollama", ()))
            out.append(tuple(argv))
        argv = ["docker", "run", "-d", "--name", WEBUI_NAME, *self.label_args()]
        if self.init:
            argv.append("--init")
        if c.webui_host_mode:
            argv.append("--network=host")
        else:
            if c.webui_network != "bridge":
                argv.append(f"--network={self.real(c.webui_network)}")
            argv += ["-p", f"{c.webui_port}:{WEBUI_CONTAINER_PORT}"]
        if c.add_host_gateway:
            argv.append("--add-host=host.docker.internal:host-gateway")
        own = {"OLLAMA_BASE_URL": c.base_url}
        argv += [arg for k, v in self.env(WEBUI_NAME, own).items() for arg in ("-e", f"{k}={v}")]
        if self.volumes:
            argv += ["-v", "open-webui:/app/backend/data", "--restart", "always"]
        argv.append(self.images.get(WEBUI_NAME, WEBUI_IMAGE))
        argv += list(self.commands.get(WEBUI_NAME, ()))
        out.append(tuple(argv))
        return tuple(out)

    # ---- compose ----
    def service_network(self, service: dict[str, Any], net: str) -> None:
        if net in SPECIAL_NETWORKS:
            service["network_mode"] = net
        elif not self.is_stack_default(net):
            service["networks"] = [net]
        # the stack's default network: compose puts every service without networks: there

    def compose(self) -> dict[str, Any]:
        c = self.c
        services: dict[str, Any] = {}
        if c.ollama_in_container:
            ollama: dict[str, Any] = {"image": self.images.get("ollama", OLLAMA_IMAGE)}
            if "ollama" in self.commands:
                ollama["command"] = list(self.commands["ollama"])
            self.service_network(ollama, c.ollama_network_effective or "bridge")
            publish = _publish_spec(c)
            if publish:
                ollama["ports"] = [publish]
            env = self.env("ollama", {"OLLAMA_HOST": c.ollama_bind} if c.ollama_bind is not None else {})
            if env:
                ollama["environment"] = env
            if self.volumes:
                ollama["volumes"] = ["ollama:/root/.ollama"]
            self.service_extras(ollama)
            services[c.ollama_name] = ollama
        webui: dict[str, Any] = {"image": self.images.get(WEBUI_NAME, WEBUI_IMAGE)}
        if WEBUI_NAME in self.commands:
            webui["command"] = list(self.commands[WEBUI_NAME])
        self.service_network(webui, c.webui_network)
        if not c.webui_host_mode:
            webui["ports"] = [f"{c.webui_port}:{WEBUI_CONTAINER_PORT}"]
        if c.add_host_gateway:
            webui["extra_hosts"] = ["host.docker.internal:host-gateway"]
        webui["environment"] = self.env(WEBUI_NAME, {"OLLAMA_BASE_URL": c.base_url})
        if self.volumes:
            webui["volumes"] = ["open-webui:/app/backend/data"]
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
            for name in (["ollama"] if c.ollama_in_container else []) + [WEBUI_NAME]:
                vols[name] = {"labels": dict(self.labels)} if self.labels else {}
            model["volumes"] = vols
        return model

    def service_extras(self, service: dict[str, Any]) -> None:
        if self.init:
            service["init"] = True
        if self.labels:
            service["labels"] = dict(self.labels)

    # ---- notes ----
    def notes(self) -> tuple[str, ...]:
        c = self.c
        out = []
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
        if c.webui_host_mode:
            out.append("With --network host Docker ignores -p (it prints \"WARNING: Published ports are discarded "
                       "when using host network mode\"): Open WebUI listens on port 8080 itself.")
        if c.ollama_in_container and c.ollama_network_effective == "host" and c.ollama_publish:
            out.append("Ollama is on the host network: Docker discards its -p, so the recipe leaves it out.")
        out.append(
            "A URL saved in Open WebUI's database wins over OLLAMA_BASE_URL while the same data volume is "
            "reused and ENABLE_PERSISTENT_CONFIG is not false (current versions save it at the first start; "
            "older ones once an admin saved Connections). Change it in Admin → Settings → Connections, or set "
            "-e ENABLE_PERSISTENT_CONFIG=false, or start once with -e RESET_CONFIG_ON_START=true (it empties "
            "every saved setting)."
        )
        return tuple(out)


def _publish_spec(c: Config) -> str | None:
    mode = c.ollama_publish_effective
    if mode == "all":
        return f"{OLLAMA_PORT}:{OLLAMA_PORT}"
    if mode == "loopback":
        return f"127.0.0.1:{OLLAMA_PORT}:{OLLAMA_PORT}"
    return None


def _browser_url(c: Config) -> str:
    port = WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port
    return f"http://localhost:{port}"


def host_ollama_steps(c: Config) -> str:
    """How to run the native Ollama with this configuration's ``OLLAMA_HOST`` ("" for a container)."""
    if c.ollama_in_container:
        return ""
    bind = c.ollama_bind
    listen = c.ollama_listen
    if c.platform == "linux":
        if bind is None:
            return (
                "# Ollama runs as the systemd service ollama.service (from Ollama's Linux installer).\n"
                f"# OLLAMA_HOST is unset: it listens on {listen} (loopback only).\n"
                "systemctl status ollama\n"
            )
        return (
            "# Ollama runs as the systemd service ollama.service; set where it listens:\n"
            "sudo systemctl edit ollama.service\n"
            "#   [Service]\n"
            f'#   Environment="OLLAMA_HOST={bind}"\n'
            "sudo systemctl daemon-reload && sudo systemctl restart ollama\n"
            f"# It now listens on {listen}.\n"
            f"# (Or in a terminal instead of the service: OLLAMA_HOST={shlex.quote(bind)} ollama serve)\n"
        )
    if bind is None:
        return (
            "# Ollama runs as the app on your Mac/PC; OLLAMA_HOST is unset, so it listens on "
            f"{listen}.\n# Containers reach it at host.docker.internal: Docker Desktop forwards even to 127.0.0.1.\n"
        )
    return (
        "# Ollama runs as the app on your Mac/PC; set where it listens, then quit and reopen Ollama:\n"
        f"launchctl setenv OLLAMA_HOST {shlex.quote(bind)}    # macOS\n"
        f"setx OLLAMA_HOST {_windows_quote(bind)}    # Windows (then restart Ollama from the tray)\n"
        f"# It now listens on {listen}.\n"
    )


def _windows_quote(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ' &|<>^"') else value


def _shell(argv: Sequence[str]) -> str:
    """One command, its options one per line (flag and value together), ready to paste."""
    head_len = 3 if tuple(argv[:2]) == ("docker", "network") or tuple(argv[:3]) == ("docker", "run", "-d") else 2
    head = " ".join(shlex.quote(a) for a in argv[:head_len])
    chunks: list[str] = []
    rest = list(argv[head_len:])
    i = 0
    while i < len(rest):
        arg = rest[i]
        takes_value = arg in ("--name", "-p", "-e", "-v", "--label", "--restart")
        if takes_value and i + 1 < len(rest):
            chunks.append(f"{arg} {shlex.quote(rest[i + 1])}")
            i += 2
        else:
            chunks.append(shlex.quote(arg))
            i += 1
    if len(chunks) <= 2:
        return " ".join([head, *chunks])
    return " \\\n  ".join([head, *chunks])
