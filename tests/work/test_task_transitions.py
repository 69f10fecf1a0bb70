"""The task owns the human decision: its transition methods refuse illegal moves and stamp
who and when; whether it is overdue is judged at a given time, on the row and in a query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.work.models import IllegalMove, Task
from safetynet.work.services import sync_tasks


@pytest.fixture
def task(findings: Any, clock: Any) -> Task:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    return Task.objects.get()


def test_acknowledging_stamps_who_and_when_once(task: Task, clock: Any, sergeant: Any) -> None:
    assert task.acknowledge(sergeant, clock.now()) is True
    assert (task.state, task.acknowledged_by, task.acknowledged_at) == ("acknowledged", sergeant, clock.now())
    assert task.acknowledge(sergeant, clock.now() + dt.timedelta(hours=1)) is False
    assert task.acknowledged_at == clock.now()


def test_resolving_stamps_who_when_and_the_rationale(task: Task, clock: Any, sergeant: Any) -> None:
    task.resolve(sergeant, "  Review recorded; plan agreed.  ", clock.now())
    assert (task.state, task.resolved_by, task.resolved_at, task.rationale) == (
        "resolved",
        sergeant,
        clock.now(),
        "Review recorded; plan agreed.",
    )


def test_cannot_resolve_without_a_rationale(task: Task, clock: Any, sergeant: Any) -> None:
    with pytest.raises(IllegalMove, match="without a rationale"):
        task.resolve(sergeant, "   ", clock.now())
    assert task.state == "open"


@pytest.mark.parametrize("final", ["resolve", "close"])
def test_cannot_act_on_a_task_that_is_no_longer_current(task: Task, clock: Any, sergeant: Any, final: str) -> None:
    if final == "resolve":
        task.resolve(sergeant, "Review recorded.", clock.now())
    else:
        task.close(clock.now())
    for move in (
        lambda: task.acknowledge(sergeant, clock.now()),
        lambda: task.resolve(sergeant, "Again.", clock.now()),
        lambda: task.assign(sergeant, ""),
        lambda: task.close(clock.now()),
    ):
        with pytest.raises(IllegalMove, match="expected an open or acknowledged task"):
            move()


def test_a_task_is_overdue_once_its_deadline_passed_while_it_is_current(task: Task, clock: Any) -> None:
    due = task.due_at
    assert due is not None
    assert not task.is_overdue(due)
    assert task.is_overdue(due + dt.timedelta(seconds=1))
    assert list(Task.objects.overdue(due + dt.timedelta(seconds=1))) == [task]
    assert not Task.objects.overdue(due).exists()
    task.close(due)
    task.save()
    assert not task.is_overdue(due + dt.timedelta(days=1))
    assert not Task.objects.overdue(due + dt.timedelta(days=1)).exists()


def test_a_task_is_due_soon_within_the_hour_before_its_deadline_while_it_is_current(
    task: Task, clock: Any, sergeant: Any
) -> None:
    due = task.due_at
    assert due is not None
    assert not task.is_due_soon(due - dt.timedelta(hours=1))
    assert task.is_due_soon(due - dt.timedelta(minutes=59))
    assert task.is_due_soon(due)
    assert not task.is_due_soon(due + dt.timedelta(seconds=1))  # overdue by then
    task.resolve(sergeant, "Review recorded.", clock.now())
    assert not task.is_due_soon(due) and not task.is_overdue(due + dt.timedelta(hours=1))
