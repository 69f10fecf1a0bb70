"""The picture: everything known about individuals as of a time, as plain dataclasses.

`load_pictures(individual_ids, as_of)` reads, set-oriented and once per chunk of
individuals, every record of their people (through `identity.Membership`), the events they
took part in with every participant, events linked to those, relationships, markers,
orders, plans, and their network neighbours (people sharing an event, a relationship, an
order or a home with them; whole individuals, not single records) with their markers; for
family and household (relationships, homes) also their meetings, crimes and links one step
further (an adult's other children). Rules read only these dataclasses.

As of T: a record whose stored row was recorded after T is seen as the version its source
had sent by T (`interchange.versions`, rebuilt through the importer's own mapping), or not at
all when it was first sent after T or withdrawn by T; stubs are never seen. Records are found
through their current links (participations, foreign keys, addresses) and individuals through
current identity memberships; what a version found that way says (its participants, dates,
grades, people) is what the picture holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Q

from safetynet.identity.models import Membership
from safetynet.lib.lookups import keys
from safetynet.lib.lookups import register as register_int_in
from safetynet.records import models as rm
from safetynet.records.versions import Version, versions_as_of

register_int_in()  # `__int_in`: key lists written as literals (safetynet.lib.lookups)

CHUNK = 800  # below SQLite's parameter limit with room to spare
_T = TypeVar("_T")


def _chunks(values: Iterable[_T], size: int | None = None) -> Iterator[list[_T]]:
    size = size or CHUNK
    batch: list[_T] = []
    for v in values:
        batch.append(v)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Ref = dict[str, str]


@dataclass(frozen=True)
class PersonRec:
    pk: int
    ref: Ref
    individual_id: int | None
    dob: dt.date | None
    birth_year: int | None
    care_status: str
    has_ethnicity: bool
    school_id: int | None
    homes: tuple[int, ...]  # location pks of current addresses
    # every address with its validity (location pk, from, to), previous ones included
    addresses: tuple[tuple[int, dt.date | None, dt.date | None], ...] = ()


@dataclass(frozen=True)
class EventRec:
    pk: int
    ref: Ref
    event_type: str
    occurred_at: dt.datetime | None
    ended_at: dt.datetime | None
    reported_at: dt.datetime | None
    recorded_at: dt.datetime
    summary: str
    details: dict[str, Any]
    recorded_by: dict[str, Any] | None
    location_id: int | None
    participants: tuple[tuple[int, str], ...]  # (person pk, role)
    linked: tuple[int, ...]  # event pks this event links to

    @property
    def source(self) -> str:
        return self.ref["source"]


@dataclass(frozen=True)
class RelationshipRec:
    pk: int
    ref: Ref
    a: int | None
    b: int | None
    rel_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class MarkerRec:
    pk: int
    ref: Ref
    person: int | None
    marker_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    linked_person: int | None


@dataclass(frozen=True)
class OrderRec:
    pk: int
    ref: Ref
    order_type: str
    subject: int | None
    protected: tuple[int, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class PlanRec:
    pk: int
    ref: Ref
    plan_type: str
    person: int | None
    created_on: dt.date | None
    review_due: dt.date | None


@dataclass
class Store:
    """Records loaded for a chunk of individuals, indexed by person; shared by their pictures."""

    as_of: dt.datetime
    # Some record changed after as_of, so earlier versions may be in force then (one query
    # decides; evaluating as of now never reads the history).
    history: bool = False
    persons: dict[int, PersonRec] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # individual -> persons
    events: dict[int, EventRec] = field(default_factory=dict)
    events_by_person: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    linked_from: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    relationships: dict[int, RelationshipRec] = field(default_factory=dict)
    rels_by_person: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    markers_by_person: dict[int, list[MarkerRec]] = field(default_factory=lambda: defaultdict(list))
    markers_linked_to: dict[int, list[MarkerRec]] = field(default_factory=lambda: defaultdict(list))
    orders: dict[int, OrderRec] = field(default_factory=dict)
    orders_by_person: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    plans_by_person: dict[int, list[PlanRec]] = field(default_factory=lambda: defaultdict(list))
    residents: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # location -> persons
    missing_starts: dict[int, list[tuple[dt.datetime, int]]] = field(default_factory=lambda: defaultdict(list))
    location_types: dict[int, str] = field(default_factory=dict)
    # location types by interchange reference, for places named inside event details (M6's found_location)
    location_types_by_ref: dict[tuple[str, str], str] = field(default_factory=dict)


class Picture:
    """One individual's picture as of a time. Rules read it; it never touches the database."""

    def __init__(self, individual_id: int, store: Store) -> None:
        self.individual_id = individual_id
        self.store = store
        self.as_of = store.as_of
        self.own: frozenset[int] = frozenset(store.members.get(individual_id, ()))
        # Memos: the store is complete before any picture is made and never changes after, and
        # rules ask the same questions many times (about 25 rules per child).
        self._events: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[EventRec, str]]] = {}
        self._own_roles: dict[int, list[str]] | None = None
        self._dob: dict[int | None, dt.date | None] = {}
        self._age: dict[tuple[int | None, dt.datetime | None], float | None] = {}
        self._child: dict[tuple[int | None, dt.datetime | None], bool] = {}

    # --- who -------------------------------------------------------------------------------
    def person(self, pk: int | None) -> PersonRec | None:
        return self.store.persons.get(pk) if pk is not None else None

    def individual_of(self, pk: int | None) -> int | None:
        """Returns the individual a person record belongs to (the record itself when unlinked)."""
        rec = self.person(pk)
        if rec is None:
            return None
        return rec.individual_id if rec.individual_id is not None else -pk  # type: ignore[operator]

    def records_of(self, individual: int | None) -> list[int]:
        if individual is None:
            return []
        if individual < 0:
            return [-individual]
        return self.store.members.get(individual, [])

    def is_own(self, pk: int | None) -> bool:
        return pk in self.own

    @property
    def refs(self) -> list[Ref]:
        """Every source reference linked into this individual."""
        return sorted((self.store.persons[p].ref for p in self.own), key=lambda r: (r["source"], r["id"]))

    def dob_of(self, individual: int | None) -> dt.date | None:
        """The most often recorded full date of birth (sources disagree; the majority wins)."""
        if individual in self._dob:
            return self._dob[individual]
        self._dob[individual] = found = self._dob_of(individual)
        return found

    def _dob_of(self, individual: int | None) -> dt.date | None:
        counts: dict[dt.date, int] = defaultdict(int)
        for pk in self.records_of(individual):
            rec = self.store.persons.get(pk)
            if rec and rec.dob:
                counts[rec.dob] += 1
        return max(counts, key=lambda d: (counts[d], d)) if counts else None

    def age_of(self, individual: int | None, at: dt.datetime | None = None) -> float | None:
        """Age in years at `at` (default as_of), or None when no date of birth is known."""
        memo = (individual, at)
        if memo in self._age:
            return self._age[memo]
        self._age[memo] = age = self._age_of(individual, at)
        return age

    def _age_of(self, individual: int | None, at: dt.datetime | None) -> float | None:
        at = at or self.as_of
        dob = self.dob_of(individual)
        if dob is not None:
            return (at.date() - dob).days / 365.25
        years = [r.birth_year for p in self.records_of(individual) if (r := self.store.persons.get(p)) and r.birth_year]
        return (at.year - min(years) - 0.5) if years else None

    @property
    def dob(self) -> dt.date | None:
        return self.dob_of(self.individual_id)

    def age(self, at: dt.datetime | None = None) -> float | None:
        return self.age_of(self.individual_id, at)

    def is_child_individual(self, individual: int | None, at: dt.datetime | None = None) -> bool:
        """Under 18 at `at`; with no date of birth, a person recorded as a child somewhere."""
        memo = (individual, at)
        if memo not in self._child:
            self._child[memo] = self._is_child_individual(individual, at)
        return self._child[memo]

    def _is_child_individual(self, individual: int | None, at: dt.datetime | None) -> bool:
        age = self.age_of(individual, at)
        if age is not None:
            return age < 18
        return any(
            role in ("present_child", "missing_person")
            for pk in self.records_of(individual)
            for e in self.store.events_by_person.get(pk, [])
            for p, role in self.store.events[e].participants
            if p == pk
        )

    @cached_property
    def is_child(self) -> bool:
        return self.is_child_individual(self.individual_id)

    @property
    def care_statuses(self) -> set[str]:
        return {self.store.persons[p].care_status for p in self.own if self.store.persons[p].care_status}

    @property
    def homes(self) -> set[int]:
        return {loc for p in self.own for loc in self.store.persons[p].homes}

    def homes_on(self, day: dt.date) -> set[int]:
        """Locations any of this individual's records give as an address on `day` (inclusive
        bounds; an address without dates counts as current only)."""
        out: set[int] = set()
        for p in self.own:
            rec = self.store.persons[p]
            for loc, start, stop in rec.addresses:
                if start is None and stop is None:
                    if loc in rec.homes:
                        out.add(loc)
                elif (start is None or start <= day) and (stop is None or day <= stop):
                    out.add(loc)
        return out

    def homes_of(self, individual: int | None) -> set[int]:
        return {loc for p in self.records_of(individual) if (r := self.person(p)) for loc in r.homes}

    # --- what ------------------------------------------------------------------------------
    def events(self, *types: str, roles: tuple[str, ...] = ()) -> list[tuple[EventRec, str]]:
        """Returns (event, this individual's role) for each event they took part in, oldest first.

        With several roles in one event (two linked records), the first that matches `roles`.
        The list is shared between calls: iterate it, never change it."""
        memo = (types, roles)
        found = self._events.get(memo)
        if found is None:
            if self._own_roles is None:
                # Every event of this individual's records with their roles in it, in record order.
                self._own_roles = {}
                for pk in self.own:
                    for eid in self.store.events_by_person.get(pk, []):
                        for person, role in self.store.events[eid].participants:
                            if person == pk:
                                self._own_roles.setdefault(eid, []).append(role)
            found = []
            for eid, own_roles in self._own_roles.items():
                event = self.store.events[eid]
                if types and event.event_type not in types:
                    continue
                first = next((r for r in own_roles if not roles or r in roles), None)
                if first is not None:
                    found.append((event, first))
            epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
            found.sort(key=lambda er: (er[0].occurred_at or epoch, er[0].pk))
            self._events[memo] = found
        return found

    def events_of(self, individual: int | None, *types: str) -> list[tuple[EventRec, str]]:
        """(event, role) for another individual's loaded events (meetings and crimes of neighbours)."""
        out: dict[int, tuple[EventRec, str]] = {}
        for pk in self.records_of(individual):
            for eid in self.store.events_by_person.get(pk, []):
                event = self.store.events[eid]
                if types and event.event_type not in types:
                    continue
                for person, role in event.participants:
                    if person == pk:
                        out.setdefault(eid, (event, role))
        return list(out.values())

    def event(self, pk: int) -> EventRec | None:
        return self.store.events.get(pk)

    def linked_to(self, event: EventRec) -> list[EventRec]:
        """Events that link to `event` (a notification about an incident, an examination for a crime)."""
        return [self.store.events[e] for e in self.store.linked_from.get(event.pk, []) if e in self.store.events]

    def others_in(self, event: EventRec, *roles: str) -> list[tuple[int, str]]:
        """(person pk, role) of the other participants of `event`."""
        return [(p, r) for p, r in event.participants if p not in self.own and (not roles or r in roles)]

    def relationships(self, individual: int | None = None) -> list[tuple[RelationshipRec, int | None]]:
        """Returns (relationship, the other person's pk) for each relationship of an individual."""
        individual = self.individual_id if individual is None else individual
        mine = set(self.records_of(individual))
        out = []
        seen = set()
        for pk in mine:
            for rid in self.store.rels_by_person.get(pk, []):
                if rid in seen:
                    continue
                seen.add(rid)
                rel = self.store.relationships[rid]
                other = rel.b if rel.a in mine else rel.a
                out.append((rel, other))
        # In record order, so that citations do not depend on which chunk loaded the records.
        out.sort(key=lambda ro: ro[0].pk)
        return out

    def markers(self, individual: int | None = None, *types: str) -> list[MarkerRec]:
        individual = self.individual_id if individual is None else individual
        today = self.as_of.date()
        return [
            m
            for p in self.records_of(individual)
            for m in self.store.markers_by_person.get(p, [])
            if (not types or m.marker_type in types) and (m.valid_to is None or m.valid_to >= today)
        ]

    def orders(self) -> list[OrderRec]:
        ids = {o for p in self.own for o in self.store.orders_by_person.get(p, [])}
        return [self.store.orders[o] for o in sorted(ids)]

    def plans(self, *types: str) -> list[PlanRec]:
        today = self.as_of.date()
        return [
            plan
            for p in self.own
            for plan in self.store.plans_by_person.get(p, [])
            if (not types or plan.plan_type in types) and (plan.created_on is None or plan.created_on <= today)
        ]

    def missing_starts_of(self, individual: int | None) -> list[tuple[dt.datetime, int]]:
        """(start, event pk) of each missing episode of an individual, oldest first."""
        out = {eid: t for p in self.records_of(individual) for t, eid in self.store.missing_starts.get(p, [])}
        return sorted((t, e) for e, t in out.items())

    def residents_of(self, location: int) -> set[int]:
        return self.store.residents.get(location, set())

    def location_type(self, location: int | None) -> str:
        return self.store.location_types.get(location, "") if location is not None else ""

    def location_type_of_ref(self, ref: Any) -> str:
        """The type of a location named by reference inside event details (`found_location`)."""
        if not isinstance(ref, dict):
            return ""
        return self.store.location_types_by_ref.get((str(ref.get("source")), str(ref.get("id"))), "")

    def neighbours(self) -> set[int]:
        """Individuals sharing an event, relationship, order or home with this one."""
        out: set[int] = set()
        for event, _ in self.events():
            out.update(self.individual_of(p) or 0 for p, _ in self.others_in(event))
        for _, other in self.relationships():
            out.add(self.individual_of(other) or 0)
        for order in self.orders():
            out.update(self.individual_of(p) or 0 for p in (order.subject, *order.protected) if p not in self.own)
        for home in self.homes:
            out.update(self.individual_of(p) or 0 for p in self.residents_of(home) if p not in self.own)
        out.discard(0)
        out.discard(self.individual_id)
        return out


