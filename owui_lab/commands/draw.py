"""``owui-lab draw``: write the picture of a configuration to a file (.png, .svg or .mmd).

Registering the subcommand imports nothing heavy; ``export.save`` loads matplotlib (pictures) or
networkx (Mermaid) only when it writes.
"""

from __future__ import annotations

import argparse

from ..catalog import scenario
from ..export import save
from .args import add_config_args, config_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``draw`` subcommand."""
    p = subparsers.add_parser(
        "draw",
        help="draw a configuration: nested boxes, ports, and Open WebUI → Ollama in green or red",
        description="Draw a configuration to a file. The format comes from the extension: .png and .svg "
        "are pictures, .mmd is Mermaid C4 text in the style of the Open WebUI docs.",
        epilog="examples:\n"
        "  owui-lab draw --scenario linux-ollama-on-host -o broken.png\n"
        "  owui-lab draw --scenario linux-ollama-on-host --ollama-bind 0.0.0.0 -o fixed.svg\n"
        "  owui-lab draw --scenario desktop-host-network --side-by-side -o both.png\n"
        "  owui-lab draw --scenario linux-compose -o for-the-docs.mmd",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_args(p)
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="where to write: FILE.png, FILE.svg or FILE.mmd")
    p.add_argument("--side-by-side", action="store_true",
                   help="draw the configuration on Linux and on Docker Desktop next to each other (.png/.svg)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    title = None
    if args.scenario:
        seed = scenario(args.scenario)
        title = seed.title if seed.config == config else f"{seed.title}, changed"
    print(save(config, args.output, side_by_side=args.side_by_side, title=title))
    return 0
