"""The doctor: diagnose the learner's own Open WebUI ↔ Ollama setup, read-only.

``doctor()`` finds the Docker daemon, the Open WebUI and Ollama containers and an Ollama on the host;
reconstructs the configuration from ``docker inspect`` and asks the engine for a prediction; observes
from inside Open WebUI's network namespace whether each configured base URL really answers; and
returns a ``Report``: a ✓/✗ checklist with reasons, the fixes as exact commands, where observation
and prediction differ, and security findings. It changes nothing of the learner's: its only
container is a short-lived probe, labelled with the kit's labels and removed at once.

Modules: ``inspect`` (payloads → facts), ``reconstruct`` (facts → ``Config``, nearest scenario),
``observe`` (the live part), ``diagnose`` (facts + observations → report), ``report`` (rendering).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

from .diagnose import Observations, diagnose, ollama_candidates, urls_to_probe, webui_containers
from .inspect import OLLAMA_PORT
from .report import Check, Finding, Report

__all__ = ["Check", "Finding", "Report", "doctor"]


def doctor(
    containers: Sequence[str] | None = None,
    *,
    host_port: int = OLLAMA_PORT,
    timeout: float = 3.0,
    observe: bool = True,
    include_lab: bool = False,
    client: Any = None,
) -> Report:
    """Diagnose the Open WebUI and Ollama running here, and say how to fix what is broken.

    Args:
        containers: names or ids of the containers to examine; None examines every container
            (except the kit's own lab containers).
        host_port: the host port where a native Ollama would answer (11434; tests use a free one).
        timeout: seconds each base URL gets in the probe from Open WebUI's namespace.
        observe: False only predicts from ``docker inspect`` (no probe container, no HTTP).
        include_lab: also examine the kit's own lab containers.
        client: a connected ``docker.DockerClient``; None connects like the ``docker`` CLI does
            (``DOCKER_HOST``, else the current context).

    Returns:
        The report; ``str(report)`` is the checklist, ``report.to_dict()`` the JSON, and a notebook
        shows it as an HTML checklist.

    Raises:
        DockerUnavailable: no daemon answers, or this user may not use it (the doctor cannot look).
    """
    from .. import docker_api
    from ..errors import DockerUnavailable
    from . import observe as live

    started = time.monotonic()
    cli = client or docker_api.client()
    try:
        snapshot = live.collect(cli, containers, include_lab=include_lab)
    except Exception as exc:  # noqa: BLE001 - the SDK's errors (APIError, requests') become one paragraph
        raise DockerUnavailable(
            f"The Docker daemon answered, but listing or inspecting containers failed: {exc}.",
            "check that 'docker ps -a' and 'docker inspect' work for this user, then run the doctor again.",
        ) from None
    webuis = webui_containers(snapshot.containers)
    candidates = ollama_candidates(snapshot.containers, webuis)
    obs = Observations()
    host = None
    if observe:
        with ThreadPoolExecutor(max_workers=4) as pool:
            host_job = pool.submit(live.observe_host_ollama, snapshot, host_port)
            answer_job = pool.submit(live.observe_container_ollamas, snapshot, candidates)
            probe_job = browser_job = None
            if webuis and webuis[0].running:
                webui = webuis[0]
                urls = urls_to_probe(webui)
                probe_job = pool.submit(_probe, cli, webui, urls, timeout)
                browser_job = pool.submit(_browser, snapshot, webui)
            host = host_job.result()
            answering = answer_job.result()
            results, method = probe_job.result() if probe_job else ({}, "")
            browser = browser_job.result() if browser_job else None
        obs = Observations(urls=results, method=method, browser=browser, answering=answering)
    report = diagnose(
        snapshot.daemon,
        snapshot.containers,
        host,
        obs if observe else None,
        firewall=live.firewall_hint() if observe and snapshot.daemon.local else "",
        missing=snapshot.missing,
        skipped_lab=snapshot.skipped_lab,
    )
    if obs.method:
        report.notes.append(f"Observed with {obs.method}.")
    report.seconds = time.monotonic() - started
    return report


def _probe(cli: Any, webui: Any, urls: list[str], timeout: float) -> tuple[dict[str, dict[str, Any]], str]:
    from ..errors import OwuiLabError
    from . import observe as live

    if not urls:
        return {}, ""
    try:
        results, method = live.probe_urls(cli, webui, urls, timeout)
    except OwuiLabError as exc:
        return {}, f"no probe ({exc.message})"
    return {r["url"]: r for r in results if isinstance(r, dict) and "url" in r}, method


def _browser(snapshot: Any, webui: Any) -> tuple[bool, str] | None:
    from . import observe as live

    if not snapshot.daemon.local:
        return None
    port = int(webui.env.get("PORT", "8080")) if webui.env.get("PORT", "8080").isdigit() else 8080
    if webui.host_mode:
        if snapshot.daemon.platform == "desktop":
            return live.observe_browser("127.0.0.1", port)
        return live.observe_browser("127.0.0.1", port)
    bindings = webui.published(port)
    if not bindings:
        return None
    b = bindings[0]
    if not (b.all_addresses or b.loopback_only):
        return None  # only loopback is asked; an address of another interface is not
    return live.observe_browser("127.0.0.1", b.host_port)
