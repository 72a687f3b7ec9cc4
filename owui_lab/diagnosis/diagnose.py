"""From facts (and, when live, observations) to the report: checks, fixes, differences, findings.

Pure: no daemon, no network. ``doctor()`` feeds it what ``observe.py`` collected; the offline tests
feed it recorded ``docker inspect`` payloads, with or without made-up observations.

Why it is longer than the house's ~500 lines: every check the doctor makes and the fix it writes for
it stand side by side, in the order the report shows them (daemon, containers, saved URL, each
base URL); split apart, a check and its fix would live in two files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping, Sequence

from ..config import DOCKER0_ADDRESS, OLLAMA_PORT, redact_url
from ..docker_api import DaemonInfo
from ..prediction import predict
from .inspect import (
    BaseUrls,
    ContainerFacts,
    HostOllama,
    base_urls,
    is_webui_image,
    looks_like_ollama,
    looks_like_webui,
    may_be_ollama,
    not_webui,
)
from .reconstruct import OllamaTarget, Reconstruction, check_url, network_view, reconstruct, unalias
from .report import Check, Finding, Report
from .savedurl import SavedUrls, UrlsInUse, urls_in_use

WEBUI_DATA = "/app/backend/data"

README_HOST_OLLAMA = (
    "docker run -d -p 3000:8080 --add-host=host.docker.internal:host-gateway "
    "-v open-webui:/app/backend/data --name open-webui --restart always ghcr.io/open-webui/open-webui:main"
)
README_HOST_NETWORK = (
    "docker run -d --network=host -v open-webui:/app/backend/data -e OLLAMA_BASE_URL=http://127.0.0.1:11434 "
    "--name open-webui --restart always ghcr.io/open-webui/open-webui:main"
)
README_BUNDLED = (
    "docker run -d -p 3000:8080 -v ollama:/root/.ollama -v open-webui:/app/backend/data "
    "--name open-webui --restart always ghcr.io/open-webui/open-webui:ollama"
)
OLLAMA_CONTAINER = "docker run -d -v ollama:/root/.ollama -p 127.0.0.1:11434:11434 --name ollama ollama/ollama"
OLLAMA_INSTALL = "curl -fsSL https://ollama.com/install.sh | sh   # Ollama as a systemd service on Linux"


@dataclass
class Observations:
    """What the doctor saw live (all optional: offline, nothing was seen).

    Attributes:
        urls: per URL, the probe's result: {"outcome", "detail"}.
        method: how the URLs were probed (a phrase), or why they could not be.
        browser: (answered, detail) for Open WebUI's page from the host, or None when not asked.
        answering: container name → it answered "Ollama is running" on its own address.
    """

    urls: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    method: str = ""
    browser: tuple[bool, str] | None = None
    answering: Mapping[str, bool] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Choosing what to examine
# --------------------------------------------------------------------------------------------------


def webui_containers(containers: Sequence[ContainerFacts], focus: Collection[str] | None = None) -> list[ContainerFacts]:
    """Open WebUI containers, the one to examine first: running, by image, then by name.

    With ``focus`` (ids of the containers the learner named), only those are examined when one of
    them is an Open WebUI; naming only the Ollama examines every Open WebUI there is.
    """
    found = [c for c in containers if looks_like_webui(c)]
    if focus is not None and any(c.id in focus for c in found):
        found = [c for c in found if c.id in focus]
    elif focus and not any(c.id in focus and (looks_like_ollama(c) or may_be_ollama(c)) for c in containers):
        found = []  # named containers that are neither: never silently examine another one instead
    return sorted(found, key=lambda c: (not c.running, not is_webui_image(c.image), c.name))


def ollama_candidates(containers: Sequence[ContainerFacts], webuis: Sequence[ContainerFacts]) -> list[ContainerFacts]:
    """Containers worth asking "are you Ollama?": the ollama image, or 11434 exposed/published."""
    skip = {c.id for c in webuis}
    return [c for c in containers if c.id not in skip and (looks_like_ollama(c) or may_be_ollama(c))]


def urls_of(webui: ContainerFacts) -> BaseUrls:
    # A container named as Open WebUI (a mirror of the image) has the image's default URL too.
    return base_urls(webui.env, official_image=is_webui_image(webui.image) or webui.named_webui)


def in_use(webui: ContainerFacts, saved: SavedUrls | None) -> UrlsInUse:
    """The URLs this Open WebUI really uses: the saved ones while persistence is on, else the environment's."""
    b = urls_of(webui)
    return urls_in_use(b.urls, saved, persistent=b.persistent_config, reset_on_start=b.reset_on_start)


def urls_to_probe(webui: ContainerFacts, saved: SavedUrls | None = None) -> list[str]:
    """The URLs Open WebUI uses, plus the environment's it ignores (to compare), well-formed ones only."""
    b = urls_of(webui)
    use = in_use(webui, saved)
    out = [u for u in use.urls if u]
    for extra in (*b.urls, _ignored_base_url(webui, b)):
        if extra and extra not in out:
            out.append(extra)
    return [u for u in out if check_url(u)[0]]


def _ignored_base_url(webui: ContainerFacts, b: BaseUrls) -> str:
    if b.source != "OLLAMA_BASE_URLS":
        return ""
    value = webui.env.get("OLLAMA_BASE_URL", "").rstrip("/")
    return value if value not in ("", "/ollama") else ""


