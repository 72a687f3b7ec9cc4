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

The lab only probes loopback, the docker0 address and its own containers: a base URL naming any
other host is refused with a clear error (the prediction still stands).
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Sequence

from . import docker_api
from .config import DOCKER0_ADDRESS, OLLAMA_PORT, WEBUI_CONTAINER_PORT, Config
from .engine import Verdict
from .prediction import predict
from .errors import ConfigError, DockerUnavailable, LabError, OwuiLabError, PlatformMismatch

if TYPE_CHECKING:  # pragma: no cover
    import docker
    from docker.models.containers import Container

PROBE_TIMEOUT = 2.0  # seconds per URL before "unreachable" (a dropped packet never answers)
READY_TIMEOUT = 15.0
BROWSER_TIMEOUT = 5.0
HOST_PROCESS_ENV = "OWUI_LAB_SESSION"  # the "label" of a host process: its environment


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


class BrowserObservation(NamedTuple):
    """What the learner's browser, on this host, got from Open WebUI's URL."""

    url: str
    reachable: bool


@dataclass(frozen=True)
class Observation:
    """What really happened in the lab.

    Attributes:
        reachable: Open WebUI's namespace reached Ollama (``GET /api/version`` answered).
        outcome: ok | name_not_resolved | connection_refused | unreachable (the engine's words).
        detail: what the probe saw, e.g. "[Errno 111] Connection refused".
        browser: the browser's URL (the lab's port) and whether ``GET /health`` answered.
        url: the URL probed (the base URL, with lab ports substituted).
        browser_detail: what the browser check saw.
    """

    reachable: bool
    outcome: str
    detail: str
    browser: BrowserObservation
    url: str = ""
    browser_detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "outcome": self.outcome,
            "detail": self.detail,
            "url": self.url,
            "browser": {"url": self.browser.url, "reachable": self.browser.reachable, "detail": self.browser_detail},
        }


@dataclass(frozen=True)
class LabResult:
    """A prediction and an observation of the same configuration.

    Attributes:
        predicted: the engine's verdict (with fixes).
        observed: what the lab saw.
        agree: same outcome class and same browser reachability.
        seconds: wall time of the whole run (up, probe, down).
        notes: what the lab substituted (ports, addresses) so the learner can map it back.
        teardown_seconds: how long removing everything took.
        session: the lab's session id (its objects' ``io.owui-lab.session`` label).
    """

    predicted: Verdict
    observed: Observation
    agree: bool
    seconds: float
    notes: tuple[str, ...] = ()
    teardown_seconds: float = 0.0
    session: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "predicted": self.predicted.to_dict(),
            "observed": self.observed.to_dict(),
            "agree": self.agree,
            "seconds": round(self.seconds, 3),
            "teardown_seconds": round(self.teardown_seconds, 3),
            "notes": list(self.notes),
        }

    def transcript(self) -> str:
        """Prediction, then observation, then whether they agree."""
        o = self.observed
        lines = [self.predicted.transcript(), "", f"Observed in the lab ({self.seconds:.1f} s):"]
        mark = "✓" if o.reachable else "✗"
        lines.append(f"  {mark} Open WebUI → Ollama at {o.url}: {o.outcome} ({o.detail})")
        mark = "✓" if o.browser.reachable else "✗"
        lines.append(f"  {mark} Browser → Open WebUI at {o.browser.url}: {o.browser_detail}")
        lines.append(
            "  => prediction and observation AGREE"
            if self.agree
            else "  => prediction and observation DISAGREE: one of them is wrong (please report it)"
        )
        if self.notes:
            lines.append("What the lab changed (the meaning is the same):")
            lines.extend(f"  * {n}" for n in self.notes)
        return "\n".join(lines)


def agrees(verdict: Verdict, observed: Observation) -> bool:
    """Same outcome class and the same browser reachability."""
    return verdict.outcome == observed.outcome and verdict.browser.reachable == observed.browser.reachable


# --------------------------------------------------------------------------------------------------
# Can the lab run here?
# --------------------------------------------------------------------------------------------------


