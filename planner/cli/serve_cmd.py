"""`planner serve PLAN`: the plan's interactive page on a local web server (planner/web/,
docs/web.md). Only the standard library at the top (see main.py); Starlette and uvicorn, the
`web` extra, are imported when the command runs, and their absence is a one-line error."""

from __future__ import annotations

import argparse
import sys
from typing import TypeVar

from planner.cli.arguments import plan_arguments
from planner.cli.common import EXIT_INVALID, EXIT_OK, error, load_plan

P = TypeVar("P", bound=argparse.ArgumentParser)

GRACE = 3
"""Seconds Ctrl-C waits for open requests before closing them."""

LOCAL = ("127.0.0.1", "localhost", "::1")
INSTALL = "planner serve needs the web extra: pip install -e '.[web]' (Starlette and uvicorn)"


def add_parser(sub: argparse._SubParsersAction[P]) -> None:
    """Add `serve` to the `planner` command line."""
    p = sub.add_parser("serve", help="open an interactive page for a plan: move a number, see the verdict move")
    plan_arguments(p)
    p.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1, this machine only)"
    )
    p.add_argument("--open", action="store_true", help="open the page in the default web browser")


def _serve(args: argparse.Namespace) -> int:
    import socket  # here, not at the top: every other command would pay for them at start-up
    import threading
    import webbrowser

    try:
        import uvicorn

        from planner.web.app import create_app
    except ImportError:
        error(INSTALL)
        return EXIT_INVALID
    plan = load_plan(args)  # read once: the page never writes it
    if not 0 <= args.port <= 65535:
        error(f"--port must be 0 to 65535, got {args.port}")
        return EXIT_INVALID
    if args.host not in LOCAL:
        print(
            f"planner: warning: listening on {args.host}: anyone who can reach this address can use the page "
            "(and the solver's time)",
            file=sys.stderr,
        )
    config = uvicorn.Config(create_app(plan), log_level="warning", lifespan="on", timeout_graceful_shutdown=GRACE)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        sock.listen(128)  # from here a request waits in the queue until the server takes it
    except OSError as e:
        error(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}")
        return EXIT_INVALID
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{shown}:{port}/"
    try:
        print(f"planner: serving '{plan.plan.name or args.plan}' at {url} (Ctrl-C stops)", flush=True)
        if args.open:
            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then passes the signal on: stopping is the way out
        pass
    print("planner: stopped", flush=True)
    return EXIT_OK


COMMANDS = {"serve": _serve}