# --------------------------------------------------------------------------------------------------
# The diagnosis
# --------------------------------------------------------------------------------------------------


def diagnose(
    daemon: DaemonInfo,
    containers: Sequence[ContainerFacts],
    host: HostOllama | None = None,
    observations: Observations | None = None,
    *,
    firewall: str = "",
    missing: Sequence[str] = (),
    skipped_lab: int = 0,
    focus: Collection[str] | None = None,
    saved: SavedUrls | None = None,
) -> Report:
    """Examine the learner's setup and write the report.

    Args:
        daemon: the daemon's facts.
        containers: the containers looked at (all of them, also when the learner named some).
        host: what answered on the host's Ollama port (None: not asked).
        observations: what was seen live (None: predict only).
        firewall: a hint that a host firewall is on ("" when none was seen).
        missing: containers asked for by name that do not exist.
        skipped_lab: how many of the kit's own lab containers were left out.
        focus: ids of the containers the learner named (None: examine everything); the others are
            still looked at, to find the Ollama a URL leads to.
        saved: what Open WebUI saved in its database about its Ollama URLs (None: not read).

    Returns:
        The report.
    """
    obs = observations or Observations()
    report = Report(daemon=daemon.to_dict())
    report.checks.append(Check("daemon", True, f"{daemon.product} answers" + (f" at {redact_url(daemon.endpoint)}" if daemon.endpoint else "")))
    if daemon.podman:
        report.notes.append(
            "Podman: the host's name inside containers is host.containers.internal (built in, no flag). "
            "Podman 4.3 refuses --add-host=host.docker.internal:host-gateway (\"invalid IP address in add-host\"; "
            "through its Docker-compatible API the word host-gateway lands in /etc/hosts and resolves nothing): "
            "use OLLAMA_BASE_URL=http://host.containers.internal:11434 instead (measured on Podman 4.3.1)."
        )
    if daemon.kind == "rootless" or (daemon.podman and daemon.podman_rootless):
        report.notes.append(
            f"{daemon.product}: containers reach a host Ollama only at the host's own LAN address (through "
            "slirp4netns), so it must listen on 0.0.0.0; the network's gateway is inside the engine's own "
            "namespace, not the host (measured; docs/engines.md)."
        )
    if not daemon.local:
        report.notes.append(
            f"The daemon is remote ({redact_url(daemon.endpoint)}): the host checks (Ollama on port 11434, the "
            "browser URL) were not made from this machine."
        )
    for name in missing:
        report.checks.append(Check("container", False, f"no container is named '{name}' (or has that id)"))
    for c in containers:
        if focus and c.id in focus and not_webui(c) and not (looks_like_ollama(c) or may_be_ollama(c)):
            report.checks.append(Check("container", False, (
                f"'{c.name}' ({c.image}, {c.state_phrase}) is not taken for Open WebUI: {not_webui(c)}. If it is "
                f"your Open WebUI, ask for it: owui-lab doctor --container {c.name} --as-webui "
                f"(in Python: doctor('{c.name}', as_webui=True))")))
    if skipped_lab:
        report.notes.append(f"Left out {skipped_lab} of the kit's own lab container(s) (labelled io.owui-lab.managed).")
    webuis = webui_containers(containers, focus)
    answering = [name for name, ok in obs.answering.items() if ok]
    ollamas = [c for c in ollama_candidates(containers, webuis) if looks_like_ollama(c) or c.name in answering]
    in_scope = [c for c in containers if focus is None or c.id in focus or c in webuis]
    _security(report, in_scope, webuis, [o for o in ollamas if o in in_scope], host, firewall, daemon)
    if not webuis:
        _no_webui(report, daemon, ollamas, host)
        return report
    webui = webuis[0]
    report.others = [
        {"name": w.name, "image": w.image, "base_urls": [redact_url(u) for u in urls_of(w).urls], "running": w.running}
        for w in webuis[1:]
    ]
    _examine(report, daemon, webui, containers, host, obs, answering, saved)
    return report


def _webui_dict(webui: ContainerFacts, b: BaseUrls, use: UrlsInUse) -> dict[str, Any]:
    return {
        "name": webui.name,
        "id": webui.short_id,
        "image": webui.image,
        "running": webui.running,
        "state": webui.status,
        "base_urls": [redact_url(u) for u in use.urls],
        "base_urls_source": "database" if use.from_saved else b.source,
        "env_base_urls": [redact_url(u) for u in b.urls],
        "env_source": b.source,
        "network_mode": webui.network_mode,
        "networks": list(webui.network_names),
        "published": [p.flag() for p in webui.ports],
        "extra_hosts": [f"{n}:{a}" for n, a in webui.extra_hosts],
        "compose_project": webui.compose_project or None,
    }


def _env_name(b: BaseUrls) -> str:
    """How the learner set the environment's URL, for a sentence: ``OLLAMA_BASE_URL=http://...``."""
    shown = ";".join(redact_url(u) for u in b.urls)
    if b.source in ("OLLAMA_BASE_URL", "OLLAMA_BASE_URLS", "OLLAMA_API_BASE_URL"):
        return f"{b.source}={shown}"
    return f"the image's default {shown}"


