"""The doctor's live part: fetch the payloads, and look at what really answers.

Everything here only reads: it lists and inspects containers, copies Open WebUI's ``webui.db`` out
(``docker cp``, into a private temporary directory removed at once), asks HTTP questions, and runs the
stand-in Open WebUI's probe in a short-lived container joined to the learner's Open WebUI network
namespace (labelled with the kit's labels and removed at once). Every Docker call goes through
``docker_api``. It never starts, stops, changes or removes a learner's container.

Where it sends traffic: the host's loopback (127.0.0.1), the docker0 address 172.17.0.1 (only on a
local Linux engine whose default bridge has that gateway), the addresses of containers found on a
local Linux engine, and, from inside Open WebUI's namespace, the base URLs Open WebUI itself uses; with
a token (or ``--sign-in`` on an instance without login) Open WebUI's own port on loopback, ``/ollama/config``.
"""

from __future__ import annotations

import http.client
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from ..config import DOCKER0_ADDRESS
from ..docker_api import DaemonInfo
from ..errors import OwuiLabError
from .savedurl import SavedUrls, database_path, from_ollama_config, read_config_json, read_database
from .inspect import (
    OLLAMA_PORT,
    ContainerFacts,
    HostOllama,
    parse_container,
)
from .. import docker_api

HTTP_TIMEOUT = 0.8  # seconds for a host-side HTTP question (loopback and local bridges answer in ms)


@dataclass
class Snapshot:
    """What the doctor collected from the daemon.

    Attributes:
        daemon: the daemon's facts.
        containers: the containers looked at (inspected), the kit's own lab containers left out.
        skipped_lab: how many of the kit's own lab containers were left out.
        missing: names or ids asked for that matched no container.
        published: (host port, container name, host ip) of every running container's published ports,
            so an answer on a host port can be attributed to a container.
        docker0: the default bridge's gateway, when known.
        focus: ids of the containers the learner named (None: all); the others are still looked at.
    """

    daemon: DaemonInfo
    containers: list[ContainerFacts] = field(default_factory=list)
    skipped_lab: int = 0
    missing: list[str] = field(default_factory=list)
    published: list[tuple[int, str, str]] = field(default_factory=list)
    docker0: str | None = DOCKER0_ADDRESS
    focus: frozenset[str] | None = None


def collect(cli: Any, containers: Sequence[str] | None = None, include_lab: bool = False) -> Snapshot:
    """List and inspect the containers to examine.

    Args:
        cli: a connected ``docker.DockerClient``.
        containers: names or ids (a unique id prefix is enough) to examine; None means all.
        include_lab: also examine the kit's own lab containers (label ``io.owui-lab.managed``).

    Returns:
        The snapshot.
    """
    daemon = docker_api.doctor_daemon(cli)
    listed = docker_api.list_all_containers(cli)
    published: list[tuple[int, str, str]] = []
    for entry in listed:
        name = ((entry.get("Names") or ["/?"])[0] or "/?").lstrip("/")
        if str(entry.get("State", "")) != "running":
            continue
        for p in entry.get("Ports") or []:
            if p.get("PublicPort") and p.get("PrivatePort"):
                published.append((int(p["PublicPort"]), name, str(p.get("IP") or "")))
    # Naming containers narrows what is diagnosed, not what is looked at: every container is
    # inspected, so the Ollama a named Open WebUI's URL leads to is found wherever it runs.
    chosen = []
    skipped = 0
    missing = []
    focus: set[str] | None = None
    if containers is not None:
        focus = set()
        for key in containers:
            hits = [
                e
                for e in listed
                if key in [n.lstrip("/") for n in (e.get("Names") or [])] or (key and str(e.get("Id", "")).startswith(key))
            ]
            if len(hits) != 1:
                missing.append(key)
            else:
                focus.add(str(hits[0]["Id"]))
    for e in listed:
        if not include_lab and (e.get("Labels") or {}).get(docker_api.LABEL_MANAGED) == "true" and not (
            focus and str(e.get("Id")) in focus
        ):
            skipped += 1
            continue
        chosen.append(e)
    ids = list(dict.fromkeys(str(e["Id"]) for e in chosen))

    facts = [parse_container(p) for p in docker_api.inspect_containers(cli, ids)]
    docker0 = daemon.docker0 if daemon.platform == "linux" else None
    if daemon.local and daemon.platform == "linux":
        daemon = replace(daemon, host_addresses=host_addresses())
    return Snapshot(daemon=daemon, containers=facts, skipped_lab=skipped, missing=missing, published=published,
                    docker0=docker0, focus=frozenset(focus) if focus is not None else None)


# --------------------------------------------------------------------------------------------------
# HTTP questions from the host
# --------------------------------------------------------------------------------------------------


