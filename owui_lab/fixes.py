"""Fixes that the engine has checked: small changes to a broken configuration that make it work.

Rather than a table of advice that can drift from the rules, the kit tries candidate changes (a flag,
an environment variable, a URL, a network) one at a time and then in pairs, keeps those after which
the engine predicts that everything works, and words each as what the learner types.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .catalog import Scenario, as_config
from . import engines
from .config import OLLAMA_PORT, Config
from .engine import evaluate
from .errors import ConfigError

MAX_FIXES = 3


@dataclass(frozen=True)
class Change:
    """One candidate change: the knobs it sets and how a learner makes it."""

    knobs: tuple[tuple[str, Any], ...]
    text: str
    cost: int  # lower is gentler: an env var before a network change before a security trade-off


def _base_url_change(c: Config, host: str, cost: int, why: str = "") -> Change:
    # from the host's side a published container Ollama answers on its host port (-p 7869:11434)
    via_host = host != c.ollama_name or not c.ollama_in_container
    url = f"http://{host}:{c.ollama_published_port if via_host and c.ollama_in_container else OLLAMA_PORT}"
    if c.stored_url is not None:  # the saved URL wins over the variable: change it where it is saved
        return Change((("stored_url", url),), f"in Admin → Settings → Connections, set the Ollama URL to {url}{why}", cost)
    where = "in the compose file's environment" if c.compose else "with -e on Open WebUI's docker run"
    text = f"set OLLAMA_BASE_URL={url} ({where}; or in Admin → Settings → Connections){why}"
    return Change((("base_url", url),), text, cost)


def candidate_changes(c: Config) -> list[Change]:
    """The changes worth trying for this configuration, gentlest first."""
    out: list[Change] = []
    hosts = [engines.host_alias(c), "127.0.0.1"]  # Podman: host.containers.internal, built in
    if c.ollama_in_container:
        hosts.insert(0, c.ollama_name)
    if c.platform == "linux":
        hosts.append(engines.gateway(c))
    current = c.parsed_base_url
    for i, host in enumerate(hosts):
        if host != current.host or current.port != (c.ollama_published_port if host != c.ollama_name else OLLAMA_PORT):
            out.append(_base_url_change(c, host, 10 + i))
    if c.add_host_ip:
        out.append(Change((("add_host_ip", None), ("add_host_gateway", True)),
                          f"write --add-host=host.docker.internal:host-gateway instead of :{c.add_host_ip}", 6))
    elif c.platform == "linux" and not c.add_host_gateway and not engines.podman(c):  # Podman 4.3 refuses it
        text = (
            "add extra_hosts: [\"host.docker.internal:host-gateway\"] to the open-webui service"
            if c.compose
            else "add --add-host=host.docker.internal:host-gateway to Open WebUI's docker run"
        )
        out.append(Change((("add_host_gateway", True),), text, 5))
    listen = c.ollama_listen
    if not listen.all_addresses:
        if c.ollama_in_container:
            text = "let Ollama listen on all addresses in its container: -e OLLAMA_HOST=0.0.0.0:11434"
        elif c.ollama_bundled:  # start.sh's `ollama serve` inherits the container's environment
            text = ("let the bundled Ollama listen on all addresses: -e OLLAMA_HOST=0.0.0.0:11434 on the Open WebUI "
                    "(:ollama) container")
        elif c.platform == "linux":
            text = (
                f"make the Ollama service listen {'beyond loopback' if listen.loopback_only else 'on all addresses'}: "
                "sudo systemctl edit ollama.service, add "
                "[Service] Environment=\"OLLAMA_HOST=0.0.0.0\", then sudo systemctl daemon-reload && "
                "sudo systemctl restart ollama (and firewall port 11434 from the LAN)"
            )
        else:
            text = "make Ollama listen on all addresses: launchctl setenv OLLAMA_HOST 0.0.0.0 (macOS), then restart Ollama"
        out.append(Change((("ollama_bind", "0.0.0.0"),), text, 20))
    if c.ollama_in_container:
        net = c.ollama_network_effective
        if net not in ("bridge", "host") and c.webui_network != net:
            out.append(
                Change(
                    (("webui_network", net),),
                    f"put Open WebUI on Ollama's network: docker network connect {net} open-webui "
                    f"(or --network {net})",
                    30,
                )
            )
        if net == "bridge" or c.webui_network == "bridge":
            shared = "owui"
            out.append(
                Change(
                    (("webui_network", shared), ("ollama_network", shared)),
                    f"put both on one user-defined network: docker network create {shared}, then "
                    f"--network {shared} on both (or run them as one compose stack)",
                    35,
                )
            )
        if c.ollama_publish_effective != "all" and net != "host":
            out.append(
                Change(
                    (("ollama_publish", "all"),),
                    "publish Ollama's port: -p 11434:11434 on the ollama container",
                    40,
                )
            )
    if not c.webui_host_mode:
        out.append(
            Change(
                (("webui_network", "host"),),
                "run Open WebUI with --network=host (the UI moves to http://localhost:8080)",
                45,
            )
        )
    if c.platform == "desktop" and not c.desktop_host_networking and (
        c.webui_host_mode or c.ollama_network_effective == "host"
    ):
        out.append(
            Change(
                (("desktop_host_networking", True),),
                "turn on Docker Desktop 4.34+ Settings → Resources → Network → Enable host networking, then Apply and restart",
                8,
            )
        )
    if c.host_firewall:
        port = c.parsed_base_url.port
        where = "in on docker0" if c.webui_network == "bridge" else "from 172.16.0.0/12 (Docker's bridge networks)"
        out.append(Change((("host_firewall", False),),
                          f"let the host's firewall pass Open WebUI's connections to Ollama: sudo ufw allow {where} "
                          f"to any port {port} proto tcp", 18))
    if c.webui_host_mode:
        out.append(
            Change(
                (("webui_network", "bridge"),),
                f"run Open WebUI on the default bridge with -p {c.webui_port}:8080 instead of --network host",
                25,
            )
        )
    return out


def _apply(c: Config, changes: tuple[Change, ...]) -> Config | None:
    knobs: dict[str, Any] = {}
    for change in changes:
        knobs.update(dict(change.knobs))
    try:
        return c.replace(**knobs)  # keeps every other knob, a knob the fixes never touch included
    except ConfigError:
        return None


def _works(c: Config) -> bool:
    v = evaluate(c)
    return v.reachable and v.browser.reachable


def find_fixes(config: Config | Scenario | str, limit: int = MAX_FIXES) -> list[str]:
    """Up to ``limit`` fixes, each a change (or two) after which everything works, gentlest first.

    Args:
        config: a configuration (or a Scenario, or a seed scenario's id) in which Ollama or Open
            WebUI is not reachable.
        limit: how many fixes to return at most.

    Returns:
        Each fix as what the learner types; two changes are joined with "and".
    """
    return ["; and ".join(ch.text for ch in combo) for combo in fix_changes(config, limit)]


def fix_changes(config: Config | Scenario | str, limit: int = MAX_FIXES) -> list[tuple[Change, ...]]:
    """The fixes as changes (their knobs and words), gentlest first: what ``find_fixes`` words.

    The paste reader (``owui_lab/paste/edit.py``) writes the knobs back into the learner's own command.
    """
    c = as_config(config)
    candidates = candidate_changes(c)
    found: list[tuple[int, tuple[Change, ...]]] = []
    enough: set[Change] = set()  # single changes that work alone: no pair needs them
    for size in (1, 2):
        for combo in combinations(candidates, size):
            if _conflicting(combo) or enough.intersection(combo):
                continue
            fixed = _apply(c, combo)
            if fixed is not None and _works(fixed):
                if size == 1:
                    enough.add(combo[0])
                found.append((sum(ch.cost for ch in combo) + 100 * (size - 1), combo))
        if len(found) >= limit:
            break
    found.sort(key=lambda f: f[0])
    return [combo for _, combo in found[:limit]]


def _conflicting(combo: tuple[Change, ...]) -> bool:
    names = [k for ch in combo for k, _ in ch.knobs]
    return len(names) != len(set(names))
