"""The one module that talks to the Docker daemon (through the Docker SDK, docker-py 7).

Everything else in the kit (the lab, the doctor) goes through these functions, so the safety rules
live in one place:

* **Labels.** Every container and network the kit creates carries labels in the ``io.owui-lab.*``
  namespace (``labels(session, role)``): ``io.owui-lab.managed=true``, ``io.owui-lab.session=<id>``,
  ``io.owui-lab.role=<role>``, ``io.owui-lab.owner=<owner>`` and, when the environment variable
  ``OWUI_LAB_RUN`` is set (the test suite sets it), ``io.owui-lab.run=<that value>``. Cleanup
  (``remove_labelled``) selects by label only, never by name: a learner's own ``ollama`` or
  ``open-webui`` container is never touched.
* **Owners.** Several people share one daemon (a classroom server, a lab machine). The owner is
  ``OWUI_LAB_OWNER`` when set (the classroom service sets it to the learner's name), else the OS user
  (``current_owner()``). Listing and cleanup select the caller's own objects unless the caller says
  ``everyone=True`` (the CLI's ``--all``). Selectors (session, run, owner) are checked first: an
  empty or malformed one is an error, never "no filter".
* **Names.** One deterministic rule (``container_name`` / ``network_name``)::

      container: owui-lab-<session>-<role>        e.g. owui-lab-1a2b3c4d-ollama
      network:   owui-lab-<session>-<net>         e.g. owui-lab-1a2b3c4d-ollama-net

  ``<session>`` is ``new_session_id()`` (8 hex digits), so two labs (or a lab and a learner's
  containers) never collide. The name Open WebUI uses to reach Ollama is still the configuration's
  ``ollama_name``: the lab gives the Ollama container that name as a *network alias* on its
  user-defined networks, which is exactly what Docker's embedded DNS (and compose) resolve.
* **Errors.** No daemon, no permission on the socket, an image missing offline: one
  ``OwuiLabError`` paragraph that says what to do.

The Docker SDK is imported lazily, inside the functions, so ``import owui_lab`` stays fast.

Why this module is long: it is, on purpose, the only one that imports ``docker`` (a test walks the
imports to hold that), so the lab's, the doctor's and the grid's calls all live here, in sections.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .errors import DockerUnavailable, ImageMissing, LabError
from .standins import source as standin_source

if TYPE_CHECKING:  # pragma: no cover
    import docker
    from docker.models.containers import Container

#: A connected client's type, for the annotations of other modules (which never import the SDK).
DockerClient = Any if not TYPE_CHECKING else docker.DockerClient

LABEL_PREFIX = "io.owui-lab"
LABEL_MANAGED = f"{LABEL_PREFIX}.managed"
LABEL_SESSION = f"{LABEL_PREFIX}.session"
LABEL_ROLE = f"{LABEL_PREFIX}.role"
LABEL_RUN = f"{LABEL_PREFIX}.run"
LABEL_OWNER = f"{LABEL_PREFIX}.owner"
OWNER_ENV = "OWUI_LAB_OWNER"
NAME_PREFIX = "owui-lab"
DEFAULT_IMAGE = "python:3.12-slim"
OFFLINE_IMAGE = "owui-lab/python:offline"
IMAGE_ENV = "OWUI_LAB_IMAGE"
RUN_ENV = "OWUI_LAB_RUN"


# --------------------------------------------------------------------------------------------------
# Connecting
# --------------------------------------------------------------------------------------------------


def client(timeout: float = 30) -> "docker.DockerClient":
    """A Docker client for the daemon the learner's ``docker`` command would use.

    Honours ``DOCKER_HOST`` (and ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``) like ``docker`` does;
    without it, the current Docker context (``docker context use ...``, ``DOCKER_CONTEXT``), which is
    how Docker Desktop and rootless Docker point the CLI at their sockets.

    Args:
        timeout: seconds to wait for any single API call.

    Returns:
        A connected ``docker.DockerClient`` (the daemon answered a ping).

    Raises:
        DockerUnavailable: no daemon answers, or the socket may not be used; the message says why
            and what to do.
    """
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:  # pragma: no cover - docker is a declared dependency
        raise DockerUnavailable(
            "The Docker SDK for Python (package 'docker') is not installed.",
            "install the kit with its dependencies: pip install -e . (or make setup).",
        ) from None
    where = os.environ.get("DOCKER_HOST") or ""
    try:
        if where:
            cli = docker.from_env(timeout=int(timeout))
        else:
            cli, where = _client_from_context(docker, timeout)
        cli.ping()
        return cli
    except DockerException as exc:
        raise _unavailable(exc, where or "unix:///var/run/docker.sock") from None
    except OSError as exc:
        raise _unavailable(exc, where or "unix:///var/run/docker.sock") from None
    except ValueError:  # the SDK parses DOCKER_HOST with urllib: 'tcp://[::1' raises here
        raise DockerUnavailable(
            f"DOCKER_HOST={where!r} is not an address Docker understands.",
            "fix or unset DOCKER_HOST, e.g. unix:///var/run/docker.sock or tcp://[::1]:2375 "
            "(docker context ls shows the endpoints you have).",
        ) from None


def _current_context() -> tuple[Any, str | None]:
    """The Docker CLI context in use (``DOCKER_CONTEXT``, else the current one) and its endpoint.

    The kit's one reading of the context store: the client connects through it and the daemon's
    facts (``context_endpoint``) name it. A broken store is (None, None): the default socket.
    """
    try:
        from docker.context import ContextAPI

        wanted = os.environ.get("DOCKER_CONTEXT")  # as the docker CLI: the variable wins
        ctx = ContextAPI.get_context(wanted) if wanted else ContextAPI.get_current_context()
        return ctx, getattr(ctx, "Host", None)
    except Exception:  # noqa: BLE001 - a broken context store: fall back to the default socket
        return None, None


def context_endpoint() -> tuple[str, str]:
    """(context name, endpoint) the way the docker CLI picks them: ``DOCKER_HOST``, else the context."""
    host = os.environ.get("DOCKER_HOST", "")
    if host:
        return "", host
    ctx, endpoint = _current_context()
    return str(getattr(ctx, "Name", "") or ""), str(endpoint or "unix:///var/run/docker.sock")


def _client_from_context(docker_mod: Any, timeout: float) -> tuple["docker.DockerClient", str]:
    """Use the current Docker context's endpoint; the default context is the local socket."""
    ctx, host = _current_context()
    if ctx is None or not host or getattr(ctx, "Name", "default") == "default":
        return docker_mod.from_env(timeout=int(timeout)), host or ""
    tls = getattr(ctx, "TLSConfig", None) or False
    return docker_mod.DockerClient(base_url=host, tls=tls, timeout=int(timeout)), host


