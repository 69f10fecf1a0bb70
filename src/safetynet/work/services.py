"""Work services: tasks from findings, the escalation sweep, assignment, acknowledgement
and resolution with a language-checked rationale.

Every state change is one atomic function with a keyword-only `acting_user` (None for the
system, e.g. the sweep) and an injected `clock`, so tests move time instead of sleeping and
"as of" listings are exact. Views, the CLI and background tasks call these and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from safetynet.lib.clock import Clock, system_clock
from safetynet.risk.models import Finding
from safetynet.risk.policy import LanguageMatch, Policy, current_policy
from safetynet.work.models import Task, TaskEvent

log = logging.getLogger(__name__)

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class WorkError(Exception):
    """A request the task's state does not allow (message names the task and what was expected)."""


class RationaleRefused(WorkError):
    """A resolution rationale that is empty or uses language that blames the child.

    `matches` holds each flagged phrase with its reason and suggested wording."""

    def __init__(self, message: str, matches: list[LanguageMatch] | None = None) -> None:
        super().__init__(message)
        self.matches = matches or []


@dataclass
class SyncReport:
    """What `sync_tasks` did: tasks created, tasks closed because their finding cleared."""

    created: int = 0
    closed: int = 0
    updated: int = 0


@dataclass(frozen=True)
class Escalation:
    """One overdue task moved up the chain (to_role None: already at the top)."""

    task_id: int
    clause: str
    from_role: str
    to_role: str | None
    due_at: dt.datetime | None


@dataclass
class SweepReport:
    escalations: list[Escalation] = field(default_factory=list)

    @property
    def escalated(self) -> int:
        return sum(1 for e in self.escalations if e.to_role is not None)

    @property
    def exhausted(self) -> int:
        return sum(1 for e in self.escalations if e.to_role is None)


def _due_for(finding: Finding, policy: Policy) -> dt.datetime:
    """A finding's deadline: its own clock when a clause sets one, else the severity's response time."""
    return finding.due_by or finding.raised_at + policy.response_time(finding.severity)


def sync_tasks(
    *,
    acting_user: Any = None,
    clock: Clock = system_clock,
    policy: Policy | None = None,
    individual_ids: Iterable[int] | None = None,
) -> SyncReport:
    """Creates a task for every current finding without one and closes tasks whose finding
    closed by itself; returns the counts. Idempotent: running it twice changes nothing."""
    policy = policy or current_policy()
    now = clock.now()
    report = SyncReport()
    findings = Finding.objects.filter(state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED), task__isnull=True)
    tasks = Task.objects.filter(state__in=Task.CURRENT).exclude(
        finding__state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED)
    )
    moved = Task.objects.filter(state__in=Task.CURRENT, escalation_level=0, finding__due_by__isnull=False).exclude(
        due_at=F("finding__due_by")
    )
    if individual_ids is not None:
        ids = list(individual_ids)
        findings = findings.filter(individual_id__in=ids)
        tasks = tasks.filter(individual_id__in=ids)
        moved = moved.filter(individual_id__in=ids)
    with transaction.atomic():
        new = [
            Task(
                finding=f,
                individual_id=f.individual_id,
                clause=f.clause,
                severity=f.severity,
                reason=f.reason,
                owner_role=f.owner_role,
                due_at=_due_for(f, policy),
                state=Task.State.ACKNOWLEDGED if f.state == Finding.State.ACKNOWLEDGED else Task.State.OPEN,
                created_at=now,
            )
            for f in findings.iterator(chunk_size=2000)
        ]
        Task.objects.bulk_create(new, batch_size=1000)
        created = Task.objects.filter(finding_id__in=[t.finding_id for t in new]).values_list("pk", "owner_role")
        TaskEvent.objects.bulk_create(
            [TaskEvent(task_id=pk, at=now, action=TaskEvent.Action.CREATED, to_role=role) for pk, role in created],
            batch_size=1000,
        )
        report.created = len(new)
        # A finding whose clock moved (a review recorded, a re-review due) moves its task,
        # unless the task has already escalated on the old deadline.
        for task in moved.select_related("finding"):
            Task.objects.filter(pk=task.pk).update(due_at=task.finding.due_by)
            report.updated += 1
        for pk, finding_state, role in tasks.values_list("pk", "finding__state", "owner_role"):
            if finding_state == Finding.State.RESOLVED:
                continue  # resolved through the finding: the task was resolved with it
            Task.objects.filter(pk=pk).update(state=Task.State.CLOSED, closed_at=now)
            TaskEvent.objects.create(
                task_id=pk,
                at=now,
                action=TaskEvent.Action.CLOSED,
                from_role=role,
                note="the finding's condition cleared",
            )
            report.closed += 1
    return report


def sweep(*, clock: Clock = system_clock, policy: Policy | None = None, acting_user: Any = None) -> SweepReport:
    """Escalates every current task whose deadline has passed one step up the policy's chain
    (sergeant -> inspector -> superintendent; a role off the chain goes to its first step),
    giving the new owner `escalation.step_hours`; a task overdue at the top is marked
    exhausted once. Returns what moved.

    Each row is claimed with a compare-and-set UPDATE (same owner and deadline as read), so
    two sweeps running at once never escalate the same task twice."""
    policy = policy or current_policy()
    now = clock.now()
    step = dt.timedelta(hours=float(policy.document.escalation.step_hours))
    report = SweepReport()
    overdue = Task.objects.filter(state__in=Task.CURRENT, due_at__lt=now, escalation_exhausted=False).values_list(
        "pk", "clause", "owner_role", "due_at"
    )
    for pk, clause, role, due in overdue.iterator(chunk_size=2000):
        to_role = policy.escalation_after(role)
        with transaction.atomic():
            claim = Task.objects.filter(pk=pk, owner_role=role, due_at=due, state__in=Task.CURRENT)
            if to_role is None:
                won = claim.update(escalation_exhausted=True, escalated_at=now)
                note = "deadline passed at the top of the escalation chain"
                action = TaskEvent.Action.EXHAUSTED
                new_due = due
            else:
                new_due = now + step
                won = claim.update(
                    owner_role=to_role,
                    due_at=new_due,
                    assignee=None,
                    escalation_level=F("escalation_level") + 1,
                    escalated_at=now,
                )
                note = f"deadline passed; escalated from {role} to {to_role}"
                action = TaskEvent.Action.ESCALATED
            if not won:
                continue  # another sweep, or a person, changed it first
            TaskEvent.objects.create(
                task_id=pk, at=now, action=action, from_role=role, to_role=to_role or "", note=note
            )
        report.escalations.append(Escalation(pk, clause, role, to_role, new_due))
    if report.escalations:
        log.info("work: sweep escalated %d task(s), %d at the top", report.escalated, report.exhausted)
    return report


