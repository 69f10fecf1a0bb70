"""Field types of interchange format v1: scalars (dates, keys, text), references, who acted,
intelligence gradings, and the spec's enumerations; each strict about JSON types and each
with the JSON Schema it publishes."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
)

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


def date_of_birth_problem(text: str, today: dt.date) -> str:
    """Why `text` cannot be read as a date of birth ("" when it can): not YYYY-MM-DD, YYYY-MM or
    YYYY, not a real calendar date, in the future, or before 1880."""
    if not _PARTIAL_DATE_RE.match(text):
        return "expected a date of birth as YYYY-MM-DD, YYYY-MM or YYYY"
    parts = [int(p) for p in text.split("-")]
    try:
        earliest = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return "not a real calendar date (check the day and month)"
    if earliest > today:
        return "date of birth is in the future"
    if parts[0] < 1880:
        return "date of birth is before 1880"
    return ""


def today_of(info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today")
    return today if isinstance(today, dt.date) else dt.datetime.now(dt.UTC).date()


def _parse_date_of_birth(value: Any, info: ValidationInfo) -> str:
    text = _require_text(value, "a date of birth")
    problem = date_of_birth_problem(text, today_of(info))
    if problem:
        raise ValueError(problem)
    return text


def _date_or_datetime(value: Any) -> str:
    text = _require_text(value, "a date")
    return parse_date(text) if len(text) == 10 else parse_datetime(text)


def nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (leave the field out or use null when unknown)")
    return value


# ---------------------------------------------------------------- characters text may hold

# One rule for every text field (docs/interchange.md, "Control and bidirectional characters"):
# no C0 or C1 control characters and no Unicode bidirectional controls, which reorder how text
# is displayed (a right-to-left override makes a name read backwards on screen). Names, ids and
# other short identifying text take no line breaks or tabs either; long free text (summaries,
# notes, details) may keep tab, line feed and carriage return. Such a line is rejected naming
# the field: nothing is silently altered.
_BIDI_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NOT_IN_SHORT_TEXT = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")
_NOT_IN_FREE_TEXT = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_BIDI = re.compile(rf"[{_BIDI_CONTROLS}]")
_LINE_BREAKS = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a line break",
    "\u2028": "a line break",
    "\u2029": "a line break",
}


def _character(char: str, position: int) -> str:
    """The offending character by code point and name, and where: never the text around it."""
    code = f"U+{ord(char):04X}"
    if _BIDI.match(char):
        what = f"a bidirectional control at character {position} ({code} {unicodedata.name(char).lower()}"
        return what + ", which changes the order text is shown in)"
    if char in _LINE_BREAKS:
        return f"{_LINE_BREAKS[char]} at character {position} ({code})"
    return f"a control character at character {position} ({code})"


def _skip_check(info: ValidationInfo | None) -> bool:
    # Versions stored before this rule are read back as they were (history.read_payload).
    return info is not None and bool((info.context or {}).get("stored"))


def _refusing(pattern: re.Pattern[str], expected: str) -> Callable[[str, ValidationInfo | None], str]:
    """A text check that refuses the first character `pattern` finds, naming it and `expected`."""

    def check(value: str, info: ValidationInfo | None) -> str:
        found = pattern.search(value)
        if found is not None and not _skip_check(info):
            raise ValueError(f"contains {_character(found.group(), found.start() + 1)}; expected {expected}")
        return value

    return check


# Names, ids, identifiers, phone numbers, addresses: printable characters on one line.
short_text = _refusing(
    _NOT_IN_SHORT_TEXT,
    "printable text on one line: names, ids and addresses take no control characters, line breaks, tabs or "
    "bidirectional controls",
)
# Long free text (summaries, notes, details): tabs and line breaks allowed, no other controls.
free_text = _refusing(
    _NOT_IN_FREE_TEXT,
    "text that may hold tabs and line breaks but no other control characters and no bidirectional controls",
)


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
# The same rule published in the JSON Schema (ECMA-262 patterns), for other tools to check.
_SHORT_TEXT_SCHEMA = Field(
    json_schema_extra={"pattern": rf"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029{_BIDI_CONTROLS}]*$"}
)
_FREE_TEXT_SCHEMA = Field(
    json_schema_extra={"pattern": rf"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f{_BIDI_CONTROLS}]*$"}
)
Text = Annotated[StrictStr, AfterValidator(free_text), _FREE_TEXT_SCHEMA]
ShortText = Annotated[StrictStr, AfterValidator(short_text), _SHORT_TEXT_SCHEMA]
Key = Annotated[
    StrictStr, AfterValidator(nonblank), AfterValidator(short_text), _SHORT_TEXT_SCHEMA, Field(max_length=200)
]
Number = StrictFloat | StrictInt


class OpenModel(BaseModel):
    """Unknown fields are allowed and kept (the stored payload is the original object)."""

    model_config = ConfigDict(extra="allow")


SourceName = Annotated[
    StrictStr, AfterValidator(nonblank), AfterValidator(short_text), _SHORT_TEXT_SCHEMA, Field(max_length=64)
]


class RefObject(OpenModel):
    source: SourceName
    id: Key


def _parse_ref(value: Any, info: ValidationInfo) -> RefObject | str:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("a reference must not be empty")
        if len(value) > 200:
            raise ValueError("a reference id has at most 200 characters")
        return short_text(value, info)
    if isinstance(value, dict):
        if not isinstance(value.get("source"), str) or not isinstance(value.get("id"), str):
            raise ValueError('a reference needs "source" and "id", both as text')
        return RefObject.model_validate(value, context=info.context)
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


_ACTOR_NAMING = ("name", "role", "rank", "organisation")


def _parse_actor(value: Any, info: ValidationInfo) -> str | dict[str, Any]:
    if isinstance(value, str):
        return short_text(value, info)
    if isinstance(value, dict):
        for key in _ACTOR_NAMING:
            if isinstance(value.get(key), str):
                try:
                    short_text(value[key], info)
                except ValueError as exc:
                    raise ValueError(f"{key} {exc}") from None
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
    "disruption_plan",
    "screening",
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
    "cce_plan",
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
Research = Literal["local_authority", "police_systems", "national", "health", "education"]
MeetingType = Literal[
    "strategy_discussion",
    "marac",
    "mace",
    "mappa",
    "missing_tasking",
    "child_protection_conference",
    "daily_management",
    "other",
]
# A meeting written in the product is scheduled first and recorded as held afterwards; a
# meeting from a source system without a status was held (format v1).
MeetingStatus = Literal["scheduled", "held", "cancelled"]
AccommodationOutcome = Literal["provided", "secure_provided", "not_provided"]
Scheme = Literal["operation_encompass", "gp_notification", "other"]
# How a child is involved in an indecent-image offence (the exploitation workspace, O1).
Involvement = Literal["depicted", "sharer", "recipient", "sibling"]
DevicePriority = Literal["priority", "standard"]
DisruptionStatus = Literal["considered", "applied", "granted", "refused", "served"]


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
