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

Each step is data (the step, ok, a reason code, its subject, address, port and facts); the sentence a
learner reads is rendered from it by ``reasons.py``, one template per code, and ``graph.py`` labels the
picture from the same fields. This module imports nothing heavy (no docker, networkx or matplotlib) so
``owui-lab predict`` is fast. The rules read top to bottom in the order of the four steps; split by step,
one rule's cases would scatter over files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import engines
from .catalog import Scenario, as_config
from .config import (DOCKER0_ADDRESS, IMAGE_DEFAULT_BASE_URL, OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config, redact_url,
                     stays_inside)
from .reasons import note_heading, render, render_cause, render_note

OUTCOMES = ("ok", "name_not_resolved", "connection_refused", "unreachable")
STEP_NAMES = ("resolve", "route", "listen", "answer")
_OUTCOME_OF_STEP = {"resolve": "name_not_resolved", "route": "unreachable", "listen": "connection_refused"}


@dataclass(frozen=True)
class Step:
    """One step of the connection as data; its sentence (``reason``) is rendered from it by ``reasons``.

    Attributes:
        name: the step: ``resolve``, ``route``, ``listen`` or ``answer``.
        ok: the step works.
        code: why, as a stable id (a key of ``reasons.REASONS``; ``graph`` labels the picture by it).
        subject: what the step is about: the URL's host name (resolve), where the address leads
            (route and listen: ``self``, ``host-loopback``, ``vm-loopback``, ``docker0``, ``desktop-host``,
            ``ollama-container``; empty when it leads nowhere known).
        address: the address the step is about (resolved, routed to or listened at), if any.
        port: the port Open WebUI connects to.
        facts: the other values the sentence needs (network names, how Ollama listens), as pairs.
    """

    name: str
    ok: bool
    code: str
    subject: str = ""
    address: str | None = None
    port: int | None = None
    facts: tuple[tuple[str, Any], ...] = ()

    @property
    def outcome(self) -> str:
        """``ok``, or the outcome this step's failure means (``name_not_resolved`` for resolve, ...)."""
        return "ok" if self.ok else _OUTCOME_OF_STEP[self.name]

    @property
    def fields(self) -> dict[str, Any]:
        """Everything the sentence may use: subject, address, port and the facts."""
        return {"subject": self.subject, "address": self.address, "port": self.port, **dict(self.facts)}

    @property
    def reason(self) -> str:
        """The step in the learner's words."""
        return render(self.code, self.fields)

    @property
    def cause(self) -> str:
        """Why, without the outcome the sentence ends in (for a reader that names the outcome itself)."""
        return render_cause(self.code, self.fields)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "reason": self.reason, "outcome": self.outcome, "code": self.code,
                "subject": self.subject, "address": self.address, "port": self.port, "facts": dict(self.facts)}


def _step(name: str, ok: bool, code: str, *, subject: str = "", address: str | None = None,
          port: int | None = None, **facts: Any) -> Step:
    return Step(name, ok, code, subject, address, port, tuple(sorted(facts.items())))


@dataclass(frozen=True)
class Note:
    """A note beside the verdict as data (what the docs get wrong here, a security remark); ``text`` is its words.

    Attributes:
        code: which note, as a stable id (a key of ``reasons.NOTES``; security remarks start ``security_``).
        facts: the values its sentence needs (how Ollama is bound, the URLs, the engine), as pairs.
    """

    code: str
    facts: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        """The note in the learner's words, after its heading ("Security: ...")."""
        return render_note(self.code, dict(self.facts))

    @property
    def body(self) -> str:
        """The note without its heading (a page that heads it its own way)."""
        return render_note(self.code, dict(self.facts), heading=False)

    @property
    def security(self) -> bool:
        """A security remark (its heading is "Security")."""
        return note_heading(self.code) == "Security"

    def __str__(self) -> str:
        return self.text


def _note(code: str, **facts: Any) -> Note:
    return Note(code, tuple(sorted(facts.items())))


