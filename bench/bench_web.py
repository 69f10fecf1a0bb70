"""Benchmark: person page and search latency with concurrent users against `safetynet serve`.

Targets (county size on PostgreSQL, 100 users pausing between pages, issue #24): person page
p95 < 150 ms, search p95 < 150 ms.

Builds a synthetic county straight through the ORM unless it is there already (bulk inserts
of invented people, places, events, markers and relationships, each child known to one to
three systems; every tenth child has one or two current findings with their tasks), then:
- measures each kind of request in this process, one at a time, with its query count
  (`--profile` adds cProfile's top functions);
- starts `safetynet serve` on 127.0.0.1 and, for each number of users in `--users`, drives
  person pages and then searches (misspelt names) from that many signed-in sergeants with no
  pause between requests, for `--seconds` each, printing p50 and p95 latency, the server's
  and PostgreSQL's CPU per request, the server's CPU in cores and the load average.
Loopback only. Run it under the benchmark lock (`flock /tmp/fullsuite.lock`): figures from a
loaded machine mean little, so the load average is printed with them.

PostgreSQL (the targets are for PostgreSQL):
  createdb bench_web
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web PYTHONPATH=src .venv/bin/python bench/bench_web.py
SQLite (under var/bench-web/), a smaller county:
  PYTHONPATH=src .venv/bin/python bench/bench_web.py --children 20000
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

    from safetynet.identity.blocking import refresh_features
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


def ensure_findings(seed: int) -> None:
    """Give every tenth child one or two current findings, each with its task (skips if present),
    so person pages and search results show findings and their tasks as a live force's do."""
    from safetynet.identity.models import Membership
    from safetynet.lib.clock import FixedClock
    from safetynet.risk.models import Finding
    from safetynet.work.services import sync_tasks

    if Finding.objects.filter(fingerprint__startswith="bench-").exists():
        return
    rng = random.Random(seed)
    started = time.perf_counter()
    children = sorted(
        set(
            Membership.objects.filter(person__source="bench")
            .exclude(person__source_id__startswith="adult-")
            .values_list("individual_id", flat=True)
        )
    )
    raised = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    clauses = [
        ("M2", "critical", "No supervisor has reviewed a missing episode within the hour", "sergeant", 1),
        ("M4", "high", "A child missing three times in 90 days has no trigger plan", "missing_persons_coordinator", 72),
        ("X1", "high", "An adult was found with a child at a hotel", "exploitation_coordinator", 24),
        ("H1", "high", "A red MASH referral waits for triage", "mash_officer", 4),
        ("M6", "medium", "A return home interview is due", "partner_social_worker", 72),
    ]
    findings = []
    for individual in children[::10]:
        for clause, severity, reason, owner, hours in rng.sample(clauses, rng.choice((1, 2))):
            findings.append(
                Finding(
                    fingerprint=f"bench-{clause}-{individual}",
                    individual_id=individual,
                    clause=clause,
                    severity=severity,
                    reason=reason,
                    owner_role=owner,
                    due_by=raised + dt.timedelta(hours=hours + rng.randrange(-48, 48)),
                    policy_version="bench",
                    raised_at=raised,
                    evaluated_at=raised,
                )
            )
    Finding.objects.bulk_create(findings, batch_size=5000)
    sync_tasks(clock=FixedClock(raised))
    print(f"made {len(findings):,} findings with their tasks in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_sergeant() -> None:
    """The benchmark's user: a sergeant, the role that opens person pages and searches most."""
    from django.contrib.auth import get_user_model

    from safetynet.accounts.services import create_user_with_role

    if not get_user_model().objects.filter(username=USER).exists():
        create_user_with_role(acting_user=None, username=USER, password=PASSWORD, role="sergeant", check_password=False)


def in_process(urls: dict[str, list[str]], samples: int, profile: bool) -> dict[str, tuple[float, float]]:
    """Median wall time and mean queries per request, one request at a time inside this
    process (Django's test client): what a page costs without concurrency or HTTP. With
    `profile`, prints cProfile's top functions for each kind."""
    import cProfile
    import pstats

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USER))
    found: dict[str, tuple[float, float]] = {}
    for kind, chosen in urls.items():
        client.get(chosen[0])  # warm: templates, the model, the access matrix
        times, queries = [], []
        profiler = cProfile.Profile() if profile else None
        for url in chosen[1 : samples + 1]:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(url)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, f"{kind}: status {response.status_code}"
            queries.append(len(captured))
        found[kind] = (statistics.median(times), statistics.mean(queries))
        if profiler:
            print(f"--- cProfile, {kind}, {samples} requests ---")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return found


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


