"""REST ingest speed: one event at a time to a finding, and bulk posts against the CLI import.

Runs against a county-sized database built as `bench_web.py` builds it (invented children known
to one to three systems, linked by construction; kept and reused by the next run with the same
`DATABASE_URL`), with the real server (`safetynet serve`, gunicorn) and the task worker
(`safetynet worker --interval`, `--worker-processes` of them) as separate processes, as a force runs them.

1. *Single events*: for `--seconds` (default 60) a thread posts one missing report a tenth of a
   second apart (`--rate`, default 10 a second) to `POST /api/v1/records` with a source
   system's key: a child from the missing persons system, graded low with a blaming rationale,
   so the policy raises M1. Twenty posts go one at a time first (the path's own latency); then
   each post is followed, in its own thread, by
   `GET /api/v1/individuals/{id}/findings` (a sergeant's session) every 50 ms (`--poll-findings`) until a finding
   citing the new record is there. Prints the median and p95 from the start of the POST to the
   finding being visible (target: p95 under 250 ms), and the POST's own median and p95.
2. *Bulk*: the same number of new records (`--bulk-records`, default 20,000: missing reports
   and returns about the county's children) sent two ways in the same run: `safetynet import`
   of a file, and `POST /api/v1/records` in bodies of 5,000 lines with another key. Prints the
   records per second of each and their ratio (target: the API at least 0.8 of the import).

Prints the load average before and after each figure: a figure taken with the load above the
machine's cores is not worth keeping.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest python bench/bench_ingest.py
    DATABASE_URL=... python bench/bench_ingest.py --children 150000 --seconds 60   # county-sized
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_web import USER, _client, _percentile, build, ensure_sergeant

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "bench"  # every system's records in the bulk-built county have this source


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _report(source_id: str, child: str, at: dt.datetime) -> dict[str, object]:
    """A missing report graded low with a blaming rationale: the policy raises M1 on it."""
    return {
        "kind": "event",
        "source": SOURCE,
        "id": source_id,
        "recorded_at": at.isoformat(),
        "event_type": "missing_report",
        "occurred_at": at.isoformat(),
        "reported_at": at.isoformat(),
        "summary": "Reported missing from home.",
        "participants": [{"person": {"source": SOURCE, "id": child}, "role": "missing_person"}],
        "details": {"initial_risk": "low", "risk_rationale": "She is a regular missing person.", "reviews": []},
    }


def _bulk_lines(prefix: str, children: list[str], count: int, seed: int) -> list[str]:
    """`count` new records about the county's children: missing reports, each second one sent
    again later as its next version, with the child found (as a missing persons system would)."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    lines = []
    n = 0
    while len(lines) < count:
        at = start + dt.timedelta(minutes=7 * n)
        report = _report(f"{prefix}-{n:06d}", rng.choice(children), at)
        lines.append(json.dumps(report))
        if n % 2 and len(lines) < count:
            found_at = (at + dt.timedelta(hours=5)).isoformat()
            details = {**report["details"], "found_at": found_at, "returned_of_own_accord": True}  # type: ignore[dict-item]
            lines.append(json.dumps({**report, "recorded_at": found_at, "details": details}))
        n += 1
    return lines


