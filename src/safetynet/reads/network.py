"""The person page's network graph: the people, events and places around an individual, as
nodes and edges for Cytoscape.js.

People are individuals (not source records). Recent events link to everyone present and to
where they happened; relationships are association edges; people present together at two or
more events get a direct co-location edge, since repeated co-presence is the pattern that
matters in exploitation. A person the viewer may not open is a node labelled NO_ACCESS_NAME
with a key numbered within this answer ("hidden-1"), no link and no id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from safetynet.identity.memberships import individual_of_people
from safetynet.identity.models import Individual
from safetynet.reads.labels import label
from safetynet.reads.person import NO_ACCESS_NAME, Headline, MayOpen, headlines_for
from safetynet.records.models import Event, Location, Participation, Relationship

NETWORK_EVENT_LIMIT = 40

# (event id, person id, role) of each participation in the events shown.
Part = tuple[int, int, str]
# (relationship id, person a id, person b id, relationship type).
Rel = tuple[int, int | None, int | None, str]


def location_label(location: Location | None) -> str:
    if location is None:
        return ""
    lines = [str(line) for line in (location.address_lines or [])[:2]]
    parts = [*lines, location.town, location.postcode]
    return ", ".join(p for p in parts if p) or label(location.location_type) or "Place"


def _recent_events(
    person_ids: list[int], restrict: Callable[[QuerySet[Event]], QuerySet[Event]] | None
) -> tuple[list[Event], list[Part]]:
    """The most recent events (at most NETWORK_EVENT_LIMIT) that connect the person to someone
    or somewhere, and who took part in them."""
    candidates = Event.live.filter(participations__person_id__in=person_ids)
    if restrict is not None:
        candidates = restrict(candidates)
    recent = list(candidates.distinct().select_related("location").order_by("-occurred_at")[: NETWORK_EVENT_LIMIT * 3])
    parts: list[Part] = list(
        Participation.objects.filter(event_id__in=[e.pk for e in recent], person__deleted=False).values_list(
            "event_id", "person_id", "role"
        )
    )
    # An event with nobody else and nowhere recorded adds nothing to a network (the
    # chronology lists it), so only events that connect the person to someone or somewhere stay.
    own = set(person_ids)
    with_others = {e for e, p, _r in parts if p not in own}
    recent = [e for e in recent if e.pk in with_others or e.location_id][:NETWORK_EVENT_LIMIT]
    kept = {e.pk for e in recent}
    return recent, [(e, p, r) for e, p, r in parts if e in kept]


class _Graph:
    """Nodes and edges in the order they are first met (the answer keeps that order)."""

    def __init__(self, subject: int, openable: set[int], heads: dict[int, Headline]) -> None:
        self.subject = subject
        self.openable = openable
        self.heads = heads
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.hidden_keys: dict[int, str] = {}

    def node_key(self, individual_id: int) -> str:
        if individual_id in self.openable:
            return f"ind-{individual_id}"
        return self.hidden_keys.setdefault(individual_id, f"hidden-{len(self.hidden_keys) + 1}")

    def person_node(self, individual_id: int) -> str:
        key = self.node_key(individual_id)
        if key not in self.nodes:
            if individual_id not in self.openable:
                self.nodes[key] = {
                    "id": key,
                    "kind": "person",
                    "label": NO_ACCESS_NAME,
                    "subject": False,
                    "hidden": True,
                }
                return key
            head = self.heads.get(individual_id)
            self.nodes[key] = {
                "id": key,
                "kind": "person",
                "label": head.name if head else "Unknown person",
                "subject": individual_id == self.subject,
                "href": f"/people/{individual_id}/",
            }
        return key

    def add_event(self, event: Event) -> None:
        event_key = f"ev-{event.pk}"
        when = event.occurred_at.date().isoformat() if event.occurred_at else "date unknown"
        self.nodes[event_key] = {
            "id": event_key,
            "kind": "event",
            "label": f"{label(event.event_type)} {when}",
            "href": f"/events/{event.pk}/",
        }
        if event.location_id:
            place_key = f"loc-{event.location_id}"
            self.nodes.setdefault(
                place_key, {"id": place_key, "kind": "place", "label": location_label(event.location)}
            )
            self.edges[f"{event_key}-{place_key}"] = {
                "id": f"{event_key}-{place_key}",
                "source": event_key,
                "target": place_key,
                "kind": "place",
                "label": "",
            }

    def add_participations(self, parts: list[Part], individual_of: dict[int, int]) -> None:
        """An edge from each person to each event they took part in, then a co-location edge
        to each person present with the subject at two or more of them."""
        together: dict[int, set[int]] = defaultdict(set)
        for event_id, person_id, role in parts:
            other = individual_of.get(person_id)
            if other is None:
                continue
            key = self.person_node(other)
            edge_id = f"ev-{event_id}-{key}"
            self.edges[edge_id] = {
                "id": edge_id,
                "source": key,
                "target": f"ev-{event_id}",
                "kind": "co_location" if role == Participation.Role.CO_LOCATED else "participation",
                "label": "",
                "role": label(role),
            }
            together[other].add(event_id)
        subject_key = f"ind-{self.subject}"
        subject_events = together.get(self.subject, set())
        for other, events in together.items():
            shared = len(events & subject_events)
            if other != self.subject and shared >= 2:
                edge_id = f"co-{subject_key}-{self.node_key(other)}"
                self.edges[edge_id] = {
                    "id": edge_id,
                    "source": subject_key,
                    "target": self.node_key(other),
                    "kind": "co_location",
                    "label": f"together {shared} times",
                }

    def add_relationships(self, rels: list[Rel], individual_of: dict[int, int]) -> None:
        for pk, a, b, rel_type in rels:
            ia, ib = individual_of.get(a) if a else None, individual_of.get(b) if b else None
            if ia is None or ib is None or ia == ib:
                continue
            edge_id = f"rel-{pk}"
            self.edges[edge_id] = {
                "id": edge_id,
                "source": self.person_node(ia),
                "target": self.person_node(ib),
                "kind": "association",
                "label": rel_type.replace("_", " "),
            }


def network(
    individual: Individual,
    person_ids: list[int],
    today: dt.date,
    *,
    may_open: MayOpen,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges around the individual for Cytoscape.js (see the module's docstring)."""
    recent, parts = _recent_events(person_ids, restrict)
    rels: list[Rel] = list(
        Relationship.live.filter(Q(person_a_id__in=person_ids) | Q(person_b_id__in=person_ids)).values_list(
            "pk", "person_a_id", "person_b_id", "rel_type"
        )
    )
    all_person_ids = {p for _e, p, _r in parts}
    all_person_ids |= {a for _k, a, _b, _t in rels if a} | {b for _k, _a, b, _t in rels if b}
    individual_of = individual_of_people(all_person_ids)
    people = {individual.pk, *individual_of.values()}
    openable = may_open(people) | {individual.pk}
    graph = _Graph(individual.pk, openable, headlines_for(openable, today))
    graph.person_node(individual.pk)
    for event in recent:
        graph.add_event(event)
    graph.add_participations(parts, individual_of)
    graph.add_relationships(rels, individual_of)
    return {"nodes": list(graph.nodes.values()), "edges": list(graph.edges.values())}
