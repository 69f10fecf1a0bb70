"""Benchmark: the readable network of an adult with 40 children and 300 events (issue #22,
docs/exploitation.md "The network").

Target: the network page and its graph JSON render (server time, Django's test client, in this
process) p95 under 300 ms, and the graph draws at most 60 nodes by default, the rest grouped.

SQLite (a fresh database under var/bench-network/):
  flock /tmp/fullsuite.lock env PYTHONPATH=src .venv/bin/python bench/bench_network.py
PostgreSQL, on a COPY of the lead's county (never on `bench_county` itself):
  createdb -h 127.0.0.1 -U postgres -T bench_county h_network_bench
  flock /tmp/fullsuite.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_network_bench \\
      PYTHONPATH=src .venv/bin/python bench/bench_network.py

It migrates, writes the busy adult through the ORM (tests/world.py `busy_adult`: 40 children,
12 other adults, 300 events over the last 12 months at 25 places; source `bench-network`,
skipped when present), signs in a sergeant and times N requests of each (page, JSON, the API,
and the page at two hops), printing p50, p95, queries per request and the nodes drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench.network", "bench-network-password-not-secret"
SOURCE = "bench-network"
TARGET_MS = 300
MAX_NODES = 60


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-network"))
        Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["SAFETYNET_DATA_DIR"]) / "safetynet.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))  # tests.world's builder
    import django

    django.setup()
    import logging

    logging.getLogger("safetynet.request").setLevel(logging.WARNING)  # one line per request otherwise
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from tests.world import busy_adult, sign_in

    from safetynet.accounts.services import create_user_with_role
    from safetynet.identity.models import Membership
    from safetynet.lib.clock import FixedClock
    from safetynet.records.models import Person

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    settings.SAFETYNET_CLOCK = FixedClock(now)
    started = time.perf_counter()
    focus = Person.objects.filter(source=SOURCE, source_id="BUSY-A0").first()
    if focus is None:
        adult = busy_adult(now=now, source=SOURCE).adult.pk
        print(f"setup: the busy adult written in {time.perf_counter() - started:.1f}s")
    else:
        adult = Membership.objects.get(person=focus).individual_id
        print("setup: the busy adult already there")
    user = get_user_model().objects.filter(username=USER).first() or create_user_with_role(
        acting_user=None, username=USER, password=PASSWORD, role="sergeant", check_password=False
    )
    client = sign_in(Client(), user)
    vendor = connection.vendor
    print(f"database: {vendor}; {args.requests} requests each; load average {os.getloadavg()}")
    failures = []
    for name, url in (
        ("page", f"/people/{adult}/network/"),
        ("graph JSON", f"/people/{adult}/network/graph.json"),
        ("API", f"/api/v1/individuals/{adult}/network"),
        ("page, 2 hops", f"/people/{adult}/network/?hops=2"),
    ):
        assert client.get(url).status_code == 200  # warm
        times = []
        for _ in range(args.requests):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        print(f"{name:<14} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries {len(ctx.captured_queries)}")
        if p95 >= TARGET_MS and name != "page, 2 hops":
            failures.append(f"{name} p95 {p95:.0f} ms")
    data = client.get(f"/people/{adult}/network/graph.json").json()
    nodes, groups = len(data["nodes"]), data["groups"]
    print(
        f"drawn: {nodes} nodes of {data['counts']['people']} people and {data['counts']['places']} places "
        f"from {data['counts']['events']} events; groups: " + "; ".join(g["label"] for g in groups)
    )
    if nodes > MAX_NODES:
        failures.append(f"{nodes} nodes drawn")
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average after {os.getloadavg()}")
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print(f"OK: p95 under {TARGET_MS} ms, at most {MAX_NODES} nodes drawn")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
