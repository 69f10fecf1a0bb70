"""/healthz (liveness) and /readyz (database, migrations, worker heartbeat, queue lag)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from safetynet.lib import health
from safetynet.lib.clock import FixedClock
from safetynet.work.heartbeat import WorkerIdentity, beat
from safetynet.work.services import sync_tasks

WORKER = WorkerIdentity(host="web-1", pid=4242)


@pytest.fixture
def pinned(settings: Any, clock: FixedClock) -> FixedClock:
    settings.SAFETYNET_CLOCK = clock
    return clock


def _queue_job(enqueued_at: dt.datetime) -> None:
    job = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="safetynet.risk.jobs.evaluate_later",
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=enqueued_at)


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert [q["sql"] for q in queries.captured_queries] == []


@pytest.mark.django_db
def test_readyz_is_ready_with_a_beating_worker_and_nothing_waiting(client: Client, pinned: FixedClock) -> None:
    beat(WORKER, clock=pinned)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "migrations", "worker", "queue"}
    assert body["checks"]["worker"]["detail"].startswith("1 worker(s), newest heartbeat 0 s ago")


@pytest.mark.django_db
def test_readyz_fails_naming_the_worker_when_no_worker_has_beaten(client: Client, pinned: FixedClock) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert "no worker heartbeat" in response.json()["checks"]["worker"]["detail"]


@pytest.mark.django_db
def test_readyz_fails_when_the_newest_heartbeat_is_older_than_the_limit(
    client: Client, pinned: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_READY_HEARTBEAT_SECONDS = 60
    beat(WORKER, clock=pinned)
    pinned.advance(seconds=59)
    assert client.get("/readyz").status_code == 200
    pinned.advance(seconds=2)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert "newest heartbeat 61 s ago (limit 60 s)" in response.json()["checks"]["worker"]["detail"]


@pytest.mark.django_db
def test_readyz_fails_naming_the_queue_when_a_job_waits_too_long(
    client: Client, pinned: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_READY_QUEUE_LAG_SECONDS = 300
    beat(WORKER, clock=pinned)
    _queue_job(pinned.now() - dt.timedelta(seconds=200))
    assert client.get("/readyz").status_code == 200
    _queue_job(pinned.now() - dt.timedelta(seconds=400))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["queue"]
    assert "2 job(s) due, oldest waiting 400 s" in response.json()["checks"]["queue"]["detail"]


@pytest.mark.django_db
def test_readyz_fails_when_an_overdue_task_waits_for_the_sweeper(
    client: Client, findings: Any, pinned: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_READY_QUEUE_LAG_SECONDS = 300
    findings.make("M2", due_in=dt.timedelta(hours=1))
    sync_tasks(clock=pinned)
    beat(WORKER, clock=pinned)
    pinned.advance(hours=1, seconds=100)
    beat(WORKER, clock=pinned)
    assert client.get("/readyz").status_code == 200
    pinned.advance(seconds=300)
    beat(WORKER, clock=pinned)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["queue"]
    assert "oldest overdue task not yet escalated 400 s" in response.json()["checks"]["queue"]["detail"]


@pytest.mark.django_db
def test_readyz_fails_naming_migrations_when_some_are_pending(
    client: Client, pinned: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat(WORKER, clock=pinned)
    monkeypatch.setattr(health, "pending_migrations", lambda alias="default": ["work.0099_future"])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations", "worker", "queue"]
    assert body["checks"]["migrations"]["detail"] == "1 pending"
