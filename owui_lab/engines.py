"""How the other container engines on Linux differ from rootful Docker Engine: rules, each with its source.

``Config.engine`` names the engine: ``docker`` (rootful Docker Engine: ``engine.py``'s own rules),
``docker-rootless``, ``podman-rootful`` and ``podman-rootless``. This module holds only where the other
three differ, and ``engine.py`` asks it first at each step (``resolve``, ``route``, ``listen``, the
browser). Every rule was measured on Podman 4.3.1 (netavark, slirp4netns) and rootless Docker 20.10
(rootlesskit, slirp4netns, builtin port driver) and is checked against their recordings in
``data/truth/`` (``docs/engines.md`` has the hand measurements). Rules known only from documentation say
"from the docs, not recorded".

The places, in the engine's words:

- rootless Docker puts dockerd, docker0 (172.17.0.1) and ``--network host`` in **rootlesskit's network
  namespace**: not the host. Only published ports reach the host (rootlesskit forwards them).
- rootless Podman's bridge networks (10.88.0.0/16 ...) live in a **rootless network namespace**; its
  ``--network host`` is the host's own network.
- rootful Podman's networks are bridges on the host, as Docker's: the gateway (10.88.0.1 on the default
  network, podman0) is an address of the host.

Pure: nothing here imports Docker.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .config import DOCKER0_ADDRESS, ENGINE_TITLES, Config
from .reasons import render_note

#: Podman's default network ("podman", which the Docker-compatible API calls "bridge") and its gateway.
PODMAN_GATEWAY = "10.88.0.1"
#: Symbolic addresses the resolve step hands to the route step.
NETWORK_GATEWAY = "gateway-of-the-network"  # host.containers.internal on rootful Podman, bridged
HOST_LAN = "the-host-lan-address"  # host.containers.internal on rootless Podman: the host's own address
#: rootless Docker's network namespace (where its docker0 and --network host live).
ROOTLESSKIT = "rootlesskit"
#: What the Podman rules do not cover (recorded on Podman 4.3.1): the note ``podman_from_the_docs``, in words.
FROM_THE_DOCS = render_note("podman_from_the_docs", {})


class Route(NamedTuple):
    """Where an address leads on this engine: ``ok``, a reason code (``reasons.REASONS``), the destination's kind."""

    ok: bool
    code: str
    kind: str = ""
    facts: tuple[tuple[str, Any], ...] = ()


def podman(c: Config) -> bool:
    return c.platform == "linux" and c.engine.startswith("podman")


def rootless_docker(c: Config) -> bool:
    return c.platform == "linux" and c.engine == "docker-rootless"


def differs(c: Config) -> bool:
    """Whether the engine is one of the others (rootful Docker Engine and Docker Desktop use engine.py alone)."""
    return c.platform == "linux" and c.engine != "docker"


def title(c: Config) -> str:
    return ENGINE_TITLES[c.engine]


def gateway(c: Config) -> str:
    """The default network's gateway on this engine: docker0 (172.17.0.1) or Podman's 10.88.0.1."""
    return PODMAN_GATEWAY if podman(c) else DOCKER0_ADDRESS


def bridge_name(c: Config) -> str:
    """The host's side of Open WebUI's network in a picture label's few words: "docker0", Podman's "podman0"
    for its default network, or "its gateway" for a network of its own."""
    if not podman(c):
        return "docker0"
    return "podman0" if c.webui_network in (None, "bridge") else "its gateway"


def bridge(c: Config) -> str:
    """``bridge_name`` as a sentence names it: "docker0 (172.17.0.1)", "podman0 (10.88.0.1)" or "the gateway
    of the network 'ai'"."""
    name = bridge_name(c)
    return f"the gateway of the network '{c.webui_network}'" if name == "its gateway" else f"{name} ({gateway(c)})"


def host_alias(c: Config) -> str:
    """The name this engine gives the host inside containers (Docker needs --add-host for its own)."""
    return "host.containers.internal" if podman(c) else "host.docker.internal"


def namespace(c: Config, network: str | None) -> str | None:
    """rootless Docker's ``--network host`` is rootlesskit's namespace; None: as engine.py says."""
    if rootless_docker(c) and network == "host":
        return ROOTLESSKIT
    return None


# --------------------------------------------------------------------------------------------------
# resolve
# --------------------------------------------------------------------------------------------------