def http_get(address: str, port: int, path: str = "/", timeout: float = HTTP_TIMEOUT) -> tuple[int, str] | None:
    """``GET http://address:port/path``; (status, body text) or None when nothing answered."""
    conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "*/*"})
        response = conn.getresponse()
        return response.status, response.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def ollama_answers(address: str, port: int, timeout: float = HTTP_TIMEOUT) -> bool:
    answer = http_get(address, port, "/", timeout)
    return bool(answer and answer[0] == 200 and "Ollama is running" in answer[1])


def _version(address: str, port: int) -> str:
    answer = http_get(address, port, "/api/version")
    if answer and answer[0] == 200:
        try:
            return str(json.loads(answer[1]).get("version", ""))
        except (ValueError, AttributeError):
            return ""
    return ""


def observe_host_ollama(snapshot: Snapshot, port: int = OLLAMA_PORT) -> HostOllama:
    """Ask the host's port ``port`` on 127.0.0.1 and, on a local Linux engine, on docker0 172.17.0.1.

    Answering on both means Ollama listens on all addresses (``OLLAMA_HOST=0.0.0.0``); on loopback
    only, ``127.0.0.1`` (the service's default). Only those two addresses are ever asked. When a
    container publishes that port, the answer is the container's, not a native Ollama's.
    """
    daemon = snapshot.daemon
    if not daemon.local:
        return HostOllama(port=port, loopback=None, docker0=None)
    ask_docker0 = daemon.platform == "linux" and snapshot.docker0 == DOCKER0_ADDRESS and not daemon.rootless
    targets = ["127.0.0.1"] + ([DOCKER0_ADDRESS] if ask_docker0 else [])
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(zip(targets, pool.map(lambda a: ollama_answers(a, port), targets)))
    owner = next((name for p, name, _ in snapshot.published if p == port), "")
    if not owner:
        owner = next(
            (c.name for c in snapshot.containers if c.running and c.host_mode and "ollama" in c.image.lower()),
            "",
        )
    loopback = answers.get("127.0.0.1")
    version = _version("127.0.0.1", port) if loopback else ""
    return HostOllama(
        port=port,
        loopback=loopback,
        docker0=answers.get(DOCKER0_ADDRESS) if ask_docker0 else None,
        container=owner if (loopback or answers.get(DOCKER0_ADDRESS)) else "",
        version=version,
    )


def observe_container_ollamas(snapshot: Snapshot, candidates: Sequence[ContainerFacts]) -> dict[str, bool]:
    """Ask each candidate container's own address, port 11434, whether Ollama is running there.

    Only on a local, rootful Linux engine, where the host routes to container addresses; elsewhere
    (Docker Desktop, rootless, a remote daemon) nothing is asked and the result is empty.
    """
    daemon = snapshot.daemon
    if daemon.platform != "linux" or not daemon.local or daemon.rootless or daemon.podman:
        return {}
    jobs = []
    for c in candidates:
        if not c.running:
            continue
        address = "127.0.0.1" if c.host_mode else next((a.ip for a in c.networks if a.ip), "")
        if address and not c.host_mode:
            jobs.append((c.name, address))
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(jobs)))) as pool:
        results = list(pool.map(lambda job: ollama_answers(job[1], OLLAMA_PORT), jobs))
    return {name: ok for (name, _), ok in zip(jobs, results)}


def observe_browser(url_host: str, port: int) -> tuple[bool, str]:
    """Open Open WebUI's page from the host, as the learner's browser would."""
    answer = http_get(url_host, port, "/", timeout=1.5)
    if answer is None:
        return False, f"nothing answers at http://localhost:{port} from this machine"
    return answer[0] < 500, f"http://localhost:{port} answers (HTTP {answer[0]})"


# --------------------------------------------------------------------------------------------------
# From inside Open WebUI's namespace
# --------------------------------------------------------------------------------------------------


def probe_urls(cli: Any, webui: ContainerFacts, urls: Sequence[str], timeout: float = 3.0) -> tuple[list[dict[str, Any]], str]:
    """Ask each URL's ``/api/version`` from inside the Open WebUI container's network namespace.

    The probe itself (a labelled container joined to the namespace, or ``docker exec``) is
    ``docker_api.doctor_probe``'s.

    Returns:
        The probe's results (url, outcome, detail, seconds) and how they were obtained.
    """
    return docker_api.doctor_probe(cli, webui.id, webui.name, urls, timeout)


def firewall_hint() -> str:
    """A hint that a host firewall is on (ufw, firewalld), read from files only; "" when none."""
    try:
        with open("/etc/ufw/ufw.conf", encoding="utf-8") as fh:
            if any(line.strip().upper() == "ENABLED=YES" for line in fh):
                return "ufw is enabled"
    except OSError:
        pass
    if os.path.exists("/var/run/firewalld.pid") or os.path.exists("/run/firewalld.pid"):
        return "firewalld is running"
    return ""


