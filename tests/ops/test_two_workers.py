"""Two `safetynet worker` processes against one PostgreSQL database escalate each overdue task once.

Real processes (the command a force runs), not threads: each has its own connection, sweeper
and heartbeat. Both first sweeps race to create the tasks from the findings (serialised by an
advisory lock: docs/operations.md); the deadlines are then moved to pass while both are beating, so
their sweeps (every 0.2 s) race to escalate the same rows (claimed with SKIP LOCKED).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from safetynet.lib.clock import WallClock
from safetynet.risk.models import Finding
from safetynet.work.models import Task, TaskEvent, WorkerHeartbeat
from tests.work.conftest import Findings

SRC = str(Path(__file__).resolve().parents[2] / "src")
TASKS_PER_ROLE = 150


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(tmp_path: Path, n: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        PYTHONPATH=SRC,
        DJANGO_SETTINGS_MODULE="safetynet.settings.dev",
        DATABASE_URL=_database_url(),
        SAFETYNET_DATA_DIR=str(tmp_path),
        SAFETYNET_LOG_JSON="true",
    )
    log = (tmp_path / f"worker-{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "safetynet", "worker", "--sweep-every", "0.2", "--interval", "0.2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_escalate_each_overdue_task_exactly_once(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes share a PostgreSQL database; the embedded SQLite is one machine's")
    wall = WallClock()
    findings = Findings(wall.now())
    for _ in range(TASKS_PER_ROLE):
        findings.make("M2", owner_role="sergeant", due_in=dt.timedelta(hours=1))  # escalates to the inspector
        findings.make("M2", owner_role="superintendent", due_in=dt.timedelta(hours=1))  # top of the chain
    # No tasks yet: both workers' first sweeps race to create them from the findings, too.
    workers = [_start_worker(tmp_path, n) for n in (1, 2)]
    try:
        assert _wait_for(lambda: WorkerHeartbeat.objects.count() == 2, 20), "both workers should beat"
        # The first sweeps create the tasks (once each); only then can they fall due.
        assert _wait_for(lambda: Task.objects.count() == 2 * TASKS_PER_ROLE, 20), "the workers should sync"
        due = wall.now() + dt.timedelta(seconds=0.5)
        Finding.objects.update(due_by=due)  # the sweep's sync moves a task's deadline to its finding's
        Task.objects.update(due_at=due)
        settled = _wait_for(
            lambda: (
                not Task.objects.filter(owner_role="sergeant").exists()
                and not Task.objects.filter(owner_role="superintendent", escalation_exhausted=False).exists()
            ),
            15,
        )
        time.sleep(1)  # a few more sweeps of both workers: nothing may move twice
        assert settled, "every overdue task should have been swept"
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2))
    assert "sweep failed" not in logs, logs[-2000:]
    moves = Counter(
        TaskEvent.objects.filter(action__in=[TaskEvent.Action.ESCALATED, TaskEvent.Action.EXHAUSTED]).values_list(
            "task_id", flat=True
        )
    )
    assert len(moves) == 2 * TASKS_PER_ROLE
    assert set(moves.values()) == {1}, "a task escalated twice"
    assert Task.objects.filter(owner_role="inspector", escalation_level=1).count() == TASKS_PER_ROLE
    created = Counter(TaskEvent.objects.filter(action=TaskEvent.Action.CREATED).values_list("task_id", flat=True))
    assert len(created) == 2 * TASKS_PER_ROLE and set(created.values()) == {1}, "a task was created twice"
    assert not WorkerHeartbeat.objects.exists(), "a worker that stopped cleanly deletes its heartbeat"
