"""The doctor: diagnose the learner's own Open WebUI ↔ Ollama setup, read-only.

``doctor()`` finds the Docker daemon, the Open WebUI and Ollama containers and an Ollama on the host;
reads the Ollama URLs Open WebUI saved in its database (they win over its environment after the first
start); reconstructs the configuration from ``docker inspect`` and asks the engine for a prediction; observes
from inside Open WebUI's network namespace whether each configured base URL really answers; and
returns a ``Report``: a ✓/✗ checklist with reasons, the fixes as exact commands, where observation
and prediction differ, and security findings. It changes nothing of the learner's: its only
container is a short-lived probe, labelled with the kit's labels and removed at once.

Modules: ``inspect`` (payloads → facts), ``savedurl`` (Open WebUI's saved URLs, read from a copy of its
database), ``reconstruct`` (facts → ``Config``, nearest scenario), ``observe`` (the live part, through
``docker_api``), ``diagnose`` (facts + observations → report), ``report`` (the report; its HTML is
``presentation.doctor_html``'s), ``cases`` (worked examples for the lessons, diagnosed, not written).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Sequence

from ..errors import ConfigError, DockerUnavailable, OwuiLabError
from .diagnose import Observations, diagnose, ollama_candidates, urls_to_probe, webui_containers
from .inspect import OLLAMA_PORT
from .report import Check, Finding, Report
from . import observe as live
from .. import docker_api

__all__ = ["Check", "Finding", "Report", "doctor"]


def doctor(
    containers: str | Sequence[str] | None = None,
    *,
    host_port: int = OLLAMA_PORT,
    timeout: float = 3.0,
    observe: bool = True,
    include_lab: bool = False,
    client: Any = None,
    webui_token: str | None = None,
    sign_in: bool = False,
    as_webui: bool = False,
) -> Report:
    """Diagnose the Open WebUI and Ollama running here, and say how to fix what is broken.

    Args:
        containers: the name or id of the container to examine, or several; None examines every
            container (except the kit's own lab containers). Every container is still looked at, to
            find the Ollama a URL leads to.
        host_port: the host port where a native Ollama would answer (11434; tests use a free one).
        timeout: seconds each base URL gets in the probe from Open WebUI's namespace.
        observe: False only predicts from ``docker inspect`` (no probe container, no HTTP).
        include_lab: also examine the kit's own lab containers.
        client: a connected ``docker.DockerClient``; None connects like the ``docker`` CLI does
            (``DOCKER_HOST``, else the current context).
        webui_token: an Open WebUI admin's API key or token (else ``OWUI_LAB_WEBUI_TOKEN``): the
            doctor then also asks Open WebUI's ``/ollama/config`` which URLs it uses.
        sign_in: on an Open WebUI without login (``WEBUI_AUTH=False``), sign in as its own page does
            and ask ``/ollama/config`` (Open WebUI notes the visit in its database; off by default).
        as_webui: take the named container for Open WebUI whatever its image and environment say
            (a mirror of the image that relies on its default URL); needs ``containers``.

    Returns:
        The report; ``str(report)`` is the checklist, ``report.to_dict()`` the JSON, and a notebook
        shows it as an HTML checklist.

    Raises:
        DockerUnavailable: no daemon answers, or this user may not use it (the doctor cannot look).
    """
    if isinstance(containers, str):
        containers = [containers]  # doctor("open-webui") names one container, not eleven letters
    elif containers is not None:
        containers = list(containers) if isinstance(containers, (list, tuple, set, frozenset)) else [containers]
        if not all(isinstance(c, str) and c for c in containers):
            raise ConfigError(
                f"doctor() takes container names or ids, not {containers!r}.",
                'name one container, e.g. doctor("open-webui"), or several: doctor(["open-webui", "ollama"]).',
            )
    if as_webui and (not containers or len(containers) != 1):
        raise ConfigError(
            "doctor(..., as_webui=True) needs the one container to take for Open WebUI.",
            'name it: doctor("my-webui", as_webui=True), or owui-lab doctor --container my-webui --as-webui.',
        )
    token = webui_token if webui_token is not None else os.environ.get("OWUI_LAB_WEBUI_TOKEN", "")
    started = time.monotonic()
    cli = client or docker_api.client()
    try:
        snapshot = live.collect(cli, containers, include_lab=include_lab)
    except Exception as exc:  # noqa: BLE001 - the SDK's errors (APIError, requests') become one paragraph
        raise DockerUnavailable(
            f"The Docker daemon answered, but listing or inspecting containers failed: {exc}.",
            "check that 'docker ps -a' and 'docker inspect' work for this user, then run the doctor again.",
        ) from None
    if as_webui and snapshot.focus:
        snapshot.containers = [replace(c, named_webui=True) if c.id in snapshot.focus else c for c in snapshot.containers]
    webuis = webui_containers(snapshot.containers, snapshot.focus)
    candidates = ollama_candidates(snapshot.containers, webuis)
    saved = _saved(cli, snapshot, webuis[0], token, sign_in) if webuis else None
    obs = Observations()
    host = None
    if observe:
        docker_api.remove_stale_probes(cli)  # a probe of a killed run (SIGKILL) outlives nothing for long
        with ThreadPoolExecutor(max_workers=4) as pool:
            host_job = pool.submit(live.observe_host_ollama, snapshot, host_port)
            answer_job = pool.submit(live.observe_container_ollamas, snapshot, candidates)
            probe_job = browser_job = None
            if webuis and webuis[0].running:
                webui = webuis[0]
                urls = urls_to_probe(webui, saved)
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
        skipped_lab=snapshot.skipped_lab if snapshot.focus is None else 0,
        focus=snapshot.focus,
        saved=saved,
    )
    if obs.method:
        report.notes.append(f"Observed with {obs.method}.")
    report.seconds = time.monotonic() - started
    return report


def _saved(cli: Any, snapshot: Any, webui: Any, token: str, sign_in: bool) -> Any:
    """What Open WebUI saved: asked of Open WebUI itself when a token (or an open instance) allows,
    else read from a private copy of its database."""
    address = _webui_address(snapshot, webui)
    if address is not None and webui.running:
        if not token and sign_in and webui.env.get("WEBUI_AUTH", "").lower() == "false":
            token = live.sign_in_open_instance(*address)
        if token:
            asked = live.ask_open_webui(*address, token)
            if asked.found:
                return asked
    return live.read_saved_urls(cli, webui)


def _webui_address(snapshot: Any, webui: Any) -> tuple[str, int] | None:
    """Where this machine reaches Open WebUI's own port (loopback), or None when it cannot."""
    if not snapshot.daemon.local:
        return None
    if webui.host_mode:
        return "127.0.0.1", webui.webui_port
    bindings = [b for b in webui.published(webui.webui_port) if b.all_addresses or b.loopback_only]
    return ("127.0.0.1", bindings[0].host_port) if bindings else None


def _probe(cli: Any, webui: Any, urls: list[str], timeout: float) -> tuple[dict[str, dict[str, Any]], str]:
    if not urls:
        return {}, ""
    try:
        results, method = live.probe_urls(cli, webui, urls, timeout)
    except OwuiLabError as exc:
        return {}, f"no probe ({exc.message})"
    except Exception as exc:  # noqa: BLE001 - the SDK's and requests' errors: one sentence, no traceback
        return {}, f"no probe (Docker refused it: {exc.__class__.__name__})"
    return {r["url"]: r for r in results if isinstance(r, dict) and "url" in r}, method


def _browser(snapshot: Any, webui: Any) -> tuple[bool, str] | None:
    address = _webui_address(snapshot, webui)  # only loopback is asked, never another interface
    return live.observe_browser(*address) if address else None
