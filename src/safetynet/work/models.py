"""Tasks: the work a finding asks for, owned by a role (and optionally a person or a team),
with a deadline that escalates up the policy's chain when it passes.

One task per finding. The task copies the finding's clause, severity and reason so a queue
is one indexed query (`state`, `due_at`, `owner_role`). Every change is kept as a
`TaskEvent` (who, when, from which role to which), never overwritten.

The task owns the human decision about its finding: its transition methods (`acknowledge`,
`resolve`, `assign`, `close`) refuse an illegal move with `IllegalMove` and stamp who and
when; `work.services` calls them inside its atomic, audited functions. Time-driven state is
judged at a given `now`: `Task.is_overdue(now)`, `Task.is_due_soon(now)`, `Task.objects.overdue(now)`.

Two deadlines are kept apart: `due_at` is the current owner's clock (what the escalation sweep
reads: `Task.objects.past_deadline(now)`), and `late_since` the first deadline the task missed
(set by the sweep when it escalates it). An escalated task is still late for the child, so it
stays overdue (`overdue_q`) on every screen and count until it is resolved or closed.
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
    """The condition of a task that is overdue at `now`: current, and either its deadline is
    before `now` or it has been late since an earlier deadline it missed (escalated: the new
    owner's clock is running, but the child's work is still late)."""
    return Q(state__in=Task.CURRENT) & (Q(due_at__lt=now) | Q(late_since__lt=now))


def past_deadline_q(now: dt.datetime) -> Q:
    """The condition of a task whose current owner's deadline (`due_at`) passed before `now`:
    what the escalation sweep moves up the chain (not every overdue task: one already
    escalated waits for its new owner's clock)."""
    return Q(state__in=Task.CURRENT, due_at__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    """The condition of a task due soon at `now` (see `Task.is_due_soon`)."""
    return Q(state__in=Task.CURRENT, late_since__isnull=True, due_at__gte=now, due_at__lt=now + DUE_SOON)


class TaskQuerySet(models.QuerySet["Task"]):
    def current(self) -> TaskQuerySet:
        return self.filter(state__in=Task.CURRENT)

    def overdue(self, now: dt.datetime) -> TaskQuerySet:
        """Tasks overdue at `now` (see `Task.is_overdue`)."""
        return self.filter(overdue_q(now))

    def past_deadline(self, now: dt.datetime) -> TaskQuerySet:
        """Tasks whose current owner's deadline passed before `now` (what the sweep escalates)."""
        return self.filter(past_deadline_q(now))


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
    late_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="the first deadline the task missed (set when it escalates): overdue since then",
    )
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
        """Whether the task is current and late at `now`: its deadline passed, or it has been
        late since a deadline it missed before escalating (see `overdue_q`)."""
        return self.is_current and self.overdue_since(now) is not None

    def overdue_since(self, now: dt.datetime) -> dt.datetime | None:
        """The deadline the task has been late since at `now` (the first one missed), or None."""
        if self.late_since is not None and self.late_since < now:
            return self.late_since
        if self.due_at is not None and self.due_at < now:
            return self.due_at
        return None

    def is_due_soon(self, now: dt.datetime) -> bool:
        """Whether the task is current and falls due within DUE_SOON of `now` (not yet overdue)."""
        return (
            self.is_current
            and self.late_since is None
            and self.due_at is not None
            and now <= self.due_at < now + DUE_SOON
        )

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
        self.late_since = None

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


class PartnershipEscalation(models.Model):
    """An escalation to another agency (or the safeguarding partnership): raised from a finding,
    a task, a meeting action or a custody/accommodation refusal, owned by the agency that must
    answer, with a response due that climbs a level (practitioner, manager, partnership: the
    policy's `partnership_escalation.levels`) each time it passes unanswered.

    `str()` and the history never hold the reason or a name: ids, levels and agency codes."""

    class RaisedFrom(models.TextChoices):
        FINDING = "finding"
        TASK = "task"
        MEETING_ACTION = "meeting_action", "meeting action"
        REFUSAL = "refusal", "custody or accommodation refusal"

    class Status(models.TextChoices):
        OPEN = "open"
        ANSWERED = "answered"

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed: the work will be done"
        PARTLY_AGREED = "partly_agreed", "Agreed in part"
        DECLINED = "declined", "Declined, with reasons"

    raised_from = models.CharField(max_length=16, choices=RaisedFrom.choices)
    finding = models.ForeignKey(
        "risk.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="partnership_escalations"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="partnership_escalations"
    )
    refusal = models.ForeignKey(
        "records.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the custody or accommodation record whose refusal is escalated",
    )
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="partnership_escalations"
    )
    owner_agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="escalations_owned")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by_agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="escalations_raised")
    raised_at = models.DateTimeField()
    reason = models.TextField()
    level = models.PositiveSmallIntegerField(default=1)
    response_due = models.DateTimeField(db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    exhausted = models.BooleanField(default=False, help_text="overdue at the top level")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "response_due"], name="pesc_status_due")]

    def __str__(self) -> str:  # never the reason or a name
        return f"escalation {self.pk} (level {self.level}) to {self.owner_agency_id}"

    def is_overdue(self, now: dt.datetime) -> bool:
        """Whether it is still unanswered after its response was due."""
        return self.status == self.Status.OPEN and self.response_due < now

    def answer_with(self, *, by: Any, outcome: str, answer: str, at: dt.datetime) -> None:
        """Records the owner agency's answer; IllegalMove when it was already answered."""
        if self.status != self.Status.OPEN:
            raise IllegalMove(f"escalation {self.pk} is {self.status}; expected an open escalation")
        self.status = self.Status.ANSWERED
        self.outcome = outcome
        self.answer = answer.strip()
        self.answered_by = by
        self.answered_at = at


