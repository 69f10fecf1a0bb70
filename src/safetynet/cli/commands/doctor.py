"""`safetynet doctor`: versions, the database in use, pending migrations, and what needs an
operator: person records linked to no one, imports still running, interrupted or failed, and the
worker's heartbeat and the queue's lag (the checks of /readyz)."""

from __future__ import annotations

import argparse
import platform
from importlib import metadata
from typing import Any

PACKAGES = ["django", "django-ninja", "splink", "duckdb", "psycopg", "pydantic", "django-tasks-db"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="show versions, the database in use and pending migrations",
        description="Check this installation: versions, settings, database and migrations. "
        "Exit code 0 when healthy, 1 when the database is unreachable or migrations are pending.",
    )
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    import os

    from safetynet import __version__
    from safetynet.cli.django_setup import describe_database
    from safetynet.lib.health import check_health, pending_migrations

    print(f"safetynet {__version__} on Python {platform.python_version()}")
    for name in PACKAGES:
        try:
            print(f"  {name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            print(f"  {name} not installed")
    print(f"settings: {os.environ.get('DJANGO_SETTINGS_MODULE')}")
    print(f"database: {describe_database()}")
    health = check_health()
    print(f"database reachable: {'yes' if health['database'] == 'ok' else 'no'}")
    if health["database"] == "ok":
        pending = pending_migrations()
        print(f"pending migrations: {len(pending)}")
        for name in pending:
            print(f"  {name}")
        if not pending:
            _attention()
            _worker_and_queue()
    return 0 if health["status"] == "ok" else 1


def _attention() -> None:
    """What an operator should look at: unlinked person records (an interrupted import, or one
    run with --no-link: `safetynet import` again or `safetynet link` links them) and import
    batches still marked running, interrupted or failed (the database refused a write)."""
    from safetynet.identity.linking import unlinked_person_ids
    from safetynet.interchange.models import ImportBatch

    unlinked = len(unlinked_person_ids())
    print(f"unlinked person records: {unlinked:,}" + (" (run 'safetynet link' to link them)" if unlinked else ""))
    open_batches = ImportBatch.objects.filter(
        status__in=[ImportBatch.Status.RUNNING, ImportBatch.Status.INTERRUPTED, ImportBatch.Status.FAILED]
    ).order_by("pk")
    for batch in open_batches:
        print(
            f"  import batch {batch.pk} is {batch.status} (started {batch.started_at:%Y-%m-%d %H:%M} UTC on "
            f"{batch.host or 'an unknown host'}, pid {batch.pid}); run the same import again to finish it"
        )


def _worker_and_queue() -> None:
    """The readiness checks of the worker and the queue (/readyz): informational here, since
    doctor also runs on a machine where no worker is meant to run yet."""
    from safetynet.ops.readiness import queue_check, worker_check

    for check in (worker_check(), queue_check()):
        print(f"{check.name}: {'ok' if check.ok else 'ATTENTION'}: {check.detail}")
