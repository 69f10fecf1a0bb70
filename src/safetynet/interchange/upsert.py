"""Write one chunk's prepared lines into `records`: the upsert, in the caller's transaction.

1. fetch the existing rows of every key the chunk defines or refers to (one query per kind);
2. reject lines that send a stored version again with other content (`conflicts`); the newest
   line of each record in the chunk wins (the others become history);
3. reject lines referring to a record that exists only as another kind;
4. create stub rows for references to records not seen yet (forward references);
5. insert new records (bulk, in kind order so foreign keys point backwards), update
   stubs and older versions (bulk, the replaced version kept first), leave equal or older
   versions unchanged;
6. rewrite the child rows (addresses, participants, linked events, protected persons,
   plan associates and places) of every written record, and refresh home postcodes;
7. store the chunk's history (`history.store_versions`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from more_itertools import chunked

from safetynet.interchange.conflicts import Existing, Reject, reject_conflicts
from safetynet.interchange.history import VersionPlan, plan_versions, store_versions
from safetynet.interchange.mapping import KIND_ORDER, JsonText, Prepared
from safetynet.interchange.sql import copy_to_versions, insert_rows, select_keys, update_rows
from safetynet.lib.lookups import IN_BATCH
from safetynet.records import models as rm
from safetynet.records.keys import NaturalKey, Target


@dataclass
class Upserted:
    """What a chunk's upsert did: the records it wrote and each line's outcome, for counting."""

    changes: dict[str, list[int]]  # kind -> primary keys written (persons whose postcode changed too)
    outcome: dict[Target, str]  # the winning line of each record: accepted, updated or unchanged
    superseded: list[tuple[Prepared, Prepared]]  # (loser, winner): several lines for one record
    winners: dict[Target, Prepared] = field(default_factory=dict)  # the line each outcome is for
    stored_at: dict[Target, dt.datetime | None] = field(default_factory=dict)  # before the chunk (None: new or stub)


@dataclass
class _Plan:
    """What each winning line does: insert, update (a stub or an older version) or nothing."""

    outcome: dict[Target, str] = field(default_factory=dict)
    to_insert: dict[str, list[Prepared]] = field(default_factory=lambda: defaultdict(list))
    to_update: dict[str, list[Prepared]] = field(default_factory=lambda: defaultdict(list))


def upsert(items: list[Prepared], *, now: dt.datetime, reject: Reject, idle: Callable[[int], None] | None) -> Upserted:
    """Writes the chunk's lines (see the module docstring); `reject` is called for each line
    refused here, `idle` while PostgreSQL stores rows just sent (the look-ahead parses then)."""
    existing = _existing_rows(items)
    winners, superseded = _newest(reject_conflicts(items, existing, reject))
    defined: dict[str, set[NaturalKey]] = defaultdict(set)
    for kind, key in winners:
        defined[kind].add(key)
    superseded = _reject_wrong_kinds(winners, superseded, existing, defined, reject)
    _create_stubs(winners, existing, defined)
    pks: dict[str, dict[NaturalKey, int]] = {
        kind: {key: row[0] for key, row in rows.items()} for kind, rows in existing.items()
    }
    plan = _plan(winners, existing)
    versions = plan_versions(winners, superseded, plan.outcome, existing)
    changes, written_locations = _write_rows(plan, versions, pks, now, idle)
    _write_children(plan.to_insert, plan.to_update, pks, idle)
    store_versions(versions, pks, now)
    if written_locations:
        changes["person"].extend(_refresh_postcodes(written_locations, exclude=set(changes.get("person", []))))
    written = {kind: sorted(set(ids)) for kind, ids in changes.items() if ids}
    stored_at = {t: existing.get(t[0], {}).get(t[1], (0, None))[1] for t in winners}
    return Upserted(written, plan.outcome, superseded, winners, stored_at)


def _newest(items: list[Prepared]) -> tuple[dict[Target, Prepared], list[tuple[Prepared, Prepared]]]:
    """Later lines for the same record in this chunk: the newest recorded_at wins. Returns the
    winners and the (loser, winner) pairs."""
    winners: dict[Target, Prepared] = {}
    superseded: list[tuple[Prepared, Prepared]] = []
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
    return winners, superseded


def _existing_rows(items: list[Prepared]) -> Existing:
    """Existing rows of everything defined or referred to, one query per kind."""
    wanted: dict[str, set[NaturalKey]] = defaultdict(set)
    for item in items:
        wanted[item.kind].add(item.key)
        for _name, (kind, key) in item.references():
            wanted[kind].add(key)
    return {kind: _existing(rm.MODELS_BY_KIND[kind], keys) for kind, keys in wanted.items()}


def _reject_wrong_kinds(
    winners: dict[Target, Prepared],
    superseded: list[tuple[Prepared, Prepared]],
    existing: Existing,
    defined: dict[str, set[NaturalKey]],
    reject: Reject,
) -> list[tuple[Prepared, Prepared]]:
    """A reference to a record that exists only as another kind is a reject: removes those
    lines from `winners` and `defined`; returns the pairs of `superseded` whose winner stays."""
    missing: dict[str, set[NaturalKey]] = defaultdict(set)
    for item in winners.values():
        for _name, (kind, key) in item.references():
            if key not in existing[kind] and key not in defined[kind]:
                missing[kind].add(key)
    if not missing:
        return superseded
    wrong = _wrong_kinds(missing, defined)
    if not wrong:
        return superseded
    for target, item in list(winners.items()):
        # Linked "events" may point at other records (a missing report linked to
        # its trigger plan): kept in the payload, no typed event link.
        if any(t in wrong for t in item.linked_events):
            item.linked_events = [t for t in item.linked_events if t not in wrong]
            item.forget_references()
        problem = next(((name, t) for name, t in item.references() if t in wrong), None)
        if problem is not None:
            name, (kind, key) = problem
            reject(item, name, f"refers to {key[0]}:{key[1]} as a {kind}, but that record is a {wrong[(kind, key)]}")
            del winners[target]
            defined[target[0]].discard(target[1])
    kept: list[tuple[Prepared, Prepared]] = []
    for loser, winner in superseded:
        if (winner.kind, winner.key) in winners:
            kept.append((loser, winner))
        else:  # nothing is lost: the record's other lines are answered too
            reject(loser, "", f"line {winner.number} of the same record was rejected; send them again once it is fixed")
    return kept


def _wrong_kinds(missing: dict[str, set[NaturalKey]], defined: dict[str, set[NaturalKey]]) -> dict[Target, str]:
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


def _create_stubs(winners: dict[Target, Prepared], existing: Existing, defined: dict[str, set[NaturalKey]]) -> None:
    """Stubs for forward references (records not seen yet), added to `existing`."""
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


def _plan(winners: dict[Target, Prepared], existing: Existing) -> _Plan:
    plan = _Plan()
    for target, item in winners.items():
        row = existing.get(item.kind, {}).get(item.key)
        if row is None:
            plan.outcome[target] = "accepted"
            plan.to_insert[item.kind].append(item)
        elif row[1] is None:
            plan.outcome[target] = "accepted"  # the stub of a forward reference, now filled
            plan.to_update[item.kind].append(item)
        elif row[1] < item.recorded_at:
            plan.outcome[target] = "updated"
            plan.to_update[item.kind].append(item)
        else:
            plan.outcome[target] = "unchanged"
    return plan


def _write_rows(
    plan: _Plan,
    versions: VersionPlan,
    pks: dict[str, dict[NaturalKey, int]],
    now: dt.datetime,
    idle: Callable[[int], None] | None,
) -> tuple[dict[str, list[int]], list[int]]:
    """Inserts and updates the records' own rows in kind order; returns the primary keys
    written by kind and the locations updated (whose residents' postcodes may change)."""
    changes: dict[str, list[int]] = defaultdict(list)
    written_locations: list[int] = []
    for kind in KIND_ORDER:
        model = rm.MODELS_BY_KIND[kind]
        inserts, updates = plan.to_insert.get(kind, []), plan.to_update.get(kind, [])
        if not inserts and not updates:
            continue
        if kind == "person":
            _person_postcodes(inserts + updates, pks)
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
            rows = [[*item.key, now, *_values(item, pks, now)] for item in inserts]
            returned = insert_rows(
                model,
                ["source", "source_id", "stored_at", *names],
                rows,
                returning=("id", "source", "source_id"),
                idle=idle,
            )
            for pk, src, sid in returned:
                pks[kind][(src, sid)] = pk
                changes[kind].append(pk)
        if updates:
            # The version each update replaces is kept first (copied row to row in the database).
            copy_to_versions(model, kind, versions.displaced.get(kind, []), stored_at=now)
            update_rows(model, names, [(pks[kind][item.key], _values(item, pks, now)) for item in updates])
            changes[kind].extend(pks[kind][item.key] for item in updates)
            if kind == "location":
                written_locations = [pks[kind][item.key] for item in updates]
    return changes, written_locations


def _person_postcodes(persons: list[Prepared], pks: dict[str, dict[NaturalKey, int]]) -> None:
    location_pks = {pks["location"][t[1]] for p in persons if (t := p.current_address) is not None}
    postcodes = _postcodes_of(location_pks)
    for person in persons:
        if person.current_address is not None:
            person.fields["postcode"] = postcodes.get(pks["location"][person.current_address[1]], "")


def _values(item: Prepared, pks: dict[str, dict[NaturalKey, int]], now: dt.datetime) -> list[Any]:
    """Column values in the order recorded_at, payload, deleted, changed_at, fields, fks."""
    fks = [pks[t[0]][t[1]] if t is not None else None for t in item.fks.values()]
    return [item.recorded_at, JsonText(item.text), item.deleted, now, *item.fields.values(), *fks]


def _write_children(
    to_insert: dict[str, list[Prepared]],
    to_update: dict[str, list[Prepared]],
    pks: dict[str, dict[NaturalKey, int]],
    idle: Callable[[int], None] | None,
) -> None:
    """Rewrites the child rows (addresses, participants, links, ...) of every written record."""

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
    insert_rows(rm.PersonAddress, ["person_id", "location_id", "kind", "valid_from", "valid_to"], addresses, idle=idle)
    insert_rows(rm.Participation, ["event_id", "person_id", "role"], participations, idle=idle)
    insert_rows(rm.Event.linked_events.through, ["from_event_id", "to_event_id"], links, idle=idle)
    insert_rows(rm.Order.protected.through, ["order_id", "person_id"], protected)
    insert_rows(rm.Plan.associates.through, ["plan_id", "person_id"], associates)
    insert_rows(rm.Plan.places.through, ["plan_id", "location_id"], places)


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
    for part in chunked(ids, IN_BATCH):
        query.filter(**{f"{column}__in": part}).delete()


def _postcodes_of(location_pks: Iterable[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for part in chunked(sorted(location_pks), IN_BATCH):
        result.update(rm.Location.objects.filter(pk__in=part).values_list("pk", "postcode"))
    return result


def _refresh_postcodes(location_pks: list[int], *, exclude: set[int]) -> list[int]:
    """Persons whose address is at a location that just arrived or changed: recompute their
    home postcode (same rule as on import). Returns the pks of persons whose postcode changed."""
    person_ids: set[int] = set()
    for part in chunked(location_pks, IN_BATCH):
        person_ids.update(rm.PersonAddress.objects.filter(location_id__in=part).values_list("person_id", flat=True))
    person_ids -= exclude
    changed: list[rm.Person] = []
    for part in chunked(sorted(person_ids), IN_BATCH):
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
