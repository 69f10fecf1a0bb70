"""A consistent copy of the database, and putting one back.

Three methods, chosen by the database in use:

- `sqlite`: SQLite's online backup API copies the file as one snapshot; table counts and the
  audit chain head are read from that copy, so they describe exactly what was saved.
- `pg_dump`: PostgreSQL in pg_dump's custom format, run on a snapshot exported from our own
  REPEATABLE READ transaction (`pg_export_snapshot`), in which the counts and the chain head
  are read too: the dump and its manifest see the same instant, whatever commits meanwhile.
- `rows` (PostgreSQL without pg_dump, or SAFETYNET_BACKUP_PG_DUMP=off): every table's rows
  read through the models of the schema then applied, inside one REPEATABLE READ transaction;
  restored by migrating an empty database to that schema and inserting them in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from safetynet.audit.models import AuditChainHead, AuditEntry
from safetynet.audit.services import GENESIS, ChainHead, current_head
from safetynet.backup.crypto import CHUNK, BackupKeys, SealedWriter, seal_file, unseal_chunks
from safetynet.backup.errors import BackupError

PG_DUMP_ENV = "SAFETYNET_BACKUP_PG_DUMP"
MIGRATIONS_TABLE = "django_migrations"
ROWS_BATCH = 2000


@dataclass
class Snapshot:
    """What a database dump holds: counts per table, applied migrations and the chain head."""

    method: str
    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    head: ChainHead = field(default_factory=lambda: ChainHead(0, GENESIS))


# --- reading the database in use --------------------------------------------------------------


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def count_tables(tables: list[str]) -> dict[str, int]:
    qn = connection.ops.quote_name
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    if MIGRATIONS_TABLE not in table_names():
        return applied
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY app, name")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def pg_tool(name: str) -> str | None:
    """The path of pg_dump (or pg_restore beside it), or None: not installed, or turned off."""
    configured = os.environ.get(PG_DUMP_ENV, "")
    if configured.lower() == "off":
        return None
    if configured:
        found = shutil.which(str(Path(configured).with_name(name)) if name != "pg_dump" else configured)
        return found
    return shutil.which(name)


def choose_method() -> str:
    if connection.vendor == "sqlite":
        return "sqlite"
    if connection.vendor == "postgresql":
        return "pg_dump" if pg_tool("pg_dump") else "rows"
    raise BackupError(f"backups support SQLite and PostgreSQL; this database is {connection.vendor}")


# --- dumping ------------------------------------------------------------------------------------


def dump(method: str, target: Path, stage: Path, keys: BackupKeys) -> tuple[Snapshot, SealedWriter]:
    """Seal a consistent copy of the database into `target` (plain bytes only in `stage`, for SQLite)."""
    if method == "sqlite":
        return _dump_sqlite(target, stage, keys)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        snapshot = Snapshot(method, count_tables(table_names()), applied_migrations(), current_head())
        with target.open("wb") as out:
            writer = SealedWriter(out, keys)
            if method == "pg_dump":
                cursor.execute("SELECT pg_export_snapshot()")
                _run_pg_dump(str(cursor.fetchone()[0]), writer)
            else:
                _dump_rows(snapshot, writer)
            writer.close()
    return snapshot, writer


def _dump_sqlite(target: Path, stage: Path, keys: BackupKeys) -> tuple[Snapshot, SealedWriter]:
    copy = stage / "database.sqlite3"
    connection.ensure_connection()
    raw = connection.connection
    destination = sqlite3.connect(copy)
    try:
        raw.backup(destination)  # one step: a single consistent snapshot of the file
    finally:
        destination.close()
    snapshot = _sqlite_snapshot(copy)
    writer = seal_file(copy, target, keys)
    copy.unlink()
    return snapshot, writer


def _sqlite_snapshot(path: Path) -> Snapshot:
    db = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        counts = {n: int(db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in sorted(names)}
        migrations: dict[str, list[str]] = {}
        if MIGRATIONS_TABLE in counts:
            for app, name in db.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY app, name"):
                migrations.setdefault(app, []).append(name)
        head = ChainHead(0, GENESIS)
        if AuditChainHead._meta.db_table in counts:
            row = db.execute(f"SELECT last_seq, last_hash FROM {AuditChainHead._meta.db_table} WHERE id = 1").fetchone()
            if row and row[0]:
                at = db.execute(f"SELECT at FROM {AuditEntry._meta.db_table} WHERE seq = ?", (row[0],)).fetchone()
                when = dt.datetime.fromisoformat(at[0]).replace(tzinfo=dt.UTC) if at else None
                head = ChainHead(int(row[0]), str(row[1]), when)
    finally:
        db.close()
    return Snapshot("sqlite", counts, migrations, head)


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the database in use (the password never on a command line)."""
    cfg = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if cfg.get(key):
            env[variable] = str(cfg[key])
    env["PGDATABASE"] = str(cfg["NAME"])
    if (cfg.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(cfg["OPTIONS"]["sslmode"])
    return env


def _last_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"


def _run_pg_dump(snapshot_id: str, writer: SealedWriter) -> None:
    command = [str(pg_tool("pg_dump")), "--format=custom", f"--snapshot={snapshot_id}", "--no-password"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_pg_environment())
    assert process.stdout is not None and process.stderr is not None
    while block := process.stdout.read(CHUNK):
        writer.write(block)
    stderr = process.stderr.read()
    if process.wait() != 0:
        raise BackupError(
            f"pg_dump failed: {_last_line(stderr)} (a pg_dump older than the server? set {PG_DUMP_ENV} to one of "
            f"the server's version, or to off for the rows dump)"
        )


def state_apps(migrations: dict[str, list[str]]) -> Apps:
    """The models as the schema stood with exactly these migrations applied."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(migration_targets(loader, migrations)).apps


def migration_targets(loader: MigrationLoader, migrations: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Per app, the last of its applied migrations; BackupError for one this code does not know."""
    targets = []
    for app, names in sorted(migrations.items()):
        nodes = [(app, name) for name in names]
        unknown = [n for n in nodes if n not in loader.graph.nodes and n not in loader.replacements]
        if unknown:
            raise BackupError(
                f"the backup's schema has migration {unknown[0][0]}.{unknown[0][1]}, which this safetynet does not "
                "know: restore it with the release that took it, or a later one"
            )
        known = [n for n in nodes if n in loader.graph.nodes]
        if known:
            targets.append(max(known, key=lambda n: len(loader.graph.forwards_plan(n))))
    return targets


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps only milliseconds of a time; the audit chain hashes microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def dumped_models(apps: Apps) -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _dump_rows(snapshot: Snapshot, writer: SealedWriter) -> None:
    chosen = dumped_models(state_apps(snapshot.migrations))
    covered = {m._meta.db_table for m in chosen} | {MIGRATIONS_TABLE}
    missing = sorted(set(snapshot.tables) - covered)
    if missing:
        raise BackupError(f"table {missing[0]} is not one of safetynet's models; install pg_dump to back it up")
    for model in chosen:
        columns = [f.attname for f in model._meta.concrete_fields]
        binary = [isinstance(f, models.BinaryField) for f in model._meta.concrete_fields]
        header = {"table": model._meta.db_table, "model": model._meta.label, "columns": columns}
        writer.write(json.dumps(header).encode() + b"\n")
        rows = model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=ROWS_BATCH)
        for row in rows:
            values = [
                base64.b64encode(bytes(v)).decode() if b and v is not None else v
                for v, b in zip(row, binary, strict=True)
            ]
            writer.write(json.dumps(values, cls=_ExactEncoder).encode() + b"\n")