@dataclass(frozen=True)
class Browser:
    """Whether the learner's browser, on the host, reaches Open WebUI at ``url`` (``code``: why, see ``Step``)."""

    url: str
    reachable: bool
    code: str
    webui_port: int

    @property
    def reason(self) -> str:
        """Why, in the learner's words."""
        return render(self.code, {"webui_port": self.webui_port})

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "reachable": self.reachable, "reason": self.reason, "code": self.code}


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
        note_data: what the docs get wrong here, and security remarks, as data (``notes`` words them).
    """

    config: Config
    reachable: bool
    outcome: str
    steps: tuple[Step, ...]
    browser: Browser
    fixes: tuple[str, ...] = ()
    note_data: tuple[Note, ...] = ()
    resolved_address: str | None = field(default=None, compare=False)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the docs get wrong here, and security remarks, in the learner's words."""
        return tuple(n.text for n in self.note_data)

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
            "note_codes": [n.code for n in self.note_data],
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
    """Where an address leads: a kind of place, and the address there."""

    kind: str  # "self", "host-loopback", "vm-loopback", "docker0", "desktop-host", "ollama-container"
    address: str


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
    """Ollama's network namespace, named like ``webui_namespace`` (Open WebUI's own when bundled in its container)."""
    if c.ollama_bundled:
        return webui_namespace(c)
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
    port = url.port
    if address.ip is not None:
        if address.ip == host:
            return _step("resolve", True, "resolve_ip_address", subject=host, address=host, port=port), host
        return (_step("resolve", True, "resolve_ip_address_read_as", subject=host, address=address.ip, port=port),
                address.ip)
    own = engines.resolve(c, host.lower().rstrip("."), ns)  # Podman and rootless Docker's own names
    if own is not None:
        ok, code, resolved, facts = own
        return _step("resolve", ok, code, subject=host, address=resolved, port=port, **facts), resolved
    if address.is_named("localhost"):
        code = ("resolve_localhost_container" if ns.startswith("net:")
                else "resolve_localhost_host" if ns == HOST else "resolve_localhost_vm")
        return _step("resolve", True, code, subject=host, address="127.0.0.1", port=port), "127.0.0.1"
    if address.is_named("host.docker.internal"):
        if c.add_host_ip:
            # /etc/hosts comes first in the container's resolver, before Docker Desktop's own name
            return (_step("resolve", True, "resolve_add_host_ip", subject=host, address=c.add_host_ip, port=port),
                    c.add_host_ip)
        if c.platform == "desktop":
            return (_step("resolve", True, "resolve_host_docker_internal_desktop", subject=host,
                          address="host.docker.internal", port=port), "host.docker.internal")
        if c.add_host_gateway:
            return (_step("resolve", True, "resolve_host_gateway", subject=host, address=DOCKER0_ADDRESS, port=port),
                    DOCKER0_ADDRESS)
        return _step("resolve", False, "host_docker_internal_unknown_on_linux", subject=host, port=port), None
    if c.ollama_in_container and address.is_named(c.ollama_name):  # Docker's DNS ignores case
        return _resolve_container_name(c, host)
    if c.ollama_in_container:
        return _step("resolve", False, "name_unknown_not_ollama", subject=host, port=port,
                     ollama_name=c.ollama_name), None
    return _step("resolve", False, "name_unknown", subject=host, port=port), None


def _resolve_container_name(c: Config, host: str) -> tuple[Step, str | None]:
    webui_net = c.webui_network
    ollama_net = c.ollama_network_effective
    port = c.parsed_base_url.port
    if c.shared_network:
        return (_step("resolve", True, "resolve_container_name", subject=host, address=f"{host}@{webui_net}",
                      port=port, network=webui_net, name_kind="service" if c.compose else "container"),
                f"{host}@{webui_net}")
    if webui_net == "host":
        code = "name_unknown_to_host_resolver"
    elif webui_net == "bridge":
        code = "name_on_default_bridge"
    elif ollama_net == "host":
        code = "name_on_host_network"
    else:
        code = "name_across_networks"
    return _step("resolve", False, code, subject=host, port=port, webui_network=webui_net,
                 ollama_network=ollama_net), None


# --------------------------------------------------------------------------------------------------
# Step 2: where the address leads
# --------------------------------------------------------------------------------------------------


def _isolation_drops_published_port(c: Config) -> bool:
    """Whether packets to Ollama's published port at docker0 are dropped.

    With the daemon's ``userland-proxy`` off there is no docker-proxy on the host to answer a
    published port: Docker's DNAT rule sends the packet straight to the Ollama container, from any
    source network, and Docker's isolation chains (DOCKER-ISOLATION-STAGE-1/2) drop what crosses
    from one bridge network to another. The packet is dropped, not refused: the probe times out.
    Only the port Docker publishes (``-p 11434:11434`` on every address) has that DNAT rule.
    """
    if c.userland_proxy or not c.ollama_in_container or c.ollama_publish_effective != "all":
        return False
    if c.parsed_base_url.port != c.ollama_published_port:
        return False
    ns = webui_namespace(c)
    # from the host, or hairpin NAT within Ollama's own network: it arrives
    return ns.startswith("net:") and c.webui_network != c.ollama_network_effective