def _visible(qs: Any, as_of: dt.datetime) -> Any:
    return qs.filter(recorded_at__lte=as_of)


def _earlier(store: Store, model: type[rm.SourceRecord], condition: Q) -> dict[int, Version]:
    """The versions in force at as_of of the records matching `condition` whose stored row is
    newer (none when nothing changed after as_of)."""
    if not store.history:
        return {}
    later = model.objects.filter(condition, recorded_at__gt=store.as_of).values_list("pk", flat=True)
    return versions_as_of(model.kind, later, store.as_of)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _ref(source: str, source_id: str) -> Ref:
    return {"source": source, "id": source_id}


def _load_persons(store: Store, pks: set[int]) -> None:
    """Adds person rows (with current homes) for `pks` not yet loaded."""
    wanted = [p for p in pks if p not in store.persons]
    today = store.as_of.date()
    for batch in _chunks(wanted):
        homes: dict[int, list[int]] = defaultdict(list)
        addresses: dict[int, list[tuple[int, dt.date | None, dt.date | None]]] = defaultdict(list)
        for person_id, location_id, kind, valid_from, valid_to in rm.PersonAddress.objects.filter(
            person_id__int_in=keys(batch)
        ).values_list("person_id", "location_id", "kind", "valid_from", "valid_to"):
            addresses[person_id].append((location_id, valid_from, valid_to))
            if kind != "previous" and (valid_to is None or valid_to >= today):
                homes[person_id].append(location_id)
                store.residents[location_id].add(person_id)
        members = dict(
            Membership.objects.filter(person_id__int_in=keys(batch)).values_list("person_id", "individual_id")
        )
        rows = _visible(rm.Person.live.filter(pk__int_in=keys(batch)), store.as_of).values_list(
            "pk",
            "source",
            "source_id",
            "dob",
            "birth_year",
            "care_status",
            "self_defined_ethnicity",
            "observed_ethnicity",
            "school_id",
        )
        for pk, source, sid, dob, year, care, sde, obs, school in rows:
            individual = members.get(pk)
            store.persons[pk] = PersonRec(
                pk,
                _ref(source, sid),
                individual,
                dob,
                year,
                care or "",
                bool(sde or obs),
                school,
                tuple(homes[pk]),
                tuple(addresses[pk]),
            )
            if individual is not None and pk not in store.members[individual]:
                store.members[individual].append(pk)
        for pk, version in _earlier(store, rm.Person, Q(pk__int_in=keys(batch))).items():
            individual = members.get(pk)
            store.persons[pk] = _person_as_it_was(version, individual, today)
            for location_id in store.persons[pk].homes:
                store.residents[location_id].add(pk)
            if individual is not None and pk not in store.members[individual]:
                store.members[individual].append(pk)


