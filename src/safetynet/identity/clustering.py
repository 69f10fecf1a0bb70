"""Constrained clustering: records joined by their strongest links, never across a pair decided
(or judged by an identifier conflict) not to be the same person."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, KeysView, Sequence
from operator import itemgetter

from safetynet.identity.pairs import Pair
from safetynet.lib.collector import cycle_collection_paused

# --- constrained clustering ------------------------------------------------------------------


def cluster(
    nodes: Iterable[int],
    edges: Sequence[tuple[int, int, float]],
    *,
    must_link: Iterable[Pair] = (),
    cannot_link: Iterable[Pair] = (),
) -> tuple[list[set[int]], dict[int, float]]:
    """Cluster records: must-link pairs first, then edges by descending weight, never
    joining two groups if that would put a cannot-link pair in one cluster.

    Returns the clusters (every node once, a node with no accepted edge alone, in the order of
    each cluster's first node) and, for each record, the weight of the strongest accepted edge
    that touches it (infinity for a must-link). Only records that some edge or must-link
    touches enter the union-find: in a county most records have no candidate above the link
    threshold, and building a group for each of them cost more than the joins themselves.
    """
    with cycle_collection_paused():  # a set per record and a dict entry per join, no cycles
        return _cluster(nodes, edges, must_link, cannot_link)


def _cluster(
    nodes: Iterable[int],
    edges: Sequence[tuple[int, int, float]],
    must_link: Iterable[Pair],
    cannot_link: Iterable[Pair],
) -> tuple[list[set[int]], dict[int, float]]:
    known = nodes if isinstance(nodes, (set, frozenset, KeysView)) else dict.fromkeys(nodes).keys()
    parent: dict[int, int] = {}  # only records some join touched; absent = a root of its own
    size: dict[int, int] = {}  # root -> members, for roots of two or more
    forbidden: dict[int, set[int]] = defaultdict(set)  # root -> persons it must not contain
    for a, b in cannot_link:
        if a in known and b in known:
            forbidden[a].add(b)
            forbidden[b].add(a)
    best: dict[int, float] = {}

    def find(x: int) -> int:
        root = parent.get(x, x)
        if root == x:
            return x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(a: int, b: int, weight: float) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if forbidden and forbidden.get(ra) and any(find(x) == rb for x in forbidden[ra]):
                return
            size_a, size_b = size.get(ra, 1), size.get(rb, 1)
            if size_a < size_b:
                ra, rb = rb, ra
            parent[rb] = ra
            if ra not in parent:
                parent[ra] = ra
            size[ra] = size_a + size_b
            if rb in forbidden:
                forbidden[ra] |= forbidden.pop(rb)
        if weight > best.get(a, -math.inf):
            best[a] = weight
        if weight > best.get(b, -math.inf):
            best[b] = weight

    for a, b in must_link:
        if a in known and b in known:
            union(a, b, math.inf)
    for a, b, weight in sorted(edges, key=itemgetter(2), reverse=True):
        if a in known and b in known:
            union(a, b, weight)
    # In the order of each cluster's first record in `nodes` (stable ids prefer that order on ties).
    groups: dict[int, set[int]] = {}
    clusters: list[set[int]] = []
    for n in known:
        if n not in parent:
            clusters.append({n})
            continue
        root = find(n)
        group = groups.get(root)
        if group is None:
            group = groups[root] = set()
            clusters.append(group)
        group.add(n)
    return clusters, best
