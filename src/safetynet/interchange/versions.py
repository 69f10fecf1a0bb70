"""Records as their sources had them at a past time: the version in force then, rebuilt.

The importer keeps every version a source sends (`records.RecordVersion`); a record's own
row holds the newest. `versions_as_of(kind, pks, as_of)` returns, for records whose row is
newer than `as_of`, the version in force at `as_of` (recorded at or before it, superseded
after it), mapped to typed values by the same code the importer uses (`mapping.prepare`),
with its references resolved to primary keys. Set-oriented: one query per batch of records
and one per referenced kind and source.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safetynet.interchange.mapping import NaturalKey, Prepared, Target, prepare
from safetynet.interchange.parsing import LineRejected, validate_object
from safetynet.records import models as rm

_BATCH = 800  # keys per IN (...) query: below SQLite's parameter limit


@dataclass(frozen=True)
class Version:
    """One record as it stood at a past time: typed values and resolved references."""

    pk: int  # the record's row (the same primary key the current version has)
    source: str
    source_id: str
    recorded_at: dt.datetime
    prepared: Prepared
    resolved: dict[Target, int]

    def field(self, name: str) -> Any:
        return self.prepared.fields.get(name)

    def fk(self, name: str) -> int | None:
        """The primary key a foreign key of this version points at (None when unset or unknown)."""
        target = self.prepared.fks.get(name)
        return self.resolved.get(target) if target is not None else None

    def pks(self, targets: Iterable[Target]) -> tuple[int, ...]:
        """The primary keys of `targets` that exist, in order."""
        return tuple(pk for t in targets if (pk := self.resolved.get(t)) is not None)


def versions_as_of(kind: str, pks: Iterable[int], as_of: dt.datetime) -> dict[int, Version]:
    """Record pk -> the version of the record in force at `as_of`, for those of `pks` that had
    one then. A record with no version then (first sent later), or withdrawn then, is absent."""
    wanted = sorted(set(pks))
    rows: list[tuple[int, str, str, dt.datetime, Prepared]] = []
    for start in range(0, len(wanted), _BATCH):
        query = rm.RecordVersion.objects.filter(
            kind=kind,
            record_id__in=wanted[start : start + _BATCH],
            recorded_at__lte=as_of,
            superseded_at__gt=as_of,
            deleted=False,
        ).values_list("record_id", "source", "source_id", "recorded_at", "payload")
        for record_id, source, source_id, recorded_at, payload in query:
            prepared = _prepare(payload)
            if prepared is not None:
                rows.append((record_id, source, source_id, recorded_at, prepared))
    resolved = _resolve(t for *_, prepared in rows for _name, t in prepared.references())
    return {
        pk: Version(pk, source, source_id, recorded_at, prepared, resolved)
        for pk, source, source_id, recorded_at, prepared in rows
    }


def _prepare(payload: Any) -> Prepared | None:
    """The typed values of a stored version, by the importer's own mapping. It was validated on
    import; dates are not judged against today again (`date.max`), so it reads as it did then."""
    if not isinstance(payload, dict):
        return None
    try:
        prepared = prepare(validate_object(payload, 0, today=dt.date.max))
    except LineRejected:  # pragma: no cover - a stored version passed this validation on import
        return None
    # Times in UTC, as the database gives back a stored row's (reasons print them).
    for name, value in prepared.fields.items():
        if isinstance(value, dt.datetime):
            prepared.fields[name] = value.astimezone(dt.UTC)
    return prepared


def _resolve(targets: Iterable[Target]) -> dict[Target, int]:
    """Target -> primary key of the row of that kind (stubs included), for targets that exist."""
    by_kind: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind, (source, source_id) in targets:
        by_kind[kind][source].add(source_id)
    found: dict[Target, int] = {}
    for kind, sources in by_kind.items():
        model = rm.MODELS_BY_KIND[kind]
        for source, ids in sorted(sources.items()):
            ordered = sorted(ids)
            for start in range(0, len(ordered), _BATCH):
                query = model.objects.filter(source=source, source_id__in=ordered[start : start + _BATCH])
                for pk, sid in query.values_list("pk", "source_id"):
                    key: NaturalKey = (source, sid)
                    found[(kind, key)] = pk
    return found
