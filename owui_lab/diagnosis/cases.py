"""Worked examples of the doctor for the lessons: learner setups written as facts, diagnosed by the engine.

A lesson cannot count on the learner's machine having the broken setup it teaches (nor a daemon at
all, on Binder). These functions build the facts ``docker inspect`` would give for such a setup and
run the doctor's own ``diagnose`` on them, so every verdict, headline and fix a learner reads here is
computed, not written by hand. Nothing is observed: each report says "predicted".
"""

from __future__ import annotations

from ..docker_api import DaemonInfo
from .diagnose import diagnose
from .inspect import Attachment, ContainerFacts, HostOllama, Mount, PublishedPort
from .report import Report
from .savedurl import SavedUrls

_PROJECT = "learner"
_NETWORK = f"{_PROJECT}_default"
_VOLUME = f"{_PROJECT}_open-webui"


def _compose_stack(env_url: str) -> list[ContainerFacts]:
    """The docs' compose stack (Open WebUI and Ollama services on the project's network)."""
    labels = {"com.docker.compose.project": _PROJECT}
    ollama = ContainerFacts(
        id="0" * 63 + "1",
        name=f"{_PROJECT}-ollama-1",
        image="ollama/ollama:latest",
        running=True,
        status="running",
        network_mode=_NETWORK,
        networks=(Attachment(_NETWORK, "172.18.0.2", "172.18.0.1", ("ollama", f"{_PROJECT}-ollama-1")),),
        env={"OLLAMA_HOST": "0.0.0.0:11434"},
        exposed=(11434,),
        labels={**labels, "com.docker.compose.service": "ollama"},
    )
    webui = ContainerFacts(
        id="0" * 63 + "2",
        name=f"{_PROJECT}-open-webui-1",
        image="ghcr.io/open-webui/open-webui:main",
        running=True,
        status="running",
        network_mode=_NETWORK,
        networks=(Attachment(_NETWORK, "172.18.0.3", "172.18.0.1", ("open-webui", f"{_PROJECT}-open-webui-1")),),
        env={"ENV": "prod", "PORT": "8080", "OLLAMA_BASE_URL": env_url},
        ports=(PublishedPort(8080, "tcp", "127.0.0.1", 3000),),
        exposed=(8080,),
        mounts=(Mount("volume", f"/var/lib/docker/volumes/{_VOLUME}/_data", "/app/backend/data", _VOLUME),),
        labels={**labels, "com.docker.compose.service": "open-webui"},
    )
    return [webui, ollama]


def saved_url_trap(saved_url: str = "http://localhost:11434", env_url: str = "http://ollama:11434") -> Report:
    """The trap of open-webui #12034: the learner fixed ``OLLAMA_BASE_URL``, the saved URL still wins.

    A compose stack whose Open WebUI first started with ``saved_url`` (so its database holds it) and
    was then recreated on the same volume with ``env_url``. The report is what ``owui-lab doctor``
    says about it (predicted, as no daemon is asked).

    Args:
        saved_url: the URL Open WebUI saved at its first start.
        env_url: the URL the learner now sets in ``OLLAMA_BASE_URL``.

    Returns:
        The doctor's report; a notebook shows it as a checklist.
    """
    saved = SavedUrls(found=True, urls=(saved_url,), source="database", where=f"webui.db in volume '{_VOLUME}'")
    daemon = DaemonInfo(platform="linux", kind="engine", server_version="", api_version="", operating_system="",
                        docker0="172.17.0.1", endpoint="unix:///var/run/docker.sock")
    return diagnose(daemon, _compose_stack(env_url), HostOllama(loopback=False, docker0=False), saved=saved)
