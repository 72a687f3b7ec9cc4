"""The ``owui-lab`` command line: one subcommand a module of ``owui_lab.commands``.

Each command module's ``register(subparsers)`` adds its subcommand; command modules import only the
shared ``commands.args`` and what they run, never this module. Importing them stays cheap (no
docker, networkx or matplotlib at import time) so ``owui-lab predict`` is fast. Every
``OwuiLabError`` is printed as one paragraph with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Sequence

from .commands import cheatsheet, doctor, draw, lab, predict, scenarios, standin
from .commands.args import Parser
from .errors import OwuiLabError

#: The subcommands, in the order ``owui-lab --help`` lists them.
COMMANDS = (scenarios, predict, draw, lab, standin, doctor, cheatsheet)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every subcommand of ``COMMANDS``."""
    parser = Parser(
        prog="owui-lab",
        description="Why can't Open WebUI reach Ollama? Predict, draw, run and check Docker networking setups.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace], int] = args.func
        status = func(args)
        sys.stdout.flush()  # into a pipe stdout is block-buffered: a reader gone away shows here, not at exit
        return status
    except OwuiLabError as exc:
        print(f"owui-lab: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("owui-lab: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`owui-lab ... | head`): stop quietly, as Unix tools do. Pointing
        # stdout at /dev/null keeps the interpreter's final flush from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