def _unavailable(exc: BaseException, where: str) -> DockerUnavailable:
    """Turn the SDK's exception into one paragraph a learner can act on."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = " ".join(str(x) for x in chain) + " " + " ".join(repr(x) for x in exc.args)
    if any(isinstance(x, PermissionError) for x in chain) or "Permission denied" in text:
        return DockerUnavailable(
            f"A Docker daemon is there ({where}) but this user may not use its socket (permission denied).",
            "add yourself to the docker group (sudo usermod -aG docker $USER, then log out and in "
            "again), or run the kit with sudo; on Docker Desktop, make sure Docker Desktop is running.",
        )
    return DockerUnavailable(
        f"No Docker daemon answers at {where} ({_why_no_answer(chain, text)}).",
        "start Docker (Linux: sudo systemctl start docker; macOS/Windows: open Docker Desktop) and "
        "check that 'docker info' works; set DOCKER_HOST or 'docker context use' if your daemon is "
        "elsewhere. Without Docker (e.g. on Binder) the kit still predicts and draws; only the live "
        "lab needs a daemon.",
    )


def _why_no_answer(chain: list[BaseException], text: str) -> str:
    """Why nothing answered, in words (a learner reads it: no exception reprs)."""
    if any(isinstance(x, FileNotFoundError) for x in chain) or "No such file" in text:
        return "there is no socket there: Docker is not running, or not installed"
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "refused" in text:
        return "nothing listens there: Docker is not running"
    if any(isinstance(x, TimeoutError) for x in chain) or "timed out" in text.lower():
        return "it did not answer in time: Docker may be starting, or stuck"
    return "it did not answer like a Docker daemon"


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if len(text) < 200 else text[:197] + "..."


# --------------------------------------------------------------------------------------------------
# What kind of daemon is this?
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaemonInfo:
    """What the daemon really is, read tolerantly from ``docker info`` / ``docker version``.

    Attributes:
        platform: "linux" (a Docker Engine on a Linux host) or "desktop" (Docker Desktop), the same
            words as ``Config.platform``.
        kind: "engine", "desktop", "rootless" or "podman".
        server_version: the daemon's version string.
        api_version: the API version it speaks.
        operating_system: ``docker info``'s OperatingSystem.
        docker0: the default bridge's gateway address (docker0 on a Linux host), or None.
        context: the Docker CLI context name, when known ("default", "desktop-linux", "rootless" ...).
        endpoint: where the client connects (``unix:///var/run/docker.sock``, ``tcp://...``), when known.
        local: the daemon runs on this machine (a unix socket, or Docker Desktop's), so this machine's
            loopback is the host the containers see.
        host_addresses: this machine's own IPv4 addresses besides loopback, when the daemon is local
            (the doctor fills them in: a LAN address in a base URL leads to the host).
        podman_rootless: Podman runs as a normal user (its libpod ``/info`` says so; the Docker-compatible
            ``/info`` does not).
        network_backend: Podman's network backend ("netavark", "cni"), "rootlesskit" for rootless
            Docker, "bridge" for a rootful Docker Engine; "?" when unknown.
    """

    platform: str
    kind: str
    server_version: str
    api_version: str
    operating_system: str
    docker0: str | None
    context: str = ""
    endpoint: str = ""
    local: bool = True
    host_addresses: frozenset[str] = frozenset()
    podman_rootless: bool = False
    network_backend: str = "?"

    @property
    def rootless(self) -> bool:
        return self.kind == "rootless" or (self.kind == "podman" and self.podman_rootless)

    @property
    def engine_knob(self) -> str:
        """The engine knob (``Config.engine``) of this daemon: docker, docker-rootless, podman-rootful/-rootless."""
        if self.kind == "podman":
            return "podman-rootless" if self.podman_rootless else "podman-rootful"
        return "docker-rootless" if self.kind == "rootless" else "docker"

    @property
    def podman(self) -> bool:
        return self.kind == "podman"

    @property
    def host_gateway_name(self) -> str:
        """The name the runtime gives the host inside containers."""
        return "host.containers.internal" if self.podman else "host.docker.internal"

    @property
    def product(self) -> str:
        """A phrase for the learner: "Docker Engine 20.10.24", "Docker Desktop (engine 27.4.0)" ..."""
        server = "" if self.server_version in ("", "?") else self.server_version
        if self.kind == "desktop":
            return f"Docker Desktop (engine {server})" if server else "Docker Desktop"
        name = {"podman": "rootless Podman" if self.podman_rootless else "Podman (rootful)",
                "rootless": "rootless Docker Engine"}.get(self.kind, "Docker Engine")
        return f"{name} {server}".strip()

    @property
    def description(self) -> str:
        names = {
            "engine": "a Docker Engine on Linux",
            "desktop": "Docker Desktop",
            "rootless": "a rootless Docker Engine on Linux",
            "podman": f"{'rootless' if self.podman_rootless else 'rootful'} Podman's Docker-compatible service",
        }
        return f"{names.get(self.kind, self.kind)} {self.server_version} (API {self.api_version})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "kind": self.kind,
            "server_version": self.server_version,
            "api_version": self.api_version,
            "operating_system": self.operating_system,
            "docker0": self.docker0,
            "description": self.description,
            "product": self.product,
            "rootless": self.rootless,
            "podman": self.podman,
            "engine_knob": self.engine_knob,
            "network_backend": self.network_backend,
            "context": self.context,
            "endpoint": self.endpoint,
            "local": self.local,
        }


def daemon_info(cli: "docker.DockerClient") -> DaemonInfo:
    """Tell a Linux Docker Engine from Docker Desktop (and rootless Docker / Podman).

    Args:
        cli: a connected client.

    Returns:
        The daemon's kind and platform.
    """
    info, version = daemon_payloads(cli)
    return parse_daemon_info(info, version, _docker0_of(cli))


def daemon_payloads(cli: "docker.DockerClient") -> tuple[dict[str, Any], dict[str, Any]]:
    """The daemon's raw ``docker info`` and ``docker version`` payloads (the truth grid records facts from them)."""
    try:
        info = cli.info() or {}
    except Exception as exc:  # noqa: BLE001
        raise _unavailable(exc, str(getattr(cli.api, "base_url", "the daemon"))) from None
    try:
        version = cli.version() or {}
    except Exception:  # noqa: BLE001 - read tolerantly: the facts say "?" where it is missing
        version = {}
    if _is_podman(version):
        info = {**info, PODMAN_HOST_KEY: _podman_host(cli)}
    return info, version


#: Where ``daemon_payloads`` puts the facts only Podman's own API gives (rootless, network backend).
PODMAN_HOST_KEY = "OwuiLabPodmanHost"


def _is_podman(version: dict[str, Any]) -> bool:
    return any("podman" in str((c or {}).get("Name", "")).lower() for c in (version.get("Components") or []))


def _podman_host(cli: "docker.DockerClient") -> dict[str, Any]:
    """Podman's libpod ``/info`` essentials: rootless or not, the network backend, the rootless network helper."""
    try:
        host = (cli.api._result(cli.api._get(cli.api._url("/libpod/info")), json=True) or {}).get("host") or {}
    except Exception:  # noqa: BLE001 - an older or trimmed Podman: the facts say "?"
        return {}
    security = host.get("security") or {}
    helper = host.get("rootlessNetworkCmd") or ("slirp4netns" if (host.get("slirp4netns") or {}).get("executable")
                                                else "")
    return {"rootless": bool(security.get("rootless")), "networkBackend": str(host.get("networkBackend") or "?"),
            "rootlessNetworkCmd": str(helper)}


def container_limits(cli: "docker.DockerClient") -> dict[str, Any]:
    """Extra ``containers.run`` options this engine needs to start a container at all.

    Podman sets RLIMIT_NOFILE to 1048576 and RLIMIT_NPROC to 4194304 in a rootful container; where the
    host's hard limits are lower (sandboxes, some CI runners: measured here, "error setting rlimit type 7:
    operation not permitted") no container starts. Explicit limits are accepted everywhere (lowering a
    limit needs no privilege, so rootless Podman takes them too), and the stand-ins need a few dozen
    files, so the kit passes 1024/1024 on Podman (the issue's measured values; containers.conf's
    default_ulimits did not help). Docker needs nothing. Asked once per client (``docker version``, the
    cheap call: Podman's ``/info`` can take seconds on a busy machine).
    """
    return {"ulimits": [_ulimit("nofile", 1024), _ulimit("nproc", 1024)]} if _talks_to_podman(cli) else {}


def _talks_to_podman(cli: "docker.DockerClient") -> bool:
    """Whether this client's daemon is Podman, asked once per client (False, and asked again next time,
    while the daemon does not answer)."""
    known = getattr(cli, "_owui_lab_podman", None)
    if known is not None:
        return bool(known)
    version: dict[str, Any] = {}
    for _ in range(3):
        try:
            version = cli.version() or {}
        except Exception:  # noqa: BLE001 - a busy daemon: ask again
            version = {}
        if version:
            break
    if not version:
        return False  # not cached: asked again for the next container
    try:
        cli._owui_lab_podman = _is_podman(version)
    except AttributeError:  # pragma: no cover - a client that takes no attributes: ask each time
        pass
    return _is_podman(version)


def know_limits(cli: "docker.DockerClient", info: "DaemonInfo") -> None:
    """Settle ``container_limits`` (and how networks are made) from daemon facts already read (the lab reads
    them first): no second question to a busy daemon, which could go unanswered and leave Podman's
    containers without limits."""
    try:
        cli._owui_lab_podman = info.kind == "podman"
    except AttributeError:  # pragma: no cover - a client that takes no attributes: _talks_to_podman asks
        pass


def _ulimit(name: str, value: int) -> Any:
    from docker.types import Ulimit

    return Ulimit(name=name, soft=value, hard=value)


def parse_daemon_info(
    info: dict[str, Any], version: dict[str, Any], docker0: str | None = None, *, context: str = "", endpoint: str = ""
) -> DaemonInfo:
    """Classify a daemon from recorded ``docker info`` and ``docker version`` payloads (pure).

    The CLI context and endpoint, when given, add what the daemon cannot say about itself: whether
    it runs on this machine, Docker Desktop's ``desktop-linux`` context and socket, a Podman socket.
    """
    info = info if isinstance(info, dict) else {}
    version = version if isinstance(version, dict) else {}
    os_name = str(info.get("OperatingSystem") or "")
    security = " ".join(str(s) for s in (info.get("SecurityOptions") or []))
    components = " ".join(str((c or {}).get("Name", "")) for c in (version.get("Components") or []))
    platform_name = str((version.get("Platform") or {}).get("Name", ""))
    labels = " ".join(str(x) for x in (info.get("Labels") or []))
    if "podman" in (components + " " + platform_name + " " + labels).lower():
        kind = "podman"
    elif "docker desktop" in os_name.lower() or "desktop" in platform_name.lower():
        kind = "desktop"
    elif "rootless" in security:
        kind = "rootless"
    else:
        kind = "engine"
    if kind == "engine" and (
        "com.docker.desktop.address" in labels or context.startswith("desktop-") or "/.docker/run/docker.sock" in endpoint
    ):
        kind = "desktop"
    if kind != "desktop" and "podman" in endpoint.lower():
        kind = "podman"
    if kind == "engine" and context == "rootless":
        kind = "rootless"
    podman_host = info.get(PODMAN_HOST_KEY) or {}
    backend = {"podman": str(podman_host.get("networkBackend") or "?"), "rootless": "rootlesskit",
               "engine": "bridge"}.get(kind, "?")
    return DaemonInfo(
        platform="desktop" if kind == "desktop" else "linux",
        kind=kind,
        server_version=str(info.get("ServerVersion") or version.get("Version") or "?"),
        api_version=str(version.get("ApiVersion") or "?"),
        operating_system=os_name or "?",
        docker0=docker0,
        context=context,
        endpoint=endpoint,
        local=not endpoint or endpoint.startswith(("unix://", "npipe://")) or kind == "desktop",
        podman_rootless=kind == "podman" and bool(podman_host.get("rootless")),
        network_backend=backend,
    )


def _docker0_of(cli: "docker.DockerClient") -> str | None:
    """The default bridge's gateway: IPAM's Gateway, else the first address of its subnet."""
    try:
        ipam = (cli.networks.get("bridge").attrs.get("IPAM") or {}).get("Config") or []
    except Exception:  # noqa: BLE001
        return None
    for entry in ipam:
        if entry.get("Gateway"):
            return str(entry["Gateway"]).split("/")[0]
        if entry.get("Subnet"):
            try:
                net = ipaddress.ip_network(entry["Subnet"], strict=False)
                if net.version == 4:
                    return str(next(net.hosts()))
            except (ValueError, StopIteration):
                continue
    return None


# --------------------------------------------------------------------------------------------------
# Labels and names
# --------------------------------------------------------------------------------------------------


def new_session_id() -> str:
    """A fresh lab session id: 8 hex digits, unique enough for concurrent labs on one daemon."""
    return secrets.token_hex(4)


_SESSION = re.compile(r"[A-Za-z0-9]{1,64}")
_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_OWNER = re.compile(r"[\w][\w.@+-]{0,127}")


def check_session(value: object) -> str:
    """A lab session id as given (letters and digits, at most 64), or ``LabError``.

    An empty or malformed id never means "every lab": it is refused, so it can neither widen a
    cleanup nor name a file outside the state directory.
    """
    if not isinstance(value, str) or not _SESSION.fullmatch(value):
        raise LabError(
            f"{value!r} is not a lab session id (letters and digits, at most 64).",
            "owui-lab lab status lists the labs that are up, with their session ids.",
        )
    return value


def check_run(value: object) -> str:
    """A test-run id (``io.owui-lab.run``) as given, or ``LabError`` (empty or malformed)."""
    if not isinstance(value, str) or not _RUN.fullmatch(value):
        raise LabError(
            f"{value!r} is not a run id (letters, digits, '.', '-' or '_', at most 128).",
            f"give the value of the {RUN_ENV} variable the objects were created with, or leave --run out.",
        )
    return value


def check_owner(value: object) -> str:
    """An owner name as given (word characters, ``.@+-``; at most 128), or ``LabError``."""
    if not isinstance(value, str) or not _OWNER.fullmatch(value):
        raise LabError(
            f"{value!r} is not an owner name the kit accepts (letters, digits, '.', '@', '+', '-' or '_', "
            "at most 128).",
            f"set {OWNER_ENV} to a plain name (or unset it to use your user name).",
        )
    return value


def current_owner() -> str:
    """Who owns what this process creates: ``OWUI_LAB_OWNER`` when set, else the OS user's name.

    The OS user comes from the process's user id (not the ``USER`` variable, which ``sudo``/``runuser``
    may leave behind); on Windows from ``getpass``.

    Raises:
        LabError: ``OWUI_LAB_OWNER`` is set but empty or malformed (a classroom service that sets it
            must never fall back to the service's own user, which every learner shares).
    """
    value = os.environ.get(OWNER_ENV)
    if value is not None:
        return check_owner(value)
    name = ""
    try:
        import pwd

        name = pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        try:
            import getpass

            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no name at all: the uid is still an owner
            name = ""
    if not name and hasattr(os, "getuid"):
        name = f"uid-{os.getuid()}"
    name = re.sub(r"[^\w.@+-]", "_", name or "unknown")
    if not (name[0].isalnum() or name[0] == "_"):
        name = f"u{name}"
    return check_owner(name[:128])


def labels(session: str, role: str, owner: str | None = None) -> dict[str, str]:
    """The labels every object of a lab session carries.

    Args:
        session: the lab's session id.
        role: what the object is for: "ollama", "webui", "network", "probe", ...
        owner: whose it is (default ``current_owner()``).

    Returns:
        ``io.owui-lab.managed``, ``.session``, ``.role``, ``.owner`` and, when ``OWUI_LAB_RUN`` is
        set (the test suite does), ``.run``: the selector for a whole test run's objects.
    """
    out = {
        LABEL_MANAGED: "true",
        LABEL_SESSION: check_session(session),
        LABEL_ROLE: role,
        LABEL_OWNER: check_owner(owner) if owner is not None else current_owner(),
    }
    run = os.environ.get(RUN_ENV)
    if run:
        out[LABEL_RUN] = check_run(run)  # refused now, not written as a label 'lab clean --run' refuses
    return out


def container_name(session: str, role: str) -> str:
    """The Docker name of a lab container: ``owui-lab-<session>-<role>``."""
    return f"{NAME_PREFIX}-{session}-{role}"


def network_name(session: str, name: str) -> str:
    """The Docker name of a lab network: ``owui-lab-<session>-<the configuration's network name>``."""
    return f"{NAME_PREFIX}-{session}-{name}"


def label_filters(
    session: str | None = None, run: str | None = None, owner: str | None = None, everyone: bool = False
) -> dict[str, Any]:
    """Filters selecting kit objects: the caller's (default), one owner's, or everyone's.

    Args:
        session: only this lab session's objects.
        run: only this test run's objects (``io.owui-lab.run``).
        owner: only this owner's objects (default: ``current_owner()``).
        everyone: every owner's objects (``--all``); ``owner`` must then be None.

    Raises:
        LabError: a selector is given but empty or malformed (it never widens to "all").
    """
    wanted = [f"{LABEL_MANAGED}=true"]
    if session is not None:
        wanted.append(f"{LABEL_SESSION}={check_session(session)}")
    if run is not None:
        wanted.append(f"{LABEL_RUN}={check_run(run)}")
    if everyone:
        if owner is not None:
            raise LabError("Both one owner and every owner were asked for.", "give either an owner or --all.")
    else:
        wanted.append(f"{LABEL_OWNER}={check_owner(owner) if owner is not None else current_owner()}")
    return {"label": wanted}


# --------------------------------------------------------------------------------------------------
# The stand-in image
# --------------------------------------------------------------------------------------------------


_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?"
_IMAGE_REFERENCE = re.compile(
    rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


def check_image_name(name: str, where: str = "the image name") -> str:
    """``name`` when it is a Docker image reference (Docker's grammar), else ``ImageMissing``.

    Docker refuses upper-case repository names and other malformed references with an error that
    looks like a dead daemon through the SDK; the kit says what is wrong before asking the daemon.
    """
    if not isinstance(name, str) or len(name) > 255 or not _IMAGE_REFERENCE.fullmatch(name):
        raise ImageMissing(
            f"{where} {name!r} is not a Docker image name (repository names are lower case: letters, "
            "digits and . _ - separators, then an optional :tag).",
            f"use a name such as {OFFLINE_IMAGE} or {DEFAULT_IMAGE} (docker images lists yours).",
        )
    return name


def image_name(image: str | None = None) -> str:
    """The stand-in image: the argument, else ``OWUI_LAB_IMAGE``, else ``python:3.12-slim`` (checked).

    Raises:
        ImageMissing: the name is not a Docker image reference (e.g. ``UPPER/Case:tag``).
    """
    if image:
        return check_image_name(image, "The image")
    from_env = os.environ.get(IMAGE_ENV)
    if from_env is not None:
        return check_image_name(from_env, f"{IMAGE_ENV}")
    return DEFAULT_IMAGE


def ensure_image(cli: "docker.DockerClient", image: str | None = None, progress: Any = None) -> str:
    """Make sure the stand-in image is here, pulling it (with a progress bar) when it is not.

    Args:
        cli: a connected client.
        image: the image; None means ``image_name()``.
        progress: None shows a bar when someone is watching (a terminal or a notebook), False
            shows nothing, True always shows one, a callable gets ``(status, done, total)``.

    Returns:
        The image to use: the one asked for, or, when nobody chose one (no argument, no
        ``OWUI_LAB_IMAGE``) and the default is missing, the offline image if it was built here.

    Raises:
        ImageMissing: the image is not here and cannot be pulled (offline, unknown name).
    """
    from docker.errors import APIError, DockerException, ImageNotFound

    name = image_name(image)
    try:
        cli.images.get(name)
        return name
    except ImageNotFound:
        pass
    except DockerException as exc:
        raise _unavailable(exc, "the daemon") from None
    if name == DEFAULT_IMAGE and not image and not os.environ.get(IMAGE_ENV):
        # Nobody chose an image and the offline one was built here: use it rather than the network.
        try:
            cli.images.get(OFFLINE_IMAGE)
            return OFFLINE_IMAGE
        except DockerException:
            pass
    repo, tag = _split_image(name)
    report = _progress_reporter(name, progress)
    try:
        layers: dict[str, tuple[int, int]] = {}
        for event in cli.api.pull(repo, tag=tag, stream=True, decode=True):
            if "error" in event:
                raise APIError(str(event.get("error")))
            detail = event.get("progressDetail") or {}
            if event.get("id") and detail.get("total"):
                layers[event["id"]] = (int(detail.get("current") or 0), int(detail["total"]))
            elif event.get("id") and str(event.get("status", "")).startswith(("Pull complete", "Already exists")):
                done = layers.get(event["id"], (0, 0))[1]
                layers[event["id"]] = (done, done)
            report(str(event.get("status", "")), sum(c for c, _ in layers.values()), sum(t for _, t in layers.values()))
        cli.images.get(name)
    except (DockerException, OSError) as exc:
        raise ImageMissing(
            f"The stand-in image {name} is not on this machine and could not be pulled ({_short(exc)}).",
            "without a registry, build it from Debian's packages: scripts/build-offline-image.sh "
            f"(needs root and debootstrap), then export {IMAGE_ENV}={OFFLINE_IMAGE}; or pull any image "
            f"with python3 in it and set {IMAGE_ENV} to its name.",
        ) from None
    finally:
        report("done", -1, -1)
    return name


def _split_image(name: str) -> tuple[str, str]:
    if "@" in name:
        return name, ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = name.rsplit(":", 1)
        return repo, tag
    return name, "latest"


def _progress_reporter(name: str, progress: Any) -> Callable[[str, int, int], None]:
    """A ``(status, done, total)`` callback drawing a tqdm bar (tqdm.auto in notebooks)."""
    if callable(progress):
        return progress
    watching = progress is True or (progress is None and (_in_notebook() or sys.stderr.isatty()))
    if not watching:
        return lambda status, done, total: None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a declared dependency
        return _text_bar(name)
    bar = tqdm(total=0, unit="B", unit_scale=True, desc=f"pulling {name}", leave=False)
    lock = threading.Lock()

    def update(status: str, done: int, total: int) -> None:
        with lock:
            if done < 0:
                bar.close()
                return
            if total and total != bar.total:
                bar.total = total
            bar.n = done
            bar.refresh()

    return update


def _text_bar(name: str) -> Callable[[str, int, int], None]:  # pragma: no cover - fallback only
    def update(status: str, done: int, total: int) -> None:
        if done < 0:
            print(file=sys.stderr)
            return
        share = done / total if total else 0.0
        print(f"\rpulling {name} [{'#' * int(share * 30):<30}] {share:4.0%}", end="", file=sys.stderr)

    return update


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return False
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"


# --------------------------------------------------------------------------------------------------
# Cleanup, by label only
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Removed:
    """What ``remove_labelled`` removed (names), and what it could not remove (with why)."""

    containers: tuple[str, ...]
    networks: tuple[str, ...]
    failed: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.containers) + len(self.networks)


def remove_labelled(
    cli: "docker.DockerClient",
    session: str | None = None,
    run: str | None = None,
    owner: str | None = None,
    everyone: bool = False,
) -> Removed:
    """Remove the kit's containers, then its networks, selected by label only.

    Args:
        cli: a connected client.
        session: only this lab session's objects; None means every session's.
        run: only objects of this test run (label ``io.owui-lab.run``).
        owner: only this owner's objects; None means the caller's own (``current_owner()``).
        everyone: every owner's objects (``lab clean --all``).

    Returns:
        What was removed. Objects without the kit's labels are never listed, so never removed.
    """
    from docker.errors import APIError, DockerException, NotFound
    from requests.exceptions import RequestException

    filters = label_filters(session, run, owner, everyone)
    failed: list[str] = []
    removed_containers: list[str] = []
    try:
        # The summaries alone (one call): the SDK's containers.list inspects each one, and a
        # container the daemon keeps locked (a kill of a frozen one) would hold the whole listing.
        containers = cli.api.containers(all=True, filters=filters) or []
        networks = cli.networks.list(filters=filters)
    except (DockerException, RequestException) as exc:
        raise DockerUnavailable(
            f"The Docker daemon did not list the kit's containers and networks: {_short(exc)}.",
            "check that 'docker ps' answers (restart Docker if it hangs), then run 'owui-lab lab clean' again.",
        ) from None

    def remove_container(summary: dict[str, Any]) -> None:
        name = ((summary.get("Names") or ["/?"])[0] or "/?").lstrip("/")
        try:
            if summary.get("State") == "paused":
                # A kill of a paused container waits for it to thaw, holding the daemon's lock on
                # it: thaw ours first (it is removed at once anyway).
                try:
                    cli.api.unpause(summary["Id"])
                except APIError:
                    pass  # thawed meanwhile (by hand, or its cgroup): the removal says the rest
            # force: SIGKILL at once. Stand-ins keep no state, so there is nothing to flush.
            cli.api.remove_container(summary["Id"], force=True, v=True)
            removed_containers.append(name)
        except NotFound:
            removed_containers.append(name)
        except APIError as exc:
            if "already in progress" in str(exc):
                removed_containers.append(name)
            else:
                failed.append(f"container {name}: {_short(exc)}")
        except (DockerException, RequestException) as exc:  # a read timeout: the daemon is stuck on it
            failed.append(f"container {name}: the daemon did not answer ({_short(exc)})")

    in_parallel(remove_container, containers)
    removed_networks: list[str] = []

    def remove_network(n: Any) -> None:
        try:
            n.remove()
            removed_networks.append(n.name)
        except NotFound:
            removed_networks.append(n.name)
        except (DockerException, RequestException) as exc:
            failed.append(f"network {n.name}: {_short(exc)}")

    in_parallel(remove_network, networks)
    return Removed(tuple(sorted(removed_containers)), tuple(sorted(removed_networks)), tuple(failed))


def list_labelled(
    cli: "docker.DockerClient",
    session: str | None = None,
    run: str | None = None,
    owner: str | None = None,
    everyone: bool = False,
) -> list[str]:
    """Names of the kit's containers and networks (``container:NAME`` / ``network:NAME``), selected
    as ``remove_labelled`` selects them (what ``lab clean --all`` says before it removes)."""
    filters = label_filters(session, run, owner, everyone)
    out = [f"container:{c.name}" for c in cli.containers.list(all=True, filters=filters, ignore_removed=True)]
    out += [f"network:{n.name}" for n in cli.networks.list(filters=filters)]
    return out


def labelled_containers(
    cli: "docker.DockerClient", session: str | None = None, owner: str | None = None, everyone: bool = False
) -> list["Container"]:
    """The kit's containers (all states) selected by label: one session's, the caller's, or everyone's."""
    return cli.containers.list(all=True, filters=label_filters(session, None, owner, everyone), ignore_removed=True)


def labelled_sessions(cli: "docker.DockerClient") -> set[str]:
    """The lab sessions any owner's labelled containers belong to, from ``docker ps`` alone (no
    inspect: a container the daemon keeps locked does not hold the answer)."""
    listed = cli.api.containers(all=True, filters=label_filters(None, None, None, True)) or []
    return {str((c.get("Labels") or {}).get(LABEL_SESSION, "")) for c in listed}


@contextmanager
def daemon_calls(doing: str) -> Iterator[None]:
    """Turn the SDK's and requests' errors (a read timeout too) into DockerUnavailable: a learner
    reads one paragraph, never a traceback."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        yield
    except (DockerException, RequestException) as exc:
        raise DockerUnavailable(
            f"The Docker daemon did not answer while {doing}: {_short(exc)}.",
            "check that 'docker ps' answers (restart Docker if it hangs), then try again.",
        ) from None


def owner_of(container: "Container") -> str:
    """The ``io.owui-lab.owner`` label of a kit container ("" for objects from before owners)."""
    return str((container.labels or {}).get(LABEL_OWNER, ""))


def create_network(cli: "docker.DockerClient", name: str, object_labels: dict[str, str],
                   subnet: str | None = None) -> Any:
    """Create a user-defined bridge network carrying the kit's labels (on ``subnet`` when given: its
    first address is the gateway, an address of this host on the network's bridge)."""
    ipam = None
    if subnet is not None:
        from docker.types import IPAMConfig, IPAMPool

        # The gateway named, so that inspect reports it (a subnet alone leaves it out on Docker 20.10).
        gateway = str(next(ipaddress.ip_network(subnet).hosts()))
        ipam = IPAMConfig(pool_configs=[IPAMPool(subnet=subnet, gateway=gateway)])
    if _talks_to_podman(cli):
        return _create_podman_network(cli, name, object_labels, subnet)
    return cli.networks.create(name, driver="bridge", labels=object_labels, check_duplicate=True, ipam=ipam)


def _create_podman_network(cli: "docker.DockerClient", name: str, object_labels: dict[str, str],
                           subnet: str | None) -> Any:
    """A Podman network made as ``podman network create`` makes it (the recipe's command), through
    Podman's own API on the same socket.

    Podman's Docker-compatible ``/networks/create`` always adds ``isolate=true`` (measured on 4.3.1:
    even when asked for ``isolate=false``), so two such networks drop each other's traffic, also a
    published port reached through a gateway; and netavark 1.4 removes the shared
    ``-j NETAVARK_ISOLATION_1`` jump when any isolated network goes away, so that drop comes and goes
    with other networks. The kit's runs measure the networks its recipe tells a learner to make; the
    isolated kind is taught as the note ``podman_compat_networks_isolated``.
    """
    # dns_enabled: the CLI turns aardvark-dns on for a new network, libpod's API leaves it off.
    body: dict[str, Any] = {"name": name, "driver": "bridge", "labels": dict(object_labels), "dns_enabled": True}
    if subnet is not None:
        gateway = str(next(ipaddress.ip_network(subnet).hosts()))
        body["subnets"] = [{"subnet": subnet, "gateway": gateway}]
    # libpod refuses the Docker API version the SDK puts in front of paths; 4.0.0 is its oldest.
    response = cli.api._post_json(f"{cli.api.base_url}/v4.0.0/libpod/networks/create", data=body)
    cli.api._raise_for_status(response)
    return cli.networks.get(name)


def bridge_interface(network: Any) -> str:
    """The host's interface of a bridge network: its ``bridge.name`` option (docker0), or br-<id>."""
    options = (network.attrs or {}).get("Options") or {}
    return options.get("com.docker.network.bridge.name") or f"br-{network.id[:12]}"


def network_gateway(network: Any) -> str | None:
    """The gateway of a bridge network (an address of this host), as Docker reports it."""
    network.reload()
    for pool in ((network.attrs.get("IPAM") or {}).get("Config") or []):
        if pool.get("Gateway"):
            return str(pool["Gateway"]).split("/")[0]
    return None


def run_container(
    cli: "docker.DockerClient",
    image: str,
    command: list[str],
    name: str,
    object_labels: dict[str, str],
    aliases: dict[str, list[str]] | None = None,
    **kwargs: Any,
) -> "Container":
    """Start a detached, labelled stand-in container with an init process (stops at once).

    Args:
        aliases: ``{network name: [alias, ...]}``: the names the container answers to on
            user-defined networks (Docker's DNS resolves them, as compose does for service names).
        kwargs: the SDK's ``containers.run`` options (network, ports, environment, extra_hosts...).
    """
    if aliases:
        kwargs["networking_config"] = {net: cli.api.create_endpoint_config(aliases=list(names))
                                       for net, names in aliases.items()}
    from docker.errors import APIError

    try:
        return cli.containers.run(
            image,
            command,
            detach=True,
            name=name,
            labels=object_labels,
            init=True,  # PID 1 forwards SIGTERM; with force-removal it stops at once anyway
            stop_signal="SIGTERM",
            **{**container_limits(cli), **kwargs},
        )
    except APIError as exc:  # the engine refused it (a limit, a missing init binary ...): the kit's paragraph
        if "already" in str(exc):
            raise  # a lost port race: the lab retries it with fresh ports (lab.ports.port_conflict)
        raise LabError(
            f"The container {name} could not be started: {_short(exc)}.",
            "on rootful Podman install catatonit (Podman's --init) and see docs/engines.md; elsewhere check "
            "'docker info' and run the lab again (the lab removes what it created).",
        ) from None


def in_parallel(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """Run ``fn`` over items in threads; re-raise the first failure once all have finished."""
    items = list(items)
    if len(items) <= 1:
        for item in items:
            fn(item)
        return
    with ThreadPoolExecutor(max_workers=min(8, len(items))) as pool:
        futures = [pool.submit(fn, item) for item in items]
        errors = [f.exception() for f in futures]
    for exc in errors:
        if exc is not None:
            raise exc


# --------------------------------------------------------------------------------------------------
# Probing from inside a container's network namespace
# --------------------------------------------------------------------------------------------------


def _webui_source() -> str:
    return standin_source("webui")


def _probe_command(urls: Iterable[str], timeout: float) -> list[str]:
    return ["python3", "-c", _webui_source(), "probe", "--timeout", f"{timeout:g}", *urls]


def parse_probe_output(text: str) -> list[dict[str, Any]]:
    """The stand-in's ``probe`` output (one JSON object) as its list of results."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            results = data.get("results")
            if isinstance(results, list):
                return results
    raise LabError(
        f"The probe printed no result the kit can read: {text.strip()[:300]!r}.",
        "check the stand-in image (OWUI_LAB_IMAGE) has python3; run 'owui-lab lab clean' and try again.",
    )


def probe_from_namespace(
    cli: "docker.DockerClient",
    container: "Container | str",
    urls: Sequence[str],
    image: str | None = None,
    timeout: float = 3.0,
    session: str | None = None,
) -> list[dict[str, Any]]:
    """Probe URLs from inside another container's network namespace, as that container would.

    Runs the stand-in Open WebUI's ``probe`` in a short-lived, labelled container started with
    ``network_mode="container:<id>"``: it shares the target's interfaces, routes, ``/etc/hosts``
    and DNS, so what it sees is what the target's own process would see, without needing Python
    (or anything) inside the target.

    Args:
        cli: a connected client.
        container: the container (object, id or name) whose namespace to use.
        urls: the URLs to try.
        image: the image with python3 (``image_name()`` when None).
        timeout: seconds per URL before "unreachable".
        session: the session id for the probe's labels (a fresh one when None).

    Returns:
        One dict per URL: ``url``, ``outcome`` (ok | name_not_resolved | connection_refused |
        unreachable), ``detail`` and ``seconds``.
    """
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    target = container if isinstance(container, str) else container.id
    session = session or new_session_id()
    probe = None
    limit = timeout * max(1, len(urls)) + 30
    try:
        # create, then start: when the start fails (the target is restarting or paused) the created
        # probe is still ours to remove below; containers.run() would lose it ("Created" left behind)
        probe = cli.containers.create(
            image_name(image),
            _probe_command(urls, timeout),
            network_mode=f"container:{target}",
            labels=labels(session, "probe"),
            name=container_name(session, f"probe-{secrets.token_hex(2)}"),
            **container_limits(cli),
        )
        probe.start()
        probe.wait(timeout=limit)
        output = probe.logs(stdout=True, stderr=True).decode("utf-8", "replace")
    except DockerException as exc:  # first: the SDK's APIError is also a requests exception
        raise LabError(
            f"Probing from the namespace of container {target[:12]} failed: {_short(exc)}.",
            "check that the container is running (docker ps) and that the stand-in image is here.",
        ) from None
    except RequestException:
        raise LabError(
            f"The probe in the namespace of container {target[:12]} did not finish within {limit:g} s.",
            "check that the container is not paused (docker ps shows 'Paused') and run the doctor again.",
        ) from None
    finally:
        if probe is not None:
            try:
                probe.remove(force=True)
            except (DockerException, RequestException):
                pass
    return parse_probe_output(output)


def exec_in(container: "Container", command: Sequence[str], timeout: float) -> tuple[int, str]:
    """``docker exec`` of ``command`` in ``container``, read within ``timeout`` seconds.

    The SDK's ``exec_run`` reads the output stream with the socket's timeout switched off (it cannot
    know how long a command runs): a paused or frozen container then holds the caller forever. Here
    the stream is read with a deadline, and a command that does not finish in time is reported.

    Returns:
        The exit code (-1 when Docker does not say) and stdout and stderr, decoded.

    Raises:
        LabError: the command gave no end within ``timeout`` seconds, or Docker refused the exec
            (the message says when the container is paused).
    """
    import struct
    import time

    from docker.errors import DockerException
    from requests.exceptions import RequestException

    api = container.client.api
    deadline = time.monotonic() + timeout
    if _paused(container):  # an exec started in a paused container can lock it in the daemon for good
        raise _exec_problem(container, "no command can run in it")
    try:
        exec_id = api.exec_create(container.id, list(command), stdout=True, stderr=True)["Id"]
        stream = api.exec_start(exec_id, socket=True)
    except (DockerException, RequestException) as exc:
        raise _exec_problem(container, f"Docker refused to run a command in it ({_short(exc)})") from None
    sock = getattr(stream, "_sock", stream)
    data = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _exec_problem(container, f"a command run in it gave no answer within {timeout:g} s")
            sock.settimeout(min(left, 1.0))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:  # silent for a second: a paused container is said at once
                if _paused(container):
                    raise _exec_problem(container, "a command run in it stopped answering") from None
                continue
            except OSError as exc:
                raise _exec_problem(container, f"the command's output broke off ({_short(exc)})") from None
            if not chunk:
                break
            data += chunk
    finally:
        stream.close()
    output, rest = [], data
    while len(rest) >= 8:  # Docker's multiplexed frames: kind, 3 zero bytes, length (big-endian)
        size = struct.unpack(">L", rest[4:8])[0]
        output.append(rest[8 : 8 + size])
        rest = rest[8 + size :]
    code = -1
    while time.monotonic() < deadline + 2:  # the stream ends a moment before Docker records the exit
        try:
            state = api.exec_inspect(exec_id)
        except (DockerException, RequestException):
            break
        if not state.get("Running"):
            code = int(state.get("ExitCode") if state.get("ExitCode") is not None else -1)
            break
        time.sleep(0.02)
    return code, b"".join(output).decode("utf-8", "replace")


def _state(container: "Container") -> str:
    """The container's state now ("running", "paused", "exited" ...), from ``docker ps``: an inspect
    waits for the container's lock, which the daemon may hold while a frozen process hangs."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        found = container.client.api.containers(all=True, filters={"id": container.id}) or []
    except (DockerException, RequestException):
        return "not answering (the daemon did not say what it is doing)"
    return str(found[0].get("State") or "unknown") if found else "removed"


def _paused(container: "Container") -> bool:
    return _state(container) == "paused"


def _exec_problem(container: "Container", what: str) -> LabError:
    """Why an exec in ``container`` failed, saying whether the container is paused or stopped."""
    status = _state(container)
    if status == "paused":
        return LabError(
            f"Container {container.name} is paused (docker pause, or its cgroup is frozen): {what}.",
            f"nothing in a paused container answers; 'docker unpause {container.name}' resumes it (the lab "
            "removes its own containers).",
        )
    return LabError(
        f"In container {container.name} ({status}) {what}.",
        "check it with 'docker ps -a' and 'docker logs'; a machine under heavy load may need another try.",
    )


def probe_by_exec(container: "Container", urls: Sequence[str], timeout: float = 3.0) -> list[dict[str, Any]]:
    """Probe URLs by running the stand-in's ``probe`` inside a container that has python3 (exec).

    Faster than ``probe_from_namespace`` (no container to create) and the same view: the process
    runs in the container's own namespaces. Use it for the lab's own stand-in containers.
    """
    _code, output = exec_in(container, _probe_command(urls, timeout), timeout * max(1, len(urls)) + 15)
    return parse_probe_output(output)


def wait_listening(container: "Container", address: str, port: int, timeout: float = 10.0, token: str | None = None) -> None:
    """Wait (bounded) until an HTTP server answers at ``address:port`` inside a container.

    An accepted connection is not enough: the kernel accepts as soon as the socket listens, before
    a slow-starting server (a busy machine) answers. So it waits for the first bytes of an HTTP
    answer to ``GET /`` and, with ``token``, for the lab's own token in its headers
    (``X-Owui-Lab-Token``): in a shared network namespace (``--network host``) another lab's
    stand-in must not pass for this one. One ``exec`` runs the polling loop in the container.

    Raises:
        LabError: nothing (of this lab) listened within ``timeout`` seconds.
    """
    want = f"x-owui-lab-token: {token}".encode() if token else b""
    script = (
        "import socket,sys,time\n"
        f"end=time.time()+{timeout}\n"
        f"want={want!r}\n"
        "while True:\n"
        "    try:\n"
        f"        s=socket.create_connection(({address!r},{port}),1); s.settimeout(2)\n"
        "        s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
        "        got=b''\n"
        "        while b'\\r\\n\\r\\n' not in got and len(got)<65536:\n"
        "            part=s.recv(4096)\n"
        "            if not part: break\n"
        "            got+=part\n"
        "        s.close()\n"
        "        if got[:5]==b'HTTP/' and (not want or want in got.lower()): sys.exit(0)\n"
        "        if time.time()>end: sys.exit(1)\n"
        "        time.sleep(0.02)\n"
        "    except OSError:\n"
        "        if time.time()>end: sys.exit(1)\n"
        "        time.sleep(0.02)\n"
    )
    from docker.errors import DockerException

    try:
        failed = exec_in(container, ["python3", "-c", script], timeout + 10)[0] != 0
    except LabError:  # it exited before the exec (a port taken meanwhile), or it is frozen
        failed = True
    if failed:
        try:
            if _paused(container):
                raise _exec_problem(container, f"its stand-in could not answer within {timeout:g} s")
            container.reload()
            logs = container.logs(tail=5).decode("utf-8", "replace").strip()
        except DockerException as exc:
            logs = _short(exc)
        raise LabError(
            f"The stand-in in container {container.name} did not listen on {address}:{port} within "
            f"{timeout:g} s (container {container.status}; last output: {logs[-300:]!r}).",
            "run 'owui-lab lab clean' and try again; if it persists, check the image (OWUI_LAB_IMAGE).",
        )


# --------------------------------------------------------------------------------------------------
# Read-only helpers for the doctor (appended by the doctor's helper)
# --------------------------------------------------------------------------------------------------


def default_bridge_gateway(cli: "docker.DockerClient") -> str | None:
    """The default bridge's gateway address (docker0 on a Linux host), or None when unknown.

    Read-only: one ``docker network inspect bridge``. The doctor probes a host Ollama on this address
    only when it is the usual 172.17.0.1.
    """
    return _docker0_of(cli)


# --------------------------------------------------------------------------------------------------
# The doctor's reads (owned by the doctor's helper; everything here only reads a learner's objects)
# --------------------------------------------------------------------------------------------------

DOCTOR_COPY_LIMIT = 1 << 30  # bytes: a webui.db larger than 1 GiB is not copied


def copy_file_from_container(
    cli: "docker.DockerClient", container: str, path: str, destination: str, limit: int = DOCTOR_COPY_LIMIT
) -> str | None:
    """Copy one regular file out of a container (``docker cp``), read-only, into ``destination``.

    Works on running, stopped and restarting containers and reads through their volumes and bind
    mounts, so a learner's ``webui.db`` is read where it lies without mounting or changing anything.

    Args:
        cli: a connected client.
        container: the container's id or name.
        path: the file's absolute path inside the container.
        destination: a directory of the caller's (a private temporary directory).
        limit: refuse files larger than this many bytes.

    Returns:
        The local copy's path, or None when the file does not exist there.

    Raises:
        LabError: the daemon refused, the path is not a regular file, or it is too large; the message
            says which in one sentence.
    """
    import tarfile

    from docker.errors import DockerException, NotFound
    from requests.exceptions import RequestException

    try:
        stream, stat = cli.api.get_archive(container, path)
    except NotFound:
        return None
    except (DockerException, RequestException) as exc:
        raise LabError(f"Docker could not copy {path} out of the container ({_short(exc)}).",
                       "check that 'docker cp' works for this user.") from None
    size = int((stat or {}).get("size") or 0)
    mode = int((stat or {}).get("mode") or 0)
    if mode & (1 << 31):  # Go's os.ModeDir
        raise LabError(f"{path} in the container is a directory, not a file.", "")
    if size > limit:
        raise LabError(f"{path} is {size >> 20} MiB, larger than the doctor copies ({limit >> 20} MiB).", "")
    local = os.path.join(destination, os.path.basename(path))
    archive = os.path.join(destination, ".archive.tar")
    try:
        written = 0
        with open(archive, "wb") as out:
            for chunk in stream:
                written += len(chunk)
                if written > limit + (1 << 20):
                    raise LabError(f"{path} grew past {limit >> 20} MiB while being copied.", "")
                out.write(chunk)
        with tarfile.open(archive) as tar:
            member = next((m for m in tar.getmembers() if m.isreg()), None)
            if member is None:
                raise LabError(f"{path} in the container is not a regular file.", "")
            source = tar.extractfile(member)
            assert source is not None
            with source, open(local, "wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
    except (DockerException, RequestException, OSError, tarfile.TarError) as exc:
        raise LabError(f"Copying {path} out of the container failed ({_short(exc)}).", "") from None
    finally:
        if os.path.exists(archive):
            os.unlink(archive)
    return local


DOCTOR_PROBE_GRACE = 120.0  # seconds: longer than any probe runs (its own timeouts bound it)


def remove_stale_probes(cli: "docker.DockerClient", grace: float = DOCTOR_PROBE_GRACE) -> list[str]:
    """Remove this owner's probe containers that a killed run left behind (not running, older than ``grace``).

    A probe is removed by the run that made it (``probe_from_namespace``'s ``finally``); only a run
    killed outright (SIGKILL, a power cut) can leave one. Selected by label (role ``probe``, this
    owner) and state, so a probe another run of the doctor is using right now is never touched.

    Returns:
        The names removed.
    """
    import datetime

    from docker.errors import DockerException

    removed = []
    filters = label_filters()
    filters["label"].append(f"{LABEL_ROLE}=probe")
    try:
        found = cli.containers.list(all=True, filters=filters, ignore_removed=True)
    except DockerException:
        return removed
    now = datetime.datetime.now(datetime.timezone.utc)
    for c in found:
        created = str(c.attrs.get("Created") or "")
        try:
            when = datetime.datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00")
        except ValueError:
            continue
        if c.status in ("created", "exited", "dead") and (now - when).total_seconds() > grace:
            try:
                c.remove(force=True)
                removed.append(c.name)
            except DockerException:
                pass
    return removed


def doctor_daemon(cli: "docker.DockerClient") -> DaemonInfo:
    """The daemon's facts for the doctor: ``docker info``/``version``, the CLI context, the docker0 gateway."""
    info, version = daemon_payloads(cli)
    context, endpoint = context_endpoint()
    return parse_daemon_info(info, version, _docker0_of(cli), context=context, endpoint=endpoint)


def list_all_containers(cli: "docker.DockerClient") -> list[dict[str, Any]]:
    """``docker ps -a`` as the API's list of summaries (Id, Names, State, Ports, Labels ...)."""
    return list(cli.api.containers(all=True) or [])


def inspect_containers(cli: "docker.DockerClient", ids: Sequence[str]) -> list[dict[str, Any]]:
    """``docker inspect`` of each id, in parallel; a container removed meanwhile is left out."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    def one(cid: str) -> dict[str, Any] | None:
        try:
            return cli.api.inspect_container(cid)
        except (DockerException, RequestException):
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [p for p in pool.map(one, list(ids)) if p]


def doctor_probe(
    cli: "docker.DockerClient", container_id: str, name: str, urls: Sequence[str], timeout: float = 3.0
) -> tuple[list[dict[str, Any]], str]:
    """Ask each URL from inside a learner's container's network namespace, as its own process would.

    A short-lived, labelled probe container joins the namespace when the stand-in image is here;
    otherwise, when the container's own image has python3 (Open WebUI's does), the probe runs by
    ``docker exec``; otherwise the image is fetched first.

    Returns:
        The probe's results (url, outcome, detail, seconds) and how they were obtained (a phrase).

    Raises:
        LabError: the probe could not run; one sentence.
    """
    from docker.errors import DockerException, ImageNotFound
    from requests.exceptions import RequestException

    image = image_name()
    try:
        cli.images.get(image)
        have_image = True
    except (ImageNotFound, DockerException, RequestException):
        have_image = False
    joined = f"a labelled probe container ({image}) joined to '{name}''s network namespace"
    if have_image:
        return probe_from_namespace(cli, container_id, list(urls), image=image, timeout=timeout), joined
    try:
        container = cli.containers.get(container_id)
        has_python = exec_in(container, ["python3", "-c", "print(1)"], 15)[0] == 0
    except (DockerException, RequestException) as exc:
        raise LabError(f"Docker refused to look inside '{name}' ({_short(exc)}).", "check that it is running (docker ps).") from None
    if has_python:
        return probe_by_exec(container, list(urls), timeout=timeout), f"docker exec of python3 in '{name}'"
    ensure_image(cli, image)
    return probe_from_namespace(cli, container_id, list(urls), image=image, timeout=timeout), joined
