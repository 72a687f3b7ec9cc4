"""``owui-lab standin ollama|webui``: run a stand-in service in the foreground.

``owui-lab standin ollama [--bind ADDR] [--port N]`` is a "fake Ollama" that binds where a real one
would (``OLLAMA_HOST`` honoured; ``--bind`` takes the same values) and answers Ollama's API with an
echo model, so a learner can practise the whole stack without a GPU. ``owui-lab standin webui
[--port N]`` is the stand-in Open WebUI (``/health``, ``/probe``). Ctrl-C stops either at once.
"""

from __future__ import annotations

import argparse

from ..errors import ConfigError
from ..standins import ollama, webui


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``standin`` to the CLI (imports nothing heavy)."""
    p = subparsers.add_parser(
        "standin",
        help="run a stand-in Ollama (echo model) or Open WebUI in the foreground",
        description="Run a stand-in service in the foreground; Ctrl-C stops it.",
    )
    which = p.add_subparsers(dest="standin", metavar="ollama|webui")
    which.required = True
    o = which.add_parser(
        "ollama",
        help="a fake Ollama: binds like Ollama (OLLAMA_HOST), answers its API with echo-standin:latest",
        description=(
            "A stand-in Ollama in plain Python. It binds exactly where a real Ollama binds for the same "
            "OLLAMA_HOST (default 127.0.0.1:11434, which containers on a bridge cannot reach; "
            "OLLAMA_HOST=0.0.0.0 listens on every address) and answers Ollama's API with one model, "
            "echo-standin:latest, which repeats your last message. Point a real Open WebUI at it to "
            "practise the whole stack without a GPU. Each request is logged with the address it came "
            "from (172.17.0.2 and the like: a container on the default bridge)."
        ),
        epilog="example: OLLAMA_HOST=0.0.0.0 owui-lab standin ollama",
    )
    o.add_argument("--bind", metavar="ADDR", help="an OLLAMA_HOST value (default $OLLAMA_HOST, else 127.0.0.1:11434)")
    o.add_argument("--port", metavar="N", type=int, help="override the port (0 picks a free one)")
    o.add_argument("--quiet", action="store_true", help="do not log requests")
    o.set_defaults(func=_run_ollama)
    w = which.add_parser(
        "webui",
        help="a fake Open WebUI: GET /health, GET /probe of its Ollama URLs",
        description=(
            "A stand-in Open WebUI in plain Python, on $HOST:$PORT (default 127.0.0.1:8080: this machine "
            "only). It reads OLLAMA_BASE_URLS / OLLAMA_BASE_URL as Open WebUI does and answers GET /health "
            'with {"status": true}. With --probe-relay, GET /probe says whether each of those Ollama URLs '
            "(and no other) answers from where it runs: ok, name_not_resolved, connection_refused or "
            "unreachable."
        ),
        epilog="example: OLLAMA_BASE_URL=http://127.0.0.1:11434 owui-lab standin webui --port 3000",
    )
    w.add_argument("--host", metavar="ADDR", help="bind address (default $HOST or 127.0.0.1; 0.0.0.0: every address)")
    w.add_argument("--port", metavar="N", type=int, help="port (default $PORT or 8080)")
    w.add_argument("--quiet", action="store_true", help="do not log requests")
    w.add_argument("--probe-relay", action="store_true",
                   help="answer GET /probe, for the configured Ollama URLs only (off by default)")
    w.set_defaults(func=_run_webui)


def _check_port(port: int | None) -> None:
    if port is not None and not 0 <= port <= 65535:
        raise ConfigError(f"--port {port} is not a TCP port.", "use a number from 1 to 65535 (0 picks a free one).")


def _run_ollama(args: argparse.Namespace) -> int:
    _check_port(args.port)
    argv = []
    if args.bind is not None:
        argv += ["--bind", args.bind]
    if args.port is not None:
        argv += ["--port", str(args.port)]
    if args.quiet:
        argv.append("--quiet")
    return ollama.main(argv)


def _run_webui(args: argparse.Namespace) -> int:
    _check_port(args.port)
    argv = ["serve"]
    if args.host is not None:
        argv += ["--host", args.host]
    if args.port is not None:
        argv += ["--port", str(args.port)]
    if args.quiet:
        argv.append("--quiet")
    if args.probe_relay:
        argv.append("--probe-relay")
    return webui.main(argv)
