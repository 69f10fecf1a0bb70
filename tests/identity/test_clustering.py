"""Constrained clustering: strongest links first, never through a "not the same person" pair."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from safetynet.identity.linking import cluster


def test_a_chain_is_cut_where_it_would_join_a_forbidden_pair() -> None:
    # 1~2 strongly, 2~3 weakly; 1 and 3 are "not the same person": 3 stays alone.
    clusters, best = cluster([1, 2, 3], [(2, 3, 4.0), (1, 2, 9.0)], cannot_link=[(1, 3)])

    assert clusters == [{1, 2}, {3}]
    assert best == {1: 9.0, 2: 9.0}


def test_records_without_a_link_come_back_alone_in_the_order_given() -> None:
    clusters, _ = cluster([7, 3, 5, 1], [(5, 1, 2.0), (5, 99, 8.0)])  # 99 is not a node: ignored

    assert clusters == [{7}, {3}, {1, 5}]


def test_a_same_person_decision_joins_records_with_no_scored_link() -> None:
    clusters, best = cluster([1, 2, 3], [], must_link=[(1, 3)])

    assert clusters == [{1, 3}, {2}]
    assert best == {1: math.inf, 3: math.inf}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), ids=st.lists(st.integers(0, 30), min_size=2, max_size=25, unique=True))
def test_clusters_are_a_partition_joined_by_links_and_free_of_forbidden_pairs(
    data: st.DataObject, ids: list[int]
) -> None:
    node = st.sampled_from(ids)
    pair = st.tuples(node, node).filter(lambda p: p[0] != p[1])
    edges = data.draw(st.lists(st.tuples(node, node, st.floats(0, 20)).filter(lambda e: e[0] != e[1]), max_size=40))
    cannot = data.draw(st.lists(pair, max_size=6))
    # A forbidden pair can't also be a decided same-person pair: draw must-links elsewhere.
    must = [p for p in data.draw(st.lists(pair, max_size=3)) if p not in cannot and p[::-1] not in cannot]

    clusters, best = cluster(ids, edges, must_link=must, cannot_link=cannot)

    home = {n: i for i, members in enumerate(clusters) for n in members}
    assert sorted(home) == sorted(ids) and sum(map(len, clusters)) == len(ids)  # each record exactly once
    assert [min(ids.index(n) for n in c) for c in clusters] == sorted(min(ids.index(n) for n in c) for c in clusters)
    for a, b in cannot:
        assert home[a] != home[b]
    accepted = [(a, b) for a, b, _ in edges if home[a] == home[b]] + [p for p in must if home[p[0]] == home[p[1]]]
    for members in clusters:  # every cluster is connected by links it accepted
        reached, frontier = set(), [next(iter(members))]
        while frontier:
            n = frontier.pop()
            reached.add(n)
            frontier += [b if a == n else a for a, b in accepted if n in (a, b) and (b if a == n else a) not in reached]
        assert reached == members
    for a, b, _ in edges:  # a link left unused would have joined a forbidden pair
        if home[a] != home[b]:
            joined = clusters[home[a]] | clusters[home[b]]
            assert any(x in joined and y in joined for x, y in cannot)
    for n, weight in best.items():
        assert weight == max([w for a, b, w in edges if n in (a, b) and home[a] == home[b]] + [-math.inf]) or (
            weight == math.inf
        )
