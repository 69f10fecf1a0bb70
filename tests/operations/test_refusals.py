"""Refusals: each is one line and exit code 2, and nothing is changed (the database, the data
directory, the backups)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.operations.helpers import ok, safetynet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backup(sqlite_county: Path, backup_key: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One backup of the demo county (copy it before altering it)."""
    directory = tmp_path_factory.mktemp("backups") / "good"
    env = {"SAFETYNET_DATA_DIR": str(sqlite_county), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    ok(safetynet("backup", str(directory), env=env))
    return directory


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert words in result.stderr, result.stderr


def restore_into(directory: Path, target: Path, key: Path | None, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"SAFETYNET_DATA_DIR": str(target), **extra}
    if key is not None:
        env["SAFETYNET_BACKUP_KEY_FILE"] = str(key)
    return safetynet("restore", str(directory), env=env)


def nothing_restored(target: Path) -> None:
    assert not (target / "demo").exists()
    assert not (target / "safetynet.sqlite3").exists() or (target / "safetynet.sqlite3").stat().st_size == 0


def test_restore_refuses_a_database_that_is_not_empty(
    county: Path, backup: Path, backup_key: Path, tmp_path: Path
) -> None:
    env = {"SAFETYNET_DATA_DIR": str(county)}
    before = ok(safetynet("export", str(tmp_path / "before.jsonl"), "--with-history", env=env))
    audit_before = ok(safetynet("audit", "head", env=env))
    refused(restore_into(backup, county, backup_key), "the database is not empty")
    ok(safetynet("export", str(tmp_path / "after.jsonl"), "--with-history", env=env))
    assert (tmp_path / "after.jsonl").read_bytes() == (tmp_path / "before.jsonl").read_bytes()
    assert before
    # Only the export just made was logged since: the refusal wrote nothing.
    assert int(ok(safetynet("audit", "head", env=env)).split()[0]) == int(audit_before.split()[0]) + 1


def test_restore_refuses_a_directory_that_is_not_a_backup(backup_key: Path, tmp_path: Path) -> None:
    (tmp_path / "random").mkdir()
    (tmp_path / "random" / "manifest.json").write_text(json.dumps({"format": "something else"}))
    refused(restore_into(tmp_path / "random", tmp_path / "var", backup_key), "is not a safetynet backup")
    refused(restore_into(tmp_path / "missing", tmp_path / "var", backup_key), "is not a directory")
    nothing_restored(tmp_path / "var")


def test_restore_refuses_without_a_key_or_with_a_malformed_one(backup: Path, tmp_path: Path) -> None:
    refused(restore_into(backup, tmp_path / "var", None), "no backup key: set SAFETYNET_BACKUP_KEY")
    refused(
        restore_into(backup, tmp_path / "var", None, SAFETYNET_BACKUP_KEY="not-a-key"),
        "SAFETYNET_BACKUP_KEY: the key is not a backup key",
    )
    nothing_restored(tmp_path / "var")


def test_restore_refuses_a_key_that_does_not_open_the_backup(backup: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_text(ok(safetynet("backup", "--new-key", env={})))
    refused(restore_into(backup, tmp_path / "var", other), "the backup key does not open this backup")
    nothing_restored(tmp_path / "var")


def test_a_rotated_key_list_still_opens_backups_sealed_with_the_old_key(
    backup: Path, backup_key: Path, tmp_path: Path
) -> None:
    rotated = tmp_path / "rotated.key"
    rotated.write_text(ok(safetynet("backup", "--new-key", env={})) + backup_key.read_text())
    ok(restore_into(backup, tmp_path / "var", rotated))


def test_restore_refuses_a_damaged_file(backup: Path, backup_key: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    sealed = damaged / "database.sealed"
    content = bytearray(sealed.read_bytes())
    content[len(content) // 2] ^= 0x01
    sealed.write_bytes(bytes(content))
    refused(restore_into(damaged, tmp_path / "var", backup_key), "checksum mismatch: database.sealed")
    nothing_restored(tmp_path / "var")


def test_restore_refuses_a_manifest_altered_after_the_backup(backup: Path, backup_key: Path, tmp_path: Path) -> None:
    altered = tmp_path / "altered"
    shutil.copytree(backup, altered)
    manifest = json.loads((altered / "manifest.json").read_text())
    manifest["tables"]["records_person"] += 1
    (altered / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    refused(restore_into(altered, tmp_path / "var", backup_key), "manifest.json was altered")
    nothing_restored(tmp_path / "var")


def test_restore_refuses_to_overwrite_a_different_data_file(backup: Path, backup_key: Path, tmp_path: Path) -> None:
    target = tmp_path / "var"
    (target / "demo").mkdir(parents=True)
    (target / "demo" / "county.end").write_text("another county\n")
    refused(restore_into(backup, target, backup_key), "the data directory already holds demo/county.end")
    assert (target / "demo" / "county.end").read_text() == "another county\n"
    assert not (target / "demo" / "county.jsonl").exists()


def test_backup_refuses_without_a_key_and_writes_nothing(county: Path, tmp_path: Path) -> None:
    result = safetynet("backup", str(tmp_path / "backups" / "b"), env={"SAFETYNET_DATA_DIR": str(county)})
    refused(result, "no backup key")
    assert not (tmp_path / "backups").exists()


def test_backup_refuses_a_directory_in_use(county: Path, backup_key: Path, tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    env = {"SAFETYNET_DATA_DIR": str(county), "SAFETYNET_BACKUP_KEY_FILE": str(backup_key)}
    refused(safetynet("backup", str(tmp_path / "used"), env=env), "already exists and is not an empty directory")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]
    refused(safetynet("backup", str(tmp_path / "b"), "--keep", "0", env=env), "--keep must be at least 1")


def test_a_new_key_needs_no_settings_or_database() -> None:
    result = safetynet("backup", "--new-key", env={"DJANGO_SETTINGS_MODULE": "safetynet.settings.production"})
    key = ok(result).strip()
    assert len(key) == 44 and "\n" not in key
    assert "printed only this once" in result.stderr
    assert ok(safetynet("backup", "--new-key", env={})).strip() != key