def _host_firewall_drops(c: Config, address: str, ns: str) -> bool:
    """Whether a host firewall drops this connection before anything on the host can answer it.

    ufw's default "deny incoming" (and firewalld's public zone) filter the INPUT chain: what a container
    on a bridge network sends to one of the host's own addresses (docker0, the host's LAN address)
    arrives there from the bridge's interface and is dropped, so the probe times out. Docker's DNAT
    (nat PREROUTING) comes before INPUT, but with the daemon's userland-proxy on Docker skips it for
    packets from its own bridges ("-i docker0 -j RETURN"): docker-proxy, a host process, answers a
    published port, so that connection passes INPUT and is dropped as well. With userland-proxy off
    the DNAT sends a published port on to the container (FORWARD, not INPUT). A container on the
    host network talks to the host over loopback, which the firewall lets through.
    """
    if not c.host_firewall or not ns.startswith("net:"):
        return False
    if address != DOCKER0_ADDRESS and address != c.host_address:
        return False
    nat = (not c.userland_proxy and c.ollama_in_container and c.ollama_publish_effective == "all"
           and c.parsed_base_url.port == c.ollama_published_port)
    return not nat


def _route(c: Config, address: str) -> tuple[Step, _Destination | None]:
    ns = webui_namespace(c)
    port = c.parsed_base_url.port

    def route(ok: bool, code: str, dest: _Destination | None, at: str = address,
              **facts: Any) -> tuple[Step, _Destination | None]:
        return _step("route", ok, code, subject=dest.kind if dest else "", address=at, port=port, **facts), dest

    own = engines.route(c, address, ns, stays_inside(address))  # Podman and rootless Docker's places
    if own is not None:
        return route(own.ok, own.code, _Destination(own.kind, address) if own.ok else None, **dict(own.facts))
    if address == "host.docker.internal":
        return route(True, "route_desktop_forwards_host",
                     _Destination("desktop-host", "127.0.0.1"))
    if "@" in address:
        name, net = address.split("@", 1)
        return route(True, "route_same_network", _Destination("ollama-container", name),
                     name, network=net)
    if stays_inside(address):
        if ns.startswith("net:"):
            return route(True, "route_container_itself", _Destination("self", address))
        if ns == VM:
            return route(True, "route_vm_loopback", _Destination("vm-loopback", address))
        return route(True, "route_host_loopback", _Destination("host-loopback", address))
    if _host_firewall_drops(c, address, ns):
        return route(False, "host_firewall_drops", None, webui_network=c.webui_network)
    if address == DOCKER0_ADDRESS:
        if _isolation_drops_published_port(c):
            return route(False, "isolation_drops_published_port", None, published_port=c.ollama_published_port,
                         webui_network=c.webui_network,
                         ollama_network=c.ollama_network_effective)
        if c.platform == "desktop":
            return route(True, "route_desktop_docker0",
                         _Destination("docker0", address))
        code = "route_docker0_this_host" if ns == HOST else "route_docker0_to_host"
        return route(True, code, _Destination("docker0", address))
    if c.host_address and address == c.host_address:
        if c.platform == "desktop":
            return route(False, "host_address_on_desktop_not_recorded", None)
        code = "route_host_address_itself" if ns == HOST else "route_host_address_via_gateway"
        return route(True, code, _Destination("host-address", address))
    return route(False, "address_unplaced", None)


# --------------------------------------------------------------------------------------------------
# Step 3: does something listen there, for this source?
# --------------------------------------------------------------------------------------------------