def _examine(
    report: Report,
    daemon: DaemonInfo,
    webui: ContainerFacts,
    containers: Sequence[ContainerFacts],
    host: HostOllama | None,
    obs: Observations,
    answering: Sequence[str],
    saved: SavedUrls | None,
) -> None:
    b = urls_of(webui)
    use = urls_in_use(b.urls, saved, persistent=b.persistent_config, reset_on_start=b.reset_on_start)
    report.webui = _webui_dict(webui, b, use)
    report.saved = saved.to_dict() if saved is not None else None
    why = looks_like_webui(webui)
    report.checks.append(Check("webui", True, f"Open WebUI container '{webui.name}' ({why})"))
    looping = _crash_looping(webui)
    if webui.running and looping:
        running_line = Check("webui_running", False, (
            f"it is running this instant, but Docker has restarted it {webui.restart_count} times in a few minutes: "
            f"it keeps crashing (docker logs --tail 50 {webui.name} says why)"))
    else:
        running_line = Check("webui_running", webui.running, "it is running" if webui.running else f"it is {webui.state_phrase}")
    report.checks.append(running_line)
    report.notes.extend(n[0].upper() + n[1:] + "." for n in b.notes)
    _saved_check(report, webui, b, use, saved)
    view, network_note = network_view(webui, containers)
    if network_note:
        report.notes.append(network_note[0].upper() + network_note[1:] + ".")
    if view is None:
        report.checks.append(Check("network", False, network_note))
        if webui.network_mode == "none":
            report.fixes.append(
                f"recreate '{webui.name}' without --network none: on a user-defined network shared with Ollama "
                "(--network NET, OLLAMA_BASE_URL=http://OLLAMA-NAME:11434), or on the default bridge with -p "
                "3000:8080 --add-host=host.docker.internal:host-gateway for an Ollama on the host"
            )
    if not use.urls:
        off = "ENABLE_OLLAMA_API is off" if (saved and saved.enabled is False) else "every Ollama connection is switched off"
        report.checks.append(Check("base_url", False, f"Open WebUI asks no Ollama: {off}"))
        report.fixes.append("turn the Ollama API on in Admin Panel → Settings → Connections (Ollama API), then Save")
        report.headline = f"Open WebUI asks no Ollama: {off}."
        report.reachable, report.outcome = False, None
        return
    source = "database" if use.from_saved else b.source
    recs = [_reconstruct(url, view, webui, containers, daemon, host, answering, network_note) for url in use.urls]
    # Docker Desktop host networking: the browser (or an observed ok) tells whether it is on
    if view is not None and daemon.platform == "desktop" and view.host_mode and obs.browser is not None:
        recs = [
            reconstruct(r.url, view, containers, daemon, host, answering=answering, desktop_host_networking=obs.browser[0])
            for r in recs
        ]
    results = [_url_result(rec, b, webui, obs, source) for rec in recs]
    report.urls = [r["public"] for r in results]
    main = next((r for r in results if r["ok"]), results[0])
    main_rec: Reconstruction = main["rec"]
    report.scenario = main_rec.scenario
    report.predicted = main["verdict"].to_dict() if main["verdict"] is not None else None
    if report.predicted is not None and main_rec.url_problem:
        report.predicted["as_configured"] = {
            "base_url": redact_url(main_rec.url),
            "outcome": "unreachable",
            "reason": main_rec.url_problem,
            "note": f"the verdict above is for {main_rec.engine_url}, the URL as it should be written",
        }
    report.ollama = main_rec.target.to_dict()
    report.observed = all(r["observed_outcome"] is not None for r in results)
    report.reachable = any(r["ok"] for r in results)
    report.outcome = main["outcome"]
    t = main_rec.target
    _ollama_check(report, t, obs)
    for r in results:
        report.checks.extend(r["checks"])
    # the environment's URLs, which Open WebUI ignores while a saved one is there
    env_results = []
    if use.differs:
        for url in b.urls:
            if url in use.urls:
                continue
            rec = _reconstruct(url, view, webui, containers, daemon, host, answering, network_note)
            r = _url_result(rec, b, webui, obs, b.source)
            env_results.append(r)
            words = OUTCOME_WORDS.get(r["outcome"], r["outcome"])
            how = "observed" if r["observed_outcome"] else "predicted"
            report.checks.append(Check("env_url", r["ok"], f"{redact_url(url)} from {b.source}, ignored while the saved URL is there: {words} ({how})"))
        report.env_urls = [r["public"] for r in env_results]
    # what to do first (all of it), then the fixes (any one)
    _first_steps(report, webui, t)
    trap_fixes = _saved_url_fixes(webui, b, use, results, env_results) if use.differs and not report.reachable else []
    report.fixes.extend(trap_fixes)
    if not trap_fixes:  # the environment's URL works: the ways out of the trap are the whole fix
        for r in results:
            if not r["ok"]:
                report.fixes.extend(r["fixes"])
    if use.differs and report.reachable and env_results and not any(r["ok"] for r in env_results):
        report.notes.append(
            f"{_env_name(b)} is ignored while the URL saved in Open WebUI's database is there, and it would fail "
            f"({OUTCOME_WORDS.get(env_results[0]['outcome'], env_results[0]['outcome'])}): if you ever set "
            "ENABLE_PERSISTENT_CONFIG=false or RESET_CONFIG_ON_START=true, correct it first (or remove it)."
        )
    report.discrepancies.extend(d for r in results for d in r["discrepancies"])
    if t.where == "none":
        report.start_commands = _ollama_start_commands(daemon)
    _browser(report, daemon, view or webui, main, obs)
    if report.reachable and b.persistent_config and not b.reset_on_start and webui.mount_at(WEBUI_DATA) and (
        saved is None or not saved.found
    ):
        report.notes.append(
            "If Open WebUI still shows 'Server Connection Error' although this says Ollama is reachable, a URL "
            "saved in its database may override the environment (ENABLE_PERSISTENT_CONFIG is true by default) and "
            "the doctor could not read it: look in Admin Panel → Settings → Connections."
        )
    for rec in recs:
        report.notes.extend(rec.unexpressed)
        report.notes.extend(f"Assumed: {a}." for a in rec.assumptions)
    if main["verdict"] is not None:
        for note in main["verdict"].note_data:
            if note.security:
                continue  # the doctor's own findings say it about the real setup
            if note.code.startswith("via_docker_proxy") and t.where != "host":
                continue
            report.notes.append(note.text)
    report.headline = _headline(report, webui, b, use, t, main, network_note if view is None else "")
    report.first = list(dict.fromkeys(report.first))
    report.fixes = list(dict.fromkeys(f for f in report.fixes if f not in report.first))
    report.notes = list(dict.fromkeys(report.notes))
    report.discrepancies = list(dict.fromkeys(report.discrepancies))


