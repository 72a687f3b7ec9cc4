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

from typing import NamedTuple

from .config import DOCKER0_ADDRESS, ENGINE_TITLES, Config

#: Podman's default network ("podman", which the Docker-compatible API calls "bridge") and its gateway.
PODMAN_GATEWAY = "10.88.0.1"
#: Symbolic addresses the resolve step hands to the route step.
NETWORK_GATEWAY = "gateway-of-the-network"  # host.containers.internal on rootful Podman, bridged
HOST_LAN = "the-host-lan-address"  # host.containers.internal on rootless Podman: the host's own address
#: rootless Docker's network namespace (where its docker0 and --network host live).
ROOTLESSKIT = "rootlesskit"

FROM_THE_DOCS = (
    "From the docs, not recorded: Podman 4.4+ can use pasta instead of slirp4netns for rootless networking "
    "(Podman 5 makes it the default); host.containers.internal and the gateway then map differently "
    "(open-webui #14204 reports 169.254.1.2), and Podman 5.3+ accepts host-gateway. The kit's Podman rules "
    "are recorded on Podman 4.3.1 with slirp4netns: if yours differs, record it (owui-lab lab grid)."
)


class Route(NamedTuple):
    """Where an address leads on this engine: ``ok``, a reason, and the destination's kind and phrase."""

    ok: bool
    reason: str
    kind: str = ""
    text: str = ""


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


def resolve(c: Config, host: str, ns: str) -> tuple[bool, str, str | None] | None:
    """(resolved, reason, address) for names this engine resolves its own way; None: as Docker does."""
    if not differs(c):
        return None
    if ns == ROOTLESSKIT and host == "localhost":
        return True, "localhost resolves to 127.0.0.1 (/etc/hosts): rootlesskit's namespace, not the host", "127.0.0.1"
    if host == "host.docker.internal" and podman(c):
        if getattr(c, "add_host_ip", None):
            return None  # --add-host=host.docker.internal:IP: an address Podman writes as given
        if c.add_host_gateway:
            return False, (
                "Podman 4.3 does not know host-gateway: podman run refuses it (\"invalid IP address in "
                "add-host\") and through its Docker-compatible API the word host-gateway lands in "
                "/etc/hosts, which resolves nothing (Name or service not known); Podman names the host "
                "host.containers.internal"), None
        return False, (
            "host.docker.internal is Docker's name; Podman writes host.containers.internal into /etc/hosts "
            "instead (Name or service not known)"), None
    if host == "host.containers.internal":
        if not podman(c):
            return False, (
                f"host.containers.internal is Podman's name for the host; {title(c)} does not know it "
                "(Name or service not known)"), None
        if c.engine == "podman-rootless" or ns == "host":
            return True, (
                "host.containers.internal → the host's own LAN address: Podman writes it into /etc/hosts"
                + (" (rootless: the gateway would be inside its own namespace)" if ns != "host" else "")), HOST_LAN
        return True, (
            f"host.containers.internal → the gateway of {_network(c.webui_network)} ({PODMAN_GATEWAY} on the "
            "default network): Podman writes it into /etc/hosts"), NETWORK_GATEWAY
    if host == "host.docker.internal" and rootless_docker(c) and c.add_host_gateway:
        return True, (
            f"host.docker.internal → {DOCKER0_ADDRESS}: host-gateway is docker0, which for rootless Docker "
            "is inside rootlesskit's network namespace"), DOCKER0_ADDRESS
    return None


def _network(name: str) -> str:
    return "the default network" if name == "bridge" else f"the network '{name}'"


# --------------------------------------------------------------------------------------------------
# route
# --------------------------------------------------------------------------------------------------