# --- restoring ----------------------------------------------------------------------------------


def refuse_unless_empty() -> None:
    try:
        tables = table_names()
    except DatabaseError:
        raise BackupError(
            f"cannot reach the {connection.vendor} database: is it running, and does DATABASE_URL name it?"
        ) from None
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables, e.g. {tables[0]}); restore only onto a new, empty "
            "database: create one and point DATABASE_URL (or SAFETYNET_DATA_DIR) at it"
        )


def refuse_wrong_database(method: str) -> None:
    if method == "sqlite" and connection.vendor != "sqlite":
        raise BackupError("this backup holds a SQLite database; the database in use is PostgreSQL (unset DATABASE_URL)")
    if method == "pg_dump" and connection.vendor != "postgresql":
        raise BackupError("this backup holds a PostgreSQL dump; set DATABASE_URL to a new, empty PostgreSQL database")
    if method == "pg_dump" and not pg_tool("pg_restore"):
        raise BackupError("this backup is a pg_dump; install pg_restore (PostgreSQL's client tools) to restore it")


def restore(method: str, sealed: Path, keys: BackupKeys, migrations: dict[str, list[str]]) -> None:
    """Put the sealed dump back into the (empty) database in use."""
    if method == "sqlite":
        _restore_sqlite(sealed, keys)
    elif method == "pg_dump":
        _restore_pg(sealed, keys)
    else:
        _restore_rows(sealed, keys, migrations)


