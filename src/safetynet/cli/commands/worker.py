"""`safetynet worker`: run background tasks (linkage, re-evaluation, deadline sweeps)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="run background tasks from the database queue",
        description="Run the database-backed task worker until stopped, with the deadline sweeper "
        "beside it (tasks for new findings, overdue tasks escalated one step; docs/work.md) and, when "
        "SAFETYNET_AUDIT_HEAD_FILE or SAFETYNET_AUDIT_HEAD_SYSLOG is set, the access log's chain head "
        "written there every SAFETYNET_AUDIT_HEAD_MINUTES (default 15; docs/audit.md). While it runs it "
        "stamps its heartbeat every 10 s (host and pid) for /readyz and the metrics (docs/operations.md). "
        "--batch sweeps once, processes what is queued and exits (for scripts and CI).",
    )
    p.add_argument("--batch", action="store_true", help="sweep once, run what is queued now, then exit")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
    p.add_argument(
        "--sweep-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds between deadline sweeps (default 60; 0 turns the sweeper off, e.g. when cron runs "
        "'safetynet alerts --sweep' instead)",
    )
    p.add_argument(
        "--nice",
        type=int,
        default=0,
        help="how much lower than the web server the worker runs on a busy CPU (the operating system's "
        "niceness added, 0-19; default 0). Off by default: the worker takes the same advisory locks as a "
        "live POST's evaluation, and a niced worker holding one makes the POST wait (measured: "
        "docs/api.md). Not applied with --batch",
    )
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from safetynet.audit.anchor import configured_anchor, start_anchoring
    from safetynet.cli.django_setup import ensure_database
    from safetynet.work.heartbeat import Heartbeat, this_process
    from safetynet.work.scheduler import start_sweeper, sweep_once

    if args.sweep_every < 0:
        raise UsageError(f"--sweep-every must be 0 (off) or a number of seconds (got {args.sweep_every:g}).")
    if not 0 <= args.nice <= 19:
        raise UsageError(f"--nice must be from 0 to 19 (got {args.nice}).")
    if args.nice and not args.batch:  # a long-running worker beside the web server; --batch runs alone
        os.nice(args.nice)
    ensure_database()
    options: dict[str, Any] = {"interval": args.interval}
    anchor = configured_anchor()
    stops: list[Any] = []
    heartbeat = None
    if args.batch:
        options["batch"] = True
        if args.sweep_every:
            sweep_once()
        if anchor is not None:
            _publish_once(anchor)
    else:
        # The first beat before anything else: a worker that cannot write its row says so at once.
        worker = this_process()
        _first_beat(worker)
        heartbeat = Heartbeat(worker).start()
        if args.sweep_every:
            stops.append(start_sweeper(args.sweep_every))
        if anchor is not None:
            stops.append(start_anchoring(anchor))
    try:
        call_command("db_worker", **options)
    finally:
        for stop in stops:
            stop.set()
        if heartbeat is not None:
            heartbeat.stop()
    return 0


def _publish_once(anchor: Any) -> None:
    """--batch: write the chain head off-box once; a failure ends the command with one line."""
    from safetynet.audit.anchor import publish_head

    try:
        publish_head(anchor)
    except (OSError, ValueError) as exc:
        where = " and ".join(filter(None, (anchor.file, anchor.syslog)))
        raise UsageError(f"cannot write the audit chain head off-box to {where}: {exc}.") from None


def _first_beat(worker: Any) -> None:
    """The first heartbeat, before anything else: a worker that cannot write its row (a database
    not yet migrated to this release) stops with one line instead of running unseen."""
    from django.db import DatabaseError

    from safetynet.lib.health import pending_migrations
    from safetynet.work.heartbeat import beat

    if pending_migrations():
        raise UsageError("the database has pending migrations; run 'safetynet migrate' first.")
    try:
        beat(worker)
    except DatabaseError as exc:
        raise UsageError(f"cannot record this worker's heartbeat ({type(exc).__name__}).") from None
