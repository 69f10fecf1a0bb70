"""Records as their sources had them at a past time: the version in force then, rebuilt.

The importer keeps every version a source sends (`RecordVersion`); a record's own row holds the
newest. `versions_as_of(kind, pks, as_of)` returns, for records whose row is newer than
`as_of`, the version in force at `as_of` (recorded at or before it, superseded after it), its
payload read into typed values with its references resolved to primary keys. Set-oriented: one
query per batch of records and one per referenced kind and source.

A payload is an interchange object; reading it is interchange's job (validation and mapping),
so interchange registers its reader here when its app is ready (`register_payload_reader`):
records never imports interchange.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from more_itertools import chunked

from safetynet.lib.lookups import IN_BATCH
from safetynet.records import models as rm
from safetynet.records.keys import NaturalKey, Target


class Values(Protocol):
    """A version's payload read into typed column values and references (natural keys)."""

    fields: dict[str, Any]
    fks: dict[str, Target | None]
    addresses: list[tuple[Target, str, dt.date | None, dt.date | None]]
    participants: list[tuple[Target, str]]
    linked_events: list[Target]
    protected: list[Target]
    associates: list[Target]
    places: list[Target]

    def references(self) -> list[tuple[str, Target]]: ...


# Reads a stored payload; None when it cannot be read (it passed the same reading on import).
PayloadReader = Callable[[dict[str, Any]], Values | None]
_readers: list[PayloadReader] = []


def register_payload_reader(reader: PayloadReader) -> None:
    """Makes `reader` the way stored payloads are read (interchange's app does this when ready)."""
    _readers[:] = [reader]


@dataclass(frozen=True)
class Version:
    """One record as it stood at a past time: typed values and resolved references."""

    pk: int  # the record's row (the same primary key the current version has)
    source: str
    source_id: str
    recorded_at: dt.datetime
    prepared: Values
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
    read = _reader()
    rows: list[tuple[int, str, str, dt.datetime, Values]] = []
    for part in chunked(sorted(set(pks)), IN_BATCH):
        query = rm.RecordVersion.objects.filter(
            kind=kind,
            record_id__in=part,
            recorded_at__lte=as_of,
            superseded_at__gt=as_of,
            deleted=False,
        ).values_list("record_id", "source", "source_id", "recorded_at", "payload")
        for record_id, source, source_id, recorded_at, payload in query:
            values = read(payload) if isinstance(payload, dict) else None
            if values is not None:
                rows.append((record_id, source, source_id, recorded_at, values))
    resolved = _resolve(t for *_, values in rows for _name, t in values.references())
    return {
        pk: Version(pk, source, source_id, recorded_at, values, resolved)
        for pk, source, source_id, recorded_at, values in rows
    }


def _reader() -> PayloadReader:
    if not _readers:
        raise RuntimeError("no payload reader registered: the interchange app registers one when Django is ready")
    return _readers[0]


def _resolve(targets: Iterable[Target]) -> dict[Target, int]:
    """Target -> primary key of the row of that kind (stubs included), for targets that exist."""
    by_kind: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind, (source, source_id) in targets:
        by_kind[kind][source].add(source_id)
    found: dict[Target, int] = {}
    for kind, sources in by_kind.items():
        model = rm.MODELS_BY_KIND[kind]
        for source, ids in sorted(sources.items()):
            for part in chunked(sorted(ids), IN_BATCH):
                query = model.objects.filter(source=source, source_id__in=part)
                for pk, sid in query.values_list("pk", "source_id"):
                    key: NaturalKey = (source, sid)
                    found[(kind, key)] = pk
    return found