def availability(config: Config | None = None) -> tuple[bool, str]:
    """Whether the lab can run here (for this configuration), and why not.

    Returns:
        (True, what daemon will run it) or (False, a reason a learner can read): no daemon answers
        (e.g. on Binder), the daemon is rootless Docker or Podman (whose networking differs from
        the Linux facts the kit teaches), or the configuration is for another platform.
    """
    try:
        cli = docker_api.client(timeout=10)
    except DockerUnavailable as exc:
        return False, f"{exc.message} The kit still predicts and explains; only the live lab needs Docker."
    try:
        info = docker_api.daemon_info(cli)
    except DockerUnavailable as exc:
        return False, exc.message
    finally:
        cli.close()
    problem = _platform_problem(info, config)
    return (False, problem) if problem else (True, f"the lab runs on {info.description}")


def _platform_problem(info: docker_api.DaemonInfo, config: Config | None) -> str | None:
    if info.kind in ("rootless", "podman"):
        return (
            f"This daemon is {info.description}: its networking (no docker0 on the host, ports forwarded "
            "by a user-space helper) differs from the Docker Engine facts the kit teaches, so the lab "
            "cannot reproduce the scenarios faithfully here; the prediction stands."
        )
    if config is not None and config.platform != info.platform:
        want = "Docker Desktop" if config.platform == "desktop" else "a Linux Docker Engine"
        return (
            f"This configuration is for {want}, but this daemon is {info.description}: the lab cannot "
            "emulate that platform here, so it shows the prediction only."
        )
    return None


# --------------------------------------------------------------------------------------------------
# Ctrl-C: never between creating an object and recording it
# --------------------------------------------------------------------------------------------------


class _DeferredInterrupt:
    """While active, Ctrl-C (SIGINT) only sets a flag; ``check()`` raises it at a safe point.

    A KeyboardInterrupt in the middle of an API call could leave a container the daemon created but
    the lab never heard of. Deferring the interrupt to the points between calls means the lab always
    knows what exists (and cleanup by label catches the rest). Only the main thread gets signals;
    elsewhere this does nothing.
    """

    def __init__(self, restore: bool = True) -> None:
        """``restore=False``: at exit ignore Ctrl-C until the process ends (a CLI command's last word)."""
        self.pending = False
        self._restore = restore
        self._previous: Any = None
        self._active = False

    def __enter__(self) -> "_DeferredInterrupt":
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
                self._active = True
            except ValueError:  # pragma: no cover - not the main interpreter
                self._active = False
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        self.pending = True

    def check(self) -> None:
        if self.pending:
            raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        if self._active and self._restore:
            signal.signal(signal.SIGINT, self._previous)
        elif self._active:
            # The command has decided (lab up and recorded, or removed): a Ctrl-C from here on must
            # not kill it. A Python handler is not enough: interpreter shutdown resets it to the
            # default action (death by SIGINT, exit -2, with the lab up); SIG_IGN survives shutdown.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (TCP) on any address of this host."""
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET, "127.0.0.1")):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


_HANDED_OUT: set[int] = set()  # ports this process already gave a lab (concurrent labs in threads)
_HANDED_OUT_LOCK = threading.Lock()


def _port_conflict(exc: BaseException) -> bool:
    text = str(exc)
    return "port is already allocated" in text or "address already in use" in text.lower()


