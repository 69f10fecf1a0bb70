"""Entry point: `safetynet COMMAND [options]` and `python -m safetynet`.

Every command lives in `safetynet.cli.commands.<name>` and provides
`register(subparsers)`; the parser it adds sets `func` (returns an exit code) and
`needs_django`. Fixable problems end with one line on stderr and exit code 2; a write the
database refused (disk full, connection lost: `DatabaseWriteFailed`) with one line saying what
was stored and what to do, and exit code 4; an unexpected error prints one line too, unless
--debug asks for the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from safetynet import __version__
from safetynet.cli.errors import FIXABLE_ERRORS, UsageError
from safetynet.lib.dberrors import DatabaseWriteFailed

COMMANDS = [
    "demo",
    "generate",
    "serve",
    "worker",
    "migrate",
    "createuser",
    "doctor",
    "manage",
    "link",
    "import",
    "ingest",
    "feed",
    "export",
    "schema",
    "evaluate",
    "alerts",
    "notify",
    "audit",
    "apikey",
    "backup",
    "restore",
]

# Commands whose module has another name (`import` is a Python keyword).
MODULES = {"import": "importer"}


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="safetynet",
        description="safetynet: one picture of every child, for police and safeguarding partners.",
        epilog="Run 'safetynet COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"safetynet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"safetynet.cli.commands.{MODULES.get(name, name)}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "needs_django", True):
            from safetynet.cli.django_setup import setup_django

            setup_django()
        return int(args.func(args) or 0)
    except FIXABLE_ERRORS as exc:
        if args.debug:
            raise
        print(f"safetynet {args.command}: error: {exc}", file=sys.stderr)
        return UsageError.exit_code
    except DatabaseWriteFailed as exc:
        if args.debug:
            raise
        # Its message is built to be printed: what failed (no data), what was stored, what to do.
        print(f"safetynet {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"safetynet {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last resort: one line unless --debug
        if args.debug:
            raise
        # The exception text may quote data (a name in a failed row), so print only its type.
        print(
            f"safetynet {args.command}: unexpected {type(exc).__name__}; run again with --debug for details",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
