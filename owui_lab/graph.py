"""The topology of one configuration as a networkx graph: what runs where, and who talks to whom.

The graph is the *description* the pictures are drawn from (``drawing.py`` for matplotlib,
``mermaid.py`` for the docs' C4 text); it holds no coordinates. Nesting follows the engine: a node
sits in the network namespace that ``engine.webui_namespace`` / ``engine.ollama_namespace`` name, so
the picture can never disagree with the verdict about where something lives.

Nodes (attribute ``kind``):

- ``boundary``: ``host`` (the learner's machine), ``vm`` (Docker Desktop's Linux VM, desktop only,
  where every container runs), ``network:bridge`` (the default bridge), ``network:NAME``
  (user-defined), ``network:host`` (the host network: the host's own on Linux, where a native Ollama
  shares it; on Docker Desktop the VM's, shared with your Mac/PC only when Desktop's host networking
  is on). ``subkind`` tells which; ``level`` is the nesting depth (host is 0); network boxes carry
  the engine's ``namespace``.
- ``person``: ``browser``, the learner's browser on the host.
- ``container`` / ``process``: ``open-webui`` (always a container) and ``ollama``.
- ``port``: a published port, drawn on the boundary of its container's network
  (``port:open-webui`` for ``-p 3000:8080``, ``port:ollama`` for ``-p [127.0.0.1:]11434:11434``).

Every non-boundary node and every boundary but ``host`` has ``boundary``: the id of the boundary
that directly contains it; ``contains`` edges say the same for networkx queries.

Edges (attribute ``kind``): ``contains`` (boundary → member), ``publish`` (port → container),
``http`` (browser → Open WebUI) and ``api`` (Open WebUI → Ollama, the base URL). The ``http`` and
``api`` edges carry ``url``, ``port``, ``reachable``, ``verdict`` ("ok" or the engine's outcome),
``boundary`` (the innermost boundary holding both ends), ``crosses`` (boundaries left and entered),
and for a failure ``failing_step``, ``reason``, ``short_reason`` and ``fail_at``: where the ✗
belongs (``source`` for a failed name resolution, which happens inside Open WebUI; ``middle`` for
the route; ``target`` for nothing listening at Ollama's side).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from . import engines
from .catalog import as_config
from .config import ENGINE_TITLES, OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config
from .engine import HOST, VM, Browser, Step, Verdict, evaluate, ollama_namespace, webui_namespace

WEBUI = "open-webui"
OLLAMA = "ollama"
BROWSER = "browser"
HOST_ID = "host"
VM_ID = "vm"
HOST_NETWORK_ID = "network:host"

#: Where the ✗ goes for each failing step, and how far along the edge (0 = Open WebUI, 1 = Ollama).
FAIL_AT = {"resolve": "source", "route": "middle", "listen": "target", "answer": "target"}
FAIL_FRACTION = {"source": 0.18, "middle": 0.5, "target": 0.82}

_NAME_MAX = 22  # network names beyond this are shortened in labels (the graph keeps the full name)


def network_id(name: str) -> str:
    """The node id of a Docker network ("bridge", "host" or a user-defined name)."""
    return f"network:{name}"


def short_name(name: str, limit: int = _NAME_MAX) -> str:
    """A name shortened with an ellipsis so labels keep their size."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def topology(config: Config | str, verdict: Verdict | None = None) -> nx.DiGraph:
    """Build the graph of one configuration.

    Args:
        config: the deployment (or a seed scenario's id).
        verdict: the engine's verdict for it; computed with ``engine.evaluate`` when None.

    Returns:
        A ``networkx.DiGraph`` whose graph attributes are ``config``, ``verdict``, ``platform``,
        ``reachable`` and ``browser_reachable`` (node and edge attributes: see the module docstring).
    """
    config = as_config(config)
    if verdict is None:
        verdict = evaluate(config)
    g = nx.DiGraph(
        config=config,
        verdict=verdict,
        platform=config.platform,
        reachable=verdict.reachable,
        browser_reachable=verdict.browser.reachable,
    )
    desktop = config.platform == "desktop"
    if desktop:
        host_label = "Host machine · macOS / Windows (Docker Desktop)"
    elif config.engine != "docker":
        host_label = f"Host machine · Linux ({ENGINE_TITLES[config.engine]})"
    else:
        host_label = "Host machine · Linux (Docker Engine)"
    g.add_node(HOST_ID, kind="boundary", subkind="host", boundary=None, level=0, label=host_label,
               short=host_label)  # which engine stays said: it spans the picture, so it never widens it
    if desktop:
        vm_label = "Docker Desktop's Linux VM"
        _add_member(g, VM_ID, HOST_ID, kind="boundary", subkind="vm", label=vm_label)

    webui_ns = webui_namespace(config)
    ollama_ns = ollama_namespace(config)
    webui_box = _namespace_boundary(g, config, webui_ns)
    if config.ollama_in_container:
        ollama_box = _namespace_boundary(g, config, ollama_ns)
    elif config.ollama_bundled:  # the :ollama image: a process beside Open WebUI, in its container's network
        ollama_box = webui_box
    elif g.has_node(HOST_NETWORK_ID) and g.nodes[HOST_NETWORK_ID]["boundary"] == HOST_ID:
        # On Linux a native process shares the host's network with --network host containers.
        ollama_box = HOST_NETWORK_ID
    else:
        ollama_box = HOST_ID

    g.add_node(BROWSER, kind="person", boundary=HOST_ID, label="Browser", sublabel=_browser_place(config))
    g.add_edge(HOST_ID, BROWSER, kind="contains")

    _add_member(
        g,
        WEBUI,
        webui_box,
        kind="container",
        label="Open WebUI",
        port=WEBUI_CONTAINER_PORT,
        bind="0.0.0.0",
        namespace=webui_ns,
        sublabel="container (:ollama image)" if config.ollama_bundled else "container",
        listen=f"listens 0.0.0.0:{WEBUI_CONTAINER_PORT}",  # the image's PORT; Uvicorn binds all addresses
    )
    listen = config.ollama_listen
    bind = listen.host or "0.0.0.0"
    _add_member(
        g,
        OLLAMA,
        ollama_box,
        kind="container" if config.ollama_in_container else "process",
        label="Ollama",
        port=listen.port,
        bind=bind,
        namespace=ollama_ns,
        name=config.ollama_name,
        sublabel=("container '" + short_name(config.ollama_name, 14) + "'")
        if config.ollama_in_container
        else "in Open WebUI's container (:ollama)" if config.ollama_bundled
        else "native process",
        listen=f"listens {short_name(bind, 15)}:{listen.port}",
    )

    if not config.webui_host_mode:
        # -p 3000:8080 publishes on every host address; Docker discards -p in host mode.
        _add_member(
            g,
            "port:open-webui",
            webui_box,
            kind="port",
            host_port=config.webui_port,
            container_port=WEBUI_CONTAINER_PORT,
            bind="0.0.0.0",
            loopback_only=False,
            label=f"{config.webui_port}→{WEBUI_CONTAINER_PORT}",
            spec=f"-p {config.webui_port}:{WEBUI_CONTAINER_PORT}",
        )
        g.add_edge("port:open-webui", WEBUI, kind="publish")
    publish = config.ollama_publish_effective
    if publish != "none":
        loopback = publish == "loopback"
        _add_member(
            g,
            "port:ollama",
            ollama_box,
            kind="port",
            host_port=OLLAMA_PORT,
            container_port=OLLAMA_PORT,
            bind="127.0.0.1" if loopback else "0.0.0.0",
            loopback_only=loopback,
            label=f"127.0.0.1:{OLLAMA_PORT}→{OLLAMA_PORT}" if loopback else f"{OLLAMA_PORT}→{OLLAMA_PORT}",
            spec=f"-p 127.0.0.1:{OLLAMA_PORT}:{OLLAMA_PORT}" if loopback else f"-p {OLLAMA_PORT}:{OLLAMA_PORT}",
        )
        g.add_edge("port:ollama", OLLAMA, kind="publish")

    browser = verdict.browser
    g.add_edge(
        BROWSER,
        WEBUI,
        kind="http",
        url=browser.url,
        port=int(browser.url.rsplit(":", 1)[1]),
        via="port:open-webui" if g.has_node("port:open-webui") else None,
        reachable=browser.reachable,
        verdict="ok" if browser.reachable else "unreachable",
        reason=browser.reason,
        short_reason=None if browser.reachable else short_reason(browser),
        failing_step=None if browser.reachable else "route",
        fail_at=None if browser.reachable else "target",
        **_span(g, BROWSER, WEBUI),
    )
    failing = verdict.failing_step
    fail_at = FAIL_AT[failing.name] if failing else None
    g.add_edge(
        WEBUI,
        OLLAMA,
        kind="api",
        url=config.parsed_base_url.url,
        port=config.parsed_base_url.port,
        reachable=verdict.reachable,
        verdict=verdict.outcome,
        failing_step=failing.name if failing else None,
        reason=failing.reason if failing else verdict.steps[-1].reason,
        short_reason=short_reason(failing) if failing else None,
        fail_at=fail_at,
        fail_fraction=FAIL_FRACTION[fail_at] if fail_at else None,
        steps=tuple((s.name, s.ok) for s in verdict.steps),
        **_span(g, WEBUI, OLLAMA),
    )
    return g