def _reconstruct(url, view, webui, containers, daemon, host, answering, network_note) -> Reconstruction:
    """``reconstruct`` on Open WebUI's network view; without a view (no network) no prediction."""
    from dataclasses import replace

    rec = reconstruct(url, view or webui, containers, daemon, host, answering=answering)
    if view is None:
        return replace(rec, config=None, scenario=None, unexpressed=(network_note,))
    return rec


def _saved_check(report: Report, webui: ContainerFacts, b: BaseUrls, use: UrlsInUse, saved: SavedUrls | None) -> None:
    """One line about what Open WebUI saved, and a sentence when it could not be read."""
    if saved is None:
        return
    where = f" ({saved.where})" if saved.where else ""
    if not b.persistent_config:
        report.notes.append(
            "ENABLE_PERSISTENT_CONFIG=false: Open WebUI reads its Ollama URL from the environment at every start; "
            "what its database holds is ignored."
        )
    elif b.reset_on_start:
        report.notes.append(
            "RESET_CONFIG_ON_START=true: Open WebUI empties its saved settings at every start and takes the environment's."
        )
    if saved.found:
        shown = ", ".join(redact_url(u) for u in saved.urls) or "(none)"
        if use.from_saved and use.differs:
            report.checks.append(Check(
                "saved_url", False,
                f"saved in Open WebUI's {saved.source}{where}: {shown}; Open WebUI uses it, not {_env_name(b)}",
            ))
        elif use.from_saved:
            report.checks.append(Check("saved_url", True, f"saved in Open WebUI's {saved.source}{where}: {shown}, the same as the environment"))
        report.notes.extend(n[0].upper() + n[1:] + "." for n in use.notes)
    elif saved.pending:
        report.notes.append(f"Open WebUI has saved nothing yet{where}: {saved.problem}; at its first start it saves {_env_name(b)}.")
    elif saved.problem:
        report.notes.append(
            f"The doctor could not read the Ollama URL Open WebUI saved{where}: {saved.problem}. "
            "Look in Admin Panel → Settings → Connections to see the URL it really uses."
        )


def _saved_url_fixes(
    webui: ContainerFacts, b: BaseUrls, use: UrlsInUse, results: Sequence[dict[str, Any]], env_results: Sequence[dict[str, Any]]
) -> list[str]:
    """Both ways out of the trap, exactly: change the saved URL, or make Open WebUI read the environment."""
    saved = ", ".join(redact_url(u) for u in use.urls)
    working_env = [r for r in env_results if r["ok"]]
    fixes = []
    if working_env:
        good = redact_url(working_env[0]["rec"].url)
        fixes.append(
            f"in Open WebUI: Admin Panel → Settings → Connections → Ollama API, change {saved} to {good} and Save "
            "(it applies at once, no restart)"
        )
        if webui.compose_project:
            recreate = (
                'in the compose file, under the service\'s environment: ENABLE_PERSISTENT_CONFIG: "false", then '
                "docker compose up -d"
            )
            reset = 'RESET_CONFIG_ON_START: "true" under environment:, docker compose up -d once, then remove it'
        else:
            recreate = (
                f"docker rm -f {webui.name}, then your docker run with -e ENABLE_PERSISTENT_CONFIG=false added "
                "(the data volume keeps your chats)"
            )
            reset = f"docker rm -f {webui.name}, your docker run once with -e RESET_CONFIG_ON_START=true, then without it"
        fixes.append(
            f"or make Open WebUI read the environment at every start: {recreate}; it then uses "
            f"{_env_name(b)}, and what you change in the admin panel is no longer kept"
        )
        fixes.append(
            f"or reset the saved settings once: {reset} (this empties ALL of Open WebUI's saved settings, not only "
            "the Ollama URL, and takes the environment's again)"
        )
    return fixes


