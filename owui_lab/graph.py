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

import re
from typing import Any

import networkx as nx

from . import engines
from .catalog import as_config
from .config import ENGINE_TITLES, OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config
from .engine import HOST, VM, Step, Verdict, evaluate, ollama_namespace, webui_namespace

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
    g.add_node(HOST_ID, kind="boundary", subkind="host", boundary=None, level=0, label=host_label)
    if desktop:
        vm_label = "Docker Desktop's Linux VM"
        _add_member(g, VM_ID, HOST_ID, kind="boundary", subkind="vm", label=vm_label)

    webui_ns = webui_namespace(config)
    ollama_ns = ollama_namespace(config)
    webui_box = _namespace_boundary(g, config, webui_ns)
    if config.ollama_in_container:
        ollama_box = _namespace_boundary(g, config, ollama_ns)
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
        sublabel="container",
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
        short_reason=None if browser.reachable else _short_browser_reason(config),
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


def _add_member(g: nx.DiGraph, node: str, parent: str, **attrs: Any) -> None:
    level = g.nodes[parent]["level"] + 1
    if attrs.get("kind") == "boundary":
        attrs["level"] = level
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
        label = ("rootlesskit's network namespace (docker0 is here)" if c.engine == "docker-rootless"
                 else "rootless Podman's network namespace")
        _add_member(g, ENGINE_NS_ID, HOST_ID, kind="boundary", subkind="vm", label=label)
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


def _short_browser_reason(c: Config) -> str:
    if c.platform == "desktop" and c.webui_host_mode:
        return "Open WebUI listens inside the VM (host networking off)"
    return "the browser cannot reach Open WebUI"


# The engine's reasons are sentences; the picture needs a few words. Each pattern matches one of the
# engine's reason templates; anything unmatched falls back to its first clause.
_SHORT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"host\.docker\.internal is unknown on Linux"), "host.docker.internal unknown on Linux (no --add-host)"),
    (re.compile(r"^'([^']+)' does not resolve: a host-network container uses the host's resolver"),
     "'{0}' unknown to the host's resolver"),
    (re.compile(r"^'([^']+)' does not resolve: the default bridge network has no DNS"),
     "'{0}': the default bridge has no DNS"),
    (re.compile(r"^'([^']+)' does not resolve: '[^']+' runs on the host network"),
     "'{0}' is on the host network: no DNS name"),
    (re.compile(r"^'([^']+)' does not resolve: names never resolve across networks"),
     "'{0}': names never resolve across networks"),
    (re.compile(r"^'([^']+)' is not a name Docker's DNS"), "'{0}' is not a known name here"),
    (re.compile(r"isolation rules"), "dropped between bridge networks"),
    (re.compile(r"^(\S+) is not an address the kit can place"), "{0} does not lead to Ollama"),
    (re.compile(r"listens on port (\d+), not (\d+)"), "Ollama listens on port {0}, not {1}"),
    (re.compile(r"the published port is (\d+) \([^)]*\), not (\d+)"), "published port is {0}, not {1}"),
    (re.compile(r"listens on the host's loopback only"), "port published on loopback only"),
    (re.compile(r"forwards to port \d+ in the container, where"), "nothing listens behind the published port"),
    (re.compile(r"that is Open WebUI's own port"), "that is Open WebUI itself, not Ollama"),
    (re.compile(r"nothing listens on port \d+ inside the Open WebUI container"),
     "localhost is the Open WebUI container"),
    (re.compile(r"container-to-container traffic uses the container port (\d+)"),
     "containers talk to port {0}, not the host port"),
    (re.compile(r"listens on (\S+) inside its container"), "Ollama listens on {0} in its container"),
    (re.compile(r"nothing listens on your Mac/PC at that port: the Ollama container publishes no port"),
     "the Ollama container publishes no port"),
    (re.compile(r"nothing listens on your Mac/PC"), "nothing listens there on your Mac/PC"),
    (re.compile(r"listens on (\S+) only, not on loopback"), "Ollama listens on {0}, not on loopback"),
    (re.compile(r"publishes no port"), "the Ollama container publishes no port"),
    (re.compile(r"Ollama runs on your Mac/PC, outside the VM"), "that is the VM; Ollama is on your Mac/PC"),
    (re.compile(r"listens on (\S+) only; a connection arriving on docker0"),
     "Ollama on {0} refuses connections via docker0"),
    (re.compile(r"not in the VM where 172\.17\.0\.1 leads"), "172.17.0.1 is in the VM, not your Mac/PC"),
]


def short_reason(step: Step) -> str:
    """A failing step's reason in a few words, for a label on the picture.

    Args:
        step: a failing step of the engine's verdict.

    Returns:
        At most about 50 characters; the full reason stays in the graph's ``reason`` attribute.
    """
    for pattern, text in _SHORT:
        m = pattern.search(step.reason)
        if m:
            return text.format(*(short_name(x, 18) for x in m.groups()))
    first = re.split(r"[:;(]| → ", step.reason, maxsplit=1)[0].strip()
    return first if len(first) <= 50 else first[:49] + "…"
