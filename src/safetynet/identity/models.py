"""An Individual is one real person; each live source Person belongs to exactly one.

Individual ids are stable: linkage that changes nothing changes no id.
"""

from __future__ import annotations

from django.db import models

from safetynet.records.models import Person


class Individual(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"individual {self.pk}"


class Membership(models.Model):
    """Which Individual a source Person record belongs to, and why."""

    class Method(models.TextChoices):
        SINGLETON = "singleton", "no other record matched"
        MODEL = "model", "matched by the linkage model"
        IDENTIFIER = "identifier", "shared identifier"
        DECISION = "decision", "a reviewer's decision"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="membership")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="memberships")
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.SINGLETON)
    match_probability = models.FloatField(null=True, blank=True)
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"person {self.person_id} in individual {self.individual_id}"
