"""``owui-lab lab run|up|status|down|clean``: run a configuration for real on the local Docker daemon.

- ``lab run [--scenario ID] [knobs...] [--json]``: up, probe, down; the observation beside the
  prediction. For another platform than this daemon (Docker Desktop configurations on a Linux
  engine) it says it cannot emulate that platform and shows the prediction only.
- ``lab up [knobs...]``: bring a lab up and leave it running for exploring by hand; prints the
  ``docker`` commands to look around. Its state is a small file under the user's cache directory.
- ``lab status``: the labs that are up, probed again. ``lab down [SESSION]``: remove one (or all).
- ``lab clean``: remove every container and network the kit labelled, and the kit's host
  stand-ins; nothing else (selection by label only).

Imports nothing heavy at registration (the Docker SDK is loaded when a subcommand runs).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from .args import add_config_args, config_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lab`` and its subcommands to the CLI."""
    p = subparsers.add_parser(
        "lab",
        help="run a configuration for real on the local Docker daemon (with stand-ins)",
        description="Bring a configuration up on the local Docker daemon with light stand-ins, probe "
        "Open WebUI → Ollama from inside Open WebUI's container and the browser → Open WebUI from "
        "this host, and compare with the prediction.",
    )
    sub = p.add_subparsers(dest="lab_command", metavar="run|up|status|down|clean")
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
    s.set_defaults(func=_cmd_status)

    d = sub.add_parser("down", help="remove a lab that is up (all of them without SESSION)")
    d.add_argument("session", nargs="?", metavar="SESSION", help="the lab's session id (lab status lists them)")
    d.add_argument("--json", action="store_true", help="print JSON")
    d.set_defaults(func=_cmd_down)

    c = sub.add_parser("clean", help="remove every object the kit labelled, and nothing else")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--run", metavar="ID", help="only objects labelled io.owui-lab.run=ID (one test run's)")
    c.set_defaults(func=_cmd_clean)


def _lab_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--image", metavar="IMAGE", help="the stand-in image (default $OWUI_LAB_IMAGE or python:3.12-slim)")
    p.add_argument("--timeout", metavar="S", type=float, default=None, help="seconds per probe before 'unreachable' (default 2)")
    p.add_argument("--free-ports", action="store_true", help="always use free host ports, even when 3000/11434 are free")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from ..errors import ConfigError
    from ..lab import PROBE_TIMEOUT

    timeout = PROBE_TIMEOUT if args.timeout is None else args.timeout
    if not 0.1 <= timeout <= 60:
        raise ConfigError(f"--timeout {args.timeout} is not a sensible probe timeout.", "use 0.1 to 60 seconds, e.g. 2.")
    return {"image": args.image, "keep_ports": not args.free_ports, "probe_timeout": timeout}


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _cmd_run(args: argparse.Namespace) -> int:
    from ..prediction import predict
    from ..errors import PlatformMismatch
    from ..lab import run

    config = config_from_args(args)
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
    from ..lab import Lab, _DeferredInterrupt, agrees, forget_state, save_state
    from ..prediction import predict

    config = config_from_args(args)
    options = _options(args)
    # Ctrl-C at any moment: either everything is removed (exit 130) or the lab is up and recorded
    # (exit 0). The handler stays installed until the process exits, so no interrupt can land
    # between "recorded" and "exit 0".
    with _DeferredInterrupt(restore=False) as guard:
        lab = Lab(config, progress=None if not args.json else False, **options)
        lab.up()
        try:
            guard.check()
            description = lab.describe()
            path = save_state(description)
            guard.check()
            observed = lab.probe()
            guard.check()
        except BaseException:
            lab.down()
            forget_state(lab.session)
            raise
        verdict = predict(config)
        description["observed"] = observed.to_dict()
        description["predicted"] = {"outcome": verdict.outcome, "reachable": verdict.reachable}
        description["agree"] = agrees(verdict, observed)
        description["state_file"] = str(path)
        save_state(description)
        lab.detach()
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
    from .. import docker_api
    from ..lab import _browser_check, labelled_host_processes, load_states

    states = load_states()
    if not states:
        if args.json:
            _print_json([])
        else:
            print("No lab is up (owui-lab lab up starts one).")
        return 0
    cli = docker_api.client()
    report = []
    for st in states:
        session = st["session"]
        containers = cli.containers.list(all=True, filters=docker_api.label_filters(session))
        entry: dict[str, Any] = {
            "session": session,
            "containers": {c.name: c.status for c in containers},
            "host_processes": labelled_host_processes(session),
            "commands": st.get("commands", []),
        }
        webui = next((c for c in containers if c.name == st.get("webui_container")), None)
        if webui is not None and webui.status == "running":
            result = docker_api.probe_by_exec(webui, [st["probe_url"]], 2.0)[0]
            entry["observed"] = {"url": st["probe_url"], "outcome": result.get("outcome"), "detail": result.get("detail")}
            port = int(st["browser_url"].rsplit(":", 1)[1])
            entry["browser"] = {"url": st["browser_url"], "reachable": _browser_check(port)[0]}
        report.append(entry)
    if args.json:
        _print_json(report)
        return 0
    for e in report:
        print(f"Lab {e['session']}: " + ", ".join(f"{k} ({v})" for k, v in e["containers"].items()))
        if e["host_processes"]:
            print(f"  host stand-in pid {', '.join(map(str, e['host_processes']))}")
        if "observed" in e:
            o = e["observed"]
            print(f"  Open WebUI → Ollama at {o['url']}: {o['outcome']} ({o['detail']})")
            print(f"  Browser → Open WebUI at {e['browser']['url']}: {'reachable' if e['browser']['reachable'] else 'not reachable'}")
        else:
            print("  Open WebUI's container is not running: owui-lab lab down " + e["session"])
        for command in e["commands"]:
            print(f"  {command}")
    return 0


def _cmd_down(args: argparse.Namespace) -> int:
    from .. import docker_api
    from ..errors import LabError
    from ..lab import _DeferredInterrupt, forget_state, labelled_host_processes, load_states, stop_host_processes

    sessions = [args.session] if args.session else [s["session"] for s in load_states()]
    if args.session and not all(c.isalnum() for c in args.session):
        raise LabError(f"'{args.session}' is not a lab session id.", "owui-lab lab status lists the labs that are up.")
    cli = docker_api.client()
    out = []
    with _DeferredInterrupt():  # a second Ctrl-C must not leave half a lab
        for session in sessions:
            start = time.perf_counter()
            stop_host_processes(labelled_host_processes(session))
            removed = docker_api.remove_labelled(cli, session=session)
            forget_state(session)
            out.append({"session": session, "containers": list(removed.containers), "networks": list(removed.networks),
                        "failed": list(removed.failed), "seconds": round(time.perf_counter() - start, 3)})
    if args.json:
        _print_json(out)
    elif not out:
        print("No lab is up.")
    else:
        for o in out:
            print(f"Lab {o['session']}: removed {len(o['containers'])} container(s) and {len(o['networks'])} "
                  f"network(s) in {o['seconds']:.2f} s" + (f"; could not remove: {'; '.join(o['failed'])}" if o["failed"] else ""))
    return 1 if any(o["failed"] for o in out) else 0


def _cmd_clean(args: argparse.Namespace) -> int:
    from .. import docker_api
    from ..lab import _DeferredInterrupt, forget_state, labelled_host_processes, load_states, stop_host_processes

    cli = docker_api.client()
    with _DeferredInterrupt():
        pids = stop_host_processes(labelled_host_processes(run=args.run))
        removed = docker_api.remove_labelled(cli, run=args.run)
        gone = set(removed.containers)
        for st in load_states():
            if not args.run or set(st.get("containers", [])) <= gone:
                forget_state(st["session"])
    if args.json:
        _print_json({"containers": list(removed.containers), "networks": list(removed.networks),
                     "host_processes": pids, "failed": list(removed.failed)})
    else:
        print(f"Removed {len(removed.containers)} container(s), {len(removed.networks)} network(s) and "
              f"{len(pids)} host stand-in(s) labelled by owui-lab (label {docker_api.LABEL_MANAGED}=true); "
              "nothing else was touched.")
        for f in removed.failed:
            print(f"  could not remove {f}")
    return 1 if removed.failed else 0
