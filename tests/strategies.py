"""Hypothesis strategies for configurations, shared by the engine, drawing and explorer tests."""

from __future__ import annotations

from hypothesis import strategies as st

from owui_lab import Config
from owui_lab.config import DOCKER0_ADDRESS
from owui_lab.errors import ConfigError

NETWORKS = st.sampled_from(["bridge", "host", "ai", "other"])
URL_HOSTS = st.sampled_from(["localhost", "127.0.0.1", "host.docker.internal", "ollama", DOCKER0_ADDRESS])


@st.composite
def configs(draw, platform=None) -> Config:
    """Any valid configuration the widgets can reach (plus a few more knob values)."""
    ollama = draw(st.sampled_from(["host", "container"]))
    knobs = dict(
        platform=platform or draw(st.sampled_from(["linux", "desktop"])),
        ollama=ollama,
        ollama_bind=draw(st.sampled_from([None, "127.0.0.1", "0.0.0.0", "0.0.0.0:11434", ":11434"])),
        webui_network=draw(NETWORKS),
        webui_port=draw(st.sampled_from([3000, 8080, 3001])),
        add_host_gateway=draw(st.booleans()),
        base_url=f"http://{draw(URL_HOSTS)}:{draw(st.sampled_from([11434, 11434, 80]))}",
    )
    if ollama == "container":
        knobs.update(
            ollama_network=draw(NETWORKS),
            ollama_publish=draw(st.sampled_from(["none", "all", "loopback"])),
            compose=draw(st.booleans()),
        )
    if knobs["platform"] == "desktop":
        knobs["desktop_host_networking"] = draw(st.booleans())
    try:
        return Config(**knobs)
    except ConfigError:  # pragma: no cover - the strategy only builds valid knobs
        raise
