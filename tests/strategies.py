"""Hypothesis strategies for configurations, shared by the engine, drawing and explorer tests."""

from __future__ import annotations

import ipaddress

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
    ollama = draw(st.sampled_from(["host", "container", "bundled"]))
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


# ---- the address grammar a container's resolver reads (config.read_host) ----

#: IPv4 addresses the lab can place, each written in every inet_aton form below.
IPV4_TARGETS = ("127.0.0.1", "127.0.0.2", "0.0.0.0", DOCKER0_ADDRESS)
#: IPv6 spellings (written in brackets in a URL) and the address each one is.
IPV6_SPELLINGS = {"::1": "::1", "0:0:0:0:0:0:0:1": "::1", "0::1": "::1", "::": "::",
                  "::ffff:127.0.0.1": "::ffff:7f00:1"}


def _number(draw, value: int) -> str:
    """``value`` as one inet_aton part: decimal, octal (leading 0s) or hex (0x/0X, either case)."""
    base = draw(st.sampled_from(["decimal", "octal", "hex"]))
    if base == "decimal":
        return str(value)
    zeros = "0" * draw(st.integers(0, 2))
    if base == "octal":
        return "0" + zeros + format(value, "o")
    return draw(st.sampled_from(["0x", "0X"])) + zeros + format(value, draw(st.sampled_from(["x", "X"])))


@st.composite
def ipv4_spellings(draw, targets=IPV4_TARGETS) -> tuple[str, str]:
    """``(spelling, address)``: an IPv4 address in one of glibc's inet_aton forms (127.1, 2130706433, 0x7f000001 ...)."""
    address = draw(st.sampled_from(targets))
    raw = int(ipaddress.IPv4Address(address)).to_bytes(4, "big")
    parts = draw(st.integers(1, 4))
    values = [*raw[: parts - 1], int.from_bytes(raw[parts - 1 :], "big")]
    return ".".join(_number(draw, v) for v in values), address


@st.composite
def name_spellings(draw, name: str) -> str:
    """``name`` with each ASCII letter in either case (Docker's DNS and /etc/hosts ignore case)."""
    return "".join(ch.upper() if draw(st.booleans()) else ch for ch in name)


@st.composite
def url_hosts(draw, names=("localhost", "host.docker.internal")) -> tuple[str, str]:
    """``(host as written in a URL, the plain spelling it means)``: numeric IPv4 forms, IPv6 in
    brackets, names in any case."""
    kind = draw(st.sampled_from(["ipv4", "ipv6", "name"]))
    if kind == "ipv4":
        return draw(ipv4_spellings())
    if kind == "ipv6":
        spelling = draw(st.sampled_from(sorted(IPV6_SPELLINGS)))
        return f"[{spelling}]", f"[{IPV6_SPELLINGS[spelling]}]"
    name = draw(st.sampled_from(names))
    return draw(name_spellings(name)), name
