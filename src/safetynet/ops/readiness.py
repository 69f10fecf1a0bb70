"""`/readyz`: is the service doing its work? The database answers, every migration is applied,
a task worker is beating, and nothing waits in the queue for longer than the limit.

`/healthz` (lib/health.py) says only that the process answers; `/readyz` says whether the service
as a whole is keeping its clocks: a dead worker means deadlines pass with no one escalating them,
which no page would show. Answers 200 when every check passes, 503 naming each failing check;
the answer names counts and ages, never data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from safetynet.lib.clock import Clock, system_clock
from safetynet.lib.health import check_health
from safetynet.work.heartbeat import newest_beat
from safetynet.work.models import Task


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class QueueLag:
    """How long the oldest due work has waited: a job in the task queue (due since it was queued
    or its run-after time) and an overdue task the deadline sweeper has not yet escalated."""

    oldest_job: dt.timedelta | None
    oldest_unswept_task: dt.timedelta | None
    jobs_ready: int

    @property
    def worst(self) -> dt.timedelta:
        return max((lag for lag in (self.oldest_job, self.oldest_unswept_task) if lag is not None), default=_ZERO)


_ZERO = dt.timedelta(0)


def queue_lag(*, clock: Clock = system_clock) -> QueueLag:
    now = clock.now()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    unscheduled = ready.filter(run_after=get_date_max()).aggregate(oldest=Min("enqueued_at"))["oldest"]
    scheduled = ready.filter(run_after__lte=now).aggregate(oldest=Min("run_after"))["oldest"]
    due = [at for at in (unscheduled, scheduled) if at is not None]
    jobs_ready = ready.filter(run_after__lte=now).count() + ready.filter(run_after=get_date_max()).count()
    waiting = Task.objects.past_deadline(now).filter(escalation_exhausted=False)
    unswept = waiting.aggregate(oldest=Min("due_at"))["oldest"]
    return QueueLag(
        oldest_job=max(now - min(due), _ZERO) if due else None,
        oldest_unswept_task=max(now - unswept, _ZERO) if unswept is not None else None,
        jobs_ready=jobs_ready,
    )


def heartbeat_age(*, clock: Clock = system_clock) -> tuple[dt.timedelta | None, int]:
    """How long since the newest worker heartbeat (None: no worker has beaten) and how many
    workers have rows."""
    newest, workers = newest_beat()
    return (max(clock.now() - newest, _ZERO) if newest is not None else None), workers


def _seconds(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds():.0f} s"


def worker_check(*, clock: Clock = system_clock) -> Check:
    limit = dt.timedelta(seconds=settings.SAFETYNET_READY_HEARTBEAT_SECONDS)
    age, workers = heartbeat_age(clock=clock)
    if age is None:
        return Check("worker", False, "no worker heartbeat: start 'safetynet worker'")
    detail = f"{workers} worker(s), newest heartbeat {_seconds(age)} ago (limit {_seconds(limit)})"
    return Check("worker", age <= limit, detail)


def queue_check(*, clock: Clock = system_clock) -> Check:
    limit = dt.timedelta(seconds=settings.SAFETYNET_READY_QUEUE_LAG_SECONDS)
    lag = queue_lag(clock=clock)
    job = _seconds(lag.oldest_job) if lag.oldest_job is not None else "none"
    task = _seconds(lag.oldest_unswept_task) if lag.oldest_unswept_task is not None else "none"
    detail = (
        f"{lag.jobs_ready} job(s) due, oldest waiting {job}; oldest overdue task not yet escalated {task} "
        f"(limit {_seconds(limit)})"
    )
    return Check("queue", lag.worst <= limit, detail)


def readiness(*, clock: Clock = system_clock) -> list[Check]:
    """Every check, in order; the worker and queue checks run only on a reachable, migrated database."""
    health = check_health()
    checks = [
        Check("database", health["database"] == "ok", "answers" if health["database"] == "ok" else "unreachable"),
        Check(
            "migrations",
            health["migrations"] == "ok",
            "all applied" if health["migrations"] == "ok" else str(health["migrations"]),
        ),
    ]
    if health["status"] != "ok":
        skipped = "not checked: the database is unreachable or migrations are pending"
        return [*checks, Check("worker", False, skipped), Check("queue", False, skipped)]
    for check in (worker_check, queue_check):
        try:
            checks.append(check(clock=clock))
        except DatabaseError as error:
            checks.append(Check(check.__name__.removesuffix("_check"), False, f"query failed ({type(error).__name__})"))
    return checks


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    failing = [c.name for c in checks if not c.ok]
    body: dict[str, Any] = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=503 if failing else 200)
