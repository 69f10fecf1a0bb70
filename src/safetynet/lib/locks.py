"""One writer at a time for a piece of work, across processes and machines.

`serialise(name)` inside a transaction waits until no other transaction holds the same name,
and holds it until this one ends. On PostgreSQL it is a transaction-scoped advisory lock, so two
workers (or a worker and a web process) running the same idempotent step do it one after the
other: the second then sees what the first committed. On SQLite there is nothing to do: its
IMMEDIATE transactions (settings/env.py) already take the database's write lock at the start.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(name: str) -> None:
    """Wait for, then hold until the end of the current transaction, the lock called `name`."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() holds its lock until the transaction ends: call it inside atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