def free_port(avoid: Iterable[int] = ()) -> int:
    """A TCP port that is free right now (the kernel's choice), not one of ``avoid``."""
    avoid = set(avoid)
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("0.0.0.0", 0))
            port = s.getsockname()[1]
        with _HANDED_OUT_LOCK:
            if port in avoid or port in _HANDED_OUT:
                continue
            _HANDED_OUT.add(port)
            return port
    raise LabError("No free TCP port could be found on this host.", "close some programs and try again.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _host_side(host: str) -> bool:
    """A URL host that means "this host" in some namespace: loopback, docker0, host.docker.internal."""
    if host in ("localhost", "host.docker.internal", DOCKER0_ADDRESS):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# --------------------------------------------------------------------------------------------------
# The lab
# --------------------------------------------------------------------------------------------------


def _placement(c: Config) -> tuple[Any, ...]:
    """What must be equal for configurations to share one Ollama (a lab family)."""
    return (c.platform, c.ollama, c.ollama_bind, c.ollama_network_effective, c.ollama_publish_effective,
            c.ollama_name if c.ollama_in_container else None)


def _webui_key(c: Config) -> tuple[str, bool, int]:
    return (c.webui_network, c.add_host_gateway, WEBUI_CONTAINER_PORT if c.webui_host_mode else c.webui_port)


@dataclass
class _Webui:
    key: tuple[str, bool, int]
    role: str
    host_port: int  # where this host reaches its /health (published, or its host-mode port)
    config_port: int  # the port the configuration's browser URL names
    container: Any = None


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
        client: "docker.DockerClient | None" = None,
    ) -> None:
        configs = [config] if isinstance(config, Config) else list(config)
        if not configs or not all(isinstance(c, Config) for c in configs):
            raise ConfigError("Lab needs a Config (or a list of them).", "build one with owui_lab.Config(...) or load_scenario(id).")
        if len({_placement(c) for c in configs}) != 1:
            raise ConfigError(
                "The configurations given to one Lab place Ollama differently.",
                "give one Lab only configurations with the same Ollama knobs (ollama, ollama_bind, "
                "ollama_network, ollama_publish, ollama_name, platform).",
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
        self.host_processes: list[subprocess.Popen] = []
        self.webuis: dict[tuple[str, bool, int], _Webui] = {}
        self.ports: dict[int, int] = {}  # configuration's host port -> the lab's host port
        self.docker0 = DOCKER0_ADDRESS
        self.up_seconds = 0.0
        self.teardown_seconds = 0.0
        self._client = client
        self._own_client = client is None
        self._is_up = False
        self._linux_host = True  # a Linux engine: docker0 is an address of this host
        self._detached = False
        self._logs: list[Path] = []

    # ---- lifecycle ----
    def __enter__(self) -> "Lab":
        self.up()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.down()

    @property
    def client(self) -> "docker.DockerClient":
        if self._client is None:
            self._client = docker_api.client()
        return self._client

    def up(self) -> "Lab":
        """Create everything; on any failure or Ctrl-C remove what was created and re-raise."""
        start = time.perf_counter()
        with _DeferredInterrupt() as interrupt:
            try:
                self._check_platform()
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
                        if attempt == 2 or not _port_conflict(exc):
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
        with _DeferredInterrupt():
            return self._teardown()

    def _teardown(self) -> float:
        start = time.perf_counter()
        for proc in self.host_processes:
            if proc.poll() is None:
                proc.terminate()
        problems: list[str] = []
        try:
            # No client yet means no Docker object was ever asked for: nothing to remove there.
            if self._client is not None:
                removed = docker_api.remove_labelled(self._client, session=self.session)
                problems.extend(removed.failed)
        except OwuiLabError as exc:
            problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - teardown must go on; report at the end
            problems.append(f"{exc.__class__.__name__}: {exc}")
        for proc in self.host_processes:
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=2)
        if not self._detached:
            # Belt and braces: any host stand-in of this session the list above missed, by its label.
            stop_host_processes(labelled_host_processes(session=self.session))
        for path in self._logs:
            path.unlink(missing_ok=True)
        self.host_processes, self.ollama_containers, self.networks = [], [], {}
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
        problem = _platform_problem(info, self.config)
        if problem:
            raise PlatformMismatch(problem, "run 'owui-lab predict' with the same knobs to see the prediction.")
        self._linux_host = info.platform == "linux"
        if info.docker0 and info.docker0 != DOCKER0_ADDRESS:
            self.docker0 = info.docker0
            self.notes.append(
                f"docker0 is {info.docker0} on this host, not {DOCKER0_ADDRESS}: the lab uses {info.docker0} "
                f"wherever the configuration says {DOCKER0_ADDRESS}."
            )

    def _validate_urls(self) -> None:
        checked: set[str] = set()
        for c in self.configs:
            host = c.parsed_base_url.host
            if _host_side(host):
                continue
            # A single-label name (the container's name, or a wrong one): Docker's DNS on the lab's
            # own networks, or nothing. Checked once against this host's DNS, which the lookups
            # fall back to, so that it cannot lead to another machine.
            if "." not in host and not _is_ip(host):
                if host not in checked:
                    _refuse_outside_name(host)
                    checked.add(host)
                continue
            raise LabError(
                f"The base URL {c.base_url} names '{host}', which is neither this host (localhost, "
                f"127.0.0.1, host.docker.internal, {DOCKER0_ADDRESS}) nor a container name (a single "
                "word, such as the Ollama container's name).",
                "the lab only sends traffic to this host and its own containers; use one of those hosts "
                "(owui-lab predict still explains the configuration as it is).",
            )

    def _config_host_ports(self) -> list[int]:
        """Every host port the configurations mention, in a stable order."""
        wanted: list[int] = []
        c0 = self.config
        if not c0.ollama_in_container or c0.ollama_network_effective == "host":
            wanted.append(c0.ollama_listen.port)
        wanted.append(OLLAMA_PORT)
        for c in self.configs:
            if _host_side(c.parsed_base_url.host):
                wanted.append(c.parsed_base_url.port)
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
        changed = [f"{k} → {v}" for k, v in self.ports.items() if k != v]
        if changed:
            self.notes.append(
                "Host ports busy or kept free here were replaced, consistently in every URL: "
                + ", ".join(changed) + " (container ports never change)."
            )

    def lab_url(self, c: Config) -> str:
        """The base URL as the lab probes it: the same host, the lab's port for a host port."""
        u = c.parsed_base_url
        if c.ollama_in_container and u.host == c.ollama_name:
            return _url(u.host, u.port)  # a container port: unchanged
        host = self.docker0 if u.host == DOCKER0_ADDRESS else u.host
        return _url(host, self.ports.get(u.port, u.port))

    def browser_url(self, c: Config) -> str:
        w = self.webuis[_webui_key(c)]
        return f"http://localhost:{w.host_port}"

    # ---- creation ----
    def _labels(self, role: str) -> dict[str, str]:
        return docker_api.labels(self.session, role)

    def _create(self, interrupt: _DeferredInterrupt) -> None:
        cli = self.client
        c0 = self.config
        net_names = []
        if c0.ollama_in_container and c0.ollama_network_effective not in ("bridge", "host"):
            net_names.append(c0.ollama_network_effective)
        net_names += [c.webui_network for c in self.configs if c.webui_network not in ("bridge", "host")]
        net_names = list(dict.fromkeys(net_names))

        def make_network(name: str) -> None:
            self.networks[name] = cli.networks.create(
                docker_api.network_name(self.session, name),
                driver="bridge",
                labels=self._labels("network"),
                check_duplicate=True,
            )

        docker_api.in_parallel(make_network, net_names)
        interrupt.check()
        used: set[int] = set()
        for i, key in enumerate(dict.fromkeys(_webui_key(c) for c in self.configs)):
            net, _gw, port = key
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

    def _container(self, role: str, command: list[str], **kwargs: Any) -> "Container":
        return self.client.containers.run(
            self.image,
            command,
            detach=True,
            name=docker_api.container_name(self.session, role),
            labels=self._labels(role),
            init=True,  # PID 1 forwards SIGTERM; with force-removal it stops at once anyway
            stop_signal="SIGTERM",
            **kwargs,
        )

    def _bind_addresses(self) -> list[str]:
        """Where a host-side Ollama listens in the lab: 0.0.0.0 becomes loopback + docker0."""
        listen = self.config.ollama_listen
        if listen.all_addresses:
            # Docker Desktop has no docker0 on the host: there the lab keeps Docker's meaning as is.
            return ["127.0.0.1", self.docker0] if self._linux_host else ["0.0.0.0"]
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
        source = _standin_source("ollama")
        if not c.ollama_in_container or c.ollama_network_effective == "host":
            port = self.ports[listen.port]
            addresses = self._bind_addresses()
            if listen.all_addresses and len(addresses) > 1:
                self.notes.append(
                    f"Ollama listens on 127.0.0.1 and docker0 ({self.docker0}) instead of 0.0.0.0: for "
                    "loopback, docker0 and containers that is the same, and your LAN sees nothing."
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
                    self.host_processes.append(self._host_process(source, bind, role))
            for address in addresses:
                self._wait_host_port("127.0.0.1" if address == "0.0.0.0" else address, port)
            return
        net = c.ollama_network_effective
        kwargs: dict[str, Any] = {"environment": {"OLLAMA_HOST": c.ollama_bind or "0.0.0.0:11434"}}
        publish = c.ollama_publish_effective
        lab_port = self.ports[OLLAMA_PORT]
        if publish == "all" and not self._linux_host:
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": lab_port}
        elif publish == "all":
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": [("127.0.0.1", lab_port), (self.docker0, lab_port)]}
            self.notes.append(
                f"-p {OLLAMA_PORT}:{OLLAMA_PORT} is published as -p 127.0.0.1:{lab_port}:{OLLAMA_PORT} and "
                f"-p {self.docker0}:{lab_port}:{OLLAMA_PORT}: the same for loopback, docker0 and containers, "
                "and nothing on your LAN."
            )
        elif publish == "loopback":
            kwargs["ports"] = {f"{OLLAMA_PORT}/tcp": ("127.0.0.1", lab_port)}
        if net == "bridge":
            kwargs["network"] = "bridge"
        else:
            docker_net = docker_api.network_name(self.session, net)
            kwargs["network"] = docker_net
            kwargs["networking_config"] = {
                docker_net: self.client.api.create_endpoint_config(aliases=[c.ollama_name])
            }
        container = self._container("ollama", ["python3", "-c", source, "--quiet"], **kwargs)
        self.ollama_containers.append(container)
        address = "127.0.0.1" if listen.all_addresses or listen.host == "localhost" else listen.host
        docker_api.wait_listening(container, address.strip("[]"), listen.port, READY_TIMEOUT)

    def _host_process(self, source: str, bind: str, role: str) -> subprocess.Popen:
        log_dir = state_dir()
        log = log_dir / f"{self.session}-{role}.log"
        self._logs.append(log)
        env = dict(os.environ)
        env.update({"OLLAMA_HOST": bind, HOST_PROCESS_ENV: self.session, "OWUI_LAB_MANAGED": "true"})
        with open(log, "wb") as out:
            return subprocess.Popen(
                [sys.executable, "-c", source, "--quiet"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the terminal's Ctrl-C is the lab's to handle, not the stand-in's
            )

    def _wait_host_port(self, address: str, port: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if _http_answers(address, port):
                    return
                raise OSError("no HTTP answer yet")
            except OSError:
                dead = [p for p in self.host_processes if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    text = "; ".join(p.read_text(errors="replace").strip()[-300:] for p in self._logs if p.exists())
                    raise LabError(
                        f"The stand-in Ollama did not listen on {address}:{port} ({text or 'no output'}).",
                        "the port may have been taken meanwhile: run the lab again.",
                    ) from None
                time.sleep(0.02)

    def _make_webui(self, w: _Webui) -> None:
        net, add_host, _port = w.key
        source = _standin_source("webui")
        kwargs: dict[str, Any] = {"environment": {"OLLAMA_BASE_URL": self.lab_url(self._config_of(w))}}
        if add_host:
            kwargs["extra_hosts"] = {"host.docker.internal": "host-gateway"}
        command = ["python3", "-c", source, "serve", "--quiet"]
        if net == "host":
            kwargs["network_mode"] = "host"
            command += ["--host", "127.0.0.1", "--port", str(w.host_port)]
        else:
            kwargs["network"] = "bridge" if net == "bridge" else docker_api.network_name(self.session, net)
            kwargs["ports"] = {f"{WEBUI_CONTAINER_PORT}/tcp": ("127.0.0.1", w.host_port)}
        w.container = self._container(w.role, command, **kwargs)

    def _config_of(self, w: _Webui) -> Config:
        return next(c for c in self.configs if _webui_key(c) == w.key)

    # ---- probing ----
    def observe_many(self, configs: Sequence[Config] | None = None) -> list[Observation]:
        """Probe several configurations of this lab at once (one probe per Open WebUI container)."""
        if not self._is_up:
            raise LabError("This lab is not up.", "use it inside 'with Lab(config) as lab:' (or call lab.up()).")
        configs = list(configs or self.configs)
        by_webui: dict[tuple[str, bool, int], list[Config]] = {}
        for c in configs:
            if _webui_key(c) not in self.webuis or _placement(c) != _placement(self.config):
                raise LabError(f"This lab was not built for the configuration {c}.", "create a Lab for it.")
            by_webui.setdefault(_webui_key(c), []).append(c)
        results: dict[tuple[tuple[str, bool, int], str], dict[str, Any]] = {}
        browsers: dict[tuple[str, bool, int], tuple[bool, str]] = {}

        def probe_one(key: tuple[str, bool, int]) -> None:
            w = self.webuis[key]
            urls = list(dict.fromkeys(self.lab_url(c) for c in by_webui[key]))
            for r in docker_api.probe_by_exec(w.container, urls, self.probe_timeout):
                results[(key, r.get("url"))] = r
            browsers[key] = _browser_check(w.host_port)

        docker_api.in_parallel(probe_one, list(by_webui))
        out = []
        for c in configs:
            key = _webui_key(c)
            url = self.lab_url(c)
            r = results.get((key, url)) or {"outcome": "unreachable", "detail": "the probe returned no result"}
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
        return {
            "session": self.session,
            "config": c.to_dict(),
            "containers": [x.name for x in self.ollama_containers]
            + [w.container.name for w in self.webuis.values() if w.container is not None],
            "networks": [n.name for n in self.networks.values()],
            "host_processes": [p.pid for p in self.host_processes],
            "ports": {str(k): v for k, v in self.ports.items()},
            "probe_url": self.lab_url(c),
            "browser_url": self.browser_url(c),
            "webui_container": wname,
            "commands": commands,
            "notes": list(self.notes),
        }


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


def _standin_source(name: str) -> str:
    from .standins import source

    return source(name)


def _http_answers(address: str, port: int) -> bool:
    """Whether an HTTP server answers ``GET /`` at address:port (not just a listening socket)."""
    with socket.create_connection((address, port), 1) as s:
        s.settimeout(2)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        return s.recv(5) == b"HTTP/"


def _browser_check(port: int) -> tuple[bool, str]:
    """GET /health on this host, retrying while Open WebUI starts (bounded)."""
    url = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + BROWSER_TIMEOUT
    last = ""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read(200).decode("utf-8", "replace")
                if response.status == 200 and '"status"' in body:
                    return True, f"GET /health answered {body.strip()}"
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
    )


# --------------------------------------------------------------------------------------------------
# Labs that stay up (owui-lab lab up / status / down) and host processes
# --------------------------------------------------------------------------------------------------


def state_dir() -> Path:
    """Where labs that stay up are recorded: ``$XDG_CACHE_HOME/owui-lab/labs`` (``~/.cache/...``)."""
    base = os.environ.get("OWUI_LAB_STATE_DIR")
    if base:
        path = Path(base)
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(cache) / "owui-lab" / "labs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def labelled_host_processes(session: str | None = None, run: str | None = None, run_prefix: str | None = None) -> list[int]:
    """PIDs of host stand-ins the kit started, found by their environment (their "label").

    ``run_prefix`` selects every run whose id starts with it (a test run and the runs it derives).
    """
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        values = dict(item.split(b"=", 1) for item in env if b"=" in item)
        if values.get(b"OWUI_LAB_MANAGED") != b"true" or HOST_PROCESS_ENV.encode() not in values:
            continue
        if session and values.get(HOST_PROCESS_ENV.encode()) != session.encode():
            continue
        if run and values.get(docker_api.RUN_ENV.encode()) != run.encode():
            continue
        if run_prefix and not values.get(docker_api.RUN_ENV.encode(), b"").startswith(run_prefix.encode()):
            continue
        found.append(int(entry.name))
    return sorted(found)


def stop_host_processes(pids: Iterable[int]) -> list[int]:
    """SIGTERM, then SIGKILL after a second, each of ``pids``; returns those stopped."""
    pids = list(pids)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 1.0
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                alive.discard(pid)
        time.sleep(0.02)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


def _zombie(pid: int) -> bool:
    try:
        return ") Z " in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True


def save_state(description: dict[str, Any]) -> Path:
    path = state_dir() / f"{description['session']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(description, indent=2))
    tmp.replace(path)
    return path


def load_states() -> list[dict[str, Any]]:
    out = []
    for path in sorted(state_dir().glob("*.json")):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return out


def forget_state(session: str) -> None:
    """Drop a lab's state file and the logs of its host stand-ins."""
    folder = state_dir()
    (folder / f"{session}.json").unlink(missing_ok=True)
    for log in folder.glob(f"{session}-*.log"):
        log.unlink(missing_ok=True)