def _ollama_check(report: Report, t: OllamaTarget, obs: Observations) -> None:
    if t.where == "none":
        report.checks.append(Check("ollama", False, t.how))
    elif t.where in ("host", "bundled"):
        report.checks.append(Check("ollama", True, t.how))
    else:
        c = t.container
        assert c is not None
        answered = obs.answering.get(c.name)
        by_image = " (found by its image only)" if looks_like_ollama(c) and answered is None and not c.running else ""
        state = "running" if c.running else f"NOT running: {c.state_phrase}"
        extra = "" if answered is None else ("; answers 'Ollama is running' on its own address" if answered else "; does NOT answer on its own address, port 11434")
        report.checks.append(Check(
            "ollama", c.running and answered is not False,
            f"Ollama container '{c.name}' ({c.image}){by_image}, {state}{extra}; {t.how}",
        ))


def _first_steps(report: Report, webui: ContainerFacts, t: OllamaTarget) -> None:
    """What must happen before any fix can work: an Ollama that runs, an Open WebUI that runs."""
    if t.where == "none":
        report.first.append("start an Ollama (the commands below)")
    elif t.where == "container" and t.container is not None and not t.container.running:
        report.first.append(_start_step(t.container, "Ollama"))
    if not webui.running or _crash_looping(webui):
        report.first.append(_start_step(webui, "Open WebUI"))


def _crash_looping(c: ContainerFacts, now: float | None = None) -> bool:
    """Restarted by Docker at least 3 times and (re)started less than 5 minutes ago: a crash loop."""
    import datetime
    import time

    if c.status == "restarting":
        return True
    if c.restart_count < 3 or not c.started:
        return False
    try:
        started = datetime.datetime.fromisoformat(c.started[:26].rstrip("Z") + "+00:00").timestamp()
    except ValueError:
        return False
    return (now if now is not None else time.time()) - started < 300


def _start_step(c: ContainerFacts, what: str) -> str:
    if _crash_looping(c):
        return f"find out why {what} keeps crashing: docker logs --tail 50 {c.name} (Docker restarts it in a loop)"
    if c.status == "paused":
        return f"unpause {what}: docker unpause {c.name}"
    if c.status == "dead":
        return f"remove the dead {what} container and run it again: docker rm {c.name}, then your docker run"
    return f"start {what}: docker start {c.name}"


def _headline(
    report: Report, webui: ContainerFacts, b: BaseUrls, use: UrlsInUse, t: OllamaTarget, main: dict[str, Any], no_network: str
) -> str:
    """The first real problem, in one sentence: not running, no network, no Ollama, the saved URL, the connection."""
    how = "observed" if report.observed else "predicted"
    url = redact_url(main["rec"].url)
    if webui.running and _crash_looping(webui):
        return (f"Open WebUI '{webui.name}' keeps crashing: Docker has restarted it {webui.restart_count} times "
                "(docker logs says why).")
    if not webui.running:
        text = f"Open WebUI '{webui.name}' is not running: it is {webui.state_phrase}."
        if t.where == "none":
            text += " And no Ollama was found: start one too."
        return text
    if no_network:
        return f"Open WebUI '{webui.name}' has no network (--network none): it cannot reach any Ollama."
    if t.where == "none":
        return "No Ollama found: " + t.how + "."
    if t.where == "container" and t.container is not None and not t.container.running:
        return f"The Ollama container '{t.container.name}' is not running: it is {t.container.state_phrase}."
    saved = ", ".join(redact_url(u) for u in use.urls)
    if use.differs:
        if report.reachable:
            return (f"Open WebUI reaches Ollama ({how}) through the URL saved in its database, {saved}; "
                    f"{_env_name(b)} is ignored.")
        return (f"Open WebUI uses the URL saved in its database, {saved}, not {_env_name(b)}: "
                f"it does NOT reach Ollama there ({how}): {OUTCOME_WORDS.get(report.outcome or '', report.outcome)}.")
    if report.reachable:
        return f"Open WebUI reaches Ollama at {url} ({how})."
    return f"Open WebUI does NOT reach Ollama at {url} ({how}): {OUTCOME_WORDS.get(report.outcome or '', report.outcome)}."


OUTCOME_WORDS = {
    "ok": "it answers",
    "name_not_resolved": "the host name does not resolve there",
    "connection_refused": "connection refused, nothing listens there",
    "unreachable": "no answer, the packets do not arrive",
}


