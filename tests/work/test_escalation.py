"""Deadlines that pass escalate sergeant -> inspector -> superintendent; time moves, nobody sleeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.risk.policy import current_policy
from safetynet.work.models import Task
from safetynet.work.services import acknowledge, sweep, sync_tasks


def test_nothing_escalates_before_the_deadline(findings: Any, clock: Any) -> None:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    clock.advance(minutes=59)
    assert sweep(clock=clock).escalations == []
    assert Task.objects.get().owner_role == "sergeant"


def test_an_overdue_task_climbs_the_chain_one_step_per_missed_deadline(findings: Any, clock: Any) -> None:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    step = dt.timedelta(hours=float(current_policy().document.escalation.step_hours))

    clock.advance(hours=1, minutes=1)
    report = sweep(clock=clock)
    task = Task.objects.get()
    assert [(e.from_role, e.to_role) for e in report.escalations] == [("sergeant", "inspector")]
    assert (task.owner_role, task.escalation_level, task.due_at) == ("inspector", 1, clock.now() + step)

    clock.advance(hours=step.total_seconds() / 3600 + 0.1)
    sweep(clock=clock)
    task.refresh_from_db()
    assert (task.owner_role, task.escalation_level) == ("superintendent", 2)

    clock.advance(hours=step.total_seconds() / 3600 + 0.1)
    report = sweep(clock=clock)
    task.refresh_from_db()
    assert report.exhausted == 1
    assert task.owner_role == "superintendent"
    assert task.escalation_exhausted
    assert list(task.history.values_list("action", flat=True)) == ["created", "escalated", "escalated", "exhausted"]
    # At the top, the overdue task is recorded once, not on every sweep.
    clock.advance(hours=5)
    assert sweep(clock=clock).escalations == []


def test_a_second_sweep_at_the_same_moment_escalates_nothing_again(findings: Any, clock: Any) -> None:
    findings.make(due_in=dt.timedelta(hours=1))
    findings.make(due_in=dt.timedelta(hours=2))
    sync_tasks(clock=clock)
    clock.advance(hours=3)
    assert sweep(clock=clock).escalated == 2
    assert sweep(clock=clock).escalated == 0
    assert set(Task.objects.values_list("escalation_level", flat=True)) == {1}


def test_a_role_off_the_police_chain_escalates_to_its_first_step(findings: Any, clock: Any) -> None:
    findings.make("H1", owner_role="mash_officer", due_in=dt.timedelta(hours=4))
    sync_tasks(clock=clock)
    clock.advance(hours=4, minutes=1)
    sweep(clock=clock)
    assert Task.objects.get().owner_role == "sergeant"


def test_acknowledging_does_not_stop_the_deadline(findings: Any, clock: Any, sergeant: Any) -> None:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    acknowledge(Task.objects.get().pk, acting_user=sergeant, clock=clock)
    clock.advance(hours=2)
    assert sweep(clock=clock).escalated == 1
    task = Task.objects.get()
    assert (task.state, task.owner_role) == ("acknowledged", "inspector")
    assert task.assignee is None