def _listen(c: Config, dest: _Destination, port: int) -> Step:
    ol = c.ollama_listen
    ns_ollama = ollama_namespace(c)
    publish = c.ollama_publish_effective
    published_port = c.ollama_published_port  # -p 11434:11434, or -p 7869:11434
    # how Ollama listens: every listen sentence may name it ("{who}")
    ollama = {"in_container": c.ollama_in_container, "bundled": c.ollama_bundled, "ollama_listen": str(ol),
              "ollama_host": ol.host, "ollama_port": ol.port}

    def step(ok: bool, code: str, **facts: Any) -> Step:
        return _step("listen", ok, code, subject=dest.kind, address=dest.address, port=port, **ollama, **facts)

    def refused(code: str, **facts: Any) -> Step:
        return step(False, code, **facts)

    def listening(code: str, **facts: Any) -> Step:
        return step(True, code, **facts)

    own = engines.listen(c, dest.kind, port, ns_ollama)  # places only Podman and rootless Docker have
    if own is not None:
        return step(own[0], own[1], **own[2])

    def port_mismatch() -> Step | None:
        if port != ol.port:
            return refused("wrong_port")
        return None

    def via_published(listening_code: str, address_ok: bool, loopback_code: str = "published_on_loopback_only",
                      **facts: Any) -> Step | None:
        """A published port of the Ollama container at the host, or None if none applies."""
        if publish == "none":
            return None
        spec = f"-p {published_port}:11434" if publish == "all" else f"-p 127.0.0.1:{published_port}:11434"
        if port != published_port:
            return refused("published_port_differs", published_port=published_port, spec=spec)
        if not address_ok:
            return refused(loopback_code, spec=spec)
        if ol.port != OLLAMA_PORT or not ol.all_addresses:
            return refused("nothing_behind_published_port", spec=spec)
        return listening(listening_code, spec=spec, **facts)

    def on_loopback(code: str, **facts: Any) -> Step:
        """Ollama in the namespace the connection stays in: does it listen on that loopback address?"""
        # localhost is 127.0.0.1 and ::1 (/etc/hosts): the client tries both
        tried = ("127.0.0.1", "::1") if c.parsed_base_url.address.is_named("localhost") else (dest.address,)
        if any(ol.listens_on(t) for t in tried):
            return listening(code, **facts)
        return refused("ollama_not_on_loopback")

    kind = dest.kind
    if kind == "self":
        if port == WEBUI_CONTAINER_PORT:
            return refused("webui_own_port")
        if c.ollama_bundled:  # the :ollama image: start.sh's `ollama serve` in this very container
            return port_mismatch() or on_loopback("listen_bundled")
        return refused("nothing_in_webui_container")
    if c.ollama_bundled and ns_ollama.startswith("net:"):
        return refused("bundled_ollama_not_there")
    if kind == "ollama-container":
        bad = port_mismatch()
        if bad:
            if c.ollama_publish_effective != "none" and port != OLLAMA_PORT and (
                c.ollama_host_port is None or port == c.ollama_published_port
            ):
                return refused("container_port_not_host_port")
            return bad
        if not ol.all_addresses:
            return refused("ollama_container_loopback_only")
        return listening("listen_container_all_addresses")
    if kind == "desktop-host":
        if ns_ollama == HOST and c.ollama == "host":
            bad = port_mismatch()
            if bad:
                return bad
            if not ol.listens_on("127.0.0.1"):
                return refused("mac_ollama_not_on_loopback")
            return listening("listen_mac")
        if ns_ollama == HOST:  # a container on the host network (or bundled in one), Desktop host networking on
            bad = port_mismatch()
            return bad or listening("listen_mac_host_network")
        published = via_published("listen_published_mac", True)
        if published:
            return published
        return refused("mac_no_published_port" if c.ollama_in_container else "mac_nothing_listens")
    if kind in ("host-loopback", "vm-loopback"):
        place = HOST if kind == "host-loopback" else VM
        if ns_ollama == place:
            return port_mismatch() or on_loopback("listen_loopback", place=place)
        if c.ollama_in_container:
            published = via_published("listen_published_loopback", True, place=place)
            if published:
                return published
            return refused("no_published_port_there", place=place)
        return refused("vm_is_not_the_mac")
    if kind == "host-address":
        if ns_ollama == HOST:
            bad = port_mismatch()
            if bad:
                return bad
            if ol.listens_on(dest.address):
                return listening("listen_host_address_all" if ol.all_addresses else "listen_host_address")
            return refused("ollama_not_on_host_address")
        if c.ollama_in_container and publish != "none":
            return via_published("listen_published_host_address", publish == "all",
                                 loopback_code="published_on_loopback_only_host_address")
        return refused("nothing_on_host_address")
    if kind == "docker0":
        place = VM if c.platform == "desktop" else HOST
        if ns_ollama == place:
            bad = port_mismatch()
            if bad:
                return bad
            # Podman's gateway arrives here too: the sentence names its bridge (podman0, 10.88.0.1).
            on = {"bridge": engines.bridge(c), "bridge_name": engines.bridge_name(c)}
            if ol.all_addresses:
                return listening("listen_docker0_all_addresses", **on)
            if ol.listens_on(DOCKER0_ADDRESS):
                return listening("listen_docker0_only")
            return refused("ollama_not_on_docker0", **on)
        if c.ollama_in_container and publish != "none":
            # Seen in the lab (Docker 20.10, default userland-proxy): traffic from any bridge network
            # to a host address skips Docker's DNAT ("-i <bridge> -j RETURN") and docker-proxy,
            # listening on the host, forwards it, so Docker's isolation between bridge networks does
            # not stop it. (With "userland-proxy": false the DNAT applies and isolation drops it:
            # see _isolation_drops_published_port, checked in the route step.)
            return via_published("listen_published_docker0", publish == "all")
        if c.platform == "desktop" and not c.ollama_in_container:
            return refused("docker0_is_in_the_vm")
        return refused("docker0_no_published_port")
    return refused("nothing_known_listens")