def _url_result(rec: Reconstruction, b: BaseUrls, webui: ContainerFacts, obs: Observations, source: str) -> dict[str, Any]:
    """Predict and (when observed) compare one URL; its checks, fixes and differences."""
    checks: list[Check] = []
    fixes: list[str] = []
    discrepancies: list[str] = []
    verdict = predict(rec.config) if rec.config is not None else None
    host_side = rec.target.where != "container"
    shown = redact_url(rec.url)
    if rec.url_problem:
        checks.append(Check("base_url", False, redact_url(rec.url_problem)))
        predicted_outcome = "unreachable"
        if rec.engine_url:
            fixed = rec.engine_url if rec.port_alias is None else rec.engine_url.replace(f":{OLLAMA_PORT}", f":{rec.port_alias}")
            fixes.append(_reword(f"set OLLAMA_BASE_URL={fixed} (the same URL with http://)", rec, b, webui, source))
    else:
        predicted_outcome = verdict.outcome if verdict is not None else "unreachable"
    seen = obs.urls.get(rec.url)
    observed_outcome = seen.get("outcome") if seen else None
    outcome = observed_outcome or predicted_outcome
    ok = outcome == "ok"
    why = ""
    if verdict is not None and not rec.url_problem:
        # the failing step, with the step before it when that one says where the address led
        steps = verdict.steps[-2:] if not verdict.reachable and len(verdict.steps) > 1 else verdict.steps[-1:]
        why = unalias("; ".join(f"{s.name}: {s.reason}" for s in steps), rec.port_alias, host_side)
    elif verdict is None and rec.unexpressed:
        why = rec.unexpressed[0]
    if observed_outcome:
        detail = f"{shown}: {OUTCOME_WORDS.get(observed_outcome, observed_outcome)} (observed: {redact_url(str(seen.get('detail', '')))})"
        if why and observed_outcome != "ok":
            detail += f"; the model says: {why}"
    elif why:
        detail = f"{shown}: {OUTCOME_WORDS.get(predicted_outcome, predicted_outcome)} (predicted: {why})"
    else:
        detail = f"{shown}: {OUTCOME_WORDS.get(predicted_outcome, predicted_outcome)} (predicted)"
    checks.append(Check("reach", ok, detail))
    if verdict is not None and not ok:
        if not rec.url_problem or predicted_outcome != "ok":
            for fix in verdict.fixes:
                fixes.append(_reword(unalias(_name_fix(fix, webui), rec.port_alias, host_side), rec, b, webui, source))
    if rec.target.where == "none":
        fixes.append("start an Ollama (see the commands below), then run owui-lab doctor again")
    ignored = _ignored_base_url(webui, b)
    if ignored and not ok and source != "database":
        other = obs.urls.get(ignored, {}).get("outcome")
        if other == "ok":
            fixes.insert(0, f"remove OLLAMA_BASE_URLS: it takes precedence over OLLAMA_BASE_URL={redact_url(ignored)}, which works")
        else:
            fixes.append(f"note: OLLAMA_BASE_URLS takes precedence; OLLAMA_BASE_URL={redact_url(ignored)} is ignored")
    # observation vs prediction
    if observed_outcome and verdict is not None and not rec.url_problem:
        discrepancies.extend(_differences(rec, verdict.outcome, observed_outcome, seen or {}, obs))
    public = {
        "url": shown,
        "source": source,
        "engine_url": redact_url(rec.engine_url),
        "url_problem": redact_url(rec.url_problem) or None,
        "predicted": predicted_outcome,
        "observed": observed_outcome,
        "detail": redact_url((seen or {}).get("detail")),
        "target": rec.target.to_dict(),
        "scenario": rec.scenario,
        "port_alias": rec.port_alias,
    }
    return {
        "rec": rec,
        "verdict": verdict,
        "ok": ok,
        "outcome": outcome,
        "observed_outcome": observed_outcome,
        "checks": checks,
        "fixes": [redact_url(f) for f in fixes],
        "discrepancies": [redact_url(d) for d in discrepancies],
        "public": public,
    }


def _name_fix(fix: str, webui: ContainerFacts) -> str:
    """The engine words ``docker network connect NET open-webui``: use the container's real name."""
    return fix.replace(" open-webui (or --network", f" {webui.name} (or --network")


_SET_URL = re.compile(r"set OLLAMA_BASE_URL=(\S+)(?: \([^)]*\))?")


def _reword(fix: str, rec: Reconstruction, b: BaseUrls, webui: ContainerFacts, source: str = "") -> str:
    """Say where the URL really is set: the saved one in the admin panel; OLLAMA_BASE_URLS over OLLAMA_BASE_URL."""
    if source == "database":
        return _SET_URL.sub(
            lambda m: (f"in Admin Panel → Settings → Connections → Ollama API, change {redact_url(rec.url)} to "
                       f"{m.group(1)} and Save (OLLAMA_BASE_URL is ignored while a URL is saved)"),
            fix,
        )
    if b.source == "OLLAMA_BASE_URLS" and "set OLLAMA_BASE_URL=" in fix:
        head, _, rest = fix.partition("set OLLAMA_BASE_URL=")
        new, _, tail = rest.partition(" ")
        if len(b.urls) == 1:
            return f"{head}set OLLAMA_BASE_URLS={new} (OLLAMA_BASE_URLS takes precedence over OLLAMA_BASE_URL) {tail}".rstrip()
        return f"{head}in OLLAMA_BASE_URLS, replace {rec.url} with {new} {tail}".rstrip()
    return fix


