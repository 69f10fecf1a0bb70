"""Identity benchmark: training, batch linkage, quality and incremental matching at scale.

    PYTHONPATH=src .venv/bin/python bench/bench_identity.py --persons 100000
    PYTHONPATH=src .venv/bin/python bench/bench_identity.py --persons 1000000 --no-db-link
    PYTHONPATH=src .venv/bin/python bench/bench_identity.py --persons 2000000 --no-database

On a synthetic county (`safetynet generate`, about 2.8 person records per child) it prints:
generation and feature time, candidate pairs per blocking rule, training time, Splink's own
predict + cluster time, our batch linkage time (Splink predict + decisions/conflict rules +
constrained clustering) and the ratio of the two, pairwise precision / recall / F1 at the
operating threshold, the full database batch run (`link_all`, with writes; skipped with
--no-db-link), and the median / p95 time to link one new record against all existing ones
through the blocking index in the database (--no-database stops after the in-memory figures,
for sizes where loading a database is not the question). Peak memory (max RSS) after each stage.
Uses its own SQLite database under --work (default /tmp/safetynet-bench-identity).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 3, 2)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(label: str, value: str) -> None:
    print(f"{label:<48} {value}   (peak {peak_mb():,.0f} MB)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000, help="approximate person records (default 100k)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/safetynet-bench-identity"))
    parser.add_argument("--no-db-link", action="store_true", help="skip the full database batch run (link_all)")
    parser.add_argument(
        "--no-database", action="store_true", help="stop after the in-memory figures (no database, no incremental)"
    )
    parser.add_argument("--samples", type=int, default=200, help="new records timed for incremental linking")
    parser.add_argument(
        "--pair-sample",
        type=float,
        default=1.0,
        help="count candidate pairs on this share of records (Splink scales the estimate; default 1: exact)",
    )
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    os.environ["SAFETYNET_DATA_DIR"] = str(args.work / f"data-{args.persons}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    db_file = Path(os.environ["SAFETYNET_DATA_DIR"]) / "safetynet.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from safetynet.identity import training
    from safetynet.identity.clustering import cluster
    from safetynet.identity.evaluation import pairwise_figures
    from safetynet.identity.linkmodel import LinkModel, load_model
    from safetynet.identity.offline import read_county, read_truth
    from safetynet.identity.pairs import judge_all, thresholds
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    children = max(100, round(args.persons / 2.8))
    county = args.work / f"county-{children}-{args.seed}.jsonl"
    truth_file = args.work / f"county-{children}-{args.seed}.truth.json"
    started = time.perf_counter()
    if not (county.exists() and truth_file.exists()):
        generate(make_config(children=children, years=1, seed=args.seed), county, truth_file)
    say("generate county", f"{time.perf_counter() - started:.1f} s ({children:,} children)")

    started = time.perf_counter()
    features, refs = read_county(county, TODAY)
    truth = read_truth(truth_file, refs)
    say("features", f"{time.perf_counter() - started:.1f} s for {len(features):,} person records")

    started = time.perf_counter()
    counts = training.count_candidate_pairs(features, sample=args.pair_sample)
    total_pairs = counts[-1]["cumulative_comparison_count"]
    how = "exact" if args.pair_sample >= 1 else f"estimated from {args.pair_sample:.0%} of records"
    say(f"count candidate pairs (Splink, {how})", f"{time.perf_counter() - started:.1f} s")
    for record in counts:
        print(f"    {record['marginal_comparison_count']:>12,}  {record['blocking_rule']}")
    say("candidate pairs", f"{total_pairs:,}")

    started = time.perf_counter()
    document = training.train(features, u_max_pairs=1e7, em_max_pairs=5e6)
    say("train (lambda, u sampling 1e7, EM x2)", f"{time.perf_counter() - started:.1f} s")
    trained = LinkModel(document)
    model = load_model()  # the shipped model: what production uses until a deliberate retrain
    limits = thresholds()

    # Splink's own predict + cluster at the link threshold.
    started = time.perf_counter()
    linker = training.new_linker(training.features_table(features), training.settings_for_dialect(model, "duckdb"))
    predictions = linker.inference.predict(threshold_match_probability=limits["link"], warning_mode="never")
    clusters_df = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=limits["link"]
    )
    clusters_df.as_pyarrow_table()
    splink_seconds = time.perf_counter() - started
    say("Splink predict + cluster", f"{splink_seconds:.1f} s")

    # Ours: Splink scores (down to the review threshold), decisions and conflict rules,
    # constrained clustering in Python.
    started = time.perf_counter()
    scored, facts = training.splink_predict_with_facts(features, model, threshold=limits["review"])
    by_id = {f["unique_id"]: f for f in features}
    judged = judge_all(scored, by_id, limits, facts=facts)
    clusters, _best = cluster(by_id.keys(), judged.edges, cannot_link=judged.conflicts)
    ours_seconds = time.perf_counter() - started
    say("our batch linkage (in memory)", f"{ours_seconds:.1f} s, ratio to Splink {ours_seconds / splink_seconds:.2f}")

    figures = pairwise_figures({p: i for i, c in enumerate(clusters) for p in c}, truth)
    say(
        f"quality, shipped model, p >= {limits['link']}",
        f"precision {figures.precision:.4f} recall {figures.recall:.4f} F1 {figures.f1:.4f}",
    )
    retrained_pairs, _ = training.splink_predict(features, trained, threshold=limits["link"])
    judged2 = judge_all(retrained_pairs, by_id, limits)
    clusters2, _ = cluster(by_id.keys(), judged2.edges, cannot_link=judged2.conflicts)
    figures2 = pairwise_figures({p: i for i, c in enumerate(clusters2) for p in c}, truth)
    say(
        "quality, model trained on this data",
        f"precision {figures2.precision:.4f} recall {figures2.recall:.4f} F1 {figures2.f1:.4f}",
    )

    if args.no_database:
        return 0
    persons = load_persons(county)
    if not args.no_db_link:
        started = time.perf_counter()
        insert_persons(persons)
        say("database: insert person records", f"{time.perf_counter() - started:.1f} s")
        from safetynet.identity.batch import link_all

        started = time.perf_counter()
        report = link_all()
        say(
            "database: full batch link (link_all)",
            f"{time.perf_counter() - started:.1f} s " + json.dumps({k: round(v, 1) for k, v in report.seconds.items()}),
        )
    else:
        started = time.perf_counter()
        insert_persons(persons)
        load_index(features, clusters)
        say("database: persons, index, individuals (bulk)", f"{time.perf_counter() - started:.1f} s")

    timings = incremental(persons, args.samples)
    say(
        f"incremental: link one new record vs {len(features):,}",
        f"median {statistics.median(timings) * 1000:.1f} ms, p95 {percentile(timings, 95) * 1000:.1f} ms",
    )
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def load_persons(county: Path) -> list[dict[str, Any]]:
    postcodes: dict[tuple[str, str], str] = {}
    persons: list[dict[str, Any]] = []
    with county.open(encoding="utf-8") as handle:
        for line in handle:
            if '"location"' in line or '"person"' in line:
                record = json.loads(line)
                if record["kind"] == "location" and record.get("postcode"):
                    postcodes[(record["source"], record["id"])] = record["postcode"]
                elif record["kind"] == "person":
                    home = None
                    for address in record.get("addresses") or []:
                        loc = address.get("location") or {}
                        if address.get("to") is None:
                            home = postcodes.get((loc.get("source"), loc.get("id")))
                    record["_postcode"] = home or ""
                    persons.append(record)
    return persons


def person_row(record: dict[str, Any], source: str | None = None, source_id: str | None = None) -> Any:
    from safetynet.records.models import Person

    ids = record.get("identifiers") or {}
    dob = record.get("date_of_birth") or ""
    return Person(
        source=source or record["source"],
        source_id=source_id or record["id"],
        recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        payload={},
        given_names=record.get("given_names") or "",
        family_name=record.get("family_name") or "",
        other_names=record.get("other_names") or [],
        date_of_birth=dob,
        birth_year=int(dob[:4]) if dob[:4].isdigit() else None,
        sex=record.get("sex") or "",
        identifiers=ids,
        nhs_number=(ids.get("nhs_number") or "")[:10],
        pnc_id=(ids.get("pnc_id") or "")[:20],
        upn=(ids.get("upn") or "")[:13],
        csc_id=(ids.get("csc_id") or "")[:30],
        postcode=record["_postcode"],
    )


def insert_persons(persons: list[dict[str, Any]]) -> None:
    from django.db import transaction

    from safetynet.records.models import Person

    for start in range(0, len(persons), 20_000):
        with transaction.atomic():
            Person.objects.bulk_create([person_row(r) for r in persons[start : start + 20_000]], batch_size=2000)


def load_index(features: list[Any], clusters: list[set[int]]) -> None:
    """Write features, blocking keys and individuals in bulk (the state after a batch run).

    Person pks are 1..N in file order, as `read_county` numbers them (fresh database).
    """
    from django.db import transaction

    from safetynet.identity.blocking import _digest
    from safetynet.identity.features import index_keys
    from safetynet.identity.models import BlockingKey, Individual, LinkFeatures, Membership

    for start in range(0, len(features), 20_000):
        part = features[start : start + 20_000]
        with transaction.atomic():
            LinkFeatures.objects.bulk_create(
                [LinkFeatures(person_id=f["unique_id"], features=dict(f), digest=_digest(f)) for f in part],
                batch_size=2000,
            )
            BlockingKey.objects.bulk_create(
                [BlockingKey(person_id=f["unique_id"], key=k) for f in part for k in index_keys(f)], batch_size=5000
            )
    for start in range(0, len(clusters), 20_000):
        part = clusters[start : start + 20_000]
        with transaction.atomic():
            individuals = Individual.objects.bulk_create([Individual() for _ in part], batch_size=2000)
            Membership.objects.bulk_create(
                [
                    Membership(person_id=p, individual=ind)
                    for ind, members in zip(individuals, part, strict=True)
                    for p in members
                ],
                batch_size=5000,
            )


def incremental(persons: list[dict[str, Any]], samples: int) -> list[float]:
    """Time linking one new record (a copy of an existing person from a new source)."""
    from safetynet.identity.linking import link_persons

    rng = random.Random(1)
    timings = []
    for n, record in enumerate(rng.sample(persons, samples)):
        row = person_row(record, source="newsys", source_id=f"N{n}")
        row.save()
        started = time.perf_counter()
        link_persons([row.pk])
        timings.append(time.perf_counter() - started)
    return timings


if __name__ == "__main__":
    sys.exit(main())