def resolve(c: Config, host: str, ns: str) -> tuple[bool, str, str | None, dict[str, Any]] | None:
    """(resolved, reason code, address, facts) for names this engine resolves its own way; None: as Docker does."""
    if not differs(c):
        return None
    if ns == ROOTLESSKIT and host == "localhost":
        return True, "resolve_localhost_rootlesskit", "127.0.0.1", {}
    if host == "host.docker.internal" and podman(c):
        if getattr(c, "add_host_ip", None):
            return None  # --add-host=host.docker.internal:IP: an address Podman writes as given
        if c.add_host_gateway:
            return False, "podman_refuses_host_gateway", None, {}
        return False, "host_docker_internal_on_podman", None, {}
    if host == "host.containers.internal":
        if not podman(c):
            return False, "host_containers_internal_not_podman", None, {"engine_title": title(c)}
        if c.engine == "podman-rootless" or ns == "host":
            code = "resolve_host_containers_internal_lan_rootless" if ns != "host" else \
                "resolve_host_containers_internal_lan"
            return True, code, HOST_LAN, {}
        return True, "resolve_host_containers_internal_gateway", NETWORK_GATEWAY, {
            "webui_network": c.webui_network, "gateway": PODMAN_GATEWAY}
    if host == "host.docker.internal" and rootless_docker(c) and c.add_host_gateway:
        return True, "resolve_host_gateway_rootless", DOCKER0_ADDRESS, {}
    return None


# --------------------------------------------------------------------------------------------------
# route
# --------------------------------------------------------------------------------------------------


def route(c: Config, address: str, ns: str, stays_inside: bool) -> Route | None:
    """Where ``address`` leads from Open WebUI's namespace ``ns`` on this engine; None: as Docker."""
    if not differs(c):
        return None
    bridged = ns.startswith("net:")
    if address == HOST_LAN:
        return Route(True, "route_host_lan_slirp4netns" if bridged else "route_host_lan", "host-lan")
    if address == NETWORK_GATEWAY:
        return Route(True, "route_podman_network_gateway", "docker0")
    if ns == ROOTLESSKIT:
        if stays_inside:
            return Route(True, "route_rootlesskit_loopback", "rk-loopback")
        if address == DOCKER0_ADDRESS:
            return Route(True, "route_rootlesskit_docker0_here", "rk-self")
        return None
    if rootless_docker(c) and address == DOCKER0_ADDRESS and bridged:
        return Route(True, "route_rootlesskit_docker0", "rk-gateway")
    if podman(c) and address == DOCKER0_ADDRESS:
        return Route(False, "docker0_on_podman", facts=(("gateway", PODMAN_GATEWAY),))
    if c.engine == "podman-rootless" and address == PODMAN_GATEWAY:
        if bridged:
            return Route(True, "route_rootless_podman_gateway", "podman-ns-gateway")
        return Route(True, "route_rootless_podman_gateway_elsewhere", "elsewhere")
    if c.engine == "podman-rootful" and address == PODMAN_GATEWAY:
        return Route(True, "route_podman0", "docker0")
    return None


# --------------------------------------------------------------------------------------------------
# listen
# --------------------------------------------------------------------------------------------------


