"""`safetynet backup` and `safetynet restore`: a round trip gives back the same records, history
and all (byte-identical `export --with-history`), the same counts in every table and an audit
chain that verifies against the head saved in the backup; on SQLite and PostgreSQL (pg_dump,
and the rows dump used without it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.operations.helpers import ok, pg_database, safetynet

pytestmark = pytest.mark.slow


def export(env: dict[str, str], path: Path) -> bytes:
    ok(safetynet("export", str(path), "--with-history", env=env))
    return path.read_bytes()


def test_a_sqlite_backup_restores_to_the_same_records_counts_and_audit_chain(
    county: Path, backup_key: Path, tmp_path: Path
) -> None:
    source = {"SAFETYNET_DATA_DIR": str(county), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    before = export(source, tmp_path / "before.jsonl")
    assert b'"first_language":"Welsh"' in before  # the re-sent versions...
    assert before.count(b'"id":"') > 100

    taken = ok(safetynet("backup", str(tmp_path / "backups" / "one"), env=source))
    assert "sqlite dump of" in taken and "sealed with key" in taken

    restored_dir = tmp_path / "restored"
    target = {"SAFETYNET_DATA_DIR": str(restored_dir), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    restored = ok(safetynet("restore", str(tmp_path / "backups" / "one"), env=target))
    assert "count check: all" in restored and "match the manifest" in restored
    assert "audit chain intact" in restored and "is in the chain" in restored

    assert export(target, tmp_path / "after.jsonl") == before
    assert (restored_dir / "demo" / "county.jsonl").read_bytes() == (county / "demo" / "county.jsonl").read_bytes()
    head = tmp_path / "backups" / "one" / "audit-head"
    assert "stored head(s) are in the chain" in ok(safetynet("audit", "verify", "--head", str(head), env=target))
    # The restored database is a working one: the next write gets a fresh key, not a clash.
    ok(safetynet("apikey", "create", "after-restore", "--sources", "rms", env=target))


def test_a_backup_is_sealed_nothing_personal_is_readable_in_it(county: Path, backup_key: Path, tmp_path: Path) -> None:
    env = {"SAFETYNET_DATA_DIR": str(county), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    ok(safetynet("backup", str(tmp_path / "b"), env=env))
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o700
    assert {item.stat().st_mode & 0o777 for item in (tmp_path / "b").iterdir()} == {0o600}
    family_names = {line.split('"family_name":"')[1].split('"')[0] for line in _people(county)}
    for item in (tmp_path / "b").iterdir():
        content = item.read_bytes()
        assert b"SQLite format" not in content
        # As JSON text holds them (every record's payload): quoted. Sealed files are base64 text,
        # which has no quote, so a short name cannot turn up in them by chance as it can unquoted.
        assert not [name for name in family_names if f'"{name}"'.encode() in content], item.name


def _people(county: Path) -> list[str]:
    text = (county / "demo" / "county.jsonl").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if '"family_name":"' in line]


@pytest.mark.parametrize("method", ["pg_dump", "rows"])
def test_a_postgresql_backup_restores_to_the_same_records_counts_and_audit_chain(
    method: str, sqlite_county: Path, backup_key: Path, tmp_path: Path
) -> None:
    with pg_database() as source_url, pg_database() as target_url:
        data_dir = tmp_path / "var"
        shutil.copytree(sqlite_county / "demo", data_dir / "demo")
        source = {
            "DATABASE_URL": source_url,
            "SAFETYNET_DATA_DIR": str(data_dir),
            "SAFETYNET_BACKUP_KEY_FILE": str(backup_key),
        }
        if method == "rows":
            source["SAFETYNET_BACKUP_PG_DUMP"] = "off"
        ok(safetynet("demo", "--no-serve", "--children", "25", env=source))
        before = export(source, tmp_path / "before.jsonl")
        taken = ok(safetynet("backup", str(tmp_path / "backups" / "pg"), env=source))
        assert f"{method} dump of" in taken

        target = {**source, "DATABASE_URL": target_url, "SAFETYNET_DATA_DIR": str(tmp_path / "restored")}
        restored = ok(safetynet("restore", str(tmp_path / "backups" / "pg"), env=target))
        assert "count check: all" in restored and "audit chain intact" in restored
        assert export(target, tmp_path / "after.jsonl") == before
        assert "audit chain intact" in ok(safetynet("audit", "verify", env=target))
        ok(safetynet("apikey", "create", "after-restore", "--sources", "rms", env=target))


def test_retention_keeps_the_newest_backups_and_nothing_else_is_touched(
    county: Path, backup_key: Path, tmp_path: Path
) -> None:
    env = {"SAFETYNET_DATA_DIR": str(county), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    parent = tmp_path / "backups"
    (parent / "notes").mkdir(parents=True)
    (parent / "notes" / "readme.txt").write_text("not a backup")
    for name in ("b1", "b2", "b3"):
        result = ok(safetynet("backup", str(parent / name), "--keep", "2", env=env))
    assert "removed b1" in result
    assert sorted(p.name for p in parent.iterdir()) == ["b2", "b3", "notes"]
