"""The POLE model: Person (as one source saw them), Organisation, Location, Event with
Participation, Relationship, Marker, Order and Plan.

Every row keeps its `source`, `source_id`, `recorded_at` and the original interchange
`payload` (so unknown fields survive and export returns exactly what was loaded).
Typed columns hold what the product queries; `details` keeps the per-type detail.

A reference to a record not yet seen creates a *stub* row (`recorded_at` is null,
`payload` is null) so foreign keys always resolve; the real record fills the stub when it
arrives. Stubs are never exported, linked or shown as records. Withdrawn records
(`deleted=True`) stay for history and are hidden from use.

A row holds the newest version its source sent; each earlier version is a `RecordVersion`
(what the source said from its `recorded_at` until `superseded_at`), so a record can be read
as it stood at any past time.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from safetynet.lib.fields import StampField

_M = TypeVar("_M", bound="SourceRecord")


class Kind(models.TextChoices):
    PERSON = "person"
    ORGANISATION = "organisation"
    LOCATION = "location"
    RELATIONSHIP = "relationship"
    EVENT = "event"
    MARKER = "marker"
    ORDER = "order"
    PLAN = "plan"


class LiveManager(models.Manager[_M]):
    """Records in use: neither stubs nor withdrawn."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(recorded_at__isnull=False, deleted=False)


class SourceRecord(models.Model):
    """What every stored record has: provenance, the original payload, soft deletion."""

    kind: str = ""

    source = models.CharField(max_length=64)
    source_id = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="when the source last changed it")
    payload = models.JSONField(null=True, blank=True, help_text="the interchange object exactly as received")
    deleted = models.BooleanField(default=False)
    stored_at = StampField(auto_now_add=True)
    changed_at = StampField(auto_now=True)

    objects = models.Manager()
    live = LiveManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:  # never a name: str() ends up in logs and admin messages
        return f"{self.kind} {self.source}:{self.source_id}"

    @property
    def is_stub(self) -> bool:
        return self.recorded_at is None

    @property
    def ref(self) -> dict[str, str]:
        """This record as an interchange reference."""
        return {"source": self.source, "id": self.source_id}


def _natural_key(kind: str) -> list[models.BaseConstraint]:
    return [models.UniqueConstraint(fields=["source", "source_id"], name=f"uniq_{kind}_source_id")]


def _plain_indexes(kind: str, *columns: str) -> list[models.Index]:
    """Plain b-tree indexes for equality and range look-ups on text columns.

    Explicit indexes, not `db_index=True`: on PostgreSQL Django gives every indexed
    CharField a second, `varchar_pattern_ops` index for LIKE 'prefix%' queries, and no
    query of the product filters these columns by prefix. Each index is maintained on every
    insert; the eleven unused twins cost the importer database time for nothing."""
    return [models.Index(fields=[column], name=f"{kind}_{column}") for column in columns]


