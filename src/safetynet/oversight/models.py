"""The case file audit: dip samples of cases by area of practice, each case graded by the
force's self-audit and by an independent case auditor, and actions raised from an audit.

An audit is a judgement about the force's practice on a case, not a fact about the child: it
is never sent by a source system, never read by the risk rules, and the child's picture does
not change because a case was graded. So it lives in these tables, not in an interchange
record (docs/oversight.md, "Why audits are not interchange records"). What an audit points at
(the case's record) stays an interchange reference `{source, id}`, like a finding's cites.

Grades are never edited: one self grade and one independent grade per case, each with who,
when and the criteria version it was given against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.identity.models import Individual


class AuditSample(models.Model):
    """A dip sample: `size` cases of one area of practice drawn from records of a period, at
    random with a stored seed (the same seed over the same records draws the same cases)."""

    area = models.CharField(max_length=40, help_text="area of practice code in the criteria file")
    period_from = models.DateField()
    period_to = models.DateField()
    size = models.PositiveSmallIntegerField(help_text="cases asked for")
    seed = models.BigIntegerField()
    candidates = models.PositiveIntegerField(help_text="cases of the area in the period it was drawn from")
    criteria_version = models.CharField(max_length=40)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"dip sample {self.pk} ({self.area})"


class AuditCase(models.Model):
    """One sampled case: the record it is about (an interchange reference) and the individual
    it is about (a child, or the managed offender for sex offender management)."""

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField()
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="audit_cases")
    record_kind = models.CharField(max_length=10, help_text="event, marker or finding")
    record = models.JSONField(help_text="the case's record as {source, id} (a finding: {finding: pk})")
    record_pk = models.BigIntegerField(help_text="the row of the record when drawn (event, marker or finding)")

    class Meta:
        ordering = ["sample", "position"]
        constraints = [models.UniqueConstraint(fields=["sample", "position"], name="audit_case_position")]

    def __str__(self) -> str:
        return f"audit case {self.pk} of sample {self.sample_id}"


class AuditGrade(models.Model):
    """A grade of one case: the self-audit (a supervisor of the force) or the independent audit
    (a case auditor), with each criterion's answer. A grade is never changed: a correction is a
    new version of the same side's grade (`version` + 1, `corrects` the one it replaces, who and
    why), the earlier kept and shown as corrected; the latest version is the side's grade."""

    class Kind(models.TextChoices):
        SELF = "self", "Self-audit"
        INDEPENDENT = "independent", "Independent audit"

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="grades")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    grade = models.CharField(max_length=24)
    suggested = models.CharField(max_length=24, help_text="the grade the criteria answers suggested")
    answers = models.JSONField(default=dict, help_text="criterion id -> met / not_met / not_applicable")
    note = models.TextField(blank=True)
    criteria_version = models.CharField(max_length=40)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    graded_at = models.DateTimeField()
    version = models.PositiveSmallIntegerField(default=1, help_text="1 for the first grade, then each correction")
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        help_text="the version this one corrects",
    )
    reason = models.TextField(blank=True, help_text="why the grade was corrected (corrections only)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "version"], name="audit_grade_once_per_kind_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} grade of audit case {self.case_id}"


class AuditAction(models.Model):
    """An action an audit asked for: its task (`work.Task`, owned by a role, optionally a
    person) carries the deadline, escalation and resolution."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    task = models.OneToOneField("work.Task", on_delete=models.PROTECT, related_name="audit_action")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"audit action {self.pk} on case {self.case_id}"
