"""Benchmark: turning findings into tasks and sweeping overdue ones, at county scale.

A county of about 1.5 million records raises of the order of 100,000 current findings (the
`--small` county of 2,000 children raises a few thousand). This inserts N invented findings
(no records needed: the work app reads only findings), then times:
  - `sync_tasks` creating N tasks from scratch, and again with nothing to do (idempotent pass);
  - `sweep` escalating every overdue task (all N overdue: the worst case), and again a second
    later with nothing to do (the steady-state cost of running it every few minutes);
  - `open_tasks(role=...)` for one role's queue, first page of 50;
  - `task_queue` (what "My work" reads: a user's own, team and role queue), first 200, and
    `oversight` (a supervisor's counts and first 200 late or escalated tasks).

Run (SQLite under var/bench-work/):
  PYTHONPATH=src .venv/bin/python bench/bench_work.py --findings 100000
PostgreSQL:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_work PYTHONPATH=src .venv/bin/python bench/bench_work.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("sergeant", "mash_officer", "missing_persons_coordinator", "exploitation_coordinator", "analyst")
CLAUSES = ("M2", "H1", "M4", "X1", "Q1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-work"))
        Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["SAFETYNET_DATA_DIR"]) / "safetynet.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from safetynet.identity.models import Individual
    from safetynet.lib.clock import FixedClock
    from safetynet.risk.models import Finding
    from safetynet.work.models import Task, TaskEvent
    from safetynet.work.services import open_tasks, oversight, sweep, sync_tasks, task_queue

    Task.objects.all().delete()
    TaskEvent.objects.all().delete()
    Finding.objects.all().delete()
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    n = args.findings
    individuals = Individual.objects.bulk_create([Individual() for _ in range(max(1, n // 3))], batch_size=5000)
    started = time.perf_counter()
    Finding.objects.bulk_create(
        [
            Finding(
                fingerprint=f"bench-{i}",
                individual_id=individuals[i % len(individuals)].pk,
                clause=CLAUSES[i % len(CLAUSES)],
                severity=("critical", "high", "medium", "low")[i % 4],
                reason="A child aged 14 was reported missing and no supervisor has reviewed it.",
                cites=[{"source": "mispers", "id": f"E{i}"}],
                owner_role=ROLES[i % len(ROLES)],
                due_by=at + dt.timedelta(minutes=i % 600),
                policy_version="bench",
                raised_at=at,
                evaluated_at=at,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    print(f"setup: {n:,} findings inserted in {time.perf_counter() - started:.1f}s")

    clock = FixedClock(at)
    for label in ("sync_tasks (create all)", "sync_tasks (nothing to do)"):
        started = time.perf_counter()
        report = sync_tasks(clock=clock)
        print(f"{label:<34} {time.perf_counter() - started:7.2f}s  created {report.created:,}")
    clock.advance(hours=12)
    for label in ("sweep (every task overdue)", "sweep (nothing overdue)"):
        started = time.perf_counter()
        swept = sweep(clock=clock)
        elapsed = time.perf_counter() - started
        rate = len(swept.escalations) / elapsed if elapsed else 0.0
        print(f"{label:<34} {elapsed:7.2f}s  escalated {swept.escalated:,} ({rate:,.0f}/s)")
        clock.advance(seconds=1)
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        list(open_tasks(role="inspector")[:50])
        samples.append(time.perf_counter() - started)
    samples.sort()
    print(f"{'open_tasks(role) first 50':<34} median {samples[len(samples) // 2] * 1000:.1f} ms")

    def timed(label: str, fn: Any) -> None:
        wall, cpu = [], []
        for _ in range(10):
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        wall.sort()
        cpu.sort()
        print(f"{label:<34} median {wall[5] * 1000:.1f} ms (CPU {cpu[5] * 1000:.1f} ms)")

    timed(
        "task_queue(all) first 200",
        lambda: list(task_queue(user_id=1, role="inspector", team="east", scope="all")[:200]),
    )

    def supervise() -> None:
        found = oversight(role="sergeant", team="east", now=clock.now())
        list(found.tasks[:200])

    timed("oversight(sergeant) counts + 200", supervise)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
