"""Pydantic models of interchange format v1 (docs/interchange.md, shared spec interchange.md).

One model per kind and one per event type's `details`. They validate a parsed JSON line;
the importer stores the original object (so unknown fields survive and export is exact),
never a re-serialisation of these models. Decisions:

- Unknown extra fields are allowed everywhere (`extra="allow"`) and kept.
- Scalars are strict about JSON types: a number where text is expected (or text where a
  number or true/false is expected) is a reject, not silently converted.
- Dates are `YYYY-MM-DD`; a date of birth may be `YYYY-MM` or `YYYY` and is never in the
  future (judged against `context["today"]`, default today in UTC). Impossible dates such
  as 31 February are rejected. Datetimes are RFC 3339 with an offset (`Z` or `+01:00`).
- Enumerations are exactly the spec's; the legacy missing-person risk values
  `no_apparent_risk` and `absent` are accepted (read as `very_low` by the importer).
- References are `{"source": ..., "id": ...}` or a bare id in the record's own source.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
)

SCHEMA_VERSION = 1

# ---------------------------------------------------------------- scalar types

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$",
)


def _require_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what} as text in quotes, got {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text"


def parse_date(value: Any) -> str:
    """Validate a full date `YYYY-MM-DD`; returns the text unchanged."""
    text = _require_text(value, "a date YYYY-MM-DD")
    if not _DATE_RE.match(text):
        raise ValueError("expected a date as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a real calendar date (check the day and month)") from None
    return text


def parse_datetime(value: Any) -> str:
    """Validate an RFC 3339 datetime with an offset; returns the text unchanged."""
    text = _require_text(value, "a date and time")
    if not _DATETIME_RE.match(text):
        raise ValueError("expected a date and time with an offset, e.g. 2025-03-01T14:30:00+00:00")
    try:
        dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError("not a real date and time (check the day, month and hour)") from None
    return text


def to_datetime(text: str | None) -> dt.datetime | None:
    """A validated RFC 3339 text as an aware datetime (None stays None)."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text.replace("z", "Z"))


def to_date(text: str | None) -> dt.date | None:
    """A validated full date (or the date part of a datetime) as a date (None stays None)."""
    if text is None:
        return None
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    value = to_datetime(text)
    return value.date() if value else None


def _parse_date_of_birth(value: Any, info: ValidationInfo) -> str:
    text = _require_text(value, "a date of birth")
    if not _PARTIAL_DATE_RE.match(text):
        raise ValueError("expected a date of birth as YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in text.split("-")]
    try:
        earliest = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError("not a real calendar date (check the day and month)") from None
    today = (info.context or {}).get("today") or dt.datetime.now(dt.UTC).date()
    if earliest > today:
        raise ValueError("date of birth is in the future")
    if parts[0] < 1880:
        raise ValueError("date of birth is before 1880")
    return text


def _date_or_datetime(value: Any) -> str:
    text = _require_text(value, "a date")
    return parse_date(text) if len(text) == 10 else parse_datetime(text)


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (leave the field out or use null when unknown)")
    return value


Date = Annotated[str, BeforeValidator(parse_date), WithJsonSchema({"type": "string", "format": "date"})]
DateTime = Annotated[
    str,
    BeforeValidator(parse_datetime),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "RFC 3339 with offset"}),
]
DateOrDateTime = Annotated[
    str,
    BeforeValidator(_date_or_datetime),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}),
]
DateOfBirth = Annotated[
    str,
    BeforeValidator(_parse_date_of_birth),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
            "description": "YYYY-MM-DD, or partial YYYY-MM / YYYY; never in the future",
        }
    ),
]
Text = StrictStr
Key = Annotated[StrictStr, AfterValidator(_nonblank), Field(max_length=200)]
Number = StrictFloat | StrictInt


class _Open(BaseModel):
    """Unknown fields are allowed and kept (the stored payload is the original object)."""

    model_config = ConfigDict(extra="allow")


class RefObject(_Open):
    source: Annotated[StrictStr, AfterValidator(_nonblank), Field(max_length=64)]
    id: Key


