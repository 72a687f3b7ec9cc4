"""Open WebUI's ``:ollama`` image emulated with the stand-ins, one container running both, against the engine.

The real image cannot be pulled here, so its networking is rebuilt from what its Dockerfile and start script
say (``config.BUNDLED_SOURCES``): the image's ``ENV`` lines (``ENV=prod``, ``OLLAMA_BASE_URL=/ollama``,
``USE_OLLAMA_DOCKER=true``), then start.sh's ``ollama serve &`` with no ``OLLAMA_HOST`` (the stand-in Ollama
reads it as Ollama does: 127.0.0.1:11434) and Open WebUI on 0.0.0.0:8080, in one container on the default
bridge. The stand-in Open WebUI derives its URL from that environment and probes from inside that container,
where the real backend connects from. What this checks is the network rule (which base URLs reach an Ollama
that lives in Open WebUI's own container), not the real image's programs.
"""

from __future__ import annotations

import socket

import pytest

from owui_lab import Config, docker_api
from owui_lab.config import DOCKER0_ADDRESS, OLLAMA_PORT
from owui_lab.engine import evaluate
from owui_lab.standins import source

#: start.sh, as far as the network goes: Ollama in the background, then Open WebUI in the foreground.
START = 'python3 -c "$OWUI_LAB_OLLAMA_SOURCE" --quiet & exec python3 -c "$OWUI_LAB_WEBUI_SOURCE" serve --host 0.0.0.0 --quiet'
#: The image's ENV lines that decide Ollama's URL (the Dockerfile, built with USE_OLLAMA=true).
IMAGE_ENV = {"ENV": "prod", "OLLAMA_BASE_URL": "/ollama", "USE_OLLAMA_DOCKER": "true"}
URLS = ["http://localhost:11434", "http://127.0.0.1:11434", "http://[::1]:11434", "http://localhost:8080",
        "http://host.docker.internal:11434"]


def _host_answers_on_docker0() -> bool:
    """Whether something of this host (a learner's own Ollama) already listens at docker0:11434."""
    try:
        with socket.create_connection((DOCKER0_ADDRESS, OLLAMA_PORT), timeout=1):
            return True
    except OSError:
        return False


def test_a_bundled_ollama_is_reached_where_the_engine_says(standin_image):
    cli = docker_api.client()
    session = docker_api.new_session_id()
    token = session  # the stand-ins send it back: this run's Ollama, no other
    try:
        container = docker_api.run_container(
            cli, standin_image, ["sh", "-c", START], docker_api.container_name(session, "bundled"),
            docker_api.labels(session, "webui"), network="bridge",
            extra_hosts={"host.docker.internal": "host-gateway"},
            environment={**IMAGE_ENV, "OWUI_LAB_OLLAMA_SOURCE": source("ollama"),
                         "OWUI_LAB_WEBUI_SOURCE": source("webui"), "OWUI_LAB_TOKEN": token},
        )
        docker_api.wait_listening(container, "127.0.0.1", OLLAMA_PORT, 30, token)
        urls = [u for u in URLS if "host.docker.internal" not in u or not _host_answers_on_docker0()]
        # no URL given: the probe uses the one the stand-in Open WebUI derives from the image's ENV lines
        (derived,) = docker_api.probe_by_exec(container, [], 3)
        assert derived["url"] == "http://localhost:11434" and derived["outcome"] == "ok", derived
        observed = {r["url"]: r for r in docker_api.probe_by_exec(container, urls, 3)}
        for url in urls:
            predicted = evaluate(Config(ollama="bundled", base_url=url, add_host_gateway=True))
            assert observed[url]["outcome"] == predicted.outcome, (url, observed[url], predicted.transcript())
        assert evaluate(Config.from_knobs({"ollama": "bundled", "add_host_gateway": True})).reachable
    finally:
        docker_api.remove_labelled(cli, session=session)
        cli.close()


@pytest.mark.parametrize("knobs", [{"ollama": "bundled"}, {"api_base_url": "http://10.10.1.201:11434/api"}])
def test_the_live_lab_says_it_does_not_build_them_yet(knobs):
    """The lab would run another setup than asked (one stand-in per container, no legacy variable): it refuses,
    before any daemon is asked, and points to the prediction."""
    from owui_lab.errors import ConfigError
    from owui_lab.lab.live import Lab

    with pytest.raises(ConfigError) as caught:
        Lab(Config.from_knobs(knobs))
    assert "does not build" in caught.value.message and "owui-lab predict" in caught.value.hint
