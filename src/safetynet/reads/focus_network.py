"""The readable network (docs/exploitation.md "The network"): the people around one person,
one or two hops out, filtered by relationship type, event type and time window, drawn as at most
`DEFAULT_LIMIT` nodes with the rest collapsed into groups, and listed in full as a table.

People are individuals. Two people are linked when a relationship joins them (of a type asked
for, in force during the window) or when they were present together at an event (of a type
asked for, in the window); a link carries its relationship types, how many times they were
together and at which kinds of event. A person is one hop out when linked to the focus, two
hops out when linked to a person one hop out whom the viewer may open (never through a person
they may not: that would show the hidden person's own network). Places are where the focus
was recorded at the events read.

Flags, by meaning:
- `adult_child`: one end is a child, the other an adult (under 18 by date of birth, else by
  birth year; with neither, a child when recorded as a child at an event (present child,
  missing person), otherwise treated as an adult, as the risk engine does);
- `co_location`: present together at two or more events;
- `intimate_adult_child`: an adult-child link carrying an intimate relationship
  (boyfriend/girlfriend, partner, ex-partner: `INTIMATE_TYPES`), which no adult should have
  with a child.
Age and the adult-child flags are worked out only for people the viewer may open: a person they
may not open is "A person you do not have access to" with no age, no link and no id, numbered
within the answer ("hidden-1"). Individuals restricted from the viewer are left out altogether,
with every event involving them (the `restrict` filter of reads.access).

Set-oriented: per hop a fixed number of queries (events, participations, relationships, their
individuals, who of them the viewer may open, the next hop's records), then ages and names once:
the query count does not grow with the network (tests/web/test_focus_network.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from safetynet.identity.memberships import individual_of_people
from safetynet.identity.models import Membership
from safetynet.reads import access
from safetynet.reads.focus_network_draw import Drawing
from safetynet.reads.focus_network_model import (
    ADULT_AGE,
    CHILD_ROLES,
    EVENT_CAP,
    INTIMATE_TYPES,
    EventFilter,
    FocusNetwork,
    Link,
    NetworkFilter,
)
from safetynet.reads.person import MayOpen, person_ids_of
from safetynet.records.models import Event, Participation, Relationship


def _window(filters: NetworkFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=dt.UTC) if filters.date_from else None
    end = (
        dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        if filters.date_to
        else None
    )
    return start, end


def _ages(individuals: Iterable[int], today: dt.date) -> dict[int, int | None]:
    """Whole years by date of birth, else by birth year (about), None when neither is known."""
    dobs: dict[int, dt.date] = {}
    years: dict[int, int] = {}
    rows = Membership.objects.filter(
        individual_id__in=list(individuals), person__recorded_at__isnull=False, person__deleted=False
    ).values_list("individual_id", "person__dob", "person__birth_year")
    for individual, dob, year in rows:
        if dob is not None and (individual not in dobs or dob < dobs[individual]):
            dobs[individual] = dob
        if year and (individual not in years or year < years[individual]):
            years[individual] = year
    ages: dict[int, int | None] = {}
    for individual in set(dobs) | set(years):
        dob = dobs.get(individual)
        if dob is not None:
            ages[individual] = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        else:
            ages[individual] = today.year - years[individual] - 1
    return ages


class _Reader:
    """Reads the network hop by hop (a fixed number of queries per hop)."""

    def __init__(self, focus: int, filters: NetworkFilter, may_open: MayOpen, restrict: EventFilter | None) -> None:
        self.focus = focus
        self.filters = filters
        self.may_open = may_open
        self.restrict = restrict
        self.hop_of: dict[int, int] = {focus: 0}
        self.openable: set[int] = {focus}
        self.individual_of: dict[int, int] = {}
        self.events: dict[int, tuple[str, dt.datetime | None, int | None]] = {}
        self.parts: list[tuple[int, int, str]] = []
        self.rels: dict[int, tuple[int, int, str]] = {}
        self.capped = False

    def hop(self, number: int, frontier: list[int], excluded: set[int]) -> list[int]:
        """Reads the events and relationships of the `frontier` records; answers the new
        individuals met (restricted ones left out)."""
        start, end = _window(self.filters)
        found = Event.live.filter(participations__person_id__in=frontier)
        if start is not None:
            found = found.filter(occurred_at__gte=start)
        if end is not None:
            found = found.filter(occurred_at__lt=end)
        if self.filters.event_types:
            found = found.filter(event_type__in=list(self.filters.event_types))
        if self.restrict is not None:
            found = self.restrict(found)
        rows = list(
            found.distinct()
            .order_by("-occurred_at", "-pk")
            .values_list("pk", "event_type", "occurred_at", "location_id")[:EVENT_CAP]
        )
        self.capped = self.capped or len(rows) >= EVENT_CAP
        new_events = [pk for pk, *_rest in rows if pk not in self.events]
        for pk, event_type, at, location in rows:
            self.events.setdefault(pk, (event_type, at, location))
        parts = list(
            Participation.objects.filter(event_id__in=new_events, person__deleted=False).values_list(
                "event_id", "person_id", "role"
            )
        )
        rels = Relationship.live.filter(Q(person_a_id__in=frontier) | Q(person_b_id__in=frontier))
        if self.filters.relationship_types:
            rels = rels.filter(rel_type__in=list(self.filters.relationship_types))
        if self.filters.date_to:
            rels = rels.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=self.filters.date_to))
        if self.filters.date_from:
            rels = rels.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.filters.date_from))
        rel_rows = list(rels.values_list("pk", "person_a_id", "person_b_id", "rel_type"))
        people = {p for _e, p, _r in parts} | {p for _k, a, b, _t in rel_rows for p in (a, b) if p is not None}
        unknown = [p for p in people if p not in self.individual_of]
        self.individual_of.update(individual_of_people(unknown))
        self.parts += [(e, p, r) for e, p, r in parts if self.individual_of.get(p) not in excluded]
        for pk, a, b, rel_type in rel_rows:
            ia = self.individual_of.get(a) if a is not None else None
            ib = self.individual_of.get(b) if b is not None else None
            if ia is None or ib is None or ia == ib or ia in excluded or ib in excluded:
                continue
            self.rels[pk] = (ia, ib, rel_type)
        met = {self.individual_of[p] for p in people if p in self.individual_of} - excluded
        new = sorted(i for i in met if i not in self.hop_of)
        for individual in new:
            self.hop_of[individual] = number
        self.openable |= self.may_open(new)
        return new


def focus_network(
    focus: int,
    person_ids: list[int],
    filters: NetworkFilter,
    today: dt.date,
    *,
    may_open: MayOpen,
    restrict: EventFilter | None = None,
    excluded: Iterable[int] = (),
) -> FocusNetwork:
    """The network around `focus` (see the module's docstring). `excluded`: individuals
    restricted from the viewer (left out with everything about them)."""
    hidden_set = set(excluded) - {focus}
    reader = _Reader(focus, filters, may_open, restrict)
    reader.individual_of.update({p: focus for p in person_ids})
    frontier = list(person_ids)
    anchors = {focus}
    for number in range(1, filters.hops + 1):
        new = reader.hop(number, frontier, hidden_set)
        if number < filters.hops:
            onward = [i for i in new if i in reader.openable]
            anchors |= set(onward)
            records = list(
                Membership.objects.filter(
                    individual_id__in=onward, person__recorded_at__isnull=False, person__deleted=False
                ).values_list("person_id", "individual_id")
            )
            reader.individual_of.update(dict(records))
            frontier = [p for p, _i in records]
    return _assemble(reader, anchors, filters, today)


def _assemble(reader: _Reader, anchors: set[int], filters: NetworkFilter, today: dt.date) -> FocusNetwork:
    focus = reader.focus
    openable = reader.openable
    ages = _ages(openable, today)
    recorded_child = {reader.individual_of[p] for _e, p, r in reader.parts if r in CHILD_ROLES}

    def is_child(individual: int) -> bool | None:
        if individual not in openable:
            return None
        age = ages.get(individual)
        if age is not None:
            return age < ADULT_AGE
        return individual in recorded_child

    # Who was at each event; links from each anchor to everyone present with them.
    present: dict[int, set[int]] = defaultdict(set)
    for event_id, person_id, _role in reader.parts:
        individual = reader.individual_of.get(person_id)
        if individual is not None:
            present[event_id].add(individual)
    links: dict[tuple[int, int], Link] = {}

    def link(x: int, y: int) -> Link:
        a, b = (x, y) if x < y else (y, x)
        return links.setdefault((a, b), Link(a, b))

    places: Counter[int] = Counter()
    for event_id, (event_type, at, location) in reader.events.items():
        there = present.get(event_id, set())
        if location is not None and focus in there:
            places[location] += 1
        pairs = {(min(x, y), max(x, y)) for x in there & anchors for y in there if y != x}
        for a, b in pairs:
            found = link(a, b)
            found.together += 1
            found.event_types[event_type] += 1
            if at is not None and (found.last is None or at > found.last):
                found.last = at
    for ia, ib, rel_type in reader.rels.values():
        found = link(ia, ib)
        if rel_type not in found.rel_types:
            found.rel_types.append(rel_type)
    for found in links.values():
        ca, cb = is_child(found.a), is_child(found.b)
        found.adult_child = ca is not None and cb is not None and ca != cb
        found.intimate_adult_child = found.adult_child and any(t in INTIMATE_TYPES for t in found.rel_types)
    people = set(reader.hop_of)
    return Drawing(reader, links, places, is_child, ages, filters, today).build(people)


def network_seen_by(user: Any, individual: int, filters: NetworkFilter, today: dt.date) -> FocusNetwork:
    """The network around `individual` as `user` may see it (people they may not open
    anonymous, individuals restricted from them left out), written to the access log as a view
    naming everyone it names. The screen, its JSON and the REST API all read it here."""
    person_ids = person_ids_of(individual)
    found = focus_network(
        individual,
        person_ids,
        filters,
        today,
        may_open=access.may_open(user),
        restrict=access.event_filter(user),
        excluded=access.restricted_individual_ids(user),
    )
    named = found.named
    access.log_view(
        user,
        object_type="individual",
        object_ids=[individual],
        individual_ids=[individual, *named],
        person_ids=person_ids,
        fields=["network", *(["named_in_network"] if named else [])],
    )
    return found