def route(c: Config, address: str, ns: str, stays_inside: bool) -> Route | None:
    """Where ``address`` leads from Open WebUI's namespace ``ns`` on this engine; None: as Docker."""
    if not differs(c):
        return None
    bridged = ns.startswith("net:")
    if address == HOST_LAN:
        return Route(True, "the host's LAN address leads to the host itself"
                     + (" (rootless Podman: through slirp4netns)" if bridged else ""), "host-lan", "the host")
    dropped = _podman_rootful_unanswered(c, address, ns)
    if dropped:
        return Route(False, dropped)
    if address == NETWORK_GATEWAY:
        return Route(True, "the network's gateway is an address of this host (rootful Podman: a bridge "
                     "on the host, like docker0)", "docker0", "the host (the network's gateway)")
    if ns == ROOTLESSKIT:
        if stays_inside:
            return Route(True, f"{address} is the loopback of rootlesskit's namespace (rootless Docker's "
                         "--network host), not the host's", "rk-loopback", "rootlesskit's namespace")
        if address == DOCKER0_ADDRESS:
            return Route(True, f"{address} is docker0 inside rootlesskit's namespace, where this container "
                         "runs", "rk-self", "rootlesskit's namespace")
        return None
    if rootless_docker(c) and address == DOCKER0_ADDRESS and bridged:
        return Route(True, f"{address} is docker0 inside rootlesskit's network namespace, not the host "
                     "(rootless Docker)", "rk-gateway", "rootlesskit's namespace (docker0)")
    if podman(c) and address == DOCKER0_ADDRESS:
        return Route(False, f"{address} is Docker's docker0; Podman's default network gateway is "
                     f"{PODMAN_GATEWAY} ({DOCKER0_ADDRESS} is no address of a Podman host unless Docker "
                     "also runs there)")
    if c.engine == "podman-rootless" and address == PODMAN_GATEWAY:
        if bridged:
            return Route(True, f"{address} is the gateway inside rootless Podman's network namespace, not "
                         "the host", "podman-ns-gateway", "rootless Podman's namespace (the gateway)")
        return Route(True, f"from the host's network {address} is not rootless Podman's gateway (that one is "
                     "inside its own namespace): it leads off this machine, or, where rootful Podman also runs "
                     "(as on the recording machine), to rootful Podman's podman0", "elsewhere",
                     "not rootless Podman's gateway")
    if c.engine == "podman-rootful" and address == PODMAN_GATEWAY:
        return Route(True, f"{address} is podman0, the default network's gateway: an address of this host",
                     "docker0", "the host (podman0)")
    return None


def _podman_rootful_unanswered(c: Config, address: str, ns: str) -> str | None:
    """Recorded on rootful Podman 4.3.1 (netavark): a published port reached at a gateway from *another*
    user-defined network, when the Ollama container does not listen on every address, times out instead of
    being refused (netavark's NAT sends it to the container; its refusal never comes back). From the default
    network, and from Ollama's own network, it is refused."""
    if c.engine != "podman-rootful" or address not in (NETWORK_GATEWAY, PODMAN_GATEWAY):
        return None
    if not (c.ollama_in_container and c.ollama_publish_effective == "all") or c.ollama_listen.all_addresses:
        return None
    net = c.webui_network
    if not ns.startswith("net:") or net == "bridge" or net == c.ollama_network_effective:
        return None
    return (f"-p 11434:11434 at the gateway from {_network(net)}: netavark forwards it to the Ollama container, "
            "where nothing listens on its network address, and no refusal comes back (a timeout; recorded "
            "on Podman 4.3.1)")


# --------------------------------------------------------------------------------------------------
# listen
# --------------------------------------------------------------------------------------------------


