"""The truth grid: many configurations run for real on this daemon, recorded to check the engine.

``owui-lab lab grid`` picks the grid for the daemon it finds (a Linux Docker Engine runs the Linux
grid, Docker Desktop the Desktop grid with its host-networking setting), tells how long it will take,
runs every configuration in the lab with a progress bar and writes a recording (``owui_lab.truth``):
the platform's facts and, for each configuration, its knobs, the engine's prediction and the
observation. Ctrl-C stops it cleanly: the setups running finish and are removed, nothing else starts,
and what ran so far is written as a recording that says it is partial.

It is fast because setups are shared: one ``Lab`` per Ollama placement holds one Open WebUI container
per (network, add-host) pair, and each of those probes all its URLs at once; three setups run at a
time.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import itertools
import math
import os
import signal
import socket
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from .. import docker_api, engines
from ..config import Config
from ..engine import evaluate
from ..errors import LabError, OwuiLabError, PlatformMismatch
from ..truth import CONTRIBUTE, PlatformFacts, Recording, Redactor, check, entry_for, parse_recording, platform_facts
from . import firewall as firewall_rules
from .live import Lab
from .results import Observation, agrees

URL_HOSTS = ("localhost", "127.0.0.1", "host.docker.internal", "ollama", "172.17.0.1")
#: The other engines: Podman's own host name and gateway, and the name each must not know.
ENGINE_URL_HOSTS = {
    "docker-rootless": URL_HOSTS + ("host.containers.internal",),
    "podman-rootful": ("localhost", "127.0.0.1", "host.docker.internal", "host.containers.internal", "ollama",
                       engines.PODMAN_GATEWAY),
}
ENGINE_URL_HOSTS["podman-rootless"] = ENGINE_URL_HOSTS["podman-rootful"]
#: URL hosts whose outcome depends on the machine's state rather than on the knobs, left out of the quick
#: grid (the full grid keeps them, and its recording says under which state it was made): from rootless
#: Podman's containers 10.88.0.1 is looked up on the host's network, where it is rootful Podman's podman0
#: while that bridge is up (its address answers) and an address off the machine otherwise.
STATE_DEPENDENT_HOSTS = {"podman-rootless": (engines.PODMAN_GATEWAY,)}
WEBUI_NETWORKS = ("bridge", "host", "lab-a", "lab-b")  # lab-a: Ollama's own user-defined network
SHARED = "lab-a"
SETUPS_AT_ONCE = 3
PROBE_TIMEOUT = 3.0
# One round of three setups (an Ollama placement with its Open WebUI containers each: up, probed,
# down), measured on a shared 2-core Linux machine with Docker 20.10 (bench/bench_grid.py: 480
# configurations in about 55 s). Each machine prints its own estimate from it before it starts.
SECONDS_PER_ROUND = 14.0
SECONDS_TO_START = 2.0
GRIDS = ("linux", "desktop", "small")


@dataclass(frozen=True)
class Grid:
    """A grid: configurations in families that share one Ollama placement (one setup each)."""

    name: str
    platform: str
    families: tuple[tuple[Config, ...], ...]

    @property
    def count(self) -> int:
        return sum(len(f) for f in self.families)

    @property
    def configs(self) -> list[Config]:
        return [c for f in self.families for c in f]

    def estimate(self) -> float:
        """Seconds it should take: setups run three at a time."""
        return SECONDS_TO_START + math.ceil(len(self.families) / SETUPS_AT_ONCE) * SECONDS_PER_ROUND

    def plan(self) -> list[str]:
        """What it will create, one line per setup (the learner reads it before it starts)."""
        lines = []
        for family in self.families:
            c = family[0]
            if c.ollama_in_container:
                where = f"an Ollama container on {c.ollama_network_effective}"
                if c.ollama_network_effective != "host":
                    where += f", published {c.ollama_publish_effective}"
            else:
                where = "an Ollama process on this host"
            if c.ollama_bind:
                where += f", OLLAMA_HOST={c.ollama_bind}"
            if c.ollama_host_port:
                where += f", on host port {c.ollama_host_port}"
            if c.host_address:
                where += "; an address of the host of the lab's own"
            if c.host_firewall:
                where += "; an iptables rule of the lab's own playing a host firewall"
            webuis = len({(x.webui_network, x.add_host_gateway, x.add_host_ip, x.stored_url) for x in family})
            lines.append(f"{where}; {webuis} Open WebUI containers; {len(family)} configurations")
        return lines


def _ollama_placements(platform: str) -> list[list[dict[str, Any]]]:
    """Each entry: the Ollama knobs of one family (configurations sharing one Ollama)."""
    out: list[list[dict[str, Any]]] = [
        [{"ollama": "host", "ollama_bind": "127.0.0.1"}],
        [{"ollama": "host", "ollama_bind": "0.0.0.0"}],
    ]
    for network in ("bridge", SHARED):
        for publish in ("none", "all", "loopback"):
            out.append([{"ollama": "container", "ollama_network": network, "ollama_publish": publish}])
    # Docker discards -p in host mode: the three publish values are one placement.
    out.append([{"ollama": "container", "ollama_network": "host", "ollama_publish": p} for p in ("none", "all", "loopback")])
    # A container Ollama told to listen on its own loopback: published or not, nobody else gets in.
    out.append([{"ollama": "container", "ollama_network": SHARED, "ollama_publish": "all", "ollama_bind": "127.0.0.1"}])
    return out


def _family(platform: str, ollama_variants: Sequence[dict[str, Any]], networks: Sequence[str] = WEBUI_NETWORKS,
            hosts: Sequence[str] | None = None, engine: str = "docker") -> tuple[Config, ...]:
    hosts = hosts or ENGINE_URL_HOSTS.get(engine, URL_HOSTS)
    return tuple(
        Config(platform=platform, engine=engine, webui_network=network, add_host_gateway=add_host,
               base_url=f"http://{host}:11434", **knobs)
        for knobs, network, add_host, host in itertools.product(ollama_variants, networks, (False, True), hosts)
    )


#: The host's own address in the setups from real reports (the lab plays it with an address of its own).
HOST_ADDRESS = "192.168.1.20"
OTHER_HOST_PORT = 7869  # -p 7869:11434, as in a real report


def _setup(ollama: dict[str, Any], webuis: Sequence[dict[str, Any]], urls: Sequence[str]) -> tuple[Config, ...]:
    """One setup from real reports: an Ollama placement, Open WebUI variants, each with every URL."""
    out = []
    for webui, url in itertools.product(webuis, urls):
        knobs = {"base_url": url, **ollama, **webui}
        out.append(Config(**knobs))
    return tuple(dict.fromkeys(out))


def _webuis(networks: Sequence[str], hosts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"webui_network": n, **h} for n in networks for h in hosts]


def report_setups(firewall: bool | None = None) -> tuple[tuple[Config, ...], ...]:
    """The setups real reports need, on Docker Engine (issue 26): Ollama published on another host port,
    --add-host to a given IP, a base URL at the host's own address, the URL Open WebUI saved, and a host
    firewall between the containers' bridges and the host (only where the lab can play one: root and
    iptables; ``firewall`` None asks this machine)."""
    if firewall is None:
        firewall = firewall_rules.problem() is None
    gateway = [{}, {"add_host_gateway": True}]
    to_ip = [{"add_host_ip": ip} for ip in ("172.17.0.1", "127.0.0.1", HOST_ADDRESS)]
    at_host = ["http://host.docker.internal:11434", f"http://{HOST_ADDRESS}:11434", "http://172.17.0.1:11434"]
    host_ollama = {"ollama": "host", "host_address": HOST_ADDRESS}
    published = {"ollama": "container", "ollama_network": SHARED, "host_address": HOST_ADDRESS}
    other_port = [f"http://{h}:{p}" for h in ("host.docker.internal", "172.17.0.1", "localhost", "ollama")
                  for p in (OTHER_HOST_PORT, 11434)]
    saved = [{"webui_network": n, "add_host_gateway": True, "base_url": env, "stored_url": kept}
             for n in ("bridge", "lab-b")
             for env, kept in (("http://localhost:11434", "http://host.docker.internal:11434"),
                               ("http://host.docker.internal:11434", "http://localhost:11434"),
                               ("http://ollama:11434", "http://172.17.0.1:11434"))]
    setups = [
        _setup({"ollama": "container", "ollama_network": "bridge", "ollama_publish": "all",
                "ollama_host_port": OTHER_HOST_PORT}, _webuis(("bridge", "lab-b", "host"), gateway), other_port),
        _setup({"ollama": "container", "ollama_network": SHARED, "ollama_publish": "loopback",
                "ollama_host_port": OTHER_HOST_PORT}, _webuis(("bridge", SHARED, "host"), gateway), other_port),
        _setup({**host_ollama, "ollama_bind": "0.0.0.0"}, _webuis(("bridge", "lab-b", "host"), to_ip), at_host),
        _setup({**host_ollama, "ollama_bind": "127.0.0.1"}, _webuis(("bridge", "host"), to_ip), at_host),
        _setup({**host_ollama, "ollama_bind": HOST_ADDRESS}, _webuis(("bridge", "host"), to_ip), at_host),
        _setup({**published, "ollama_publish": "all"}, _webuis(("bridge", SHARED, "host"), to_ip), at_host),
        _setup({**published, "ollama_publish": "loopback"}, _webuis(("bridge", "host"), to_ip), at_host),
        tuple(Config(ollama="host", ollama_bind="0.0.0.0", **knobs) for knobs in saved),
    ]
    if firewall:
        fw = {"host_firewall": True}
        setups += [
            _setup({**host_ollama, "ollama_bind": "0.0.0.0", **fw}, _webuis(("bridge", "lab-b", "host"), gateway),
                   at_host + ["http://localhost:11434"]),
            _setup({**host_ollama, "ollama_bind": "127.0.0.1", **fw}, _webuis(("bridge", "host"), gateway), at_host),
            _setup({**published, "ollama_publish": "all", **fw}, _webuis(("bridge", SHARED, "lab-b", "host"), gateway),
                   at_host + ["http://ollama:11434", "http://localhost:11434"]),
            _setup({"ollama": "container", "ollama_network": "host", **fw}, _webuis(("bridge", "host"), gateway),
                   ["http://host.docker.internal:11434", "http://172.17.0.1:11434", "http://localhost:11434"]),
        ]
    return tuple(setups)


def linux_grid(engine: str = "docker", firewall: bool | None = None, reports: bool = True) -> Grid:
    """Every knob value the docs' Linux diagrams turn on (480 configurations in 10 setups on Docker Engine;
    the other engines add Podman's host name, and Podman's gateway replaces docker0), and on Docker Engine
    the setups real reports need (``report_setups``; ``reports=False`` leaves them out)."""
    families = tuple(_family("linux", p, engine=engine) for p in _ollama_placements("linux"))
    if engine == "docker" and reports:
        families += report_setups(firewall)
    return Grid("linux", "linux", families)


def desktop_grid() -> Grid:
    """The same grid on Docker Desktop: Ollama on your Mac/PC, in containers, on the VM's host network.

    With host networking off, ``--network host`` is the Linux VM's network: the grid sees it
    (Open WebUI's page unreachable from your browser) and records the setting it measured.
    """
    return Grid("desktop", "desktop", tuple(_family("desktop", p) for p in _ollama_placements("desktop")))


def small_grid(platform: str = "linux", engine: str = "docker", firewall: bool | None = None) -> Grid:
    """A quick grid (about 50 configurations in 4 setups) for CI and a first try: on Docker Engine one
    setup from real reports (the host's own address, --add-host to it, a saved URL and, as root, a host
    firewall)."""
    placements = [
        [{"ollama": "host", "ollama_bind": "127.0.0.1"}],
        [{"ollama": "container", "ollama_network": SHARED, "ollama_publish": "all"}],
        [{"ollama": "container", "ollama_network": "bridge", "ollama_publish": "loopback"}],
    ]
    hosts = tuple(h for h in ENGINE_URL_HOSTS.get(engine, URL_HOSTS) if h not in STATE_DEPENDENT_HOSTS.get(engine, ()))
    families = tuple(_family(platform, p, networks=("bridge", "lab-b"), hosts=hosts, engine=engine)
                     for p in placements)
    if platform == "linux" and engine == "docker":
        if firewall is None:
            firewall = firewall_rules.problem() is None
        at = f"http://{HOST_ADDRESS}:11434"
        families += (tuple(Config(ollama="host", ollama_bind="0.0.0.0", host_address=HOST_ADDRESS, host_firewall=firewall,
                                  **knobs) for knobs in (
            {"add_host_ip": HOST_ADDRESS},
            {"webui_network": "host", "base_url": at},
            {"webui_network": "lab-b", "base_url": "http://localhost:11434", "stored_url": at},
        )),)
    return Grid("small", platform, families)


def unrecorded(facts: PlatformFacts) -> str | None:
    """A request to record this platform when the kit's rules for it come from the docs only, or None."""
    if facts.engine == "podman":
        try:
            major, minor = (int(x) for x in facts.server_version.split(".")[:2])
        except ValueError:
            major, minor = 0, 0
        if (major, minor) >= (4, 4):
            return (f"Podman {facts.server_version} may use pasta for rootless networking: the kit's Podman rules "
                    "were recorded on Podman 4.3.1 (slirp4netns), and what it says about pasta is from the docs, "
                    "not recorded. Your recording is what the kit needs: please send it (see the end).")
    return None


def grid_named(name: str, facts: PlatformFacts) -> Grid:
    """The grid to run on this platform: "auto" picks the platform's own, on this daemon's engine
    (rootless Docker, rootful or rootless Podman: ``facts.engine_knob``)."""
    if facts.os_type == "windows":
        raise PlatformMismatch(
            f"This daemon runs Windows containers ({facts.title}): the kit's stand-ins, like Open WebUI "
            "and Ollama, are Linux containers.",
            "switch Docker Desktop to Linux containers (its tray menu: 'Switch to Linux containers...'), "
            "then run the grid again.",
        )
    if name in ("auto", facts.platform):
        return linux_grid(facts.engine_knob) if facts.platform == "linux" else desktop_grid()
    if name == "small":
        return small_grid(facts.platform, facts.engine_knob if facts.platform == "linux" else "docker")
    if name in GRIDS:
        raise PlatformMismatch(
            f"The {name} grid runs on {'Docker Desktop' if name == 'desktop' else 'a Linux Docker Engine'}, "
            f"but this daemon is {facts.title}.",
            "run 'owui-lab lab grid' without --grid: it picks this platform's grid.",
        )
    raise LabError(f"There is no grid called {name!r}.", f"use one of: auto, {', '.join(GRIDS)}.")


# --------------------------------------------------------------------------------------------------
# Running it
# --------------------------------------------------------------------------------------------------


@dataclass
class FamilyResult:
    """What one setup saw: an observation per configuration, or why the setup failed."""

    configs: tuple[Config, ...]
    observations: list[Observation] = field(default_factory=list)
    transients: list[str] = field(default_factory=list)
    userland_proxy: bool | None = None
    port_forwarder: str | None = None
    error: str = ""
    skipped: bool = False


def run_family(configs: Sequence[Config], image: str | None = None, stop: threading.Event | None = None,
               probe_timeout: float = PROBE_TIMEOUT) -> FamilyResult:
    """Bring one family up, probe every configuration, measure what it can, tear it down.

    A configuration whose observation disagrees with the engine is probed once more while the
    setup is still up: other users of the daemon create and remove networks, and Docker rewrites
    its rules meanwhile. The second observation is the one recorded; one that changed is noted.
    """
    result = FamilyResult(tuple(configs))
    if stop is not None and stop.is_set():
        result.skipped = True
        return result
    try:
        with Lab(list(configs), image=image, keep_ports=False, probe_timeout=probe_timeout) as lab:
            observations = lab.observe_many(list(configs))
            suspects = [i for i, (c, o) in enumerate(zip(configs, observations)) if not agrees(evaluate(c), o)]
            if suspects:
                again = lab.observe_many([configs[i] for i in suspects])
                for i, second in zip(suspects, again):
                    if second.outcome != observations[i].outcome:
                        result.transients.append(
                            f"{_knobs(configs[i])}: first {observations[i].outcome}, then {second.outcome}")
                    observations[i] = second
            result.observations = observations
            c0 = configs[0]
            if c0.platform == "linux" and c0.ollama_in_container and c0.ollama_publish_effective != "none":
                result.userland_proxy = docker_proxy_listens(lab.ports[c0.ollama_published_port])
                result.port_forwarder = port_holder(lab.ports[c0.ollama_published_port])
    except OwuiLabError as exc:
        result.error = str(exc)
    return result


def docker_proxy_listens(port: int) -> bool:
    """Whether something on this host holds 127.0.0.1:``port``, which Docker published.

    With the daemon's userland-proxy on, docker-proxy listens on every published host port; with it
    off, only NAT rules forward the port and nothing here holds it (binding it succeeds).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def port_holder(port: int) -> str | None:
    """The name of the process on this host that listens on TCP ``port`` (docker-proxy, conmon,
    rootlessport, rootlesskit ...), or None when none can be seen (not Linux, no permission, NAT only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{parts[9]}]")
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return (proc / "comm").read_text().strip()
        except OSError:
            continue
    return None


def estimate_text(seconds: float) -> str:
    """"about 1 minute", "about 3 minutes"."""
    minutes = max(1, round(seconds / 60))
    return f"about {minutes} minute{'s' if minutes > 1 else ''}"


def _knobs(c: Config) -> str:
    keys = ("ollama", "ollama_bind", "ollama_network", "ollama_publish", "webui_network", "add_host_gateway", "base_url")
    return " ".join(f"{k}={getattr(c, k)}" for k in keys if getattr(c, k) is not None)


class _StopOnCtrlC:
    """In the main thread, Ctrl-C sets ``stop``: setups running finish and are removed, no new one starts."""

    def __init__(self, stop: threading.Event, say: Callable[[str], None]) -> None:
        self.stop, self.say = stop, say
        self._previous: Any = None
        self._active = threading.current_thread() is threading.main_thread()

    def __enter__(self) -> "_StopOnCtrlC":
        if self._active:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        if not self.stop.is_set():
            self.say("\nCtrl-C: stopping. The setups running now finish and are removed; what ran so far "
                     "is kept as a partial recording.")
        else:
            self.say("\nStill removing what the grid created (a few seconds); nothing will be left behind.")
        self.stop.set()

    def __exit__(self, *exc: Any) -> None:
        if self._active:
            signal.signal(signal.SIGINT, self._previous)


def local_facts() -> PlatformFacts:
    """The local daemon's facts as ``docker info``/``version`` give them (measured facts come later)."""
    cli = docker_api.client()
    try:
        info, version = docker_api.daemon_payloads(cli)
        return platform_facts(info, version, docker_api.default_bridge_gateway(cli))
    finally:
        cli.close()


def run_grid(grid: Grid, *, image: str | None = None, progress: bool = True, stop: threading.Event | None = None,
             say: Callable[[str], None] = print, probe_timeout: float = PROBE_TIMEOUT,
             facts: PlatformFacts | None = None, family_runner: Callable[..., FamilyResult] = run_family) -> Recording:
    """Run ``grid`` on the local daemon and return its recording (partial when stopped or when a setup failed).

    Args:
        grid: the configurations.
        image: the stand-in image (default ``OWUI_LAB_IMAGE``).
        progress: show a progress bar (tqdm) on stderr.
        stop: set it (or press Ctrl-C) to stop after the setups running now.
        say: where messages for the learner go.
        probe_timeout: seconds per probe before "unreachable".
        facts: the platform's facts (read from the daemon when None).
        family_runner: runs one setup (the benchmark and tests pass their own).
    """
    stop = stop or threading.Event()
    start = time.perf_counter()
    cli = docker_api.client()
    try:
        info, version = docker_api.daemon_payloads(cli)
        base_facts = facts or platform_facts(info, version, docker_api.default_bridge_gateway(cli))
        if base_facts.platform != grid.platform:
            raise PlatformMismatch(
                f"The {grid.name} grid is for {grid.platform}, but this daemon is {base_facts.title}.",
                "run 'owui-lab lab grid' without --grid: it picks this platform's grid.")
        image = docker_api.ensure_image(cli, image, None if progress else False)
    finally:
        cli.close()
    bar = _bar(grid.count, progress)
    with _StopOnCtrlC(stop, say), ThreadPoolExecutor(max_workers=SETUPS_AT_ONCE) as pool:
        order: dict[Future[FamilyResult], int] = {
            pool.submit(family_runner, family, image=image, stop=stop, probe_timeout=probe_timeout): i
            for i, family in enumerate(grid.families)
        }
        pending = set(order)
        finished: dict[int, FamilyResult] = {}
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                finished[order[future]] = result
                if bar is not None and not result.skipped:
                    bar.update(len(result.configs))
    if bar is not None:
        bar.close()
    results = [finished[i] for i in sorted(finished)]  # the grid's order, whatever finished first
    return _recording(grid, results, base_facts, info, time.perf_counter() - start, stopped=stop.is_set())


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="config", desc="truth grid", leave=True)