def _parse_ref(value: Any) -> RefObject | str:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("a reference must not be empty")
        if len(value) > 200:
            raise ValueError("a reference id has at most 200 characters")
        return value
    if isinstance(value, dict):
        if not isinstance(value.get("source"), str) or not isinstance(value.get("id"), str):
            raise ValueError('a reference needs "source" and "id", both as text')
        return RefObject.model_validate(value)
    raise ValueError(f'expected a reference {{"source": ..., "id": ...}} or an id as text, got {_json_type(value)}')


_REF_SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "properties": {"source": {"type": "string", "minLength": 1}, "id": {"type": "string", "minLength": 1}},
            "required": ["source", "id"],
        },
        {"type": "string", "minLength": 1, "description": "an id in the referring record's own source"},
    ]
}
# A reference: an object {source, id}, or a bare id in the referring record's own source.
Ref = Annotated[RefObject | str, BeforeValidator(_parse_ref), WithJsonSchema(_REF_SCHEMA)]


def _parse_actor(value: Any) -> str | dict[str, Any]:
    if isinstance(value, str | dict):
        return value
    raise ValueError(
        f"expected a name as text or an object {{name, role, rank, organisation}}, got {_json_type(value)}"
    )


# Who did something: a name as text, or an object {name, role, rank, organisation}.
Actor = Annotated[
    str | dict[str, Any],
    BeforeValidator(_parse_actor),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object"}]}),
]


def ref_key(ref: RefObject | str | None, default_source: str) -> tuple[str, str] | None:
    """The (source, id) a validated reference points at, or None for no reference."""
    if ref is None:
        return None
    if isinstance(ref, str):
        return default_source, ref
    return ref.source, ref.id


# ---------------------------------------------------------------- enumerations

Sex = Literal["female", "male", "other", "unknown"]
# The 18+1 self-defined ethnicity codes (census 2011 and 2021 variants: W1..W9, M1..M9,
# A1..A9, B1..B9, O1..O9) or NS, not stated.
SelfDefinedEthnicity = Annotated[StrictStr, Field(pattern=r"^(?:[WMABO][1-9]|NS)$")]
ObservedEthnicity = Literal["IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC7", "IC8", "IC9"]
AddressKind = Literal["home", "care", "temporary", "previous"]
CareStatus = Literal["looked_after", "child_protection_plan", "child_in_need", "care_leaver", "none"]
OrgType = Literal[
    "police_force",
    "childrens_social_care",
    "school",
    "childrens_home",
    "health",
    "probation",
    "youth_justice",
    "housing",
    "voluntary",
    "other",
]
LocationType = Literal[
    "home",
    "childrens_home",
    "school",
    "hotel",
    "public_place",
    "police_station",
    "custody_suite",
    "hospital",
    "business",
    "online",
    "other",
]
RelType = Literal[
    "parent_of",
    "step_parent_of",
    "carer_of",
    "sibling_of",
    "partner_of",
    "ex_partner_of",
    "lives_with",
    "associate_of",
    "boyfriend_girlfriend",
]
EventType = Literal[
    "incident",
    "missing_report",
    "crime",
    "referral",
    "meeting",
    "police_protection",
    "custody",
    "intelligence",
    "notification",
    "offender_visit",
    "device_examination",
]
Role = Literal[
    "subject",
    "victim",
    "suspect",
    "offender",
    "witness",
    "reporter",
    "carer",
    "associate",
    "missing_person",
    "detainee",
    "present_child",
    "perpetrator",
    "co_located",
]
MarkerType = Literal[
    "cse_risk",
    "cce_risk",
    "trafficking",
    "drugs",
    "alcohol",
    "mental_health",
    "self_harm",
    "weapons",
    "violence",
    "registered_sex_offender",
    "mappa",
    "cawn_child",
    "cawn_adult",
    "missing_trigger_plan",
    "other",
]
OrderType = Literal[
    "cawn", "sexual_harm_prevention_order", "sexual_risk_order", "non_molestation_order", "dvpo", "other"
]
PlanType = Literal[
    "trigger_plan",
    "philomena_profile",
    "fast_action_response_plan",
    "cse_plan",
    "safety_plan",
    "risk_management_plan",
    "child_protection_plan",
]
ThriveGrade = Literal["emergency", "priority", "scheduled", "resolved_without_deployment"]
MissingFrom = Literal["home", "care", "school", "other"]
MissingRisk = Literal["very_low", "low", "medium", "high", "no_apparent_risk", "absent"]
LEGACY_RISK = {"no_apparent_risk": "very_low", "absent": "very_low"}
CrimeStatus = Literal["under_investigation", "charged", "no_further_action", "other"]
Concern = Literal[
    "neglect",
    "physical",
    "sexual",
    "emotional",
    "domestic_abuse",
    "exploitation",
    "online",
    "missing",
    "mental_health",
    "other",
]
TriageGrade = Literal["red", "amber", "green", "blue"]
Research = Literal["local_authority", "police_systems", "national"]
MeetingType = Literal[
    "strategy_discussion",
    "marac",
    "mace",
    "mappa",
    "missing_tasking",
    "child_protection_conference",
    "other",
]
AccommodationOutcome = Literal["provided", "secure_provided", "not_provided"]
Scheme = Literal["operation_encompass", "gp_notification", "other"]


