"""``owui-lab scenarios``: list the seed scenarios of the docs' Network Diagrams page."""

from __future__ import annotations

import argparse

from ..catalog import scenarios
from .args import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` subcommand."""
    p = subparsers.add_parser("scenarios", help="list the seed scenarios of the docs' Network Diagrams page")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    found = scenarios()
    if args.json:
        print_json([s.to_dict() for s in found])
        return 0
    width = max(len(s.id) for s in found)
    for s in found:
        print(f"{s.id:<{width}}  {s.platform:<7}  {s.title}: {s.summary}")
    return 0
