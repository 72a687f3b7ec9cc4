"""``owui-lab doctor``: diagnose the learner's own Open WebUI ↔ Ollama setup (read-only)."""

from __future__ import annotations

import argparse

from ..errors import ConfigError
from .args import print_json
from ..diagnosis import doctor


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="look at the Open WebUI and Ollama running here: what is broken and how to fix it",
        description=(
            "Finds Open WebUI and Ollama (containers, or Ollama on the host), reads the Ollama URL Open WebUI "
            "saved in its database (from a copy; Open WebUI uses it, not OLLAMA_BASE_URL, after its first "
            "start), predicts with the engine, checks from inside Open WebUI's network namespace, and prints a "
            "checklist with exact fixes. Changes nothing of yours; its probe container is labelled and removed. "
            "With OWUI_LAB_WEBUI_TOKEN set to an Open WebUI admin's API key it also asks Open WebUI's "
            "/ollama/config."
        ),
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--container", action="append", metavar="NAME",
                   help="examine this container (name or id; repeatable); default: all of them")
    p.add_argument("--as-webui", action="store_true",
                   help="take the one --container for Open WebUI whatever its image says (a mirror of the image)")
    p.add_argument("--host-port", type=int, default=11434, metavar="N",
                   help="the host port of a native Ollama (default 11434)")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S",
                   help="seconds per base URL for the probe from Open WebUI's namespace (default 3)")
    p.add_argument("--no-observe", action="store_true",
                   help="only predict from docker inspect (and the URL Open WebUI saved): no probe container, no HTTP requests")
    p.add_argument("--include-lab", action="store_true", help="also examine the kit's own lab containers")
    p.add_argument("--sign-in", action="store_true",
                   help="on an Open WebUI without login (WEBUI_AUTH=False), sign in as its page does and ask it "
                        "which Ollama URLs it uses (Open WebUI notes the visit in its database)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.host_port <= 65535:
        raise ConfigError(f"--host-port {args.host_port} is not a TCP port.", "use a number from 1 to 65535, e.g. 11434.")
    if not 0 < args.timeout <= 60:
        raise ConfigError(f"--timeout {args.timeout:g} is out of range.", "use a number of seconds above 0 and at most 60, e.g. 3.")
    report = doctor(
        args.container,
        host_port=args.host_port,
        timeout=args.timeout,
        observe=not args.no_observe,
        include_lab=args.include_lab,
        sign_in=args.sign_in,
        as_webui=args.as_webui,
    )
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.text())
    return 0