def _restore_sqlite(sealed: Path, keys: BackupKeys) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    staged = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    try:
        with staged.open("wb") as out:
            os.chmod(staged, 0o600)
            for block in unseal_chunks(sealed, keys):
                out.write(block)
        connection.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def _restore_pg(sealed: Path, keys: BackupKeys) -> None:
    command = [
        str(pg_tool("pg_restore")),
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    connection.close()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=_pg_environment())
    assert process.stdin is not None and process.stderr is not None
    try:
        for block in unseal_chunks(sealed, keys):
            process.stdin.write(block)
    finally:
        process.stdin.close()
    stderr = process.stderr.read()
    if process.wait() != 0:
        raise BackupError(f"pg_restore failed (nothing was restored: one transaction): {_last_line(stderr)}")


def _restore_rows(sealed: Path, keys: BackupKeys, migrations: dict[str, list[str]]) -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    targets = migration_targets(loader, migrations)
    MigrationExecutor(connection).migrate(targets)
    apps = state_apps(migrations)
    by_table = {m._meta.db_table: m for m in dumped_models(apps)}
    with transaction.atomic():
        for model, batch in _row_batches(unseal_chunks(sealed, keys), by_table):
            model._base_manager.bulk_create(batch)
        statements = connection.ops.sequence_reset_sql(no_style(), list(by_table.values()))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _row_batches(
    chunks: Iterator[bytes], by_table: dict[str, type[models.Model]]
) -> Iterator[tuple[type[models.Model], list[models.Model]]]:
    model: type[models.Model] | None = None
    fields: list[models.Field[Any, Any]] = []
    batch: list[models.Model] = []
    for line in _lines(chunks):
        item = json.loads(line)
        if isinstance(item, dict):
            if model is not None and batch:
                yield model, batch
            batch = []
            model = by_table.get(item["table"])
            if model is None:
                raise BackupError(f"the backup holds table {item['table']}, which its own schema does not have")
            concrete = {f.attname: f for f in model._meta.concrete_fields}
            fields = [concrete[c] for c in item["columns"]]
            continue
        assert model is not None
        batch.append(model(**{f.attname: _value(f, v) for f, v in zip(fields, item, strict=True)}))
        if len(batch) >= ROWS_BATCH:
            yield model, batch
            batch = []
    if model is not None and batch:
        yield model, batch


def _value(f: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(f, models.JSONField):
        return value
    if isinstance(f, models.BinaryField):
        return base64.b64decode(value)
    return f.to_python(value)


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line for line in complete if line)
    if pending:
        yield pending
