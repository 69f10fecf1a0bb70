"""Benchmark: person page and search latency with concurrent users against `safetynet serve`.

Targets (county size on PostgreSQL): person page p95 < 300 ms, search p95 < 200 ms.
Builds a synthetic database of the requested size straight through the ORM (bulk inserts of
invented people, places, events and markers, each child known to one to three systems), then
starts `safetynet serve` on 127.0.0.1 and drives it with a small threaded client that signs in
and requests person pages and searches for a bounded time. Loopback only.

Run (SQLite under var/bench-web/):
  PYTHONPATH=src .venv/bin/python bench/bench_web.py --children 20000
PostgreSQL:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web PYTHONPATH=src .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIVEN = (
    "Kayleigh Olivia Amelia Isla Ava Mia Ivy Lily Freya Grace Jack Noah Oliver Leo Harry Oscar George"
    " Charlie Jacob Alfie Tyler Callum Liam Chloe Jessica"
).split()
FAMILY = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White"
    " Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis Harris Martin Cooper Ward Morris Price Bennett"
).split()
# Family names from syllables: about 900 distinct names, so a name search meets a realistic
# number of namesakes (a list of 30 surnames would make every search scan thousands).
PREFIX = "Ash Black Brad Brook Chad Clay Cole Dun Elm Fair Fen Gold Green Hart Hay Holm Kings Lang Mar Mill".split()
SUFFIX = (
    "ford ley ton wood worth field more well bury dale ham stead croft by ridge shaw bourne wick gate hurst".split()
)
MORE_GIVEN = (
    "Ruby Evie Poppy Daisy Sophie Ella Millie Rosie Harper Layla Ethan Mason Logan Lucas Archie Finley Kai"
    " Reuben Toby Aaron Dylan Kian Jayden Riley Owen"
).split()
USER, PASSWORD = "bench.web", "bench-web-password-not-secret"


def _typo(name: str, rng: random.Random) -> str:
    """One plausible misspelling: a doubled, dropped or swapped letter."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(("double", "drop", "swap"))
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def build(children: int, seed: int) -> None:
    """Fill the database with `children` invented children and their histories (skips if present)."""
    from django.db import connection, transaction

    from safetynet.identity.linking import refresh_features
    from safetynet.identity.models import Individual, Membership
    from safetynet.records.models import Event, Location, Marker, Participation, Person, Relationship

    if Person.objects.filter(source="bench").exists():
        print(f"database already built: {Person.objects.count():,} person records, {Event.objects.count():,} events")
        return
    rng = random.Random(seed)
    started = time.perf_counter()
    recorded = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    batch = 5000
    with transaction.atomic():
        locations = Location.objects.bulk_create(
            [
                Location(
                    source="bench",
                    source_id=f"L{i}",
                    recorded_at=recorded,
                    payload={},
                    address_lines=[f"{i} Bench Street"],
                    town="Benchtown",
                    postcode=f"BT{i % 90 + 1} {i % 9}AA",
                    location_type="home",
                )
                for i in range(max(100, children // 8))
            ],
            batch_size=batch,
        )
    people: list[Person] = []
    owner: list[int] = []  # index of the child each record belongs to
    for c in range(children):
        given = rng.choice(GIVEN + MORE_GIVEN)
        family = rng.choice(FAMILY) if rng.random() < 0.2 else rng.choice(PREFIX) + rng.choice(SUFFIX)
        dob = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 10))
        home = rng.choice(locations)
        for s, source in enumerate(rng.sample(["rms", "mispers", "csc"], rng.choice((1, 1, 2, 3)))):
            spelt = given if s == 0 else rng.choice((given, _typo(given, rng)))
            people.append(
                Person(
                    source="bench",
                    source_id=f"{source}-{c}",
                    recorded_at=recorded,
                    payload={},
                    given_names=spelt,
                    family_name=family,
                    date_of_birth=dob.isoformat(),
                    dob=dob,
                    birth_year=dob.year,
                    sex=rng.choice(("female", "male")),
                    postcode=home.postcode,
                )
            )
            owner.append(c)
    adults = [
        Person(
            source="bench",
            source_id=f"adult-{a}",
            recorded_at=recorded,
            payload={},
            given_names=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth="1985-01-01",
            dob=dt.date(1985, 1, 1),
            birth_year=1985,
            sex="male",
        )
        for a in range(max(10, children // 10))
    ]
    with transaction.atomic():
        people = Person.objects.bulk_create(people, batch_size=batch)
        adults = Person.objects.bulk_create(adults, batch_size=batch)
        individuals = Individual.objects.bulk_create(
            [Individual() for _ in range(children + len(adults))], batch_size=batch
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person=p,
                    individual=individuals[o],
                    method="model" if i and owner[i - 1] == o else "singleton",
                    match_probability=0.99,
                )
                for i, (p, o) in enumerate(zip(people, owner, strict=True))
            ]
            + [Membership(person=a, individual=individuals[children + i]) for i, a in enumerate(adults)],
            batch_size=batch,
        )
    by_child: dict[int, list[Person]] = {}
    for p, o in zip(people, owner, strict=True):
        by_child.setdefault(o, []).append(p)
    types = ["incident", "missing_report", "crime", "referral", "intelligence", "meeting"]
    events_made = 0
    for start in range(0, children, 2000):
        events: list[Event] = []
        who: list[tuple[Person, Person | None]] = []
        for c in range(start, min(children, start + 2000)):
            for _ in range(rng.choice((2, 4, 6, 8, 10, 14, 20))):
                when = dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(0, 3 * 525600))
                events.append(
                    Event(
                        source="bench",
                        source_id=f"E{events_made + len(events)}",
                        recorded_at=recorded,
                        payload={},
                        event_type=rng.choice(types),
                        occurred_at=when,
                        location=rng.choice(locations),
                        summary="Invented event for the web benchmark.",
                        details={"grade": "priority"},
                    )
                )
                who.append((rng.choice(by_child[c]), rng.choice(adults) if rng.random() < 0.3 else None))
        with transaction.atomic():
            events = Event.objects.bulk_create(events, batch_size=batch)
            parts = [
                Participation(event=e, person=child, role="subject") for e, (child, _a) in zip(events, who, strict=True)
            ]
            parts += [
                Participation(event=e, person=a, role="associate") for e, (_c, a) in zip(events, who, strict=True) if a
            ]
            Participation.objects.bulk_create(parts, batch_size=batch)
        events_made += len(events)
    with transaction.atomic():
        Marker.objects.bulk_create(
            [
                Marker(
                    source="bench",
                    source_id=f"M{c}",
                    recorded_at=recorded,
                    payload={},
                    person=by_child[c][0],
                    marker_type="cse_risk",
                )
                for c in range(0, children, 20)
            ],
            batch_size=batch,
        )
        Relationship.objects.bulk_create(
            [
                Relationship(
                    source="bench",
                    source_id=f"R{c}",
                    recorded_at=recorded,
                    payload={},
                    person_a=rng.choice(adults),
                    person_b=by_child[c][0],
                    rel_type="associate_of",
                )
                for c in range(0, children, 3)
            ],
            batch_size=batch,
        )
    print(
        f"built {len(people):,} child records ({children:,} children), {len(adults):,} adults, "
        f"{events_made:,} events in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database would have
    started = time.perf_counter()
    refresh_features(None, dt.date(2026, 3, 2))
    print(f"identity search index built in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # visibility map for index-only scans, and statistics


def _client(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": USER, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    response = opener.open(request)
    assert "/login/" not in response.geturl(), "sign-in failed"
    return opener


def drive(base: str, urls: dict[str, list[str]], users: int, seconds: float) -> dict[str, list[float]]:
    """Each user signs in, then alternates person pages and searches until time is up."""
    timings: dict[str, list[float]] = {kind: [] for kind in urls}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        opener = _client(base)
        while time.monotonic() < deadline:
            kind = rng.choice(list(urls))
            url = rng.choice(urls[kind])
            started = time.perf_counter()
            try:
                with opener.open(base + url, timeout=30) as response:
                    response.read()
            except Exception as exc:  # noqa: BLE001 - a benchmark reports failures and goes on
                with lock:
                    errors.append(f"{kind}: {type(exc).__name__}")
                continue
            with lock:
                timings[kind].append(time.perf_counter() - started)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"errors: {len(errors)} (first: {errors[0]})")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000, help="children to build (default 20000)")
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--seconds", type=float, default=30, help="how long to drive the server (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-only", action="store_true", help="build the database, then stop")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-web"))
    os.environ.setdefault("SAFETYNET_LOG_LEVEL", "WARNING")
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safetynet.identity.models import Individual
    from safetynet.records.models import Event, Person

    call_command("migrate", interactive=False, verbosity=0)
    build(args.children, args.seed)
    if args.build_only:
        return
    rng = random.Random(args.seed)
    ids = list(
        Individual.objects.filter(memberships__person__source_id__startswith="rms-").values_list("pk", flat=True)[:5000]
    )
    names = list(
        Person.objects.filter(source="bench")
        .exclude(source_id__startswith="adult")
        .values_list("given_names", "family_name")[:5000]
    )
    urls = {
        "person": [f"/people/{i}/" for i in rng.sample(ids, min(len(ids), 500))],
        "search": [
            "/search/?" + urllib.parse.urlencode({"name": f"{_typo(g, rng)} {f}"})
            for g, f in rng.sample(names, min(len(names), 500))
        ],
    }
    print(f"database: {connection.vendor}, {Person.objects.count():,} person records, {Event.objects.count():,} events")
    connection.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safetynet",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        drive(base, {k: v[:20] for k, v in urls.items()}, 2, 3)  # warm up caches and the model
        timings = drive(base, urls, args.users, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)

    targets = {"person": 0.300, "search": 0.200}
    print(f"{args.users} concurrent users for {args.seconds:.0f} s, {args.workers} gunicorn workers x 4 threads")
    for kind, values in timings.items():
        if not values:
            print(f"{kind:8} no successful requests")
            continue
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"{kind:8} n={len(values):5}  median {statistics.median(values) * 1000:6.0f} ms  "
            f"p95 {p95 * 1000:6.0f} ms  p99 {values[int(0.99 * (len(values) - 1))] * 1000:6.0f} ms  "
            f"(target p95 < {targets[kind] * 1000:.0f} ms: {'met' if p95 < targets[kind] else 'NOT met'})"
        )
    total = sum(len(v) for v in timings.values())
    print(f"throughput {total / args.seconds:.1f} requests/s")


if __name__ == "__main__":
    main()
