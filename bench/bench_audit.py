"""Benchmark: what the access log adds to a person-page request (target: under 15%).

Builds a throwaway SQLite database (or uses DATABASE_URL) with invented children, each known
to three systems with a chronology of events and markers, signs a sergeant in, then requests
the real person page (`/people/<id>/`, which loads the individual's records and writes one
hash-chained audit entry in the same request) many times, interleaving runs with the audit
write switched off (record_audit replaced by a no-op) to measure its share.

Run: PYTHONPATH=src .venv/bin/python bench/bench_audit.py [--children 300] [--requests 300]
PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit PYTHONPATH=src ...
(an empty database: `createdb bench_audit` first, drop it afterwards). It prints the medians, the
p95s, the overhead against the 15% target and the load average; figures from a machine with a
1-minute load above 2.5 are flagged as not worth quoting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from typing import Any


def _setup(data_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    os.environ.setdefault("SAFETYNET_DATA_DIR", data_dir)
    os.environ.setdefault("SAFETYNET_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(children: int, events_per_child: int, seed: int) -> list[int]:
    from safetynet.identity.models import Individual, Membership
    from safetynet.records.models import Event, Marker, Participation, Person

    rng = random.Random(seed)
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ids: list[int] = []
    for c in range(children):
        people = [
            Person.objects.create(
                source=src,
                source_id=f"B{c}",
                recorded_at=when,
                payload={},
                given_names=f"Child{c}",
                family_name="Benchperson",
                date_of_birth="2012-01-01",
            )
            for src in ("rms", "csc", "health")
        ]
        individual = Individual.objects.create()
        Membership.objects.bulk_create([Membership(person=p, individual=individual) for p in people])
        events = Event.objects.bulk_create(
            [
                Event(
                    source="rms",
                    source_id=f"E{c}-{e}",
                    recorded_at=when,
                    payload={},
                    summary="Invented summary",
                    event_type=rng.choice(["incident", "missing_report", "intelligence", "referral", "crime"]),
                    occurred_at=when + dt.timedelta(days=rng.randrange(700)),
                    details={"grading": {"handling": rng.choice("PC")}, "text": "invented"},
                )
                for e in range(events_per_child)
            ]
        )
        Participation.objects.bulk_create(
            [Participation(event=ev, person=rng.choice(people), role="subject") for ev in events]
        )
        Marker.objects.create(
            source="rms", source_id=f"M{c}", recorded_at=when, payload={}, person=people[0], marker_type="cse_risk"
        )
        ids.append(individual.pk)
    return ids


def _time(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--events", type=int, default=40, help="events per child")
    parser.add_argument("--requests", type=int, default=300, help="requests per variant")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    _setup(tempfile.mkdtemp(prefix="bench-audit-"))

    from unittest import mock

    from django.test import Client

    from safetynet.accounts.services import create_user_with_role
    from safetynet.audit.models import AuditEntry

    load_before = os.getloadavg()
    started = time.perf_counter()
    ids = _build(args.children, args.events, args.seed)
    user = create_user_with_role(
        acting_user=None, username="bench.sergeant", password="bench-password-x", role="sergeant", check_password=False
    )
    print(f"built {len(ids)} children x 3 records, {args.events} events each in {time.perf_counter() - started:.1f}s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    rng = random.Random(args.seed)
    for pk in ids[:20]:  # warm up caches and the connection
        _time(client, f"/people/{pk}/")
    with_audit: list[float] = []
    without: list[float] = []
    noop = mock.patch("safetynet.reads.access.record_audit", lambda **kwargs: None)
    for _ in range(args.requests):
        pk = rng.choice(ids)
        # Interleave the variants so drift (cache, other load) affects both alike.
        with_audit.append(_time(client, f"/people/{pk}/"))
        with noop:
            without.append(_time(client, f"/people/{pk}/"))

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(len(xs) * 0.95) - 1]

    med_a, med_b = statistics.median(with_audit), statistics.median(without)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"person page, {args.requests} requests each, database {database}")
    print(f"  with audit entry:    median {med_a * 1000:7.2f} ms   p95 {p95(with_audit) * 1000:7.2f} ms")
    print(f"  without audit entry: median {med_b * 1000:7.2f} ms   p95 {p95(without) * 1000:7.2f} ms")
    print(f"  overhead: {(med_a / med_b - 1) * 100:+.1f}% (median), target < 15%")
    print(f"  audit entries written: {AuditEntry.objects.count()}")
    load_after = os.getloadavg()
    loads = " / ".join(f"{a:.2f}" for a in (*load_before[:1], *load_after))
    print(f"  load average: {loads} (1-min before; 1, 5, 15-min after)")
    if max(load_before[0], load_after[0]) > 2.5:
        print("  WARNING: the machine was loaded (1-min load above 2.5): these figures are not worth quoting")


if __name__ == "__main__":
    main()