def _person_as_it_was(version: Version, individual: int | None, today: dt.date) -> PersonRec:
    """A person record as its source had it then (addresses from that version)."""
    addresses: list[tuple[int, dt.date | None, dt.date | None]] = []
    homes: list[int] = []
    for target, kind, valid_from, valid_to in version.prepared.addresses:
        location_id = version.resolved.get(target)
        if location_id is None:
            continue
        addresses.append((location_id, valid_from, valid_to))
        if kind != "previous" and (valid_to is None or valid_to >= today):
            homes.append(location_id)
    return PersonRec(
        version.pk,
        _ref(version.source, version.source_id),
        individual,
        version.field("dob"),
        version.field("birth_year"),
        version.field("care_status") or "",
        bool(version.field("self_defined_ethnicity") or version.field("observed_ethnicity")),
        version.fk("school"),
        tuple(homes),
        tuple(addresses),
    )


def _load_events(store: Store, event_ids: set[int]) -> None:
    wanted = [e for e in event_ids if e not in store.events]
    for batch in _chunks(wanted):
        parts: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for eid, pid, role in rm.Participation.objects.filter(event_id__int_in=keys(batch)).values_list(
            "event_id", "person_id", "role"
        ):
            parts[eid].append((pid, role))
        links: dict[int, list[int]] = defaultdict(list)
        through = rm.Event.linked_events.through
        for src, dst in through.objects.filter(from_event_id__int_in=keys(batch)).values_list(
            "from_event_id", "to_event_id"
        ):
            links[src].append(dst)
        rows = _visible(rm.Event.live.filter(pk__int_in=keys(batch)), store.as_of).values_list(
            "pk",
            "source",
            "source_id",
            "event_type",
            "occurred_at",
            "ended_at",
            "reported_at",
            "recorded_at",
            "summary",
            "details",
            "recorded_by",
            "location_id",
        )
        events = [
            EventRec(
                pk,
                _ref(source, sid),
                etype,
                occ,
                end,
                rep,
                rec,
                summary or "",
                details if isinstance(details, dict) else {},
                by if isinstance(by, dict) else None,
                loc,
                tuple(parts[pk]),
                tuple(links[pk]),
            )
            for pk, source, sid, etype, occ, end, rep, rec, summary, details, by, loc in rows
        ]
        events += [_event_as_it_was(v) for v in _earlier(store, rm.Event, Q(pk__int_in=keys(batch))).values()]
        for event in events:
            pk = event.pk
            store.events[pk] = event
            for person, _ in event.participants:
                if pk not in store.events_by_person[person]:
                    store.events_by_person[person].append(pk)
            for dst in event.linked:
                store.linked_from[dst].append(pk)