def host_addresses(path: str = "/proc/net/fib_trie") -> frozenset[str]:
    """This machine's own IPv4 addresses (read from the kernel's table, no traffic), loopback left out.

    A base URL naming one of them (a LAN address such as 192.168.1.10) leads to the host, like
    docker0 does. Empty when the table cannot be read (not Linux).
    """
    found: set[str] = set()
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            previous = ""
            for line in fh:
                text = line.strip()
                if text.startswith("/32 host LOCAL") and previous:
                    found.add(previous)
                if text.startswith("|-- "):
                    previous = text[4:].strip()
    except OSError:
        return frozenset()
    return frozenset(a for a in found if not a.startswith("127."))


# --------------------------------------------------------------------------------------------------
# What Open WebUI saved: its database, read from a private copy (never in place, never written)
# --------------------------------------------------------------------------------------------------


def _data_place(webui: ContainerFacts, path: str) -> str:
    """Where ``path`` lies for the learner: "volume 'open-webui'", "folder /srv/owui", or the container."""
    best = None
    for m in webui.mounts:
        dest = m.destination.rstrip("/") or "/"
        if (path == dest or path.startswith(dest + "/")) and (best is None or len(dest) > len(best.destination)):
            best = m
    if best is None:
        return f"{path} inside the container (no volume: removing the container loses it)"
    if best.type == "volume":
        return f"{path.rsplit('/', 1)[-1]} in volume '{best.name or best.source}'"
    return f"{path.rsplit('/', 1)[-1]} in folder {best.source}"


def read_saved_urls(cli: Any, webui: ContainerFacts) -> SavedUrls:
    """Read the Ollama URLs Open WebUI saved, from a private read-only copy of its database.

    ``docker cp`` (``docker_api.copy_file_from_container``) copies ``webui.db`` and its ``-wal`` file
    out of the container, running or not, through its volume or bind mount, into a private temporary
    directory removed at once; SQLite reads the copy. Nothing of the learner's is opened in place.
    Every failure is one sentence in the result, never an exception.
    """
    import tempfile


    path, unreadable = database_path(webui.env)
    if unreadable:
        return SavedUrls(problem=unreadable)
    where = _data_place(webui, path)
    try:
        with tempfile.TemporaryDirectory(prefix="owui-doctor-") as private:
            copy = docker_api.copy_file_from_container(cli, webui.id, path, private)
            if copy is None:
                legacy = docker_api.copy_file_from_container(cli, webui.id, path.rsplit("/", 1)[0] + "/config.json", private)
                if legacy is not None:
                    return read_config_json(legacy).with_where(where.replace("webui.db", "config.json"))
                return SavedUrls(pending=True, where=where, source="database",
                                 problem="there is no database yet (Open WebUI has not finished a first start with this data)")
            docker_api.copy_file_from_container(cli, webui.id, path + "-wal", private)
            return read_database(copy).with_where(where)
    except OwuiLabError as exc:
        return SavedUrls(where=where, problem=f"its database could not be copied: {exc.message.rstrip('.')}")
    except OSError as exc:
        return SavedUrls(where=where, problem=f"its database could not be copied here ({exc.strerror or exc})")


def ask_open_webui(address: str, port: int, token: str, timeout: float = 3.0) -> SavedUrls:
    """Ask Open WebUI itself which Ollama URLs it uses: ``GET /ollama/config`` with an admin token."""
    conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request("GET", "/ollama/config", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        response = conn.getresponse()
        body = response.read(1 << 20).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        return SavedUrls(source="Open WebUI", problem=f"Open WebUI did not answer /ollama/config ({exc.__class__.__name__})")
    finally:
        conn.close()
    if response.status in (401, 403):
        return SavedUrls(source="Open WebUI", problem="Open WebUI refused the token for /ollama/config (it needs an admin's)")
    if response.status != 200:
        return SavedUrls(source="Open WebUI", problem=f"Open WebUI answered /ollama/config with HTTP {response.status}")
    try:
        return from_ollama_config(json.loads(body))
    except ValueError:
        return SavedUrls(source="Open WebUI", problem="Open WebUI's /ollama/config answer is not JSON")


def sign_in_open_instance(address: str, port: int, timeout: float = 3.0) -> str:
    """A token from an Open WebUI that runs without login (``WEBUI_AUTH=False``), as its own page gets one; "" if not."""
    conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/auths/signin", body=json.dumps({"email": "", "password": ""}),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read(1 << 16).decode("utf-8", "replace")) if response.status == 200 else {}
    except (OSError, http.client.HTTPException, ValueError):
        return ""
    finally:
        conn.close()
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) else ""