def _measured_facts(base: PlatformFacts, results: Sequence[FamilyResult]) -> PlatformFacts:
    proxies = {r.userland_proxy for r in results if r.userland_proxy is not None}
    holders = {r.port_forwarder for r in results if r.port_forwarder}
    forwarder = holders.pop() if len(holders) == 1 else base.port_forwarder
    if len(proxies) == 1:
        value = proxies.pop()
        holder = forwarder if forwarder not in (None, "?") else "docker-proxy"
        userland = (value, "measured: a port Docker published is " + (
            f"held on this host by {holder}" if value else "held by no process on this host (NAT rules only)"))
    elif proxies:
        userland = (None, "measured both ways in one run: not recorded")
    elif base.platform == "desktop":
        userland = (None, "not visible: Docker Desktop's own port forwarding holds published ports")
    else:
        userland = (None, "not measured: no setup with a published port ran")
    host_networking: tuple[bool | None, str] = (None, "not seen")
    if base.platform == "desktop":
        seen = {o.browser.reachable for r in results for c, o in zip(r.configs, r.observations) if c.webui_host_mode}
        if len(seen) == 1:
            value = seen.pop()
            host_networking = (value, "measured: Open WebUI on --network host " + (
                "answered" if value else "did not answer") + " your browser at localhost")
        elif seen:
            host_networking = (None, "measured both ways in one run: not recorded")
    return replace(base, userland_proxy=userland[0], userland_proxy_source=userland[1], port_forwarder=forwarder,
                   desktop_host_networking=host_networking[0] if base.platform == "desktop" else None,
                   desktop_host_networking_source=host_networking[1] if base.platform == "desktop"
                   else base.desktop_host_networking_source)


