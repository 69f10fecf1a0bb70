"""Response shapes of the API (the OpenAPI document at /api/v1/docs is generated from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every refusal: `detail`, a sentence naming the field and what was expected ("state:
    expected current or all"), or, for input the API could not read at all (a path id that is
    not a number), django-ninja's list of problems, each with its location."""

    detail: str | list[dict[str, Any]]


def answers(ok: Any, *refusals: int) -> dict[Any, Any]:
    """An operation's documented responses: `ok` for 200, `ErrorOut` for each refusal code it
    gives (401 not signed in, 403 refused by the matrix, and the operation's own)."""
    return {200: ok, frozenset(refusals): ErrorOut}


class SourceRecordOut(Schema):
    source: str
    source_id: str
    given_names: str
    family_name: str
    date_of_birth: str
    linked_by: str
    match_probability: float | None


class MarkerOut(Schema):
    marker_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str


class HeldElsewhereOut(Schema):
    """Findings the caller may not read in full stand as one of these per owning role
    (docs/access.md "Findings"): who holds the concern and whom to contact, nothing more."""

    agency: str
    owner_role: str


class IndividualOut(Schema):
    id: int
    name: str
    other_names: list[str]
    date_of_birth: str
    age: int | None
    sex: str
    postcode: str
    care_status: str
    records: list[SourceRecordOut]
    markers: list[MarkerOut]
    concerns_held_elsewhere: list[HeldElsewhereOut]


class MentionOut(Schema):
    """A person who took part, as the caller may read them (name "A person you do not have
    access to" and no id for anyone the caller may not open)."""

    role: str
    name: str
    individual_id: int | None
    this_child: bool


class LanguageNoteOut(Schema):
    """A blaming phrase in the event's free text: where (which text), the words as written, the
    policy's phrase, why it matters and what to write instead."""

    text: str
    written: str
    phrase: str
    reason: str
    suggestion: str


class EventOut(Schema):
    id: int
    event_type: str
    occurred_at: dt.datetime | None
    source: str
    source_id: str
    summary: str
    roles: list[str]
    # The entry in words, as the screen's chronology reads it (reads/chronology.py).
    agency: str = ""
    place: str = ""
    people: list[MentionOut] = []
    description: list[str] = []
    language: list[LanguageNoteOut] = []


class ChronologyOut(Schema):
    count: int
    page: int
    pages: int
    events: list[EventOut]


class SearchResultOut(Schema):
    id: int
    name: str
    date_of_birth: str
    age: int | None
    postcode: str
    match_probability: float
    last_event_type: str | None
    last_event_at: dt.datetime | None


class TaskOut(Schema):
    id: int
    finding: int
    individual: int
    child_name: str
    clause: str
    severity: str
    reason: str
    owner_role: str
    team: str
    assignee: str | None
    due_at: dt.datetime | None
    overdue: bool
    escalation_level: int
    escalation_exhausted: bool
    escalation: str
    state: str
    queue: str


class CiteOut(Schema):
    source: str
    id: str
    event: int | None


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    actor: str
    from_role: str
    to_role: str
    note: str


class RefOut(Schema):
    source: str
    id: str


class NamedOut(Schema):
    """A person or place a finding names, as the caller may read it (docs/risk.md "Named")."""

    kind: str  # person | place
    role: str  # their part in the finding
    text: str  # name, age and address; an address; or why it is not shown
    shown: bool
    record: RefOut
    count: int | None = None
    individual: int | None = None


class TaskDetailOut(TaskOut):
    named: list[NamedOut]
    clause_title: str
    policy_version: str
    cites: list[CiteOut]
    cites_withheld: int
    rationale: str
    history: list[HistoryOut]
    escalation_chain: list[str]
    may_act: bool


class AssignIn(Schema):
    """A person (user id) and/or a team (code); a person alone puts the task in their team."""

    assignee: int | None = None
    team: str = Field("", max_length=60)


class BulkAssignIn(Schema):
    """Several tasks (ids) for one person (user id) or one team (code)."""

    tasks: list[int] = Field(default_factory=list)
    assignee: int | None = None
    team: str = Field("", max_length=60)


class RefusalOut(Schema):
    task: int
    reason: str


class BulkAssignOut(Schema):
    """The tasks assigned, and each refused one with why (roles, agencies, team codes, states)."""

    assigned: list[int]
    refused: list[RefusalOut]


class ResolveIn(Schema):
    rationale: str = ""


class FindingOut(Schema):
    id: int
    clause: str
    severity: str
    reason: str
    named: list[NamedOut]
    cites: list[RefOut]
    owner_role: str
    due_by: dt.datetime | None
    state: str
    raised_at: dt.datetime
    task: int | None


class LineAnswerOut(Schema):
    """What became of one line of a REST ingest call (docs/api.md "Answers")."""

    line: int
    outcome: str  # accepted | updated | unchanged | rejected
    status: int  # 200 stored; 422 invalid; 409 conflict; 403 outside the key's scope
    kind: str | None = None
    source: str | None = None
    id: str | None = None
    field: str | None = None
    reason: str | None = None


class IngestOut(Schema):
    batch: int
    counts: dict[str, int]
    lines: list[LineAnswerOut]


class StoredRecordOut(Schema):
    kind: str
    payload: dict[str, Any]


class NetworkPersonOut(Schema):
    key: str  # the node's id in `nodes` ("ind-<id>", "hidden-<n>")
    individual: int | None  # None for a person the caller may not open
    name: str
    hop: int
    age_group: str  # child, adult, or "" when not shown
    age: int | None
    how: list[str]
    flags: list[str]
    drawn_as: str  # "shown" or the label of the group holding them


class NetworkPlaceOut(Schema):
    key: str
    label: str
    times: int
    drawn_as: str


class NetworkOut(Schema):
    individual: int
    hops: int
    relationship_types: list[str]
    event_types: list[str]
    date_from: dt.date
    date_to: dt.date
    limit: int
    expand: list[str]
    events_read: int
    events_capped: bool
    people: list[NetworkPersonOut]
    places: list[NetworkPlaceOut]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    groups: list[dict[str, Any]]
