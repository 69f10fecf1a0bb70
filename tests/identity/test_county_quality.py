"""Linkage quality on the synthetic county (`--small`), against its truth file.

Runs the batch path's scoring (Splink on DuckDB, the shipped model) and clustering on the
county's person records read straight from the generated file, so it holds whether or not
the county has been imported.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from safetynet.identity.clustering import cluster
from safetynet.identity.evaluation import pairwise_figures
from safetynet.identity.features import Features
from safetynet.identity.linkmodel import load_model
from safetynet.identity.offline import read_county, read_truth
from safetynet.identity.pairs import judge_all, thresholds
from safetynet.identity.training import splink_predict

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Features], dict[int, str]]:
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    directory = tmp_path_factory.mktemp("county")
    out, truth = directory / "county.jsonl", directory / "truth.json"
    generate(make_config(children=2000, years=3, seed=7), out, truth)
    features, refs = read_county(Path(out), TODAY)
    return features, read_truth(Path(truth), refs)


@pytest.fixture(scope="module")
def scored(county: tuple[list[Features], dict[int, str]]) -> list[tuple[int, int, float]]:
    features, _truth = county
    pairs, _ = splink_predict(features, load_model(), threshold=0.01)
    return pairs


def test_small_county_links_with_f1_above_095_and_precision_above_098(
    county: tuple[list[Features], dict[int, str]], scored: list[tuple[int, int, float]]
) -> None:
    features, truth = county
    by_id = {f["unique_id"]: f for f in features}
    limits = thresholds()
    judged = judge_all(scored, by_id, limits)  # what `link_all` does with the scores
    clusters, _best = cluster(by_id.keys(), judged.edges, cannot_link=judged.conflicts)
    figures = pairwise_figures({p: i for i, c in enumerate(clusters) for p in c}, truth)
    assert figures.precision >= 0.98, figures.as_dict()
    assert figures.f1 >= 0.95, figures.as_dict()
    print("\nlinkage figures:", figures.as_dict())


def test_python_scores_equal_splink_scores(
    county: tuple[list[Features], dict[int, str]], scored: list[tuple[int, int, float]]
) -> None:
    features, _truth = county
    by_id = {f["unique_id"]: f for f in features}
    model = load_model()
    sample: list[Any] = random.Random(1).sample(scored, min(3000, len(scored)))
    for a, b, weight in sample:
        assert model.score(by_id[a], by_id[b]).match_weight == pytest.approx(weight, abs=1e-6)


def test_the_index_pairs_exactly_the_records_splink_blocks_together(
    county: tuple[list[Features], dict[int, str]],
) -> None:
    """The incremental matcher (stored keys, looked up by `lookup_keys`) and the batch path
    (Splink's `BLOCKING_RULES`) consider the same candidate pairs, the household rule included."""
    from collections import defaultdict

    from safetynet.identity.features import blocking_keys, lookup_keys
    from safetynet.identity.training import count_candidate_pairs

    features, _truth = county
    stored: dict[str, list[int]] = defaultdict(list)
    for f in features:
        for key in blocking_keys(f):
            stored[key].append(f["unique_id"])
    pairs = {
        (min(f["unique_id"], other), max(f["unique_id"], other))
        for f in features
        for key in lookup_keys(f)
        for other in stored.get(key, [])
        if other != f["unique_id"]
    }
    splink_pairs = count_candidate_pairs(features)[-1]["cumulative_comparison_count"]
    assert len(pairs) == splink_pairs