def _differences(
    rec: Reconstruction, predicted: str, observed: str, seen: Mapping[str, Any], obs: Observations
) -> list[str]:
    if predicted == observed:
        return []
    t = rec.target
    where = rec.url
    out = []
    if predicted == "ok":
        if t.where == "container" and t.container is not None and obs.answering.get(t.container.name) is False:
            out.append(
                f"The model expected {where} to work, but Ollama in '{t.container.name}' does not answer even on "
                "its own address: it may still be starting, have crashed, or listen on 127.0.0.1 inside its "
                "container (check OLLAMA_HOST and docker logs)."
            )
        elif t.where == "host" or (t.container is not None and t.container.published(OLLAMA_PORT)):
            verb = "drops" if observed == "unreachable" else "rejects"
            out.append(
                f"The model expected {where} to work, but it does not ({OUTCOME_WORDS.get(observed, observed)}): a host firewall probably {verb} "
                "traffic from Docker's bridge to Ollama's port. Allow it, e.g. sudo ufw allow in on docker0 to "
                f"any port {t.host.port if t.host else OLLAMA_PORT} proto tcp (firewalld: trust the docker zone)."
            )
        else:
            out.append(f"The model expected {where} to work, but: {OUTCOME_WORDS.get(observed, observed)} ({seen.get('detail', '')}).")
    elif observed == "ok":
        out.append(
            f"The model expected {where} to fail ({OUTCOME_WORDS.get(predicted, predicted)}), but an Ollama answers there ({seen.get('detail', '')}): "
            "a second Ollama (another service or a container publishing the port) is probably what answers, "
            "so it may not be the Ollama you think."
        )
    elif observed == "unreachable" and predicted == "connection_refused":
        out.append(
            f"The model expected {where} to be refused, but packets get no answer at all: a firewall DROP rule, "
            "or an address that leads nowhere from there."
        )
    elif predicted == "name_not_resolved":
        out.append(
            f"The model expected the name in {where} not to resolve, but it does ({OUTCOME_WORDS.get(observed, observed)}): a DNS entry, "
            "--link or /etc/hosts line the model does not see."
        )
    else:
        out.append(f"The model expected {where} to give: {OUTCOME_WORDS.get(predicted, predicted)}; but: "
                   f"{OUTCOME_WORDS.get(observed, observed)} ({seen.get('detail', '')}).")
    return out


def _browser(report: Report, daemon: DaemonInfo, webui: ContainerFacts, main: dict[str, Any], obs: Observations) -> None:
    port = webui.webui_port
    if webui.host_mode:
        url = f"http://localhost:{port}"
        expected = main["verdict"].browser.reachable if main["verdict"] is not None else daemon.platform == "linux"
    else:
        bindings = webui.published(port)
        if not bindings:
            report.checks.append(Check("browser", False, f"Open WebUI publishes no port: nothing maps a host port to {port}"))
            report.fixes.append(f"publish Open WebUI's port: recreate it with -p 127.0.0.1:3000:{port} (or -p 3000:{port})")
            report.browser = {"url": None, "predicted": False, "observed": None, "detail": "no published port"}
            return
        url = f"http://localhost:{bindings[0].host_port}"
        expected = True
    observed = obs.browser
    if observed is not None:
        ok, detail = observed
        report.checks.append(Check("browser", ok, f"{url}: {detail}"))
    else:
        ok = expected
        if main["verdict"] is not None:
            detail = main["verdict"].browser.reason
        else:
            detail = "published on the host"
        report.checks.append(Check("browser", ok, f"{url}: {detail} (predicted)"))
    report.browser = {"url": url, "predicted": expected, "observed": observed[0] if observed else None, "detail": detail}
    if not ok and webui.host_mode and daemon.platform == "desktop":
        report.fixes.append(
            "turn on Docker Desktop 4.34+ Settings → Resources → Network → Enable host networking, or run Open "
            "WebUI with -p 3000:8080 instead of --network host"
        )
    elif not ok and observed is not None and webui.running:
        report.fixes.append(f"look at Open WebUI's log: docker logs --tail 50 {webui.name} (it may still be starting)")


# --------------------------------------------------------------------------------------------------
# Nothing (or only Ollama) found
# --------------------------------------------------------------------------------------------------


def _no_webui(report: Report, daemon: DaemonInfo, ollamas: Sequence[ContainerFacts], host: HostOllama | None) -> None:
    report.checks.append(
        Check("webui", False, "no Open WebUI container (image ghcr.io/open-webui/open-webui*, or OLLAMA_BASE_URL(S) set)")
    )
    report.looked_for = [
        "containers from ghcr.io/open-webui/open-webui* or with OLLAMA_BASE_URL / OLLAMA_BASE_URLS set (running or not)",
        "containers from ollama/ollama*, or answering 'Ollama is running' on port 11434",
        f"an Ollama on this machine: http://127.0.0.1:{host.port if host else OLLAMA_PORT}/"
        + (f" and http://{DOCKER0_ADDRESS}:{host.port if host else OLLAMA_PORT}/" if daemon.platform == "linux" else ""),
    ]
    if ollamas:
        o = ollamas[0]
        report.ollama = {"where": "container", "how": f"Ollama container '{o.name}' ({o.image})", "name": o.name}
        state = "running" if o.running else f"found by its image only, NOT running: {o.state_phrase}"
        report.checks.append(Check("ollama", o.running, f"Ollama container '{o.name}' ({o.image}), {state}"))
        if not o.running:
            report.first.append(_start_step(o, "Ollama"))
        net = o.network_mode if not o.host_mode else "host"
        if net in ("bridge", "host"):
            cmd = README_HOST_OLLAMA if o.published(OLLAMA_PORT) and net == "bridge" else README_HOST_NETWORK
            if net == "bridge" and not o.published(OLLAMA_PORT):
                cmd = (
                    f"docker network create ollama-net && docker network connect ollama-net {o.name} && "
                    "docker run -d -p 127.0.0.1:3000:8080 --network ollama-net "
                    f"-e OLLAMA_BASE_URL=http://{o.name}:11434 -v open-webui:/app/backend/data --name open-webui "
                    "ghcr.io/open-webui/open-webui:main"
                )
        else:
            cmd = (
                f"docker run -d -p 127.0.0.1:3000:8080 --network {net} -e OLLAMA_BASE_URL=http://{o.name}:11434 "
                "-v open-webui:/app/backend/data --name open-webui --restart always ghcr.io/open-webui/open-webui:main"
            )
        report.start_commands = [cmd]
    elif host is not None and host.found:
        report.ollama = {"where": "host", "how": host.describe(), "host": host.to_dict()}
        report.checks.append(Check("ollama", True, host.describe()))
        if daemon.platform == "linux" and host.bind == "127.0.0.1":
            report.start_commands = [README_HOST_NETWORK]
        else:
            report.start_commands = [README_HOST_OLLAMA]
    else:
        report.checks.append(Check("ollama", False, "no Ollama: no container, nothing on the host's port " + str(host.port if host else OLLAMA_PORT)))
        report.start_commands = [
            OLLAMA_INSTALL,
            README_HOST_OLLAMA,
            "# or both in Docker (Ollama's docs say -p 11434:11434; 127.0.0.1 keeps it off your LAN):",
            OLLAMA_CONTAINER,
            "# or Open WebUI with Ollama bundled:",
            README_BUNDLED,
        ]
    report.outcome = None
    report.reachable = False


