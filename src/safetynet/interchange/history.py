"""The version history of records, as interchange keeps it (`records.RecordVersion`).

Writing: `plan_versions` decides what a chunk adds to the history (the rows its updates
replace, its lines that do not become the stored row, stored versions whose successor
changes) and `store_versions` writes it, in the chunk's transaction.

Reading: `read_payload` reads a stored version's payload (an interchange object exactly as
received) by the importer's own validation and mapping; the app registers it with
`records.versions` when ready, so "as of" reads (risk) see an old version as the importer would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from more_itertools import chunked

from safetynet.interchange.mapping import JsonText, Prepared, prepare
from safetynet.interchange.parsing import LineRejected, validate_object
from safetynet.interchange.sql import VERSION_COLUMNS, insert_rows, update_rows
from safetynet.lib.lookups import IN_BATCH
from safetynet.records import models as rm
from safetynet.records.keys import NaturalKey, Target


def read_payload(payload: dict[str, Any]) -> Prepared | None:
    """The typed values of a stored version, by the importer's own mapping. It was validated on
    import; dates are not judged against today again (`date.max`), so it reads as it did then."""
    try:
        prepared = prepare(validate_object(payload, 0, today=dt.date.max, stored=True))
    except LineRejected:  # pragma: no cover - a stored version passed this validation on import
        return None
    # Times in UTC, as the database gives back a stored row's (reasons print them).
    for name, value in prepared.fields.items():
        if isinstance(value, dt.datetime):
            prepared.fields[name] = value.astimezone(dt.UTC)
    return prepared


@dataclass
class VersionPlan:
    """What a chunk adds to the version history (`records.RecordVersion`)."""

    # kind -> (pk, superseded_at) of stored rows an update replaces: copied before the update
    displaced: dict[str, list[tuple[int, dt.datetime]]] = field(default_factory=lambda: defaultdict(list))
    # versions from lines that do not become the stored row (older, or several in the chunk)
    lines: list[tuple[Prepared, dt.datetime]] = field(default_factory=list)
    # stored versions whose successor changes (an older version arrived between two)
    moved: list[tuple[int, dt.datetime]] = field(default_factory=list)


def plan_versions(
    winners: dict[Target, Prepared],
    superseded: list[tuple[Prepared, Prepared]],
    outcome: dict[Target, str],
    existing: dict[str, dict[NaturalKey, tuple[int, dt.datetime | None]]],
) -> VersionPlan:
    """Every version a chunk brings is kept: the newest as the record's row, the rest (and the
    row an update replaces) as history, each superseded by the next newer version. A version
    whose `recorded_at` is already known (stored row or history) adds nothing, so re-sending
    changes nothing; the first line of several with the same `recorded_at` is the one kept."""
    plan = VersionPlan()
    losers: dict[Target, list[Prepared]] = defaultdict(list)
    for loser, winner in superseded:
        losers[(winner.kind, winner.key)].append(loser)
    # target -> (stored pk, stored recorded_at, new versions by recorded_at, new newest)
    timelines: list[tuple[Target, int | None, dt.datetime | None, dict[dt.datetime, Prepared], dt.datetime]] = []
    fetch: dict[str, list[int]] = defaultdict(list)
    for target, winner in winners.items():
        row = existing.get(target[0], {}).get(target[1])
        pk, stored_at = (row[0], row[1]) if row is not None else (None, None)
        arrived = losers.get(target, [])
        if outcome[target] == "unchanged":
            arrived = [winner, *arrived]
        if not arrived and outcome[target] != "updated":
            continue
        newest = max(stored_at, winner.recorded_at) if stored_at is not None else winner.recorded_at
        new: dict[dt.datetime, Prepared] = {}
        for item in sorted(arrived, key=lambda i: i.number):
            if item.recorded_at not in (newest, stored_at):
                new.setdefault(item.recorded_at, item)
        if not new and outcome[target] != "updated":
            continue
        timelines.append((target, pk, stored_at, new, newest))
        if pk is not None and stored_at is not None and any(at < stored_at for at in new):
            fetch[target[0]].append(pk)  # older than the stored row: history decides where it goes
    history = _stored_versions(fetch)
    for (kind, _key), pk, stored_at, new, newest in timelines:
        known = history.get((kind, pk), {}) if pk is not None else {}
        new = {at: item for at, item in new.items() if at not in known}
        points = sorted({*new, *known, newest, *([stored_at] if stored_at is not None else [])})
        after = {at: points[i + 1] for i, at in enumerate(points[:-1])}
        if stored_at is not None and stored_at != newest:
            assert pk is not None
            plan.displaced[kind].append((pk, after[stored_at]))
        plan.lines.extend((item, after[at]) for at, item in new.items())
        plan.moved.extend((vpk, after[at]) for at, (vpk, was) in known.items() if after[at] != was)
    return plan


_History = dict[tuple[str, int], dict[dt.datetime, tuple[int, dt.datetime]]]


def _stored_versions(pks_by_kind: dict[str, list[int]]) -> _History:
    """(kind, record pk) -> recorded_at -> (version pk, superseded_at) of the stored history."""
    found: _History = defaultdict(dict)
    for kind, pks in pks_by_kind.items():
        for part in chunked(sorted(set(pks)), IN_BATCH):
            rows = rm.RecordVersion.objects.filter(kind=kind, record_id__in=part).values_list(
                "pk", "record_id", "recorded_at", "superseded_at"
            )
            for vpk, record_id, recorded_at, superseded_at in rows:
                found[(kind, record_id)][recorded_at] = (vpk, superseded_at)
    return found


def store_versions(plan: VersionPlan, pks: dict[str, dict[NaturalKey, int]], now: dt.datetime) -> None:
    """Writes the history of lines that did not become the stored row, and moved successors."""
    rows = [
        [item.kind, pks[item.kind][item.key], *item.key, item.recorded_at, superseded_at, item.deleted]
        + [JsonText(item.text), now]
        for item, superseded_at in plan.lines
    ]
    insert_rows(rm.RecordVersion, VERSION_COLUMNS, rows)
    update_rows(rm.RecordVersion, ["superseded_at"], [(vpk, [at]) for vpk, at in plan.moved])
