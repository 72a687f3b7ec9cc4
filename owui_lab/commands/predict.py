"""``owui-lab predict``: the engine's verdict on a configuration, as a lab transcript or JSON."""

from __future__ import annotations

import argparse

from ..prediction import predict
from .args import add_config_args, config_from_args, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``predict`` subcommand."""
    p = subparsers.add_parser("predict", help="predict whether Open WebUI reaches Ollama, step by step")
    add_config_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    verdict = predict(config_from_args(args))
    if args.json:
        print_json(verdict.to_dict())
    else:
        print(verdict.transcript())
    return 0
