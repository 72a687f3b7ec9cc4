"""``owui-lab lab run|up|status|down|clean|grid``: run a configuration for real on the local Docker daemon.

- ``lab run [--scenario ID] [knobs...] [--json]``: up, probe, down; the observation beside the
  prediction. For another platform than this daemon (Docker Desktop configurations on a Linux
  engine) it says it cannot emulate that platform and shows the prediction only.
- ``lab up [knobs...]``: bring a lab up and leave it running for exploring by hand; prints the
  ``docker`` commands to look around. Its state is a small file under the user's cache directory.
- ``lab status``: the labs that are up, probed again. ``lab down [SESSION]``: remove one (or all
  of yours).
- ``lab clean``: remove your containers, networks and host stand-ins the kit labelled; nothing
  else (selection by label only).
- ``lab grid [--grid auto|linux|desktop|small] [--output PATH] [--plan]``: run this platform's grid of
  configurations and write a truth recording (``owui_lab.lab.grid``, ``owui_lab.truth``).

Several people may share one daemon: status/down/clean act on the caller's own objects (label
``io.owui-lab.owner``: ``OWUI_LAB_OWNER`` or the user name); ``--all`` acts on everyone's and first
lists what it will remove. The work is in ``owui_lab.lab.kept``; this module parses and prints.

Imports nothing heavy at registration (the Docker SDK is loaded when a subcommand runs).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from ..config import Config
from ..errors import ConfigError, PlatformMismatch
from ..prediction import predict
from .args import add_config_args, config_from_args
from .. import docker_api
from ..environment import daemon_engine
from ..lab import PROBE_TIMEOUT, run
from ..lab import firewall
from ..lab import grid as truth_grid
from ..lab.kept import clean, clean_plan, down, keep_up, status


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lab`` and its subcommands to the CLI."""
    p = subparsers.add_parser(
        "lab",
        help="run a configuration for real on the local Docker daemon (with stand-ins)",
        description="Bring a configuration up on the local Docker daemon with light stand-ins, probe "
        "Open WebUI → Ollama from inside Open WebUI's container and the browser → Open WebUI from "
        "this host, and compare with the prediction.",
    )
    sub = p.add_subparsers(dest="lab_command", metavar="run|up|status|down|clean|grid")
    sub.required = True

    r = sub.add_parser("run", help="up, probe, down: the observation beside the prediction")
    add_config_args(r)
    _lab_options(r)
    r.set_defaults(func=_cmd_run)

    u = sub.add_parser("up", help="bring a lab up and leave it running (prints docker commands to look around)")
    add_config_args(u)
    _lab_options(u)
    u.set_defaults(func=_cmd_up)

    s = sub.add_parser("status", help="the labs that are up, probed again")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--all", action="store_true", help="also list the kit's objects of every other owner")
    s.set_defaults(func=_cmd_status)

    d = sub.add_parser("down", help="remove a lab that is up (all of yours without SESSION)")
    d.add_argument("session", nargs="?", metavar="SESSION", help="the lab's session id (lab status lists them)")
    d.add_argument("--json", action="store_true", help="print JSON")
    d.add_argument("--all", action="store_true", help="any owner's lab (without SESSION: every owner's labs)")
    d.set_defaults(func=_cmd_down)

    c = sub.add_parser("clean", help="remove your objects the kit labelled, and nothing else")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--all", action="store_true", help="every owner's objects (lists them first)")
    c.add_argument("--run", metavar="ID", help="only objects labelled io.owui-lab.run=ID (one test run's)")
    c.set_defaults(func=_cmd_clean)

    _register_grid(sub)


def _lab_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--image", metavar="IMAGE", help="the stand-in image (default $OWUI_LAB_IMAGE or python:3.12-slim)")
    p.add_argument("--timeout", metavar="S", type=float, default=None, help="seconds per probe before 'unreachable' (default 2)")
    p.add_argument("--free-ports", action="store_true", help="always use free host ports, even when 3000/11434 are free")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    timeout = PROBE_TIMEOUT if args.timeout is None else args.timeout
    if not 0.1 <= timeout <= 60:
        raise ConfigError(f"--timeout {args.timeout} is not a sensible probe timeout.", "use 0.1 to 60 seconds, e.g. 2.")
    return {"image": args.image, "keep_ports": not args.free_ports, "probe_timeout": timeout}


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def on_this_engine(config: Config, args: argparse.Namespace) -> Config:
    """The configuration on the daemon's own engine when the learner did not name one (--engine).

    ``DOCKER_HOST=unix:///run/podman/podman.sock owui-lab lab run`` runs the Podman configuration
    and compares with the engine's Podman prediction, not Docker's.
    """
    if getattr(args, "engine", None) is not None or config.platform != "linux":
        return config

    engine = daemon_engine()
    return config.replace(engine=engine) if engine else config