class Location(SourceRecord):
    kind = Kind.LOCATION

    class LocationType(models.TextChoices):
        HOME = "home"
        CHILDRENS_HOME = "childrens_home"
        SCHOOL = "school"
        HOTEL = "hotel"
        PUBLIC_PLACE = "public_place"
        POLICE_STATION = "police_station"
        CUSTODY_SUITE = "custody_suite"
        HOSPITAL = "hospital"
        BUSINESS = "business"
        ONLINE = "online"
        OTHER = "other"

    address_lines = models.JSONField(default=list, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True, help_text="normalised: upper case, one space")
    uprn = models.CharField(max_length=20, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    location_type = models.CharField(max_length=20, choices=LocationType.choices, blank=True)

    class Meta:
        constraints = _natural_key("location")
        indexes = _plain_indexes("location", "postcode", "uprn")


class Organisation(SourceRecord):
    kind = Kind.ORGANISATION

    class OrgType(models.TextChoices):
        POLICE_FORCE = "police_force"
        CHILDRENS_SOCIAL_CARE = "childrens_social_care"
        SCHOOL = "school"
        CHILDRENS_HOME = "childrens_home"
        HEALTH = "health"
        PROBATION = "probation"
        YOUTH_JUSTICE = "youth_justice"
        HOUSING = "housing"
        VOLUNTARY = "voluntary"
        OTHER = "other"

    name = models.CharField(max_length=200, blank=True)
    org_type = models.CharField(max_length=30, choices=OrgType.choices, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = _natural_key("organisation")


class Person(SourceRecord):
    """A person as one source system recorded them. `identity` links these into individuals."""

    kind = Kind.PERSON

    class Sex(models.TextChoices):
        FEMALE = "female"
        MALE = "male"
        OTHER = "other"
        UNKNOWN = "unknown"

    class CareStatus(models.TextChoices):
        LOOKED_AFTER = "looked_after"
        CHILD_PROTECTION_PLAN = "child_protection_plan"
        CHILD_IN_NEED = "child_in_need"
        CARE_LEAVER = "care_leaver"
        NONE = "none"

    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    other_names = models.JSONField(default=list, blank=True)
    date_of_birth = models.CharField(max_length=10, blank=True, help_text="YYYY-MM-DD, YYYY-MM or YYYY")
    date_of_birth_given = models.CharField(
        max_length=40, blank=True, help_text="a date of birth as sent when it could not be read (a data-quality flag)"
    )
    dob = models.DateField(null=True, blank=True, db_index=True, help_text="the full date of birth when known")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    self_defined_ethnicity = models.CharField(max_length=4, blank=True)
    observed_ethnicity = models.CharField(max_length=4, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    identifiers = models.JSONField(default=dict, blank=True)
    pnc_id = models.CharField(max_length=20, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    csc_id = models.CharField(max_length=30, blank=True)
    care_status = models.CharField(max_length=30, choices=CareStatus.choices, blank=True)
    school = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils")
    gp_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="registered_patients"
    )
    postcode = models.CharField(max_length=10, blank=True, help_text="current home postcode")

    class Meta:
        constraints = _natural_key("person")
        indexes = [
            models.Index(fields=["family_name", "birth_year"], name="person_name_year"),
            *_plain_indexes("person", "pnc_id", "nhs_number", "upn", "csc_id", "postcode"),
        ]


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="residents")
    kind = models.CharField(max_length=12, blank=True)  # home|care|temporary|previous
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)


class Relationship(SourceRecord):
    kind = Kind.RELATIONSHIP

    class RelType(models.TextChoices):
        PARENT_OF = "parent_of"
        STEP_PARENT_OF = "step_parent_of"
        CARER_OF = "carer_of"
        SIBLING_OF = "sibling_of"
        PARTNER_OF = "partner_of"
        EX_PARTNER_OF = "ex_partner_of"
        LIVES_WITH = "lives_with"
        ASSOCIATE_OF = "associate_of"
        BOYFRIEND_GIRLFRIEND = "boyfriend_girlfriend"

    person_a = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="relationships_as_a")
    person_b = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="relationships_as_b")
    rel_type = models.CharField(max_length=24, choices=RelType.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = _natural_key("relationship")


class Event(SourceRecord):
    kind = Kind.EVENT

    class EventType(models.TextChoices):
        INCIDENT = "incident"
        MISSING_REPORT = "missing_report"
        CRIME = "crime"
        REFERRAL = "referral"
        MEETING = "meeting"
        POLICE_PROTECTION = "police_protection"
        CUSTODY = "custody"
        INTELLIGENCE = "intelligence"
        NOTIFICATION = "notification"
        OFFENDER_VISIT = "offender_visit"
        DEVICE_EXAMINATION = "device_examination"
        DISRUPTION_PLAN = "disruption_plan"
        SCREENING = "screening"

    event_type = models.CharField(max_length=24, choices=EventType.choices)  # indexed first in event_type_time_cover
    occurred_at = models.DateTimeField(null=True, blank=True)  # indexed in event_time_cover and event_type_time_cover
    ended_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    recorded_by = models.JSONField(null=True, blank=True)
    summary = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    participants = models.ManyToManyField(Person, through="Participation", related_name="events")
    linked_events = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="linked_from")

    class Meta:
        constraints = _natural_key("event")
        # Covering indexes (PostgreSQL's INCLUDE): the oversight dashboards count a period's
        # records by type, place and participant, and read what they filter on and join by from
        # the index alone instead of the wide rows (docs/oversight.md "Benchmark").
        indexes = [
            models.Index(
                fields=["event_type", "occurred_at"],
                include=["id", "deleted", "recorded_at", "location"],
                name="event_type_time_cover",
            ),
            models.Index(
                fields=["occurred_at"],
                include=["id", "event_type", "deleted", "recorded_at", "location"],
                name="event_time_cover",
            ),
            # The MASH inbox reads only the referrals safetynet writes (among every source's):
            # a small partial index, not a walk of every referral (docs/mash.md, bench_mash).
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(event_type="referral", source="safetynet"),
                name="event_mash_referral",
            ),
        ]


class Participation(models.Model):
    class Role(models.TextChoices):
        SUBJECT = "subject"
        VICTIM = "victim"
        SUSPECT = "suspect"
        OFFENDER = "offender"
        WITNESS = "witness"
        REPORTER = "reporter"
        CARER = "carer"
        ASSOCIATE = "associate"
        MISSING_PERSON = "missing_person"
        DETAINEE = "detainee"
        PRESENT_CHILD = "present_child"
        PERPETRATOR = "perpetrator"
        CO_LOCATED = "co_located"

    # No index of its own: participation_event_role (event, role) serves look-ups by event.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations", db_index=False)
    # No index of its own: participation_person_role (person, role) serves look-ups by person.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations", db_index=False)
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        indexes = [
            # A person's participations, the event included so a set of people's records is
            # joined to a period's events without reading the rows.
            models.Index(fields=["person", "role"], include=["event"], name="participation_person_role"),
            # An event's participants in one role (the missing child of each missing report, a
            # referral's subject) read from the index alone, person included (PostgreSQL's
            # INCLUDE): the oversight dashboards count these over a period (docs/oversight.md).
            models.Index(fields=["event", "role"], include=["person"], name="participation_event_role"),
        ]


