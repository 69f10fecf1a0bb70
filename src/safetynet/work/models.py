"""Tasks: the work a finding asks for, owned by a role (and optionally a person or a team),
with a deadline that escalates up the policy's chain when it passes.

One task per finding. The task copies the finding's clause, severity and reason so a queue
is one indexed query (`state`, `due_at`, `owner_role`). Every change is kept as a
`TaskEvent` (who, when, from which role to which), never overwritten.

The task owns the human decision about its finding: its transition methods (`acknowledge`,
`resolve`, `assign`, `close`) refuse an illegal move with `IllegalMove` and stamp who and
when; `work.services` calls them inside its atomic, audited functions. Time-driven state is
judged at a given `now`: `Task.is_overdue(now)`, `Task.is_due_soon(now)`, `Task.objects.overdue(now)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from safetynet.identity.models import Individual


class IllegalMove(Exception):
    """A transition the task's state does not allow (the message names the task, its state and
    what was expected)."""


# What "due soon" means on every screen: falls due within the next hour (the work that will be
# late next).
DUE_SOON = dt.timedelta(hours=1)


def overdue_q(now: dt.datetime) -> Q:
    """The condition of a task that is overdue at `now`: current, with a deadline before it."""
    return Q(state__in=Task.CURRENT, due_at__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    """The condition of a task due soon at `now` (see `Task.is_due_soon`)."""
    return Q(state__in=Task.CURRENT, due_at__gte=now, due_at__lt=now + DUE_SOON)


class TaskQuerySet(models.QuerySet["Task"]):
    def current(self) -> TaskQuerySet:
        return self.filter(state__in=Task.CURRENT)

    def overdue(self, now: dt.datetime) -> TaskQuerySet:
        """Tasks overdue at `now` (see `Task.is_overdue`)."""
        return self.filter(overdue_q(now))


class Task(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved", "resolved with a rationale"
        CLOSED = "closed", "closed because the finding cleared"

    CURRENT = (State.OPEN, State.ACKNOWLEDGED)

    finding = models.OneToOneField("risk.Finding", on_delete=models.CASCADE, related_name="task")
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="tasks")
    clause = models.CharField(max_length=8)
    severity = models.CharField(max_length=10)
    reason = models.TextField()
    owner_role = models.CharField(max_length=40, help_text="role code that owns the task now")
    team = models.CharField(max_length=60, blank=True, help_text="team code, when assigned to a team")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="safetynet_tasks"
    )
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN)
    escalation_level = models.PositiveSmallIntegerField(default=0, help_text="steps up the chain so far")
    escalation_exhausted = models.BooleanField(default=False, help_text="overdue at the top of the chain")
    created_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True, help_text="when a resolution last stopped holding")
    reopened_because = models.TextField(blank=True, help_text="what changed since the resolution (no personal data)")

    objects = TaskQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_at"], name="task_state_due"),
            models.Index(fields=["owner_role", "state", "due_at"], name="task_role_state_due"),
        ]

    def __str__(self) -> str:  # never the reason text or a name
        return f"task {self.pk} ({self.clause}) on individual {self.individual_id}"

    @property
    def is_current(self) -> bool:
        return self.state in self.CURRENT

    def is_overdue(self, now: dt.datetime) -> bool:
        """Whether the task is current and its deadline passed before `now`."""
        return self.is_current and self.due_at is not None and self.due_at < now

    def is_due_soon(self, now: dt.datetime) -> bool:
        """Whether the task is current and falls due within DUE_SOON of `now` (not yet overdue)."""
        return self.is_current and self.due_at is not None and now <= self.due_at < now + DUE_SOON

    def _require_current(self) -> None:
        if not self.is_current:
            raise IllegalMove(f"task {self.pk} is {self.state}; expected an open or acknowledged task")

    def acknowledge(self, by: Any, at: dt.datetime) -> bool:
        """Records that `by` has seen the task at `at` and is acting on it (the deadline still
        runs); returns False, changing nothing, when it already was acknowledged."""
        self._require_current()
        if self.state == self.State.ACKNOWLEDGED:
            return False
        self.state = self.State.ACKNOWLEDGED
        self.acknowledged_at = at
        self.acknowledged_by = by
        return True

    def resolve(self, by: Any, rationale: str, at: dt.datetime) -> None:
        """Resolves the task with a written rationale (language-checked by the caller:
        `work.services.check_rationale`)."""
        self._require_current()
        if not rationale.strip():
            raise IllegalMove(f"task {self.pk} cannot be resolved without a rationale")
        self.state = self.State.RESOLVED
        self.resolved_at = at
        self.resolved_by = by
        self.rationale = rationale.strip()

    def reopen(self, *, at: dt.datetime, because: str, due_at: dt.datetime, severity: str, reason: str) -> None:
        """Makes a resolved task current again because its resolution no longer holds (new
        evidence, a higher severity, or the policy's expiry; `because` says which). The new
        deadline starts the escalation chain again from the owner; the last resolution (who,
        when, rationale) stays on the task, so the owner reads what was decided and what changed."""
        if self.state != self.State.RESOLVED:
            raise IllegalMove(f"task {self.pk} is {self.state}; expected a resolved task to re-open")
        self.state = self.State.OPEN
        self.reopened_at = at
        self.reopened_because = because
        self.due_at = due_at
        self.severity = severity
        self.reason = reason
        self.escalation_level = 0
        self.escalation_exhausted = False

    def assign(self, assignee: Any, team: str) -> None:
        """Gives the task to a person and/or a team; the owner role stays."""
        self._require_current()
        self.assignee = assignee
        self.team = team

    def close(self, at: dt.datetime) -> None:
        """Closes the task because its finding's condition cleared."""
        self._require_current()
        self.state = self.State.CLOSED
        self.closed_at = at


class TaskEvent(models.Model):
    """One change to a task: created, assigned, acknowledged, escalated, resolved, closed."""

    class Action(models.TextChoices):
        CREATED = "created"
        ASSIGNED = "assigned"
        ACKNOWLEDGED = "acknowledged"
        ESCALATED = "escalated"
        EXHAUSTED = "exhausted", "overdue at the top of the escalation chain"
        RESOLVED = "resolved"
        REOPENED = "reopened", "re-opened: the resolution no longer holds"
        CLOSED = "closed"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    action = models.CharField(max_length=14, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_role = models.CharField(max_length=40, blank=True)
    to_role = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True, help_text="no personal data: roles, times, team codes")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} task {self.task_id}"


class WorkerHeartbeat(models.Model):
    """One running `safetynet worker` process, stamped every few seconds (work/heartbeat.py), so
    `/readyz`, `safetynet doctor` and the metrics can tell a live worker from a dead one. The row
    goes when the worker stops cleanly; a killed worker's row ages and is pruned after a day."""

    name = models.CharField(max_length=255, unique=True, help_text="host:pid")
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.name}"
