"""The live lab: bring a configuration up on the local Docker daemon, probe it for real, tear it down.

``with Lab(config) as lab: observation = lab.probe()`` creates the networks, the stand-in Ollama (a
container, or a process on this host when the configuration says "Ollama on the host") and the
stand-in Open WebUI, then probes Open WebUI → Ollama from *inside* Open WebUI's container (its own
network namespace, ``/etc/hosts`` and DNS) and the browser → Open WebUI from this host. Everything is
removed on exit, on error, on Ctrl-C, and when creation fails halfway (by label, see
``docker_api``). ``run(config)`` does all of that and sets the observation beside the engine's
prediction.

What the lab changes, and why the meaning stays the same (``Lab.notes`` tells the learner):

* **Host ports.** 11434, 3000 or 8080 may be busy here (a real Ollama, another lab). Every host
  port the configuration mentions gets a lab port: the same number when it is free, else a free
  one; the base URL is rewritten with the same map (a host Ollama on lab port P is asked at P).
  Container ports (``http://ollama:11434`` between containers) never change.
* **Nothing real exposed.** Where Docker or Ollama would listen on every address (``-p 11434:11434``,
  ``OLLAMA_HOST=0.0.0.0``), the lab listens on loopback and on the docker0 address only: every
  address a probe can use (loopback, docker0, the lab's own containers) behaves exactly as with
  0.0.0.0, and your LAN sees nothing. Open WebUI's page is published on 127.0.0.1.
* **Names.** Containers and networks get unique names (``owui-lab-<session>-...``); the Ollama
  container answers to the configuration's ``ollama_name`` as a network alias on user-defined
  networks, which is what Docker's DNS (and compose) resolve.

* **The host's own address** (``host_address``, a LAN IP such as 192.168.1.20) is played by an address
  of this host the lab creates: the gateway of a labelled network of its own on a documentation subnet
  (TEST-NET, never routed anywhere), with no root needed; every URL and ``--add-host`` naming the LAN IP
  names it instead. ``--add-host=host.docker.internal:IP`` is built for loopback, docker0 and that address.
* **A saved URL** (``stored_url``) is written into the Open WebUI stand-in's ``webui.db`` as Admin →
  Settings → Connections writes it; the stand-in then uses it over ``OLLAMA_BASE_URL``, as Open WebUI
  does while ``ENABLE_PERSISTENT_CONFIG`` is on, and the probe asks the stand-in which URL it uses.
* **A host firewall** (``host_firewall``, as root with iptables) is an INPUT rule of this lab only
  (``firewall``): its own ports, from its Open WebUIs' bridges, labelled in a comment.

The lab only probes loopback, the docker0 address, its own address of the host and its own containers:
a base URL naming any other host is refused with a clear error (the prediction still stands).

Why this module is longer than the house's ~500 lines: ``Lab`` is one lifecycle (plan ports, create,
wait, probe, describe, tear down) whose steps share its state and read best in order; everything
that stands alone lives in the sibling modules (``ports``, ``processes``, ``state``, ``results``).
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .. import docker_api, engines
from ..config import (DOCKER0_ADDRESS, OLLAMA_PORT, WEBUI_CONTAINER_PORT, BaseUrl, Config, connected_address,
                      is_loopback, parse_base_url, redact_url)
from ..prediction import predict
from ..environment import platform_problem
from ..errors import ConfigError, LabError, OwuiLabError, PlatformMismatch
from ..standins import Running, source as standin_source
from ..standins.ollama import LAB_TOKEN_ENV, LAB_TOKEN_HEADER
from . import firewall, podman_dns
from .interrupt import DeferredInterrupt
from .ports import free_port, host_side, port_conflict, port_is_free, url_of
from .processes import labelled_host_processes, start_host_ollama, stop_host_processes
from .results import BrowserObservation, LabResult, Observation, agrees
from .state import state_dir

PROBE_TIMEOUT = 2.0  # seconds per URL before "unreachable" (a dropped packet never answers)
READY_TIMEOUT = 15.0
BROWSER_TIMEOUT = 5.0


def _placement(c: Config) -> tuple[Any, ...]:
    """What must be equal for configurations to share one Ollama (a lab family): also the host's
    address and firewall, which the whole lab plays."""
    return (c.platform, c.ollama, c.ollama_bind, c.ollama_network_effective, c.ollama_publish_effective,
            c.ollama_name if c.ollama_in_container else None, c.ollama_published_port, c.host_address,
            c.host_firewall)


WebuiKey = tuple[str, bool, int, "str | None", "tuple[str, str] | None"]


def _webui_key(c: Config) -> WebuiKey:
    """What must be equal for configurations to share one Open WebUI container: its network, its
    /etc/hosts line, its port and, when Open WebUI saved a URL, that URL and its OLLAMA_BASE_URL."""
    stored = (c.base_url, c.stored_url) if c.stored_url is not None else None
    return (c.webui_network, c.add_host_gateway, WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port,
            c.add_host_ip, stored)


def _urls(c: Config) -> list[BaseUrl]:
    """The URLs a configuration names: the one Open WebUI uses, and OLLAMA_BASE_URL when a saved one wins."""
    out = [c.parsed_base_url]
    if c.stored_url is not None:
        out.append(parse_base_url(c.base_url))
    return out


@dataclass
class _Webui:
    key: WebuiKey
    role: str
    host_port: int  # where this host reaches its /health (published, or its host-mode port)
    config_port: int  # the port the configuration's browser URL names
    container: Any = None


#: Knobs the paste reader needed that the lab does not build yet: a run would show a different setup.
PREDICTION_ONLY = ("api_base_url",)
#: Where the lab puts "the host's own address" (--host-address): the gateway of a labelled network of its own
#: on a documentation subnet (RFC 5737's TEST-NETs, never routed anywhere), one small subnet per lab.
HOST_ADDRESS_SUBNETS = tuple(f"{net}.{i * 16}/28" for net in ("192.0.2", "198.51.100", "203.0.113") for i in range(16))


def host_address_subnets() -> list[str]:
    """``HOST_ADDRESS_SUBNETS`` but those overlapping a network this machine is on: a lab's bridge there would
    take addresses of that network (some sandboxes and labs number their LAN from a TEST-NET)."""
    import psutil

    local = [ipaddress.ip_network(f"{a.address}/{a.netmask}", strict=False)
             for addresses in psutil.net_if_addrs().values() for a in addresses
             if a.family == socket.AF_INET and a.netmask]
    return [s for s in HOST_ADDRESS_SUBNETS if not any(ipaddress.ip_network(s).overlaps(n) for n in local)]


class Lab:
    """A configuration brought up for real: networks, stand-in containers and host processes.

    Use it as a context manager; everything it created is removed on exit, on error and on Ctrl-C
    (also when creation fails halfway)::

        with Lab(owui_lab.load_scenario("linux-compose")) as lab:
            print(lab.probe())

    Args:
        config: the configuration; or several that share one Ollama placement (same Ollama knobs,
            any Open WebUI network, add-host or base URL): each distinct Open WebUI placement gets
            its own container, and ``observe_many`` probes them all at once (the grid test does).
        image: the stand-in image (default ``OWUI_LAB_IMAGE`` or ``python:3.12-slim``).
        progress: the image pull's progress bar (see ``docker_api.ensure_image``).
        keep_ports: use the configuration's own host ports (3000, 11434) when they are free.
        probe_timeout: seconds per URL before a probe says "unreachable".
        client: a Docker client to use (a fresh one when None).
    """

    def __init__(
        self,
        config: Config | Sequence[Config],
        *,
        image: str | None = None,
        progress: Any = None,
        keep_ports: bool = True,
        probe_timeout: float = PROBE_TIMEOUT,
        client: "docker_api.DockerClient | None" = None,
    ) -> None:
        configs = [config] if isinstance(config, Config) else list(config) if isinstance(config, (list, tuple)) else []
        if isinstance(probe_timeout, bool) or not isinstance(probe_timeout, (int, float)) or not 0 < probe_timeout <= 60:
            raise ConfigError(  # nan fails the comparison too
                f"probe_timeout={probe_timeout!r} is not a number of seconds above 0 and at most 60.",
                "leave it out (the default suits a lab) or give e.g. probe_timeout=3.0.",
            )
        if not configs or not all(isinstance(c, Config) for c in configs):
            raise ConfigError("Lab needs a Config (or a list of them).", "build one with owui_lab.Config(...) or load_scenario(id).")
        unbuilt = sorted({k for c in configs for k in PREDICTION_ONLY if getattr(c, k) is not None})
        if unbuilt:
            raise ConfigError(
                "The live lab does not build " + ", ".join("--" + k.replace("_", "-") for k in unbuilt) + " yet.",
                "owui-lab predict gives the engine's verdict on it; run the lab without that knob.",
            )
        if any(c.ollama_bundled for c in configs):
            raise ConfigError(
                "The live lab does not build --ollama bundled (Ollama inside the Open WebUI container, the :ollama "
                "image) yet.",
                "owui-lab predict gives the engine's verdict on it (from the image's Dockerfile, checked with the "
                "stand-ins in one container by tests/test_bundled_live.py); run the lab with --ollama host or container.",
            )
        for c in configs:
            _check_add_host_ip(c)
        if len({_placement(c) for c in configs}) != 1:
            raise ConfigError(
                "The configurations given to one Lab place Ollama differently.",
                "give one Lab only configurations with the same Ollama knobs (ollama, ollama_bind, "
                "ollama_network, ollama_publish, ollama_host_port, ollama_name, platform, host_address, "
                "host_firewall).",
            )
        self.configs = configs
        self.config = configs[0]
        self._image_choice = image
        self.image = docker_api.image_name(image)
        self.progress = progress
        self.keep_ports = keep_ports
        self.probe_timeout = probe_timeout
        self.session = docker_api.new_session_id()
        self.notes: list[str] = []
        self.networks: dict[str, Any] = {}  # config network name -> Docker network
        self.ollama_containers: list[Any] = []
        self.owner = docker_api.current_owner()  # every object of this lab carries it
        # Sent back by this lab's stand-ins on every answer: readiness and probes accept only it, so
        # concurrent labs (a shared host network, a port re-used meanwhile) never read each other's.
        self.token = secrets.token_hex(8)
        self._host_side_ollama = False  # a host stand-in was (maybe) started: its logs are in state_dir
        self.host_processes: list[Running] = []
        self.webuis: dict[WebuiKey, _Webui] = {}
        self.host_address: str | None = None  # the lab's stand-in for the configuration's host address
        self.firewall_rules: list[str] = []  # iptables rules this lab inserted (host_firewall)
        self.ports: dict[int, int] = {}  # configuration's host port -> the lab's host port
        self.replaced_ports: dict[int, int] = {}  # those of them the lab really changed (busy, or --free-ports)
        self.docker0 = DOCKER0_ADDRESS
        self.up_seconds = 0.0
        self.teardown_seconds = 0.0
        self._client = client
        self._own_client = client is None
        self._is_up = False
        self._linux_host = True  # a Linux engine: docker0 is an address of this host
        self._other_engine = False  # rootless Docker or Podman (engines.differs): their own places
        self._detached = False

    # ---- lifecycle ----
    def __enter__(self) -> "Lab":
        self.up()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.down()

    @property
    def client(self) -> "docker_api.DockerClient":
        if self._client is None:
            self._client = docker_api.client()
        return self._client

    def up(self) -> "Lab":
        """Create everything; on any failure or Ctrl-C remove what was created and re-raise."""
        start = time.perf_counter()
        with DeferredInterrupt() as interrupt:
            try:
                self._check_platform()
                if self.config.host_firewall and firewall.problem():
                    raise LabError(f"{firewall.problem()} The lab plays a host firewall only with one.",
                                   "run the lab as root on a machine with iptables, or without --host-firewall "
                                   "(owui-lab predict still gives the engine's verdict).")
                interrupt.check()
                self.image = docker_api.ensure_image(self.client, self._image_choice, self.progress)
                interrupt.check()
                self._validate_urls()
                for attempt in range(3):
                    self._plan_ports()
                    try:
                        self._create(interrupt)
                        break
                    except Exception as exc:  # noqa: BLE001 - only a lost port race is retried
                        if attempt == 2 or not port_conflict(exc):
                            raise
                        # Someone took a port between our check and Docker's bind: start over
                        # with fresh free ports.
                        self._teardown()
                        self.keep_ports = False
                        self.ports, self.webuis, self.notes = {}, {}, [n for n in self.notes if "port" not in n]
                interrupt.check()
                self._is_up = True
                self.notes = list(dict.fromkeys(self.notes))
            except BaseException:
                try:
                    self._teardown()
                except OwuiLabError:
                    pass  # the original failure matters more; 'lab clean' removes any rest by label
                raise
        self.up_seconds = time.perf_counter() - start
        return self

    def down(self) -> float:
        """Remove everything this lab created (containers, networks, host processes); returns seconds."""
        with DeferredInterrupt():
            return self._teardown()

    def _teardown(self) -> float:
        start = time.perf_counter()
        # A lab that came up has recorded every host stand-in it started; one that failed halfway
        # may have started one it never heard back from: only then is the process table scanned.
        completed = self._is_up
        for running in self.host_processes:
            if running.process.poll() is None:
                running.process.terminate()
        problems: list[str] = []
        if self.config.host_firewall and not self._detached:
            try:  # also a rule inserted just before a failure: found again by this lab's comment
                problems.extend(firewall.remove(dict.fromkeys(
                    self.firewall_rules + firewall.labelled_rules(session=self.session, owner=self.owner))))
            except OwuiLabError as exc:
                problems.append(str(exc))
        try:
            # No client yet means no Docker object was ever asked for: nothing to remove there.
            if self._client is not None:
                removed = docker_api.remove_labelled(self._client, session=self.session, owner=self.owner)
                problems.extend(removed.failed)
        except OwuiLabError as exc:
            problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - teardown must go on; report at the end
            problems.append(f"{exc.__class__.__name__}: {exc}")
        for running in self.host_processes:
            running.stop(timeout=1.0)  # already told to stop above; this waits (and kills if need be)
        if not self._detached and self._host_side_ollama:
            if not completed:
                # Belt and braces: a host stand-in of this session the list above missed, by its
                # label (a scan of every process, ~0.1 s: not on the normal way down).
                stop_host_processes(labelled_host_processes(session=self.session, owner=self.owner))
            for log in state_dir().glob(f"{self.session}-*.log"):  # also of a stand-in never recorded
                log.unlink(missing_ok=True)
        self.host_processes, self.ollama_containers, self.networks = [], [], {}
        self.firewall_rules, self.host_address = [], None
        for w in self.webuis.values():
            w.container = None
        self._is_up = False
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None
        self.teardown_seconds = time.perf_counter() - start
        if problems:
            raise LabError(
                f"Tearing down lab {self.session} left something behind: {'; '.join(problems)}.",
                "run 'owui-lab lab clean' to remove every object the kit labelled.",
            )
        return self.teardown_seconds

    def detach(self) -> None:
        """Leave everything running (``owui-lab lab up``): host processes are not stopped on exit."""
        self.host_processes = []
        self._detached = True
        self._is_up = False

    # ---- planning ----
    def _check_platform(self) -> None:
        info = docker_api.daemon_info(self.client)
        docker_api.know_limits(self.client, info)
        problem = platform_problem(info, self.config)
        if problem:
            raise PlatformMismatch(problem, "run 'owui-lab predict' with the same knobs to see the prediction.")
        self._linux_host = info.platform == "linux"
        self._other_engine = engines.differs(self.config)
        if self._other_engine:
            # Rootless engines keep their gateway inside their own namespace and reach the host only at
            # its own addresses: a host Ollama told 0.0.0.0 really binds every address, as it would.
            self.docker0 = info.docker0 or engines.gateway(self.config)
        elif info.docker0 and info.docker0 != DOCKER0_ADDRESS:
            self.docker0 = info.docker0
            self.notes.append(
                f"docker0 is {info.docker0} on this host, not {DOCKER0_ADDRESS}: the lab uses {info.docker0} "
                f"wherever the configuration says {DOCKER0_ADDRESS}."
            )

    def _validate_urls(self) -> None:
        checked: set[str] = set()
        for c, u in ((c, u) for c in self.configs for u in _urls(c)):
            host = u.host
            if host_side(host) or (u == c.parsed_base_url and _engine_host_side(c)) or _names_host_address(c, u):
                continue
            # A single-label name (the container's name, or a wrong one): Docker's DNS on the lab's
            # own networks, or nothing. Checked once against this host's DNS, which the lookups
            # fall back to, so that it cannot lead to another machine.
            if "." not in host and u.address.ip is None:
                if host not in checked:
                    _refuse_outside_name(host)
                    checked.add(host)
                continue
            raise LabError(
                f"The base URL {redact_url(u.url)} names '{host}', which is neither this host (localhost, "
                f"127.0.0.1, host.docker.internal, {DOCKER0_ADDRESS}) nor a container name (a single "
                "word, such as the Ollama container's name).",
                "the lab only sends traffic to this host and its own containers; use one of those hosts "
                "(owui-lab predict still explains the configuration as it is).",
            )

    def _config_host_ports(self) -> list[int]:
        """Every host port the configurations really use on this host, in a stable order.

        Ollama's (a host Ollama's, or its published port), the base URL's when it names this host,
        and Open WebUI's page. A port the configuration does not open on the host (Ollama's 11434
        inside a container that publishes nothing) is never planned, so never "replaced".
        """
        wanted: list[int] = []
        c0 = self.config
        if not c0.ollama_in_container or c0.ollama_network_effective == "host":
            wanted.append(c0.ollama_listen.port)
        elif c0.ollama_publish_effective in ("all", "loopback"):
            wanted.append(c0.ollama_published_port)  # -p 7869:11434 publishes on 7869
        for c in self.configs:
            for u in _urls(c):
                if host_side(u.host) or _names_host_address(c, u):
                    wanted.append(u.port)
            wanted.append(WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port)
        return list(dict.fromkeys(wanted))

    def _plan_ports(self) -> None:
        chosen: set[int] = set()
        for port in self._config_host_ports():
            if self.keep_ports and port >= 1024 and port_is_free(port):
                lab_port = port
            else:
                lab_port = free_port(avoid=chosen | set(self._config_host_ports()))
            chosen.add(lab_port)
            self.ports[port] = lab_port
        self.replaced_ports = {k: v for k, v in self.ports.items() if k != v}
        changed = [f"{k} → {v}" for k, v in self.replaced_ports.items()]
        if changed:
            self.notes.append(
                "Host ports busy or kept free here were replaced, consistently in every URL: "
                + ", ".join(changed) + " (container ports never change)."
            )

    def lab_url(self, c: Config, u: BaseUrl | None = None) -> str:
        """The base URL (or ``u``) as the lab probes it: the same host, the lab's port for a host port;
        docker0 and the host's address as this host has them."""
        u = u or c.parsed_base_url
        if c.ollama_in_container and u.address.is_named(c.ollama_name):
            return url_of(u.host, u.port)  # a container port: unchanged
        host = self.lab_address(c, u.address.ip) if u.address.ip else u.host
        return url_of(host, self.ports.get(u.port, u.port))

    def lab_address(self, c: Config, address: str) -> str:
        """An address of the configuration as the lab has it: docker0's, the lab's host address, or itself."""
        if address == engines.gateway(c):
            return self.docker0
        if c.host_address and address == c.host_address and self.host_address:
            return self.host_address
        return address

    def browser_url(self, c: Config) -> str:
        w = self.webuis[_webui_key(c)]
        return f"http://localhost:{w.host_port}"

    # ---- creation ----
    def _labels(self, role: str) -> dict[str, str]:
        return docker_api.labels(self.session, role, self.owner)

    def _create(self, interrupt: DeferredInterrupt) -> None:
        cli = self.client
        c0 = self.config
        net_names = []
        if c0.ollama_in_container and c0.ollama_network_effective not in ("bridge", "host"):
            net_names.append(c0.ollama_network_effective)
        net_names += [c.webui_network for c in self.configs if c.webui_network not in ("bridge", "host")]
        net_names = list(dict.fromkeys(net_names))

        def make_network(name: str) -> None:
            self.networks[name] = docker_api.create_network(
                cli, docker_api.network_name(self.session, name), self._labels("network")
            )

        docker_api.in_parallel(make_network, net_names)
        interrupt.check()
        if c0.host_address:
            self._make_host_address()
        if c0.host_firewall:
            self._make_firewall()
        interrupt.check()
        used: set[int] = set()
        for i, key in enumerate(dict.fromkeys(_webui_key(c) for c in self.configs)):
            net, port = key[0], key[2]
            role = "webui" if i == 0 else f"webui-{i + 1}"
            config_port = WEBUI_CONTAINER_PORT if net == "host" else port
            # Several Open WebUIs of one family each stand for "the" Open WebUI of their own
            # configuration: each needs a host port of its own.
            host_port = self.ports[config_port]
            if host_port in used:
                host_port = free_port(avoid=used | set(self.ports.values()))
            used.add(host_port)
            self.webuis[key] = _Webui(key, role, host_port, config_port)
        tasks: list[Callable[[], None]] = [self._make_ollama]
        tasks += [lambda w=w: self._make_webui(w) for w in self.webuis.values()]
        docker_api.in_parallel(lambda f: f(), tasks)
        interrupt.check()
        if any(_webui_key(c)[0] != "host" for c in self.configs):
            self.notes.append("Open WebUI's page is published on 127.0.0.1 only (-p 127.0.0.1:PORT:8080): "
                              "your browser on this host sees the same thing, your LAN sees nothing.")

    def _make_host_address(self) -> None:
        """Give this host an address of the lab's own for the configuration's host address (its LAN IP).

        The gateway of a labelled bridge network the lab creates on a documentation subnet (TEST-NET,
        RFC 5737) is an address of this host, as a LAN address is: a container's packets to it leave
        through the container's gateway and arrive at the host (INPUT), and a process on 0.0.0.0 takes
        them. Nothing is routed off this machine, no root is needed, and ``lab clean`` removes it by label.
        """
        subnets = host_address_subnets()
        start = secrets.randbelow(len(subnets) or 1)  # concurrent labs try different subnets first
        last = "every documentation subnet overlaps a network of this machine"
        for i in range(len(subnets)):
            subnet = subnets[(start + i) % len(subnets)]
            try:
                network = docker_api.create_network(self.client, docker_api.network_name(self.session, "host-address"),
                                                    self._labels("host-address"), subnet=subnet)
            except Exception as exc:  # noqa: BLE001 - a subnet another network holds: try the next one
                last = str(exc)
                if not any(word in last.lower() for word in ("overlap", "already used")):  # Docker, Podman
                    raise
                continue
            self.host_address = docker_api.network_gateway(network)
            break
        if not self.host_address:
            raise LabError(f"No documentation subnet was free for the host's address ({last[:200]}).",
                           "remove old labs with 'owui-lab lab clean' and run it again.")
        self.notes.append(
            f"The host's own address {self.config.host_address} is played by {self.host_address}: an address of this "
            "host on a network of the lab's own (a documentation address, never routed anywhere), so the lab's "
            "stand-ins are not exposed on your network."
        )

    def _make_firewall(self) -> None:
        """Play a host firewall: drop what the lab's bridged Open WebUIs send to the lab's host ports."""
        interfaces = []
        for net in dict.fromkeys(c.webui_network for c in self.configs):
            if net == "bridge":
                interfaces.append(docker_api.bridge_interface(self.client.networks.get("bridge")))
            elif net != "host":
                interfaces.append(docker_api.bridge_interface(self.networks[net]))
        webui_ports = {self.ports[WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port] for c in self.configs}
        ports = sorted(set(self.ports.values()) - webui_ports)
        if interfaces and ports:
            self.firewall_rules = firewall.drop_to_host(self.session, self.owner, interfaces, ports)
            self.notes.append(
                f"A host firewall is played by iptables rules of this lab only: INPUT drops TCP to this lab's host "
                f"ports {', '.join(map(str, ports))} from {', '.join(interfaces)} (as ufw's 'deny incoming' would), "
                "removed with the lab."
            )

    def _container(self, role: str, command: list[str], **kwargs: Any) -> Any:
        kwargs["environment"] = {**kwargs.get("environment", {}), LAB_TOKEN_ENV: self.token}
        return docker_api.run_container(
            self.client, self.image, command, docker_api.container_name(self.session, role), self._labels(role), **kwargs
        )

    def _bind_addresses(self) -> list[str]:
        """Where a host-side Ollama listens in the lab: 0.0.0.0 becomes loopback + docker0."""
        listen = self.config.ollama_listen
        if listen.all_addresses and self._other_engine:
            return ["0.0.0.0"]
        if listen.all_addresses:
            # Docker Desktop has no docker0 on the host, and its host.docker.internal reaches the
            # host's loopback too: 127.0.0.1 behaves as 0.0.0.0 there for every probe the lab makes,
            # and a conference Wi-Fi sees nothing.
            # Other loopback addresses the URLs name (127.0.0.2, ::1) stay on this machine too: a
            # real Ollama on 0.0.0.0 (one dual-stack socket) answers there, so the stand-in does.
            named = [a for a in dict.fromkeys(connected_address(c.parsed_base_url.host) for c in self.configs)
                     if a and a != "127.0.0.1" and is_loopback(a)]
            own = [self.host_address] if self.host_address else []
            return ["127.0.0.1", self.docker0, *own, *named] if self._linux_host else ["127.0.0.1", *named]
        if self.host_address and listen.host == self.config.host_address:
            return [self.host_address]  # OLLAMA_HOST=<the host's LAN address>
        if listen.loopback_only:
            return ["127.0.0.1" if listen.host == "localhost" else listen.host]
        if listen.host in (DOCKER0_ADDRESS, self.docker0):
            return [self.docker0]
        raise LabError(
            f"OLLAMA_HOST={self.config.ollama_bind} binds {listen.host}, an address the lab does not "
            "create on this host.",
            f"use 127.0.0.1, 0.0.0.0 or {DOCKER0_ADDRESS} (owui-lab predict still explains it).",
        )

    def _make_ollama(self) -> None:
        c = self.config
        listen = c.ollama_listen
        source = standin_source("ollama")
        if not c.ollama_in_container or c.ollama_network_effective == "host":
            port = self.ports[listen.port]
            addresses = self._bind_addresses()
            if addresses == ["0.0.0.0"]:
                self.notes.append(
                    f"Ollama listens on 0.0.0.0 as told: on {engines.title(c)} containers reach the host only at "
                    "its own addresses (the stand-in answers only this lab's token, and stops with the lab)."
                )
            elif listen.all_addresses and len(addresses) > 1:
                self.notes.append(
                    f"You asked for Ollama on every address (0.0.0.0); to keep this lab off your network, the "
                    f"stand-in listens on 127.0.0.1 and docker0 ({self.docker0})"
                    + (f" and the lab's host address ({self.host_address})" if self.host_address else "")
                    + " instead of 0.0.0.0. This computer "
                    "and its containers reach it just as they would, other machines on your network do not."
                )
            elif listen.all_addresses:
                self.notes.append(
                    "You asked for Ollama on every address (0.0.0.0); to keep this lab off your network, the "
                    "stand-in listens on 127.0.0.1 instead of 0.0.0.0. Docker Desktop forwards "
                    "host.docker.internal to that address, so containers reach it just as they would, and "
                    "other machines on your network do not."
                )
            for i, address in enumerate(addresses):
                bind = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
                role = "ollama" if i == 0 else f"ollama-{i + 1}"
                if c.ollama_in_container:
                    self.ollama_containers.append(
                        self._container(role, ["python3", "-c", source, "--quiet"],
                                        network_mode="host", environment={"OLLAMA_HOST": bind})
                    )
                else:
                    # spawn returns once the process we started says it listens on that port: a
                    # positive identification that no other lab's stand-in can fake.
                    self._host_side_ollama = True
                    self.host_processes.append(start_host_ollama(self.session, self.owner, role, bind, READY_TIMEOUT,
                                                                   self.token))
            if c.ollama_in_container:
                for container, address in zip(self.ollama_containers, addresses):
                    docker_api.wait_listening(container, "127.0.0.1" if address == "0.0.0.0" else address, port,
                                              READY_TIMEOUT, self.token)
            return
        net = c.ollama_network_effective
        kwargs: dict[str, Any] = {"environment": {"OLLAMA_HOST": c.ollama_bind or "0.0.0.0:11434"}}
        publish = c.ollama_publish_effective
        lab_port = self.ports.get(c.ollama_published_port, 0)  # planned whenever it is published
        if publish == "all" and not self._linux_host:
            # Docker Desktop: host.docker.internal reaches ports published on the host's loopback.
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": ("127.0.0.1", lab_port)}
            self.notes.append(
                f"-p {OLLAMA_PORT}:{OLLAMA_PORT} is published as -p 127.0.0.1:{lab_port}:{OLLAMA_PORT}: the "
                "same for this computer and its containers, and nothing on your network."
            )
        elif publish == "all" and self._other_engine:
            # Every address, as -p 11434:11434 is: the gateway of a rootless engine is no host address.
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": lab_port}
        elif publish == "all":
            own = [self.host_address] if self.host_address else []
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": [(a, lab_port) for a in ("127.0.0.1", self.docker0, *own)]}
            self.notes.append(
                f"-p {c.ollama_published_port}:{OLLAMA_PORT} is published as -p 127.0.0.1:{lab_port}:{OLLAMA_PORT} "
                + "".join(f"and -p {a}:{lab_port}:{OLLAMA_PORT} " for a in (self.docker0, *own))
                + ": the same for loopback, docker0, the host's address and containers, and nothing on your LAN."
            )
        elif publish == "loopback":
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": ("127.0.0.1", lab_port)}
        if net == "bridge":
            kwargs["network"] = "bridge"
        else:
            docker_net = docker_api.network_name(self.session, net)
            kwargs["network"] = docker_net
            kwargs["aliases"] = {docker_net: [c.ollama_name]}
        command = ["python3", "-c", source, "--quiet"]
        container = self._container("ollama", command, **kwargs)
        if c.engine == "podman-rootless" and "aliases" in kwargs:
            container, again = podman_dns.resolvable(container, c.ollama_name,
                                                     lambda: self._container("ollama", command, **kwargs))
            if again:
                self.notes.append(f"Rootless Podman's aardvark-dns missed the name {c.ollama_name} "
                                  f"(its start-up bug): the lab started Ollama's container {again + 1} times.")
        self.ollama_containers.append(container)
        address = "127.0.0.1" if listen.all_addresses or listen.host == "localhost" else listen.host
        docker_api.wait_listening(container, address.strip("[]"), listen.port, READY_TIMEOUT, self.token)

    def _make_webui(self, w: _Webui) -> None:
        net, add_host, _port, add_host_ip, stored = w.key
        c = self._config_of(w)
        source = standin_source("webui")
        # GET /probe relays probes of this configuration's Ollama URL only (the stand-in refuses others).
        env_url = self.lab_url(c, parse_base_url(c.base_url)) if stored else self.lab_url(c)
        kwargs: dict[str, Any] = {"environment": {"OLLAMA_BASE_URL": env_url, "OWUI_LAB_PROBE_RELAY": "1"}}
        if add_host:
            kwargs["extra_hosts"] = {"host.docker.internal": "host-gateway"}
        elif add_host_ip:
            kwargs["extra_hosts"] = {"host.docker.internal": self.lab_address(c, add_host_ip)}
        command = ["python3", "-c", source, "serve", "--quiet"]
        if net == "host":
            kwargs["network_mode"] = "host"
            command += ["--host", "127.0.0.1", "--port", str(w.host_port)]
        else:
            kwargs["network"] = "bridge" if net == "bridge" else docker_api.network_name(self.session, net)
            kwargs["ports"] = {f"{WEBUI_CONTAINER_PORT}/tcp": ("127.0.0.1", w.host_port)}
            # Every address of its own container (the stand-in's default is loopback): Docker's
            # published port and the container's network peers reach it, as the real image's 0.0.0.0.
            command += ["--host", "0.0.0.0"]
        w.container = self._container(w.role, command, **kwargs)
        if stored:
            # What Admin → Settings → Connections (or an earlier start) saved in Open WebUI's database:
            # from now on the stand-in uses it over OLLAMA_BASE_URL, as Open WebUI does.
            code, output = docker_api.exec_in(w.container, ["python3", "-c", source, "save", self.lab_url(c)],
                                              READY_TIMEOUT)
            if code != 0:
                raise LabError(f"The saved URL could not be written into {w.container.name}: {output.strip()[:200]}.",
                               "run the lab again; 'owui-lab lab clean' removes what is left.")
            self.notes.append(
                f"Open WebUI's database holds the saved URL {self.lab_url(c)} (as Admin → Settings → Connections "
                f"writes it) and its OLLAMA_BASE_URL is {env_url}: the stand-in uses the saved one, as Open WebUI "
                "does while ENABLE_PERSISTENT_CONFIG is on (its default)."
            )
        if net == "host":
            # In the host's namespace nothing stops another lab (or program) from holding that port:
            # wait for this lab's own answer; a lost race ("address already in use") starts over.
            docker_api.wait_listening(w.container, "127.0.0.1", w.host_port, READY_TIMEOUT, self.token)

    def _config_of(self, w: _Webui) -> Config:
        return next(c for c in self.configs if _webui_key(c) == w.key)

    # ---- probing ----
    def observe_many(self, configs: Sequence[Config] | None = None) -> list[Observation]:
        """Probe several configurations of this lab at once (one probe per Open WebUI container)."""
        if not self._is_up:
            raise LabError("This lab is not up.", "use it inside 'with Lab(config) as lab:' (or call lab.up()).")
        configs = list(configs or self.configs)
        by_webui: dict[WebuiKey, list[Config]] = {}
        for c in configs:
            if _webui_key(c) not in self.webuis or _placement(c) != _placement(self.config):
                raise LabError(f"This lab was not built for the configuration {c}.", "create a Lab for it.")
            by_webui.setdefault(_webui_key(c), []).append(c)
        results: dict[tuple[WebuiKey, str], dict[str, Any]] = {}
        browsers: dict[WebuiKey, tuple[bool, str]] = {}

        def probe_one(key: WebuiKey) -> None:
            w = self.webuis[key]
            if key[4] is not None:
                # A saved URL: ask the stand-in to probe the URL it uses itself (not one the lab names),
                # so the observation shows which one won.
                c = by_webui[key][0]
                for r in docker_api.probe_by_exec(w.container, [], self.probe_timeout)[:1]:
                    used = str(r.get("url"))
                    r["detail"] = (f"Open WebUI used {'the saved URL' if used == self.lab_url(c) else 'OLLAMA_BASE_URL'}"
                                   f" {used}: {r.get('detail', '')}")
                    results[(key, self.lab_url(c))] = r
            else:
                urls = list(dict.fromkeys(self.lab_url(c) for c in by_webui[key]))
                for r in docker_api.probe_by_exec(w.container, urls, self.probe_timeout):
                    results[(key, r.get("url"))] = r
            browsers[key] = browser_check(w.host_port, self.token)

        docker_api.in_parallel(probe_one, list(by_webui))
        out = []
        for c in configs:
            key = _webui_key(c)
            url = self.lab_url(c)
            r = results.get((key, url)) or {"outcome": "unreachable", "detail": "the probe returned no result"}
            if r.get("outcome") == "ok" and r.get("lab_token") != self.token:
                raise LabError(
                    f"The probe of {url} was answered by a server that is not this lab's stand-in Ollama "
                    f"({r.get('detail')}): another lab or program took that port meanwhile.",
                    "run the lab again (it picks fresh ports); 'owui-lab lab status --all' shows other labs.",
                )
            ok, detail = browsers[key]
            out.append(
                Observation(
                    reachable=r.get("outcome") == "ok",
                    outcome=str(r.get("outcome")),
                    detail=str(r.get("detail", "")),
                    browser=BrowserObservation(self.browser_url(c), ok),
                    url=url,
                    browser_detail=detail,
                )
            )
        return out

    def probe(self) -> Observation:
        """Probe Open WebUI → Ollama (from inside Open WebUI) and the browser → Open WebUI (from here)."""
        return self.observe_many([self.config])[0]

    # ---- for learners ----
    def describe(self) -> dict[str, Any]:
        """What exists, by name, with the docker commands to look around (``owui-lab lab up``)."""
        c = self.config
        webui = self.webuis[_webui_key(c)]
        wname = docker_api.container_name(self.session, webui.role)
        oname = docker_api.container_name(self.session, "ollama")
        commands = [
            f"docker ps --filter label={docker_api.LABEL_SESSION}={self.session}",
            f"docker exec {wname} cat /etc/hosts",
            f"docker exec {wname} getent hosts {c.parsed_base_url.host}",
            f"docker exec {wname} python3 -c \"import urllib.request as u; "
            f"print(u.urlopen('{self.lab_url(c)}/api/version', timeout=3).read())\"",
            f"docker inspect {wname} --format '{{{{json .NetworkSettings.Networks}}}}'",
            f"curl {self.browser_url(c)}/health",
        ]
        if c.ollama_in_container:
            commands.insert(1, f"docker logs {oname}")
            commands.append(f"docker port {oname}")
        for name in self.networks:
            commands.append(f"docker network inspect {docker_api.network_name(self.session, name)}")
        if self.host_address:
            commands.append(f"ip -4 addr show to {self.host_address}")
        if self.firewall_rules:
            commands.append(f"sudo iptables -S INPUT | grep 'session={self.session}'")
        return {
            "session": self.session,
            "owner": self.owner,
            "token": self.token,  # what this lab's stand-ins answer with (lab status checks it)
            "config": c.to_dict(),
            "containers": [x.name for x in self.ollama_containers]
            + [w.container.name for w in self.webuis.values() if w.container is not None],
            "networks": [n.name for n in self.networks.values()],
            "host_processes": [p.process.pid for p in self.host_processes],
            "ports": {str(k): v for k, v in self.ports.items()},
            "host_address": self.host_address,
            "firewall_rules": list(self.firewall_rules),
            "probe_url": self.lab_url(c),
            "browser_url": self.browser_url(c),
            "webui_container": wname,
            "commands": commands,
            "notes": list(self.notes),
        }


