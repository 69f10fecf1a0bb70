"""A backup taken while an import is writing, in another process, restores to a consistent
database: every table's count is the manifest's and the audit chain verifies against the saved
head (the dump, the counts and the head are read from one snapshot)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.operations.helpers import clean_environment, ok, pg_database, safetynet

pytestmark = pytest.mark.slow


@contextmanager
def source_database(kind: str, tmp_path: Path) -> Iterator[tuple[dict[str, str], Callable[[str], int]]]:
    """The environment naming a new database, and a function counting rows by SQL on it."""
    if kind == "sqlite":
        path = tmp_path / "var" / "safetynet.sqlite3"

        def count_sqlite(sql: str) -> int:
            with sqlite3.connect(path, timeout=20) as db:
                return int(db.execute(sql).fetchone()[0])

        yield {"SAFETYNET_DATA_DIR": str(tmp_path / "var")}, count_sqlite
        return
    import psycopg

    with pg_database() as url:

        def count_pg(sql: str) -> int:
            with psycopg.connect(url) as conn:
                row = conn.execute(sql).fetchone()
                return int(row[0]) if row else 0

        yield {"DATABASE_URL": url, "SAFETYNET_DATA_DIR": str(tmp_path / "var")}, count_pg


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_a_backup_taken_during_a_live_import_restores_consistently(kind: str, backup_key: Path, tmp_path: Path) -> None:
    county = tmp_path / "county.jsonl"
    ok(safetynet("generate", "--children", "300", "--seed", "3", "--out", str(county), env={}))
    lines = len(county.read_text(encoding="utf-8").splitlines())
    with source_database(kind, tmp_path) as (env, count):
        env["SAFETYNET_BACKUP_KEY_FILE"] = str(backup_key)
        ok(safetynet("migrate", env=env))
        importing = subprocess.Popen(
            [sys.executable, "-m", "safetynet", "import", str(county), "--chunk", "50", "--quiet"],
            env={**clean_environment(), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 120
            while count("SELECT COUNT(*) FROM records_location") == 0 and time.monotonic() < deadline:
                assert importing.poll() is None, importing.stderr.read() if importing.stderr else ""
                time.sleep(0.2)
            taken = ok(safetynet("backup", str(tmp_path / "backups" / "mid-import"), env=env))
            assert importing.poll() is None, "the import ended before the backup did: nothing was proven"
        finally:
            _, stderr = importing.communicate(timeout=300)
        assert importing.returncode == 0, stderr
        total = sum(count(f"SELECT COUNT(*) FROM records_{kind_}") for kind_ in ("person", "event", "location"))
        assert "dump of" in taken

    target = {"SAFETYNET_DATA_DIR": str(tmp_path / "restored"), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    with _target(kind, target):
        restored = ok(safetynet("restore", str(tmp_path / "backups" / "mid-import"), env=target))
        assert "count check: all" in restored and "audit chain intact" in restored
        assert "audit chain intact" in ok(safetynet("audit", "verify", env=target))
        doctor = ok(safetynet("doctor", env=target))
        assert "running" in doctor  # the batch was caught mid-way, as it stood in the snapshot
        exported = ok(safetynet("export", str(tmp_path / "restored.jsonl"), env=target))
        written = int(exported.split()[1])
        assert 0 < written < lines
    assert total > 0


@contextmanager
def _target(kind: str, env: dict[str, str]) -> Iterator[None]:
    if kind == "sqlite":
        yield
        return
    with pg_database() as url:
        env["DATABASE_URL"] = url
        yield