def _event_as_it_was(version: Version) -> EventRec:
    """An event as its source had it then (participants and links from that version)."""
    details = _json(version.field("details"))
    recorded_by = _json(version.field("recorded_by"))
    participants = tuple(
        (pk, role) for target, role in version.prepared.participants if (pk := version.resolved.get(target))
    )
    return EventRec(
        version.pk,
        _ref(version.source, version.source_id),
        version.field("event_type"),
        version.field("occurred_at"),
        version.field("ended_at"),
        version.field("reported_at"),
        version.recorded_at,
        version.field("summary") or "",
        details if isinstance(details, dict) else {},
        recorded_by if isinstance(recorded_by, dict) else None,
        version.fk("location"),
        participants,
        version.pks(version.prepared.linked_events),
    )


def _members_of(individuals: set[int]) -> set[int]:
    out: set[int] = set()
    for batch in _chunks(individuals):
        out.update(Membership.objects.filter(individual_id__int_in=keys(batch)).values_list("person_id", flat=True))
    return out


def _individuals_of(persons: set[int]) -> set[int]:
    out: set[int] = set()
    for batch in _chunks(persons):
        out.update(Membership.objects.filter(person_id__int_in=keys(batch)).values_list("individual_id", flat=True))
    return out


def _load_links(store: Store, persons: set[int]) -> set[int]:
    """Loads relationships, orders and markers touching `persons`; returns the people they reach."""
    reached: set[int] = set()
    for batch in _chunks(persons):
        touching = Q(person_a_id__int_in=keys(batch)) | Q(person_b_id__int_in=keys(batch))
        relationships = list(
            _visible(rm.Relationship.live.filter(touching), store.as_of).values_list(
                "pk", "source", "source_id", "person_a_id", "person_b_id", "rel_type", "valid_from", "valid_to"
            )
        )
        relationships += [
            (pk, v.source, v.source_id, v.fk("person_a"), v.fk("person_b"))
            + (v.field("rel_type"), v.field("valid_from"), v.field("valid_to"))
            for pk, v in _earlier(store, rm.Relationship, touching).items()
        ]
        for row in relationships:
            pk, source, sid, a, b, rtype, vf, vt = row
            if pk not in store.relationships:
                store.relationships[pk] = RelationshipRec(pk, _ref(source, sid), a, b, rtype, vf, vt)
                for p in (a, b):
                    if p is not None:
                        store.rels_by_person[p].append(pk)
            reached.update(p for p in (a, b) if p is not None)
        concerning = Q(subject_id__int_in=keys(batch)) | Q(protected__int_in=keys(batch))
        order_ids = set(_visible(rm.Order.live.filter(concerning), store.as_of).values_list("pk", flat=True))
        order_ids -= set(store.orders)
        for pk, v in _earlier(store, rm.Order, concerning).items():
            if pk not in store.orders:
                subject = v.fk("subject")
                order = OrderRec(
                    pk,
                    _ref(v.source, v.source_id),
                    v.field("order_type"),
                    subject,
                    v.pks(v.prepared.protected),
                    v.field("valid_from"),
                    v.field("valid_to"),
                )
                store.orders[pk] = order
                for p in (subject, *order.protected):
                    if p is not None:
                        store.orders_by_person[p].append(pk)
                        reached.add(p)
        if order_ids:
            protected: dict[int, list[int]] = defaultdict(list)
            for oid, pid in rm.Order.protected.through.objects.filter(order_id__int_in=keys(order_ids)).values_list(
                "order_id", "person_id"
            ):
                protected[oid].append(pid)
            for pk, source, sid, otype, subject, vf, vt in rm.Order.objects.filter(
                pk__int_in=keys(order_ids)
            ).values_list("pk", "source", "source_id", "order_type", "subject_id", "valid_from", "valid_to"):
                order = OrderRec(pk, _ref(source, sid), otype, subject, tuple(protected[pk]), vf, vt)
                store.orders[pk] = order
                for p in (subject, *order.protected):
                    if p is not None:
                        store.orders_by_person[p].append(pk)
                        reached.add(p)
        reached |= _load_markers(store, batch)
    return reached