def _names_host_address(c: Config, u: BaseUrl) -> bool:
    """A URL at the configuration's host address (the lab gives this host an address of its own for it)."""
    return bool(c.host_address) and u.address.ip == c.host_address


def _check_add_host_ip(c: Config) -> None:
    """Refuse ``--add-host=host.docker.internal:IP`` to an address the lab does not have on this host.

    The lab plays loopback (the container's own), docker0 and the host's address (its own, see
    ``Lab._make_host_address``); any other address could lead off this machine, which the lab never does.
    """
    ip = c.add_host_ip
    if ip is None or is_loopback(ip) or ip == engines.gateway(c) or ip == c.host_address:
        return
    raise ConfigError(
        f"--add-host-ip {ip} maps host.docker.internal to an address the lab does not have on this host: a probe "
        "of it could leave this machine, which the lab never does.",
        f"use 127.0.0.1, {engines.gateway(c)} or the --host-address you gave (owui-lab predict still explains it).",
    )


def _engine_host_side(c: Config) -> bool:
    """A URL host meaning this host on Podman (host.containers.internal, its default gateway 10.88.0.1), or
    Podman's name asked of rootless Docker, which does not know it (unless this host's DNS does: refused)."""
    address = c.parsed_base_url.address
    if engines.podman(c):
        return address.is_named("host.containers.internal") or address.ip == engines.PODMAN_GATEWAY
    if engines.differs(c) and address.is_named("host.containers.internal"):
        _refuse_outside_name(c.parsed_base_url.host)
        return True
    return False


