"""The record kinds of interchange format v1: the envelope every line has, and one model per kind
(`RECORD_BY_KIND`). An event's `details` is validated per event type (`details.DETAILS_BY_TYPE`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationInfo,
    model_validator,
)

from safetynet.interchange.fields import (
    Actor,
    AddressKind,
    CareStatus,
    Date,
    DateOfBirth,
    DateOrDateTime,
    DateTime,
    EventType,
    Grading,
    Key,
    LocationType,
    MarkerType,
    Number,
    ObservedEthnicity,
    OpenModel,
    OrderType,
    OrgType,
    PlanType,
    Ref,
    RelType,
    Role,
    SelfDefinedEthnicity,
    Sex,
    ShortText,
    SourceName,
    Text,
    date_of_birth_problem,
    short_text,
    today_of,
)

# ---------------------------------------------------------------- envelope and kinds


class Envelope(OpenModel):
    """What every line has."""

    kind: str
    source: SourceName
    id: Key
    recorded_at: DateTime
    deleted: StrictBool | None = None


class Address(OpenModel):
    location: Ref | None = None
    from_: Date | None = Field(default=None, alias="from")
    to: Date | None = None
    kind: AddressKind | None = None


class Identifiers(OpenModel):
    """Named identifiers; any other named id is allowed too (as text, on one line)."""

    pnc_id: ShortText | None = None
    nhs_number: ShortText | None = None
    upn: ShortText | None = None
    csc_id: ShortText | None = None

    @model_validator(mode="after")
    def _other_ids_on_one_line(self, info: ValidationInfo) -> Identifiers:
        for name, value in (self.model_extra or {}).items():
            if isinstance(value, str):
                try:
                    short_text(value, info)
                except ValueError as exc:
                    raise ValueError(f"{name[:60]} {exc}") from None
        return self


class PersonRecord(Envelope):
    kind: Literal["person"]
    given_names: Annotated[ShortText, Field(max_length=200)] | None = None
    family_name: Annotated[ShortText, Field(max_length=200)] | None = None
    other_names: list[ShortText] | None = None
    date_of_birth: DateOfBirth | None = None
    sex: Sex | None = None
    self_defined_ethnicity: SelfDefinedEthnicity | None = None
    observed_ethnicity: ObservedEthnicity | None = None
    heritage_notes: Text | None = None
    first_language: Annotated[ShortText, Field(max_length=60)] | None = None
    identifiers: Identifiers | None = None
    addresses: list[Address] | None = None
    phones: list[ShortText] | None = None
    emails: list[ShortText] | None = None
    school: Ref | None = None
    gp_practice: Ref | None = None
    care_status: CareStatus | None = None
    notes: Text | None = None

    # A date of birth that cannot be read (an impossible or future date, another shape) is
    # kept as sent, not read as a date, and the line is accepted with a warning
    # (docs/interchange.md "Bad dates are kept"): the person still links on everything else.
    _date_of_birth_given: str = PrivateAttr("")
    _date_of_birth_problem: str = PrivateAttr("")

    @model_validator(mode="wrap")
    @classmethod
    def _keep_an_unreadable_date_of_birth(
        cls, data: Any, handler: ModelWrapValidatorHandler[PersonRecord], info: ValidationInfo
    ) -> PersonRecord:
        given = problem = ""
        if isinstance(data, dict) and isinstance(data.get("date_of_birth"), str):
            text = data["date_of_birth"]
            if _keepable(text, info):
                problem = date_of_birth_problem(text, today_of(info))
                if problem:
                    given, data = text, {**data, "date_of_birth": None}
        record = handler(data)
        record._date_of_birth_given, record._date_of_birth_problem = given, problem
        return record

    @property
    def date_of_birth_given(self) -> str:
        """The date of birth as sent when it could not be read ("" otherwise)."""
        return self._date_of_birth_given

    @property
    def date_of_birth_problem(self) -> str:
        return self._date_of_birth_problem


def _keepable(text: str, info: ValidationInfo) -> bool:
    """A date of birth that may be kept as sent: short, on one line, with no control characters
    and not blank (anything else is refused on the field, as any text would be)."""
    if not text.strip() or len(text) > DATE_OF_BIRTH_GIVEN_MAX:
        return False
    try:
        short_text(text, info)
    except ValueError:
        return False
    return True


DATE_OF_BIRTH_GIVEN_MAX = 40


class OrganisationRecord(Envelope):
    kind: Literal["organisation"]
    name: Annotated[ShortText, Field(max_length=200)] | None = None
    org_type: OrgType | None = None
    location: Ref | None = None
    contact: Text | dict[str, Any] | None = None


class LocationRecord(Envelope):
    kind: Literal["location"]
    address_lines: list[ShortText] | None = None
    town: Annotated[ShortText, Field(max_length=100)] | None = None
    postcode: Annotated[ShortText, Field(max_length=10)] | None = None
    uprn: Annotated[ShortText, Field(max_length=20)] | StrictInt | None = None
    lat: Annotated[Number, Field(ge=-90, le=90)] | None = None
    lon: Annotated[Number, Field(ge=-180, le=180)] | None = None
    location_type: LocationType | None = None


class RelationshipRecord(Envelope):
    kind: Literal["relationship"]
    person_a: Ref
    person_b: Ref
    rel_type: RelType
    from_: Date | None = Field(default=None, alias="from")
    to: Date | None = None
    notes: Text | None = None


# ---- event details, one model per event type


class Participant(OpenModel):
    person: Ref
    role: Role


class EventRecord(Envelope):
    """An event; `details` is validated against the model for its `event_type`."""

    kind: Literal["event"]
    event_type: EventType
    occurred_at: DateTime | None = None
    ended_at: DateTime | None = None
    reported_at: DateTime | None = None
    location: Ref | None = None
    recorded_by: Actor | None = None
    summary: Text | None = None
    participants: list[Participant] | None = None
    linked_events: list[Ref] | None = None
    details: dict[str, Any] | None = None


class MarkerRecord(Envelope):
    kind: Literal["marker"]
    person: Ref
    marker_type: MarkerType
    from_: Date | None = Field(default=None, alias="from")
    to: Date | None = None
    linked_person: Ref | None = None
    grading: Grading | None = None
    notes: Text | None = None


class OrderRecord(Envelope):
    kind: Literal["order"]
    order_type: OrderType
    subject: Ref | None = None
    protected: list[Ref] | None = None
    conditions: Text | list[Text] | None = None
    from_: Date | None = Field(default=None, alias="from")
    to: Date | None = None


class PlanRecord(Envelope):
    kind: Literal["plan"]
    plan_type: PlanType
    person: Ref | None = None
    created_at: DateOrDateTime | None = None
    review_due: Date | None = None
    associates: list[Ref] | None = None
    places: list[Ref] | None = None
    content: Text | None = None
    owner: Actor | None = None
    # A trigger plan, Philomena profile or FARP (docs/missing.md): the child's phone numbers,
    # description, a reference to their photograph (never the image) and the risks if missing.
    phones: list[ShortText] | None = None
    description: Text | None = None
    photo_reference: ShortText | None = None
    risks: Text | None = None


RECORD_BY_KIND: dict[str, type[Envelope]] = {
    "location": LocationRecord,
    "organisation": OrganisationRecord,
    "person": PersonRecord,
    "relationship": RelationshipRecord,
    "event": EventRecord,
    "marker": MarkerRecord,
    "order": OrderRecord,
    "plan": PlanRecord,
}
KINDS = tuple(RECORD_BY_KIND)
