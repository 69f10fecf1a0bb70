"""Findings: what the rules raised about an individual, with their life cycle.

One row per (clause, subject, key record): the `fingerprint`. Re-evaluation updates the row
instead of raising the finding again; a finding whose condition cleared is closed by itself
with the time (`closed_at`). The human decision (acknowledge, resolve with a rationale) is
owned by the finding's task (`work.models.Task`), which records who and when; the finding
follows it in `state` only, so re-evaluation leaves a resolved finding resolved.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Case, IntegerField, Value, When

from safetynet.identity.models import Individual

# Most severe first: the one order of severities for every list (findings, tasks, queues).
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def severity_rank() -> Case:
    """A query expression ranking rows by `severity` as SEVERITY_ORDER does (unknown last)."""
    return Case(
        *[When(severity=s, then=Value(rank)) for s, rank in SEVERITY_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


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

    class Meta:
        indexes = [models.Index(fields=["individual", "state"], name="finding_individual_state")]

    def __str__(self) -> str:  # never a name or the reason text
        return f"finding {self.clause} on individual {self.individual_id}"

    @property
    def is_current(self) -> bool:
        return self.state in (self.State.OPEN, self.State.ACKNOWLEDGED)

    def is_overdue(self, now: dt.datetime) -> bool:
        """Whether the finding is current and its clause's clock (`due_by`) ran out before `now`."""
        return self.is_current and self.due_by is not None and self.due_by < now

    def follow_decision(self, decided: str) -> bool:
        """Takes the state its task's human decision gave it (acknowledged or resolved); returns
        whether the state changed. Only a current finding moves: one whose condition cleared
        stays closed, and acknowledging never undoes a resolution."""
        allowed: dict[str, tuple[str, ...]] = {
            self.State.ACKNOWLEDGED: (self.State.OPEN,),
            self.State.RESOLVED: (self.State.OPEN, self.State.ACKNOWLEDGED),
        }
        if self.state not in allowed.get(decided, ()):
            return False
        self.state = decided
        return True
