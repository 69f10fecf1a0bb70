"""Agencies, teams, each user's role, and restricted individuals with their named users."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.access.roles import AgencyCode, Role


class Agency(models.Model):
    """A partner organisation type sharing the system: police, CSC, health, education."""

    code = models.CharField(max_length=20, unique=True, choices=AgencyCode.choices)
    name = models.CharField(max_length=100)
    source_systems = models.JSONField(
        default=list, blank=True, help_text="interchange `source` codes this agency's own systems send"
    )

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team within an agency; a partner team may stand for one organisation (a school)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    organisation = models.ForeignKey(
        "records.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="for a school or clinic team: the organisation whose children it sees",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="uniq_team_code_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.code}"


class UserProfile(models.Model):
    """What a user is: one role, in one agency, optionally in one team."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=32, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")

    def __str__(self) -> str:
        return f"user {self.user_id} ({self.role})"


class Caseload(models.Model):
    """An individual allocated to a user: what the `own` scope lets them see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseload")
    individual = models.ForeignKey("identity.Individual", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "individual"], name="uniq_caseload_entry")]


class Restriction(models.Model):
    """An individual visible only to named users (e.g. the subject of a sensitive investigation)."""

    individual = models.OneToOneField("identity.Individual", on_delete=models.CASCADE, related_name="restriction")
    reason_code = models.CharField(max_length=40, help_text="a category such as sensitive_investigation; no free text")
    restricted_at = models.DateTimeField()
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="restricted_access")

    def __str__(self) -> str:
        return f"restriction on individual {self.individual_id}"


class ApiKey(models.Model):
    """A source system's key for the REST ingest: scoped to sources (and optionally kinds and
    restricted marker types), hashed at rest, revoked rather than deleted (batches name it)."""

    name = models.CharField(max_length=100, unique=True, help_text="the system it is for, e.g. rms-nightly")
    prefix = models.CharField(max_length=16, unique=True, help_text="the key's public part, to find it")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole key (the key itself is never stored)")
    sources = models.JSONField(default=list, help_text="interchange sources it may write and read")
    kinds = models.JSONField(default=list, blank=True, help_text="kinds it may write; empty: every kind")
    markers = models.JSONField(
        default=list, blank=True, help_text="restricted marker types it may write (e.g. registered_sex_offender)"
    )
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager[ApiKey] = models.Manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"API key {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