def _post(base: str, key: str, body: bytes, content_type: str = "application/x-ndjson") -> dict[str, object]:
    request = urllib.request.Request(
        f"{base}/api/v1/records",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        answer: dict[str, object] = json.loads(response.read())
    return answer


def _wait_for_up(base: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within a minute")


def single_events(
    base: str,
    key: str,
    children: list[tuple[str, int]],
    *,
    seconds: float,
    rate: float,
    seed: int,
    poll: float = 0.05,
    sequential: int = 20,
) -> None:
    """Phase 1 (see the module docstring). First `sequential` posts one at a time (the path's
    own latency, nothing queued behind it), then `rate` a second for `seconds`."""
    opener = _client(base)
    rng = random.Random(seed)
    run = int(time.time())
    visible: list[float] = []
    posts: list[float] = []
    missed: list[str] = []
    lock = threading.Lock()

    def one(n: int, child: str, individual: int) -> None:
        source_id = f"LIVE{run}-{n:05d}" if n >= 0 else f"SEQ{run}-{-n:05d}"
        at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
        body = (json.dumps(_report(source_id, child, at)) + "\n").encode()
        started = time.perf_counter()
        answer = _post(base, key, body)
        posted = time.perf_counter() - started
        outcome = answer["lines"][0]["outcome"]  # type: ignore[index]
        if outcome != "accepted":
            with lock:
                missed.append(f"{source_id}: {outcome}")
            return
        deadline = started + 30
        while time.perf_counter() < deadline:
            with opener.open(f"{base}/api/v1/individuals/{individual}/findings", timeout=30) as response:
                found = json.loads(response.read())
            if any(source_id in json.dumps(f["cites"]) for f in found):
                with lock:
                    visible.append(time.perf_counter() - started)
                    posts.append(posted)
                return
            time.sleep(poll)
        with lock:
            missed.append(f"{source_id}: no finding within 30 s")

    for n in range(sequential):
        child, individual = rng.choice(children)
        one(-1 - n, child, individual)
    if visible:
        print(
            f"  one at a time ({len(visible)} posts): POST -> finding visible median "
            f"{statistics.median(visible) * 1000:.0f} ms, p95 {_percentile(visible, 0.95) * 1000:.0f} ms; "
            f"the POST alone median {statistics.median(posts) * 1000:.0f} ms; load {_load()}",
            flush=True,
        )
    visible.clear()
    posts.clear()

    threads = []
    interval = 1 / rate
    began = time.monotonic()
    n = 0
    print(f"single events: {rate:g} a second for {seconds:g} s; load {_load()}", flush=True)
    while time.monotonic() - began < seconds:
        child, individual = rng.choice(children)
        thread = threading.Thread(target=one, args=(n, child, individual))
        thread.start()
        threads.append(thread)
        n += 1
        time.sleep(max(0.0, began + n * interval - time.monotonic()))
    for thread in threads:
        thread.join()
    if missed:
        print(f"  {len(missed)} of {n} posts gave no finding (first: {missed[0]})")
    if visible:
        print(
            f"  POST -> finding visible: median {statistics.median(visible) * 1000:.0f} ms, "
            f"p95 {_percentile(visible, 0.95) * 1000:.0f} ms over {len(visible)} posts "
            f"({'met' if _percentile(visible, 0.95) < 0.25 else 'NOT met'}: p95 under 250 ms); "
            f"the POST alone: median {statistics.median(posts) * 1000:.0f} ms, "
            f"p95 {_percentile(posts, 0.95) * 1000:.0f} ms; load {_load()}",
            flush=True,
        )


def bulk(base: str, key: str, children: list[str], *, count: int, seed: int, env: dict[str, str]) -> None:
    """Phase 2 (see the module docstring): the same shape of records by the CLI and by the API."""
    run = int(time.time())
    by_cli = _bulk_lines(f"CLI{run}", children, count, seed)
    by_api = _bulk_lines(f"API{run}", children, count, seed)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "bulk.jsonl"
        path.write_text("\n".join(by_cli) + "\n")
        print(f"bulk: {count:,} records each way; load {_load()}", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "safetynet", "import", str(path), "--batch-name", "bench bulk"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cli_rate = count / (time.perf_counter() - started)
    print(f"  safetynet import: {cli_rate:,.0f} records/s; load {_load()}", flush=True)
    started = time.perf_counter()
    for first in range(0, count, 5000):
        answer = _post(base, key, ("\n".join(by_api[first : first + 5000]) + "\n").encode())
        rejected = [a for a in answer["lines"] if a["outcome"] == "rejected"]  # type: ignore[union-attr,index]
        if rejected:
            raise SystemExit(f"bulk post rejected {len(rejected)} lines (first: {rejected[0]})")
    api_rate = count / (time.perf_counter() - started)
    print(
        f"  POST /api/v1/records (5,000 a call): {api_rate:,.0f} records/s, {api_rate / cli_rate:.2f} of the import "
        f"({'met' if api_rate >= 0.8 * cli_rate else 'NOT met'}: at least 0.8); load {_load()}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=150_000, help="children to build (default 150000)")
    parser.add_argument("--seconds", type=float, default=60, help="how long single events are posted (default 60)")
    parser.add_argument("--rate", type=float, default=10, help="single events a second (default 10)")
    parser.add_argument("--bulk-records", type=int, default=20_000, help="records sent each way in phase 2")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--poll", type=float, default=0.1, help="the task workers' polling interval, seconds")
    parser.add_argument("--worker-processes", type=int, default=2, help="task worker processes (default 2)")
    parser.add_argument("--port", type=int, default=8798)
    parser.add_argument(
        "--poll-findings", type=float, default=0.05, help="seconds between a post's reads of the findings (0.05)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "var" / "bench-ingest"))
    os.environ.setdefault("SAFETYNET_LOG_LEVEL", "WARNING")
    Path(os.environ["SAFETYNET_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safetynet.accounts.apikeys import create_api_key
    from safetynet.identity.models import Membership
    from safetynet.lib.clock import system_clock

    call_command("migrate", interactive=False, verbosity=0)
    build(args.children, args.seed)
    ensure_sergeant()
    run = int(time.time())
    keys = {}
    for phase in ("single", "bulk"):
        _, keys[phase] = create_api_key(
            acting_user=None, username="bench", name=f"bench-{phase}-{run}", sources=[SOURCE], clock=system_clock
        )
    # Children only: M1 is about a child, so a report about someone who has turned 18 since the
    # county was built raises nothing and its poller would wait out its 30 s (at 20 GETs a second).
    under_18 = dt.date.today().replace(year=dt.date.today().year - 18) + dt.timedelta(days=2)
    rows = Membership.objects.filter(
        person__source=SOURCE, person__source_id__startswith="mispers-", person__dob__gt=under_18
    )
    children = list(rows.values_list("person__source_id", "individual_id"))
    print(f"database: {connection.vendor}; {len(children):,} children in the missing persons system; user {USER}")
    connection.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    python = [sys.executable, "-m", "safetynet"]
    server = subprocess.Popen(
        [*python, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)]
        + ["--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = [
        subprocess.Popen(
            [*python, "worker", "--interval", str(args.poll), "--sweep-every", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.worker_processes)
    ]
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for_up(base)
        single_events(
            base,
            keys["single"],
            children,
            seconds=args.seconds,
            rate=args.rate,
            seed=args.seed,
            poll=args.poll_findings,
        )
        bulk(base, keys["bulk"], [c for c, _ in children], count=args.bulk_records, seed=args.seed, env=env)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{error.code} from {error.url}: {error.read()[:300]!r}") from None
    finally:
        for process in (server, *workers):
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