def _current(task_id: int) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise WorkError(f"task {task_id} does not exist")
    if not task.is_current:
        raise WorkError(f"task {task_id} is {task.state}; expected an open or acknowledged task")
    return task


def assign(
    task_id: int, *, acting_user: Any, clock: Clock = system_clock, assignee: Any = None, team: str = ""
) -> Task:
    """Gives the task to a person and/or a team (the owner role stays); returns the task."""
    if assignee is None and not team:
        raise WorkError("assign needs a person or a team code")
    with transaction.atomic():
        task = _current(task_id)
        task.assignee = assignee
        task.team = team
        task.save(update_fields=["assignee", "team"])
        who = f"team {team}" if team else "a named person"
        if assignee is not None and team:
            who = f"a named person in team {team}"
        TaskEvent.objects.create(
            task=task, at=clock.now(), action=TaskEvent.Action.ASSIGNED, actor=acting_user, note=f"assigned to {who}"
        )
    return task


def acknowledge(task_id: int, *, acting_user: Any, clock: Clock = system_clock) -> Task:
    """Records that someone has seen the task and is acting on it (the deadline still runs);
    the finding is acknowledged with it. Returns the task."""
    now = clock.now()
    with transaction.atomic():
        task = _current(task_id)
        if task.state == Task.State.ACKNOWLEDGED:
            return task
        task.state = Task.State.ACKNOWLEDGED
        task.acknowledged_at = now
        task.acknowledged_by = acting_user
        task.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        Finding.objects.filter(pk=task.finding_id, state=Finding.State.OPEN).update(
            state=Finding.State.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=acting_user
        )
        TaskEvent.objects.create(
            task=task, at=now, action=TaskEvent.Action.ACKNOWLEDGED, actor=acting_user, from_role=task.owner_role
        )
    return task


def check_rationale(rationale: str, policy: Policy) -> None:
    """Raises RationaleRefused when the rationale is empty or uses flagged language; the
    message names each phrase, why it matters and the suggested wording."""
    if not rationale or not rationale.strip():
        raise RationaleRefused("a rationale is required to resolve a task: say what was done and why it is enough")
    matches = policy.check_language(rationale)
    if matches:
        raise RationaleRefused(
            "the rationale uses language that blames the child: " + "; ".join(m.message() for m in matches), matches
        )


def resolve(
    task_id: int, *, acting_user: Any, rationale: str, clock: Clock = system_clock, policy: Policy | None = None
) -> Task:
    """Resolves the task and its finding with a rationale that passes the language check
    (RationaleRefused otherwise, naming the phrase, the reason and the suggested wording).
    Returns the task."""
    policy = policy or current_policy()
    check_rationale(rationale, policy)
    now = clock.now()
    with transaction.atomic():
        task = _current(task_id)
        task.state = Task.State.RESOLVED
        task.resolved_at = now
        task.resolved_by = acting_user
        task.rationale = rationale.strip()
        task.save(update_fields=["state", "resolved_at", "resolved_by", "rationale"])
        Finding.objects.filter(pk=task.finding_id, state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED)).update(
            state=Finding.State.RESOLVED, resolved_at=now, resolved_by=acting_user, rationale=task.rationale
        )
        TaskEvent.objects.create(
            task=task, at=now, action=TaskEvent.Action.RESOLVED, actor=acting_user, from_role=task.owner_role
        )
    return task


def open_tasks(
    *, as_of: dt.datetime | None = None, role: str | None = None, individual_id: int | None = None
) -> QuerySet[Task]:
    """Returns current tasks (as they stand now, created by `as_of`), most urgent first:
    overdue before due, then by deadline, then severity."""
    qs = Task.objects.filter(state__in=Task.CURRENT)
    if as_of is not None:
        qs = qs.filter(created_at__lte=as_of)
    if role:
        qs = qs.filter(owner_role=role)
    if individual_id is not None:
        qs = qs.filter(individual_id=individual_id)
    return qs.order_by(F("due_at").asc(nulls_last=True), "pk")


def task_as_dict(task: Task, now: dt.datetime) -> dict[str, Any]:
    """Returns the task as one JSON-ready object (what `safetynet alerts --json` prints)."""
    return {
        "task": task.pk,
        "finding": task.finding_id,
        "individual": task.individual_id,
        "clause": task.clause,
        "severity": task.severity,
        "reason": task.reason,
        "owner_role": task.owner_role,
        "team": task.team or None,
        "assignee": task.assignee_id,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "overdue": bool(task.due_at and task.due_at < now),
        "escalation_level": task.escalation_level,
        "state": task.state,
    }


def overdue_filter(now: dt.datetime) -> Q:
    return Q(state__in=Task.CURRENT, due_at__lt=now)
