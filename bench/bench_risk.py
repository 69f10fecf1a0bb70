"""Risk engine speed: full evaluation of a county, and import-to-finding latency.

1. Generates a synthetic county (`--children`, default 10,000), imports it and links it
   (linkage evaluates the individuals it creates, so findings exist); or, with `--bulk`,
   builds it straight through the ORM as `bench_web.py` does (invented children known to one
   to three systems, linked by construction: the county-sized run, 150,000 children, about
   1.7 million records and 1.8 million participations, takes about 10 minutes to build on
   PostgreSQL where generating, importing and linking would take hours). A `--bulk` database
   is kept and reused by the next run with the same URL (SQLite: under `--work`). Then times
   `evaluate_all` two ways, each with 1 and with 2 processes (`--workers`):
   - *first*: no stored findings (every finding is raised and its task made, as on the
     first evaluation of a new county or a new force);
   - *again*: nothing changed since (every finding is compared and left as it is);
   On PostgreSQL the tables are analysed first (timed once before, as a bulk load leaves no
   statistics until autovacuum runs).
   Prints the time, records per second (records = every stored record plus participations)
   and, for a county smaller than 1.5 million records, the extrapolation to that size (the
   county-sized target: under 5 minutes).
2. Imports one new missing report at a time for a random child (a low grade with a
   blaming rationale, so findings M1 and LANG follow) through `import_files`, which sends
   `records_changed`; with the immediate task backend the risk receiver evaluates the child
   and its neighbours before the import returns. Prints the median and p95 time from the
   start of the import to the finding being readable (target: median under 1 second).

3. With --history: evaluates every individual as of the county's end (nothing stored), sends
   the whole county again as recorded on 2026-11-01 (every record updated, every replaced
   version kept), then evaluates as of the county's end again (now every record is read from
   its kept version) and as of now (the history is not read). Prints each time.

Prints the load average before and after each figure: a figure taken with the load above
the machine's cores is not worth keeping.

    python bench/bench_risk.py --children 10000 --samples 30
    SAFETYNET_TEST_DATABASE_URL=postgres://... python bench/bench_risk.py   # on PostgreSQL
    createdb bench_risk15 && SAFETYNET_TEST_DATABASE_URL=postgres://.../bench_risk15 \
      python bench/bench_risk.py --bulk --children 150000                 # county-sized
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--samples", type=int, default=30, help="single-event imports timed")
    parser.add_argument("--work", type=Path, default=Path("/tmp/safetynet-bench-risk"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="process counts to time")
    parser.add_argument(
        "--bulk", action="store_true", help="build the county through the ORM as bench_web.py does, and keep it"
    )
    parser.add_argument("--build-only", action="store_true", help="with --bulk: build the county, then stop")
    parser.add_argument("--history", action="store_true", help="also time evaluation as of a past time (part 3)")
    args = parser.parse_args()
    if args.history and args.bulk:
        parser.error("--history sends the generated county again: not with --bulk")

    args.work.mkdir(parents=True, exist_ok=True)
    os.environ["SAFETYNET_DATA_DIR"] = str(args.work / f"data-{'bulk-' if args.bulk else ''}{args.children}")
    # Test settings: the immediate task backend, so the latency measured is the evaluation
    # itself rather than a worker's polling interval (SQLite, or SAFETYNET_TEST_DATABASE_URL).
    os.environ["DJANGO_SETTINGS_MODULE"] = "safetynet.settings.test"
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    db_file = Path(os.environ["SAFETYNET_DATA_DIR"]) / "test.sqlite3"
    for suffix in ("", "-wal", "-shm") if not args.bulk else ():
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)

    from safetynet.identity.batch import link_all
    from safetynet.identity.models import Individual, Membership
    from safetynet.interchange.importer import import_files
    from safetynet.records import models as rm
    from safetynet.risk.models import Finding
    from safetynet.risk.services import evaluate_all
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    print(f"database: {connection.vendor}; load {_load()}", flush=True)
    if args.bulk:
        from bench_web import build

        build(args.children, args.seed)  # skips when the database holds the county already
    else:
        county = args.work / f"county-{args.children}-{args.seed}.jsonl"
        truth = args.work / f"county-{args.children}-{args.seed}.truth.json"
        if not county.exists():
            generate(make_config(children=args.children, years=3, seed=args.seed), county, truth)
        started = time.perf_counter()
        result = import_files([county], notify=False)
        print(
            f"import: {sum(sum(c.values()) for c in result.counts.values()):,} lines "
            f"in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        link_all()
        print(f"link: {time.perf_counter() - started:.1f} s")

    stored = sum(m.objects.count() for m in rm.MODELS_BY_KIND.values())
    participations = rm.Participation.objects.count()
    records = stored + participations
    individuals = Individual.objects.filter(retired_at__isnull=True).count()
    print(
        f"county: {individuals:,} individuals, {records:,} records "
        f"({stored:,} stored records + {participations:,} participations)",
        flush=True,
    )
    if args.build_only:
        return 0
    if connection.vendor == "postgresql" and not args.bulk:  # the bulk build analyses its tables
        # Right after a bulk load PostgreSQL has no statistics for the new rows until autovacuum
        # analyses the tables; the first figure shows the evaluation before that.
        before = _load()
        started = time.perf_counter()
        evaluate_all()
        print(
            f"full evaluation before ANALYZE: {records / (time.perf_counter() - started):,.0f} records/s; load {before}"
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
    best = 0.0
    small = records < 1_500_000  # smaller than the target's county: the time for 1.5 million is extrapolated
    for workers in args.workers:
        for label in ("first", "again"):
            if label == "first":
                from safetynet.work.models import Task

                Task.objects.all().delete()
                Finding.objects.all().delete()
            before = _load()
            started = time.perf_counter()
            report = evaluate_all(workers=workers)
            took = time.perf_counter() - started
            rate = records / took
            best = max(best, rate)
            print(
                f"full evaluation ({label}, {workers} process{'es' if workers > 1 else ''}): {took:.1f} s "
                f"= {took / 60:.1f} min = {rate:,.0f} records/s"
                + (f" -> 1,500,000 records in {1_500_000 / rate / 60:.1f} min (extrapolated)" if small else "")
                + f"; {len(report.opened):,} raised, {len(report.updated):,} updated, {len(report.closed):,} closed; "
                f"load {before} -> {_load()}",
                flush=True,
            )
    if best:
        print(
            f"best: {best:,.0f} records/s, {records:,} records in {records / best / 60:.1f} min"
            + (f", 1,500,000 records in {1_500_000 / best / 60:.1f} min (extrapolated)" if small else "")
            + " (target: 1,500,000 records in under 5 min)"
        )

    # The systems' people the new missing reports are about: the generator's missing persons
    # system, or the bulk county's records from it (its source is "bench" for every system).
    source = "bench" if args.bulk else "mispers"
    people = Membership.objects.filter(person__source=source)
    if args.bulk:
        people = people.filter(person__source_id__startswith="mispers-")
    children = list(people.values_list("person__source_id", "individual_id")) if args.samples else []
    run = int(time.time())  # a kept database has the last run's reports: new ids every run
    rng = random.Random(args.seed)
    latencies = []
    line_file = args.work / "one.jsonl"
    for n in range(args.samples):
        source_id, individual = rng.choice(children)
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
        line = {
            "kind": "event",
            "source": source,
            "id": f"BENCH{run}-{n:05d}",
            "recorded_at": at.isoformat(),
            "event_type": "missing_report",
            "occurred_at": at.isoformat(),
            "reported_at": at.isoformat(),
            "summary": "Reported missing from home.",
            "participants": [{"person": {"source": source, "id": source_id}, "role": "missing_person"}],
            "details": {"initial_risk": "low", "risk_rationale": "She is a regular missing person.", "reviews": []},
        }
        line_file.write_text(json.dumps(line) + "\n")
        started = time.perf_counter()
        import_files([line_file])
        visible = Finding.objects.filter(
            individual_id=individual, clause="M1", cites__icontains=f"BENCH{run}-{n:05d}"
        ).exists()
        latencies.append(time.perf_counter() - started)
        if not visible:  # e.g. the child turned 18 between the county's end and today
            print(f"sample {n}: no M1 finding after the import (not a child today?)")
    if latencies:
        latencies.sort()
        print(f"load {_load()}")
        print(
            f"import one event -> finding visible: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[max(0, math.ceil(len(latencies) * 0.95) - 1)] * 1000:.0f} ms "
            f"over {len(latencies)} imports (target median < 1 s)"
        )
    if args.history:
        _time_history(args.work, county, records)
    return 0


def _time_history(work: Path, county: Path, records: int) -> None:
    """Part 3: evaluation as of the county's end before and after every record has a newer version."""
    from safetynet.identity.models import Individual
    from safetynet.interchange.importer import import_files
    from safetynet.records import models as rm
    from safetynet.risk.services import evaluate_all, evaluate_individuals

    end = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    ids = list(Individual.objects.filter(retired_at__isnull=True).values_list("pk", flat=True))

    def as_of(label: str, at: dt.datetime) -> set[tuple[object, ...]]:
        before = _load()
        started = time.perf_counter()
        found = {
            (a.individual_id, d.clause, d.aspect, d.key, d.reason, d.cites, d.due_by)
            for a in evaluate_individuals(ids, as_of=at)
            for d in a.drafts
        }
        took = time.perf_counter() - started
        print(f"evaluation as of {label}: {took:.1f} s = {records / took:,.0f} records/s; load {before}")
        return found

    first = as_of("the county's end, no versions", end)
    resent = work / "county-resent.jsonl"
    with county.open(encoding="utf-8") as source, resent.open("w", encoding="utf-8") as target:
        for text in source:
            target.write(json.dumps({**json.loads(text), "recorded_at": "2026-11-01T00:00:00+00:00"}) + "\n")
    started = time.perf_counter()
    import_files([resent], notify=False)
    print(
        f"county sent again: {time.perf_counter() - started:.1f} s, "
        f"{rm.RecordVersion.objects.count():,} versions kept; load {_load()}"
    )
    again = as_of("the county's end, every record from its kept version", end)
    print(f"findings as of the county's end: {len(first):,} before, {len(again):,} after, identical: {first == again}")
    before = _load()
    started = time.perf_counter()
    evaluate_all()
    print(f"full evaluation as of now with the history kept: {time.perf_counter() - started:.1f} s; load {before}")


def _load() -> str:
    """The 1-minute load average (the machine has 2 cores; above that, figures are unreliable)."""
    return f"{os.getloadavg()[0]:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
