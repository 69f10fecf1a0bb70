"""The readable network's filter, links, rows and answer (reads/focus_network.py reads it,
reads/focus_network_draw.py draws it): the shapes both share, and how strongly a link counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from safetynet.reads.labels import label
from safetynet.reads.person import _REL_WORDS
from safetynet.records.models import Event, Relationship

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


def link_score(link: Link) -> int:
    return (1000 if (link.intimate_adult_child or link.co_location and link.adult_child) else 0) + (
        10 * len(link.rel_types) + link.together
    )
