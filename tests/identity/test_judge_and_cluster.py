"""Batch linkage in memory: judging scored pairs, and constrained clustering (strongest links
first, never through a "not the same person" pair)."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from safetynet.identity.clustering import cluster
from safetynet.identity.features import IDENTIFIER_FIELDS, Features
from safetynet.identity.linkmodel import load_model, probability_from_weight
from safetynet.identity.models import ReviewPair
from safetynet.identity.pairs import Judged, Pair, judge, judge_all, thresholds
from safetynet.identity.training import splink_predict_with_facts
from tests.identity.population import features_of, generate


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


def _awkward_population() -> dict[int, Features]:
    """Invented records, some with initials only or no name (also as empty text), and some
    sharing an identifier with someone of the other sex born 45 years earlier."""
    rng = random.Random(4)
    features = {f["unique_id"]: f for f in features_of(generate(200, seed=5), dt.date(2026, 3, 2))}
    ids = sorted(features)
    for pid in rng.sample(ids, 60):
        blank = "" if pid % 3 == 0 else None
        features[pid] = {**features[pid], "given": blank} if pid % 2 else {**features[pid], "family": blank}
    for pid in rng.sample(ids, 20):
        twin = max(features) + 1
        f = features[pid]
        features[twin] = {
            **f,
            "unique_id": twin,
            "sex": "female" if f["sex"] == "male" else "male",
            "dob_y": (f["dob_y"] or 2010) - 45,
            "nhs": f["nhs"] or "9434765919",
        }
        features[pid] = {**f, "nhs": features[twin]["nhs"]}
    return features


def _one_by_one(scored: list[tuple[int, int, float]], features: dict[int, Features], decided: set[Pair]) -> Judged:
    expected = Judged()
    for a, b, weight in scored:
        if (a, b) in decided:
            continue
        verdict = judge(features[a], features[b], probability_from_weight(weight), thresholds())
        if verdict.link:
            expected.edges.append((a, b, weight))
        elif verdict.review_reason:
            expected.review.append(((a, b), verdict.review_reason, verdict.detail, weight))
    return expected


def test_judging_a_batch_gives_each_pair_the_verdict_judge_gives_it() -> None:
    """`judge_all` takes a short cut for pairs that share no identifier; it must never
    disagree with `judge`, including on initials-only records and identifier conflicts."""
    rng = random.Random(5)
    features = _awkward_population()
    ids = sorted(features)
    sharing = [
        (a, b)
        for a, b in itertools.combinations(ids, 2)
        if any(features[a][k] and features[a][k] == features[b][k] for k in IDENTIFIER_FIELDS)  # type: ignore[literal-required]
    ]
    pairs = sharing + [tuple(sorted(rng.sample(ids, 2))) for _ in range(20_000)]
    scored = [(a, b, rng.uniform(-4.0, 12.0)) for a, b in pairs]
    decided = {pairs[0], pairs[-1]}

    judged = judge_all(scored, features, thresholds(), decided=decided)

    expected = _one_by_one(scored, features, decided)
    assert judged.edges == expected.edges
    assert judged.review == expected.review
    reasons = {reason for _pair, reason, _detail, _weight in judged.review}
    assert reasons == {
        ReviewPair.Reason.UNCERTAIN,
        ReviewPair.Reason.WEAK_EVIDENCE,
        ReviewPair.Reason.IDENTIFIER_CONFLICT,
    }
    assert judged.conflicts == {
        p for p, reason, _d, _w in judged.review if reason == ReviewPair.Reason.IDENTIFIER_CONFLICT
    }


def test_pair_facts_read_in_duckdb_give_the_verdicts_judge_gives() -> None:
    """Batch linkage reads "shares an identifier" and "both named" in DuckDB beside Splink's
    scores; the verdicts must be those `judge` gives reading the records in Python."""
    features = _awkward_population()
    scored, facts = splink_predict_with_facts(list(features.values()), load_model(), threshold=0.01)
    assert [w for _a, _b, w in scored] == sorted((w for _a, _b, w in scored), reverse=True)

    judged = judge_all(scored, features, thresholds(), facts=facts)

    expected = _one_by_one(scored, features, set())
    assert judged.edges == expected.edges
    assert judged.review == expected.review
    assert {reason for _pair, reason, _detail, _weight in judged.review} == {
        ReviewPair.Reason.UNCERTAIN,
        ReviewPair.Reason.WEAK_EVIDENCE,
        ReviewPair.Reason.IDENTIFIER_CONFLICT,
    }


def test_clustering_leaves_the_garbage_collector_as_it_found_it() -> None:
    gc.disable()
    try:
        cluster([1, 2], [(1, 2, 5.0)])
        assert not gc.isenabled()
    finally:
        gc.enable()
    cluster([1, 2], [(1, 2, 5.0)])
    judge_all([], {}, thresholds())
    assert gc.isenabled()