# --------------------------------------------------------------------------------------------------
# Queries used by the drawing and the tests
# --------------------------------------------------------------------------------------------------


def chain(g: nx.DiGraph, node: str) -> list[str]:
    """The boundaries around ``node``, outermost first (``host`` ... innermost)."""
    out: list[str] = []
    parent = g.nodes[node].get("boundary")
    while parent is not None:
        out.append(parent)
        parent = g.nodes[parent].get("boundary")
    return out[::-1]


def boundaries(g: nx.DiGraph) -> list[str]:
    """Every boundary node, parents before children (stable order)."""
    found = [n for n, d in g.nodes(data=True) if d["kind"] == "boundary"]
    return sorted(found, key=lambda n: (g.nodes[n]["level"], _order(g, n)))


def _order(g: nx.DiGraph, boundary: str) -> int:
    """Left to right: the box of Open WebUI before Ollama's (edges flow left to right)."""
    for i, member in enumerate((WEBUI, OLLAMA)):
        if boundary in chain(g, member):
            return i
    return 2


# --------------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------------


def short_label(label: str) -> str:
    """A boundary's label without its closing parenthesis ("host network (shared with Mac/PC)" → "host
    network"): what a picture too wide for its canvas prints when its text may not shrink (the projector)."""
    head, _, tail = label.rpartition(" (")
    return head if head and tail.endswith(")") else label