def _load_markers(store: Store, persons: Iterable[int]) -> set[int]:
    """Loads the markers on or naming `persons`; returns the people they reach."""
    reached: set[int] = set()
    for batch in _chunks(persons):
        about = Q(person_id__int_in=keys(batch)) | Q(linked_person_id__int_in=keys(batch))
        markers = list(
            _visible(rm.Marker.live.filter(about), store.as_of).values_list(
                "pk", "source", "source_id", "person_id", "marker_type", "valid_from", "valid_to", "linked_person_id"
            )
        )
        markers += [
            (pk, v.source, v.source_id, v.fk("person"), v.field("marker_type"))
            + (v.field("valid_from"), v.field("valid_to"), v.fk("linked_person"))
            for pk, v in _earlier(store, rm.Marker, about).items()
        ]
        for row in markers:
            marker = MarkerRec(row[0], _ref(row[1], row[2]), *row[3:])
            if marker.person is not None and all(m.pk != marker.pk for m in store.markers_by_person[marker.person]):
                store.markers_by_person[marker.person].append(marker)
                reached.add(marker.person)
            if marker.linked_person is not None:
                reached.add(marker.linked_person)
    return reached


def _load_missing(store: Store, persons: set[int]) -> None:
    for batch in _chunks(persons):
        for pid, eid, occ in (
            rm.Participation.objects.filter(
                person_id__int_in=keys(batch),
                role=rm.Participation.Role.MISSING_PERSON,
                event__event_type=rm.Event.EventType.MISSING_REPORT,
                event__deleted=False,
                event__recorded_at__lte=store.as_of,
            )
            .exclude(event__occurred_at__isnull=True)
            .values_list("person_id", "event_id", "event__occurred_at")
        ):
            if occ is not None and (occ, eid) not in store.missing_starts[pid]:
                store.missing_starts[pid].append((occ, eid))
        if store.history:
            # Reports changed after as_of: their episode as the version in force then gave it.
            wanted = set(batch)
            missing_in = Q(participations__person_id__int_in=keys(batch), participations__role="missing_person")
            for version in _earlier(store, rm.Event, missing_in).values():
                occ = version.field("occurred_at")
                if version.field("event_type") != rm.Event.EventType.MISSING_REPORT or occ is None:
                    continue
                for target, role in version.prepared.participants:
                    person = version.resolved.get(target)
                    if role != "missing_person" or person not in wanted:
                        continue
                    if (occ, version.pk) not in store.missing_starts[person]:
                        store.missing_starts[person].append((occ, version.pk))