def _recording(grid: Grid, results: Sequence[FamilyResult], base: PlatformFacts, info: dict[str, Any],
               seconds: float, stopped: bool) -> Recording:
    facts = _measured_facts(base, results)
    redactor = personal_redactor(info)
    entries = []
    notes = []
    for r in results:
        for c, o in zip(r.configs, r.observations):
            full = c.replace(**facts.knobs())
            entries.append(entry_for(full, o.outcome, o.browser.reachable, o.detail))
        notes += [f"transient: {t}" for t in r.transients]
        if r.error:
            notes.append(f"a setup failed ({r.configs[0].ollama} Ollama): {r.error}")
    ran = sum(1 for r in results if r.observations)
    reasons = []
    if stopped:
        reasons.append(f"stopped by Ctrl-C after {ran} of {len(grid.families)} setups")
    failed = [r for r in results if r.error]
    if failed:
        reasons.append(f"{len(failed)} of {len(grid.families)} setups failed (see notes)")
    draft = Recording(
        facts=facts, entries=tuple(entries), recorded_on=_dt.datetime.now(_dt.timezone.utc).date().isoformat(),
        kit_version=_kit_version(), grid=grid.name, seconds=seconds, partial=bool(reasons),
        partial_reason="; ".join(reasons), notes=tuple(notes),
    )
    data = redactor.value(draft.to_dict())
    data["privacy"]["redacted"] = sorted(redactor.redacted)
    return parse_recording(data, "the new recording")