def _add_member(g: nx.DiGraph, node: str, parent: str, **attrs: Any) -> None:
    level = g.nodes[parent]["level"] + 1
    if attrs.get("kind") == "boundary":
        attrs["level"] = level
        attrs.setdefault("short", short_label(attrs["label"]))
    g.add_node(node, boundary=parent, **attrs)
    g.add_edge(parent, node, kind="contains")


#: The box of a rootless engine's own network namespace, where its networks (and rootless Docker's docker0
#: and host network) live: drawn like Docker Desktop's VM, a place inside the host that is not the host.
ENGINE_NS_ID = "engine-namespace"


def _engine_namespace(g: nx.DiGraph, c: Config) -> str:
    """The parent of a bridged network: the host, or a rootless engine's own namespace (created on first use)."""
    if c.engine not in ("docker-rootless", "podman-rootless"):
        return HOST_ID
    if not g.has_node(ENGINE_NS_ID):
        whose = "rootlesskit" if c.engine == "docker-rootless" else "rootless Podman"
        label = f"{whose}'s network namespace" + (" (docker0 is here)" if c.engine == "docker-rootless" else "")
        _add_member(g, ENGINE_NS_ID, HOST_ID, kind="boundary", subkind="vm", label=label,
                    short=f"{whose}'s namespace")
    return ENGINE_NS_ID


def _namespace_boundary(g: nx.DiGraph, c: Config, ns: str) -> str:
    """The network box for a container in namespace ``ns``, created on first use."""
    desktop = c.platform == "desktop"
    if ns in (HOST, VM):
        node = HOST_NETWORK_ID
        if not g.has_node(node):
            # On Docker Desktop every container runs in the VM; with its host networking on, the VM
            # forwards to and from your Mac/PC, so the engine counts it as the host's network.
            if ns == VM:
                label = "host network (the VM's)"
                parent = VM_ID
            elif desktop:
                label = "host network (shared with Mac/PC)"
                parent = VM_ID
            else:
                label = "host network (--network host)"
                parent = HOST_ID
            _add_member(g, node, parent, kind="boundary", subkind="host-network", namespace=ns,
                        network="host", label=label)
        return node
    if ns == engines.ROOTLESSKIT:  # rootless Docker's --network host: rootlesskit's namespace, not the host's
        node = HOST_NETWORK_ID
        if not g.has_node(node):
            _add_member(g, node, _engine_namespace(g, c), kind="boundary", subkind="host-network", namespace=ns,
                        network="host", label="host network (rootlesskit's)")
        return node
    name = ns.split(":", 1)[1]
    node = network_id(name)
    if not g.has_node(node):
        if name == "bridge":
            subkind, label = "bridge", "default bridge (no DNS for names)"
        else:
            subkind = "user-defined"
            prefix = "compose network" if c.compose and c.shared_network == name else "network"
            label = f"{prefix} '{short_name(name)}'"
        _add_member(g, node, VM_ID if desktop else _engine_namespace(g, c), kind="boundary", subkind=subkind,
                    namespace=ns, network=name, label=label)
    return node


def _span(g: nx.DiGraph, a: str, b: str) -> dict[str, Any]:
    ca, cb = chain(g, a), chain(g, b)
    common = 0
    while common < min(len(ca), len(cb)) and ca[common] == cb[common]:
        common += 1
    return {"boundary": ca[common - 1], "crosses": tuple(ca[common:][::-1] + cb[common:])}


def _browser_place(c: Config) -> str:
    return "on your Mac/PC" if c.platform == "desktop" else "on the host"


