"""`import_files`: stream interchange JSONL into `records`, chunk by chunk, never losing a line.

Per chunk (at most `chunk_lines` lines or `chunk_bytes` bytes), in one transaction:
1. parse and validate every line (rejects go to `PATH.rejects.jsonl` and `ImportReject`);
2. fetch the existing rows of every key the chunk defines or refers to (one query per kind);
3. reject lines referring to a record that exists only as another kind;
4. create stub rows for references to records not seen yet (forward references);
5. insert new records (bulk, in kind order so foreign keys point backwards), update
   stubs and older versions (bulk), leave equal or older versions unchanged;
6. rewrite the child rows (addresses, participants, linked events, protected persons,
   plan associates and places) of every written record, and refresh home postcodes;
7. count, and after commit send `records_changed` (kind -> primary keys).

A crash loses at most the chunk in flight, which was never committed; running the same
files again finds the committed lines unchanged and finishes the rest.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import json
import os
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import models, transaction

from safetynet.interchange.mapping import KIND_ORDER, JsonText, Prepared
from safetynet.interchange.models import ImportBatch, ImportReject
from safetynet.interchange.parsing import MAX_LINE_BYTES, LineRejected, RawLine, read_lines
from safetynet.interchange.prepare import ChunkPipeline, Rejection, prepare_chunk
from safetynet.interchange.sql import VERSION_COLUMNS, copy_to_versions, insert_rows, select_keys, update_rows
from safetynet.lib.clock import Clock, SystemClock
from safetynet.records import models as rm
from safetynet.records.keys import NaturalKey, Target
from safetynet.records.signals import records_changed

CHUNK_LINES = 2000
CHUNK_BYTES = 16 * 1024 * 1024
OUTCOMES = ("accepted", "updated", "unchanged", "rejected")
_IN_BATCH = 900  # keys per IN (...) query: well under SQLite's variable limit


@dataclass
class FileResult:
    path: str
    sha256: str = ""
    bytes: int = 0
    lines: int = 0
    rejected: int = 0
    rejects_path: str = ""


@dataclass
class ImportResult:
    batch_id: int
    counts: dict[str, dict[str, int]]
    files: list[FileResult]
    seconds: float
    records: int = 0

    @property
    def rejected(self) -> int:
        return sum(c.get("rejected", 0) for c in self.counts.values())

    def total(self, outcome: str) -> int:
        return sum(c.get(outcome, 0) for c in self.counts.values())


def rejects_path_for(path: Path) -> Path:
    """Where the rejects of `path` are written: `PATH.rejects.jsonl` beside it."""
    return path.with_name(path.name + ".rejects.jsonl")


class RejectWriter:
    """Writes rejected lines, unchanged, with line number, field and reason (one JSON per line).

    The file is created on the first reject; a stale one from an earlier run is removed.
    """

    def __init__(self, source: Path) -> None:
        self.source = source
        self.path = rejects_path_for(source)
        self.path.unlink(missing_ok=True)
        self._handle: IO[bytes] | None = None
        self.count = 0

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            self._handle = self.path.open("wb")
        return self._handle

    def _head(self, number: int, kind: str, field: str, reason: str) -> dict[str, Any]:
        return {
            "file": self.source.name,
            "line": number,
            "kind": kind or None,
            "field": field or None,
            "reason": reason,
        }

    def write(self, number: int, data: bytes, kind: str, field: str, reason: str) -> None:
        head = self._head(number, kind, field, reason)
        try:
            head["raw"] = data.decode("utf-8")
        except UnicodeDecodeError:
            head["raw_base64"] = base64.b64encode(data).decode("ascii")
        self._open().write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def write_stream(self, number: int, first: bytes, rest: Iterator[bytes], reason: str) -> None:
        """An over-long line, copied through in pieces (base64) without holding it whole."""
        head = json.dumps(self._head(number, "", "", reason), ensure_ascii=False)
        handle = self._open()
        handle.write(head[:-1].encode("utf-8") + b', "raw_base64": "')
        carry = b""
        for piece in _chain_first(first, rest):
            if piece.endswith(b"\n"):
                piece = piece[:-1]
            data = carry + piece
            cut = len(data) - len(data) % 3
            handle.write(base64.b64encode(data[:cut]))
            carry = data[cut:]
        handle.write(base64.b64encode(carry) + b'"}\n')
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _chain_first(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


class _Lookahead:
    """Chunks with their prepared lines, the next chunk parsed while the database works.

    Parsing a line costs the importer about as much CPU as storing it costs PostgreSQL, and
    the two ran one after the other. `work(n)` parses up to `n` lines of the next chunk; the
    writer calls it after sending a COPY's rows and before waiting for PostgreSQL to finish
    storing them, so on two cores the database stores one chunk while this process parses
    the next. Iterating yields (lines, prepared) in file order, finishing whatever `work`
    left; at most one chunk is held ahead, so memory stays flat.
    """

    _REST = 1 << 30  # a budget larger than any chunk

    def __init__(self, chunks: Iterator[list[RawLine]], today: dt.date) -> None:
        self._chunks = chunks
        self._today = today
        self._lines: list[RawLine] | None = None
        self._prepared: list[Prepared | Rejection] = []
        self._exhausted = False

    def work(self, budget: int) -> None:
        if self._lines is None:
            if self._exhausted:
                return
            self._lines = next(self._chunks, None)
            if self._lines is None:
                self._exhausted = True
                return
        done = len(self._prepared)
        if done < len(self._lines):
            self._prepared.extend(prepare_chunk(self._lines[done : done + max(budget, 0)], self._today))

    def __iter__(self) -> Iterator[tuple[list[RawLine], list[Prepared | Rejection]]]:
        while True:
            self.work(self._REST)
            if self._lines is None:
                return
            lines, prepared = self._lines, self._prepared
            self._lines, self._prepared = None, []
            yield lines, prepared


@dataclass
class _Chunk:
    lines: list[RawLine] = field(default_factory=list)
    size: int = 0


class Importer:
    """One import batch over one or more files (see the module docstring)."""

    def __init__(
        self,
        *,
        batch: ImportBatch,
        clock: Clock,
        chunk_lines: int = CHUNK_LINES,
        chunk_bytes: int = CHUNK_BYTES,
        max_line_bytes: int = MAX_LINE_BYTES,
        on_progress: Callable[[int], None] | None = None,
        notify: bool = True,
        workers: int | None = None,
    ) -> None:
        self.batch = batch
        self.workers = workers
        self.notify = notify
        self.clock = clock
        self.today = clock.now().date()
        self.chunk_lines = chunk_lines
        self.chunk_bytes = chunk_bytes
        self.max_line_bytes = max_line_bytes
        self.on_progress = on_progress
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.records = 0
        # Called with a number of rows while PostgreSQL stores rows just sent (see _Lookahead).
        self._idle: Callable[[int], None] | None = None

    # ------------------------------------------------------------------ files

    def import_file(self, path: Path) -> FileResult:
        result = FileResult(path=str(path), rejects_path="")
        digest = hashlib.sha256()
        rejects = RejectWriter(path)
        self._rejects = rejects
        self._file = path
        self._pending_rejects: list[ImportReject] = []

        def seen(data: bytes) -> None:
            digest.update(data)
            result.bytes += len(data)
            if self.on_progress is not None:
                self.on_progress(len(data))

        def oversize(number: int, first: bytes, rest: Iterator[bytes]) -> None:
            reason = f"the line is longer than {self.max_line_bytes:,} bytes, the most one record may take"
            rejects.write_stream(number, first, rest, reason)
            self._note_reject(number, "", "", reason)

        last_line = 0

        def chunks(handle: IO[bytes]) -> Iterator[list[RawLine]]:
            nonlocal last_line
            chunk = _Chunk()
            for raw in read_lines(handle, max_bytes=self.max_line_bytes, on_oversize=oversize, on_bytes=seen):
                last_line = raw.number
                chunk.lines.append(raw)
                chunk.size += len(raw.data)
                if len(chunk.lines) >= self.chunk_lines or chunk.size >= self.chunk_bytes:
                    yield chunk.lines
                    chunk = _Chunk()
            if chunk.lines:
                yield chunk.lines

        workers = self.workers if self.workers is not None else _default_workers(path)
        try:
            with path.open("rb") as handle:
                if workers > 1:
                    pipeline = ChunkPipeline(workers, self.today)
                    try:
                        for lines, prepared in pipeline.run(chunks(handle)):
                            self._store_chunk(len(lines), prepared)
                    finally:
                        pipeline.close()
                else:
                    ahead = _Lookahead(chunks(handle), self.today)
                    self._idle = ahead.work
                    try:
                        for lines, prepared in ahead:
                            self._store_chunk(len(lines), prepared)
                    finally:
                        self._idle = None
                if self._pending_rejects:
                    self._store_chunk(0, [])
            if result.bytes == 0:
                reason = "the file is empty: it holds no records"
                rejects.write(0, b"", "", "", reason)
                self._note_reject(0, "", "", reason)
                self._store_chunk(0, [])
        finally:
            rejects.close()
        result.sha256 = digest.hexdigest()
        result.lines = last_line
        result.rejected = rejects.count
        result.rejects_path = str(rejects.path) if rejects.count else ""
        return result

    def _note_reject(self, number: int, kind: str, field: str, reason: str) -> None:
        self.counts[kind or "unknown"]["rejected"] += 1
        self._pending_rejects.append(
            ImportReject(
                batch=self.batch, file=str(self._file)[-500:], line=number, kind=kind, field=field[:200], reason=reason
            )
        )

    def _reject(self, number: int, data: bytes, exc: LineRejected) -> None:
        self._rejects.write(number, data, exc.kind, exc.field, exc.reason)
        self._note_reject(number, exc.kind, exc.field, exc.reason)

    # ------------------------------------------------------------------ a chunk

    def _store_chunk(self, line_count: int, results: list[Prepared | Rejection]) -> None:
        """Write one prepared chunk (and the rejects noted so far) in one transaction."""
        parsed: list[Prepared] = []
        for item in results:
            if isinstance(item, Rejection):
                self._reject(item.number, item.data, LineRejected(item.reason, field=item.field, kind=item.kind))
            else:
                parsed.append(item)
        with transaction.atomic():
            changes = self._write(parsed)
            if any(item.deleted for item in parsed):
                _audit_withdrawals(changes, batch=self.batch, clock=self.clock)
            if self._pending_rejects:
                ImportReject.objects.bulk_create(self._pending_rejects, batch_size=500)
                self._pending_rejects = []
            self.batch.counts = {k: dict(c) for k, c in sorted(self.counts.items())}
            self.batch.lines_read += line_count
            self.batch.rejected = sum(c["rejected"] for c in self.counts.values())
            self.batch.save(update_fields=["counts", "lines_read", "rejected"])
            if self.notify and any(changes.values()):
                batch_id = self.batch.pk
                transaction.on_commit(
                    lambda: records_changed.send(sender=ImportBatch, changes=changes, batch_id=batch_id)
                )

    def _write(self, items: list[Prepared]) -> dict[str, list[int]]:
        # Later lines for the same record in this chunk: the newest recorded_at wins.
        winners: dict[Target, Prepared] = {}
        superseded: list[tuple[Prepared, Prepared]] = []  # (loser, winner) pairs, counted below
        for item in items:
            target = (item.kind, item.key)
            current = winners.get(target)
            if current is None:
                winners[target] = item
            elif item.recorded_at > current.recorded_at:
                winners[target] = item
                superseded.append((current, item))
            else:
                superseded.append((item, current))

        # Existing rows of everything defined or referred to, one query per kind.
        wanted: dict[str, set[NaturalKey]] = defaultdict(set)
        for item in winners.values():
            wanted[item.kind].add(item.key)
            for _name, (kind, key) in item.references():
                wanted[kind].add(key)
        existing: dict[str, dict[NaturalKey, tuple[int, dt.datetime | None]]] = {
            kind: _existing(rm.MODELS_BY_KIND[kind], keys) for kind, keys in wanted.items()
        }

        # A reference to a record that exists only as another kind is a reject.
        defined: dict[str, set[NaturalKey]] = defaultdict(set)
        for kind, key in winners:
            defined[kind].add(key)
        missing: dict[str, set[NaturalKey]] = defaultdict(set)
        for item in winners.values():
            for _name, (kind, key) in item.references():
                if key not in existing[kind] and key not in defined[kind]:
                    missing[kind].add(key)
        if missing:
            wrong = self._wrong_kinds(missing, defined)
            if wrong:
                for target, item in list(winners.items()):
                    # Linked "events" may point at other records (a missing report linked to
                    # its trigger plan): kept in the payload, no typed event link.
                    if any(t in wrong for t in item.linked_events):
                        item.linked_events = [t for t in item.linked_events if t not in wrong]
                        item.forget_references()
                    problem = next(((name, t) for name, t in item.references() if t in wrong), None)
                    if problem is not None:
                        name, (kind, key) = problem
                        reason = f"refers to {key[0]}:{key[1]} as a {kind}, but that record is a {wrong[(kind, key)]}"
                        self._reject(item.number, item.text.encode("utf-8"), _rejected(reason, name, item))
                        del winners[target]
                        defined[target[0]].discard(target[1])
                superseded = [(loser, w) for loser, w in superseded if (w.kind, w.key) in winners]

        # Stubs for forward references (records not seen yet).
        stubs: dict[str, set[NaturalKey]] = defaultdict(set)
        for item in winners.values():
            for _name, (kind, key) in item.references():
                if key not in existing[kind] and key not in defined[kind]:
                    stubs[kind].add(key)
        for kind, keys in stubs.items():
            model = rm.MODELS_BY_KIND[kind]
            created = model.objects.bulk_create(
                [model(source=src, source_id=sid) for src, sid in sorted(keys)], batch_size=500
            )
            for obj in created:
                existing[kind][(obj.source, obj.source_id)] = (obj.pk, None)

        # What each winner does: insert, update (stub or older version) or nothing.
        pks: dict[str, dict[NaturalKey, int]] = {
            kind: {key: row[0] for key, row in rows.items()} for kind, rows in existing.items()
        }
        outcome: dict[Target, str] = {}
        to_insert: dict[str, list[Prepared]] = defaultdict(list)
        to_update: dict[str, list[Prepared]] = defaultdict(list)
        for target, item in winners.items():
            row = existing.get(item.kind, {}).get(item.key)
            if row is None:
                outcome[target] = "accepted"
                to_insert[item.kind].append(item)
            elif row[1] is None:
                outcome[target] = "accepted"  # the stub of a forward reference, now filled
                to_update[item.kind].append(item)
            elif row[1] < item.recorded_at:
                outcome[target] = "updated"
                to_update[item.kind].append(item)
            else:
                outcome[target] = "unchanged"
        self._count(winners, superseded, outcome, existing)
        versions = _plan_versions(winners, superseded, outcome, existing)

        now = self.clock.now()
        changes: dict[str, list[int]] = defaultdict(list)
        written_locations: list[int] = []
        for kind in KIND_ORDER:
            model = rm.MODELS_BY_KIND[kind]
            inserts, updates = to_insert.get(kind, []), to_update.get(kind, [])
            if not inserts and not updates:
                continue
            if kind == "person":
                self._person_postcodes(inserts + updates, pks)
            sample = (inserts or updates)[0]
            names = [
                "recorded_at",
                "payload",
                "deleted",
                "changed_at",
                *sample.fields,
                *(f"{n}_id" for n in sample.fks),
            ]
            if inserts:
                rows = [[*item.key, now, *self._values(item, pks, now)] for item in inserts]
                returned = insert_rows(
                    model,
                    ["source", "source_id", "stored_at", *names],
                    rows,
                    returning=("id", "source", "source_id"),
                    idle=self._idle,
                )
                for pk, src, sid in returned:
                    pks[kind][(src, sid)] = pk
                    changes[kind].append(pk)
            if updates:
                # The version each update replaces is kept first (copied row to row in the database).
                copy_to_versions(model, kind, versions.displaced.get(kind, []), stored_at=now)
                update_rows(model, names, [(pks[kind][item.key], self._values(item, pks, now)) for item in updates])
                changes[kind].extend(pks[kind][item.key] for item in updates)
                if kind == "location":
                    written_locations = [pks[kind][item.key] for item in updates]
        self._write_children(to_insert, to_update, pks)
        _store_versions(versions, pks, now)
        if written_locations:
            changes["person"].extend(_refresh_postcodes(written_locations, exclude=set(changes.get("person", []))))
        return {kind: sorted(set(ids)) for kind, ids in changes.items() if ids}

    def _count(
        self,
        winners: dict[Target, Prepared],
        superseded: list[tuple[Prepared, Prepared]],
        outcome: dict[Target, str],
        existing: dict[str, dict[NaturalKey, tuple[int, dt.datetime | None]]],
    ) -> None:
        for target, result in outcome.items():
            self.counts[target[0]][result] += 1
            if result != "unchanged":
                self.records += 1
        # A record seen more than once in the chunk: each extra line is an update when it
        # was newer than the version before it, otherwise unchanged.
        for loser, winner in superseded:
            extra_won = winner.number > loser.number
            self.counts[loser.kind]["updated" if extra_won else "unchanged"] += 1

    def _wrong_kinds(
        self, missing: dict[str, set[NaturalKey]], defined: dict[str, set[NaturalKey]]
    ) -> dict[Target, str]:
        """Missing references that exist (here or in the database) only as another kind."""
        all_keys = set().union(*missing.values())
        elsewhere: dict[NaturalKey, str] = {}
        for kind in KIND_ORDER:
            for key in all_keys & defined.get(kind, set()):
                elsewhere.setdefault(key, kind)
            found = _existing(rm.MODELS_BY_KIND[kind], all_keys, live_only=True)
            for key in found:
                elsewhere.setdefault(key, kind)
        wrong: dict[Target, str] = {}
        for kind, keys in missing.items():
            for key in keys:
                other = elsewhere.get(key)
                if other is not None and other != kind:
                    wrong[(kind, key)] = other
        return wrong

    def _person_postcodes(self, persons: list[Prepared], pks: dict[str, dict[NaturalKey, int]]) -> None:
        location_pks = {pks["location"][t[1]] for p in persons if (t := p.current_address) is not None}
        postcodes = _postcodes_of(location_pks)
        for person in persons:
            if person.current_address is not None:
                person.fields["postcode"] = postcodes.get(pks["location"][person.current_address[1]], "")

    @staticmethod
    def _values(item: Prepared, pks: dict[str, dict[NaturalKey, int]], now: dt.datetime) -> list[Any]:
        """Column values in the order recorded_at, payload, deleted, changed_at, fields, fks."""
        fks = [pks[t[0]][t[1]] if t is not None else None for t in item.fks.values()]
        return [item.recorded_at, JsonText(item.text), item.deleted, now, *item.fields.values(), *fks]

    def _write_children(
        self,
        to_insert: dict[str, list[Prepared]],
        to_update: dict[str, list[Prepared]],
        pks: dict[str, dict[NaturalKey, int]],
    ) -> None:
        def pk(target: Target) -> int:
            return pks[target[0]][target[1]]

        # Rows of updated records are replaced wholesale by the new version's.
        updated = {kind: [pks[kind][i.key] for i in items] for kind, items in to_update.items()}
        if updated.get("person"):
            _delete_in(rm.PersonAddress.objects.all(), "person_id", updated["person"])
        if updated.get("event"):
            _delete_in(rm.Participation.objects.all(), "event_id", updated["event"])
            _delete_in(rm.Event.linked_events.through.objects.all(), "from_event_id", updated["event"])
        if updated.get("order"):
            _delete_in(rm.Order.protected.through.objects.all(), "order_id", updated["order"])
        if updated.get("plan"):
            _delete_in(rm.Plan.associates.through.objects.all(), "plan_id", updated["plan"])
            _delete_in(rm.Plan.places.through.objects.all(), "plan_id", updated["plan"])

        addresses: list[tuple[Any, ...]] = []
        participations: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        protected: list[tuple[Any, ...]] = []
        associates: list[tuple[Any, ...]] = []
        places: list[tuple[Any, ...]] = []
        for kind in ("person", "event", "order", "plan"):
            for item in to_insert.get(kind, []) + to_update.get(kind, []):
                own = pks[kind][item.key]
                for target, address_kind, valid_from, valid_to in item.addresses:
                    addresses.append((own, pk(target), address_kind, valid_from, valid_to))
                participations.extend((own, pk(target), role) for target, role in item.participants)
                links.extend((own, pk(target)) for target in item.linked_events)
                protected.extend((own, pk(target)) for target in item.protected)
                associates.extend((own, pk(target)) for target in item.associates)
                places.extend((own, pk(target)) for target in item.places)
        idle = self._idle
        insert_rows(
            rm.PersonAddress, ["person_id", "location_id", "kind", "valid_from", "valid_to"], addresses, idle=idle
        )
        insert_rows(rm.Participation, ["event_id", "person_id", "role"], participations, idle=idle)
        insert_rows(rm.Event.linked_events.through, ["from_event_id", "to_event_id"], links, idle=idle)
        insert_rows(rm.Order.protected.through, ["order_id", "person_id"], protected)
        insert_rows(rm.Plan.associates.through, ["plan_id", "person_id"], associates)
        insert_rows(rm.Plan.places.through, ["plan_id", "location_id"], places)


@dataclass
class _VersionPlan:
    """What a chunk adds to the version history (`records.RecordVersion`)."""

    # kind -> (pk, superseded_at) of stored rows an update replaces: copied before the update
    displaced: dict[str, list[tuple[int, dt.datetime]]] = field(default_factory=lambda: defaultdict(list))
    # versions from lines that do not become the stored row (older, or several in the chunk)
    lines: list[tuple[Prepared, dt.datetime]] = field(default_factory=list)
    # stored versions whose successor changes (an older version arrived between two)
    moved: list[tuple[int, dt.datetime]] = field(default_factory=list)


def _plan_versions(
    winners: dict[Target, Prepared],
    superseded: list[tuple[Prepared, Prepared]],
    outcome: dict[Target, str],
    existing: dict[str, dict[NaturalKey, tuple[int, dt.datetime | None]]],
) -> _VersionPlan:
    """Every version a chunk brings is kept: the newest as the record's row, the rest (and the
    row an update replaces) as history, each superseded by the next newer version. A version
    whose `recorded_at` is already known (stored row or history) adds nothing, so re-sending
    changes nothing; the first line of several with the same `recorded_at` is the one kept."""
    plan = _VersionPlan()
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
        for part in _batched(sorted(set(pks))):
            rows = rm.RecordVersion.objects.filter(kind=kind, record_id__in=part).values_list(
                "pk", "record_id", "recorded_at", "superseded_at"
            )
            for vpk, record_id, recorded_at, superseded_at in rows:
                found[(kind, record_id)][recorded_at] = (vpk, superseded_at)
    return found


def _store_versions(plan: _VersionPlan, pks: dict[str, dict[NaturalKey, int]], now: dt.datetime) -> None:
    """Writes the history of lines that did not become the stored row, and moved successors."""
    rows = [
        [item.kind, pks[item.kind][item.key], *item.key, item.recorded_at, superseded_at, item.deleted]
        + [JsonText(item.text), now]
        for item, superseded_at in plan.lines
    ]
    insert_rows(rm.RecordVersion, VERSION_COLUMNS, rows)
    update_rows(rm.RecordVersion, ["superseded_at"], [(vpk, [at]) for vpk, at in plan.moved])


def _rejected(reason: str, field: str, item: Prepared) -> LineRejected:
    return LineRejected(reason, field=field, kind=item.kind)


def _batched(values: Sequence[Any], size: int = _IN_BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing(
    model: type[rm.SourceRecord], keys: Iterable[NaturalKey], *, live_only: bool = False
) -> dict[NaturalKey, tuple[int, dt.datetime | None]]:
    """(source, id) -> (pk, recorded_at) of the rows that exist for these keys."""
    # One query per source (and, on SQLite, batch of ids), so the (source, source_id) unique index serves it:
    # filtering on source_id alone scans the table, which grows with every chunk.
    by_source: dict[str, set[str]] = defaultdict(set)
    for src, sid in keys:
        by_source[src].add(sid)
    found: dict[NaturalKey, tuple[int, dt.datetime | None]] = {}
    for src, ids in sorted(by_source.items()):
        for pk, sid, recorded_at in select_keys(model, src, sorted(ids), live_only=live_only):
            found[(src, sid)] = (pk, recorded_at)
    return found


def _delete_in(query: models.QuerySet[Any], column: str, ids: list[int]) -> None:
    for part in _batched(ids):
        query.filter(**{f"{column}__in": part}).delete()


def _postcodes_of(location_pks: Iterable[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for part in _batched(sorted(location_pks)):
        result.update(rm.Location.objects.filter(pk__in=part).values_list("pk", "postcode"))
    return result


def _refresh_postcodes(location_pks: list[int], *, exclude: set[int]) -> list[int]:
    """Persons whose address is at a location that just arrived or changed: recompute their
    home postcode (same rule as on import). Returns the pks of persons whose postcode changed."""
    person_ids: set[int] = set()
    for part in _batched(location_pks):
        person_ids.update(rm.PersonAddress.objects.filter(location_id__in=part).values_list("person_id", flat=True))
    person_ids -= exclude
    changed: list[rm.Person] = []
    for part in _batched(sorted(person_ids)):
        rows = (
            rm.PersonAddress.objects.filter(person_id__in=part)
            .order_by("person_id", "pk")
            .values_list("person_id", "kind", "valid_to", "location__postcode")
        )
        current: dict[int, str] = {}
        last: dict[int, str] = {}
        for person_id, kind, valid_to, postcode in rows:
            last[person_id] = postcode
            if valid_to is None and kind in ("", "home", "care", "temporary"):
                current[person_id] = postcode
        for person in rm.Person.objects.filter(pk__in=part).only("pk", "postcode"):
            postcode = current.get(person.pk, last.get(person.pk, ""))
            if person.postcode != postcode:
                person.postcode = postcode
                changed.append(person)
    rm.Person.objects.bulk_update(changed, ["postcode"], batch_size=500)
    return [p.pk for p in changed]


# The Person columns of each kind naming the children a record is about (for the access log).
_PERSON_COLUMNS = {
    "person": ("id",),
    "relationship": ("person_a_id", "person_b_id"),
    "marker": ("person_id", "linked_person_id"),
    "order": ("subject_id",),
    "plan": ("person_id",),
}


def _audit_withdrawals(changes: dict[str, list[int]], *, batch: ImportBatch, clock: Clock) -> None:
    """DPA 2018 s62: erasure. One access-log entry per chunk that withdrew records, written in
    the chunk's transaction, naming each withdrawn record and the children it concerns."""
    from safetynet.audit.models import Action
    from safetynet.audit.services import record_audit

    object_ids: list[str] = []
    person_ids: set[int] = set()
    for kind, pks in changes.items():
        model = rm.MODELS_BY_KIND[kind]
        withdrawn = model.objects.filter(pk__in=pks, deleted=True)
        for pk, source, source_id in withdrawn.values_list("pk", "source", "source_id"):
            object_ids.append(f"{kind}:{source}:{source_id}")
            if kind == "event":
                person_ids.update(rm.Participation.objects.filter(event_id=pk).values_list("person_id", flat=True))
        for column in _PERSON_COLUMNS.get(kind, ()):
            person_ids.update(p for p in withdrawn.values_list(column, flat=True) if p is not None)
        if kind == "order":
            protected = rm.Order.protected.through.objects.filter(order__in=withdrawn)
            person_ids.update(protected.values_list("person_id", flat=True))
    if not object_ids:
        return  # every withdrawal line was already applied (unchanged)
    record_audit(
        acting_user=None,
        action=Action.ERASURE,
        object_type="source_records",
        object_ids=object_ids,
        person_ids=person_ids,
        fields=["withdrawn"],
        reason=f"withdrawn by its source system (import batch {batch.pk})",
        username=f"import:{batch.started_by}"[:150],
        ip="",
        clock=clock,
    )


