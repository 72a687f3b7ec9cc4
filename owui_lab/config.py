"""The configuration of one Open WebUI + Ollama deployment: a small frozen description, no behaviour.

The knobs mirror what a learner types: ``docker run`` flags, compose keys and environment variables.
``Config.from_knobs`` validates strictly and explains every refusal; the engine (``engine.py``) reasons
over a valid ``Config`` and never sees bad input.
About 500 lines, most of them the refusals' wording: every bad value a learner can type (knobs,
``OLLAMA_HOST``, base URLs, names by Docker's rule) is turned away here, once, in one paragraph.
"""

from __future__ import annotations

import ipaddress
import re
import reprlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import ConfigError
from .knobs import KNOBS, knob
from .standins.ollama import parse_ollama_host as _parse_ollama_host

PLATFORMS = knob("platform").choices
OLLAMA_PLACES = knob("ollama").choices
PUBLISH_MODES = knob("ollama_publish").choices
#: The container engine on a Linux host, in the words its users say: rootful Docker Engine (the kit's
#: default, what "Linux" meant before), rootless Docker (``dockerd-rootless.sh``), Podman run as root,
#: and Podman run as a normal user. They resolve other host names, reach the host through other
#: addresses and forward ports with other helpers (docs/engines.md: measured on each).
ENGINES = knob("engine").choices
ENGINE_TITLES = dict(zip(ENGINES, knob("engine").choice_labels))
IMAGE_DEFAULT_BASE_URL = "http://host.docker.internal:11434"
#: Open WebUI's image sets ``ENV OLLAMA_BASE_URL="/ollama"`` and ``ENV=prod`` (its Dockerfile); with ``ENV=prod``
#: its ``config.py`` turns ``/ollama`` into ``IMAGE_DEFAULT_BASE_URL``, or into ``BUNDLED_BASE_URL`` when
#: ``USE_OLLAMA_DOCKER=true`` (the ``:ollama`` image, built with ``--build-arg USE_OLLAMA=true``).
IMAGE_BASE_URL_VALUE = "/ollama"
BUNDLED_BASE_URL = "http://localhost:11434"
#: Open WebUI's default for the legacy ``OLLAMA_API_BASE_URL`` (read when ``OLLAMA_BASE_URL`` is empty).
LEGACY_API_DEFAULT = "http://localhost:11434/api"
#: Where the rules for the bundled image and the legacy variable come from. The real ``:ollama`` image cannot be
#: pulled here: ``tests/test_bundled_live.py`` rebuilds its network setup with the stand-ins (both in one
#: container, the image's ENV lines, start.sh's ``ollama serve &``) and checks the engine against it; and
#: ``tests/test_config.py`` runs the installed Open WebUI 0.12.4's own lines against ``open_webui_base_url``.
BUNDLED_SOURCES = (
    "https://github.com/open-webui/open-webui/blob/00a89829a0f3b7c184ff7df2eca16f4252a07c54/Dockerfile",
    "https://github.com/open-webui/open-webui/blob/059cf821dffc37adb9f86220416684ecc55229af/backend/start.sh",
    "open_webui/config.py (Open WebUI 0.12.4): OLLAMA_API_BASE_URL, USE_OLLAMA_DOCKER",
)
OLLAMA_PORT = 11434
WEBUI_CONTAINER_PORT = 8080
DOCKER0_ADDRESS = "172.17.0.1"
#: The network a compose project puts its services on when they name none: ``<project>_default``,
#: user-defined, so service names resolve (the project of Open WebUI's own compose file is "open-webui").
COMPOSE_DEFAULT_NETWORK = "open-webui_default"
#: Docker's own rules for names: a container name is a letter or digit, then letters, digits, '_',
#: '.' or '-', two characters at least (moby's ``RestrictedNamePattern``; the daemon answers "Invalid
#: container name" otherwise); a network name the same, one character allowed.
CONTAINER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
NETWORK_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
#: A name other containers resolve (the Ollama container, a compose service) is one DNS label: at
#: most 63 characters, and no dot (a dot would make it a domain, and "1.2.3.4" an address).
DNS_LABEL_MAX = 63

_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = 4
_SHOWN.maxlevel = 2


