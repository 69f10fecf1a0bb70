"""`/healthz` (liveness: the process answers; no database access) and the database checks
`/readyz` (ops/readiness.py) and `safetynet doctor` use: is it reachable, are all migrations applied?

Liveness must not touch the database: a supervisor that restarts a web process whose database is
down would restart every process for nothing. Readiness says whether the service works.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Return "app.migration" names not yet applied to the database `alias`."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_health(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    result: dict[str, Any] = {"database": "ok", "migrations": "ok"}
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means unreachable; details go nowhere public
        result["database"] = "unreachable"
        result["migrations"] = "unknown"
        result["status"] = "fail"
        return result
    pending = pending_migrations(alias)
    if pending:
        result["migrations"] = f"{len(pending)} pending"
    result["status"] = "ok" if not pending else "fail"
    return result


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok"} whenever the process can answer a request."""
    return JsonResponse({"status": "ok"})