def load_pictures(individual_ids: Iterable[int], as_of: dt.datetime) -> dict[int, Picture]:
    """Returns a picture per individual as of `as_of`, loading their records set-oriented."""
    ids = sorted(set(individual_ids))
    if not ids:
        return {}
    store = Store(as_of=as_of, history=rm.RecordVersion.objects.filter(superseded_at__gt=as_of).exists())
    own = _members_of(set(ids))
    _load_persons(store, own)
    # Events of the individuals, with every participant, and events linked either way.
    event_ids: set[int] = set()
    for batch in _chunks(own):
        event_ids.update(
            rm.Participation.objects.filter(person_id__int_in=keys(batch)).values_list("event_id", flat=True)
        )
    through = rm.Event.linked_events.through
    # One hop from the individuals' own events (a snapshot: adding to the set while walking it
    # raised once a chunk of individuals had more events than one query batch).
    for batch in _chunks(sorted(event_ids)):
        event_ids.update(
            through.objects.filter(to_event_id__int_in=keys(batch)).values_list("from_event_id", flat=True)
        )
        event_ids.update(
            through.objects.filter(from_event_id__int_in=keys(batch)).values_list("to_event_id", flat=True)
        )
    _load_events(store, event_ids)
    first = {p for e in store.events.values() for p, _ in e.participants}
    first |= _load_links(store, own)
    household = _residents({loc for p in own if p in store.persons for loc in store.persons[p].homes})
    first |= household
    # Neighbours as whole individuals, with their markers (a registered sex offender at an
    # incident, a CAWN naming the adult of an order).
    neighbours = _whole(first - own)
    _load_persons(store, neighbours)
    # Family and household (the other ends of the individuals' relationships, the people
    # sharing their homes) as whole individuals: the only neighbours whose own meetings,
    # crimes and relationships a rule reads (D2: a parent's MARAC; D3: a household adult's
    # offence; X2: an adult's other children). Loading them for everyone met at an event, an
    # adult seen with hundreds of children among them, was most of a full evaluation.
    related = {
        p
        for pk in own
        for rid in store.rels_by_person.get(pk, ())
        for p in (store.relationships[rid].a, store.relationships[rid].b)
        if p is not None
    }
    close = _whole((related | household) - own)
    theirs: set[int] = set()
    for batch in _chunks(close):
        theirs.update(
            rm.Participation.objects.filter(
                person_id__int_in=keys(batch), event__event_type__in=("meeting", "crime")
            ).values_list("event_id", flat=True)
        )
    _load_events(store, theirs)
    second = _load_links(store, close) - own - neighbours
    _load_markers(store, neighbours - close)
    # One step further (an adult's other children): who they are, their markers and episodes.
    second = _whole(second)
    _load_persons(store, second)
    _load_markers(store, second)
    _load_missing(store, own | neighbours | second)
    locations = {e.location_id for e in store.events.values() if e.location_id} | {
        loc for p in store.persons.values() for loc in p.homes
    }
    for batch in _chunks(locations):
        store.location_types.update(
            rm.Location.objects.filter(pk__int_in=keys(batch)).values_list("pk", "location_type")
        )
    _load_found_locations(store)
    for batch in _chunks(own):
        for row in _visible(rm.Plan.live.filter(person_id__int_in=keys(batch)), as_of).values_list(
            "pk", "source", "source_id", "plan_type", "person_id", "created_on", "review_due"
        ):
            store.plans_by_person[row[4]].append(PlanRec(row[0], _ref(row[1], row[2]), *row[3:]))
        for pk, v in _earlier(store, rm.Plan, Q(person_id__int_in=keys(batch))).items():
            person = v.fk("person")
            if person is not None:
                store.plans_by_person[person].append(
                    PlanRec(
                        pk,
                        _ref(v.source, v.source_id),
                        v.field("plan_type"),
                        person,
                        v.field("created_on"),
                        v.field("review_due"),
                    )
                )
    for members in store.members.values():
        members.sort()  # an individual's records in key order, whatever order the queries returned
    return {i: Picture(i, store) for i in ids}