def shown(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short (bad input can be huge or nested)."""
    return _SHOWN.repr(value)


def name_problem(name: Any, *, network: bool = False, resolvable: bool = False) -> str | None:
    """Why ``name`` is not a name Docker accepts (None when it is): the kit's one naming rule.

    Args:
        name: a container or compose service name, or a network name (``network=True``).
        network: the rule for networks (one character is enough).
        resolvable: other containers look the name up by DNS (the Ollama container): one DNS label.
    """
    if not isinstance(name, str):
        return "it is not text"
    if not (NETWORK_NAME if network else CONTAINER_NAME).fullmatch(name):  # '$' would let 'name\n' by
        return ("Docker accepts letters, digits, '_', '.' and '-', starting with a letter or digit"
                + ("" if network else ", two characters at least"))
    if resolvable and "." in name:
        return "a name other containers resolve is one DNS label, without dots"
    if resolvable and len(name) > DNS_LABEL_MAX:
        return f"a name other containers resolve is one DNS label, at most {DNS_LABEL_MAX} characters"
    return None


@dataclass(frozen=True)
class OllamaListen:
    """Where an Ollama process listens, from its ``OLLAMA_HOST``.

    Attributes:
        host: the bind address as Ollama reads it ("" means every address).
        port: the TCP port.
    """

    host: str
    port: int

    @property
    def all_addresses(self) -> bool:
        return self.host in ("", "0.0.0.0", "::", "[::]")

    @property
    def loopback_only(self) -> bool:
        return is_loopback(self.host)

    def listens_on(self, address: str) -> bool:
        """Whether a connection to ``address`` (an IP on the same machine) finds this listener.

        A wildcard bind (``""``, ``0.0.0.0``, ``::``) is one dual-stack socket, as Go's
        ``net.Listen`` makes it, so it takes both families; any other bind takes its own address
        only: a default Ollama on ``127.0.0.1`` refuses ``[::1]`` and ``127.0.0.2``.
        """
        if self.all_addresses:
            return True
        bound = read_host(self.host).ip or ("127.0.0.1" if self.host.lower() == "localhost" else None)
        return bound is not None and bound == connected_address(address)

    def __str__(self) -> str:
        host = self.host or "0.0.0.0"
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"  # as Ollama reads it back

    def __eq__(self, other: object) -> bool:
        # ":11434" (host "") and "0.0.0.0:11434" are one bind to Go's net.Listen (the same dual-stack
        # wildcard socket), so they are one listener: what str() prints reads back equal.
        if not isinstance(other, OllamaListen):
            return NotImplemented
        return ((self.host or "0.0.0.0"), self.port) == ((other.host or "0.0.0.0"), other.port)

    def __hash__(self) -> int:
        return hash((self.host or "0.0.0.0", self.port))


def parse_ollama_host(value: str | None) -> OllamaListen:
    """Read ``OLLAMA_HOST`` exactly as Ollama's ``envconfig.Host()`` does.

    No scheme means http with the default port 11434; ``http://`` changes the default port to 80 and
    ``https://`` to 443; a missing or unparsable port falls back to that default; ``:11434`` (no host)
    binds every address; an empty value means ``127.0.0.1:11434``. The parsing itself lives in the
    stand-in Ollama (``owui_lab/standins/ollama.py``), so the stand-in binds exactly where the engine
    says Ollama binds.

    Args:
        value: the variable's value, or None when it is unset.

    Returns:
        The address and port Ollama binds.
    """
    if value is not None and not isinstance(value, str):
        raise ConfigError(
            f"OLLAMA_HOST {shown(value)} is not text.",
            "give an OLLAMA_HOST value such as 127.0.0.1, 0.0.0.0 or 0.0.0.0:11434 (or None when unset).",
        )
    host, port = _parse_ollama_host(value)
    return OllamaListen(host=host, port=port)


_HOST_NAME = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def bind_problem(value: str) -> str | None:
    """Why an ``OLLAMA_HOST`` value names no address Ollama could bind (None when it does)."""
    if any(ch.isspace() or not ch.isprintable() for ch in value.strip().strip("\"'")):
        return "it contains a space or a control character"
    host = parse_ollama_host(value).host
    if host == "" or host == "localhost":
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if "[" in host or "]" in host or ":" in host:
        return "an IPv6 address goes in brackets, whole: [::1] or [::1]:11434"
    if not _HOST_NAME.fullmatch(host):
        return f"{shown(host)} is neither an IP address nor a host name"
    return None


_INET_ATON_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


def inet_aton(text: str) -> str | None:
    """The IPv4 address glibc's resolver reads in ``text`` without asking DNS, dotted; None if none.

    ``getaddrinfo`` (glibc's ``__inet_aton_exact``, as every program in the container calls it)
    takes one to four parts, each decimal, octal (a leading ``0``) or hex (``0x``); the last part
    fills the bytes left: ``127.1``, ``2130706433``, ``0x7f000001`` and ``017700000001`` are all
    127.0.0.1, ``0`` is 0.0.0.0. Anything else (``127.0.0.1.``, ``08``, a space) is a name.
    """
    parts = text.split(".")
    if len(parts) > 4 or not all(_INET_ATON_PART.fullmatch(p) for p in parts):
        return None
    values = [int(p[2:], 16) if p[:2] in ("0x", "0X") else int(p, 8 if p.startswith("0") else 10) for p in parts]
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = 0
    for v in head:
        number = number * 256 + v
    return str(ipaddress.IPv4Address(number << 8 * (4 - len(head)) | last))


@dataclass(frozen=True)
class Host:
    """A host as written in a URL, ``OLLAMA_HOST`` or a listener, read as a container's resolver reads it.

    Attributes:
        text: as written, without IPv6 brackets.
        ip: the address it is without any lookup (IPv4 in every ``inet_aton`` form, IPv6 with or
            without brackets), in its usual spelling; None for a name.
    """

    text: str
    ip: str | None

    @property
    def name(self) -> str | None:
        """The name to look up, lower-cased: Docker's DNS and /etc/hosts ignore ASCII case. None for an address."""
        return None if self.ip is not None else self.text.lower()

    @property
    def version(self) -> int | None:
        return None if self.ip is None else ipaddress.ip_address(self.ip.split("%")[0]).version

    def is_named(self, name: str) -> bool:
        """Whether this host is ``name`` (a container, a service, ``localhost``), ignoring ASCII case."""
        return self.name is not None and self.name == name.lower()


def read_host(host: str) -> Host:
    """The one reading of a host by the engine, the lab and the doctor: ``Host``.

    Args:
        host: ``127.1``, ``[::1]``, ``::1``, ``Ollama``, ``host.docker.internal`` ...
    """
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if ":" in text:
        try:
            return Host(text, str(ipaddress.IPv6Address(text)))
        except ValueError:
            return Host(text, None)
    return Host(text, inet_aton(text))


def connected_address(address: str) -> str | None:
    """Where a connection to ``address`` arrives: Linux sends ``0.0.0.0`` to 127.0.0.1 and ``::`` to
    ``::1``; an IPv4-mapped IPv6 address to its IPv4 address. None for a name."""
    ip = read_host(address).ip
    if ip is None:
        return None
    parsed = ipaddress.ip_address(ip.split("%")[0])
    if parsed.is_unspecified:
        return "127.0.0.1" if parsed.version == 4 else "::1"
    mapped = getattr(parsed, "ipv4_mapped", None)
    return str(mapped) if mapped else ip


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback: ``localhost``, 127.0.0.0/8 (any ``inet_aton``
    form) or ``::1`` (brackets allowed)."""
    h = read_host(host)
    if h.is_named("localhost"):
        return True
    return h.ip is not None and ipaddress.ip_address(h.ip.split("%")[0]).is_loopback


def stays_inside(address: str) -> bool:
    """Whether a connection to ``address`` never leaves the caller's network namespace.

    True for loopback and for the unspecified address (``0.0.0.0``, ``::``): Linux delivers a
    connection to it to the namespace's own loopback.
    """
    return is_loopback(address) or is_loopback(connected_address(address) or "")


#: A URL's host and port as written: a name or IPv4 address, or an IPv6 address in brackets, then
#: an optional port (urlsplit alone lets "[::1]]:11434" and "[::1]x" through).
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+(%[^\]]+)?\]|[^\[\]:]*)(:[^:]*)?$")


@dataclass(frozen=True)
class BaseUrl:
    """A parsed ``OLLAMA_BASE_URL``: host and port, as Open WebUI's backend will connect."""

    url: str
    host: str
    port: int

    @property
    def address(self) -> Host:
        """The host as the container's resolver reads it (``read_host``)."""
        return read_host(self.host)

    @property
    def is_ip(self) -> bool:
        return self.address.ip is not None


# user:password@ runs to the last "@" before the host: a password may itself contain "@"
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s@:?#\[\]]*):[^/\s?#\[\]'\"<>]*@")


def redact_url(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***`` (the user name stays).

    Used wherever the kit prints or stores a URL a learner typed: ``http://me:secret@host:11434``
    becomes ``http://me:***@host:11434``, ``http://me:p@ss@host`` too. Not text: returned unchanged.
    """
    if not isinstance(text, str) or "@" not in text:
        return text
    return _URL_PASSWORD.sub(r"\1:***@", text)


def redact_urls(value: Any) -> Any:
    """``value`` with every URL's password hidden (``redact_url``), through dicts, lists and tuples."""
    if isinstance(value, str):
        return redact_url(value)
    if isinstance(value, dict):
        return {k: redact_urls(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_urls(v) for v in value]
    return value


def parse_base_url(url: str) -> BaseUrl:
    """Parse and check an ``OLLAMA_BASE_URL``; a ConfigError says what is wrong and what to type."""
    if not isinstance(url, str):
        raise ConfigError(f"The base URL {shown(url)} is not text.", "write it like http://ollama:11434.")
    text = url.strip()
    example = "OLLAMA_BASE_URL=http://host.docker.internal:11434"
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ConfigError(
            f"The base URL {shown(url)} contains a space or a control character.",
            f"write it without them, like {example}.",
        )
    if "://" not in text:
        raise ConfigError(
            f"The base URL {shown(url)} has no scheme: Open WebUI needs a full URL starting with http://.",
            f"write it as http://{text if 0 < len(text) <= 60 else 'HOST:11434'}, for example {example}.",
        )
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        if not _HOST_PORT.fullmatch(parts.netloc.rpartition("@")[2]):
            raise ValueError(parts.netloc)
    except ValueError:
        raise ConfigError(
            f"The base URL {shown(url)} is malformed (an unclosed '[' or a bracket where no IPv6 "
            "address belongs).",
            f"write an IPv6 address in brackets, like http://[::1]:11434, or a name, like {example}.",
        ) from None
    if parts.scheme != "http":
        raise ConfigError(
            f"The base URL {shown(url)} uses {parts.scheme}://; Ollama itself serves plain http only.",
            f"use http://, for example {example} (https needs a reverse proxy the kit does not model).",
        )
    if not hostname:
        raise ConfigError(f"The base URL {shown(url)} names no host.", f"write it like {example}.")
    try:
        port = parts.port if parts.port is not None else 80
    except ValueError:
        raise ConfigError(
            f"The base URL {shown(url)} has a port that is not a number from 1 to 65535.",
            f"write it like {example}.",
        ) from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"The base URL {shown(url)} has a path; OLLAMA_BASE_URL is Ollama's root and Open WebUI "
            "appends /api/... itself.",
            f"drop the path: http://{shown(parts.netloc)[1:-1]}",
        )
    if port == 0:
        raise ConfigError(
            f"The base URL {shown(url)} has port 0, which nothing can listen on.",
            f"write the port Ollama listens on, like {example}.",
        )
    return BaseUrl(url=text.rstrip("/"), host=hostname, port=port)


def open_webui_base_url(base_url: str | None, api_base_url: str | None = None, *, prod: bool = True,
                        bundled: bool = False) -> tuple[str, str]:
    """The Ollama URL Open WebUI derives from its variables, exactly as its ``config.py`` does (0.6 to 0.12.4).

    ``OLLAMA_BASE_URL`` loses one trailing slash. Empty (or unset outside the image), it comes from the legacy
    ``OLLAMA_API_BASE_URL`` (default ``http://localhost:11434/api``): minus ``/api`` when it ends so, else
    whole. Then, in the image (``ENV=prod``), ``/ollama`` becomes ``http://localhost:11434`` with
    ``USE_OLLAMA_DOCKER=true`` (the ``:ollama`` image) and ``http://host.docker.internal:11434`` otherwise.
    So both set: ``OLLAMA_BASE_URL`` wins; and in the image, whose Dockerfile sets ``OLLAMA_BASE_URL=/ollama``,
    the legacy variable alone is never read (Open WebUI issue 2176). (Not modelled: with no URL of the
    person's own, 0.12's start probes 11434 and falls back to 12434 when only that answers.)

    Args:
        base_url: ``OLLAMA_BASE_URL`` as the container has it (None: unset, which the image never leaves it).
        api_base_url: ``OLLAMA_API_BASE_URL`` (None: unset).
        prod: ``ENV=prod``, as in the image.
        bundled: ``USE_OLLAMA_DOCKER=true``.

    Returns:
        The URL and where it came from: ``OLLAMA_BASE_URL``, ``OLLAMA_API_BASE_URL``, ``Open WebUI's
        default`` (the legacy variable's default) or ``image default`` (``/ollama``).
    """
    url = base_url or ""
    if url.endswith("/"):
        url = url[:-1]
    source = "OLLAMA_BASE_URL"
    if url == "":
        api = LEGACY_API_DEFAULT if api_base_url is None else api_base_url
        if api:
            url = api[:-4] if api.endswith("/api") else api
            source = "OLLAMA_API_BASE_URL" if api_base_url is not None else "Open WebUI's default"
    if prod and url == IMAGE_BASE_URL_VALUE:
        url, source = (BUNDLED_BASE_URL if bundled else IMAGE_DEFAULT_BASE_URL), "image default"
    return url, source


@dataclass(frozen=True)
class Config:
    """One Open WebUI + Ollama deployment, as a learner would type it.

    Attributes:
        platform: "linux" (Docker Engine) or "desktop" (Docker Desktop on macOS or Windows).
        ollama: "host" (a native process, e.g. the systemd service), "container", or "bundled": inside the
            Open WebUI container, as the ``:ollama`` image runs it (its ``start.sh`` starts ``ollama serve``
            when ``USE_OLLAMA_DOCKER=true``, with no ``OLLAMA_HOST``: 127.0.0.1:11434 in that container).
        ollama_bind: Ollama's ``OLLAMA_HOST``; None means the default of where it runs
            (127.0.0.1:11434 on the host, 0.0.0.0:11434 in the official image).
        ollama_network: container Ollama's network: "bridge", "host" or a user-defined name;
            None means "bridge" (only for a container Ollama).
        ollama_publish: container Ollama's published port: "none", "all" (``-p 11434:11434``)
            or "loopback" (``-p 127.0.0.1:11434:11434``); None means "none".
        ollama_host_port: the host side of container Ollama's published port (``-p 7869:11434``
            publishes 11434 on the host's 7869); None means 11434.
        ollama_name: the Ollama container's name (its compose service name too).
        webui_network: Open WebUI's network: "bridge", "host" or a user-defined name.
        webui_port: the host port published to 8080 (``-p 3000:8080``); Docker ignores it in host mode.
        add_host_gateway: ``--add-host=host.docker.internal:host-gateway`` (compose ``extra_hosts``).
        base_url: ``OLLAMA_BASE_URL``; the image's default is http://host.docker.internal:11434. Besides a URL,
            ``/ollama`` (the image's own value: ``BUNDLED_BASE_URL`` in the ``:ollama`` image, else
            ``IMAGE_DEFAULT_BASE_URL``) and ``""`` (``-e OLLAMA_BASE_URL=``: the legacy variable is read).
        api_base_url: the legacy ``OLLAMA_API_BASE_URL`` (``http://HOST:11434/api``); None when unset. Open
            WebUI reads it only when ``OLLAMA_BASE_URL`` is empty (``open_webui_base_url``).
        desktop_host_networking: Docker Desktop 4.34+ "Enable host networking" turned on.
        compose: both run as services of one compose file (Ollama must be a container).
        stored_url: the Ollama URL Open WebUI saved in its database (Admin → Settings → Connections). While
            the data volume is kept and ``ENABLE_PERSISTENT_CONFIG`` is on (the default), it wins over
            ``OLLAMA_BASE_URL``; None when nothing is saved (a fresh volume).
        add_host_ip: ``--add-host=host.docker.internal:IP``, the name mapped to a given address instead of
            ``host-gateway``; None when not given.
        host_address: an address of the host itself besides loopback and docker0 (its LAN address,
            e.g. 192.168.1.20), so that a base URL naming it leads to the host; None when not given.
        userland_proxy: the daemon's ``userland-proxy`` setting (``/etc/docker/daemon.json``; on by
            default). Off, no docker-proxy listens for published ports: Docker's NAT alone forwards
            them, so Docker's isolation between bridge networks also applies to a published port
            reached at the docker0 address from another network.
        host_firewall: a firewall on the Linux host (ufw's default "deny incoming", firewalld's public
            zone) drops what containers on a bridge network send to the host's own services (the
            filter table's INPUT chain); Docker Engine (rootful) only.
        engine: the container engine on a Linux host (``ENGINES``): "docker" (rootful Docker Engine),
            "docker-rootless", "podman-rootful" or "podman-rootless". Docker Desktop is
            ``platform="desktop"`` (Docker Desktop for Linux too), always with "docker".
    """

    platform: str = "linux"
    ollama: str = "host"
    ollama_bind: str | None = None
    ollama_network: str | None = None
    ollama_publish: str | None = None
    ollama_host_port: int | None = None
    ollama_name: str = "ollama"
    webui_network: str = "bridge"
    webui_port: int = 3000
    add_host_gateway: bool = False
    base_url: str = IMAGE_DEFAULT_BASE_URL
    api_base_url: str | None = None
    desktop_host_networking: bool = False
    compose: bool = False
    userland_proxy: bool = True
    engine: str = "docker"
    host_address: str | None = None
    add_host_ip: str | None = None
    stored_url: str | None = None
    host_firewall: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    # ---- derived facts, named as the docs name them ----
    @property
    def ollama_in_container(self) -> bool:
        return self.ollama == "container"

    @property
    def ollama_bundled(self) -> bool:
        """Ollama runs inside the Open WebUI container (the ``:ollama`` image)."""
        return self.ollama == "bundled"

    @property
    def ollama_network_effective(self) -> str | None:
        """Container Ollama's network ("bridge" when unset); None for a host Ollama."""
        return (self.ollama_network or "bridge") if self.ollama_in_container else None

    @property
    def ollama_publish_effective(self) -> str:
        if not self.ollama_in_container or self.ollama_network_effective == "host":
            return "none"  # Docker discards -p in host mode
        return self.ollama_publish or "none"

    @property
    def ollama_published_port(self) -> int:
        """The host port where container Ollama's 11434 is published (``-p HOST:11434``)."""
        return self.ollama_host_port or OLLAMA_PORT

    @property
    def ollama_listen(self) -> OllamaListen:
        """Where Ollama listens inside its own network namespace."""
        if self.ollama_bind is not None:
            return parse_ollama_host(self.ollama_bind)
        return parse_ollama_host("0.0.0.0:11434" if self.ollama_in_container else None)

    @property
    def webui_host_mode(self) -> bool:
        return self.webui_network == "host"

    @property
    def parsed_base_url(self) -> BaseUrl:
        """The URL Open WebUI's backend connects to: the saved one when there is one, else OLLAMA_BASE_URL."""
        return parse_base_url(self.effective_base_url)

    @property
    def effective_base_url(self) -> str:
        return self.stored_url if self.stored_url is not None else self.env_base_url

    @property
    def env_base_url(self) -> str:
        """The URL Open WebUI derives from ``OLLAMA_BASE_URL`` and ``OLLAMA_API_BASE_URL`` (``open_webui_base_url``)."""
        return open_webui_base_url(self.base_url, self.api_base_url, bundled=self.ollama_bundled)[0]

    @property
    def shared_network(self) -> str | None:
        """The user-defined network both containers are on, if any."""
        net = self.ollama_network_effective
        if net and net == self.webui_network and net not in ("bridge", "host"):
            return net
        return None

    def replace(self, **changes: Any) -> "Config":
        """A copy with some knobs changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_knobs(
        cls, knobs: Mapping[str, Any], base: Mapping[str, Any] | None = None
    ) -> "Config":
        """Build a configuration from explicit knobs laid over a base (a scenario's knobs).

        A knob inherited from the base that no longer applies after an explicit change is dropped
        (``--scenario linux-compose --ollama host`` drops the scenario's Ollama network); the same
        knob given explicitly is an error, so nothing the learner typed is ignored silently.
        """
        for what, given in (("knobs", knobs), ("base", base or {})):
            if not isinstance(given, Mapping) or not all(isinstance(k, str) for k in given):
                raise ConfigError(
                    f"Config.from_knobs: {what} {shown(given)} is not a mapping of knob names to values.",
                    "pass a dict such as {'platform': 'linux', 'ollama': 'container'}.",
                )
        unknown = sorted(set(knobs) - KNOB_NAMES)
        if unknown:
            raise ConfigError(
                f"Unknown knob(s): {', '.join(unknown)}.",
                f"the knobs are: {', '.join(sorted(KNOB_NAMES))}.",
            )
        merged = dict(base or {})
        merged.update({k: v for k, v in knobs.items() if v is not None})
        for name in _inapplicable(merged):
            if name not in knobs or knobs[name] is None:
                merged.pop(name, None)
        if merged.get("ollama") == "bundled" and merged.get("base_url") is None:
            merged["base_url"] = IMAGE_BASE_URL_VALUE  # the :ollama image's own OLLAMA_BASE_URL (its Dockerfile)
        if merged.get("compose") and merged.get("webui_network") is None and merged.get("ollama_network") is None:
            # --compose means what a compose project does: one default network for the whole stack
            merged["webui_network"] = merged["ollama_network"] = COMPOSE_DEFAULT_NETWORK
        return cls(**merged)


KNOB_NAMES = frozenset(f.name for f in fields(Config))


def _inapplicable(values: Mapping[str, Any]) -> list[str]:
    """Knobs whose (non-default) value makes no sense with the others."""
    out = []
    ollama = values.get("ollama", "host")
    if ollama in ("host", "bundled"):
        for name in ("ollama_network", "ollama_publish", "ollama_host_port"):
            if values.get(name) is not None:
                out.append(name)
        if values.get("compose"):
            out.append("compose")
    if values.get("platform", "linux") == "linux" and values.get("desktop_host_networking"):
        out.append("desktop_host_networking")
    if values.get("host_firewall") and (values.get("platform", "linux") != "linux"
                                        or values.get("engine", "docker") != "docker"):
        out.append("host_firewall")  # modelled for rootful Docker Engine only
    return out


def _validate(c: Config) -> None:
    def choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise ConfigError(
                f"{_flag(name)} {shown(value)} is not a value the kit knows.",
                f"use one of: {', '.join(allowed)}.",
            )

    for k in KNOBS:  # the checks every knob of a kind shares
        value = getattr(c, k.name)
        if k.kind == "choice" and (value is not None or k.name != "ollama_publish"):
            choice(k.name, value, k.choices)
        elif k.kind == "bool" and not isinstance(value, bool):
            raise ConfigError(
                f"{k.flag} must be true or false, not {shown(value)}.",
                "give the flag to turn it on, or write true/false in a scenario file.",
            )
        elif k.kind == "port" and value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535):
            raise ConfigError(f"{k.flag} {shown(value)} is not a TCP port.",
                              f"use a number from 1 to 65535, e.g. {k.example}.")
    if c.platform == "desktop" and c.engine != "docker":
        raise ConfigError(
            f"--engine {c.engine} runs on a Linux host, but --platform is desktop (Docker Desktop is Docker "
            "in a VM, also on Linux).",
            "drop --engine (Docker Desktop is --engine docker), or use --platform linux.",
        )
    if c.host_firewall and (c.platform != "linux" or c.engine != "docker"):
        raise ConfigError(
            "--host-firewall is modelled for rootful Docker Engine on Linux only (its packets from docker0 to the "
            "host pass the host's INPUT chain; Docker Desktop, rootless engines and Podman reach the host otherwise).",
            "drop --host-firewall, or use --platform linux --engine docker.",
        )
    for name in ("webui_network", "ollama_network"):
        value = getattr(c, name)
        if value is None:
            continue
        if value in ("bridge", "host"):
            continue
        if value == "none" or name_problem(value, network=True):
            raise ConfigError(
                f"{_flag(name)} {shown(value)} is not a network the kit can model.",
                "use bridge (the default bridge), host, or the name of a user-defined network "
                "(letters, digits, '_', '.', '-'); the same name on both sides means a shared "
                "network, as in a compose stack.",
            )
    problem = name_problem(c.ollama_name, resolvable=True)
    if problem:
        raise ConfigError(
            f"--ollama-name {shown(c.ollama_name)} is not a name Docker can give the Ollama container: {problem}.",
            f"use letters, digits, '_' and '-', 2 to {DNS_LABEL_MAX} characters, starting with a letter or "
            "digit, e.g. ollama.",
        )
    if c.ollama_bind is not None:
        problem = "it is empty" if isinstance(c.ollama_bind, str) and not c.ollama_bind.strip() else (
            "it is not text" if not isinstance(c.ollama_bind, str) else bind_problem(c.ollama_bind))
        if problem:
            raise ConfigError(
                f"--ollama-bind {shown(c.ollama_bind)} is not an address Ollama can listen on: {problem}.",
                "use an OLLAMA_HOST value such as 127.0.0.1, 0.0.0.0, 0.0.0.0:11434 or [::1]:11434.",
            )
    if not isinstance(c.base_url, str):
        raise ConfigError(f"--base-url {shown(c.base_url)} is not a URL.", "write it like http://ollama:11434.")
    _validate_base_urls(c)
    if c.stored_url is not None:
        parse_base_url(c.stored_url)
    if c.add_host_ip is not None:
        try:
            ipaddress.ip_address(c.add_host_ip if isinstance(c.add_host_ip, str) else "")
        except ValueError:
            raise ConfigError(
                f"--add-host-ip {shown(c.add_host_ip)} is not an IP address (as in --add-host=host.docker.internal:IP).",
                "give an address such as 172.17.0.1 or 192.168.1.20, or use --add-host-gateway for host-gateway.",
            ) from None
        if c.add_host_gateway:
            raise ConfigError(
                "--add-host-gateway and --add-host-ip both map host.docker.internal (Docker writes both lines).",
                "keep one of them.",
            )
    if c.host_address is not None:
        try:
            ip = ipaddress.ip_address(c.host_address) if isinstance(c.host_address, str) else None
        except ValueError:
            ip = None
        if ip is None or ip.is_loopback or ip.is_unspecified or c.host_address == DOCKER0_ADDRESS:
            raise ConfigError(
                f"--host-address {shown(c.host_address)} is not an address of the host the kit can place.",
                "give the host's own IP address besides loopback and docker0, e.g. its LAN address 192.168.1.20 "
                "(ip -4 addr on Linux).",
            )
    if c.ollama in ("host", "bundled"):
        why = ("a native Ollama has no Docker network or published port" if c.ollama == "host" else
               "a bundled Ollama runs inside the Open WebUI container, on its network")
        for name in ("ollama_network", "ollama_publish", "ollama_host_port"):
            if getattr(c, name) is not None:
                raise ConfigError(
                    f"{_flag(name)} applies to an Ollama container, but --ollama is {c.ollama} ({why}).",
                    f"add --ollama container, or drop {_flag(name)}.",
                )
        if c.compose:
            raise ConfigError(
                "--compose describes Ollama and Open WebUI as services of one compose file, but "
                f"--ollama is {c.ollama}.",
                "add --ollama container, or drop --compose.",
            )
    if c.platform == "linux" and c.desktop_host_networking:
        raise ConfigError(
            "--desktop-host-networking is a Docker Desktop setting, but --platform is linux.",
            "add --platform desktop, or drop --desktop-host-networking (on Linux host networking "
            "always works).",
        )


def _validate_base_urls(c: Config) -> None:
    """``OLLAMA_BASE_URL`` is a URL, the image's ``/ollama`` or empty; what Open WebUI derives must be a URL."""
    if c.api_base_url is not None and (not isinstance(c.api_base_url, str) or not c.api_base_url.strip()):
        raise ConfigError(f"--api-base-url {shown(c.api_base_url)} is not a URL.",
                          "write it as the legacy variable was written, like http://ollama:11434/api, or leave it out.")
    if c.base_url not in ("", IMAGE_BASE_URL_VALUE):
        parse_base_url(c.base_url)
        return
    url, source = open_webui_base_url(c.base_url, c.api_base_url, bundled=c.ollama_bundled)
    try:
        parse_base_url(url)
    except ConfigError as exc:
        if source != "OLLAMA_API_BASE_URL":
            raise
        raise ConfigError(
            f"--api-base-url {shown(c.api_base_url)}: with OLLAMA_BASE_URL empty, Open WebUI uses it "
            + ("minus /api" if c.api_base_url.endswith("/api") else "whole (it does not end in /api)")
            + f" as the base URL, {shown(url)}, and that is not one: {exc.message}",
            "write it like http://ollama:11434/api (Open WebUI drops the /api), or set OLLAMA_BASE_URL instead.",
        ) from None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")
