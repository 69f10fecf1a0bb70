"""Findings: what the rules raised about an individual, with their life cycle.

One row per (clause, subject, key record): the `fingerprint`. Re-evaluation updates the row
instead of raising the finding again; a finding whose condition cleared is closed by itself
with the time (`closed_at`); a person can acknowledge it and resolve it with a rationale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.identity.models import Individual


class Finding(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved", "resolved with a rationale"
        CLOSED = "closed", "closed by itself when the condition cleared"

    class Severity(models.TextChoices):
        CRITICAL = "critical"
        HIGH = "high"
        MEDIUM = "medium"
        LOW = "low"

    fingerprint = models.CharField(max_length=64, unique=True, help_text="clause + subject + key record")
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="findings")
    clause = models.CharField(max_length=8, db_index=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    reason = models.TextField()
    cites = models.JSONField(default=list, help_text="interchange references {source, id} of the causing records")
    key = models.JSONField(null=True, blank=True, help_text="the record the finding is about, if any")
    owner_role = models.CharField(max_length=40)
    due_by = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN, db_index=True)
    error = models.BooleanField(default=False, help_text="the rule could not read the record")
    policy_version = models.CharField(max_length=40)
    raised_at = models.DateTimeField()
    evaluated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["individual", "state"], name="finding_individual_state")]

    def __str__(self) -> str:  # never a name or the reason text
        return f"finding {self.clause} on individual {self.individual_id}"

    @property
    def is_current(self) -> bool:
        return self.state in (self.State.OPEN, self.State.ACKNOWLEDGED)
