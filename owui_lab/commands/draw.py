"""``owui-lab draw``: write the picture of a configuration to a file (.png, .svg or .mmd).

Registering the subcommand imports nothing heavy; matplotlib and networkx load only when it runs.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``draw`` subcommand."""
    from ..cli import add_config_args

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
    p.set_defaults(func=_cmd_draw)


def _cmd_draw(args: argparse.Namespace) -> int:
    from ..cli import config_from_args
    from ..drawing import save  # matplotlib and networkx load here, not when the CLI starts

    config = config_from_args(args)
    title = None
    if args.scenario:
        from ..scenarios import scenario

        seed = scenario(args.scenario)
        title = seed.title if seed.config == config else f"{seed.title}, changed"
    print(save(config, args.output, side_by_side=args.side_by_side, title=title))
    return 0
