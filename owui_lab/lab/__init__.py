"""The live lab: a configuration brought up for real on the local Docker daemon, probed, torn down.

``with Lab(config) as lab: lab.probe()``; ``run(config)`` does all of it and sets the observation
beside the engine's prediction. The rooms of this package:

- ``live``: the ``Lab`` lifecycle (plan ports, create, probe, tear down) and ``run``.
- ``results``: ``Observation``, ``LabResult``, ``agrees`` (pure data).
- ``ports``: host ports for a lab, and which URL hosts mean "this host".
- ``interrupt``: Ctrl-C deferred to safe points.
- ``processes``: host stand-ins (Ollama "on the host"), started and found by their labels.
- ``state``: the records of labs that stay up (strictly read, 0600).
- ``kept``: ``lab up``/``status``/``down``/``clean``.

Every Docker call goes through ``owui_lab.docker_api``; whether the lab can run here is
``owui_lab.environment.availability`` (re-exported here).
"""

from __future__ import annotations

from ..environment import availability
from .interrupt import DeferredInterrupt
from .live import BROWSER_TIMEOUT, PROBE_TIMEOUT, READY_TIMEOUT, Lab, run
from .ports import free_port, port_is_free
from .processes import HOST_PROCESS_ENV, labelled_host_processes, stop_host_processes
from .results import BrowserObservation, LabResult, Observation, agrees
from .state import forget_state, load_states, save_state, state_dir

__all__ = [
    "BROWSER_TIMEOUT",
    "HOST_PROCESS_ENV",
    "PROBE_TIMEOUT",
    "READY_TIMEOUT",
    "BrowserObservation",
    "DeferredInterrupt",
    "Lab",
    "LabResult",
    "Observation",
    "agrees",
    "availability",
    "forget_state",
    "free_port",
    "labelled_host_processes",
    "load_states",
    "port_is_free",
    "run",
    "save_state",
    "state_dir",
    "stop_host_processes",
]
