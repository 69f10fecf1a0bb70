"""Tasks: the work a finding asks for, owned by a role (and optionally a person or a team),
with a deadline that escalates up the policy's chain when it passes.

One task per finding. The task copies the finding's clause, severity and reason so a queue
is one indexed query (`state`, `due_at`, `owner_role`). Every change is kept as a
`TaskEvent` (who, when, from which role to which), never overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.identity.models import Individual


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


class TaskEvent(models.Model):
    """One change to a task: created, assigned, acknowledged, escalated, resolved, closed."""

    class Action(models.TextChoices):
        CREATED = "created"
        ASSIGNED = "assigned"
        ACKNOWLEDGED = "acknowledged"
        ESCALATED = "escalated"
        EXHAUSTED = "exhausted", "overdue at the top of the escalation chain"
        RESOLVED = "resolved"
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
