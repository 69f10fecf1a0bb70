"""`take_backup` and `restore_backup`: what `safetynet backup` and `safetynet restore` do.

A backup is a directory: `database.sealed` (the dump), `files.sealed` (the data directory's
files as a tar), `manifest.json` (counts per table, checksums, the audit chain head, the key's
fingerprint) and `manifest.sealed`. It is written beside its destination under a hidden name
and renamed into place when complete, so a directory named like a backup always is one.
A restore checks everything it can before it changes anything: that the directory is a
backup, that the key opens it, every checksum, that the database is empty and of the kind the
backup holds, that this release knows the backup's schema, that no file would be overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from safetynet import __version__
from safetynet.audit.models import Action
from safetynet.audit.services import VerifyResult, record_cli_action, verify_against_head, verify_chain
from safetynet.backup import database, files
from safetynet.backup.crypto import BackupKeys, SealedWriter
from safetynet.backup.errors import BackupError
from safetynet.backup.manifest import (
    FORMAT,
    FORMAT_VERSION,
    head_from_json,
    head_to_json,
    open_backup,
    read_plain_manifest,
    write_manifest,
)
from safetynet.lib.clock import Clock, system_clock

DATABASE_FILE = "database.sealed"
FILES_FILE = "files.sealed"
AUDIT_HEAD_FILE = "audit-head"
DEFAULT_KEEP = 14


@dataclass
class BackupReport:
    directory: Path
    manifest: dict[str, Any]
    seconds: float
    removed: list[Path] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def _data_dir() -> Path:
    return Path(settings.SAFETYNET_DATA_DIR)


def _file_entry(name: str, role: str, writer: SealedWriter) -> dict[str, Any]:
    return {
        "name": name,
        "role": role,
        "bytes": writer.size,
        "sha256": writer.sha256,
        "sealed_sha256": writer.sealed_sha256,
    }


def _refuse_destination(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} already exists and is not an empty directory; name a new one")


def take_backup(
    destination: Path, keys: BackupKeys, *, keep: int = DEFAULT_KEEP, clock: Clock = system_clock
) -> BackupReport:
    """Write a sealed backup to `destination`, then keep the newest `keep` backups beside it."""
    if keep < 1:
        raise BackupError(f"--keep must be at least 1 (got {keep})")
    destination = destination.resolve()
    _refuse_destination(destination)
    method = database.choose_method()
    started = time.perf_counter()
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".incomplete", dir=destination.parent))
    plain = Path(tempfile.mkdtemp(prefix=".backup-", dir=_ensure_data_dir()))
    try:
        snapshot, db_writer = database.dump(method, staging / DATABASE_FILE, plain, keys)
        kept = files.data_files(_data_dir(), exclude=destination.parent)
        with (staging / FILES_FILE).open("wb") as out:
            files_writer = SealedWriter(out, keys)
            listed = files.archive(_data_dir(), kept, files_writer)
            files_writer.close()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": clock.now().isoformat(),
            "safetynet_version": __version__,
            "database": {"vendor": connection.vendor, "method": method},
            "migrations": snapshot.migrations,
            "tables": snapshot.tables,
            "audit_head": head_to_json(snapshot.head),
            "files": [
                _file_entry(DATABASE_FILE, "database", db_writer),
                _file_entry(FILES_FILE, "data directory", files_writer),
            ],
            "data_files": listed,
            "key_id": keys.sealing_id,
        }
        write_manifest(staging, manifest, keys)
        # For `safetynet audit verify --head DIR/audit-head` (a hash and a number: nothing personal).
        (staging / AUDIT_HEAD_FILE).write_text(snapshot.head.line() + "\n", encoding="ascii")
        for item in staging.iterdir():
            item.chmod(0o600)  # the directory is 0700 already; the files say so too
        if destination.exists():
            destination.rmdir()
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(plain, ignore_errors=True)
    # A backup is a copy of every record: logged as a disclosure, after the dump (so not in it).
    record_cli_action(Action.EXPORT, object_type="backup", object_ids=[destination.name], fields=["backup"])
    removed = apply_retention(destination.parent, keep)
    return BackupReport(destination, manifest, time.perf_counter() - started, removed)


def _ensure_data_dir() -> Path:
    directory = _data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def apply_retention(parent: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups in `parent` (only directories that are backups)."""
    found = []
    for candidate in parent.iterdir():
        if candidate.is_dir() and not candidate.name.startswith("."):
            manifest = read_plain_manifest(candidate)
            if manifest is not None:
                found.append((str(manifest.get("created_at", "")), candidate.name, candidate))
    found.sort(reverse=True)
    removed = [path for _created, _name, path in found[keep:]]
    for path in removed:
        shutil.rmtree(path)
    return removed


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    mismatched: dict[str, tuple[int | None, int | None]]
    audit: VerifyResult
    files: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.mismatched and self.audit.ok


def restore_backup(directory: Path, keys: BackupKeys) -> RestoreReport:
    """Restore the backup in `directory` onto the empty database in use and the data directory,
    then check the counts against the manifest and the audit chain against the saved head."""
    started = time.perf_counter()
    opened = open_backup(directory, keys)
    manifest = opened.manifest
    method = manifest["database"]["method"]
    database.refuse_wrong_database(method)
    database.refuse_unless_empty()
    database.migration_targets(MigrationLoader(connection, ignore_no_migrations=True), manifest["migrations"])
    files.refuse_conflicts(_data_dir(), manifest["data_files"])
    # Nothing has changed yet; from here on the backup is written in.
    database.restore(method, directory / DATABASE_FILE, keys, manifest["migrations"])
    restored_files = files.extract(directory / FILES_FILE, keys, _ensure_data_dir())
    connection.close()
    counts = database.count_tables(database.table_names())
    expected: dict[str, int] = manifest["tables"]
    mismatched = {
        t: (expected.get(t), counts.get(t))
        for t in sorted(set(expected) | set(counts))
        if expected.get(t) != counts.get(t)
    }
    head = head_from_json(manifest["audit_head"])
    audit = verify_against_head(head) if head.seq else verify_chain()
    report = RestoreReport(manifest, mismatched, audit, restored_files, time.perf_counter() - started)
    if report.ok:
        record_cli_action(Action.IMPORT, object_type="backup", object_ids=[directory.name], fields=["restore"])
    return report
