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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from safetynet.identity.memberships import individual_of_people
from safetynet.identity.models import Membership
from safetynet.reads.labels import label
from safetynet.reads.network import location_label
from safetynet.reads.person import _REL_WORDS, NO_ACCESS_NAME, MayOpen, headlines_for
from safetynet.records.models import Event, Location, Participation, Relationship

DEFAULT_LIMIT = 60  # nodes drawn by default, groups and the focus included
MIN_LIMIT, MAX_LIMIT = 10, 400
DEFAULT_WINDOW_DAYS = 365  # the last 12 months, unless `from` says otherwise
EVENT_CAP = 2000  # events read per hop, the most recent first (the answer says when it was reached)
ADULT_AGE = 18
INTIMATE_TYPES = ("boyfriend_girlfriend", "partner_of", "ex_partner_of")
CHILD_ROLES = ("present_child", "missing_person")
# Group kinds, in the order they are drawn and listed; `expand` takes these names.
GROUP_KINDS = {
    "children": ("child", "children"),
    "adults": ("adult", "adults"),
    "not_shown": ("person you do not have access to", "people you do not have access to"),
    "places": ("place", "places"),
}

EventFilter = Callable[[QuerySet[Event]], QuerySet[Event]]


@dataclass(frozen=True)
class NetworkFilter:
    hops: int = 1
    relationship_types: tuple[str, ...] = ()  # none: every type
    event_types: tuple[str, ...] = ()  # none: every type
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = DEFAULT_LIMIT
    expand: tuple[str, ...] = ()

    def query(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs (defaults left out), for links that keep it."""
        pairs: list[tuple[str, str]] = []
        if self.hops != 1:
            pairs.append(("hops", str(self.hops)))
        pairs += [("relationship_types", t) for t in self.relationship_types]
        pairs += [("event_types", t) for t in self.event_types]
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(self.limit)))
        pairs += [("expand", k) for k in self.expand]
        return pairs


def _values(query: Mapping[str, list[str]], name: str) -> list[str]:
    """A repeated parameter, also accepting commas ("a,b") as the API's callers often send."""
    out: list[str] = []
    for value in query.get(name, []):
        out += [v.strip() for v in str(value).split(",") if v.strip()]
    return out


def _date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_filter(query: Mapping[str, list[str]], today: dt.date) -> tuple[NetworkFilter, dict[str, str]]:
    """The filter a screen or an API caller asked for, and the problems found, field by field
    (the screen shows them in its error summary; the API answers 422 naming them). A field in
    error falls back to its default, so the screen still shows a network."""
    errors: dict[str, str] = {}
    hops_text = (query.get("hops") or [""])[0].strip()
    hops = 1
    if hops_text:
        if hops_text in ("1", "2"):
            hops = int(hops_text)
        else:
            errors["hops"] = "Choose 1 or 2 hops"
    rel_types = _values(query, "relationship_types")
    if any(t not in Relationship.RelType.values for t in rel_types):
        errors["relationship_types"] = "Choose relationship types from the list"
        rel_types = []
    event_types = _values(query, "event_types")
    if any(t not in Event.EventType.values for t in event_types):
        errors["event_types"] = "Choose event types from the list"
        event_types = []
    dates: dict[str, dt.date | None] = {}
    for name, words in (("from", "from"), ("to", "to")):
        text = (query.get(name) or [""])[0].strip()
        dates[name] = None
        if text:
            try:
                dates[name] = _date(text)
            except ValueError:
                errors[name] = f"Enter the {words} date as a real date, like 2026-03-27"
    date_to = dates["to"] or today
    date_from = dates["from"] or (date_to - dt.timedelta(days=DEFAULT_WINDOW_DAYS))
    if date_from > date_to:
        errors["to"] = "The to date must be the same as or after the from date"
        date_to, date_from = today, today - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    limit = DEFAULT_LIMIT
    limit_text = (query.get("limit") or [""])[0].strip()
    if limit_text:
        if limit_text.isdigit() and MIN_LIMIT <= int(limit_text) <= MAX_LIMIT:
            limit = int(limit_text)
        else:
            errors["limit"] = f"Enter a whole number from {MIN_LIMIT} to {MAX_LIMIT}"
    expand = _values(query, "expand")
    if any(k not in GROUP_KINDS for k in expand):
        errors["expand"] = "Choose groups to expand from: " + ", ".join(GROUP_KINDS)
        expand = []
    return (
        NetworkFilter(
            hops=hops,
            relationship_types=tuple(dict.fromkeys(rel_types)),
            event_types=tuple(dict.fromkeys(event_types)),
            date_from=date_from,
            date_to=date_to,
            limit=limit,
            expand=tuple(dict.fromkeys(expand)),
        ),
        errors,
    )


@dataclass
class Link:
    """What joins two individuals (a < b) in the window."""

    a: int
    b: int
    rel_types: list[str] = field(default_factory=list)
    together: int = 0
    event_types: Counter[str] = field(default_factory=Counter)
    last: dt.datetime | None = None
    adult_child: bool = False
    intimate_adult_child: bool = False

    @property
    def co_location(self) -> bool:
        return self.together >= 2

    def words(self) -> str:
        parts = [_REL_WORDS.get(t, (t.replace("_", " "),))[0] for t in self.rel_types]
        if self.together:
            kinds = ", ".join(f"{label(t).lower() or t} {n}" for t, n in self.event_types.most_common())
            times = "once" if self.together == 1 else f"{self.together} times"
            last = f", last {self.last.date().isoformat()}" if self.last else ""
            parts.append(f"together {times} ({kinds}{last})")
        return "; ".join(parts)

    def flags(self) -> list[str]:
        out = []
        if self.intimate_adult_child:
            out.append("Adult in a boyfriend, girlfriend or partner relationship with a child")
        if self.adult_child:
            out.append("Adult and child")
        if self.co_location:
            out.append("Seen together 2 or more times")
        return out


@dataclass
class PersonRow:
    """One person of the network, for the table (everyone, drawn or grouped)."""

    key: str
    individual_id: int | None  # None for a person the viewer may not open
    name: str
    hop: int
    age_group: str  # "child", "adult", or "" when not shown
    age: int | None
    how: list[str]  # how linked to the focus (or, two hops out, to whom one hop out)
    flags: list[str]
    drawn_as: str  # "shown" or the group's label
    score: int = 0


@dataclass
class PlaceRow:
    key: str
    label: str
    times: int
    drawn_as: str


@dataclass
class FocusNetwork:
    focus: int
    filters: NetworkFilter
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    people: list[PersonRow]
    places: list[PlaceRow]
    groups: list[dict[str, Any]]
    events_read: int
    events_capped: bool

    @property
    def named(self) -> list[int]:
        """The individuals the answer names (besides the focus), for the access log."""
        return [p.individual_id for p in self.people if p.individual_id is not None]

    def graph(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "groups": self.groups,
            "counts": {
                "people": len(self.people),
                "places": len(self.places),
                "events": self.events_read,
                "drawn": len(self.nodes),
                "events_capped": self.events_capped,
            },
        }


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


def _score(link: Link) -> int:
    return (1000 if (link.intimate_adult_child or link.co_location and link.adult_child) else 0) + (
        10 * len(link.rel_types) + link.together
    )


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
    return _Builder(reader, links, places, is_child, ages, filters, today).build(people)


class _Builder:
    def __init__(
        self,
        reader: _Reader,
        links: dict[tuple[int, int], Link],
        places: Counter[int],
        is_child: Callable[[int], bool | None],
        ages: dict[int, int | None],
        filters: NetworkFilter,
        today: dt.date,
    ) -> None:
        self.reader = reader
        self.links = links
        self.places = places
        self.is_child = is_child
        self.ages = ages
        self.filters = filters
        self.today = today

    def build(self, people: set[int]) -> FocusNetwork:
        reader, focus = self.reader, self.reader.focus
        linked = {i for pair in self.links for i in pair}
        people = {i for i in people if i in linked or i == focus}
        by_person: dict[int, list[Link]] = defaultdict(list)
        for found in self.links.values():
            by_person[found.a].append(found)
            by_person[found.b].append(found)
        heads = headlines_for([i for i in people if i in reader.openable], self.today)
        score = {i: sum(_score(f) for f in by_person[i]) for i in people}
        order = sorted((i for i in people if i != focus), key=lambda i: (reader.hop_of[i], -score[i], i))
        hidden_keys: dict[int, str] = {}
        for individual in order:
            if individual not in reader.openable:
                hidden_keys[individual] = f"hidden-{len(hidden_keys) + 1}"

        def key(individual: int) -> str:
            return hidden_keys.get(individual) or f"ind-{individual}"

        def kind(individual: int) -> str:
            child = self.is_child(individual)
            return "not_shown" if child is None else ("children" if child else "adults")

        locations = {
            loc.pk: loc
            for loc in Location.objects.filter(pk__in=list(self.places)).only(
                "address_lines", "town", "postcode", "location_type"
            )
        }
        place_order = [loc for loc, _n in self.places.most_common()]
        # Candidates for drawing, closest and most linked first (a place counts as one hop out,
        # its strength how often the focus was recorded there): the tail is grouped.
        ranked = [(reader.hop_of[i], -score[i], 0, n, (key(i), kind(i), score[i])) for n, i in enumerate(order)]
        ranked += [
            (1, -self.places[loc], 1, n, (f"loc-{loc}", "places", self.places[loc]))
            for n, loc in enumerate(place_order)
        ]
        candidates: list[tuple[str, str, int]] = [r[-1] for r in sorted(ranked, key=lambda r: r[:4])]
        expanded = [c for c in candidates if c[1] in self.filters.expand]
        others = [c for c in candidates if c[1] not in self.filters.expand]
        room = self.filters.limit - 1 - len(expanded)
        kept_count = len(others)
        if 1 + len(candidates) > self.filters.limit:
            kept_count = max(0, room)
            while kept_count > 0 and kept_count + len({c[1] for c in others[kept_count:]}) > room:
                kept_count -= 1
        kept = {c[0] for c in expanded} | {c[0] for c in others[:kept_count]}
        grouped: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for candidate in others[kept_count:]:
            grouped[candidate[1]].append(candidate)
        group_of: dict[str, str] = {}
        groups: list[dict[str, Any]] = []
        for group_kind, (one, many) in GROUP_KINDS.items():
            members = grouped.get(group_kind, [])
            if not members:
                continue
            once = all(m[2] <= 1 for m in members)
            words = f"{len(members)} more {one if len(members) == 1 else many}"
            if group_kind != "places" and once:
                words += " seen once"
            elif group_kind == "places" and once:
                words += " recorded once"
            group_key = f"group-{group_kind}"
            groups.append({"id": group_key, "kind": group_kind, "label": words, "count": len(members)})
            for member in members:
                group_of[member[0]] = group_key

        def drawn(node_key: str) -> str:
            return node_key if node_key in kept or node_key == key(focus) else group_of[node_key]

        nodes: dict[str, dict[str, Any]] = {}
        head = heads.get(focus)
        nodes[key(focus)] = {
            "id": key(focus),
            "kind": "person",
            "label": head.name if head else "Unknown person",
            "subject": True,
            "child": self.is_child(focus),
            "hop": 0,
            "href": f"/people/{focus}/",
        }
        rows: list[PersonRow] = []
        for individual in order:
            node_key = key(individual)
            child = self.is_child(individual)
            openable = individual in reader.openable
            h = heads.get(individual)
            name = (h.name if h else "Unknown person") if openable else NO_ACCESS_NAME
            flagged = [f for link in by_person[individual] for f in link.flags()]
            if node_key in kept:
                node: dict[str, Any] = {
                    "id": node_key,
                    "kind": "person",
                    "label": name,
                    "subject": False,
                    "child": child,
                    "hop": reader.hop_of[individual],
                    "flagged": any("relationship with a child" in f for f in flagged),
                }
                if openable:
                    node["href"] = f"/people/{individual}/"
                else:
                    node["hidden"] = True
                nodes[node_key] = node
            how = []
            for found in by_person[individual]:
                other = found.b if found.a == individual else found.a
                if reader.hop_of.get(other, 99) >= reader.hop_of[individual] and other != focus:
                    continue
                if other == focus:
                    how.append(found.words())
                else:
                    oh = heads.get(other)
                    through = (oh.name if oh else "Unknown person") if other in reader.openable else NO_ACCESS_NAME
                    how.append(f"through {through}: {found.words()}")
            rows.append(
                PersonRow(
                    key=node_key,
                    individual_id=individual if openable else None,
                    name=name,
                    hop=reader.hop_of[individual],
                    age_group="" if child is None else ("child" if child else "adult"),
                    age=self.ages.get(individual) if openable else None,
                    how=how,
                    flags=list(dict.fromkeys(flagged)),
                    drawn_as="shown" if node_key in kept else self._group_label(groups, group_of[node_key]),
                    score=score[individual],
                )
            )
        place_rows = []
        for loc in place_order:
            node_key = f"loc-{loc}"
            words = location_label(locations.get(loc))
            if node_key in kept:
                nodes[node_key] = {"id": node_key, "kind": "place", "label": words, "times": self.places[loc]}
            place_rows.append(
                PlaceRow(
                    node_key,
                    words,
                    self.places[loc],
                    "shown" if node_key in kept else self._group_label(groups, group_of[node_key]),
                )
            )
        for group in groups:
            nodes[group["id"]] = {"id": group["id"], "kind": "group", "label": group["label"], "count": group["count"]}
        edges = self._edges(key, drawn, place_order)
        return FocusNetwork(
            focus=focus,
            filters=self.filters,
            nodes=list(nodes.values()),
            edges=edges,
            people=rows,
            places=place_rows,
            groups=groups,
            events_read=len(reader.events),
            events_capped=reader.capped,
        )

    @staticmethod
    def _group_label(groups: list[dict[str, Any]], group_key: str) -> str:
        return next(g["label"] for g in groups if g["id"] == group_key)

    def _edges(
        self, key: Callable[[int], str], drawn: Callable[[str], str], place_order: list[int]
    ) -> list[dict[str, Any]]:
        edges: dict[str, dict[str, Any]] = {}
        for found in sorted(self.links.values(), key=lambda f: (-_score(f), f.a, f.b)):
            source, target = drawn(key(found.a)), drawn(key(found.b))
            if source == target:
                continue
            if source.startswith("group-") or target.startswith("group-"):
                edge_id = f"{source}~{target}"
                edge = edges.setdefault(
                    edge_id,
                    {"id": edge_id, "source": source, "target": target, "kind": "group", "label": "", "links": 0},
                )
                edge["links"] += 1
                edge["label"] = f"{edge['links']} links"
                edge["co_location"] = edge.get("co_location", False) or found.co_location
                edge["adult_child"] = edge.get("adult_child", False) or found.adult_child
                continue
            edge_id = f"{source}~{target}"
            words = [_REL_WORDS.get(t, (t.replace("_", " "),))[0] for t in found.rel_types]
            if found.together:
                words.append(f"{found.together}x together")
            edges[edge_id] = {
                "id": edge_id,
                "source": source,
                "target": target,
                "kind": "relationship" if found.rel_types else "together",
                "label": ", ".join(words),
                "rel_types": list(found.rel_types),
                "together": found.together,
                "co_location": found.co_location,
                "adult_child": found.adult_child,
                "intimate_adult_child": found.intimate_adult_child,
            }
        focus_key = key(self.reader.focus)
        for loc in place_order:
            target = drawn(f"loc-{loc}")
            edge_id = f"{focus_key}~{target}"
            edge = edges.setdefault(
                edge_id,
                {"id": edge_id, "source": focus_key, "target": target, "kind": "place", "label": "", "times": 0},
            )
            edge["times"] += self.places[loc]
            edge["label"] = f"{edge['times']}x"
        return list(edges.values())