def _load_found_locations(store: Store) -> None:
    """Loads the types of the places missing children were found (`found_location` is a reference
    inside the report's details, not a stored link)."""
    wanted: set[tuple[str, str]] = set()
    for event in store.events.values():
        if event.event_type == "missing_report":
            ref = event.details.get("found_location")
            if isinstance(ref, dict) and ref.get("source") and ref.get("id"):
                wanted.add((str(ref["source"]), str(ref["id"])))
    for batch in _chunks(sorted(wanted)):
        rows = _visible(rm.Location.live.filter(source_id__in=[i for _, i in batch]), store.as_of).values_list(
            "source", "source_id", "location_type"
        )
        earlier = _earlier(store, rm.Location, Q(source_id__in=[i for _, i in batch])).values()
        rows = [*rows, *((v.source, v.source_id, v.field("location_type")) for v in earlier)]
        for source, sid, ltype in rows:
            if (source, sid) in wanted:
                store.location_types_by_ref[(source, sid)] = ltype or ""


def _whole(persons: set[int]) -> set[int]:
    """Returns `persons` with every other record of their individuals."""
    return _members_of(_individuals_of(persons)) | persons


def _residents(locations: set[int]) -> set[int]:
    """Returns the people with an address at any of `locations` (household neighbours)."""
    out: set[int] = set()
    for batch in _chunks(locations):
        out.update(rm.PersonAddress.objects.filter(location_id__int_in=keys(batch)).values_list("person_id", flat=True))
    return out


def load_picture(individual_id: int, as_of: dt.datetime) -> Picture:
    """Returns one individual's picture as of `as_of`."""
    return load_pictures([individual_id], as_of)[individual_id]
