"""`safetynet migrate`: create or update the database tables."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "migrate",
        help="create or update the database tables",
        description="Apply every pending database migration (safe to run repeatedly).",
    )
    p.add_argument("--check", action="store_true", help="only report whether migrations are pending (exit 1 if so)")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from safetynet.cli.django_setup import describe_database, ensure_database
    from safetynet.lib.health import pending_migrations

    ensure_database()
    pending = pending_migrations()
    if args.check:
        print(f"{len(pending)} migration(s) pending on the {describe_database()}")
        return 1 if pending else 0
    call_command("migrate", interactive=False, verbosity=0)
    print(f"applied {len(pending)} migration(s) to the {describe_database()}")
    return 0