class EscalationEvent(models.Model):
    """One change to a partnership escalation (raised, escalated, exhausted, answered)."""

    class Action(models.TextChoices):
        RAISED = "raised"
        ESCALATED = "escalated"
        EXHAUSTED = "exhausted", "overdue at the top level"
        ANSWERED = "answered"

    escalation = models.ForeignKey(PartnershipEscalation, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, help_text="no personal data: levels, agency codes, times")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} escalation {self.escalation_id}"


class Notification(models.Model):
    """Something a person should know about their work: a task assigned or escalated to them or
    their team, due soon, or a partnership escalation to their agency. It holds no personal data:
    the kind's words and a link, followed through the access rules like any other.

    One per (user, event key): the same event notified twice (two workers, a retried sweep)
    meets the unique constraint and is dropped."""

    class Kind(models.TextChoices):
        TASK_ASSIGNED = "task_assigned", "A task was assigned to you"
        TASK_TEAM = "task_team", "A task was given to your team"
        TASK_ESCALATED = "task_escalated", "A task was escalated to your role"
        TASK_DUE_SOON = "task_due_soon", "A task of yours is due within the hour"
        ESCALATION_RAISED = "escalation_raised", "An escalation was raised to your agency"
        ESCALATION_LEVEL = "escalation_level", "An escalation to your agency went up a level"
        ESCALATION_ANSWERED = "escalation_answered", "An escalation you raised was answered"
        REFERRAL_FEEDBACK = "referral_feedback", "A referral you raised was triaged"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safetynet_notifications")
    event_key = models.CharField(max_length=120, help_text="what happened, e.g. task:12:assigned:340 (ids only)")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    link = models.CharField(max_length=200, help_text="a path in the web app")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="sent (or claimed for sending) by email")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="uniq_notification_per_event")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind}) for user {self.user_id}"


class NotificationPreference(models.Model):
    """How a person wants their notifications by email: each at once, or one digest a day."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each notification, straight away"
        DIGEST = "digest", "One email a day listing how many are new"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safetynet_notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)

    def __str__(self) -> str:
        return f"notification preference of user {self.user_id}"


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
