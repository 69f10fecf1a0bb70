"""What to tell an operator when the database refuses a write (disk full, connection lost).

A driver's message can quote what it failed on, so `describe_database_error` says what kind of
failure it was from the error code (SQLite's `SQLITE_FULL`, PostgreSQL's SQLSTATE `53100`) and
keeps only the first line of the message with every quoted part elided: never a value.
"""

from __future__ import annotations

import re

# SQLite's extended result names (`sqlite3.Error.sqlite_errorname`) by prefix, and PostgreSQL's
# SQLSTATE classes (appendix A of its manual): what each means to the person running the command.
_SQLITE = (
    ("SQLITE_FULL", "disk full"),
    ("SQLITE_IOERR", "the disk could not be read or written"),
    ("SQLITE_BUSY", "the database is busy (locked by another writer)"),
    ("SQLITE_LOCKED", "the database is busy (locked by another writer)"),
    ("SQLITE_READONLY", "the database is read-only"),
    ("SQLITE_CANTOPEN", "the database file cannot be opened"),
    ("SQLITE_CORRUPT", "the database file is damaged"),
    ("SQLITE_NOMEM", "out of memory"),
)
_SQLSTATE = (
    ("53100", "disk full"),
    ("53200", "out of memory"),
    ("53", "the database server ran out of resources"),
    ("08", "the connection to the database was lost"),
    ("57P", "the database server shut down or restarted"),
    ("58", "the database server could not read or write its files"),
    ("25006", "the database is read-only"),
    ("40P01", "deadlock with another writer"),
)
# When the driver gives no code (a wrapped or hand-made error), its words.
_WORDS = (
    ("disk is full", "disk full"),
    ("no space left", "disk full"),
    ("disk i/o", "the disk could not be read or written"),
    ("locked", "the database is busy (locked by another writer)"),
    ("read-only", "the database is read-only"),
    ("connection", "the connection to the database was lost"),
    ("server closed", "the connection to the database was lost"),
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|\([^)]*\)=\([^)]*\)")
MAX_MESSAGE = 160


def error_code(exc: BaseException) -> str:
    """The driver's code for `exc` (or the error it wraps): SQLite's name or PostgreSQL's SQLSTATE."""
    for candidate in (exc, exc.__cause__):
        if candidate is None:
            continue
        code = getattr(candidate, "sqlite_errorname", None) or getattr(candidate, "sqlstate", None)
        if code:
            return str(code)
    return ""


def describe_database_error(exc: BaseException) -> str:
    """One line: what went wrong in plain words, the error type and code, and the driver's
    first line with anything quoted elided, e.g. `disk full (OperationalError SQLITE_FULL:
    database or disk is full)`."""
    code = error_code(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    message = _QUOTED.sub("...", first)[:MAX_MESSAGE]
    what = _meaning(code, message.lower())
    label = " ".join(part for part in (type(exc).__name__, code) if part)
    return f"{what} ({label}: {message})" if message else f"{what} ({label})"


def _meaning(code: str, words: str) -> str:
    table = _SQLITE if code.startswith("SQLITE_") else _SQLSTATE
    for prefix, meaning in table if code else ():
        if code.startswith(prefix):
            return meaning
    for needle, meaning in _WORDS:
        if needle in words:
            return meaning
    return "the database refused the write"


class DatabaseWriteFailed(Exception):
    """A command's write was refused by the database part-way. Its message is safe to print
    (no personal data) and says what was stored and what to do; the command exits 4."""

    exit_code = 4
