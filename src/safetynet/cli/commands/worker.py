"""`safetynet worker`: run background tasks (linkage, re-evaluation, deadline sweeps)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="run background tasks from the database queue",
        description="Run the database-backed task worker until stopped. "
        "--batch processes what is queued and exits (for scripts and CI).",
    )
    p.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from safetynet.cli.django_setup import ensure_database

    ensure_database()
    options: dict[str, Any] = {"interval": args.interval}
    if args.batch:
        options["batch"] = True
    call_command("db_worker", **options)
    return 0