def personal_redactor(info: dict[str, Any] | None = None) -> Redactor:
    """A redactor for this machine: its host names, the user's names and home folder."""
    hosts = {socket.gethostname(), socket.getfqdn(), str((info or {}).get("Name") or "")}
    users = {os.environ.get("OWUI_LAB_OWNER", ""), os.environ.get("USER", ""), os.environ.get("USERNAME", "")}
    try:
        users.add(getpass.getuser())
    except (KeyError, OSError):  # no user name on this system: nothing to redact
        pass
    return Redactor(host_names=hosts, user_names=users, home_folders={str(Path.home())},
                    addresses=machine_addresses())


def machine_addresses() -> set[str]:
    """This machine's own addresses outside Docker (its LAN and public ones), to redact."""
    found: set[str] = set()
    try:
        import psutil

        for name, addresses in psutil.net_if_addrs().items():
            if name == "lo" or name.startswith(("docker", "br-", "veth")):
                continue  # loopback and Docker's own bridges: the lab's addresses, nothing personal
            found.update(a.address for a in addresses if a.family in (socket.AF_INET, socket.AF_INET6))
    except (ImportError, OSError):
        pass
    try:
        found.update(i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None))
    except (socket.gaierror, OSError):
        pass
    return found


def _kit_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("owui-lab")
    except PackageNotFoundError:
        return "?"


