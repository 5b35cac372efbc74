"""The ``attnshare`` command line.

Startup time matters for an admin CLI: this module and every ``register``
function import only the standard library. torch and libp2p are imported inside
the handlers that need them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from node import __version__

# Subcommand modules, in help order. Each has register(subparsers).
_COMMAND_MODULES = [
    "node.commands.daemon",
    "node.commands.model",
    "node.commands.simulate",
]


def _cmd_version(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps({"version": __version__, "python": sys.version.split()[0]}))
    else:
        print(f"attnshare {__version__}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attnshare",
        description="Peer-to-peer node that shares only what its attention model finds important.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"attnshare {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("version", help="print the version")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_version)
    for name in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from protocol.errors import LocalError, RemoteError

    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (LocalError, RemoteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