#: A failing step's reason in a few words, for a label on the picture, keyed by the engine's reason code
#: (``reasons.REASONS`` holds the full sentence). Fields as in ``reasons``; names are shortened to 18 characters.
LABELS: dict[str, str] = {
    "host_docker_internal_unknown_on_linux": "host.docker.internal unknown: Docker Engine, no --add-host",
    "name_unknown_to_host_resolver": "'{subject}' unknown to the host's resolver",
    "name_on_default_bridge": "'{subject}': the default bridge has no DNS",
    "name_on_host_network": "'{subject}' is on the host network: no DNS name",
    "name_across_networks": "'{subject}': names never resolve across networks",
    "name_unknown": "'{subject}' is not a known name here",
    "name_unknown_not_ollama": "'{subject}' is not a known name here",
    "isolation_drops_published_port": "dropped between bridge networks",
    "host_firewall_drops": "the host's firewall drops it",
    "address_unplaced": "{address} does not lead to Ollama",
    "wrong_port": "Ollama listens on port {ollama_port}, not {port}",
    "published_port_differs": "published port is {published_port}, not {port}",
    "published_on_loopback_only": "port published on loopback only",
    "nothing_behind_published_port": "nothing listens behind the published port",
    "webui_own_port": "that is Open WebUI itself, not Ollama",
    "nothing_in_webui_container": "localhost is the Open WebUI container",
    "bundled_ollama_not_there": "Ollama is bundled in Open WebUI, not there",
    "container_port_not_host_port": "containers talk to port {ollama_port}, not the host port",
    "ollama_container_loopback_only": "Ollama listens on {ollama_host} in its container",
    "mac_ollama_not_on_loopback": "Ollama on {ollama_host} is not on your Mac/PC's loopback",
    "mac_no_published_port": "the Ollama container publishes no port",
    "mac_nothing_listens": "nothing listens there on your Mac/PC",
    "ollama_not_on_loopback": "Ollama listens on {ollama_host}, not on loopback",
    "no_published_port_there": "the Ollama container publishes no port",
    "vm_is_not_the_mac": "that is the VM; Ollama is on your Mac/PC",
    "ollama_not_on_docker0": "Ollama on {ollama_host} refuses connections via {bridge_name}",
    "docker0_is_in_the_vm": "172.17.0.1 is in the VM, not your Mac/PC",
    "docker0_no_published_port": "the Ollama container publishes no port",
    "nothing_known_listens": "nothing known listens there",
    "host_address_on_desktop_not_recorded": "{address} on Docker Desktop: not recorded",
    "published_on_loopback_only_host_address": "port published on loopback only",
    "ollama_not_on_host_address": "Ollama on {ollama_host} refuses the host's address",
    "nothing_on_host_address": "nothing listens at {address}",
    # Podman and rootless Docker (engines.py)
    "podman_refuses_host_gateway": "Podman 4.3 refuses host-gateway",
    "host_docker_internal_on_podman": "host.docker.internal unknown on Podman",
    "host_containers_internal_not_podman": "host.containers.internal is Podman's name",
    "docker0_on_podman": "{address} is Docker's docker0, not Podman's",
    "nothing_answers_elsewhere": "nothing of this setup answers there",
    "ollama_not_on_host_lan": "Ollama on {ollama_host}, not the host's LAN address",
    "published_port_not_11434": "published port is 11434, not {port}",
    "published_on_loopback_not_lan": "port published on loopback only",
    "no_published_port_on_host": "the Ollama container publishes no port",
    "published_on_loopback_short": "port published on loopback only",
    "host_not_in_podman_namespace": "nothing of the host listens in Podman's namespace",
    "ollama_publishes_no_port": "the Ollama container publishes no port",
    "ollama_not_on_rootlesskit": "Ollama listens on {ollama_host} in rootlesskit's namespace",
    "host_ollama_outside_rootlesskit": "a host Ollama is outside rootlesskit's namespace",
    "rootlesskit_forwards_on_host": "rootlesskit forwards it on the host only",
    "published_on_loopback_rootlesskit": "port published on loopback only",
    # the browser
    "browser_inside_the_vm": "Open WebUI listens inside the VM (host networking off)",
    "browser_rootlesskit_host_network": "the browser cannot reach Open WebUI",
}


def short_reason(step: Step | Browser) -> str:
    """A failing step's (or the browser's) reason in a few words, for a label on the picture.

    Args:
        step: a failing step of the engine's verdict, or its browser.

    Returns:
        At most about 50 characters; the full reason stays in the graph's ``reason`` attribute.
    """
    fields = step.fields if isinstance(step, Step) else {}
    return LABELS[step.code].format(**{k: short_name(v, 18) if isinstance(v, str) else v for k, v in fields.items()})