def drive(
    base: str, urls: list[str], openers: list[urllib.request.OpenerDirector], seconds: float, think: float = 0
) -> tuple[list[float], int]:
    """One thread per signed-in opener requests `urls` at random until `seconds` have passed,
    pausing a random time averaging `think` seconds between requests (none by default: every
    user asks again as soon as answered); return the latencies and the number of errors."""
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    users = len(openers)
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        if think:
            time.sleep(rng.uniform(0, think))  # users do not all start at once
        while time.monotonic() < deadline:
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                with openers[n].open(base + url, timeout=60) as response:
                    response.read()
            except Exception as exc:  # noqa: BLE001 - a benchmark reports failures and goes on
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                timings.append(time.perf_counter() - started)
            if think:
                time.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.monotonic())))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"errors: {len(errors)} (first: {errors[0]})")
    return timings, len(errors)


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def server_cpu(root: int) -> float:
    """CPU seconds used so far by the server: its process and every descendant (gunicorn's
    workers), including descendants that have exited (counted in their parent)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        fields = _stat(pid)
        if fields:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / _TICK


def database_cpu(database: str) -> dict[int, int]:
    """CPU ticks used so far by each PostgreSQL backend connected to `database` (the server
    keeps its connections open, so its backends mostly live through a phase); other
    databases on the machine are not counted."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        # A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
        if title.startswith("postgres:") and f" {database} " in title and (fields := _stat(int(entry.name))):
            found[int(entry.name)] = int(fields[11]) + int(fields[12])
    return found


def _spent(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds between two `database_cpu` readings (a backend that ended between them
    is missed: the figure is a lower bound)."""
    return sum(max(0, ticks - before.get(pid, 0)) for pid, ticks in after.items()) / _TICK


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=150_000, help="children to build (default 150000)")
    parser.add_argument("--users", default="1,4,8", help="concurrent users per phase, comma separated (default 1,4,8)")
    parser.add_argument("--seconds", type=float, default=20, help="how long each phase drives the server (default 20)")
    parser.add_argument(
        "--think", type=float, default=0, help="mean pause of a user between requests, seconds (default 0: none)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2, 4 threads each)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=30, help="requests of each kind measured in-process")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for each kind")
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
    from safetynet.risk.models import Finding

    call_command("migrate", interactive=False, verbosity=0)
    build(args.children, args.seed)
    ensure_findings(args.seed)
    ensure_sergeant()
    if args.build_only:
        return
    rng = random.Random(args.seed)
    ids = list(
        Individual.objects.filter(memberships__person__source_id__startswith="rms-").values_list("pk", flat=True)
    )
    names = list(
        Person.objects.filter(source="bench")
        .exclude(source_id__startswith="adult")
        .values_list("given_names", "family_name")
        .order_by("?")[:2000]
    )
    urls = {
        "person": [f"/people/{i}/" for i in rng.sample(ids, min(len(ids), 2000))],
        "search": [
            "/search/?" + urllib.parse.urlencode({"name": f"{_typo(g, rng)} {f}"})
            for g, f in rng.sample(names, min(len(names), 2000))
        ],
    }
    children = Individual.objects.filter(memberships__person__source_id__startswith="rms-").count()
    print(
        f"database: {connection.vendor}, {Person.objects.count():,} person records "
        f"({children:,} children with a police record), {Event.objects.count():,} events, "
        f"{Finding.objects.count():,} findings; user: sergeant"
    )
    single = in_process(urls, args.samples, args.profile)
    for kind, (median, queries) in single.items():
        print(f"in-process, one at a time: {kind:7} median {median * 1000:5.0f} ms, {queries:.1f} queries per request")
    database = str(connection.settings_dict["NAME"])
    connection.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "safetynet", "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    command += ["--workers", str(args.workers), "--threads", str(args.threads), "--no-worker"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    targets = {"person": 0.150, "search": 0.150}  # issue #24: 100 paced users
    rows: list[str] = []
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        counts = [int(u) for u in args.users.split(",")]
        openers = [_client(base) for _ in range(max(counts))]  # sign-ins are neither timed nor counted
        for kind in urls:
            drive(base, urls[kind][-50:], openers[:4], 3)  # warm: every worker's templates, model, connections
        for users in counts:
            for kind, chosen in urls.items():
                web_before, db_before = server_cpu(server.pid), database_cpu(database)
                timings, errors = drive(base, chosen, openers[:users], args.seconds, args.think)
                cpu_web, cpu_db = server_cpu(server.pid) - web_before, _spent(db_before, database_cpu(database))
                load = os.getloadavg()[0]
                if not timings:
                    rows.append(f"{kind:7} {users:5}  no successful requests ({errors} errors)")
                    continue
                n = len(timings)
                p95 = _percentile(timings, 0.95)
                rows.append(
                    f"{kind:7} {users:5} {n:6} {n / args.seconds:6.1f} {_percentile(timings, 0.5) * 1000:7.0f} "
                    f"{p95 * 1000:7.0f} {cpu_web / n * 1000:8.0f} {cpu_db / n * 1000:7.0f} "
                    f"{cpu_web / args.seconds:6.2f} {load:5.2f}  {'met' if p95 < targets[kind] else 'NOT met'}"
                    + (f" ({errors} errors)" if errors else "")
                )
                print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)

    pause = f"a mean pause of {args.think:g} s between a user's requests" if args.think else "no pause between requests"
    print(
        f"\n{args.seconds:.0f} s per phase, {pause}, {args.workers} gunicorn workers x {args.threads} threads, "
        "loopback; targets p95: person 150 ms, search 150 ms (issue #24)"
    )
    print("kind    users      n  req/s  p50 ms  p95 ms  web CPU  db CPU  web    load   p95 target")
    print("                                               ms/req  ms/req  cores  (1 min)")
    for row in rows:
        print(row)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()
