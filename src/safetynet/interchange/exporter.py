"""`export_records`: write stored records back as interchange JSONL (the original objects).

Stubs (references never filled) are not records and are never exported. Withdrawn records
are exported with their `deleted: true` line, so a re-import withdraws them too. Memory stays
flat: rows are streamed from the database in chunks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from safetynet.interchange.mapping import KIND_ORDER
from safetynet.records import models as rm


def export_records(path: Path, *, source: str | None = None, since: dt.datetime | None = None) -> Counter[str]:
    """Write every non-stub record (optionally of one source, changed at or after `since`).

    Returns the number of records written by kind.
    """
    written: Counter[str] = Counter()
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for kind in KIND_ORDER:
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
