"""The deadline sweeper: overdue work escalates while nobody is running a command."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

import pytest

from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from safetynet.work import scheduler
from safetynet.work.models import Task


@pytest.fixture
def queue_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The task queue's own runner (django-tasks' db_worker, which closes the test's database
    connection) is recorded instead of run; the sweep around it is real."""
    runs: list[dict[str, Any]] = []

    def call_command(name: str, **options: Any) -> None:
        runs.append({"command": name, **options})

    monkeypatch.setattr("django.core.management.call_command", call_command)
    return runs


def test_worker_batch_sweeps_then_runs_the_queue(findings: Any, queue_runs: list[dict[str, Any]]) -> None:
    findings.make("M2", due_in=dt.timedelta(hours=1))  # due in March: long overdue by the wall clock
    assert main(["worker", "--batch"]) == 0
    task = Task.objects.get()
    assert (task.owner_role, task.escalation_level) == ("inspector", 1)
    assert list(task.history.values_list("action", flat=True)) == ["created", "escalated"]
    assert queue_runs == [{"command": "db_worker", "interval": 1.0, "batch": True}]


def test_worker_sweep_every_zero_leaves_the_work_alone(findings: Any, queue_runs: list[dict[str, Any]]) -> None:
    findings.make("M2", due_in=dt.timedelta(hours=1))
    assert main(["worker", "--batch", "--sweep-every", "0"]) == 0
    assert not Task.objects.exists()
    assert len(queue_runs) == 1


def test_worker_refuses_a_negative_sweep_interval(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--sweep-every", "-5"]) == 2
    assert "--sweep-every must be 0 (off) or a number of seconds" in capsys.readouterr().err


def test_worker_refuses_a_niceness_the_system_does_not_have(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--nice", "20"]) == 2
    assert "--nice must be from 0 to 19 (got 20)" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_thread_escalates_an_overdue_task_on_its_own(findings: Any, clock: FixedClock) -> None:
    findings.make("M2", due_in=dt.timedelta(hours=1))
    later = FixedClock(clock.now() + dt.timedelta(hours=2))
    stop = scheduler.start_sweeper(0.05, clock=later)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not Task.objects.filter(owner_role="inspector").exists():
            time.sleep(0.05)
    finally:
        stop.set()
    task = Task.objects.get()
    assert (task.owner_role, task.escalation_level) == ("inspector", 1)
    # Later sweeps at the same moment escalate nothing again.
    assert task.history.filter(action="escalated").count() == 1


@pytest.mark.django_db(transaction=True)  # the loop closes stale connections between sweeps
def test_a_failed_sweep_is_logged_without_detail_and_the_next_one_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, clock: FixedClock
) -> None:
    stop = threading.Event()
    calls: list[int] = []

    def flaky(*, clock: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kayleigh Ashcombe, 2012-04-09")  # must never reach the log
        stop.set()
        return scheduler.SweepRun(scheduler.SyncReport(), scheduler.SweepReport())

    monkeypatch.setattr(scheduler, "sweep_once", flaky)
    with caplog.at_level(logging.ERROR, logger="safetynet.work.scheduler"):
        completed = scheduler.sweep_periodically(0, stop, clock=clock)
    assert (len(calls), completed) == (2, 1)
    assert "deadline sweep failed (RuntimeError)" in caplog.text
    assert "Kayleigh" not in caplog.text
