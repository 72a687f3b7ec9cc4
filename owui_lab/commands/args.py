"""What every subcommand shares: the parser that raises the kit's error, the configuration knobs, JSON out.

Command modules import this module (never ``cli``); ``cli`` imports the command modules.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from ..catalog import scenario
from ..config import KNOB_NAMES, Config
from ..errors import ConfigError
from ..knobs import KNOBS


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so errors read like the kit's."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse quotes what was typed as it was typed: control characters would break the one line.
        message = "".join(repr(ch)[1:-1] if not ch.isprintable() else ch for ch in message)
        where = self.prog.removeprefix("owui-lab").strip()
        raise ConfigError(f"{where + ': ' if where else ''}{message}.",
                          f"run '{self.prog} --help' for the knobs and their values.")


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--scenario`` and every knob of ``Config``, as ``knobs.KNOBS`` declares it (flag, values, help)."""
    g = parser.add_argument_group("configuration (knobs override the scenario's values)")
    g.add_argument("--scenario", metavar="ID", help="start from a seed scenario (owui-lab scenarios lists them)")
    for k in KNOBS:
        if k.kind == "bool":
            g.add_argument(k.flag, action=argparse.BooleanOptionalAction, default=None, help=k.help)
        else:
            g.add_argument(k.flag, metavar=k.shown_metavar, type=port_number if k.kind == "port" else None,
                           help=k.help)


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