def import_files(
    paths: Sequence[Path],
    *,
    acting_user: str | None = None,
    batch_name: str = "",
    clock: Clock | None = None,
    chunk_lines: int = CHUNK_LINES,
    max_line_bytes: int = MAX_LINE_BYTES,
    on_progress: Callable[[int], None] | None = None,
    notify: bool = True,
    workers: int | None = None,
) -> ImportResult:
    """Import the files in order as one batch. Returns counts by kind and the batch id.

    `acting_user` is recorded on the batch (default: the operating-system user). With
    `notify=False` no `records_changed` is sent (for a caller that re-links everything
    straight after, like the demo). `workers` processes parse and validate ahead of the
    writer (default: one per CPU, up to 4, for files over 32 MB; 1 parses in this process).
    """
    clock = clock or SystemClock()
    started = time.perf_counter()
    _mark_interrupted()
    batch = ImportBatch.objects.create(
        name=batch_name[:200],
        started_by=(acting_user or _os_user())[:150],
        started_at=clock.now(),
        host=socket.gethostname()[:200],
        pid=os.getpid(),
    )
    importer = Importer(
        batch=batch,
        clock=clock,
        chunk_lines=chunk_lines,
        max_line_bytes=max_line_bytes,
        on_progress=on_progress,
        notify=notify,
        workers=workers,
    )
    files: list[FileResult] = []
    try:
        for path in paths:
            files.append(importer.import_file(Path(path)))
            batch.files = [f.__dict__ for f in files]
            batch.save(update_fields=["files"])
    except BaseException:
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = clock.now()
        batch.save(update_fields=["status", "finished_at"])
        raise
    batch.status = ImportBatch.Status.COMPLETED_WITH_REJECTS if batch.rejected else ImportBatch.Status.COMPLETED
    batch.finished_at = clock.now()
    batch.save(update_fields=["status", "finished_at"])
    counts = {k: {o: c[o] for o in OUTCOMES} for k, c in sorted(importer.counts.items())}
    return ImportResult(batch.pk, counts, files, time.perf_counter() - started, importer.records)


PARALLEL_FROM_BYTES = 32 * 1024 * 1024


def _default_workers(path: Path) -> int:
    """Worker processes for parsing `path`: none for small files, where starting them costs more,
    and one core left to the writer (and the database, when it runs on the same machine): on
    2 cores the pool measured no faster than parsing in the importer (docs/interchange.md)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    spare = (os.cpu_count() or 1) - 1
    return min(spare, 4) if size >= PARALLEL_FROM_BYTES and spare >= 2 else 1


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return f"uid {os.getuid()}"


def _mark_interrupted() -> None:
    """Batches left `running` by a process on this host that no longer exists were killed."""
    host = socket.gethostname()[:200]
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING, host=host):
        if batch.pid is None or not _alive(batch.pid):
            batch.status = ImportBatch.Status.INTERRUPTED
            batch.save(update_fields=["status"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
