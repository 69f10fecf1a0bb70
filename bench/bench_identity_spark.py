"""The Spark path: the same model and blocking on Splink's Spark backend give the same links
as DuckDB. Run on the invented test population (small; Spark pays only on a cluster).

    PYTHONPATH=src:. .venv/bin/python bench/bench_identity_spark.py [--households 300]

Needs pyspark (the `spark` extra, in the dev lock file) and Java 17; says why and exits 0
when either is missing. `tests/identity/test_spark_path.py` asserts the same. Prints the pairs
each backend links, whether they are identical, the largest weight difference, and both times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument(
        "--threshold", type=float, default=None, help="match probability to compare at (default: the link threshold)"
    )
    args = parser.parse_args()
    if shutil.which("java") is None:
        print("skipped: no Java on this machine (Spark needs Java 17)")
        return 0
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print('skipped: pyspark is not installed (pip install "splink[spark]")')
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.test")
    import django

    django.setup()
    from tests.identity.population import features_of, generate

    from safetynet.identity.linkmodel import load_model
    from safetynet.identity.pairs import thresholds
    from safetynet.identity.training import local_spark, spark_predict, splink_predict

    today = dt.date(2026, 3, 2)
    records = generate(args.households, seed=21)
    features = features_of(records, today)
    model = load_model()
    threshold = args.threshold if args.threshold is not None else thresholds()["link"]

    started = time.perf_counter()
    duck_pairs, _ = splink_predict(features, model, threshold)
    duck_seconds = time.perf_counter() - started

    spark = local_spark()
    started = time.perf_counter()
    spark_pairs = spark_predict(features, model, threshold, spark)
    spark_seconds = time.perf_counter() - started
    spark.stop()

    duck = {(a, b): w for a, b, w in duck_pairs}
    sparked = {(a, b): w for a, b, w in spark_pairs}
    common = duck.keys() & sparked.keys()
    largest = max((abs(duck[p] - sparked[p]) for p in common), default=0.0)
    print(f"records: {len(features):,}")
    print(f"DuckDB: {len(duck):,} pairs at p >= {threshold} in {duck_seconds:.1f} s")
    print(f"Spark:  {len(sparked):,} pairs at p >= {threshold} in {spark_seconds:.1f} s")
    print(
        f"same pairs: {duck.keys() == sparked.keys()}  (only DuckDB {len(duck.keys() - sparked.keys())}, "
        f"only Spark {len(sparked.keys() - duck.keys())}); largest weight difference {largest:.2e}"
    )
    by_id = {f["unique_id"]: f for f in features}
    for a, b in sorted(duck.keys() ^ sparked.keys()):
        score = model.score(by_id[a], by_id[b])
        levels = ", ".join(f"{s.comparison}: {s.level}" for s in score.steps)
        print(f"  differs: {a}-{b} weight {score.match_weight:.2f} ({levels})")
    return 0 if duck.keys() == sparked.keys() and largest < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
