"""``owui-lab cheatsheet``: the eight setups on one printable page, generated from the engine."""

from __future__ import annotations

import argparse

from ..cheatsheet import cheat_sheet, save
from .args import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cheatsheet`` subcommand."""
    p = subparsers.add_parser(
        "cheatsheet",
        help="write the take-home cheat sheet (.pdf, .png or .html), generated from the engine",
        description="The eight setups of Open WebUI's Network Diagrams page on one page: the docs' diagram "
        "in one line, what really happens (and the step that fails), the fix, and what the fix opens.",
        epilog="examples:\n  owui-lab cheatsheet -o cheatsheet.pdf\n  owui-lab cheatsheet -o cheatsheet.html\n"
        "  owui-lab cheatsheet --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("-o", "--output", metavar="FILE", help="where to write it: FILE.pdf, FILE.png or FILE.html")
    out.add_argument("--json", action="store_true", help="print the sheet's rows as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        print_json([
            {"scenario": r.scenario.id, "title": r.scenario.title, "diagram": r.diagram, "happens": r.happens,
             "fix": r.fix, "security": list(r.security)}
            for r in cheat_sheet()
        ])
        return 0
    path = save(args.output)
    print(f"Wrote the cheat sheet to {path}.")
    return 0
