"""``owui-lab cheatsheet``: the seed setups and the engines on one printable sheet, generated from the engine."""

from __future__ import annotations

import argparse

from ..cheatsheet import PAPERS, cheat_sheet, save
from .args import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cheatsheet`` subcommand."""
    p = subparsers.add_parser(
        "cheatsheet",
        help="write the take-home cheat sheet (.pdf, .png or .html), generated from the engine",
        description="The setups of Open WebUI's Network Diagrams page on one printable page: each one's "
        "diagram, ✓ or ✗ (and the step that fails), the Ollama URL to use, the fix, and what the fix opens; "
        "overleaf, what changes on Podman and rootless Docker (each with its truth recording).",
        epilog="examples:\n  owui-lab cheatsheet -o cheatsheet.pdf\n  owui-lab cheatsheet -o cheatsheet.pdf --paper letter\n"
        "  owui-lab cheatsheet -o cheatsheet.html\n"
        "  owui-lab cheatsheet --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("-o", "--output", metavar="FILE", help="where to write it: FILE.pdf, FILE.png or FILE.html")
    out.add_argument("--json", action="store_true", help="print the sheet's rows as JSON")
    p.add_argument("--paper", choices=sorted(PAPERS), default="a4", help="the paper size, portrait (default: a4)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        print_json([
            {"scenario": r.scenario.id, "title": r.scenario.title, "diagram": r.diagram, "happens": r.happens,
             "works": r.works, "url": r.url, "fix": r.fix, "safer": r.safer, "security": list(r.security)}
            for r in cheat_sheet()
        ])
        return 0
    path = save(args.output, paper=args.paper)
    print(f"Wrote the cheat sheet to {path}.")
    return 0