def _refuse_outside_name(name: str) -> None:
    """Refuse a container name that this host's DNS resolves to some other machine.

    Inside the lab the Ollama container's name is a network alias that only the lab's own networks
    resolve; elsewhere the lookup goes to this host's DNS servers, which normally know no such
    single-label name. Should they know it, a probe would connect to that machine: refuse instead.
    """
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return
    outside = sorted({i[4][0] for i in infos if not ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback})
    if outside:
        raise LabError(
            f"The name '{name}' resolves on this host to {', '.join(outside)}: a probe of it could leave "
            "this machine, which the lab never does.",
            "use another --ollama-name (the lab gives the Ollama container that name on its own networks).",
        )


def learner_browser_url(c: Config) -> str:
    """The URL the learner's own browser would open for ``c`` (their port, not the lab's)."""
    return f"http://localhost:{WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port}"


def browser_check(port: int, token: str | None = None) -> tuple[bool, str]:
    """GET /health on this host, retrying while Open WebUI starts (bounded).

    With ``token``, only this lab's stand-in counts (its ``X-Owui-Lab-Token`` header): another lab's
    Open WebUI on the same port is not "reachable" for this one.
    """
    url = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + BROWSER_TIMEOUT
    last = ""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read(200).decode("utf-8", "replace")
                theirs = response.headers.get(LAB_TOKEN_HEADER)
                if token and theirs != token:
                    last = "a server that is not this lab's Open WebUI answered"
                elif response.status == 200 and '"status"' in body:
                    return True, f"GET /health answered {body.strip()}"
                else:
                    last = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
        if time.monotonic() > deadline:
            return False, f"GET /health got no answer ({last})"
        time.sleep(0.03)



# --------------------------------------------------------------------------------------------------
# Running one configuration
# --------------------------------------------------------------------------------------------------


def run(config: Config, progress: Any = None, **lab_options: Any) -> LabResult:
    """Bring ``config`` up, probe it, tear it down, and compare with the engine's prediction.

    Raises:
        PlatformMismatch: the configuration is for another platform than this daemon (the CLI then
            shows the prediction only).
        DockerUnavailable, ImageMissing, LabError: what stopped the lab, with what to do.
    """
    start = time.perf_counter()
    verdict = predict(config)
    lab = Lab(config, progress=progress, **lab_options)
    with lab:
        observed = lab.probe()
    seconds = time.perf_counter() - start
    return LabResult(
        predicted=verdict,
        observed=observed,
        agree=agrees(verdict, observed),
        seconds=seconds,
        notes=tuple(lab.notes),
        teardown_seconds=lab.teardown_seconds,
        session=lab.session,
        replaced_ports=tuple(sorted(lab.replaced_ports.items())),
        learner_browser_url=learner_browser_url(config),
        learner_url=config.base_url,
    )

