"""Host ports for a lab: the configuration's own when free, else a free one; and URL hosts.

A lab maps every host port the configuration names (11434, 3000, 8080) to a lab port; in one
process concurrent labs never get the same one (``free_port`` remembers what it handed out).
"""

from __future__ import annotations

import socket
import threading
from typing import Iterable

from ..config import DOCKER0_ADDRESS, read_host, stays_inside
from ..errors import LabError


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


def port_conflict(exc: BaseException) -> bool:
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


def host_side(host: str) -> bool:
    """A URL host that means "this host" in some namespace: loopback (``0.0.0.0`` too), docker0,
    ``host.docker.internal``, in every spelling the container's resolver reads (``config.read_host``)."""
    h = read_host(host)
    if h.is_named("localhost") or h.is_named("host.docker.internal"):
        return True
    return h.ip == DOCKER0_ADDRESS or stays_inside(host)


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
