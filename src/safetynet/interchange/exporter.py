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
from pathlib import Path

from safetynet.interchange.mapping import KIND_ORDER
from safetynet.records import models as rm

EARLIER = "earlier versions"  # the count of history lines in what export_records returns


def export_records(
    path: Path, *, source: str | None = None, since: dt.datetime | None = None, with_history: bool = False
) -> Counter[str]:
    """Write every non-stub record (optionally of one source, changed at or after `since`), and
    with `with_history` every earlier version of them (the same filters on its own `recorded_at`).

    Returns the number of records written by kind, and of earlier versions under `EARLIER`.
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
    return written
