"""Turn an event's `details` (per-type JSON, see the interchange spec) into rows for a page.

Known fields come first, in the order a reader needs them for that event type, with plain
labels; any other field follows with a label made from its name, so nothing a source sent is
hidden. Values become lines of text (the template escapes them); a reference to another
record reads as what it is (an address, a name the viewer may read, an event's type and date),
never as its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safetynet.reads.access import visible_event_ids
from safetynet.reads.disclosure import matching, may_open_people
from safetynet.reads.labels import label, uk_date
from safetynet.reads.language_marks import MarkedText, mark_text
from safetynet.reads.network import location_label
from safetynet.reads.person import NO_ACCESS_NAME, display_name
from safetynet.records.models import Event, Location, Person
from safetynet.risk.policy import Policy

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


Ref = tuple[str, str]


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"source", "id"} and "id" in value


def _scalar(value: Any, labels: dict[Ref, str]) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "Not recorded"
    if _is_ref(value):
        ref = (str(value.get("source", "")), str(value["id"]))
        return labels.get(ref) or f"record {ref[0]}:{ref[1]}".replace(" :", " ")
    if isinstance(value, str):
        return value.replace("_", " ") if value.isidentifier() and "_" in value else value
    return str(value)


def _inline(value: dict[str, Any], labels: dict[Ref, str]) -> str:
    return "; ".join(f"{humanise(k)}: {_flatten(v, labels)}" for k, v in value.items())


def _flatten(value: Any, labels: dict[Ref, str]) -> str:
    if isinstance(value, dict) and not _is_ref(value):
        return _inline(value, labels)
    if isinstance(value, list):
        return ", ".join(_flatten(v, labels) for v in value)
    return _scalar(value, labels)


def lines_of(value: Any, labels: dict[Ref, str] | None = None) -> list[str]:
    """The value as lines: a mapping gives one line per field, a list one line per item;
    a reference to another record reads as its label in `labels` when given."""
    labels = labels or {}
    if isinstance(value, dict) and not _is_ref(value):
        return [f"{humanise(k)}: {_flatten(v, labels)}" for k, v in value.items()] or ["Not recorded"]
    if isinstance(value, list):
        if value and all(not isinstance(v, dict | list) for v in value):
            return [", ".join(_scalar(v, labels) for v in value)]
        return [_flatten(v, labels) for v in value] or ["None"]
    return [_scalar(value, labels)]


def refs_in(value: Any) -> set[Ref]:
    """Every reference to another record inside an event's details (a found location, the
    person a line of enquiry names, a linked record)."""
    if _is_ref(value):
        return {(str(value.get("source", "")), str(value["id"]))}
    if isinstance(value, dict):
        return {r for v in value.values() for r in refs_in(v)}
    if isinstance(value, list):
        return {r for v in value for r in refs_in(v)}
    return set()


def reference_labels(user: Any, refs: set[Ref]) -> dict[Ref, str]:
    """What a viewer reads for each referenced record: a place by its address; a person by
    name when `user` may open them, else "a person you do not have access to"; an event by its
    type and date when `user` may see it. A reference to nothing stored keeps its code."""
    out: dict[Ref, str] = {}
    for place in matching(Location.live, refs).defer("payload"):
        out[(place.source, place.source_id)] = location_label(place)
    people = list(matching(Person.live, refs).defer("payload"))
    opens = may_open_people(user, [p.pk for p in people])
    for person in people:
        out[(person.source, person.source_id)] = display_name(person) if opens[person.pk] else NO_ACCESS_NAME
    events = list(matching(Event.live, refs).only("source", "source_id", "event_type", "occurred_at"))
    seen = visible_event_ids(user, [e.pk for e in events])
    for event in events:
        when = f", {uk_date(event.occurred_at)}" if event.occurred_at else ""
        text = f"{label(event.event_type)}{when}" if event.pk in seen else "a record you do not have access to"
        out.setdefault((event.source, event.source_id), text)
    return out


def detail_rows(event_type: str, details: dict[str, Any], labels: dict[Ref, str] | None = None) -> list[DetailRow]:
    """Rows for the summary list: the type's known fields in order, then anything else;
    references read as `labels` (`reference_labels`)."""
    known = FIELDS.get(event_type, [])
    rows = [DetailRow(title, lines_of(details[key], labels)) for key, title in known if key in details]
    known_keys = {key for key, _title in known}
    rows += [
        DetailRow(humanise(key), lines_of(value, labels)) for key, value in details.items() if key not in known_keys
    ]
    return rows


@dataclass(frozen=True)
class MarkedRow:
    """A details row whose lines carry the language check's marks (reads.language_marks)."""

    label: str
    lines: list[MarkedText]


def marked_rows(rows: list[DetailRow], policy: Policy, *, first_note: int = 1) -> list[MarkedRow]:
    """`rows` with every line marked where it uses a phrase the policy flags (a risk rationale,
    a review's rationale, a line of enquiry), notes numbered on from `first_note`."""
    out: list[MarkedRow] = []
    number = first_note
    for row in rows:
        lines = []
        for line in row.lines:
            marked = mark_text(row.label, line, policy, first_note=number)
            number += len(marked.notes)
            lines.append(marked)
        out.append(MarkedRow(row.label, lines))
    return out
