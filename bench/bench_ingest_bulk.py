"""Benchmark: bulk REST ingest against the CLI import, records per second, in the same run.

Generates a synthetic county, then for each database: imports it with `safetynet import` (new
records linked at once, as by default) into an empty database, and posts it to
`POST /api/v1/records` in calls of 5,000 records into another empty database (linked the same
way, through the same capture path). Both run in fresh processes. The ingest is timed from the
first call to the last answer, the import by its own batch time (as it prints it). The calls
go through Django's WSGI handler in-process (the test client: middleware, authentication, the
key's scope, JSON answers), not over a socket, so the network and the HTTP server's own cost
are not in the figure.
Target (issue #15): the ingest reaches at least 0.8 of the import's rate.

Run: `PYTHONPATH=src .venv/bin/python bench/bench_ingest_bulk.py [--children 2000] [--pg-url URL] [--no-pg]`
PostgreSQL: the database in --pg-url (default postgres://postgres@127.0.0.1:5432/bench_ingest)
is dropped and created again for every run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh process: post FILE in calls of 5,000 records; print the seconds it took.
POST = """
import json, sys, time, django
django.setup()
from django.core.management import call_command
from django.test import Client
from safetynet.access.apikeys import issue_key
from safetynet.lib.clock import system_clock
call_command("migrate", verbosity=0)
lines = open(sys.argv[1], "rb").read().splitlines()
sources = sorted({json.loads(l)["source"] for l in lines})
_key, raw = issue_key(name="bench", sources=sources, markers=["registered_sex_offender", "mappa"],
                      created_by="bench", clock=system_clock)
client = Client(HTTP_HOST="localhost")
started = time.perf_counter()
for start in range(0, len(lines), 5000):
    response = client.post("/api/v1/records", data=b"\\n".join(lines[start:start + 5000]),
                           content_type="application/x-ndjson", headers={"Authorization": "Bearer " + raw})
    assert response.status_code == 200, response.status_code
print("SECONDS", time.perf_counter() - started)
"""


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(SAFETYNET_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="safetynet.settings.dev")
    env["PYTHONPATH"] = str(ROOT / "src")
    # The limit a real source system would meet is not what this measures.
    env["SAFETYNET_API_KEY_CALLS_PER_MINUTE"] = "100000"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _recreate_pg(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


def _fresh(work: Path, name: str, pg_url: str | None) -> dict[str, str]:
    data_dir = work / name
    data_dir.mkdir()
    if pg_url:
        _recreate_pg(pg_url)
    env = _env(data_dir, pg_url)
    subprocess.run([sys.executable, "-m", "safetynet", "migrate"], env=env, check=True, capture_output=True)
    return env


def _cli(file: Path, env: dict[str, str]) -> float:
    """The import's own time (its batch, linking included), as the command prints it."""
    command = [sys.executable, "-m", "safetynet", "import", "--quiet", str(file)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        raise SystemExit(f"import failed: {done.stderr.strip()[-2000:]}")
    return float(done.stdout.splitlines()[-1].rsplit(" in ", 1)[-1].rstrip("s"))


def _api(file: Path, env: dict[str, str]) -> float:
    done = subprocess.run([sys.executable, "-c", POST, str(file)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr.strip()[-2000:]}")
    return float(done.stdout.split("SECONDS", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_ingest")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        county = work / "county.jsonl"
        generate(make_config(children=args.children, years=1, seed=7), county)
        records = sum(1 for _ in county.open("rb"))
        print(f"county: {args.children:,} children, {records:,} records")
        for label, url in (("SQLite", None), *([] if args.no_pg else [("PostgreSQL", args.pg_url)])):
            cli = _cli(county, _fresh(work, f"{label}-cli", url))
            api = _api(county, _fresh(work, f"{label}-api", url))
            print(
                f"{label}: CLI import {records / cli:,.0f}/s ({cli:.1f} s); "
                f"REST ingest {records / api:,.0f}/s ({api:.1f} s); ratio {cli / api:.2f}"
            )


if __name__ == "__main__":
    main()
