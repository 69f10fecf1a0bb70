"""Start Django for a command, turning configuration problems into one-line errors."""

from __future__ import annotations

import atexit
import gc
import os
from pathlib import Path

from safetynet.cli.errors import UsageError

DEFAULT_SETTINGS = "safetynet.settings.dev"


def setup_django() -> None:
    """Configure settings and start Django; raise UsageError on a fixable problem."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    try:
        django.setup()
        from django.conf import settings

        db = settings.DATABASES["default"]
    except ImproperlyConfigured as exc:
        raise UsageError(str(exc)) from None
    if db["ENGINE"].endswith("sqlite3"):
        _ensure_writable(Path(str(db["NAME"])).parent)
    _freeze_startup_objects()


_frozen = False


def _freeze_startup_objects() -> None:
    """Move what start-up allocated (Django, the models, the policy: hundreds of thousands of
    objects that live as long as the process) out of the cyclic garbage collector's sight,
    once per process. Each full collection would otherwise walk them all again; an import
    allocates enough to trigger one every few chunks, which cost about 15% of its CPU."""
    global _frozen
    if not _frozen:
        from django.db import connections

        gc.collect()
        gc.freeze()
        # Frozen objects are not finalised at exit, so the database connections are closed
        # explicitly: SQLite then checkpoints its write-ahead log into the database file,
        # which stays complete on its own (a copy of it is a backup).
        atexit.register(connections.close_all)
        _frozen = True


def _ensure_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise UsageError(
            f"cannot create the data directory {directory}; set SAFETYNET_DATA_DIR to a writable directory."
        ) from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(
            f"the data directory {directory} is not writable; set SAFETYNET_DATA_DIR to a writable directory."
        )


def describe_database() -> str:
    """A one-line description of the database in use, without any password."""
    from django.db import connection

    cfg = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {cfg['NAME']}"
    host = cfg.get("HOST") or "local socket"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"PostgreSQL database {cfg['NAME']!r} on {host}{port} as {cfg.get('USER') or 'default user'}"


def ensure_database() -> None:
    """Raise UsageError with what to do when the database cannot be reached."""
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        hint = (
            "is PostgreSQL running and does DATABASE_URL name the right host, port and database?"
            if connection.vendor != "sqlite"
            else "is the data directory readable and writable?"
        )
        raise UsageError(f"cannot reach the {describe_database()}: {hint}") from None
