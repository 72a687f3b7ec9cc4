"""The reachability engine: pure reasoning over a ``Config``, the way a Docker expert reasons.

Open WebUI's backend connects to ``OLLAMA_BASE_URL`` in four steps, and the engine explains each:

1. **resolve**: does the URL's host name resolve inside Open WebUI's network namespace, and to what?
2. **route**: where does that address lead from there (the container itself, the host, the Docker
   Desktop VM, another container)? Can packets get there?
3. **listen**: does anything listen at that place, on that address and port, for a connection from
   this source? (Ollama bound to 127.0.0.1 refuses what arrives on docker0.)
4. **answer**: Ollama answers ``GET /api/version``.

The first failing step decides the outcome: ``name_not_resolved``, ``unreachable`` or
``connection_refused``; all four passing is ``ok``. The browser check is separate: the learner's
browser on the host opens Open WebUI's published port.

This module imports nothing heavy (no docker, networkx or matplotlib) so ``owui-lab predict`` is fast.
It is over 500 lines on purpose: the rules read top to bottom in the order of the four steps, each
with the sentence a learner sees; split by step, one rule's cases would scatter over files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import engines
from .catalog import Scenario, as_config
from .config import DOCKER0_ADDRESS, OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config, redact_url, stays_inside

OUTCOMES = ("ok", "name_not_resolved", "connection_refused", "unreachable")
STEP_NAMES = ("resolve", "route", "listen", "answer")
_OUTCOME_OF_STEP = {"resolve": "name_not_resolved", "route": "unreachable", "listen": "connection_refused"}


@dataclass(frozen=True)
class Step:
    """One step of the connection, with the reason it succeeds or fails."""

    name: str
    ok: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "reason": self.reason}


@dataclass(frozen=True)
class Browser:
    """Whether the learner's browser, on the host, reaches Open WebUI at ``url``."""

    url: str
    reachable: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "reachable": self.reachable, "reason": self.reason}


