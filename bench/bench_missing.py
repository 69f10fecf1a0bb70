"""Benchmark: the missing workspace's report form, with the child's history, for a child with 150+
missing episodes on the 150k-child county (PostgreSQL). Target: p95 under 300 ms.

Uses a copy of the lead's `bench_county` database (built by bench/bench_web.py), never the
original:
  createdb -h 127.0.0.1 -U postgres -T bench_county bench_missing
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_missing PYTHONPATH=src \\
    flock /tmp/fullsuite.lock .venv/bin/python bench/bench_missing.py
  dropdb -h 127.0.0.1 -U postgres bench_missing

Picks the child with the most missing reports already, adds episodes through the capture
service (door cli, source `bench-missing`) until they have `--episodes` (found at one of 30
places, every third with reviews and lines of enquiry, as a real history), then times, in this
process with Django's test client (as bench_web.py measures), the report form
(`/missing/new/?individual=`: the floor, its facts and the latest episodes read from the linked
picture) signed in as a call handler, and beside it the child's history page and the
coordinator's list. Prints median and p95 wall time and the queries per request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "bench-missing"
USER, COORDINATOR = "bench.missing.handler", "bench.missing.coordinator"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pick_child() -> tuple[int, dict[str, str], int]:
    """The child individual with the most missing reports (the bench county names the child as
    `subject`; those added here as `missing_person`), one of their person records to refer to them
    by, and how many reports they have."""
    from django.db.models import Count

    from safetynet.identity.models import Membership
    from safetynet.records.models import Participation

    today = dt.date.today()
    born_after = today.replace(year=today.year - 17)
    top = (
        Participation.objects.filter(
            role__in=("missing_person", "subject"), event__event_type="missing_report", person__dob__gt=born_after
        )
        .values("person__membership__individual_id")
        .annotate(n=Count("event_id", distinct=True))
        .order_by("-n")
        .first()
    )
    assert top is not None, "no child with a missing report: is this the bench county?"
    individual = int(top["person__membership__individual_id"])
    member = Membership.objects.filter(individual_id=individual).select_related("person").order_by("person_id").first()
    assert member is not None
    ref = {"source": member.person.source, "id": member.person.source_id}
    return individual, ref, int(top["n"])


def add_episodes(ref: dict[str, str], have: int, wanted: int, seed: int) -> int:
    """Missing reports about `ref` through the capture service until there are `wanted`."""
    from safetynet.interchange.capture import capture
    from safetynet.lib.clock import system_clock
    from safetynet.records.models import Event, Location

    written = Event.objects.filter(source=SOURCE).count()
    missing = wanted - written  # the county's own reports name the child as subject, not missing person
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    places = list(Location.live.order_by("pk").values_list("source", "source_id")[:30])
    now = system_clock.now()
    lines: list[dict[str, Any]] = []
    for i in range(written, written + missing):
        start = now - dt.timedelta(days=3 + 5 * i, hours=rng.randint(0, 23))
        found = start + dt.timedelta(hours=rng.randint(2, 40))
        place = rng.choice(places)
        details: dict[str, Any] = {
            "missing_from": rng.choice(("care", "home")),
            "initial_risk": rng.choice(("medium", "high")),
            "found_at": found.isoformat(),
            "found_location": {"source": place[0], "id": place[1]},
            "return_home_interview": {"completed_at": (found + dt.timedelta(hours=30)).isoformat()},
        }
        if i % 3 == 0:
            details["reviews"] = [
                {"at": (start + dt.timedelta(minutes=40)).isoformat(), "by": {"rank": "sergeant"}, "risk": "high"}
            ]
            details["lines_of_enquiry"] = [
                {"text": "Visit the address where found last time", "location": details["found_location"]}
            ]
        lines.append(
            {
                "kind": "event",
                "source": SOURCE,
                "id": f"MB{i}",
                "recorded_at": now.isoformat(),
                "event_type": "missing_report",
                "occurred_at": start.isoformat(),
                "reported_at": (start + dt.timedelta(hours=1)).isoformat(),
                "participants": [{"person": ref, "role": "missing_person"}],
                "details": details,
            }
        )
    started = time.perf_counter()
    result = capture(lines, door="cli", clock=system_clock)
    assert result.rejected == 0, [(a.field, a.reason) for a in result.answers if a.outcome == "rejected"][:3]
    print(f"added {missing} missing reports through capture in {time.perf_counter() - started:.1f} s")
    return missing


def ensure_users() -> None:
    from django.contrib.auth import get_user_model

    from safetynet.accounts.services import create_user_with_role

    for name, role in ((USER, "call_handler"), (COORDINATOR, "missing_persons_coordinator")):
        if not get_user_model().objects.filter(username=name).exists():
            create_user_with_role(
                acting_user=None, username=name, password="bench-missing-not-secret", role=role, check_password=False
            )


def measure(username: str, url: str, samples: int) -> tuple[float, float, float]:
    """Median and p95 wall time (ms) and mean queries of GET `url`, one at a time, in process."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(url).status_code == 200  # warm: templates, the policy, the access matrix
    times, queries = [], []
    for _ in range(samples):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url}: status {response.status_code}"
        queries.append(len(captured))
    return statistics.median(times), _percentile(times, 0.95), statistics.mean(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=160, help="missing episodes the child has (default 160)")
    parser.add_argument("--samples", type=int, default=50, help="requests of each page measured (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to a copy of bench_county (see the docstring)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-missing"))
    os.environ.setdefault("SAFETYNET_LOG_LEVEL", "WARNING")
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from safetynet.records.models import Event, Person

    call_command("migrate", interactive=False, verbosity=0)
    ensure_users()
    individual, ref, have = pick_child()
    add_episodes(ref, have, args.episodes, args.seed)
    individual, ref, have = pick_child()
    episodes = Event.live.filter(
        event_type="missing_report",
        participations__role="missing_person",
        participations__person__membership__individual_id=individual,
    ).count()
    print(
        f"county: {Person.objects.count():,} person records, {Event.objects.count():,} events; "
        f"child {individual} has {episodes} missing episodes (as missing person; {have} reports in all)"
    )
    pages = [
        ("report form", USER, f"/missing/new/?individual={individual}"),
        ("history", COORDINATOR, f"/missing/children/{individual}/"),
        ("list", COORDINATOR, "/missing/"),
    ]
    print(f"{'page':12} {'samples':>7} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, user, url in pages:
        median, p95, queries = measure(user, url, args.samples)
        print(f"{label:12} {args.samples:7} {median:10.0f} {p95:8.0f} {queries:8.1f}")


if __name__ == "__main__":
    main()