def writable_folder(folder: Path) -> Path:
    """The folder the recording goes to, checked before the grid runs (a run is not lost at the end)."""
    if not folder.is_dir():
        raise LabError(f"The folder {folder} for the recording does not exist.",
                       "create it, or give --output a file in an existing folder.")
    if not os.access(folder, os.W_OK):
        raise LabError(f"The recording cannot be written in {folder} (no permission).",
                       "run it from a folder of yours, or give --output a file there.")
    return folder


def default_path(recording: Recording, folder: str | Path = ".") -> Path:
    """``owui-lab-truth-<platform>-<engine version>-<date>[-partial].json`` in ``folder``."""
    f = recording.facts
    what = f"desktop-{f.desktop_version}" if f.desktop_version else f"{f.engine}-{f.server_version}"
    what = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in what)
    suffix = "-partial" if recording.partial else ""
    return Path(folder) / f"owui-lab-truth-{recording.grid}-{what}-{recording.recorded_on}{suffix}.json"


def summary(recording: Recording, path: Path | None = None) -> str:
    """What the learner reads at the end: counts, disagreements, privacy, how to contribute."""
    found = check(recording, path.name if path else "this recording")
    n = len(recording.entries)
    lines = [f"{recording.facts.title}: {n} configuration{'' if n == 1 else 's'} observed in {recording.seconds:.0f} s; "
             f"the engine agrees with {n - len(found)}, disagrees with {len(found)}."]
    if recording.partial:
        lines.append(f"This recording is PARTIAL: {recording.partial_reason}.")
    for d in found[:10]:
        lines.append(f"  disagreement: {d}")
    if len(found) > 10:
        lines.append(f"  ... and {len(found) - 10} more (all in the file)")
    f = recording.facts
    lines.append(f"Platform facts: userland-proxy {_fact(f.userland_proxy)} ({f.userland_proxy_source})"
                 + (f"; host networking {_fact(f.desktop_host_networking)} ({f.desktop_host_networking_source})"
                    if f.platform == "desktop" else ""))
    if path is not None:
        lines.append(f"Written to {path}.")
    found_here = (f"replaced in this one: {', '.join(recording.redacted)}" if recording.redacted
                  else "none was found in this one")
    lines.append(f"Privacy: host names, user names, home folders and LAN addresses are redacted ({found_here}).")
    if found:
        lines.append("Your machine disagrees with the engine: that is exactly what the kit needs to learn.")
    lines.append(CONTRIBUTE)
    return "\n".join(lines)


def _fact(value: bool | None) -> str:
    return "unknown" if value is None else ("on" if value else "off")