def _cmd_run(args: argparse.Namespace) -> int:
    config = on_this_engine(config_from_args(args), args)
    options = _options(args)
    start = time.perf_counter()
    try:
        result = run(config, progress=None if not args.json else False, **options)
    except PlatformMismatch as exc:
        verdict = predict(config)
        if args.json:
            _print_json({"predicted": verdict.to_dict(), "observed": None, "agree": None,
                         "seconds": round(time.perf_counter() - start, 3), "reason": exc.message})
        else:
            print(verdict.transcript())
            print(f"\nNot run: {exc.message}")
        return 0
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.transcript())
        print(f"Teardown took {result.teardown_seconds:.2f} s; nothing of this lab is left.")
    return 0


def _cmd_up(args: argparse.Namespace) -> int:
    config = on_this_engine(config_from_args(args), args)
    description, observed = keep_up(config, progress=None if not args.json else False, **_options(args))
    if args.json:
        _print_json(description)
    else:
        _print_up(description, observed)
    return 0


def _print_up(d: dict[str, Any], observed: Any) -> None:
    print(f"Lab {d['session']} is up: {', '.join(d['containers'])}"
          + (f"; host stand-in pid {', '.join(map(str, d['host_processes']))}" if d["host_processes"] else ""))
    mark = "✓" if observed.reachable else "✗"
    print(f"  {mark} Open WebUI → Ollama at {observed.url}: {observed.outcome} ({observed.detail})")
    mark = "✓" if observed.browser.reachable else "✗"
    print(f"  {mark} Browser → Open WebUI at {observed.browser.url}")
    print(f"  prediction: {d['predicted']['outcome']} ({'agrees' if d['agree'] else 'DISAGREES'})")
    for note in d["notes"]:
        print(f"  * {note}")
    print("Look around:")
    for command in d["commands"]:
        print(f"  {command}")
    print(f"When done: owui-lab lab down {d['session']}")


def _cmd_status(args: argparse.Namespace) -> int:
    report = status(everyone=args.all)
    if args.json:
        _print_json(report)
        return 0
    if not report:
        print("No lab of yours is up (owui-lab lab up starts one)." if not args.all else "No lab is up.")
        return 0
    for e in report:
        whose = f" (owner {e['owner']})" if args.all else ""
        print(f"Lab {e['session']}{whose}: " + (", ".join(f"{k} ({v})" for k, v in e["containers"].items()) or "no container"))
        if e["host_processes"]:
            print(f"  host stand-in pid {', '.join(map(str, e['host_processes']))}")
        if "observed" in e:
            o = e["observed"]
            print(f"  Open WebUI → Ollama at {o['url']}: {o['outcome']} ({o['detail']})")
            print(f"  Browser → Open WebUI at {e['browser']['url']}: {'reachable' if e['browser']['reachable'] else 'not reachable'}")
        elif e.get("recorded") is False:
            print("  not started by 'lab up' from this account (a 'lab run' in progress, or another owner's)")
        else:
            print("  Open WebUI's container is not running: owui-lab lab down " + e["session"])
        for command in e["commands"]:
            print(f"  {command}")
    return 0


def _cmd_down(args: argparse.Namespace) -> int:
    out = [r.to_dict() for r in down(args.session, everyone=args.all)]
    if args.json:
        _print_json(out)
    elif not out:
        print("No lab of yours is up.")
    else:
        for o in out:
            print(f"Lab {o['sessions'][0]}: removed {len(o['containers'])} container(s) and {len(o['networks'])} "
                  f"network(s) in {o['seconds']:.2f} s" + (f"; could not remove: {'; '.join(o['failed'])}" if o["failed"] else ""))
    return 1 if any(o["failed"] for o in out) else 0


