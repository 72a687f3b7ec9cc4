"""Read what Docker says about a learner's containers and daemon into plain facts, tolerantly.

``docker inspect`` and ``docker info`` payloads change across engine versions: Docker 25+ adds
``DNSNames`` per network and drops ``HairpinMode``; Docker 29 drops the top-level
``NetworkSettings.IPAddress``; Podman's compatible API leaves some fields out or null. Every reader here
takes a missing, null or oddly typed field as "not known" and carries on, so one engine's quirk never
stops the doctor. Nothing here talks to the daemon: the live part (``observe.py``) fetches the payloads,
the offline tests feed recorded ones.

Why it is longer than the house's ~500 lines: each tolerant reader sits beside the payload quirks it
absorbs (Docker 20 to 29, Desktop, Podman), which are tested on recorded payloads in tests/data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..config import IMAGE_BASE_URL_VALUE, OLLAMA_PORT, WEBUI_CONTAINER_PORT, open_webui_base_url
from ..docker_api import LABEL_MANAGED, DaemonInfo, parse_daemon_info

WEBUI_IMAGE = "ghcr.io/open-webui/open-webui"
OLLAMA_IMAGE = "ollama/ollama"
# With K8S_FLAG set in production Open WebUI uses this one, whatever OLLAMA_BASE_URL says (its config.py).
K8S_BASE_URL = "http://ollama-service.open-webui.svc.cluster.local:11434"
SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --------------------------------------------------------------------------------------------------
# The daemon
# --------------------------------------------------------------------------------------------------


def parse_daemon(
    info: Mapping[str, Any] | None,
    *,
    context: str = "",
    endpoint: str = "",
    version: Mapping[str, Any] | None = None,
    docker0: str | None = None,
) -> DaemonInfo:
    """The daemon's facts (the kit's one model, ``docker_api.DaemonInfo``) from recorded payloads.

    Args:
        info: ``docker info`` (``GET /info``) as a dict; may be partial or missing.
        context: the CLI context name ("default", "desktop-linux", "rootless" ...), if known.
        endpoint: the daemon's address (``DOCKER_HOST`` or the context's endpoint), if known.
        version: ``docker version`` (``GET /version``), if fetched; Podman names itself there.
        docker0: the default bridge's gateway, if known.

    Returns:
        The daemon's facts.
    """
    return parse_daemon_info(dict(_dict(info)), dict(_dict(version)), docker0, context=context, endpoint=endpoint)


# --------------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A container's endpoint on one network: its address there and the names it answers to."""

    network: str
    ip: str = ""
    gateway: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedPort:
    """A ``-p`` binding: container port → host address and port ("" host IP means all addresses)."""

    container_port: int
    protocol: str
    host_ip: str
    host_port: int

    @property
    def all_addresses(self) -> bool:
        return self.host_ip in ("", "0.0.0.0", "::", "[::]")

    @property
    def loopback_only(self) -> bool:
        return self.host_ip.startswith("127.") or self.host_ip in ("::1", "[::1]", "localhost")

    def flag(self) -> str:
        """The ``-p`` flag that makes this binding."""
        host = "" if self.all_addresses else f"{self.host_ip}:"
        return f"-p {host}{self.host_port}:{self.container_port}"


@dataclass(frozen=True)
class Mount:
    type: str
    source: str
    destination: str
    name: str = ""


