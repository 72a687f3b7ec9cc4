"""What every subcommand shares: the parser that raises the kit's error, the configuration knobs, JSON out.

Command modules import this module (never ``cli``); ``cli`` imports the command modules.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from ..catalog import scenario
from ..config import ENGINES, KNOB_NAMES, OLLAMA_PLACES, PLATFORMS, PUBLISH_MODES, Config
from ..errors import ConfigError


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so errors read like the kit's."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse quotes what was typed as it was typed: control characters would break the one line.
        message = "".join(repr(ch)[1:-1] if not ch.isprintable() else ch for ch in message)
        where = self.prog.removeprefix("owui-lab").strip()
        raise ConfigError(f"{where + ': ' if where else ''}{message}.",
                          f"run '{self.prog} --help' for the knobs and their values.")


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--scenario`` and every knob of ``Config`` with the CLI spellings learners see."""
    g = parser.add_argument_group("configuration (knobs override the scenario's values)")
    g.add_argument("--scenario", metavar="ID", help="start from a seed scenario (owui-lab scenarios lists them)")
    g.add_argument("--platform", metavar="|".join(PLATFORMS), help="linux (Docker Engine) or desktop (Docker Desktop)")
    g.add_argument("--ollama", metavar="|".join(OLLAMA_PLACES), help="Ollama as a native process on the host, or a container")
    g.add_argument("--ollama-bind", metavar="ADDR", help="Ollama's OLLAMA_HOST (host default 127.0.0.1, image 0.0.0.0)")
    g.add_argument("--ollama-network", metavar="bridge|host|NAME", help="container Ollama's network (default bridge)")
    g.add_argument("--ollama-publish", metavar="|".join(PUBLISH_MODES), help="container Ollama's -p 11434:11434 (loopback = -p 127.0.0.1:11434:11434)")
    g.add_argument("--ollama-host-port", metavar="N", type=port_number,
                   help="the host port of container Ollama's -p N:11434 (default 11434)")
    g.add_argument("--ollama-name", metavar="NAME", help="the Ollama container's name / compose service (default ollama)")
    g.add_argument("--webui-network", metavar="bridge|host|NAME", help="Open WebUI's network (default bridge)")
    g.add_argument("--webui-port", metavar="N", type=port_number, help="host port published to 8080 (default 3000)")
    g.add_argument("--add-host-gateway", action=argparse.BooleanOptionalAction, default=None,
                   help="--add-host=host.docker.internal:host-gateway on Open WebUI")
    g.add_argument("--base-url", metavar="URL", help="OLLAMA_BASE_URL (image default http://host.docker.internal:11434)")
    g.add_argument("--desktop-host-networking", action=argparse.BooleanOptionalAction, default=None,
                   help="Docker Desktop 4.34+ 'Enable host networking' on")
    g.add_argument("--compose", action=argparse.BooleanOptionalAction, default=None,
                   help="both run as services of one compose file")
    g.add_argument("--stored-url", metavar="URL",
                   help="the Ollama URL saved in Open WebUI's database (Admin → Settings → Connections); it wins over OLLAMA_BASE_URL")
    g.add_argument("--add-host-ip", metavar="IP",
                   help="--add-host=host.docker.internal:IP on Open WebUI (an address instead of host-gateway)")
    g.add_argument("--host-address", metavar="IP",
                   help="the host's own address besides loopback and docker0 (its LAN IP), when the base URL names it")
    g.add_argument("--userland-proxy", action=argparse.BooleanOptionalAction, default=None,
                   help="the daemon's userland-proxy setting (default on; off: no docker-proxy, "
                        "published ports are forwarded by NAT alone)")
    g.add_argument("--engine", metavar="|".join(ENGINES),
                   help="the container engine on Linux (default docker: rootful Docker Engine)")


def port_number(text: str) -> int:
    """An argparse type: a whole number in ASCII digits (the range is checked where the port is used).

    Python's ``int`` also takes ``+3000``, ``3_000`` and ``３０００`` (full-width digits); Docker and
    the recipes the kit prints take none of them, so neither does the kit.
    """
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (digits 0-9 only, e.g. 3000)")
    return int(text)


def config_from_args(args: argparse.Namespace) -> Config:
    """The configuration the learner asked for: the scenario's knobs, overridden by explicit ones."""
    base = dict(scenario(args.scenario).knobs) if args.scenario is not None else {}  # "" is refused, not ignored
    knobs = {name: getattr(args, name) for name in KNOB_NAMES if getattr(args, name, None) is not None}
    return Config.from_knobs(knobs, base)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (non-ASCII kept: the transcripts' ✓ and →)."""
    print(json.dumps(data, indent=2, ensure_ascii=False))
