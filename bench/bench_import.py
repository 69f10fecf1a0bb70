"""Benchmark: `safetynet import` records per second on SQLite and PostgreSQL, and peak memory.

Generates two synthetic counties (the --small one and one three times larger), imports each
into an empty database in a fresh process, and prints wall time, records per second, the
importer's CPU time (its parsing workers included) and its peak resident memory (flat in
file size: a bounded number of chunks at a time), with 1 and 2 parsing processes.
Target: at least 10,000 records/s on PostgreSQL on the project's 2-core machine.
With --resend, each run then imports the county again with every `recorded_at` a day later:
every record is updated and the version it replaces is kept (`records.RecordVersion`).

Run: `PYTHONPATH=src .venv/bin/python bench/bench_import.py [--pg-url URL] [--no-pg] [--sizes 2000,6000] [--resend]`
PostgreSQL: the database in --pg-url (default postgres://postgres@127.0.0.1:5432/bench_interchange)
is dropped and created again for every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate

ROOT = Path(__file__).resolve().parents[1]


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(SAFETYNET_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="safetynet.settings.dev")
    env["PYTHONPATH"] = str(ROOT / "src")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _recreate_pg(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


def _resent(file: Path) -> Path:
    """The county again, every record sent a day later (so each one is updated)."""
    out = file.with_name(file.stem + "-resent.jsonl")
    with file.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as target:
        for text in source:
            obj = json.loads(text)
            at = dt.datetime.fromisoformat(obj["recorded_at"].replace("Z", "+00:00"))
            obj["recorded_at"] = (at + dt.timedelta(days=1)).isoformat()
            target.write(json.dumps(obj) + "\n")
    return out


def _import(file: Path, env: dict[str, str], workers: int) -> tuple[float, float, int]:
    """Import `file` in a fresh process: (seconds the import took, process CPU seconds, peak RSS in kB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = (
        "import resource, sys; from safetynet.cli.main import main; "
        f"rc = main(['import', '--no-link', '--quiet', '--workers={workers}', {str(file)!r}]); "
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    lines = done.stdout.splitlines()
    written = float(lines[-2].rsplit(" in ", 1)[-1].rstrip("s"))  # "batch 1: ... written in 1.2s"
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return written, cpu, int(lines[-1].split()[1])


def _run(
    file: Path, records: int, database_url: str | None, workers: int, resend: Path | None = None
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        if database_url:
            _recreate_pg(database_url)
        env = _env(data_dir, database_url)
        subprocess.run([sys.executable, "-m", "safetynet", "migrate"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        written, cpu, peak_kb = _import(file, env, workers)
        wall = time.perf_counter() - started
        out = {
            "wall": wall,
            "import": written,
            "rate": records / written,
            "cpu": cpu,
            "cpu_rate": records / cpu,
            "rss_mb": peak_kb / 1024,
        }
        if resend is not None:
            again, _cpu, _peak = _import(resend, env, workers)
            out.update(resend=again, resend_rate=records / again)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,6000", help="children per county, comma-separated")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_interchange")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--workers", default="1,2", help="parsing processes to try, comma-separated (1: parse in the importer)"
    )
    parser.add_argument(
        "--resend", action="store_true", help="then import every record again a day later (all updates, versions kept)"
    )
    args = parser.parse_args()
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if not args.no_pg:
        backends.append(("postgresql", args.pg_url))
    with tempfile.TemporaryDirectory() as directory:
        for children in (int(x) for x in args.sizes.split(",")):
            file = Path(directory) / f"county-{children}.jsonl"
            summary = generate(make_config(children=children, years=3, seed=7), file)
            size_mb = file.stat().st_size / 1e6
            resend = _resent(file) if args.resend else None
            for (name, url), workers in itertools.product(backends, (int(w) for w in args.workers.split(","))):
                r = _run(file, summary.records, url, workers, resend)
                again = ""
                if resend is not None:
                    again = f"; resent a day later {r['resend']:6.1f}s = {r['resend_rate']:8,.0f} records/s"
                print(
                    f"{name:<10} {children:>6} children {summary.records:>8,} records {size_mb:6.1f} MB "
                    f"{workers} parsing process{'es' if workers > 1 else ''}: "
                    f"import {r['import']:6.1f}s = {r['rate']:8,.0f} records/s "
                    f"(process CPU {r['cpu']:5.1f}s = {r['cpu_rate']:8,.0f} records per CPU-second; "
                    f"peak RSS {r['rss_mb']:5.0f} MB){again}",
                    flush=True,
                )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
