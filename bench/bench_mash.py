"""Benchmark: the MASH triage screen and inbox on the 150k-child county (docs/mash.md).

Targets (PostgreSQL, the 150k-child county): the triage screen for a child with 50+ records
across four agencies p95 < 300 ms; the MASH inbox with 2,000 open referrals p95 < 300 ms.

Works on a COPY of the lead's county (never on `bench_county` itself):
  createdb -h 127.0.0.1 -U postgres -T bench_county bench_mash
  flock /tmp/fullsuite.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_mash \\
      PYTHONPATH=src .venv/bin/python bench/bench_mash.py
  dropdb -h 127.0.0.1 -U postgres bench_mash

It migrates the copy, tops it up (idempotent: skipped when present) with 2,000 open referrals
written straight through the ORM (received over the last two days, a third triaged, about
random children) and, when the county has no child with 50+ records from four agencies, 60
records (police, social care, health, education) about one child with a referral; then
measures in this process with Django's test client, one request at a time, as a MASH officer:
the inbox (each tab) and the triage screen, printing median, p95 and queries per request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench.mash", "bench-mash-password-not-secret"
REFERRALS = 2000
AGENCY_SOURCES = ("rms", "csc", "health", "education")
EVENT_TYPE = {"rms": "incident", "csc": "meeting", "health": "notification", "education": "notification"}
CONCERNS = ("neglect", "physical", "emotional", "domestic_abuse", "online", "missing")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ensure_user() -> None:
    from django.contrib.auth import get_user_model

    from safetynet.accounts.services import create_user_with_role

    if not get_user_model().objects.filter(username=USER).exists():
        create_user_with_role(
            acting_user=None, username=USER, password=PASSWORD, role="mash_officer", check_password=False
        )


def _referral(person_id: int, received: dt.datetime, rng: random.Random, triaged: bool) -> tuple[object, int]:
    from safetynet.records.models import Event

    details: dict[str, object] = {
        "concern": rng.sample(CONCERNS, rng.randint(1, 2)),
        "what_happened": "Benchmark referral: police attended and a child was present.",
        "arthur": {"children_present": True},
        "referrer": {"name": "PC Bench", "role": "response_officer", "username": "bench.officer"},
        "received_at": received.isoformat(),
    }
    if triaged:
        details["triage"] = {
            "grade": rng.choice(("red", "amber", "green")),
            "at": (received + dt.timedelta(hours=2)).isoformat(),
            "by": {"name": "MASH bench"},
            "research": ["police_systems", "local_authority"],
        }
    event = Event(
        source="safetynet",
        source_id=f"referral-bench-{uuid.uuid4().hex}",
        recorded_at=received,
        payload={},
        event_type="referral",
        occurred_at=received,
        summary="Referral to the MASH (benchmark).",
        details=details,
    )
    return event, person_id


def _write(pairs: list[tuple[object, int]], role: str = "subject") -> list[object]:
    from safetynet.records.models import Event, Participation

    events = Event.objects.bulk_create([e for e, _ in pairs], batch_size=1000)  # type: ignore[misc]
    Participation.objects.bulk_create(
        [Participation(event=e, person_id=p, role=role) for e, (_, p) in zip(events, pairs, strict=True)],
        batch_size=1000,
    )
    return list(events)


def ensure_referrals(now: dt.datetime, seed: int) -> None:
    """2,000 open (undecided) benchmark referrals about random children, received in the last two days."""
    from safetynet.identity.models import Membership
    from safetynet.records.models import Event

    have = Event.objects.filter(event_type="referral", source_id__startswith="referral-bench-").count()
    if have >= REFERRALS:
        return
    rng = random.Random(seed)
    people = list(
        Membership.objects.filter(person__source_id__startswith="csc-")
        .values_list("person_id", flat=True)
        .order_by("pk")[:50_000]
    )
    pairs = []
    for i in range(REFERRALS - have):
        received = now - dt.timedelta(minutes=rng.randint(1, 48 * 60))
        pairs.append(_referral(rng.choice(people), received, rng, triaged=i % 3 == 0))
    _write(pairs)


def busy_child(now: dt.datetime, seed: int) -> int:
    """A referral (its id) about a child with 50+ records from four agencies, added if the county has none."""
    from django.db.models import Count

    from safetynet.identity.models import Membership
    from safetynet.records.models import Event, Participation

    marker = Event.objects.filter(source_id="referral-bench-busy").first()
    if marker is not None:
        return marker.pk
    rng = random.Random(seed)
    person = (
        Membership.objects.filter(person__source_id__startswith="csc-")
        .order_by("individual_id")
        .values_list("person_id", "individual_id")[rng.randrange(1000)]
    )
    person_id, individual = person
    records = (
        Participation.objects.filter(person__membership__individual_id=individual)
        .values("event__source")
        .annotate(n=Count("event", distinct=True))
    )
    print(f"child {individual} had {sum(r['n'] for r in records)} records before top-up")
    pairs = []
    for i in range(60):
        source = AGENCY_SOURCES[i % 4]
        at = now - dt.timedelta(days=rng.randint(1, 3000))
        pairs.append(
            (
                Event(
                    source=source,
                    source_id=f"bench-busy-{i}",
                    recorded_at=at,
                    payload={},
                    event_type=EVENT_TYPE[source],
                    occurred_at=at,
                    summary=f"Benchmark record {i} from {source}.",
                    details={"domestic_abuse": True} if source == "rms" and i % 8 == 0 else {},
                ),
                person_id,
            )
        )
    referral, _ = _referral(person_id, now - dt.timedelta(minutes=30), rng, triaged=False)
    referral.source_id = "referral-bench-busy"  # type: ignore[attr-defined]
    pairs.append((referral, person_id))
    written = _write(pairs)
    return int(written[-1].pk)  # type: ignore[attr-defined]


def measure(urls: dict[str, str], samples: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USER))
    print(f"{'screen':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for kind, url in urls.items():
        assert client.get(url).status_code == 200, kind  # warm: templates, the matrix, the policy
        times, queries = [], []
        for _ in range(samples):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, f"{kind}: status {response.status_code}"
            queries.append(len(captured))
        print(
            f"{kind:<34} {statistics.median(times) * 1000:>10.1f} {_percentile(times, 0.95) * 1000:>8.1f}"
            f" {statistics.mean(queries):>8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40, help="requests of each screen measured")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0] == "bench_county":
        sys.exit("refusing to write into bench_county: copy it (createdb -T bench_county bench_mash)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-mash"))
    os.environ.setdefault("SAFETYNET_LOG_LEVEL", "WARNING")
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from safetynet.lib.clock import system_clock
    from safetynet.records.models import Event

    call_command("migrate", interactive=False, verbosity=0)
    now = system_clock.now()
    ensure_user()
    ensure_referrals(now, args.seed)
    referral = busy_child(now, args.seed)
    open_ = Event.live.filter(event_type="referral", source="safetynet").exclude(details__has_key="feedback").count()
    print(f"open referrals: {open_}; triage referral {referral}")
    measure(
        {
            "inbox (awaiting)": reverse("web:mash_inbox"),
            "inbox (awaiting decision)": reverse("web:mash_inbox") + "?show=triaged",
            "inbox (overdue)": reverse("web:mash_inbox") + "?show=overdue",
            "triage screen (60+ records, 4 agencies)": reverse("web:mash_triage", args=[referral]),
        },
        args.samples,
    )


if __name__ == "__main__":
    main()
