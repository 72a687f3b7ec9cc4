"""Mermaid text of a configuration, in the C4 style of the Open WebUI docs' "Network Diagrams" page.

The docs draw each scenario as a ``C4Context`` diagram: nested ``Boundary`` blocks for the host
machine, Docker Desktop's VM and the networks, ``Person(user, ...)`` and ``Component`` boxes, and
``Rel`` arrows labelled with the URL. ``mermaid(config)`` writes the same for any configuration,
from the same topology graph the picture uses, so a corrected diagram can be proposed to the docs and
read where no Python runs. A broken connection reads ``✗ <step>: <reason>`` and is styled red.
"""

from __future__ import annotations

import re
from typing import Any

from .config import Config
from .engine import Verdict
from .catalog import as_config
from .graph import BROWSER, HOST_ID, OLLAMA, WEBUI, topology
from .palette import PATH

_INDENT = "   "  # the docs' indentation


def mermaid_id(node: str) -> str:
    """A Mermaid identifier for a graph node (letters, digits and underscores only)."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", node)
    return ident if ident[:1].isalpha() else "n_" + ident


def _quote(text: Any) -> str:
    """A Mermaid string: it has no escape for a double quote, so one becomes a single quote."""
    return '"' + str(text).replace('"', "'").replace("\n", " ") + '"'


def _host_label(config: Config) -> str:
    # The docs' wording, with the engine's platform names.
    return "Hosting Machine - Mac OS/Windows (Docker Desktop)" if config.platform == "desktop" else (
        "Hosting Machine - Linux")


def _describe(g: Any, node: str) -> str:
    d = g.nodes[node]
    if node == WEBUI:
        text = f"container, listening on port {d['port']}"
    else:
        where = ("container" if d["kind"] == "container" else
                 "process inside the Open WebUI container (:ollama image)" if g.graph["config"].ollama_bundled
                 else "native process on the host")
        text = f"{where}, listening on {d['bind']}:{d['port']}"
    port = f"port:{node}"
    if g.has_node(port):
        p = g.nodes[port]
        text += f", published {p['label']}" + (" (loopback only)" if p["loopback_only"] else "")
    return text


def mermaid(config: Config | str, verdict: Verdict | None = None, *, title: str | None = None) -> str:
    """The configuration as Mermaid C4 text, like the docs' diagrams but with the engine's verdict.

    Args:
        config: the deployment (or a seed scenario's id).
        verdict: the engine's verdict, when the caller already has it.
        title: a title line; none when None.

    Returns:
        The Mermaid source, starting with ``C4Context``.
    """
    config = as_config(config)
    g = topology(config, verdict)
    ids = _ids(g)
    lines = ["C4Context"]
    if title:
        lines.append(f"title {title}")

    def block(boundary: str, depth: int) -> None:
        pad = _INDENT * depth
        d = g.nodes[boundary]
        label = _host_label(config) if boundary == HOST_ID else d["label"]
        lines.append(f"{pad}Boundary({ids[boundary]}, {_quote(label)}) {{")
        for child in _members(g, boundary):
            c = g.nodes[child]
            inner = pad + _INDENT
            if c["kind"] == "boundary":
                block(child, depth + 1)
            elif c["kind"] == "person":
                lines.append(f"{inner}Person({ids[child]}, \"User\", {_quote('Browser ' + c['sublabel'])})")
            elif c["kind"] in ("container", "process"):
                lines.append(f"{inner}Component({ids[child]}, {_quote(c['label'])}, {_quote(_describe(g, child))})")
        lines.append(f"{pad}}}")

    block(HOST_ID, 0)

    api = g.edges[WEBUI, OLLAMA]
    if api["reachable"]:
        host = config.parsed_base_url.host
        if host == config.ollama_name and g.nodes[OLLAMA]["kind"] == "container":
            how = "inter-container networking"  # the docs' words for a shared network
        elif host in ("localhost", "127.0.0.1"):
            how = "localhost"
        else:
            how = host
        label = f"✓ Makes API calls via {how}"
    else:
        label = f"✗ {api['failing_step']}: {api['short_reason']}"
    lines.append(f"Rel({ids[WEBUI]}, {ids[OLLAMA]}, {_quote(label)}, {_quote(api['url'])})")
    http = g.edges[BROWSER, WEBUI]
    if http["via"]:
        spec = g.nodes[http["via"]]["spec"]
        label = f"Makes requests via exposed port {spec}"
    else:
        label = "Makes requests via listening port 8080 (host network)"
    if not http["reachable"]:
        label = f"✗ {http['short_reason']}"
    lines.append(f"Rel({ids[BROWSER]}, {ids[WEBUI]}, {_quote(label)}, {_quote(http['url'])})")
    for (a, b), e in (((WEBUI, OLLAMA), api), ((BROWSER, WEBUI), http)):
        color = PATH[e["reachable"]].ink  # the picture's colours; ink, since it colours the label too
        offset = ', $offsetX="-100", $offsetY="-50"' if a == BROWSER else ""
        lines.append(f'UpdateRelStyle({ids[a]}, {ids[b]}, $textColor="{color}", '
                     f'$lineColor="{color}"{offset})')
    return "\n".join(lines) + "\n"


def _members(g: Any, boundary: str) -> list[str]:
    """Members of a boundary in a stable order: the user, Open WebUI's side, then Ollama's."""
    from .graph import chain

    kids = [n for n in g.successors(boundary) if g.edges[boundary, n]["kind"] == "contains"
            and g.nodes[n]["kind"] != "port"]

    def key(n: str) -> tuple[int, str]:
        if n == BROWSER:
            return (0, n)
        if n == WEBUI or (g.nodes[n]["kind"] == "boundary" and n in chain(g, WEBUI)):
            return (1, n)
        return (2, n)

    return sorted(kids, key=key)


def _ids(g: Any) -> dict[str, str]:
    """The docs' identifiers: ``user``, ``openwebui``, ``ollama``, and boundaries ``b0``, ``b1``, ...

    Boundaries are numbered outermost first, Open WebUI's side before Ollama's, as the docs number
    them, so a corrected diagram diffs cleanly against the page.
    """
    out = {BROWSER: "user", WEBUI: "openwebui", OLLAMA: "ollama"}
    for i, node in enumerate(_boundaries_in_order(g)):
        out[node] = f"b{i}"
    for node in g.nodes:  # published ports are written on their container, but get an id too
        out.setdefault(node, mermaid_id(node))
    return out


def _boundaries_in_order(g: Any) -> list[str]:
    order: list[str] = []

    def walk(node: str) -> None:
        order.append(node)
        for child in _members(g, node):
            if g.nodes[child]["kind"] == "boundary":
                walk(child)

    walk(HOST_ID)
    return order