# --------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------


def _browser(c: Config) -> Browser:
    blocked = engines.browser_blocked(c)
    if blocked:
        return Browser(f"http://localhost:{WEBUI_CONTAINER_PORT}", False, blocked, c.webui_port)
    if c.webui_host_mode:
        url = f"http://localhost:{WEBUI_CONTAINER_PORT}"
        if webui_namespace(c) == HOST:
            code = "browser_host_network" if c.platform == "linux" else "browser_desktop_host_networking"
            return Browser(url, True, code, c.webui_port)
        return Browser(url, False, "browser_inside_the_vm", c.webui_port)
    return Browser(f"http://localhost:{c.webui_port}", True, "browser_published_port", c.webui_port)


# --------------------------------------------------------------------------------------------------
# Notes: what the docs get wrong, and security
# --------------------------------------------------------------------------------------------------


def _notes(c: Config) -> tuple[Note, ...]:
    url = c.parsed_base_url
    host_ollama = c.ollama == "host"
    listen = c.ollama_listen
    notes = [_note(code, **facts) for code, facts in engines.notes(c)]
    if c.platform == "linux" and c.engine == "docker" and host_ollama and url.host == "host.docker.internal" \
            and c.add_host_gateway:
        if listen.all_addresses:
            notes.append(_note("via_docker_proxy_ollama_on_every_address"))
        elif listen.listens_on(DOCKER0_ADDRESS):
            notes.append(_note("via_docker_proxy_ollama_on_docker0", ollama_bind=c.ollama_bind))
        else:
            notes.append(_note("via_docker_proxy_ollama_not_there"))
    if c.platform == "desktop" and c.webui_host_mode:
        notes.append(_note("desktop_host_networking_versions"))
    if c.platform == "desktop" and url.host == DOCKER0_ADDRESS:
        notes.append(_note("desktop_has_no_docker0"))
    if c.platform == "linux" and host_ollama and listen.host == DOCKER0_ADDRESS:
        notes.append(_note("security_ollama_on_docker0", ollama_bind=c.ollama_bind))
    if host_ollama and listen.all_addresses:
        notes.append(_note("security_ollama_on_every_address"))
    if c.ollama_publish_effective == "all":
        code, facts = engines.published_note(c)
        notes.append(_note(code, **facts))
    if c.api_base_url is not None and c.base_url != "":
        if c.base_url in ("/ollama", IMAGE_DEFAULT_BASE_URL):
            notes.append(_note("api_base_url_ignored_beside_the_image_default",
                               api_base_url=redact_url(c.api_base_url)))
        else:
            notes.append(_note("api_base_url_ignored", api_base_url=redact_url(c.api_base_url),
                               base_url=redact_url(c.base_url)))
    if c.ollama_bundled:
        notes.append(_note("ollama_bundled"))
    if c.stored_url is not None and c.stored_url != c.base_url:
        notes.append(_note("stored_url_wins", stored_url=redact_url(c.stored_url), base_url=redact_url(c.base_url)))
    if c.webui_host_mode and c.webui_port != 3000:
        notes.append(_note("webui_port_ignored_in_host_mode", webui_port=c.webui_port))
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
                steps.append(_step("answer", True, "ollama_answers", subject=dest.kind, address=dest.address,
                                   port=port))
    failing = next((s for s in steps if not s.ok), None)
    outcome = "ok" if failing is None else _OUTCOME_OF_STEP[failing.name]
    return Verdict(
        config=c,
        reachable=failing is None,
        outcome=outcome,
        steps=tuple(steps),
        browser=_browser(c),
        note_data=_notes(c),
        resolved_address=address,
    )