def _cmd_clean(args: argparse.Namespace) -> int:
    if args.all:
        plan = clean_plan(run=args.run, everyone=True)
        if not args.json:
            things = [f"container {n}" for n in plan.containers] + [f"network {n}" for n in plan.networks]
            things += [f"host stand-in pid {p}" for p in plan.host_processes]
            things += [f"iptables rule '{r}'" for r in plan.firewall_rules]
            print(f"--all: removing the kit's objects of every owner ({len(things)}): "
                  + (", ".join(things) if things else "nothing"), flush=True)
    removed = clean(run=args.run, everyone=args.all)
    if args.json:
        _print_json(removed.to_dict())
    else:
        whose = "of every owner" if args.all else f"of yours (owner {docker_api.current_owner()})"
        print(f"Removed {len(removed.containers)} container(s), {len(removed.networks)} network(s) and "
              f"{len(removed.host_processes)} host stand-in(s) {whose} labelled by owui-lab "
              f"(label {docker_api.LABEL_MANAGED}=true)"
              + (f", and {len(removed.logs)} stand-in log(s) left by an interrupted run" if removed.logs else "")
              + (f", and {len(removed.firewall_rules)} iptables rule(s) of a lab's host firewall"
                 if removed.firewall_rules else "")
              + "; nothing else was touched.")
        for f in removed.failed:
            print(f"  could not remove {f}")
    return 1 if removed.failed else 0


# --------------------------------------------------------------------------------------------------
# lab grid (the truth grid, issue 14)
# --------------------------------------------------------------------------------------------------


def _register_grid(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser(
        "grid",
        help="run a grid of configurations for real and record it (to check the engine on your platform)",
        description="Run this platform's grid of configurations on the local Docker daemon (the Linux grid "
        "on a Linux Docker Engine, the Desktop grid on Docker Desktop), compare each with the engine's "
        "prediction and write a recording: the platform's facts and, per configuration, the knobs, the "
        "prediction and the observation. Nothing personal goes in it. Ctrl-C stops cleanly and keeps a "
        "partial recording.",
    )
    g.add_argument("--grid", default="auto", metavar="auto|linux|desktop|small",
                   help=f"which grid (default: this platform's; small: {truth_grid.small_grid().count} configurations, "
                   "a first try)")
    g.add_argument("--output", metavar="PATH", help="the recording's file (default: owui-lab-truth-...json here)")
    g.add_argument("--plan", action="store_true", help="print what it would run and how long, and stop")
    g.add_argument("--image", metavar="IMAGE", help="the stand-in image (default $OWUI_LAB_IMAGE or python:3.12-slim)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.set_defaults(func=_cmd_grid)


def _cmd_grid(args: argparse.Namespace) -> int:
    from pathlib import Path


    folder = truth_grid.writable_folder(Path(args.output).parent if args.output else Path("."))
    facts = truth_grid.local_facts()
    grid = truth_grid.grid_named(args.grid, facts)
    print(f"{facts.title}: the {grid.name} grid, {grid.count} configurations in {len(grid.families)} setups, "
          f"{truth_grid.SETUPS_AT_ONCE} at a time: {truth_grid.estimate_text(grid.estimate())} (an estimate). "
          "Ctrl-C stops cleanly and keeps what ran, marked partial.")
    if facts.platform == "linux" and facts.engine_knob == "docker" and firewall.problem():
        print(f"A host firewall is left out of this grid: {firewall.problem()}")
    ask = truth_grid.unrecorded(facts)
    if ask:
        print(ask)
    if args.plan:
        for line in grid.plan():
            print(f"  - {line}")
        return 0
    recording = truth_grid.run_grid(grid, image=args.image, progress=not args.no_progress, facts=facts)
    path = Path(args.output) if args.output else truth_grid.default_path(recording, folder)
    try:
        recording.write(path)
    except OSError as exc:  # the folder was checked first; a full disk can still refuse it
        import tempfile

        print(f"owui-lab: the recording could not be written to {path} ({exc.strerror}); keeping it in the "
              "temporary folder instead.")
        path = recording.write(Path(tempfile.gettempdir()) / path.name)
    print(truth_grid.summary(recording, path))
    return 130 if recording.partial and "Ctrl-C" in recording.partial_reason else 0
