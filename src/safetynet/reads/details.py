"""Turn an event's `details` (per-type JSON, see the interchange spec) into rows for a page.

Known fields come first, in the order a reader needs them for that event type, with plain
labels; any other field follows with a label made from its name, so nothing a source sent is
hidden. Values become lines of text (the template escapes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Field order and labels per event type; the words an officer would use.
FIELDS: dict[str, list[tuple[str, str]]] = {
    "incident": [
        ("thrive", "THRIVE assessment"),
        ("children_present", "Children present"),
        ("domestic_abuse", "Domestic abuse"),
        ("child_contact", "Contact with the child"),
    ],
    "missing_report": [
        ("missing_from", "Missing from"),
        ("reported_by", "Reported by"),
        ("last_seen_at", "Last seen"),
        ("last_seen_location", "Last seen at"),
        ("initial_risk", "Initial risk"),
        ("risk_rationale", "Risk rationale"),
        ("reviews", "Risk reviews"),
        ("officer_in_charge", "Officer in charge"),
        ("lines_of_enquiry", "Lines of enquiry"),
        ("found_at", "Found"),
        ("found_location", "Found at"),
        ("found_by", "Found by"),
        ("returned_of_own_accord", "Returned of own accord"),
        ("prevention_interview_at", "Prevention interview"),
        ("return_home_interview", "Return home interview"),
    ],
    "crime": [
        ("offence", "Offence"),
        ("offence_code", "Home Office code"),
        ("sexual_offence", "Sexual offence"),
        ("online", "Online"),
        ("status", "Status"),
        ("investigation_plan", "Investigation plan"),
        ("external_requests", "Requests to other forces"),
    ],
    "referral": [
        ("concern", "Concerns"),
        ("referrer", "Referrer"),
        ("received_at", "Received"),
        ("triage", "Triage"),
        ("outcome", "Outcome"),
    ],
    "meeting": [
        ("meeting_type", "Meeting type"),
        ("attendees", "Attendees"),
        ("subjects", "Subjects"),
        ("decisions", "Decisions"),
        ("actions", "Actions"),
        ("outcome_recorded", "Outcome recorded"),
    ],
}


@dataclass(frozen=True)
class DetailRow:
    label: str
    lines: list[str]


def humanise(name: str) -> str:
    """ "last_seen_at" -> "Last seen at"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def _scalar(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "Not recorded"
    if isinstance(value, dict) and set(value) <= {"source", "id"} and "id" in value:
        return f"record {value.get('source', '')}:{value['id']}".replace(" :", " ")
    if isinstance(value, str):
        return value.replace("_", " ") if value.isidentifier() and "_" in value else value
    return str(value)


def _inline(value: dict[str, Any]) -> str:
    return "; ".join(f"{humanise(k)}: {_flatten(v)}" for k, v in value.items())


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return _inline(value)
    if isinstance(value, list):
        return ", ".join(_flatten(v) for v in value)
    return _scalar(value)


def lines_of(value: Any) -> list[str]:
    """The value as lines: a mapping gives one line per field, a list one line per item."""
    if isinstance(value, dict) and not (set(value) <= {"source", "id"} and "id" in value):
        return [f"{humanise(k)}: {_flatten(v)}" for k, v in value.items()] or ["Not recorded"]
    if isinstance(value, list):
        if value and all(not isinstance(v, dict | list) for v in value):
            return [", ".join(_scalar(v) for v in value)]
        return [_flatten(v) for v in value] or ["None"]
    return [_scalar(value)]


def detail_rows(event_type: str, details: dict[str, Any]) -> list[DetailRow]:
    """Rows for the summary list: the type's known fields in order, then anything else."""
    known = FIELDS.get(event_type, [])
    rows = [DetailRow(label, lines_of(details[key])) for key, label in known if key in details]
    known_keys = {key for key, _label in known}
    rows += [DetailRow(humanise(key), lines_of(value)) for key, value in details.items() if key not in known_keys]
    return rows
