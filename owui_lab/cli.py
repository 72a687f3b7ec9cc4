"""The ``owui-lab`` command line: one subcommand a feature, the knobs shared by all of them.

Each feature module registers its own subcommand (``COMMAND_MODULES``); its ``register(subparsers)``
must stay cheap (no docker, networkx or matplotlib at import time) so ``owui-lab predict`` is fast.
Every ``OwuiLabError`` is printed as one paragraph with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Any, Callable, Sequence

from .config import KNOB_NAMES, OLLAMA_PLACES, PLATFORMS, PUBLISH_MODES, Config
from .errors import ConfigError, OwuiLabError

# Modules (under owui_lab.commands) that add subcommands beside scenarios and predict.
COMMAND_MODULES = ("draw", "lab", "standin", "doctor")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so errors read like the kit's."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}.", f"run '{self.prog} --help' for the knobs and their values.")


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--scenario`` and every knob of ``Config`` with the CLI spellings learners see."""
    g = parser.add_argument_group("configuration (knobs override the scenario's values)")
    g.add_argument("--scenario", metavar="ID", help="start from a seed scenario (owui-lab scenarios lists them)")
    g.add_argument("--platform", metavar="|".join(PLATFORMS), help="linux (Docker Engine) or desktop (Docker Desktop)")
    g.add_argument("--ollama", metavar="|".join(OLLAMA_PLACES), help="Ollama as a native process on the host, or a container")
    g.add_argument("--ollama-bind", metavar="ADDR", help="Ollama's OLLAMA_HOST (host default 127.0.0.1, image 0.0.0.0)")
    g.add_argument("--ollama-network", metavar="bridge|host|NAME", help="container Ollama's network (default bridge)")
    g.add_argument("--ollama-publish", metavar="|".join(PUBLISH_MODES), help="container Ollama's -p 11434:11434 (loopback = -p 127.0.0.1:11434:11434)")
    g.add_argument("--ollama-name", metavar="NAME", help="the Ollama container's name / compose service (default ollama)")
    g.add_argument("--webui-network", metavar="bridge|host|NAME", help="Open WebUI's network (default bridge)")
    g.add_argument("--webui-port", metavar="N", type=_port, help="host port published to 8080 (default 3000)")
    g.add_argument("--add-host-gateway", action=argparse.BooleanOptionalAction, default=None,
                   help="--add-host=host.docker.internal:host-gateway on Open WebUI")
    g.add_argument("--base-url", metavar="URL", help="OLLAMA_BASE_URL (image default http://host.docker.internal:11434)")
    g.add_argument("--desktop-host-networking", action=argparse.BooleanOptionalAction, default=None,
                   help="Docker Desktop 4.34+ 'Enable host networking' on")
    g.add_argument("--compose", action=argparse.BooleanOptionalAction, default=None,
                   help="both run as services of one compose file")


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None


def config_from_args(args: argparse.Namespace) -> Config:
    """The configuration the learner asked for: the scenario's knobs, overridden by explicit ones."""
    from .scenarios import scenario

    base = dict(scenario(args.scenario).knobs) if args.scenario else {}
    knobs = {name: getattr(args, name) for name in KNOB_NAMES if getattr(args, name, None) is not None}
    return Config.from_knobs(knobs, base)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from .scenarios import scenarios

    found = scenarios()
    if args.json:
        print_json([s.to_dict() for s in found])
        return 0
    width = max(len(s.id) for s in found)
    for s in found:
        print(f"{s.id:<{width}}  {s.platform:<7}  {s.title}: {s.summary}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from .engine import predict

    verdict = predict(config_from_args(args))
    if args.json:
        print_json(verdict.to_dict())
    else:
        print(verdict.transcript())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="owui-lab",
        description="Why can't Open WebUI reach Ollama? Predict, draw, run and check Docker networking setups.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    p = sub.add_parser("scenarios", help="list the eight seed scenarios of the docs' Network Diagrams page")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_scenarios)
    p = sub.add_parser("predict", help="predict whether Open WebUI reaches Ollama, step by step")
    add_config_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_predict)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue  # that feature is not in this checkout
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
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
