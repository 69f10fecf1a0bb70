"""An escalated task stays overdue: the sweep gives the next rank its own clock (`due_at`) but
keeps the first deadline missed (`late_since`), so the task counts and shows as overdue on
every screen until it is resolved, while the sweep still escalates on the owner's clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from safetynet.ops.readiness import queue_lag
from safetynet.risk.policy import current_policy
from safetynet.work.models import Task, TaskEvent
from safetynet.work.services import open_tasks, oversight, resolve, sweep, sync_tasks, task_as_dict


def _escalated(findings: Any, clock: Any) -> tuple[Task, dt.datetime]:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    missed = Task.objects.get().due_at
    assert missed is not None
    clock.advance(hours=1, minutes=1)
    sweep(clock=clock)
    return Task.objects.get(), missed


def test_an_escalated_task_is_overdue_since_the_deadline_it_missed(findings: Any, clock: Any) -> None:
    task, missed = _escalated(findings, clock)
    assert (task.owner_role, task.escalation_level, task.late_since) == ("inspector", 1, missed)
    assert task.due_at is not None and task.due_at > clock.now()  # the inspector's clock runs
    assert task.is_overdue(clock.now()) and task.overdue_since(clock.now()) == missed
    assert not task.is_due_soon(task.due_at - dt.timedelta(minutes=5))  # late, not "due soon"
    assert list(Task.objects.overdue(clock.now())) == [task]
    assert task_as_dict(task, clock.now())["overdue"] is True  # `safetynet alerts --json`


def test_the_sweep_waits_for_the_next_ranks_clock_and_keeps_the_first_deadline(findings: Any, clock: Any) -> None:
    task, missed = _escalated(findings, clock)
    assert sweep(clock=clock).escalations == []  # overdue, but the inspector's deadline has not passed
    assert not Task.objects.past_deadline(clock.now()).exists()
    assert queue_lag(clock=clock).oldest_unswept_task is None  # readiness: nothing waits for the sweeper
    step = float(current_policy().document.escalation.step_hours)
    clock.advance(hours=step + 0.1)
    assert [e.to_role for e in sweep(clock=clock).escalations] == ["superintendent"]
    clock.advance(hours=step + 0.1)
    assert sweep(clock=clock).exhausted == 1
    task.refresh_from_db()
    assert (task.escalation_level, task.escalation_exhausted, task.late_since) == (2, True, missed)
    assert [e.action for e in TaskEvent.objects.filter(task=task)] == ["created", "escalated", "escalated", "exhausted"]


def test_a_resolved_or_reopened_task_is_no_longer_late(findings: Any, clock: Any) -> None:
    task, _missed = _escalated(findings, clock)
    resolve(task.pk, acting_user=None, rationale="Inspector reviewed; trigger plan agreed with the carer.", clock=clock)
    task.refresh_from_db()
    assert not task.is_overdue(clock.now()) and not Task.objects.overdue(clock.now()).exists()
    task.reopen(
        at=clock.now(), because="new record", due_at=clock.now() + dt.timedelta(hours=4), severity="high", reason="r"
    )
    task.save()
    assert task.late_since is None and not task.is_overdue(clock.now())
    assert list(open_tasks()) == [task]


def test_a_supervisors_overdue_count_includes_escalated_work(findings: Any, clock: Any) -> None:
    _escalated(findings, clock)
    findings.make("M4", due_in=dt.timedelta(hours=1, minutes=30))  # due in 29 min: neither late nor escalated
    sync_tasks(clock=clock)
    watched = oversight(role="sergeant", team="", now=clock.now(), policy=current_policy())
    assert (watched.overdue, watched.escalated, watched.due_soon) == (1, 1, 1)
    assert watched.overdue_by_role == {"inspector": 1}


def test_the_migration_backfills_the_late_since_of_tasks_escalated_before_it(findings: Any, clock: Any) -> None:
    from importlib import import_module

    from django.apps import apps

    task, _missed = _escalated(findings, clock)
    escalated_at = TaskEvent.objects.get(task=task, action="escalated").at
    Task.objects.update(late_since=None)
    import_module("safetynet.work.migrations.0007_task_late_since").backfill(apps, None)
    task.refresh_from_db()
    assert task.late_since == escalated_at and task.is_overdue(clock.now() + dt.timedelta(minutes=1))
    Task.objects.filter(pk=task.pk).update(
        late_since=None, escalation_level=0, escalation_exhausted=True, due_at=F("created_at")
    )
    import_module("safetynet.work.migrations.0007_task_late_since").backfill(apps, None)
    task.refresh_from_db()
    assert task.late_since == task.created_at  # exhausted without climbing: its own deadline
