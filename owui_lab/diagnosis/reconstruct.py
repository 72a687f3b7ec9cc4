"""From a learner's containers to the kit's ``Config``: which Ollama a base URL leads to, and how.

The engine reasons over one ``Config``; a learner's machine has containers, networks, a host Ollama
maybe, and one or more base URLs. For each base URL this module works out which Ollama it is meant
for (a container it names, the host behind ``host.docker.internal``, a container publishing the port
it names), fills in the knobs from ``docker inspect`` and says plainly what the ``Config`` cannot
express (a second network, a published port other than 11434, ``--network container:``) and what it
had to assume (Docker Desktop's host-networking setting is invisible to ``docker inspect``).

A port other than 11434 on the host side (an Ollama on ``OLLAMA_HOST=0.0.0.0:11500``, a container
published with ``-p 11500:11434``) is handled by *port aliasing*: the engine and its fixes think in
11434, so the ``Config`` uses 11434 where the learner's port stands, and ``unalias`` writes the
learner's port back into the fixes.

Why it is longer than the house's ~500 lines: each way a base URL can lead to an Ollama (a name, the
host gateway, a published port, host networking) is one reading of the same facts, kept together.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

from ..catalog import scenarios
from ..config import DOCKER0_ADDRESS, OLLAMA_PORT, Config, is_loopback
from ..docker_api import DaemonInfo
from ..engine import HOST, VM, ollama_namespace
from ..errors import ConfigError
from .inspect import (
    ContainerFacts,
    HostOllama,
    base_urls,
    has_scheme,
    is_bundled,
    is_webui_image,
    looks_like_ollama,
)

HOST_NAMES = ("host.docker.internal", "host.containers.internal", "gateway.docker.internal")


@dataclass(frozen=True)
class OllamaTarget:
    """The Ollama a base URL is meant for.

    Attributes:
        where: "container", "host", "bundled" (inside the Open WebUI container: the ``:ollama`` image) or
            "none" (nothing found; the prediction assumes a host Ollama).
        how: a phrase saying how it was found.
        container: the Ollama container, when it is one.
        host: what the host probe saw, when it is the host's.
    """

    where: str
    how: str
    container: ContainerFacts | None = None
    host: HostOllama | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"where": self.where, "how": self.how}
        c = self.container
        if c is not None:
            out.update(
                name=c.name,
                id=c.short_id,
                image=c.image,
                running=c.running,
                network_mode=c.network_mode,
                networks=list(c.network_names),
                published=[p.flag() for p in c.published(OLLAMA_PORT)],
                ollama_host=c.env.get("OLLAMA_HOST"),
            )
        if self.host is not None:
            out["host"] = self.host.to_dict()
        return out


@dataclass(frozen=True)
class Reconstruction:
    """One base URL of one Open WebUI container, as the engine sees it.

    Attributes:
        url: the URL as Open WebUI holds it.
        engine_url: the URL given to the engine (``http://`` added when missing, the port aliased).
        url_problem: what is wrong with ``url`` itself (no scheme, a path ...), or "".
        config: the configuration, or None when it cannot be expressed at all.
        target: the Ollama it is meant for.
        scenario: the nearest seed scenario id, or None.
        unexpressed: what the ``Config`` cannot express about this setup.
        assumptions: what had to be assumed.
        port_alias: the learner's host-side Ollama port that 11434 stands for in ``config``, or None.
    """

    url: str
    engine_url: str
    url_problem: str
    config: Config | None
    target: OllamaTarget
    scenario: str | None
    unexpressed: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    port_alias: int | None = None


# --------------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------------


def check_url(url: str) -> tuple[str, str]:
    """The URL the engine can reason about, and what is wrong with the learner's ("" when nothing).

    Open WebUI needs ``http://host:port`` (it appends ``/api/...``). Without a scheme it cannot
    connect at all; the engine then reasons about the URL the learner meant.
    """
    text = url.strip()
    if not text:
        return "", "the base URL is empty"
    problem = ""
    if not has_scheme(text):
        problem = f"'{text}' has no scheme: Open WebUI cannot use it (write http://{text})"
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed "[" (http://[::1): Python refuses to split it
        return "", f"'{url}' is not a URL Open WebUI can use (a '[' without its ']'?)"
    if parts.scheme == "https" and not problem:
        problem = f"'{url}' uses https://, but Ollama serves plain http (unless a proxy terminates TLS)"
    elif parts.scheme not in ("http", "https") and not problem:
        problem = f"'{url}' is not an http:// URL"
    if parts.path not in ("", "/") and not problem:
        problem = (
            f"'{url}' has a path ({parts.path}); OLLAMA_BASE_URL is Ollama's root, Open WebUI appends "
            "/api/... itself"
        )
    try:
        port = parts.port
    except ValueError:
        return "", f"'{url}' has a port that is not a number from 1 to 65535"
    if port == 0:
        return "", f"'{url}' has port 0, where nothing can listen (write Ollama's port, e.g. :11434)"
    host = parts.hostname or ""
    if not host:
        return "", f"'{url}' names no host"
    netloc = f"[{host}]" if ":" in host else host
    return f"http://{netloc}:{80 if port is None else port}", problem


def _url_host_port(url: str) -> tuple[str, int]:
    """Host and port of an engine URL (``check_url`` made it well-formed)."""
    parts = urlsplit(url)
    return parts.hostname or "", 80 if parts.port is None else parts.port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def unalias(text: str, port: int | None, host_ollama: bool) -> str:
    """Write the learner's real port back into a fix the engine worded with 11434."""
    if not port or port == OLLAMA_PORT:
        return text
    text = re.sub(
        r"(host\.docker\.internal|host\.containers\.internal|127\.0\.0\.1|localhost|172\.17\.0\.1):11434",
        rf"\1:{port}",
        text,
    )
    if host_ollama:
        text = re.sub(r"OLLAMA_HOST=0\.0\.0\.0(?![:\d])", f"OLLAMA_HOST=0.0.0.0:{port}", text)
        text = re.sub(r"\bport 11434\b", f"port {port}", text)
    else:
        text = text.replace("-p 127.0.0.1:11434:11434", f"-p 127.0.0.1:{port}:11434")
        text = text.replace("-p 11434:11434", f"-p {port}:11434")
    return text


# --------------------------------------------------------------------------------------------------
# Whose network does Open WebUI use?
# --------------------------------------------------------------------------------------------------


def network_view(webui: ContainerFacts, containers: Sequence[ContainerFacts]) -> tuple[ContainerFacts | None, str]:
    """Open WebUI as its network sees it, and a sentence about what the engine cannot model ("" when none).

    ``--network none``: it has only its own loopback; the engine has no such network, so there is no
    view (None). ``--network container:X``: it shares X's interfaces, names and published ports, so it
    is modelled as X on X's networks; when X is not among the containers looked at there is no view.
    """
    mode = webui.network_mode
    if mode == "none":
        return None, (
            f"Open WebUI '{webui.name}' runs with --network none: it has no network at all, only its own "
            "loopback, so it cannot reach any Ollama outside its container (the kit's engine has no model "
            "for a container without a network)"
        )
    if mode.startswith("container:"):
        key = mode.split(":", 1)[1]
        owner = next((c for c in containers if c.id != webui.id and (c.name == key or (key and c.id.startswith(key)))), None)
        if owner is None:
            return None, (
                f"Open WebUI '{webui.name}' shares the network of container {key[:12]} (--network {mode[:22]}), "
                "which the doctor did not find: the engine cannot place it"
            )
        if owner.network_mode == "none" or owner.network_mode.startswith("container:"):
            return None, (
                f"Open WebUI '{webui.name}' shares the network of container '{owner.name}', which itself has "
                f"--network {owner.network_mode}: the engine cannot model that chain"
            )
        from dataclasses import replace

        view = replace(webui, network_mode=owner.network_mode, networks=owner.networks, ports=owner.ports)
        return view, (
            f"Open WebUI '{webui.name}' shares the network namespace of container '{owner.name}' "
            f"(--network container:{owner.name}): it sees that container's networks, names and published "
            f"ports, and is modelled as if it ran there ('{owner.name}' on {', '.join(owner.network_names) or owner.network_mode})"
        )
    return webui, ""


# --------------------------------------------------------------------------------------------------
# Which Ollama does a URL mean?
# --------------------------------------------------------------------------------------------------


def _webui_nets(webui: ContainerFacts) -> list[str]:
    if webui.host_mode:
        return ["host"]
    return [n for n in webui.network_names] or [webui.network_mode]


def _names_of(c: ContainerFacts) -> set[str]:
    names = {c.name, c.short_id}
    if c.compose_service:
        names.add(c.compose_service)
    for a in c.networks:
        names.update(a.aliases)
    return {n for n in names if n}


def _is_host_address(host: str, webui: ContainerFacts, daemon: DaemonInfo) -> bool:
    """Whether ``host`` in the URL leads to the host machine (or Desktop's VM) from Open WebUI."""
    if host in HOST_NAMES:
        return True
    if host == DOCKER0_ADDRESS or host in daemon.host_addresses:
        return True
    if any(a.gateway == host for a in webui.networks if a.gateway):
        return True
    return is_loopback(host) and webui.host_mode


def find_target(
    url: str,
    webui: ContainerFacts,
    containers: Sequence[ContainerFacts],
    host: HostOllama | None,
    daemon: DaemonInfo,
    answering: Sequence[str] = (),
) -> OllamaTarget:
    """The Ollama that ``url`` is meant for, from what is running.

    Args:
        url: the engine URL (``http://host:port``).
        webui: the Open WebUI container.
        containers: every container the doctor looked at.
        host: what answered on the host's Ollama port.
        daemon: the daemon's facts.
        answering: names of other containers seen answering "Ollama is running".

    Returns:
        The target; ``where == "none"`` when no Ollama was found anywhere.
    """
    name, port = _url_host_port(url)
    others = [c for c in containers if c.id != webui.id]
    ollamas = [c for c in others if looks_like_ollama(c) or c.name in answering]
    nets = _webui_nets(webui)
    # 1. a container the URL names, on Open WebUI's own network
    for c in others:
        for net in nets:
            if name in c.names_on(net) and net in c.network_names:
                return OllamaTarget("container", f"the URL names container '{c.name}' on network '{net}'", container=c)
    # 2. a container the URL names, elsewhere (separate networks, the default bridge)
    for c in others:
        if name in _names_of(c):
            return OllamaTarget("container", f"the URL names container '{c.name}'", container=c)
    # 3. an address of a container
    for c in others:
        if any(a.ip == name for a in c.networks):
            return OllamaTarget("container", f"the URL is the address of container '{c.name}'", container=c)
    if is_bundled(webui) and not (_is_host_address(name, webui, daemon) and host is not None and host.found):
        # 4. the :ollama image's own Ollama, unless the URL asks the host and an Ollama answers there
        return OllamaTarget("bundled", "Ollama runs inside the Open WebUI container (the :ollama image: "
                                       "USE_OLLAMA_DOCKER=true, start.sh runs ollama serve)")
    if _is_host_address(name, webui, daemon):
        # 5. the host: a container publishing that port there, or a native Ollama
        for c in ollamas + [c for c in others if c not in ollamas]:
            if c.running and any(p.host_port == port for p in c.published(OLLAMA_PORT)):
                return OllamaTarget("container", f"container '{c.name}' publishes port {port} on the host", container=c)
        for c in ollamas:
            if c.running and c.host_mode:
                return OllamaTarget("container", f"container '{c.name}' runs Ollama on the host's network", container=c)
        if host is not None and host.found:
            return OllamaTarget("host", host.describe(), host=host)
        if ollamas:
            return OllamaTarget(
                "container",
                f"no Ollama answers on the host at port {port}; the Ollama container '{ollamas[0].name}' "
                "is the one there is",
                container=ollamas[0],
            )
        return OllamaTarget("none", f"no Ollama answers on the host at port {port}, and no Ollama container runs", host=host)
    # 6. the URL leads nowhere useful (localhost in a bridged container, an unknown name): the Ollama
    #    the learner most likely meant is the one that runs
    shared = [c for c in ollamas if set(c.network_names) & set(nets) - {"bridge", "host"}]
    for group, how in ((shared, "on Open WebUI's network"), (ollamas, "the Ollama container there is")):
        if group:
            return OllamaTarget("container", f"'{group[0].name}' is {how}", container=group[0])
    if host is not None and host.found:
        return OllamaTarget("host", host.describe(), host=host)
    return OllamaTarget("none", "no Ollama found: not in a container, not on the host", host=host)


# --------------------------------------------------------------------------------------------------
# The Config
# --------------------------------------------------------------------------------------------------


def reconstruct(
    url: str,
    webui: ContainerFacts,
    containers: Sequence[ContainerFacts],
    daemon: DaemonInfo,
    host: HostOllama | None = None,
    *,
    answering: Sequence[str] = (),
    desktop_host_networking: bool | None = None,
) -> Reconstruction:
    """Build the ``Config`` for one base URL of one Open WebUI container.

    Args:
        url: the base URL as Open WebUI holds it.
        webui: the Open WebUI container.
        containers: every container looked at (the Ollama candidates among them).
        daemon: the daemon's facts.
        host: what answered on the host's Ollama port (None: not asked).
        answering: names of containers seen answering "Ollama is running".
        desktop_host_networking: Docker Desktop's "Enable host networking", when known.

    Returns:
        The reconstruction; ``config`` is None only when the URL has no host at all.
    """
    unexpressed: list[str] = []
    assumptions: list[str] = []
    engine_url, problem = check_url(url)
    if not engine_url:
        target = OllamaTarget("none", "the URL names no host")
        return Reconstruction(url, "", problem, None, target, None)
    target = find_target(engine_url, webui, containers, host, daemon, answering)
    name, port = _url_host_port(engine_url)
    knobs: dict[str, Any] = {"platform": daemon.platform}
    if daemon.platform == "linux":
        knobs["engine"] = daemon.engine_knob  # Podman and rootless Docker have rules of their own (engines.py)
    # --- Open WebUI's side
    webui_net = _webui_network(webui, target, unexpressed)
    knobs["webui_network"] = webui_net
    web_port = webui.webui_port
    published = webui.published(web_port)
    if webui_net != "host":
        if published:
            knobs["webui_port"] = published[0].host_port or 3000
        else:
            unexpressed.append("Open WebUI publishes no port (no -p ...:8080): the browser cannot reach it")
    knobs["add_host_gateway"] = any(
        n in HOST_NAMES and (a == "host-gateway" or a == DOCKER0_ADDRESS or a.startswith("192.168.65."))
        for n, a in webui.extra_hosts
    )
    for n, a in webui.extra_hosts:
        if n in HOST_NAMES and a not in ("host-gateway", DOCKER0_ADDRESS) and not a.startswith("192.168.65."):
            if n == "host.docker.internal" and not knobs["add_host_gateway"] and _is_ip(a):
                knobs["add_host_ip"] = a  # the engine follows the name to that address
            else:
                unexpressed.append(f"--add-host {n}:{a} maps the name to {a}, not to the host gateway")
    if daemon.platform == "desktop" and (webui.host_mode or _ollama_host_mode(target)):
        if desktop_host_networking is None:
            assumptions.append(
                "Docker Desktop's 'Enable host networking' (4.34+) cannot be read from docker inspect: "
                "assumed off"
            )
        knobs["desktop_host_networking"] = bool(desktop_host_networking)
    # --- Ollama's side
    alias: int | None = None
    if target.where == "container" and target.container is not None:
        o = target.container
        if any(a.ip == name for a in o.networks):
            unexpressed.append(
                f"{name} is the Ollama container's own address, which the model cannot place (it knows names, "
                "loopback and docker0): a container address works only from the same network and changes when "
                "the container is recreated; use its name on a shared user-defined network"
            )
        knobs["ollama"] = "container"
        knobs["ollama_name"] = name if name in _names_of(o) else (o.compose_service or o.name)
        knobs["ollama_network"] = _ollama_network(o, webui_net, unexpressed)
        if "OLLAMA_HOST" in o.env:
            knobs["ollama_bind"] = o.env["OLLAMA_HOST"] or "127.0.0.1"
        elif not looks_like_ollama(o):
            assumptions.append(f"'{o.name}' sets no OLLAMA_HOST: assumed to listen like the ollama/ollama image (0.0.0.0:11434)")
        pub = o.published(OLLAMA_PORT)
        if o.host_mode or not pub:
            knobs["ollama_publish"] = "none"
        else:
            b = pub[0]
            knobs["ollama_publish"] = "loopback" if b.loopback_only else "all"
            if not b.loopback_only and not b.all_addresses:
                unexpressed.append(f"{b.flag()} publishes on {b.host_ip} only; modelled as all addresses")
            if b.host_port != OLLAMA_PORT:
                if _is_host_address(name, webui, daemon) and port == b.host_port:
                    # the URL asks for the published port: let 11434 stand for it (the fixes are unaliased)
                    alias = b.host_port
                else:
                    # the URL does not use it (a service name, or the host at another port): the
                    # engine knows the real host port, so nothing answers at 11434 unless it listens there
                    knobs["ollama_host_port"] = b.host_port
        knobs["compose"] = bool(webui.compose_project and webui.compose_project == o.compose_project)
        if not o.running:
            unexpressed.append(f"the Ollama container '{o.name}' is not running ({o.status or 'stopped'})")
    elif target.where == "bundled":
        knobs["ollama"] = "bundled"
        if webui.env.get("OLLAMA_HOST"):  # start.sh's `ollama serve` inherits the container's environment
            knobs["ollama_bind"] = webui.env["OLLAMA_HOST"]
    else:
        knobs["ollama"] = "host"
        h = target.host
        if target.where == "host" and h is not None:
            bind = h.bind or "127.0.0.1"
            if h.port != OLLAMA_PORT:
                if port == h.port:
                    alias = h.port
                else:
                    bind = f"{bind}:{h.port}"
            knobs["ollama_bind"] = bind
            if daemon.platform == "linux" and h.docker0 is None and h.loopback:
                assumptions.append("whether the host Ollama also listens on docker0 was not checked: assumed loopback only")
        else:
            assumptions.append("no Ollama was found: the prediction assumes a native Ollama on the host with its defaults")
    # --- the URL
    if name not in (DOCKER0_ADDRESS,) and any(a.gateway == name for a in webui.networks if a.gateway):
        unexpressed.append(
            f"{name} is the host's address on Open WebUI's network; modelled as the docker0 address {DOCKER0_ADDRESS}"
        )
        name = DOCKER0_ADDRESS
    elif name in daemon.host_addresses and name != DOCKER0_ADDRESS:
        unexpressed.append(
            f"{name} is an address of this machine; modelled as the docker0 address {DOCKER0_ADDRESS} (Ollama must "
            "listen on it or on 0.0.0.0, and a host firewall must let containers in)"
        )
        name = DOCKER0_ADDRESS
    if alias:
        engine_url = f"http://{name}:{OLLAMA_PORT}" if ":" not in name else f"http://[{name}]:{OLLAMA_PORT}"
    elif name != _url_host_port(engine_url)[0]:
        engine_url = f"http://{name}:{port}"
    knobs["base_url"] = engine_url
    legacy = webui.env.get("OLLAMA_API_BASE_URL")
    if legacy and base_urls(webui.env, official_image=is_webui_image(webui.image)).source in (
            "OLLAMA_BASE_URL", "image default"):
        knobs["api_base_url"] = legacy  # set but not read: the engine says why (config.open_webui_base_url)
    try:
        config = Config.from_knobs(knobs)
    except ConfigError as exc:
        unexpressed.append(f"the kit cannot model this setup: {exc.message}")
        config = None
    return Reconstruction(
        url=url,
        engine_url=engine_url,
        url_problem=problem,
        config=config,
        target=target,
        scenario=nearest_scenario(config) if config else None,
        unexpressed=tuple(dict.fromkeys(unexpressed)),
        assumptions=tuple(dict.fromkeys(assumptions)),
        port_alias=alias,
    )


def _ollama_host_mode(target: OllamaTarget) -> bool:
    return target.container is not None and target.container.host_mode


def _webui_network(webui: ContainerFacts, target: OllamaTarget, unexpressed: list[str]) -> str:
    mode = webui.network_mode
    if mode == "host":
        return "host"
    if mode.startswith("container:"):
        unexpressed.append(f"Open WebUI shares another container's network (--network {mode}); modelled as its first network")
    nets = [n for n in webui.network_names if n not in ("none",)]
    if not nets:
        unexpressed.append("Open WebUI is attached to no network the kit can model; modelled on the default bridge")
        return "bridge"
    chosen = nets[0]
    if target.container is not None:
        shared = [n for n in nets if n in target.container.network_names and n not in ("bridge", "host")]
        if shared:
            chosen = shared[0]
    if len(nets) > 1:
        unexpressed.append(f"Open WebUI is on several networks ({', '.join(nets)}); modelled on '{chosen}'")
    return _valid_network(chosen)


def _ollama_network(o: ContainerFacts, webui_net: str, unexpressed: list[str]) -> str:
    if o.host_mode:
        return "host"
    nets = list(o.network_names) or ["bridge"]
    chosen = webui_net if webui_net in nets else nets[0]
    if len(nets) > 1:
        unexpressed.append(f"the Ollama container is on several networks ({', '.join(nets)}); modelled on '{chosen}'")
    return _valid_network(chosen)


def _valid_network(name: str) -> str:
    # Config accepts Docker's own network-name alphabet; anything stranger is renamed, same on both sides.
    return name if re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", name) else "net-" + re.sub(r"[^a-zA-Z0-9_.-]", "-", name)


# --------------------------------------------------------------------------------------------------
# The nearest seed scenario
# --------------------------------------------------------------------------------------------------


def _features(c: Config) -> dict[str, Any]:
    return {
        "platform": c.platform,
        "ollama_ns_host": ollama_namespace(c) in (HOST, VM),
        "ollama_container": c.ollama_in_container,
        "webui_host": c.webui_host_mode,
        "shared": c.shared_network is not None or c.compose,
        "separate": c.ollama_in_container and c.ollama_network_effective != c.webui_network,
        "via_host": _via_host(c),
    }


def _via_host(c: Config) -> bool:
    """The base URL goes to the host (host.docker.internal, docker0, or loopback in host mode)."""
    host = c.parsed_base_url.host
    if host in HOST_NAMES or host == DOCKER0_ADDRESS:
        return True
    return c.webui_host_mode and is_loopback(host)


_WEIGHTS = {
    "platform": 100,
    "webui_host": 8,
    "via_host": 6,
    "ollama_ns_host": 4,
    "shared": 4,
    "ollama_container": 3,
    "separate": 2,
}


def nearest_scenario(config: Config) -> str:
    """The seed scenario whose shape is closest to ``config`` (same platform always wins).

    Shape means where Ollama runs (the host's network or a container's), whether Open WebUI uses
    host networking, whether the two share a user-defined network, and whether the URL goes through
    the host (host.docker.internal, docker0); names and ports do not count (they are what goes wrong
    *within* a scenario). An Ollama container reached through its published port via
    host.docker.internal is nearest to "Ollama on the host": that is the path its traffic takes.
    """
    mine = _features(config)
    best: tuple[float, int, str] | None = None
    for rank, s in enumerate(scenarios()):
        theirs = _features(s.config)
        distance = sum(w for k, w in _WEIGHTS.items() if mine[k] != theirs[k])
        if best is None or (distance, rank) < best[:2]:
            best = (distance, rank, s.id)
    assert best is not None
    return best[2]
