"""``predict``: the engine's verdict on a configuration, with fixes when something fails.

The public entry of the engine. ``engine.evaluate`` reasons through the four steps; when Ollama or
Open WebUI is not reachable, ``fixes.find_fixes`` tries changes and keeps those the engine says work.
This module sits above both, so neither imports the other back.
"""

from __future__ import annotations

from dataclasses import replace

from .catalog import Scenario, as_config
from .config import Config
from .engine import Verdict, evaluate
from .fixes import find_fixes


def predict(config: Config | Scenario | str) -> Verdict:
    """Predict whether Open WebUI reaches Ollama and the browser reaches Open WebUI, with reasons.

    Args:
        config: the deployment: a ``Config``, a ``Scenario`` or a seed scenario's id such as
            ``"linux-compose"``.

    Returns:
        The verdict: outcome, steps with reasons, the browser's view and, when anything fails,
        concrete fixes (each one checked by the engine itself to make everything work).

    Raises:
        ConfigError: ``config`` is none of those.
        ScenarioError: there is no seed scenario by that id.
    """
    config = as_config(config)
    verdict = evaluate(config)
    if verdict.reachable and verdict.browser.reachable:
        return verdict
    return replace(verdict, fixes=tuple(find_fixes(config)))