class Marker(SourceRecord):
    kind = Kind.MARKER

    class MarkerType(models.TextChoices):
        CSE_RISK = "cse_risk"
        CCE_RISK = "cce_risk"
        TRAFFICKING = "trafficking"
        DRUGS = "drugs"
        ALCOHOL = "alcohol"
        MENTAL_HEALTH = "mental_health"
        SELF_HARM = "self_harm"
        WEAPONS = "weapons"
        VIOLENCE = "violence"
        REGISTERED_SEX_OFFENDER = "registered_sex_offender"
        MAPPA = "mappa"
        CAWN_CHILD = "cawn_child"
        CAWN_ADULT = "cawn_adult"
        MISSING_TRIGGER_PLAN = "missing_trigger_plan"
        OTHER = "other"

    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="markers")
    marker_type = models.CharField(max_length=30, choices=MarkerType.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    linked_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    grading = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = _natural_key("marker")
        indexes = _plain_indexes("marker", "marker_type")


class Order(SourceRecord):
    kind = Kind.ORDER

    class OrderType(models.TextChoices):
        CAWN = "cawn"
        SEXUAL_HARM_PREVENTION_ORDER = "sexual_harm_prevention_order"
        SEXUAL_RISK_ORDER = "sexual_risk_order"
        NON_MOLESTATION_ORDER = "non_molestation_order"
        DVPO = "dvpo"
        OTHER = "other"

    order_type = models.CharField(max_length=40, choices=OrderType.choices)
    subject = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="orders_restricting")
    protected = models.ManyToManyField(Person, blank=True, related_name="orders_protecting")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = _natural_key("order")
        indexes = _plain_indexes("order", "order_type")


class Plan(SourceRecord):
    kind = Kind.PLAN

    class PlanType(models.TextChoices):
        TRIGGER_PLAN = "trigger_plan"
        PHILOMENA_PROFILE = "philomena_profile"
        FAST_ACTION_RESPONSE_PLAN = "fast_action_response_plan"
        CSE_PLAN = "cse_plan"
        CCE_PLAN = "cce_plan"
        SAFETY_PLAN = "safety_plan"
        RISK_MANAGEMENT_PLAN = "risk_management_plan"
        CHILD_PROTECTION_PLAN = "child_protection_plan"

    plan_type = models.CharField(max_length=30, choices=PlanType.choices)
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="plans")
    created_on = models.DateField(null=True, blank=True, help_text="the plan's created_at")
    review_due = models.DateField(null=True, blank=True)
    associates = models.ManyToManyField(Person, blank=True, related_name="plans_as_associate")
    places = models.ManyToManyField(Location, blank=True, related_name="plans")
    content = models.TextField(blank=True)

    class Meta:
        constraints = _natural_key("plan")
        indexes = _plain_indexes("plan", "plan_type")


class RecordVersion(models.Model):
    """An earlier version of a source record: what its source said from `recorded_at` until the
    next version's `recorded_at` (`superseded_at`). The record's own row holds the newest one.

    Written only by the importer, in the transaction of the chunk that brought the newer (or,
    arriving out of order, the older) version. `record_id` is the row of `kind`'s table.
    """

    kind = models.CharField(max_length=12, choices=Kind.choices)
    record_id = models.BigIntegerField()
    source = models.CharField(max_length=64)
    source_id = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(help_text="when the source recorded this version")
    superseded_at = models.DateTimeField(db_index=True, help_text="when the source recorded the next version")
    deleted = models.BooleanField(default=False)
    payload = models.JSONField(help_text="the interchange object of this version exactly as received")
    stored_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id", "recorded_at"], name="uniq_record_version"),
        ]

    def __str__(self) -> str:  # never a name: str() ends up in logs and admin messages
        return f"{self.kind} {self.source}:{self.source_id} as recorded at {self.recorded_at:%Y-%m-%dT%H:%M:%SZ}"


MODELS_BY_KIND: dict[str, type[SourceRecord]] = {
    Kind.PERSON: Person,
    Kind.ORGANISATION: Organisation,
    Kind.LOCATION: Location,
    Kind.RELATIONSHIP: Relationship,
    Kind.EVENT: Event,
    Kind.MARKER: Marker,
    Kind.ORDER: Order,
    Kind.PLAN: Plan,
}