def listen(c: Config, kind: str, port: int, ollama_ns: str) -> tuple[bool, str, dict[str, Any]] | None:
    """(listening, reason code, facts) at a destination only these engines have; None: the kind is engine.py's."""
    ol = c.ollama_listen
    publish = c.ollama_publish_effective
    facts = {"spec": "-p 11434:11434" if publish == "all" else "-p 127.0.0.1:11434:11434", "engine": c.engine}
    in_rk = rootless_docker(c) and c.ollama_in_container and c.ollama_network_effective == "host"

    def port_ok(expected: int) -> tuple[bool, str, dict[str, Any]] | None:
        return None if port == expected else (False, "wrong_port", facts)

    def behind_publish() -> tuple[bool, str, dict[str, Any]] | None:
        """The published port forwards to 11434 in the container: is Ollama there, on every address?"""
        if port != 11434:
            return False, "published_port_not_11434", facts
        if ol.port != 11434 or not ol.all_addresses:
            return False, "nothing_behind_published_port", facts
        return None

    if kind == "host-lan":
        if not c.ollama_in_container or (ollama_ns == "host" and not in_rk):
            bad = port_ok(ol.port)
            if bad:
                return bad
            if ol.all_addresses:
                return True, "listen_host_lan_all_addresses", facts
            return False, "ollama_not_on_host_lan", facts
        if publish == "all":
            return behind_publish() or (True, "listen_published_host_lan", facts)
        if publish == "loopback":
            return False, "published_on_loopback_not_lan", facts
        return False, "no_published_port_on_host", facts
    if kind == "podman-ns-gateway":
        if c.ollama_in_container and publish == "all":
            return behind_publish() or (True, "listen_published_podman_namespace", facts)
        if c.ollama_in_container and publish == "loopback":
            return False, "published_on_loopback_short", facts
        return False, ("host_not_in_podman_namespace" if not c.ollama_in_container or ollama_ns == "host" else
                       "ollama_publishes_no_port"), facts
    if kind == "elsewhere":
        return False, "nothing_answers_elsewhere", facts
    if kind in ("rk-gateway", "rk-self", "rk-loopback"):
        if in_rk:
            bad = port_ok(ol.port)
            if bad:
                return bad
            if ol.all_addresses or (kind == "rk-loopback" and ol.listens_on("127.0.0.1")):
                return True, "listen_rootlesskit_host_network", facts
            return False, "ollama_not_on_rootlesskit", facts
        if not c.ollama_in_container:
            return False, "host_ollama_outside_rootlesskit", facts
        if kind == "rk-gateway" or publish == "none" or port != 11434:
            return False, "rootlesskit_forwards_on_host" if publish != "none" else "ollama_publishes_no_port", facts
        if kind == "rk-self" and publish == "loopback":
            return False, "published_on_loopback_rootlesskit", facts
        return behind_publish() or (True, "listen_published_rootlesskit", facts)
    return None


# --------------------------------------------------------------------------------------------------
# the browser, and notes
# --------------------------------------------------------------------------------------------------


def browser_blocked(c: Config) -> str | None:
    """Why the learner's browser cannot reach Open WebUI on this engine (a reason code), or None: as Docker."""
    if rootless_docker(c) and c.webui_host_mode:
        return "browser_rootlesskit_host_network"
    return None


def notes(c: Config) -> list[tuple[str, dict[str, Any]]]:
    """What the learner on this engine should know, as (note code, fields): ``reasons.NOTES`` words them."""
    if not differs(c):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    url = c.parsed_base_url
    if podman(c) and url.host == "host.docker.internal":
        out.append(("podman_names_the_host", {}))
    if podman(c) and c.add_host_gateway and url.host != "host.docker.internal":
        out.append(("podman_run_refuses_host_gateway", {}))  # the verdict is the API's: podman run starts nothing
    if c.engine in ("docker-rootless", "podman-rootless") and not c.ollama_in_container:
        out.append(("rootless_host_ollama_on_lan_only", {"engine_title": title(c), "engine": c.engine}))
    if (c.engine == "podman-rootless" and c.ollama_in_container and url.host == c.ollama_name
            and c.ollama_network_effective not in ("bridge", "host")):
        out.append(("rootless_podman_dns_start", {}))
    if podman(c) and _networks_apart(c):
        out.append(("podman_compat_networks_isolated", {}))
    if podman(c):
        out.append(("podman_from_the_docs", {}))
    return out


def _networks_apart(c: Config) -> bool:
    """Open WebUI and an Ollama container on two different user-defined networks (not the default one)."""
    nets = (c.webui_network, c.ollama_network_effective)
    return (c.ollama_in_container and nets[0] != nets[1]
            and not {"bridge", "host"} & set(nets))


def published_note(c: Config) -> tuple[str, dict[str, Any]]:
    """The security note (code, fields) for ``-p 11434:11434`` on this engine: rootful Docker's DNAT and
    forwarding rules come before a host firewall such as ufw; netavark's do too (its source: a DNAT in
    PREROUTING and its FORWARD jump inserted first); a rootless engine's port is held by an ordinary program
    on the host (rootlesskit, rootlessport: measured), which a host firewall filters like any other."""
    if c.engine in ("docker-rootless", "podman-rootless"):
        return "security_published_rootless", {"engine": c.engine}
    if c.engine == "podman-rootful":
        return "security_published_podman", {}
    return "security_published_on_every_address", {}
