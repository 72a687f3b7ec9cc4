"""Rootless Podman 4.3: make sure the Ollama container's name really is in aardvark-dns.

Measured on this kit's CI machine (Podman 4.3.1, netavark/aardvark-dns 1.4, rootless, through
``podman system service``): a container started while aardvark-dns is (re)starting is often missing
from it. Its name and aliases then never resolve on its network, not even from inside it seconds later,
and disconnecting and connecting it again does not help (4 of 6 such starts; aardvark's pid file named a
process that was gone). Started 2 s after aardvark-dns came up, 6 of 6 resolved; rootful Podman lost none
of 6.

That is Podman's bug, not a rule of its networks: a lab that met it would record "the name does not
resolve" where a learner's second start works. So on rootless Podman the lab asks, inside the Ollama
container, for the name Open WebUI will use; if aardvark-dns answers "no such name", the lab starts the
container again (the learner's fix too: the note ``rootless_podman_dns_start``).
"""

from __future__ import annotations

import time
from typing import Any, Callable

#: Starts of one container before the lab gives up and lets the measurement say what it sees.
ATTEMPTS = 5
#: How long one start may wait for aardvark-dns to answer at all.
ANSWER_SECONDS = 5.0

# Inside the container: resolve a name once. Exit 0: an address; 2: "no such name" (EAI_NONAME: the
# server answered without it); 3: nobody answered yet (EAI_AGAIN and the like).
_ASK = (
    "import socket, sys\n"
    "try:\n"
    "    socket.gethostbyname(sys.argv[1])\n"
    "except socket.gaierror as exc:\n"
    "    sys.exit(2 if exc.errno == socket.EAI_NONAME else 3)\n"
)


def resolvable(container: Any, name: str, start_again: Callable[[], Any]) -> tuple[Any, int]:
    """The container once ``name`` resolves inside it (started again while aardvark-dns says it has no
    such name), and how many times it was started again."""
    for again in range(ATTEMPTS):
        deadline = time.monotonic() + ANSWER_SECONDS
        code = 3
        while code == 3 and time.monotonic() < deadline:
            code = container.exec_run(["python3", "-c", _ASK, name]).exit_code
            if code == 3:
                time.sleep(0.2)
        if code != 2 or again == ATTEMPTS - 1:
            return container, again
        container.remove(force=True)
        time.sleep(0.5 * (again + 1))  # out of the window in which aardvark-dns drops what it is told
        container = start_again()
    return container, ATTEMPTS - 1
