"""`export_records`: write stored records back as interchange JSONL (the original objects).

Stubs (references never filled) are not records and are never exported. Withdrawn records
are exported with their `deleted: true` line, so a re-import withdraws them too. Memory stays
flat: rows are streamed from the database in chunks.

Only the version in force is written, unless `with_history`: then each kind's earlier versions
(`records.RecordVersion`, as received) come before its records, so importing the file rebuilds
the same history (the importer keeps every version and the newest stays the record).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from safetynet.interchange.mapping import KIND_ORDER
from safetynet.records import models as rm

EARLIER = "earlier versions"  # the count of history lines in what export_records returns


def export_records(
    path: Path,
    *,
    source: str | None = None,
    since: dt.datetime | None = None,
    with_history: bool = False,
    people: set[int] | None = None,
) -> Counter[str]:
    """Write every non-stub record (optionally of one source, changed at or after `since`), and
    with `with_history` every earlier version of them (the same filters on its own `recorded_at`).

    Returns the number of records written by kind, and of earlier versions under `EARLIER`.
    `people`, when given, receives the ids of the person records whose data left in the file:
    each person record written, and each person an event, marker, plan or order written is
    about (the access log names them: an export is a disclosure about each).
    """
    written: Counter[str] = Counter()
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for kind in KIND_ORDER:
            if with_history:
                versions = rm.RecordVersion.objects.filter(kind=kind)
                if source is not None:
                    versions = versions.filter(source=source)
                if since is not None:
                    versions = versions.filter(recorded_at__gte=since)
                ordered = versions.order_by("record_id", "recorded_at").values_list("payload", flat=True)
                for payload in ordered.iterator(chunk_size=2000):
                    handle.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
                    handle.write("\n")
                    written[EARLIER] += 1
            query = rm.MODELS_BY_KIND[kind].objects.filter(recorded_at__isnull=False, payload__isnull=False)
            if source is not None:
                query = query.filter(source=source)
            if since is not None:
                query = query.filter(recorded_at__gte=since)
            for payload in query.order_by("pk").values_list("payload", flat=True).iterator(chunk_size=2000):
                handle.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
                handle.write("\n")
                written[kind] += 1
            if people is not None:
                people.update(_people_of(kind, query))
    return written


def _people_of(kind: str, written: QuerySet[Any]) -> Iterator[int]:
    """The person records that the `written` records of `kind` are about."""
    records = written.values("pk")
    if kind == "person":
        yield from rm.Person.objects.filter(pk__in=records).values_list("pk", flat=True).iterator()
    elif kind == "event":
        participants = rm.Participation.objects.filter(event_id__in=records)
        yield from participants.values_list("person_id", flat=True).distinct().iterator()
    elif kind == "marker":
        yield from (
            rm.Marker.objects.filter(pk__in=records, person_id__isnull=False)
            .values_list("person_id", flat=True)
            .iterator()
        )
    elif kind == "plan":
        yield from (
            rm.Plan.objects.filter(pk__in=records, person_id__isnull=False)
            .values_list("person_id", flat=True)
            .iterator()
        )
    elif kind == "order":
        yield from (
            rm.Order.objects.filter(pk__in=records, subject_id__isnull=False)
            .values_list("subject_id", flat=True)
            .iterator()
        )
        yield from (
            rm.Order.protected.through.objects.filter(order_id__in=records)
            .values_list("person_id", flat=True)
            .iterator()
        )
