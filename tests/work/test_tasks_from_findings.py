"""Findings become tasks with an owner role and a deadline; a cleared finding closes its task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.risk.models import Finding
from safetynet.risk.policy import current_policy
from safetynet.work.models import Task, TaskEvent
from safetynet.work.services import open_tasks, sync_tasks


def test_each_current_finding_gets_one_task_with_its_owner_and_clock(findings: Any, clock: Any) -> None:
    finding = findings.make("M2", owner_role="sergeant", due_in=dt.timedelta(hours=1))
    report = sync_tasks(clock=clock)
    assert report.created == 1
    task = Task.objects.get(finding=finding)
    assert (task.owner_role, task.clause, task.state) == ("sergeant", "M2", "open")
    assert task.due_at == clock.now() + dt.timedelta(hours=1)
    assert task.reason == finding.reason
    assert task.history.get().action == TaskEvent.Action.CREATED


def test_syncing_twice_never_makes_a_second_task(findings: Any, clock: Any) -> None:
    findings.make()
    sync_tasks(clock=clock)
    assert sync_tasks(clock=clock).created == 0
    assert Task.objects.count() == 1


def test_a_finding_without_a_clock_is_due_within_its_severitys_response_time(findings: Any, clock: Any) -> None:
    findings.make("Q1", severity="low", owner_role="analyst", due_in=None)
    sync_tasks(clock=clock)
    expected = clock.now() + current_policy().response_time("low")
    assert Task.objects.get().due_at == expected


def test_a_finding_that_cleared_closes_its_task_and_the_closure_is_recorded(findings: Any, clock: Any) -> None:
    finding = findings.make()
    sync_tasks(clock=clock)
    Finding.objects.filter(pk=finding.pk).update(state=Finding.State.CLOSED, closed_at=clock.now())
    clock.advance(minutes=20)
    assert sync_tasks(clock=clock).closed == 1
    task = Task.objects.get()
    assert task.state == Task.State.CLOSED
    assert task.closed_at == clock.now()
    assert list(task.history.values_list("action", flat=True)) == ["created", "closed"]
    assert not open_tasks().exists()


def test_closed_and_resolved_findings_get_no_task(findings: Any, clock: Any) -> None:
    findings.make(state=Finding.State.CLOSED)
    findings.make(state=Finding.State.RESOLVED)
    assert sync_tasks(clock=clock).created == 0


def test_open_tasks_put_the_earliest_deadline_first(findings: Any, clock: Any) -> None:
    late = findings.make(due_in=dt.timedelta(hours=24))
    soon = findings.make(due_in=dt.timedelta(minutes=15))
    sync_tasks(clock=clock)
    assert [t.finding_id for t in open_tasks()] == [soon.pk, late.pk]
    assert [t.finding_id for t in open_tasks(role="inspector")] == []
