"""Drawing the readable network (reads/focus_network.py): people and places ranked closest and
most linked first, at most the filter's `limit` nodes drawn and the rest collapsed into one group
per kind, the table's rows and the edges between what is drawn."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from safetynet.reads.focus_network_model import (
    GROUP_KINDS,
    FocusNetwork,
    Link,
    NetworkFilter,
    PersonRow,
    PlaceRow,
    link_score,
)
from safetynet.reads.network import location_label
from safetynet.reads.person import _REL_WORDS, NO_ACCESS_NAME, headlines_for
from safetynet.records.models import Location


class NetworkRead(Protocol):
    """What the drawing reads of the hops read (reads.focus_network's reader)."""

    focus: int
    openable: set[int]
    hop_of: dict[int, int]
    events: dict[int, tuple[str, dt.datetime | None, int | None]]
    capped: bool


class Drawing:
    def __init__(
        self,
        reader: NetworkRead,
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
        self.by_person: dict[int, list[Link]] = defaultdict(list)
        for found in self.links.values():
            self.by_person[found.a].append(found)
            self.by_person[found.b].append(found)
        self.heads = headlines_for([i for i in people if i in reader.openable], self.today)
        self.score = {i: sum(link_score(f) for f in self.by_person[i]) for i in people}
        order = sorted((i for i in people if i != focus), key=lambda i: (reader.hop_of[i], -self.score[i], i))
        self.hidden_keys: dict[int, str] = {}
        for individual in order:
            if individual not in reader.openable:
                self.hidden_keys[individual] = f"hidden-{len(self.hidden_keys) + 1}"
        place_order = [loc for loc, _n in self.places.most_common()]
        self._choose(order, place_order)
        nodes: dict[str, dict[str, Any]] = {}
        head = self.heads.get(focus)
        nodes[self.key(focus)] = {
            "id": self.key(focus),
            "kind": "person",
            "label": head.name if head else "Unknown person",
            "subject": True,
            "child": self.is_child(focus),
            "hop": 0,
            "href": f"/people/{focus}/",
        }
        rows = [self._person(individual, nodes) for individual in order]
        place_rows = self._place_rows(place_order, nodes)
        for group in self.groups:
            nodes[group["id"]] = {"id": group["id"], "kind": "group", "label": group["label"], "count": group["count"]}
        edges = self._edges(self.key, self.drawn, place_order)
        return FocusNetwork(
            focus=focus,
            filters=self.filters,
            nodes=list(nodes.values()),
            edges=edges,
            people=rows,
            places=place_rows,
            groups=self.groups,
            events_read=len(reader.events),
            events_capped=reader.capped,
        )

    def key(self, individual: int) -> str:
        return self.hidden_keys.get(individual) or f"ind-{individual}"

    def kind(self, individual: int) -> str:
        child = self.is_child(individual)
        return "not_shown" if child is None else ("children" if child else "adults")

    def drawn(self, node_key: str) -> str:
        """The node a person or place is drawn as: its own, or its group's."""
        return node_key if node_key in self.kept or node_key == self.key(self.reader.focus) else self.group_of[node_key]

    def drawn_as(self, node_key: str) -> str:
        return "shown" if node_key in self.kept else self._group_label(self.groups, self.group_of[node_key])

    def _choose(self, order: list[int], place_order: list[int]) -> None:
        """Which people and places are drawn (closest and most linked first, a place counting as
        one hop out with the strength of how often the focus was recorded there, groups the
        filter expands always), and the groups the tail collapses into, one per kind."""
        hop_of = self.reader.hop_of
        ranked = [
            (hop_of[i], -self.score[i], 0, n, (self.key(i), self.kind(i), self.score[i])) for n, i in enumerate(order)
        ]
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
        self.kept = {c[0] for c in expanded} | {c[0] for c in others[:kept_count]}
        grouped: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for candidate in others[kept_count:]:
            grouped[candidate[1]].append(candidate)
        self.group_of: dict[str, str] = {}
        self.groups: list[dict[str, Any]] = []
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
            self.groups.append({"id": group_key, "kind": group_kind, "label": words, "count": len(members)})
            for member in members:
                self.group_of[member[0]] = group_key

    def _person(self, individual: int, nodes: dict[str, dict[str, Any]]) -> PersonRow:
        """The person's row in the table, and their node when drawn."""
        reader = self.reader
        node_key = self.key(individual)
        child = self.is_child(individual)
        openable = individual in reader.openable
        h = self.heads.get(individual)
        name = (h.name if h else "Unknown person") if openable else NO_ACCESS_NAME
        flagged = [f for link in self.by_person[individual] for f in link.flags()]
        if node_key in self.kept:
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
        return PersonRow(
            key=node_key,
            individual_id=individual if openable else None,
            name=name,
            hop=reader.hop_of[individual],
            age_group="" if child is None else ("child" if child else "adult"),
            age=self.ages.get(individual) if openable else None,
            how=self._how(individual),
            flags=list(dict.fromkeys(flagged)),
            drawn_as=self.drawn_as(node_key),
            score=self.score[individual],
        )

    def _how(self, individual: int) -> list[str]:
        """How the person is linked: to the focus, or through someone nearer."""
        reader, focus = self.reader, self.reader.focus
        how = []
        for found in self.by_person[individual]:
            other = found.b if found.a == individual else found.a
            if reader.hop_of.get(other, 99) >= reader.hop_of[individual] and other != focus:
                continue
            if other == focus:
                how.append(found.words())
            else:
                oh = self.heads.get(other)
                through = (oh.name if oh else "Unknown person") if other in reader.openable else NO_ACCESS_NAME
                how.append(f"through {through}: {found.words()}")
        return how

    def _place_rows(self, place_order: list[int], nodes: dict[str, dict[str, Any]]) -> list[PlaceRow]:
        locations = {
            loc.pk: loc
            for loc in Location.objects.filter(pk__in=list(self.places)).only(
                "address_lines", "town", "postcode", "location_type"
            )
        }
        rows = []
        for loc in place_order:
            node_key = f"loc-{loc}"
            words = location_label(locations.get(loc))
            if node_key in self.kept:
                nodes[node_key] = {"id": node_key, "kind": "place", "label": words, "times": self.places[loc]}
            rows.append(PlaceRow(node_key, words, self.places[loc], self.drawn_as(node_key)))
        return rows

    @staticmethod
    def _group_label(groups: list[dict[str, Any]], group_key: str) -> str:
        return next(g["label"] for g in groups if g["id"] == group_key)

    def _edges(
        self, key: Callable[[int], str], drawn: Callable[[str], str], place_order: list[int]
    ) -> list[dict[str, Any]]:
        edges: dict[str, dict[str, Any]] = {}
        for found in sorted(self.links.values(), key=lambda f: (-link_score(f), f.a, f.b)):
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
