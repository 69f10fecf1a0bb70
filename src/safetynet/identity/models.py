"""An Individual is one real person; each live source Person belongs to exactly one.

Individual ids are stable: linkage that changes nothing changes no id. An individual whose
records all moved elsewhere is retired (kept, with `merged_into`), never deleted, so old
references and the history still resolve.

Linkage state kept in the database:
- `LinkFeatures` and `BlockingKey`: each person's comparison features and blocking keys
  (indexed), so a new record is matched against existing ones in milliseconds;
- `PairDecision`: reviewers' "same person" / "not the same person" decisions, kept forever,
  overriding the model and used as training labels;
- `ReviewPair`: the review queue (uncertain pairs, identifier conflicts);
- `LinkChange`: the history of every change of membership (which individual became which),
  with the state before it, so any merge can be undone exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.lib.fields import StampField
from safetynet.records.models import Person


class Individual(models.Model):
    created_at = StampField(auto_now_add=True)
    updated_at = StampField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="when its last record moved elsewhere")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="where its records went"
    )

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
    linked_at = StampField(auto_now=True)

    def __str__(self) -> str:
        return f"person {self.person_id} in individual {self.individual_id}"


class LinkFeatures(models.Model):
    """A person's comparison features as last computed (see identity/features.py)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="link_features")
    features = models.JSONField()
    search_name = models.TextField(
        default="", help_text="the name features person search compares (features.search_name), as JSON text"
    )
    digest = models.CharField(max_length=40, help_text="hash of the features, to see what changed")
    computed_at = StampField(auto_now=True)

    class Meta:
        # Person search reads thousands of candidates' names: from this narrow index alone on
        # PostgreSQL (a covering index), not from the wide feature rows.
        indexes = [models.Index(fields=["person"], include=["search_name"], name="identity_linkfeat_search")]

    def __str__(self) -> str:
        return f"features of person {self.person_id}"


class BlockingKey(models.Model):
    """One blocking key of a person: records sharing a key are compared."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocking_keys")
    key = models.CharField(max_length=200)

    class Meta:
        # (key, person): candidates come from the index alone, without visiting rows.
        indexes = [models.Index(fields=["key", "person"], name="identity_blockingkey_key_pers")]

    def __str__(self) -> str:
        return f"blocking key of person {self.person_id}"


class PairDecision(models.Model):
    """A reviewer's decision on whether two person records are the same person.

    Kept forever. The latest decision on a pair overrides the model for that pair.
    `person_a_id < person_b_id` always.
    """

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField(help_text="true: the same person; false: not the same person")
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person_a", "person_b"], name="identity_decision_pair")]
        constraints = [
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="decision_pair_ordered")
        ]

    def __str__(self) -> str:
        verdict = "same" if self.same else "not same"
        return f"decision {self.pk}: persons {self.person_a_id} and {self.person_b_id} {verdict}"


# A review pair's priority is its risk at stake times STAKE_STEP plus the priority it was queued
# with (at most 13: identifier conflict 10, child 2, marker 1), so the risk at stake orders the
# queue first (`review.set_risk_stakes`, from the risk engine's ID1 evaluation).
STAKE_STEP = 100
STAKES: dict[str, int] = {"critical": 4, "high": 3, "medium": 2, "low": 1}


class ReviewPair(models.Model):
    """A pair of person records waiting for a human decision."""

    class Reason(models.TextChoices):
        UNCERTAIN = "uncertain", "the model is unsure"
        IDENTIFIER_CONFLICT = "identifier_conflict", "the same identifier on clearly different people"
        WEAK_EVIDENCE = "weak_evidence", "a strong match without a usable name or identifier"

    class Status(models.TextChoices):
        OPEN = "open"
        DECIDED = "decided"
        WITHDRAWN = "withdrawn", "no longer relevant"

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="why, without personal data")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    priority = models.IntegerField(default=0, help_text="higher first: children with markers first")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    decision = models.ForeignKey(PairDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "-priority", "created_at"], name="identity_review_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"], condition=models.Q(status="open"), name="one_open_review_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"review {self.pk}: persons {self.person_a_id} and {self.person_b_id}"

    @property
    def risk_at_stake(self) -> str | None:
        """The highest severity the two records together would newly raise (None: nothing more)."""
        rank = self.priority // STAKE_STEP
        return next((severity for severity, r in STAKES.items() if r == rank), None)


class LinkChange(models.Model):
    """One change of membership: which records moved from which individuals to which.

    `before` maps person id -> [individual id or null, method, probability] as it was, so
    the change can be undone exactly (`services.unmerge`).
    """

    class Kind(models.TextChoices):
        MERGE = "merge", "individuals merged"
        SPLIT = "split", "records split off into a new individual"
        MOVE = "move", "records moved between individuals"
        ATTACH = "attach", "new records attached"
        DETACH = "detach", "withdrawn records removed"
        UNDO = "undo", "an earlier change undone"

    at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_individuals = models.JSONField(default=list)
    to_individual = models.ForeignKey(Individual, null=True, on_delete=models.PROTECT, related_name="changes_in")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    undoes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by")

    class Meta:
        indexes = [models.Index(fields=["at"], name="identity_change_at")]

    def __str__(self) -> str:
        return f"change {self.pk}: {self.kind} into individual {self.to_individual_id}"
