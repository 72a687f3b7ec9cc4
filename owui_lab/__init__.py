"""owui-lab: see, toggle, run and check why Open WebUI can (not) reach Ollama under Docker.

The engine (``Config``, ``predict``, the seed scenarios) is imported eagerly and is light. Everything
that needs matplotlib, networkx, ipywidgets or the Docker SDK is imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .config import Config, parse_ollama_host
from .catalog import Scenario, load_scenario, scenario, scenarios
from .engine import Verdict
from .errors import OwuiLabError
from .export import save
from .prediction import predict

__version__ = "0.1.0"

# Exported name -> the module that defines it, imported on first access. No module is named like
# what it exports: importing a submodule binds its name on the package, which would shadow a function.
_LAZY = {
    "draw": "owui_lab.drawing",
    "topology": "owui_lab.graph",
    "Lab": "owui_lab.lab",
    "doctor": "owui_lab.diagnosis",
    "explorer": "owui_lab.widgets.explorer",
}

__all__ = [
    "Config",
    "OwuiLabError",
    "Scenario",
    "Verdict",
    "load_scenario",
    "parse_ollama_host",
    "predict",
    "save",
    "scenario",
    "scenarios",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'owui_lab' has no attribute {name!r}")
