"""``owui-lab predict``: the engine's verdict on a configuration, as a lab transcript or JSON.

The configuration comes from knobs, a scenario, or what the learner pasted: ``--from-command`` (a
``docker run`` line, repeatable), ``--compose-file`` and ``--ollama-line`` (the host's Ollama as they start
it). With a paste, the fix comes back as their own command, edited, shown as a diff.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import KNOB_NAMES, Config
from ..errors import ConfigError
from ..fixes import fix_changes
from ..paste import Paste, PastedSetup, read_paste
from ..paste.edit import fix_diff
from ..prediction import predict
from .args import add_config_args, config_from_args, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``predict`` subcommand."""
    p = subparsers.add_parser("predict", help="predict whether Open WebUI reaches Ollama, step by step")
    add_config_args(p)
    g = p.add_argument_group("what you ran (read into the knobs; explicit knobs still win)")
    g.add_argument("--from-command", metavar="CMD", action="append", default=[],
                   help="a docker run / podman run line as you ran it (repeat for each container)")
    g.add_argument("--compose-file", metavar="FILE", action="append", default=[],
                   help="your compose file (repeat for -f a.yaml -f b.yaml)")
    g.add_argument("--ollama-line", metavar="LINE", action="append", default=[],
                   help="how the host's Ollama starts, e.g. 'OLLAMA_HOST=0.0.0.0 ollama serve' or a systemd "
                        "Environment=\"OLLAMA_HOST=...\" line")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    setup = _pasted(args)
    if setup is None:
        verdict = predict(config_from_args(args))
    else:
        knobs = {n: getattr(args, n) for n in KNOB_NAMES if n != "platform" and getattr(args, n, None) is not None}
        verdict = predict(Config.from_knobs(knobs, setup.config.to_dict()))
    diffs = [fix_diff(setup, combo) for combo in fix_changes(verdict.config)] if setup and not verdict.reachable else []
    if args.json:
        data = verdict.to_dict()
        if setup is not None:
            data["paste"] = {"assumptions": list(setup.assumptions), "ignored": list(setup.ignored),
                             "not_modelled": list(setup.unexpressed), "fixes_as_diffs": diffs}
        print_json(data)
        return 0
    print(verdict.transcript())
    if setup is not None:
        _print_reading(setup)
        if diffs and diffs[0]:
            print("Your paste, with the first fix:")
            print(diffs[0])
    return 0


def _pasted(args: argparse.Namespace) -> PastedSetup | None:
    if not (args.from_command or args.compose_file):
        if args.ollama_line:
            raise ConfigError("--ollama-line describes the host's Ollama, but no Open WebUI command was pasted.",
                              "add --from-command \"docker run ...\" or --compose-file FILE.")
        return None
    if args.scenario:
        raise ConfigError("--scenario and a pasted command both describe the whole setup.",
                          "use one of them: the paste, or the scenario.")
    texts = []
    for name in args.compose_file:
        try:
            texts.append(Path(name).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"--compose-file {name}: {exc.strerror or exc}.",
                              "give the path of your compose file (docker-compose.yaml or compose.yaml).") from None
    setup = read_paste(Paste(commands=tuple(args.from_command), compose=tuple(texts), host=tuple(args.ollama_line),
                             platform=args.platform, engine=args.engine))
    if setup.config is None:
        raise ConfigError("The kit cannot model this setup: " + "; ".join(setup.unexpressed) + ".",
                          "the engine's knobs (owui-lab predict --help) may still describe the nearest setup.")
    return setup


def _print_reading(setup: PastedSetup) -> None:
    for title, items in (("Read from your paste, assumed where it says nothing:", setup.assumptions),
                         ("Not modelled:", setup.unexpressed), ("Flags read past (no effect on the path):", setup.ignored)):
        if items:
            print(title)
            print("\n".join(f"  - {item}" for item in items))
