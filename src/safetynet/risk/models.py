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

# The kind of a finding an auditor raised from a case file audit (oversight/audits.py), not a
# rule: re-evaluation never closes it and task sync never closes its task; resolving the task does.
AUDIT_KIND = "audit"

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
    # What the last resolution was about: a re-evaluation that cites a record not in
    # `decided_cites`, or raises the severity, or runs past the clause's expiry re-opens it.
    decided_cites = models.JSONField(default=list, help_text="the cites when the finding was last resolved")
    decided_severity = models.CharField(max_length=10, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="when the finding was last resolved")
    kind = models.CharField(
        max_length=10,
        default="work",
        db_index=True,
        help_text="work (a task for someone now) or practice (breaches on work already closed, for oversight)",
    )
    detail = models.JSONField(
        default=dict, blank=True, help_text="structured detail: a practice finding's count, date range and breaches"
    )

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

    def follow_decision(self, decided: str, at: dt.datetime | None = None) -> bool:
        """Takes the state its task's decision gave it (acknowledged, resolved, or open again when
        the task re-opened a resolution); returns whether the state changed. Only a current
        finding moves to acknowledged or resolved: one whose condition cleared stays closed, and
        acknowledging never undoes a resolution. Resolving keeps what was decided on (cites,
        severity, `at`), which re-evaluation compares against (`reopen_reasons`)."""
        allowed: dict[str, tuple[str, ...]] = {
            self.State.ACKNOWLEDGED: (self.State.OPEN,),
            self.State.RESOLVED: (self.State.OPEN, self.State.ACKNOWLEDGED),
            self.State.OPEN: (self.State.RESOLVED,),
        }
        if self.state not in allowed.get(decided, ()):
            return False
        self.state = decided
        if decided == self.State.RESOLVED:
            self.decided_cites, self.decided_severity, self.decided_at = list(self.cites), self.severity, at
        return True


def reopen_reasons(
    *,
    decided_cites: list[dict[str, str]],
    decided_severity: str,
    expires_at: dt.datetime | None,
    cites: list[dict[str, str]],
    severity: str,
    now: dt.datetime,
) -> list[str]:
    """What changed since a resolution that makes the finding current again (empty: the
    resolution still holds). Counts and grades only: the words go on the task's history."""
    why = []
    before = {(c.get("source"), c.get("id")) for c in decided_cites}
    new = [c for c in cites if (c.get("source"), c.get("id")) not in before]
    if new:
        why.append(f"{len(new)} new record(s) since the resolution")
    if decided_severity and SEVERITY_ORDER.get(severity, 9) < SEVERITY_ORDER.get(decided_severity, 9):
        why.append(f"severity raised from {decided_severity} to {severity}")
    if expires_at is not None and now >= expires_at:
        why.append(f"the resolution expired on {expires_at:%Y-%m-%d} and the condition persists")
    return why
