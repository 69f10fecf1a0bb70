"""`safetynet export PATH [--source S] [--since T] [--with-history]`: write stored records as interchange JSONL."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from more_itertools import chunked

from safetynet.cli.errors import UsageError
from safetynet.lib.lookups import IN_BATCH


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write stored records as interchange JSON Lines (exactly as they were imported)",
        description="Write every stored record (never stubs; withdrawn records with deleted: true) as "
        "interchange JSONL: each line is the object as it was imported, unknown fields included.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the JSONL file to write (replaced if it exists)")
    p.add_argument("--source", default=None, help="only records of this source system, e.g. rms")
    p.add_argument("--since", default=None, help="only records changed at or after this date or RFC 3339 time")
    p.add_argument(
        "--with-history",
        action="store_true",
        help="also write every earlier version of the records (as received), so an import rebuilds their history",
    )
    p.set_defaults(func=run, needs_django=True)


def parse_since(text: str) -> dt.datetime:
    """A date (midnight UTC) or an RFC 3339 datetime with offset, as an aware datetime."""
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0, 0), tzinfo=dt.UTC)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since expects YYYY-MM-DD or an RFC 3339 time with offset (got {text!r}).") from None
    if value.tzinfo is None:
        raise UsageError("--since needs an offset, e.g. 2025-01-01T00:00:00+00:00.")
    return value


def run(args: argparse.Namespace) -> int:
    from safetynet.interchange.exporter import EARLIER, export_records

    since = parse_since(args.since) if args.since else None
    if not args.path.parent.is_dir():
        raise UsageError(f"{args.path.parent}: no such directory.")
    people: set[int] = set()
    written = export_records(args.path, source=args.source, since=since, with_history=args.with_history, people=people)
    earlier = written.pop(EARLIER, 0)
    total = sum(written.values())
    from safetynet.audit.services import record_cli_action
    from safetynet.identity.models import Membership

    # DPA 2018 s62: an export is a disclosure; the log names the operator, scope, counts and
    # every child whose records left (so `audit report --person` shows the export).
    individuals: set[int] = set()
    for batch in chunked(sorted(people), IN_BATCH):
        individuals.update(Membership.objects.filter(person_id__in=batch).values_list("individual_id", flat=True))
    record_cli_action(
        "export",
        object_type="export",
        object_ids=[f"{k}:{n}" for k, n in written.items()] + ([f"earlier_versions:{earlier}"] if earlier else []),
        fields=[f"source={args.source or 'all'}", f"since={args.since or '-'}", f"with_history={args.with_history}"],
        individual_ids=individuals,
        person_ids=people,
    )
    detail = ", ".join(f"{n:,} {kind}" for kind, n in written.items())
    history = f" and {earlier:,} earlier versions" if args.with_history else ""
    print(f"wrote {total:,} records{history} to {args.path}" + (f" ({detail})" if detail else ""))
    return 0