_GRADE_3X5X2 = {"source": (1, 2, 3), "assessment": ("A", "B", "C", "D", "E"), "handling": ("P", "C")}
_LEGACY_VALUES = (1, 2, 3, 4, 5, "1", "2", "3", "4", "5", "A", "B", "C", "D", "E")


def _parse_grading(value: Any) -> dict[str, Any]:
    """3x5x2 (source 1-3, assessment A-E, handling P/C) or a legacy 5x5x5 grading kept as given."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a grading object {{source, assessment, handling}}, got {_json_type(value)}")
    if set(_GRADE_3X5X2) <= set(value) and all(value[k] in allowed for k, allowed in _GRADE_3X5X2.items()):
        return value
    graded = {k: v for k, v in value.items() if k in ("source", "assessment", "intelligence", "handling")}
    if graded and all(v in _LEGACY_VALUES for v in graded.values()) and not isinstance(value.get("handling"), str):
        return value  # legacy 5x5x5: handling codes 1-5
    raise ValueError("expected a 3x5x2 grading: source 1, 2 or 3; assessment A to E; handling P or C")


Grading = Annotated[
    dict[str, Any],
    BeforeValidator(_parse_grading),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "object",
                    "title": "3x5x2 grading",
                    "properties": {
                        "source": {"enum": [1, 2, 3]},
                        "assessment": {"enum": ["A", "B", "C", "D", "E"]},
                        "handling": {"enum": ["P", "C"]},
                    },
                    "required": ["source", "assessment", "handling"],
                },
                {"type": "object", "title": "legacy 5x5x5 grading, kept as given"},
            ]
        }
    ),
]


# ---------------------------------------------------------------- envelope and kinds


class Envelope(_Open):
    """What every line has."""

    kind: str
    source: Annotated[StrictStr, AfterValidator(_nonblank), Field(max_length=64)]
    id: Key
    recorded_at: DateTime
    deleted: StrictBool | None = None


class Address(_Open):
    location: Ref | None = None
    from_: Date | None = Field(default=None, alias="from")
    to: Date | None = None
    kind: AddressKind | None = None


class Identifiers(_Open):
    """Named identifiers; any other named id is allowed too (as text)."""

    pnc_id: Text | None = None
    nhs_number: Text | None = None
    upn: Text | None = None
    csc_id: Text | None = None


class PersonRecord(Envelope):
    kind: Literal["person"]
    given_names: Annotated[Text, Field(max_length=200)] | None = None
    family_name: Annotated[Text, Field(max_length=200)] | None = None
    other_names: list[Text] | None = None
    date_of_birth: DateOfBirth | None = None
    sex: Sex | None = None
    self_defined_ethnicity: SelfDefinedEthnicity | None = None
    observed_ethnicity: ObservedEthnicity | None = None
    heritage_notes: Text | None = None
    first_language: Annotated[Text, Field(max_length=60)] | None = None
    identifiers: Identifiers | None = None
    addresses: list[Address] | None = None
    phones: list[Text] | None = None
    emails: list[Text] | None = None
    school: Ref | None = None
    care_status: CareStatus | None = None
    notes: Text | None = None


class OrganisationRecord(Envelope):
    kind: Literal["organisation"]
    name: Annotated[Text, Field(max_length=200)] | None = None
    org_type: OrgType | None = None
    location: Ref | None = None
    contact: Text | dict[str, Any] | None = None


class LocationRecord(Envelope):
    kind: Literal["location"]
    address_lines: list[Text] | None = None
    town: Annotated[Text, Field(max_length=100)] | None = None
    postcode: Annotated[Text, Field(max_length=10)] | None = None
    uprn: Annotated[Text, Field(max_length=20)] | StrictInt | None = None
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


class Thrive(_Open):
    threat: Text | None = None
    harm: Text | None = None
    risk: Text | None = None
    investigation: Text | None = None
    vulnerability: Text | None = None
    engagement: Text | None = None
    grade: ThriveGrade | None = None


class ChildContact(_Open):
    spoke_to_child: StrictBool | None = None
    spoke_alone: StrictBool | None = None
    voice_of_child: Text | None = None
    demeanour: Text | None = None
    wishes_feelings: Text | None = None
    bwv_used: StrictBool | None = None


class IncidentDetails(_Open):
    thrive: Thrive | None = None
    children_present: StrictBool | None = None
    domestic_abuse: StrictBool | None = None
    child_contact: ChildContact | None = None


class RiskReview(_Open):
    at: DateTime | None = None
    by: Actor | None = None
    risk: MissingRisk | None = None
    rationale: Text | None = None
    actions: list[Text] | Text | None = None


class LineOfEnquiry(_Open):
    text: Text | None = None
    location: Ref | None = None
    person: Ref | None = None
    done_at: DateTime | None = None


class ReturnHomeInterview(_Open):
    offered_at: DateTime | None = None
    completed_at: DateTime | None = None
    by: Actor | None = None


class MissingReportDetails(_Open):
    missing_from: MissingFrom | None = None
    reported_by: Actor | None = None
    last_seen_at: DateTime | None = None
    last_seen_location: Ref | None = None
    initial_risk: MissingRisk | None = None
    risk_rationale: Text | None = None
    reviews: list[RiskReview] | None = None
    officer_in_charge: Actor | None = None
    lines_of_enquiry: list[LineOfEnquiry] | None = None
    found_at: DateTime | None = None
    found_location: Ref | None = None
    found_by: Actor | None = None
    returned_of_own_accord: StrictBool | None = None
    prevention_interview_at: DateTime | None = None
    return_home_interview: ReturnHomeInterview | None = None


class ExternalRequest(_Open):
    to_force: Text | None = None
    requested_at: DateTime | None = None
    completed_at: DateTime | None = None
    text: Text | None = None


class CrimeDetails(_Open):
    offence: Text | None = None
    offence_code: Text | None = None
    sexual_offence: StrictBool | None = None
    online: StrictBool | None = None
    status: CrimeStatus | None = None
    investigation_plan: Text | None = None
    external_requests: list[ExternalRequest] | None = None


class Triage(_Open):
    grade: TriageGrade | None = None
    at: DateTime | None = None
    by: Actor | None = None
    research: Research | list[Research] | None = None
    decision: Text | None = None


class ReferralDetails(_Open):
    concern: list[Concern] | None = None
    referrer: Actor | None = None
    received_at: DateTime | None = None
    triage: Triage | None = None
    outcome: Text | None = None


class MeetingAction(_Open):
    text: Text | None = None
    owner: Actor | None = None
    due: DateOrDateTime | None = None
    done_at: DateTime | None = None


class MeetingDetails(_Open):
    meeting_type: MeetingType | None = None
    attendees: list[Actor] | None = None
    subjects: list[Ref] | None = None
    decisions: list[Text] | Text | None = None
    actions: list[MeetingAction] | None = None
    outcome_recorded: StrictBool | None = None


class Handover(_Open):
    at: DateTime | None = None
    from_: Actor | None = Field(default=None, alias="from")
    to: Actor | None = None


class PoliceProtectionDetails(_Open):
    started_at: DateTime | None = None
    designated_officer: Actor | None = None
    authorised_at: DateTime | None = None
    rationale: Text | None = None
    handovers: list[Handover] | None = None
    csc_notified_at: DateTime | None = None
    accommodation_requested_at: DateTime | None = None
    accommodation_provided_at: DateTime | None = None
    ended_at: DateTime | None = None
    end_rationale: Text | None = None


class CustodyReview(_Open):
    at: DateTime | None = None
    by: Actor | None = None
    in_presence_of_child: StrictBool | None = None


class CustodyDetails(_Open):
    arrested_at: DateTime | None = None
    arrived_at: DateTime | None = None
    appropriate_adult_requested_at: DateTime | None = None
    appropriate_adult_arrived_at: DateTime | None = None
    healthcare_seen_at: DateTime | None = None
    reviews: list[CustodyReview] | None = None
    charged_at: DateTime | None = None
    bail_refused: StrictBool | None = None
    la_accommodation_requested_at: DateTime | None = None
    la_accommodation_outcome: AccommodationOutcome | None = None
    certificate_reason: Text | None = None
    released_at: DateTime | None = None


class IntelligenceDetails(_Open):
    grading: Grading | None = None
    text: Text | None = None
    confirmed: StrictBool | None = None


class NotificationDetails(_Open):
    scheme: Scheme | None = None
    to: Ref | None = None
    sent_at: DateTime | None = None


class OffenderVisitDetails(_Open):
    announced: StrictBool | None = None
    visited_at: DateTime | None = None
    findings: Text | None = None
    devices_checked: StrictBool | None = None


class DeviceExaminationDetails(_Open):
    submitted_at: DateTime | None = None
    priority: Text | None = None
    returned_at: DateTime | None = None
    caid_uploaded_at: DateTime | None = None
    first_generation_images: StrictBool | None = None


DETAILS_BY_TYPE: dict[str, type[_Open]] = {
    "incident": IncidentDetails,
    "missing_report": MissingReportDetails,
    "crime": CrimeDetails,
    "referral": ReferralDetails,
    "meeting": MeetingDetails,
    "police_protection": PoliceProtectionDetails,
    "custody": CustodyDetails,
    "intelligence": IntelligenceDetails,
    "notification": NotificationDetails,
    "offender_visit": OffenderVisitDetails,
    "device_examination": DeviceExaminationDetails,
}


class Participant(_Open):
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


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of a line: one of the kinds, with per-event-type details.

    Returns a draft 2020-12 schema dict (written to docs/interchange.schema.json).
    """
    from pydantic import TypeAdapter

    kinds = Annotated[
        PersonRecord
        | OrganisationRecord
        | LocationRecord
        | RelationshipRecord
        | EventRecord
        | MarkerRecord
        | OrderRecord
        | PlanRecord,
        Field(discriminator="kind"),
    ]
    schema = TypeAdapter(kinds).json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    # `details` is an object in the line model (validated per type by the importer); the
    # published schema states the per-type rule with if/then so other tools can check it too.
    for model in DETAILS_BY_TYPE.values():
        sub = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        defs[model.__name__] = sub
    defs["EventRecord"]["allOf"] = [
        {
            "if": {"properties": {"event_type": {"const": event_type}}},
            "then": {"properties": {"details": {"anyOf": [{"$ref": f"#/$defs/{model.__name__}"}, {"type": "null"}]}}},
        }
        for event_type, model in DETAILS_BY_TYPE.items()
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://safetynet.invalid/interchange/v1.schema.json",
        "title": f"safetynet interchange format v{SCHEMA_VERSION}: one JSON Lines record",
        "description": "One object per line. See docs/interchange.md.",
        **schema,
    }
