"""Fast multi-row INSERT and UPDATE for the importer (SQLite and PostgreSQL).

Django's bulk_create spends most of its time compiling SQL value by value; for tens of
thousands of rows a second the importer builds the statements itself. Values go through
the backend's own adapters (dates, datetimes, JSON), so what is stored is what the ORM
would store. Every statement is parameterised.

On PostgreSQL, inserts go through `COPY ... FROM STDIN` instead: a statement with tens of
thousands of placeholders costs psycopg more client CPU to split than the server needs to
store the rows (measured: 17 of 38 seconds of an import). Primary keys asked back are
drawn from the table's sequence first and copied in with the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from more_itertools import chunked

from safetynet.interchange.mapping import JsonText
from safetynet.lib.lookups import IN_BATCH
from safetynet.records.models import RecordVersion

_MAX_PARAMS = 30000  # below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


def _same(value: Any) -> Any:
    """The converter of a column whose values the driver adapts itself."""
    return value


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """A fast value adapter for the column, equal to what the ORM stores."""
    conn = connections[DEFAULT_DB_ALIAS]
    postgres = conn.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        if postgres:
            adapt = conn.ops.adapt_json_value
            encoder = field.encoder
            return lambda value: (
                None if value is None else value if isinstance(value, JsonText) else adapt(value, encoder)
            )
        return lambda value: (
            None if value is None else value if isinstance(value, JsonText) else json.dumps(value, cls=field.encoder)
        )
    if isinstance(field, models.DateTimeField):
        if postgres:
            return _same  # psycopg adapts aware datetimes itself
        return lambda value: None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(field, models.DateField):
        return _same if postgres else lambda value: None if value is None else value.isoformat()
    return _same


def _columns(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[Callable[[Any], Any]]]:
    """Database column names and value converters for attribute names (`school_id` or `school`)."""
    columns: list[str] = []
    converters: list[Callable[[Any], Any]] = []
    for name in names:
        field = model._meta.get_field(name)  # also finds a foreign key by its attname, `school_id`
        if not isinstance(field, models.Field) or not field.column:  # pragma: no cover
            raise ValueError(f"{name} is not a column")
        columns.append(field.column)
        converters.append(_converter(field))
    return columns, converters


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: Sequence[str] = (),
    idle: Callable[[int], None] | None = None,
) -> list[tuple[Any, ...]]:
    """INSERT rows (values in the order of `names`); returns the `returning` columns of each
    inserted row (in no guaranteed order), or [] when nothing is asked back. `returning`
    may name the primary key and columns among `names`. On PostgreSQL `idle(len(rows))`, when
    given, is called once the rows are sent and before waiting for the server to store them."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_rows(model, names, rows, returning, idle)
    quote = connection.ops.quote_name
    columns, converters = _columns(model, names)
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    tail = f" RETURNING {', '.join(quote(c) for c in returning)}" if returning else ""
    size = max(1, min(1000, _MAX_PARAMS // len(columns)))
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for part in chunked(rows, size):
            params: list[Any] = []
            for row in part:
                params.extend(convert(value) for convert, value in zip(converters, row, strict=True))
            cursor.execute(head + ", ".join([per_row] * len(part)) + tail, params)
            if returning:
                out.extend(tuple(r) for r in cursor.fetchall())
    return out


def select_keys(
    model: type[models.Model], source: str, ids: Sequence[str], *, live_only: bool = False
) -> list[tuple[int, str, dt.datetime | None]]:
    """(pk, source_id, recorded_at) of the rows of `model` with this source and these ids.

    On PostgreSQL one query with the ids as a single array parameter (`= ANY(%s)`): an
    `IN (...)` list of a thousand placeholders cost psycopg more client CPU to split than
    the look-up took. SQLite takes the ids in batches under its variable limit."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        live = " AND recorded_at IS NOT NULL" if live_only else ""
        sql = (
            f"SELECT id, source_id, recorded_at FROM {connection.ops.quote_name(model._meta.db_table)} "
            f"WHERE source = %s AND source_id = ANY(%s){live}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [source, list(ids)])
            return [tuple(row) for row in cursor.fetchall()]
    out: list[tuple[int, str, dt.datetime | None]] = []
    for part in chunked(ids, IN_BATCH):
        query = model._default_manager.filter(source=source, source_id__in=part)
        if live_only:
            query = query.filter(recorded_at__isnull=False)
        out.extend(query.values_list("pk", "source_id", "recorded_at"))
    return out


def update_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """UPDATE each (pk, values) row's columns `names` (one prepared statement, many rows)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, converters = _columns(model, names)
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    pk_column = quote(model._meta.pk.column or "id") if model._meta.pk is not None else "id"
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk_column} = %s"
    params = [[convert(v) for convert, v in zip(converters, values, strict=True)] + [pk] for pk, values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _copy_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    idle: Callable[[int], None] | None,
) -> list[tuple[Any, ...]]:
    """PostgreSQL: COPY the rows in; primary keys (when asked back) come from the sequence."""
    quote = connection.ops.quote_name
    columns, converters = _columns(model, names)
    table = model._meta.db_table
    assert model._meta.pk is not None
    pk_column = model._meta.pk.column or "id"
    want_pk = pk_column in returning or "id" in returning
    with connection.cursor() as cursor:
        pks: list[int] = []
        if want_pk:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            pks = [r[0] for r in cursor.fetchall()]
            columns = [pk_column, *columns]
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        # Only the columns that need it are converted (JSON not already text); the rest go as they are.
        offset = 1 if want_pk else 0
        active = [(i + offset, convert) for i, convert in enumerate(converters) if convert is not _same]
        with cursor.cursor.copy(sql) as copy:
            for index, row in enumerate(rows):
                values = [pks[index], *row] if want_pk else list(row)
                for i, convert in active:
                    values[i] = convert(values[i])
                copy.write_row(values)
            if idle is not None:
                idle(len(rows))  # the server stores what was sent meanwhile
    if not returning:
        return []
    position = {name: i for i, name in enumerate(names)}
    picks = [-1 if name in (pk_column, "id") else position[name] for name in returning]
    return [tuple(pks[index] if pick < 0 else row[pick] for pick in picks) for index, row in enumerate(rows)]


# The columns of `records.RecordVersion` the importer writes, in this order.
VERSION_COLUMNS = (
    "kind",
    "record_id",
    "source",
    "source_id",
    "recorded_at",
    "superseded_at",
    "deleted",
    "payload",
    "stored_at",
)


def copy_to_versions(
    model: type[models.Model], kind: str, rows: Sequence[tuple[int, dt.datetime]], *, stored_at: dt.datetime
) -> None:
    """Copy each (pk, superseded_at) row of `model` into `records.RecordVersion`, in the database:
    the payload goes row to row, never through Python (INSERT ... SELECT, one statement, many rows)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, converters = _columns(RecordVersion, VERSION_COLUMNS)
    at = converters[VERSION_COLUMNS.index("superseded_at")]
    stamp = converters[VERSION_COLUMNS.index("stored_at")](stored_at)
    assert model._meta.pk is not None
    pk_column = quote(model._meta.pk.column or "id")
    sql = (
        f"INSERT INTO {quote(RecordVersion._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT %s, {pk_column}, {quote('source')}, {quote('source_id')}, {quote('recorded_at')}, %s, "
        f"{quote('deleted')}, {quote('payload')}, %s FROM {quote(model._meta.db_table)} WHERE {pk_column} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[kind, at(superseded_at), stamp, pk] for pk, superseded_at in rows])


# Any constant: the advisory lock every chunk's transaction takes on PostgreSQL.
_WRITER_LOCK = 0x5AFE_1E7


def one_writer_at_a_time() -> None:
    """Serialise the chunks of concurrent writers (two API calls, an API call and a CLI import):
    each chunk's transaction first takes one advisory lock on PostgreSQL, held until it commits,
    so two writers never both find a key new and collide on its unique constraint. SQLite needs
    nothing: its IMMEDIATE transactions already let one writer in at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITER_LOCK])