def listen(c: Config, kind: str, port: int, ollama_ns: str, who: str) -> tuple[bool, str] | None:
    """(listening, reason) at a destination only these engines have; None: the kind is engine.py's."""
    ol = c.ollama_listen
    publish = c.ollama_publish_effective
    spec = "-p 11434:11434" if publish == "all" else "-p 127.0.0.1:11434:11434"
    in_rk = rootless_docker(c) and c.ollama_in_container and c.ollama_network_effective == "host"

    def port_ok(expected: int) -> tuple[bool, str] | None:
        return None if port == expected else (False, f"{who} listens on port {expected}, not {port}")

    def behind_publish() -> tuple[bool, str] | None:
        """The published port forwards to 11434 in the container: is Ollama there, on every address?"""
        if port != 11434:
            return False, f"the published port is 11434, not {port}"
        if ol.port != 11434 or not ol.all_addresses:
            return False, f"{spec} forwards to port 11434 in the container, where {who} does not listen"
        return None

    if kind == "host-lan":
        if not c.ollama_in_container or (ollama_ns == "host" and not in_rk):
            bad = port_ok(ol.port)
            if bad:
                return bad
            if ol.all_addresses:
                return True, f"{who} listens on every address, the host's LAN address included"
            return False, f"{who} listens on {ol.host} only, not on the host's LAN address"
        if publish == "all":
            return behind_publish() or (True, f"{spec} is held on every host address ({_forwarder(c)})")
        if publish == "loopback":
            return False, f"{spec} listens on the host's loopback only, not on its LAN address"
        return False, "the Ollama container publishes no port on the host"
    if kind == "podman-ns-gateway":
        if c.ollama_in_container and publish == "all":
            return behind_publish() or (True, f"{spec}: rootless Podman forwards it inside its namespace too")
        if c.ollama_in_container and publish == "loopback":
            return False, f"{spec} listens on the host's loopback only"
        return False, ("nothing of the host listens inside rootless Podman's namespace"
                       if not c.ollama_in_container or ollama_ns == "host" else
                       "the Ollama container publishes no port")
    if kind == "elsewhere":
        return False, ("nothing of this setup answers there (recorded: refused, on a machine where rootful Podman "
                       "also held 10.88.0.1)")
    if kind in ("rk-gateway", "rk-self", "rk-loopback"):
        if in_rk:
            bad = port_ok(ol.port)
            if bad:
                return bad
            if ol.all_addresses or (kind == "rk-loopback" and ol.listens_on("127.0.0.1")):
                return True, f"{who} shares rootlesskit's namespace (--network host) and listens there"
            return False, f"{who} listens on {ol.host} only inside rootlesskit's namespace"
        if not c.ollama_in_container:
            return False, ("a host Ollama is outside rootlesskit's namespace: nothing listens there "
                           f"(rootless Docker reaches the host only at its LAN address)")
        if kind == "rk-gateway" or publish == "none" or port != 11434:
            return False, (f"{spec} is forwarded by rootlesskit on the host, and nothing answers it at docker0 "
                           "from another container (measured)" if publish != "none" else
                           "the Ollama container publishes no port")
        if kind == "rk-self" and publish == "loopback":
            return False, f"{spec} listens on loopback only"
        return behind_publish() or (True, f"{spec} is also held inside rootlesskit's namespace, where this "
                                          "container runs")
    return None


def _forwarder(c: Config) -> str:
    return {"docker-rootless": "rootlesskit's port driver", "podman-rootless": "rootlessport",
            "podman-rootful": "conmon holds it, netavark's NAT forwards it"}.get(c.engine, "docker-proxy")


# --------------------------------------------------------------------------------------------------
# the browser, and notes
# --------------------------------------------------------------------------------------------------


def browser_blocked(c: Config) -> str | None:
    """Why the learner's browser cannot reach Open WebUI on this engine, or None: as Docker."""
    if rootless_docker(c) and c.webui_host_mode:
        return ("with rootless Docker, --network host is rootlesskit's namespace: Open WebUI's 8080 listens "
                "there and rootlesskit forwards only published ports (and -p is discarded in host mode)")
    return None


def notes(c: Config) -> list[str]:
    """What the learner on this engine should know (each with its source)."""
    if not differs(c):
        return []
    out = []
    url = c.parsed_base_url
    if podman(c) and url.host == "host.docker.internal":
        out.append("Podman names the host host.containers.internal (built in, no flag): use "
                   "http://host.containers.internal:11434; Podman 4.3 refuses --add-host=...:host-gateway "
                   "(measured on Podman 4.3.1).")
    if c.engine in ("docker-rootless", "podman-rootless") and not c.ollama_in_container:
        out.append(f"{title(c)}: a host Ollama is reached only at the host's LAN address (through slirp4netns), "
                   "so it must listen on 0.0.0.0; a 127.0.0.1 Ollama is out of reach from every container "
                   "but a host-network one" + (" (and rootless Docker's host network is rootlesskit's, not the "
                                               "host's)" if rootless_docker(c) else "") + " (measured).")
    if podman(c):
        out.append(FROM_THE_DOCS)
    return out