@dataclass(frozen=True)
class ContainerFacts:
    """What the doctor needs from one ``docker inspect`` payload.

    Attributes:
        id: the full id; ``short_id`` is its first 12 characters.
        name: the name without Docker's leading slash.
        image: the image as the learner named it (``Config.Image``); the image id when that is missing.
        running: the container runs now and can be reached: not paused, not restarting between crashes.
        status: Docker's status word (running, exited, created, restarting, paused, dead ...).
        restart_count: how many times Docker restarted it (a crash loop shows a growing count).
        exit_code: the last exit code, when it has exited.
        network_mode: ``host``, ``bridge`` (Docker's "default" too), ``none``, ``container:ID`` or a
            network name.
        networks: the networks it is attached to, with address and aliases.
        extra_hosts: ``--add-host`` / ``extra_hosts`` entries as (name, address); the address is
            ``host-gateway`` when the learner wrote that.
        env: the environment (image ENV and ``-e``), later entries winning.
        ports: published ports.
        exposed: container ports the image or ``--expose`` declares.
        mounts: bind mounts and volumes.
        labels: the container's labels.
        created: creation time as Docker writes it.
        started: last start time.
        named_webui: the learner named it as their Open WebUI (``doctor(..., as_webui=True)``), whatever
            its image and environment say.
    """

    id: str
    name: str
    image: str = ""
    running: bool = False
    status: str = ""
    restart_count: int = 0
    exit_code: int | None = None
    network_mode: str = "bridge"
    networks: tuple[Attachment, ...] = ()
    extra_hosts: tuple[tuple[str, str], ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    ports: tuple[PublishedPort, ...] = ()
    exposed: tuple[int, ...] = ()
    mounts: tuple[Mount, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    created: str = ""
    started: str = ""
    named_webui: bool = False

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def state_phrase(self) -> str:
        """Its state in words for the learner ("running", "restarting (crash loop: ...)", "exited (code 1)")."""
        status = self.status or ("running" if self.running else "not running")
        if status == "restarting":
            return f"restarting: it keeps crashing and Docker restarts it (restarted {self.restart_count} times)"
        if status == "exited" and self.exit_code is not None:
            return f"exited (code {self.exit_code})"
        if status == "created":
            return "created but never started"
        if status == "paused":
            return "paused (docker pause): it answers nothing until docker unpause"
        if status == "dead":
            return "dead (Docker could not stop or remove it cleanly)"
        return status

    @property
    def webui_port(self) -> int:
        """The port Open WebUI listens on in its container: ``PORT`` when it is a port number, else 8080."""
        return port_number(self.env.get("PORT", ""), WEBUI_CONTAINER_PORT)

    @property
    def host_mode(self) -> bool:
        return self.network_mode == "host"

    @property
    def compose_project(self) -> str:
        return self.labels.get("com.docker.compose.project", "")

    @property
    def compose_service(self) -> str:
        return self.labels.get("com.docker.compose.service", "")

    @property
    def lab_managed(self) -> bool:
        """One of the kit's own lab containers (never a learner's)."""
        return self.labels.get(LABEL_MANAGED) == "true"

    @property
    def network_names(self) -> tuple[str, ...]:
        return tuple(a.network for a in self.networks)

    def names_on(self, network: str) -> set[str]:
        """Names that resolve to this container for others on ``network`` (user-defined networks only)."""
        if network in ("bridge", "host", "none", ""):
            return set()
        names = {self.name, self.short_id}
        for a in self.networks:
            if a.network == network:
                names.update(a.aliases)
        if self.compose_service:
            names.add(self.compose_service)
        return names

    def published(self, container_port: int) -> list[PublishedPort]:
        return [p for p in self.ports if p.container_port == container_port and p.protocol == "tcp"]

    @property
    def docker_socket_mounts(self) -> list[Mount]:
        return [
            m
            for m in self.mounts
            if m.source in SOCKET_PATHS or m.destination in SOCKET_PATHS or m.source.endswith("/docker.sock")
        ]

    def mount_at(self, destination: str) -> Mount | None:
        return next((m for m in self.mounts if m.destination.rstrip("/") == destination), None)


def port_number(text: str, default: int) -> int:
    """A TCP port written in ASCII digits (1..65535), else ``default`` (``PORT=²`` is not a port)."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= 65535:
        return int(text)
    return default


def parse_env(entries: Any) -> dict[str, str]:
    """``["K=V", ...]`` to a dict; an entry without "=" is a variable set to "" (Docker's reading)."""
    out: dict[str, str] = {}
    for entry in _list(entries):
        if not isinstance(entry, str):
            continue
        key, _, value = entry.partition("=")
        out[key] = value
    return out


def _port_key(key: str) -> tuple[int, str] | None:
    number, _, proto = key.partition("/")
    try:
        return int(number), proto or "tcp"
    except ValueError:
        return None


def _parse_ports(network_settings: Mapping[str, Any], host_config: Mapping[str, Any], running: bool) -> list[PublishedPort]:
    # A running container's NetworkSettings.Ports shows the real bindings (a "0" host port resolved);
    # a stopped one only has HostConfig.PortBindings, what was asked for.
    source = _dict(network_settings.get("Ports")) if running else {}
    if not any(source.values()):
        source = _dict(host_config.get("PortBindings"))
    out = []
    seen = set()
    for key, bindings in source.items():
        parsed = _port_key(str(key))
        if parsed is None:
            continue
        for b in _list(bindings):
            b = _dict(b)
            try:
                host_port = int(_str(b.get("HostPort")) or b.get("HostPort") or 0)
            except (TypeError, ValueError):
                host_port = 0
            host_ip = _str(b.get("HostIp"))
            item = (parsed[0], parsed[1], host_ip, host_port)
            # Docker 20.10+ lists 0.0.0.0 and :: separately for one -p: one binding for the learner
            family = (parsed, host_port, host_ip in ("", "0.0.0.0", "::"))
            if family in seen and host_ip in ("", "0.0.0.0", "::"):
                continue
            seen.add(family)
            out.append(PublishedPort(item[0], item[1], "" if host_ip in ("", "0.0.0.0", "::") else host_ip, item[3]))
    return out


def _parse_extra_hosts(value: Any) -> list[tuple[str, str]]:
    out = []
    for entry in _list(value):
        if not isinstance(entry, str):
            continue
        # "name:addr"; Docker 25+ also accepts "name=addr"; an IPv6 address has colons itself
        if "=" in entry:
            name, _, addr = entry.partition("=")
        else:
            name, _, addr = entry.partition(":")
        out.append((name.strip(), addr.strip().strip("[]")))
    return out


def parse_container(payload: Mapping[str, Any]) -> ContainerFacts:
    """Read one ``docker inspect`` payload (``GET /containers/ID/json``) into facts.

    Args:
        payload: the payload; fields may be missing or null.

    Returns:
        The container's facts. A payload without an ``Id`` still parses (with id "").
    """
    payload = _dict(payload)
    config = _dict(payload.get("Config"))
    host_config = _dict(payload.get("HostConfig"))
    net = _dict(payload.get("NetworkSettings"))
    state = _dict(payload.get("State"))
    # Docker says Running=true for a paused container and for one restarting between crashes
    running = bool(state.get("Running")) and not state.get("Paused") and not state.get("Restarting")
    mode = _str(host_config.get("NetworkMode")) or "default"
    if mode == "default":
        mode = "bridge"  # Docker's name for "the default network", which on Linux is the bridge
    networks = []
    for name, endpoint in _dict(net.get("Networks")).items():
        endpoint = _dict(endpoint)
        aliases = [a for a in _list(endpoint.get("Aliases")) + _list(endpoint.get("DNSNames")) if isinstance(a, str)]
        networks.append(
            Attachment(
                network=str(name),
                ip=_str(endpoint.get("IPAddress")),
                gateway=_str(endpoint.get("Gateway")),
                aliases=tuple(dict.fromkeys(aliases)),
            )
        )
    if not networks and mode not in ("host", "none") and not mode.startswith("container:"):
        # Older or partial payloads: fall back to the top-level address (removed in Docker 29)
        networks.append(Attachment(network=mode, ip=_str(net.get("IPAddress")), gateway=_str(net.get("Gateway"))))
    mounts = []
    for m in _list(payload.get("Mounts")):
        m = _dict(m)
        mounts.append(
            Mount(
                type=_str(m.get("Type")),
                source=_str(m.get("Source")),
                destination=_str(m.get("Destination")),
                name=_str(m.get("Name")),
            )
        )
    if not mounts:
        for bind in _list(host_config.get("Binds")):
            if isinstance(bind, str) and ":" in bind:
                source, _, rest = bind.partition(":")
                destination = rest.split(":", 1)[0]
                kind = "bind" if source.startswith("/") else "volume"
                mounts.append(Mount(kind, source, destination, "" if kind == "bind" else source))
    exposed = sorted({k[0] for k in (_port_key(str(key)) for key in _dict(config.get("ExposedPorts"))) if k})
    labels = {str(k): str(v) for k, v in _dict(config.get("Labels")).items()}
    return ContainerFacts(
        id=_str(payload.get("Id")),
        name=_str(payload.get("Name")).lstrip("/"),
        image=_str(config.get("Image")) or _str(payload.get("Image")),
        running=running,
        status=_str(state.get("Status")) or ("running" if running else ""),
        restart_count=payload.get("RestartCount") if isinstance(payload.get("RestartCount"), int) else 0,
        exit_code=state.get("ExitCode") if isinstance(state.get("ExitCode"), int) and not running else None,
        network_mode=mode,
        networks=tuple(networks),
        extra_hosts=tuple(_parse_extra_hosts(host_config.get("ExtraHosts"))),
        env=parse_env(config.get("Env")),
        ports=tuple(_parse_ports(net, host_config, running)),
        exposed=tuple(exposed),
        mounts=tuple(mounts),
        labels=labels,
        created=_str(payload.get("Created")),
        started=_str(state.get("StartedAt")),
    )


# --------------------------------------------------------------------------------------------------
# What kind of container is it?
# --------------------------------------------------------------------------------------------------


def _image_repo(image: str) -> str:
    """``ghcr.io/open-webui/open-webui:main`` → ``ghcr.io/open-webui/open-webui`` (digest/tag dropped)."""
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: len(repo) - len(last)] + last.split(":", 1)[0]
    return repo.lower()


def is_webui_image(image: str) -> bool:
    repo = _image_repo(image)
    return repo.startswith(WEBUI_IMAGE) or repo.endswith("/open-webui") or repo == "open-webui"


#: The tags of Open WebUI's image built with ``USE_OLLAMA=true``: Ollama inside (its Dockerfile and start.sh).
BUNDLED_TAGS = ("ollama", "git-ollama")


def is_bundled(c: "ContainerFacts") -> bool:
    """Open WebUI with Ollama inside its own container: the ``:ollama`` image, or ``USE_OLLAMA_DOCKER=true``
    (what that image's Dockerfile sets; its start.sh then runs ``ollama serve``)."""
    last = c.image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[-1].split("@", 1)[0] if ":" in last else ""
    return (is_webui_image(c.image) and tag in BUNDLED_TAGS) or c.env.get("USE_OLLAMA_DOCKER", "").lower() == "true"


def is_ollama_image(image: str) -> bool:
    repo = _image_repo(image)
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo == OLLAMA_IMAGE or repo.startswith(OLLAMA_IMAGE + "-") or repo.endswith("/ollama")


def looks_like_webui(c: ContainerFacts) -> str:
    """Why ``c`` is taken for an Open WebUI container ("" when it is not)."""
    if c.named_webui:
        return f"you named it as Open WebUI; its image is {c.image}"
    if is_webui_image(c.image):
        return f"its image is {c.image}"
    keys = [k for k in ("OLLAMA_BASE_URLS", "OLLAMA_BASE_URL") if k in c.env]
    if keys and not is_ollama_image(c.image):
        return f"it sets {keys[0]}"
    return ""


def not_webui(c: ContainerFacts) -> str:
    """Why ``c`` is not taken for Open WebUI, in the learner's words ("" when it is)."""
    if looks_like_webui(c):
        return ""
    if is_ollama_image(c.image):
        return f"its image {c.image} is Ollama's"
    return (f"its image {c.image} is not ghcr.io/open-webui/open-webui (nor a copy named .../open-webui), and it "
            "sets neither OLLAMA_BASE_URL nor OLLAMA_BASE_URLS")


def looks_like_ollama(c: ContainerFacts) -> str:
    """Why ``c`` is taken for an Ollama container from its inspect alone ("" when it is not)."""
    if is_ollama_image(c.image):
        return f"its image is {c.image}"
    return ""


def may_be_ollama(c: ContainerFacts) -> bool:
    """Worth asking whether it answers "Ollama is running": it exposes or publishes 11434, or sets OLLAMA_HOST."""
    return (
        OLLAMA_PORT in c.exposed
        or any(p.container_port == OLLAMA_PORT for p in c.ports)
        or "OLLAMA_HOST" in c.env
    )


@dataclass(frozen=True)
class HostOllama:
    """What answered "Ollama is running" on the host's Ollama port, seen from the host.

    Attributes:
        port: the port asked (11434 unless a test or the learner says otherwise).
        loopback: it answered on 127.0.0.1 (None: not asked).
        docker0: it answered on the docker0 address 172.17.0.1 (None: not asked, e.g. Docker Desktop,
            a remote daemon, or a default bridge that is not 172.17.0.1).
        container: the name of the container whose published port (or host network) answers there,
            when it is not a native Ollama.
        version: what ``/api/version`` said, when asked.
    """

    port: int = OLLAMA_PORT
    loopback: bool | None = None
    docker0: bool | None = None
    container: str = ""
    version: str = ""

    @property
    def found(self) -> bool:
        return bool(self.loopback or self.docker0) and not self.container

    @property
    def bind(self) -> str | None:
        """The OLLAMA_HOST this behaviour implies (None when nothing answered)."""
        if self.loopback and self.docker0:
            return "0.0.0.0"
        if self.loopback:
            return "127.0.0.1"
        if self.docker0:
            return "172.17.0.1"
        return None

    def describe(self) -> str:
        if self.container:
            return f"port {self.port} on the host is container '{self.container}', not a native Ollama"
        if self.loopback and self.docker0:
            return f"a native Ollama answers on 127.0.0.1:{self.port} and on docker0 172.17.0.1:{self.port} (all addresses)"
        if self.loopback:
            also = "" if self.docker0 is None else f", not on docker0 172.17.0.1:{self.port}"
            return f"a native Ollama answers on 127.0.0.1:{self.port} only (loopback){also}"
        if self.docker0:
            return f"a native Ollama answers on docker0 172.17.0.1:{self.port}, not on 127.0.0.1"
        return f"no Ollama answers on the host's port {self.port}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "loopback": self.loopback,
            "docker0": self.docker0,
            "container": self.container or None,
            "bind": self.bind if self.found else None,
            "version": self.version or None,
        }


# --------------------------------------------------------------------------------------------------
# Open WebUI's base URLs, read from the environment the way its backend (config.py) reads them
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseUrls:
    """The Ollama URLs Open WebUI's backend uses, and where they come from.

    Attributes:
        urls: each configured URL, as Open WebUI will use it (trailing slash removed).
        source: "OLLAMA_BASE_URLS", "OLLAMA_BASE_URL", "image default" or "OLLAMA_API_BASE_URL".
        raw: the environment values that decided, for the report.
        notes: remarks (a variable that is set but overridden, Ollama disabled ...).
        persistent_config: ENABLE_PERSISTENT_CONFIG is on (Open WebUI's default), so a URL saved in its
            database wins over the environment after the first start.
        reset_on_start: RESET_CONFIG_ON_START is on.
    """

    urls: tuple[str, ...]
    source: str
    raw: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    persistent_config: bool = True
    reset_on_start: bool = False


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def base_urls(env: Mapping[str, str], *, official_image: bool = False) -> BaseUrls:
    """Which Ollama URLs Open WebUI's backend uses for this environment (its ``config.py``, 0.6 to 0.12.4).

    One URL comes from ``config.open_webui_base_url``, the kit's model of Open WebUI's rule (``OLLAMA_BASE_URL``,
    the legacy ``OLLAMA_API_BASE_URL`` when that is empty, the image's ``/ollama``, the ``:ollama`` image's
    ``USE_OLLAMA_DOCKER=true``), the engine's own; ``K8S_FLAG`` in production replaces it;
    ``OLLAMA_BASE_URLS``, ``;``-separated, wins when set.

    Args:
        env: the container's environment (the image's ENV lines and the learner's ``-e``).
        official_image: the container runs Open WebUI's image; when its environment lacks the
            image's ENV lines (a payload that lost them), they are assumed.

    Returns:
        The URLs and where they come from.
    """
    notes: list[str] = []
    raw = {k: env[k] for k in ("OLLAMA_BASE_URLS", "OLLAMA_BASE_URL", "OLLAMA_API_BASE_URL") if k in env}
    if official_image and "ENV" not in env:
        env = {"ENV": "prod", "OLLAMA_BASE_URL": IMAGE_BASE_URL_VALUE, **env}
    prod = env.get("ENV", "dev") == "prod"
    k8s = prod and env.get("K8S_FLAG", "") != ""
    bundled = env.get("USE_OLLAMA_DOCKER", "false").lower() == "true"
    # the kit's one model of Open WebUI's derivation (config.open_webui_base_url); K8S_FLAG beside it
    url, source = open_webui_base_url(env.get("OLLAMA_BASE_URL"), env.get("OLLAMA_API_BASE_URL"),
                                      prod=prod and not k8s, bundled=bundled)
    if source == "image default" and bundled:
        notes.append("the :ollama image bundles Ollama in the same container (USE_OLLAMA_DOCKER=true)")
    if k8s:
        url, source = K8S_BASE_URL, "K8S_FLAG"
    if "OLLAMA_API_BASE_URL" in env and source not in ("OLLAMA_API_BASE_URL", "OLLAMA_BASE_URLS"):
        notes.append(f"OLLAMA_API_BASE_URL={env['OLLAMA_API_BASE_URL']} is ignored: Open WebUI reads the legacy "
                     "variable only when OLLAMA_BASE_URL is empty"
                     + (", and the image sets it to /ollama" if env.get("OLLAMA_BASE_URL") == IMAGE_BASE_URL_VALUE
                        else ""))
    urls_value = env.get("OLLAMA_BASE_URLS", "")
    if urls_value != "":
        if "OLLAMA_BASE_URL" in env and env["OLLAMA_BASE_URL"] not in ("/ollama", ""):
            notes.append(
                f"OLLAMA_BASE_URLS is set, so OLLAMA_BASE_URL={env['OLLAMA_BASE_URL']} is ignored "
                "(OLLAMA_BASE_URLS takes precedence)"
            )
        urls = [u.strip() for u in urls_value.split(";")]
        source = "OLLAMA_BASE_URLS"
    else:
        urls = [url.strip()]
    urls = [u[:-1] if u.endswith("/") else u for u in urls]
    if env.get("ENABLE_OLLAMA_API", "true").lower() == "false":
        notes.append("ENABLE_OLLAMA_API=false: Open WebUI's Ollama connection is switched off")
    return BaseUrls(
        urls=tuple(urls),
        source=source,
        raw=raw,
        notes=tuple(notes),
        persistent_config=_truthy(env.get("ENABLE_PERSISTENT_CONFIG"), True),
        reset_on_start=_truthy(env.get("RESET_CONFIG_ON_START"), False),
    )


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def has_scheme(url: str) -> bool:
    return bool(_SCHEME.match(url))