@dataclass(frozen=True)
class Verdict:
    """The engine's prediction for one configuration.

    Attributes:
        config: what was predicted.
        reachable: Open WebUI's backend reaches Ollama at the base URL.
        outcome: one of ``OUTCOMES``.
        steps: the steps evaluated, in order; when not reachable the last one failed.
        fixes: concrete changes that make everything work (flags, env vars, URLs), best first.
        browser: the browser's view of Open WebUI.
        notes: what the docs get wrong here, and security remarks.
    """

    config: Config
    reachable: bool
    outcome: str
    steps: tuple[Step, ...]
    browser: Browser
    fixes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    resolved_address: str | None = field(default=None, compare=False)

    @property
    def failing_step(self) -> Step | None:
        """The first step that fails, or None when Ollama is reached."""
        return next((s for s in self.steps if not s.ok), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "outcome": self.outcome,
            "base_url": self.config.effective_base_url,
            "steps": [s.to_dict() for s in self.steps],
            "fixes": list(self.fixes),
            "browser": self.browser.to_dict(),
            "notes": list(self.notes),
            "config": self.config.to_dict(),
        }

    def transcript(self) -> str:
        """The verdict as a lab transcript: ✓/✗ per step, the browser, then the fixes."""
        lines = [f"Open WebUI → Ollama at {redact_url(self.config.effective_base_url)}"]
        for s in self.steps:
            lines.append(f"  {'✓' if s.ok else '✗'} {s.name:<7} {s.reason}")
        verdict = "reachable" if self.reachable else f"NOT reachable ({self.outcome})"
        lines.append(f"  => Ollama is {verdict}")
        b = self.browser
        lines.append(f"Browser → Open WebUI at {b.url}")
        lines.append(f"  {'✓' if b.reachable else '✗'} {b.reason}")
        if self.fixes:
            lines.append("Fix (any one of these):" if len(self.fixes) > 1 else "Fix:")
            lines.extend(f"  - {f}" for f in self.fixes)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  * {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.transcript()


# --------------------------------------------------------------------------------------------------
# Places: a network namespace is where an address means something.
# --------------------------------------------------------------------------------------------------

HOST = "host"  # the learner's machine (on Linux, also where docker0 lives)
VM = "vm"  # Docker Desktop's Linux VM, its host network namespace


@dataclass(frozen=True)
class _Destination:
    """Where an address leads: a kind of place and a phrase for the learner."""

    kind: str  # "self", "host-loopback", "vm-loopback", "docker0", "desktop-host", "ollama-container", "unknown"
    address: str
    text: str


def webui_namespace(c: Config) -> str:
    """Open WebUI's network namespace: HOST, VM, "net:NAME" for a bridged container, or an engine's own
    (rootless Docker's host network is rootlesskit's namespace: ``engines.namespace``)."""
    own = engines.namespace(c, c.webui_network)
    if own:
        return own
    if c.webui_host_mode:
        if c.platform == "linux" or c.desktop_host_networking:
            return HOST
        return VM
    return f"net:{c.webui_network}"


def ollama_namespace(c: Config) -> str:
    """Ollama's network namespace, named like ``webui_namespace``."""
    if not c.ollama_in_container:
        return HOST
    net = c.ollama_network_effective
    own = engines.namespace(c, net)
    if own:
        return own
    if net == "host":
        if c.platform == "linux" or c.desktop_host_networking:
            return HOST
        return VM
    return f"net:{net}"


def _network_phrase(net: str) -> str:
    return "the default bridge network" if net == "bridge" else f"the user-defined network '{net}'"


def _where_webui(c: Config) -> str:
    ns = webui_namespace(c)
    if ns == HOST:
        return "Open WebUI shares the host's network (--network host)"
    if ns == VM:
        return "Open WebUI shares the Docker Desktop VM's network (--network host, host networking off)"
    return f"Open WebUI is a container on {_network_phrase(c.webui_network)}"


# --------------------------------------------------------------------------------------------------
# Step 1: name resolution
# --------------------------------------------------------------------------------------------------


def _resolve(c: Config) -> tuple[Step, str | None]:
    """Resolve the URL's host inside Open WebUI's namespace.

    Returns the step and the resolved address (None on failure).
    """
    url = c.parsed_base_url
    host = url.host
    address = url.address  # read as the container's resolver reads it (config.read_host)
    ns = webui_namespace(c)
    if address.ip is not None:
        spelled = "" if address.ip == host else f" (the resolver reads it as {address.ip})"
        return Step("resolve", True, f"{host} is an IP address{spelled}: nothing to resolve"), address.ip
    own = engines.resolve(c, host.lower().rstrip("."), ns)  # Podman and rootless Docker's own names
    if own is not None:
        return Step("resolve", own[0], own[1]), own[2]
    if address.is_named("localhost"):
        where = "the container itself" if ns.startswith("net:") else (
            "the host" if ns == HOST else "the Docker Desktop VM")
        return (
            Step("resolve", True, f"localhost resolves to 127.0.0.1 (/etc/hosts): that is {where}"),
            "127.0.0.1"
        )
    if address.is_named("host.docker.internal"):
        if c.add_host_ip:
            # /etc/hosts comes first in the container's resolver, before Docker Desktop's own name
            return (
                Step("resolve", True, f"host.docker.internal → {c.add_host_ip}: --add-host=host.docker.internal:"
                     f"{c.add_host_ip} wrote that address into /etc/hosts"),
                c.add_host_ip,
            )
        if c.platform == "desktop":
            return (
                Step("resolve", True, "host.docker.internal is built into Docker Desktop: it names your Mac/PC"),
                "host.docker.internal"
            )
        if c.add_host_gateway:
            return (
                Step(
                    "resolve",
                    True,
                    f"host.docker.internal → {DOCKER0_ADDRESS}: --add-host ...:host-gateway wrote the "
                    "docker0 address into /etc/hosts",
                ),
                DOCKER0_ADDRESS
            )
        return (
            Step(
                "resolve",
                False,
                "host.docker.internal is unknown on Linux unless the container is started with "
                "--add-host=host.docker.internal:host-gateway (Name or service not known)",
            ),
            None
        )
    if c.ollama_in_container and address.is_named(c.ollama_name):  # Docker's DNS ignores case
        return _resolve_container_name(c, host)
    reason = f"'{host}' is not a name Docker's DNS or /etc/hosts knows here"
    if c.ollama_in_container:
        reason += f" (the Ollama container is named '{c.ollama_name}')"
    return Step("resolve", False, reason), None


def _resolve_container_name(c: Config, host: str) -> tuple[Step, str | None]:
    webui_net = c.webui_network
    ollama_net = c.ollama_network_effective
    if c.shared_network:
        what = "service" if c.compose else "container"
        return (
            Step(
                "resolve",
                True,
                f"'{host}' resolves through Docker's embedded DNS: both are on the user-defined "
                f"network '{webui_net}', which resolves {what} names",
            ),
            f"{host}@{webui_net}"
        )
    if webui_net == "host":
        why = "a host-network container uses the host's resolver, which knows no container names"
    elif webui_net == "bridge":
        why = "the default bridge network has no DNS for container names (only user-defined networks do)"
    elif ollama_net == "host":
        why = f"'{host}' runs on the host network, so it has no name in '{webui_net}''s DNS"
    else:
        why = (
            f"names never resolve across networks: '{host}' is on {_network_phrase(ollama_net)}, "
            f"Open WebUI on {_network_phrase(webui_net)}"
        )
    return Step("resolve", False, f"'{host}' does not resolve: {why}"), None


# --------------------------------------------------------------------------------------------------
# Step 2: where the address leads
# --------------------------------------------------------------------------------------------------


def _isolation_drops_published_port(c: Config) -> str | None:
    """Why packets to Ollama's published port at docker0 are dropped, or None when they are not.

    With the daemon's ``userland-proxy`` off there is no docker-proxy on the host to answer a
    published port: Docker's DNAT rule sends the packet straight to the Ollama container, from any
    source network, and Docker's isolation chains (DOCKER-ISOLATION-STAGE-1/2) drop what crosses
    from one bridge network to another. The packet is dropped, not refused: the probe times out.
    Only the port Docker publishes (``-p 11434:11434`` on every address) has that DNAT rule.
    """
    if c.userland_proxy or not c.ollama_in_container or c.ollama_publish_effective != "all":
        return None
    if c.parsed_base_url.port != c.ollama_published_port:
        return None
    ns = webui_namespace(c)
    if not ns.startswith("net:") or c.webui_network == c.ollama_network_effective:
        return None  # from the host, or hairpin NAT within Ollama's own network: it arrives
    return (
        f"{DOCKER0_ADDRESS}:{c.ollama_published_port} is Ollama's published port, and with the daemon's userland-proxy "
        "off Docker's NAT sends it straight to the Ollama container on "
        f"{_network_phrase(c.ollama_network_effective)}; Docker's isolation between bridge networks drops "
        f"packets from {_network_phrase(c.webui_network)} (no answer, a timeout)"
    )


def _route(c: Config, address: str) -> tuple[Step, _Destination | None]:
    ns = webui_namespace(c)
    own = engines.route(c, address, ns, stays_inside(address))  # Podman and rootless Docker's places
    if own is not None:
        return Step("route", own.ok, own.reason), (_Destination(own.kind, address, own.text) if own.ok else None)
    if address == "host.docker.internal":
        return (
            Step("route", True, "Docker Desktop forwards host.docker.internal to your Mac/PC itself"),
            _Destination("desktop-host", "127.0.0.1", "your Mac/PC (via Docker Desktop)"),
        )
    if "@" in address:
        name, net = address.split("@", 1)
        return (
            Step("route", True, f"'{name}' is on the same network '{net}': packets go straight there"),
            _Destination("ollama-container", name, f"the '{name}' container"),
        )
    if stays_inside(address):
        if ns.startswith("net:"):
            return (
                Step("route", True, f"{address} inside a bridged container is the container itself, not the host"),
                _Destination("self", address, "the Open WebUI container itself"),
            )
        if ns == VM:
            return (
                Step(
                    "route",
                    True,
                    f"{address} is the Docker Desktop VM's loopback: with host networking off, "
                    "'host' means the VM, not your Mac/PC",
                ),
                _Destination("vm-loopback", address, "the Docker Desktop VM"),
            )
        return (
            Step("route", True, f"{address} is the host's own loopback ({_where_webui(c)})"),
            _Destination("host-loopback", address, "the host"),
        )
    if address == DOCKER0_ADDRESS:
        dropped = _isolation_drops_published_port(c)
        if dropped:
            return Step("route", False, dropped), None
        if c.platform == "desktop":
            dest = _Destination("docker0", address, "the Docker Desktop VM's bridge (not your Mac/PC)")
            return (
                Step("route", True, f"{address} is the bridge of Docker Desktop's Linux VM, not your Mac/PC"),
                dest,
            )
        if ns == HOST:
            text = f"{address} is docker0, an address of this very host"
        else:
            text = f"{address} is docker0, the host's address on the default bridge: packets reach the host"
        return Step("route", True, text), _Destination("docker0", address, "the host (docker0)")
    if c.host_address and address == c.host_address:
        if c.platform == "desktop":
            return (
                Step("route", False, f"{address} is your Mac/PC's own address; where Docker Desktop sends a "
                     "container's connection to it is not modelled (not recorded)"),
                None,
            )
        text = ("the host itself" if ns == HOST else
                "packets leave the container through its gateway and arrive at the host")
        return (Step("route", True, f"{address} is this host's own address: {text}"),
                _Destination("host-address", address, f"the host ({address})"))
    return (
        Step(
            "route",
            False,
            f"{address} is not an address the kit can place (not loopback, docker0 or a container of "
            "this setup): packets to it are not expected to reach Ollama",
        ),
        None,
    )


# --------------------------------------------------------------------------------------------------
# Step 3: does something listen there, for this source?
# --------------------------------------------------------------------------------------------------


def _listen(c: Config, dest: _Destination, port: int) -> Step:
    ol = c.ollama_listen
    ns_ollama = ollama_namespace(c)
    publish = c.ollama_publish_effective
    published_port = c.ollama_published_port  # -p 11434:11434, or -p 7869:11434
    who = f"Ollama ({'container' if c.ollama_in_container else 'native process'}, OLLAMA_HOST={ol})"

    def refused(reason: str) -> Step:
        return Step("listen", False, reason + " → connection refused")

    own = engines.listen(c, dest.kind, port, ns_ollama, who)  # places only Podman and rootless Docker have
    if own is not None:
        return Step("listen", True, own[1]) if own[0] else refused(own[1])

    def listening(reason: str) -> Step:
        return Step("listen", True, reason)

    def port_mismatch() -> Step | None:
        if port != ol.port:
            return refused(f"{who} listens on port {ol.port}, not {port}")
        return None

    def via_published(address_phrase: str, address_ok: bool) -> Step | None:
        """A published port of the Ollama container at the host, or None if none applies."""
        if publish == "none":
            return None
        spec = f"-p {published_port}:11434" if publish == "all" else f"-p 127.0.0.1:{published_port}:11434"
        if port != published_port:
            return refused(f"the published port is {published_port} ({spec}), not {port}")
        if not address_ok:
            return refused(f"{spec} listens on the host's loopback only, not on {address_phrase}")
        if ol.port != OLLAMA_PORT or not ol.all_addresses:
            return refused(f"{spec} forwards to port {OLLAMA_PORT} in the container, where {who} does not listen")
        return listening(f"{spec} publishes Ollama's container port on {address_phrase}")

    kind = dest.kind
    if kind == "self":
        if port == WEBUI_CONTAINER_PORT:
            return refused("that is Open WebUI's own port 8080, not Ollama")
        return refused(f"nothing listens on port {port} inside the Open WebUI container")
    if kind == "ollama-container":
        bad = port_mismatch()
        if bad:
            if c.ollama_publish_effective != "none" and port != OLLAMA_PORT and (
                c.ollama_host_port is None or port == c.ollama_published_port
            ):
                return refused(
                    f"container-to-container traffic uses the container port {ol.port}, not a published host port"
                )
            return bad
        if not ol.all_addresses:
            return refused(f"{who} listens on {ol.host} inside its container, so other containers cannot connect")
        return listening(f"{who} listens on all addresses of its container")
    if kind == "desktop-host":
        if ns_ollama == HOST and not c.ollama_in_container:
            bad = port_mismatch()
            if bad:
                return bad
            if not ol.listens_on("127.0.0.1"):
                return refused(
                    f"{who} listens on {ol.host} only, but Docker Desktop delivers host.docker.internal "
                    "to your Mac/PC's loopback (127.0.0.1)"
                )
            return listening(f"{who} listens on your Mac/PC; Docker Desktop's forwarding reaches it even on 127.0.0.1")
        if c.ollama_in_container and ns_ollama == HOST:  # host network with Desktop host networking on
            bad = port_mismatch()
            return bad or listening(f"{who} is on the host network; Docker Desktop forwards its port to your Mac/PC")
        published = via_published("your Mac/PC", True)
        if published:
            return published
        return refused(
            "nothing listens on your Mac/PC at that port: the Ollama container publishes no port "
            "(add -p 11434:11434)"
            if c.ollama_in_container
            else "nothing listens on your Mac/PC at that port"
        )
    if kind in ("host-loopback", "vm-loopback"):
        place = HOST if kind == "host-loopback" else VM
        place_text = "the host" if place == HOST else "the Docker Desktop VM"
        if ns_ollama == place:
            bad = port_mismatch()
            if bad:
                return bad
            # localhost is 127.0.0.1 and ::1 (/etc/hosts): the client tries both
            tried = ("127.0.0.1", "::1") if c.parsed_base_url.address.is_named("localhost") else (dest.address,)
            if any(ol.listens_on(t) for t in tried):
                return listening(f"{who} listens on {place_text}'s loopback")
            return refused(f"{who} listens on {ol.host} only, not on {dest.address}")
        if c.ollama_in_container:
            published = via_published(f"{place_text}'s loopback", True)
            if published:
                return published
            return refused(f"the Ollama container publishes no port on {place_text}, so nothing listens at {port}")
        return refused(f"nothing listens at port {port} in {place_text}: Ollama runs on your Mac/PC, outside the VM")
    if kind == "host-address":
        if ns_ollama == HOST:
            bad = port_mismatch()
            if bad:
                return bad
            if ol.listens_on(dest.address):
                return listening(f"{who} listens on all addresses, {dest.address} included" if ol.all_addresses
                                 else f"{who} listens on {dest.address}")
            return refused(f"{who} listens on {ol.host} only; a connection to the host's address {dest.address} "
                           "finds nothing there")
        if c.ollama_in_container and publish != "none":
            return via_published(f"the host's address {dest.address}", publish == "all")
        return refused(f"nothing listens on the host's address {dest.address} at port {port}")
    if kind == "docker0":
        place = VM if c.platform == "desktop" else HOST
        if ns_ollama == place:
            bad = port_mismatch()
            if bad:
                return bad
            if ol.all_addresses:
                return listening(f"{who} listens on all addresses, docker0 ({DOCKER0_ADDRESS}) included")
            if ol.listens_on(DOCKER0_ADDRESS):
                return listening(f"{who} listens on docker0 ({DOCKER0_ADDRESS}) itself, and only there")
            return refused(
                f"{who} listens on {ol.host} only; a connection arriving on docker0 ({DOCKER0_ADDRESS}) "
                "finds nothing there (no 'Docker proxy' forwards it, whatever the docs' diagram says)"
            )
        if c.ollama_in_container and publish != "none":
            # Seen in the lab (Docker 20.10, default userland-proxy): traffic from any bridge network
            # to a host address skips Docker's DNAT ("-i <bridge> -j RETURN") and docker-proxy,
            # listening on the host, forwards it, so Docker's isolation between bridge networks does
            # not stop it. (With "userland-proxy": false the DNAT applies and isolation drops it:
            # see _isolation_drops_published_port, checked in the route step.)
            return via_published(f"docker0 ({DOCKER0_ADDRESS}), where docker-proxy forwards it from any network",
                                 publish == "all")
        if c.platform == "desktop" and not c.ollama_in_container:
            return refused("Ollama runs on your Mac/PC, not in the VM where 172.17.0.1 leads")
        return refused(f"nothing listens on docker0 port {port}: the Ollama container publishes no port")
    return refused("nothing known listens there")


# --------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------


def _browser(c: Config) -> Browser:
    blocked = engines.browser_blocked(c)
    if blocked:
        return Browser(f"http://localhost:{WEBUI_CONTAINER_PORT}", False, blocked)
    if c.webui_host_mode:
        url = f"http://localhost:{WEBUI_CONTAINER_PORT}"
        ignored = f" (-p {c.webui_port}:8080 is discarded in host mode)"
        if webui_namespace(c) == HOST:
            how = "it listens on the host's port 8080 directly" if c.platform == "linux" else (
                "Docker Desktop's host networking forwards port 8080 to your Mac/PC")
            return Browser(url, True, f"Open WebUI shares the host's network: {how}{ignored}")
        return Browser(
            url,
            False,
            "with --network host on Docker Desktop (host networking off) Open WebUI listens in the "
            f"Linux VM, which your browser cannot reach{ignored}",
        )
    url = f"http://localhost:{c.webui_port}"
    return Browser(url, True, f"-p {c.webui_port}:8080 publishes Open WebUI on the host's port {c.webui_port}")


# --------------------------------------------------------------------------------------------------
# Notes: what the docs get wrong, and security
# --------------------------------------------------------------------------------------------------


def _notes(c: Config) -> tuple[str, ...]:
    notes = []
    url = c.parsed_base_url
    host_ollama = not c.ollama_in_container
    listen = c.ollama_listen
    notes.extend(engines.notes(c))
    if c.platform == "linux" and c.engine == "docker" and host_ollama and url.host == "host.docker.internal" \
            and c.add_host_gateway:
        there = (
            "and Ollama listens there (OLLAMA_HOST=0.0.0.0: every address)" if listen.all_addresses
            else f"and Ollama listens there (OLLAMA_HOST={c.ollama_bind}: docker0 only)"
            if listen.listens_on(DOCKER0_ADDRESS)
            else f"so Ollama must listen on that address: OLLAMA_HOST=0.0.0.0 (every address) or "
            f"OLLAMA_HOST={DOCKER0_ADDRESS} (docker0 only)"
        )
        notes.append(
            "The docs' Linux diagram says 'via Docker proxy': there is no proxy. host-gateway is the "
            f"docker0 address {DOCKER0_ADDRESS}, {there}."
        )
    if c.platform == "desktop" and c.webui_host_mode:
        notes.append(
            "Docker Desktop supports --network host since 4.34 (Settings → Resources → Network → "
            "Enable host networking); older docs say it does not work at all."
        )
    if c.platform == "desktop" and url.host == DOCKER0_ADDRESS:
        notes.append("On Docker Desktop there is no docker0 on your Mac/PC: 172.17.0.1 is inside the VM.")
    if c.platform == "linux" and host_ollama and listen.host == DOCKER0_ADDRESS:
        notes.append(
            f"Security: OLLAMA_HOST={c.ollama_bind} listens on docker0 only: containers and this host reach "
            "it, your LAN does not (safer than 0.0.0.0). Two costs: nothing listens on 127.0.0.1:11434, "
            f"so ollama commands on the host need OLLAMA_HOST={DOCKER0_ADDRESS} too; and docker0 must "
            "exist when Ollama starts (Docker creates it)."
        )
    if host_ollama and listen.all_addresses:
        notes.append(
            "Security: Ollama on 0.0.0.0 has no authentication and is reachable from your LAN: "
            "firewall port 11434 (on Linux allow only docker0/172.17.0.0/16)."
        )
    if c.ollama_publish_effective == "all":
        notes.append(
            "Security: -p 11434:11434 publishes Ollama on every address, past ufw (Docker's rules come "
            "first): prefer -p 127.0.0.1:11434:11434, or filter in the DOCKER-USER chain."
        )
    if c.stored_url is not None and c.stored_url != c.base_url:
        notes.append(
            f"Open WebUI uses the URL saved in its database ({redact_url(c.stored_url)}), not OLLAMA_BASE_URL="
            f"{redact_url(c.base_url)}: the saved one wins while the data volume is kept and "
            "ENABLE_PERSISTENT_CONFIG is on (Open WebUI issues 12034, 1295)."
        )
    if c.webui_host_mode and c.webui_port != 3000:
        notes.append(f"--webui-port {c.webui_port} has no effect in host mode: Docker discards -p.")
    return tuple(notes)


# --------------------------------------------------------------------------------------------------
# The four steps, without fixes (``prediction.predict`` adds the fixes)
# --------------------------------------------------------------------------------------------------


def evaluate(config: Config | Scenario | str) -> Verdict:
    """The verdict without fixes: the four steps and the browser (cheap; used by the fix search).

    ``owui_lab.predict`` (``prediction.py``) is the public entry: it evaluates, then searches fixes
    (``fixes.py``) when something fails.

    Args:
        config: a ``Config``, a ``Scenario`` or a seed scenario's id.
    """
    c = as_config(config)
    steps: list[Step] = []
    port = c.parsed_base_url.port
    step, address = _resolve(c)
    steps.append(step)
    if step.ok and address is not None:
        step, dest = _route(c, address)
        steps.append(step)
        if step.ok and dest is not None:
            step = _listen(c, dest, port)
            steps.append(step)
            if step.ok:
                steps.append(Step("answer", True, "Ollama answers GET /api/version with its version"))
    failing = next((s for s in steps if not s.ok), None)
    outcome = "ok" if failing is None else _OUTCOME_OF_STEP[failing.name]
    return Verdict(
        config=c,
        reachable=failing is None,
        outcome=outcome,
        steps=tuple(steps),
        browser=_browser(c),
        notes=_notes(c),
        resolved_address=address,
    )
