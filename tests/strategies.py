"""Hypothesis strategies for configurations, shared by the engine, drawing and explorer tests."""

from __future__ import annotations

from hypothesis import strategies as st

from owui_lab import Config
from owui_lab.config import DOCKER0_ADDRESS
from owui_lab.errors import ConfigError

#: Bad inputs in the spirit of issue 13's 382: brackets, control characters, huge, shell-like, wrong
#: schemes and ports, Docker-invalid names, words of the wrong knob.
HOSTILE = [
    "", " ", "\x00", "\n", "\t", "é", "😀", "x" * 5000, "../../etc/passwd", "$(reboot)", "`id`", "; rm -rf /",
    "%00", "%41", "http://[::1", "http://[::1]]:11434", "http://[::1]x:1", "http://x:0", "http://x:99999",
    "http://x:-1", "http://:11434", "http://", "https://ollama:11434", "ftp://ollama", "tcp://[::1",
    "http://user:pw@ollama:11434", "http://ollama:11434/api", "http://ollama:11434?x=1", "http://ölla:11434",
    "http://1.2.3.4.5:11434", "http://256.1.1.1:11434", "http://[fe80::1%eth0]:11434", "[::1", "[::1]:11434",
    "::1", ":11434", "0.0.0.0:", "0.0.0.0:١١٤٣٤", "http://0.0.0.0", "https://0.0.0.0", "\"0.0.0.0\"",
    "UPPER/Case:tag", "a" * 64, "my.ollama", "-ollama", "none", "host", "bridge", "container", "linux",
    "desktop", "all", "loopback", "true", "false", "None", "null", "NaN", "3000", "0", "-1", "65536",
    "linux-compose", "desktop-host-network", "linux-magic",
]

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
