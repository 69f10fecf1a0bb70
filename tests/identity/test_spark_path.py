"""The path beyond one machine: Splink's Spark backend links exactly what DuckDB links."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from safetynet.identity.clustering import cluster
from safetynet.identity.features import Features
from safetynet.identity.linkmodel import load_model
from safetynet.identity.pairs import thresholds
from safetynet.identity.training import local_spark, spark_predict, splink_predict
from tests.identity.population import features_of, generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("no Java on this machine: Splink's Spark backend needs Java 17")
    session = local_spark(memory="1g")
    yield session
    session.stop()


def _features() -> list[Features]:
    """Invented households with typos, nicknames, swapped dates and shared identifiers;
    seed 21 holds the pair (aielia~aelia) that Splink's own Spark Jaro-Winkler scored apart."""
    return features_of(generate(300, seed=21), dt.date(2026, 3, 2))


def test_spark_scores_every_pair_as_duckdb_does_and_links_the_same_individuals(spark: Any) -> None:
    features, model = _features(), load_model()
    for threshold in (thresholds()["review"], thresholds()["link"]):
        duck = {(a, b): w for a, b, w in splink_predict(features, model, threshold)[0]}
        sparked = {(a, b): w for a, b, w in spark_predict(features, model, threshold, spark)}
        assert sparked.keys() == duck.keys(), f"pairs differ at p >= {threshold}"
        assert max(abs(duck[p] - sparked[p]) for p in duck) < 1e-6
    ids = [f["unique_id"] for f in features]
    duck_clusters, _ = cluster(ids, [(a, b, w) for (a, b), w in duck.items()])
    spark_clusters, _ = cluster(ids, [(a, b, w) for (a, b), w in sparked.items()])
    assert sorted(map(sorted, duck_clusters)) == sorted(map(sorted, spark_clusters))
    assert any(len(c) > 1 for c in duck_clusters)
