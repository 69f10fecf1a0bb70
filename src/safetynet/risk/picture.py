"""The picture: everything known about individuals as of a time, as plain dataclasses.

Rules read only these: `Picture` (one individual's records, events, links, markers, orders,
plans, homes and network neighbours, with the questions rules ask of them) over a `Store`
shared by the pictures of one chunk of individuals. Nothing here touches the database:
`risk.picture_load.load_pictures(ids, as_of)` fills the store set-oriented, and
`risk.picture_as_of` rebuilds records from the versions in force at a past time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Ref = dict[str, str]


def make_ref(source: str, source_id: str) -> Ref:
    """An interchange reference `{source, id}`."""
    return {"source": source, "id": source_id}


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