def _ollama_start_commands(daemon: DaemonInfo) -> list[str]:
    if daemon.platform == "desktop":
        return ["# install the Ollama app from https://ollama.com/download, or in Docker:", OLLAMA_CONTAINER]
    return [OLLAMA_INSTALL, "# or in Docker:", OLLAMA_CONTAINER]


# --------------------------------------------------------------------------------------------------
# Security
# --------------------------------------------------------------------------------------------------


def _security(
    report: Report,
    containers: Sequence[ContainerFacts],
    webuis: Sequence[ContainerFacts],
    ollamas: Sequence[ContainerFacts],
    host: HostOllama | None,
    firewall: str,
    daemon: DaemonInfo,
) -> None:
    ufw = " (Docker's published ports bypass ufw: its rules come first)" if daemon.platform == "linux" else ""
    for w in webuis:
        port = w.webui_port
        for p in w.published(port):
            if p.all_addresses:
                report.findings.append(
                    Finding(
                        "webui_published_all",
                        f"Open WebUI '{w.name}' is published on all addresses ({p.flag()}): anyone on your LAN can open it{ufw}.",
                        f"-p 127.0.0.1:{p.host_port}:{port}",
                    )
                )
        if w.host_mode and w.running and w.env.get("HOST", "0.0.0.0") in ("0.0.0.0", "::", ""):
            report.findings.append(
                Finding(
                    "webui_host_network",
                    f"Open WebUI '{w.name}' uses the host's network: it listens on port {port} of every address of this machine.",
                    "run it on a bridge with -p 127.0.0.1:3000:8080, or firewall the port",
                )
            )
    for o in ollamas:
        for p in o.published(OLLAMA_PORT):
            if p.all_addresses:
                report.findings.append(
                    Finding(
                        "ollama_published_all",
                        f"Ollama '{o.name}' is published on all addresses ({p.flag()}): Ollama has no authentication, "
                        f"anyone on your LAN can use it{ufw}.",
                        f"-p 127.0.0.1:{p.host_port}:11434 (or no -p at all when only Open WebUI on the same network needs it); "
                        "or filter in the DOCKER-USER chain",
                    )
                )
        if o.host_mode and o.running:
            bind = o.env.get("OLLAMA_HOST", "")
            if bind.startswith(("0.0.0.0", ":", "[::]")) or not bind and looks_like_ollama(o):
                report.findings.append(
                    Finding(
                        "ollama_host_network",
                        f"Ollama '{o.name}' uses the host's network with OLLAMA_HOST={bind or '0.0.0.0 (image default)'}: "
                        "reachable from your LAN, without authentication.",
                        "set OLLAMA_HOST=127.0.0.1:11434 with --network host, or use a bridge with -p 127.0.0.1:11434:11434",
                    )
                )
    if host is not None and host.found and host.loopback and host.docker0:
        if firewall:
            report.notes.append(
                f"The host Ollama listens beyond loopback (it answers on docker0); {firewall}: make sure it "
                f"denies port {host.port} from the LAN."
            )
        else:
            report.findings.append(
                Finding(
                    "host_ollama_all_addresses",
                    f"The host's Ollama answers on docker0 {DOCKER0_ADDRESS}:{host.port}, so it listens on all addresses "
                    "(OLLAMA_HOST=0.0.0.0) and no host firewall was seen: your LAN can use it, without authentication.",
                    f"allow only Docker's bridge: sudo ufw allow in on docker0 to any port {host.port} proto tcp && "
                    f"sudo ufw deny {host.port}/tcp && sudo ufw enable; or bind it to {DOCKER0_ADDRESS} only",
                )
            )
    for c in containers:
        for m in c.docker_socket_mounts:
            report.findings.append(
                Finding(
                    "docker_socket",
                    f"Container '{c.name}' has the Docker socket mounted ({m.source or m.destination} → {m.destination}): "
                    "whoever controls it controls Docker, i.e. root on this machine.",
                    "remove the -v ...docker.sock mount unless that tool needs it; prefer a read-only socket proxy",
                )
            )
