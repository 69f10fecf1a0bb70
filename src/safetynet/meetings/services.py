"""The meetings workspace's workflows: schedule a meeting with an agenda built from the picture,
change the agenda with a reason, record it as held (attendance, information shared, decisions,
outcome), add owned and dated actions, complete an action with an outcome, cancel.

Capture is a source: a meeting is an interchange `event` of type `meeting` that the product
writes (`source = "safetynet"`), and every change here is a new version of that record sent
through the capture service with who and why (`interchange.capture`, door `web`). Validation,
versions, the access log, linkage, risk (X3, X7, D2, P1 read the meeting) and task sync are the
one path every door takes; an action becomes its owner's task through policy clause X7.

Every function takes a keyword-only `acting_user` and an injected clock, and refuses bad input
with `MeetingRefused(field, expected)` before anything is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from safetynet.access.models import Team
from safetynet.access.profiles import has_permission, profile_of, role_of
from safetynet.access.roles import AGENCY_OF_ROLE
from safetynet.identity.models import Membership
from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Event, Person
from safetynet.risk.policy import current_policy
from safetynet.risk.rules.meetings import action_owner_role

MEETING_TYPES = {
    "strategy_discussion": "Strategy discussion",
    "marac": "MARAC",
    "mace": "MACE",
    "missing_tasking": "Missing tasking",
    "daily_management": "Daily management meeting",
}
SOURCE = "safetynet"
TEXT_MAX = 4000
OUTCOME_MIN_CHARACTERS = 10
REASON_MIN_CHARACTERS = 10


class MeetingRefused(Exception):
    """Bad input for a meeting: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYourMeeting(Exception):
    """`acting_user` may not make this change (the message names the permission or the owner)."""


@dataclass(frozen=True)
class AgendaEntry:
    """A person to put on an agenda: the individual, why, and the clause that put them there."""

    individual_id: int
    reason: str
    clause: str = ""
    role: str = ""  # victim, perpetrator, child, adult of concern
    repeat: bool = False


def _text(field: str, value: Any, what: str, minimum: int = 1) -> str:
    text = str(value or "").strip()
    if not text:
        raise MeetingRefused(field, f"expected {what}")
    if len(text) < minimum:
        raise MeetingRefused(field, f"expected at least {minimum} characters: {what}")
    if len(text) > TEXT_MAX:
        raise MeetingRefused(field, f"expected {TEXT_MAX:,} characters or fewer")
    if "\x00" in text:
        raise MeetingRefused(field, "expected text without null characters")
    return text


def actor(user: Any) -> dict[str, str]:
    """A staff member as an interchange actor: name, role, organisation and username."""
    profile = profile_of(user)
    role = role_of(user) or ""
    out = {
        "name": (user.get_full_name() or user.username) if user is not None else "",
        "role": role,
        "organisation": AGENCY_OF_ROLE.get(role, profile.agency.code if profile is not None else ""),
        "username": getattr(user, "username", ""),
    }
    return {k: v for k, v in out.items() if v}


def person_refs(individual_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """One source record of each individual to refer to them by (the oldest, a stable choice),
    in one query; MeetingRefused naming the first id that is not a known person."""
    wanted = list(dict.fromkeys(individual_ids))
    found: dict[int, dict[str, str]] = {}
    members = (
        Membership.objects.filter(individual_id__in=wanted)
        .order_by("individual_id", "person_id")
        .values_list("individual_id", "person__source", "person__source_id")
    )
    for individual_id, source, source_id in members:
        found.setdefault(individual_id, {"source": source, "id": source_id})
    for individual_id in wanted:
        if individual_id not in found:
            raise MeetingRefused("individual", f"expected the id of a known person, not {individual_id}")
    return found


def person_ref(individual_id: int) -> dict[str, str]:
    """One source record of `individual_id` to refer to them by (see `person_refs`)."""
    return person_refs([individual_id])[individual_id]


def individual_of_ref(ref: Any) -> int | None:
    """The individual a stored reference's record belongs to (None when not on record)."""
    if not isinstance(ref, dict):
        return None
    person = Person.live.filter(source=ref.get("source"), source_id=ref.get("id")).first()
    if person is None:
        return None
    return Membership.objects.filter(person=person).values_list("individual_id", flat=True).first()


def _require(user: Any, permission: str, what: str) -> None:
    if user is not None and not has_permission(user, permission):
        raise NotYourMeeting(f"expected a role with the {permission} permission to {what}")


def meeting_of(pk: int) -> Event:
    """The meeting written in safetynet with this id (MeetingRefused if there is none)."""
    found = written_event(pk, "meeting")
    if found is None:
        raise MeetingRefused("meeting", f"expected the id of a meeting recorded in safetynet, not {pk}")
    return found


def _store(record: dict[str, Any], *, acting_user: Any, clock: Clock, reason: str = "") -> Event:
    """Sends one meeting record through the capture service; the stored meeting, or the
    capture's rejection as MeetingRefused (its field and reason)."""
    try:
        return write([record], acting_user=acting_user, clock=clock, reason=reason, label="meeting")
    except CaptureRejected as rejected:
        raise MeetingRefused(rejected.field or "meeting", rejected.reason) from rejected


def _record_of(meeting: Event, clock: Clock) -> dict[str, Any]:
    """The interchange record of the meeting's current version, to change and send again as the
    next version (recorded now, and always after the version it corrects)."""
    return next_version(meeting, clock)


def _agenda_item(entry: AgendaEntry, added_by: dict[str, str], ref: dict[str, str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "person": ref or person_ref(entry.individual_id),
        "reason": _text("reason", entry.reason, "why the person is on the agenda"),
        "added_by": added_by,
    }
    if entry.clause:
        item["clause"] = entry.clause[:8]
    if entry.role:
        item["role"] = entry.role
    if entry.repeat:
        item["repeat"] = True
    return item


def schedule(
    *,
    acting_user: Any,
    meeting_type: str,
    at: dt.datetime,
    agenda: list[AgendaEntry],
    victim: int | None = None,
    perpetrator: int | None = None,
    trigger_event_id: int | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Schedules a meeting at `at` (now or later) with its agenda; a MARAC names its victim and
    perpetrator (event participants, as source systems send them), a strategy discussion may
    name the record that called it (`trigger`)."""
    _require(acting_user, "chair_meetings", "schedule a meeting")
    if meeting_type not in MEETING_TYPES:
        raise MeetingRefused("meeting_type", f"expected one of {', '.join(MEETING_TYPES)}")
    if at.tzinfo is None:
        raise MeetingRefused("at", "expected a date and time with its time zone")
    if at < clock.now() - dt.timedelta(minutes=5):
        raise MeetingRefused("at", "expected a date and time now or later: record a past meeting as held")
    if not agenda:
        raise MeetingRefused("agenda", "expected at least one person on the agenda")
    chair = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    details: dict[str, Any] = {
        "meeting_type": meeting_type,
        "status": "scheduled",
        "chair": chair,
    }
    refs = person_refs([e.individual_id for e in agenda] + [pk for pk in (victim, perpetrator) if pk])
    details["agenda"] = [_agenda_item(e, chair, refs[e.individual_id]) for e in agenda]
    record: dict[str, Any] = {
        "kind": "event",
        "source": SOURCE,
        "id": f"meeting-{uuid.uuid4().hex}",
        "event_type": "meeting",
        "occurred_at": at.isoformat(),
        "summary": f"{MEETING_TYPES[meeting_type]} scheduled.",
        "recorded_by": chair,
        "details": details,
    }
    participants = [
        {"person": refs[pk], "role": role} for pk, role in ((victim, "victim"), (perpetrator, "perpetrator")) if pk
    ]
    if meeting_type == "marac" and not participants:
        raise MeetingRefused("victim", "expected the victim (and perpetrator) a MARAC case is about")
    if participants:
        record["participants"] = participants
    if trigger_event_id is not None:
        trigger = Event.live.filter(pk=trigger_event_id).first()
        if trigger is None:
            raise MeetingRefused("trigger", f"expected the id of a record, not {trigger_event_id}")
        details["trigger"] = {"source": trigger.source, "id": trigger.source_id}
    return _store(record, acting_user=acting_user, clock=clock)


def add_to_agenda(meeting_id: int, entry: AgendaEntry, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """The chair adds a person to the agenda, saying why."""
    _require(acting_user, "chair_meetings", "change an agenda")
    meeting = meeting_of(meeting_id)
    record = _record_of(meeting, clock)
    _refuse_if(record, "cancelled", "a cancelled meeting's agenda cannot change")
    ref = person_ref(entry.individual_id)
    items = record["details"].setdefault("agenda", [])
    if any(i.get("person") == ref and not i.get("removed_reason") for i in items):
        raise MeetingRefused("individual", "expected a person not already on the agenda")
    items.append(_agenda_item(entry, actor(acting_user)))
    return _store(record, acting_user=acting_user, clock=clock, reason=f"added to the agenda: {entry.reason}")


def remove_from_agenda(
    meeting_id: int, index: int, *, reason: str, acting_user: Any, clock: Clock = system_clock
) -> Event:
    """The chair takes item `index` (from 0) off the agenda with a reason; it stays on the record."""
    _require(acting_user, "chair_meetings", "change an agenda")
    why = _text("reason", reason, "why the person is taken off the agenda", REASON_MIN_CHARACTERS)
    meeting = meeting_of(meeting_id)
    record = _record_of(meeting, clock)
    _refuse_if(record, "cancelled", "a cancelled meeting's agenda cannot change")
    items = record["details"].get("agenda") or []
    if not 0 <= index < len(items) or items[index].get("removed_reason"):
        raise MeetingRefused("item", "expected an item that is on the agenda")
    items[index]["removed_reason"] = why
    # A person no longer on the agenda is no longer a subject of the meeting.
    record["details"]["subjects"] = [s for s in record["details"].get("subjects") or [] if s != items[index]["person"]]
    return _store(record, acting_user=acting_user, clock=clock, reason=f"taken off the agenda: {why}")


def _refuse_if(record: dict[str, Any], status: str, expected: str) -> None:
    if record["details"].get("status") == status:
        raise MeetingRefused("meeting", expected)


@dataclass(frozen=True)
class Held:
    """What the chair records after the meeting."""

    held_at: dt.datetime
    attendees: list[dict[str, str]]
    apologies: list[dict[str, str]]
    information_shared: list[dict[str, Any]]
    decisions: list[str]
    outcome: str


def record_held(meeting_id: int, held: Held, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """Records the meeting as held: when, who attended (every agency, with or without access to
    this system), apologies, information shared, decisions and the outcome. Refused for a
    meeting dated in the future, with nobody attending, or with no decision."""
    _require(acting_user, "chair_meetings", "record a meeting")
    now = clock.now()
    if held.held_at.tzinfo is None:
        raise MeetingRefused("held_at", "expected a date and time with its time zone")
    if held.held_at > now:
        raise MeetingRefused("held_at", "expected the date and time the meeting was held: now or earlier")
    if not held.attendees:
        raise MeetingRefused("attendees", "expected at least one attendee (name and organisation)")
    for n, a in enumerate(held.attendees, start=1):
        if not str(a.get("name") or "").strip() or not str(a.get("organisation") or "").strip():
            raise MeetingRefused("attendees", f"attendee {n}: expected a name and an organisation")
    decisions = [_text("decisions", d, "a decision") for d in held.decisions if str(d).strip()]
    if not decisions:
        raise MeetingRefused("decisions", "expected at least one decision")
    outcome = _text("outcome", held.outcome, "the meeting's outcome", OUTCOME_MIN_CHARACTERS)
    meeting = meeting_of(meeting_id)
    record = _record_of(meeting, clock)
    _refuse_if(record, "cancelled", "a cancelled meeting cannot be recorded as held")
    d = record["details"]
    d.update(
        status="held",
        attendees=held.attendees,
        apologies=held.apologies,
        information_shared=[
            {**i, "text": _text("information_shared", i.get("text"), "what was shared")}
            for i in held.information_shared
        ],
        decisions=decisions,
        outcome=outcome,
        outcome_recorded=True,
        outcome_recorded_at=now.isoformat(),
    )
    record["occurred_at"] = held.held_at.isoformat()
    record["summary"] = f"{MEETING_TYPES.get(str(d.get('meeting_type')), 'Meeting')} held."
    return _store(record, acting_user=acting_user, clock=clock, reason="recorded as held")


def action_owner(*, user_id: int | None = None, team: str = "") -> dict[str, str]:
    """The owner of an action: a person (a user of this system whose role acts on tasks) or a
    team of an agency on this system. MeetingRefused names `owner` when neither is valid."""
    if user_id:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None or not has_permission(user, "resolve_task"):
            raise MeetingRefused("owner", "expected a person whose role acts on tasks, or a team")
        return actor(user)
    if team:
        found = Team.objects.filter(code=team).select_related("agency").first()
        if found is None:
            raise MeetingRefused("owner", f"expected a team code; no team has the code {team[:40]!r}")
        return {"name": found.name, "organisation": found.agency.code, "team": found.code}
    raise MeetingRefused("owner", "expected an owner: a person or a team")


def add_action(
    meeting_id: int,
    *,
    text: str,
    owner: dict[str, str] | None,
    about: int | None,
    due: dt.date | None,
    acting_user: Any,
    clock: Clock = system_clock,
) -> tuple[Event, str]:
    """Adds an action with an owner, a due date and the person it is for; returns the meeting
    and the action's id. An action without an owner or a due date cannot be saved."""
    _require(acting_user, "chair_meetings", "add an action")
    what = _text("text", text, "what must be done")
    if not owner:
        raise MeetingRefused("owner", "expected an owner: a person or a team")
    if action_owner_role(owner, current_policy()) is None:
        raise MeetingRefused("owner", "expected a person or team of police, children's social care or health")
    if due is None:
        raise MeetingRefused("due", "expected the date the action is due")
    if due < clock.now().date():
        raise MeetingRefused("due", "expected a due date today or later")
    if about is None:
        raise MeetingRefused("about", "expected the person on the agenda the action is for")
    meeting = meeting_of(meeting_id)
    record = _record_of(meeting, clock)
    _refuse_if(record, "cancelled", "a cancelled meeting takes no actions")
    d = record["details"]
    ref = person_ref(about)
    listed = [i.get("person") for i in d.get("agenda") or [] if not i.get("removed_reason")]
    if ref not in listed:
        raise MeetingRefused("about", "expected a person on the meeting's agenda")
    action_id = f"A{len(d.get('actions') or []) + 1}"
    d.setdefault("actions", []).append(
        {"id": action_id, "text": what, "owner": owner, "about": ref, "due": due.isoformat()}
    )
    stored = _store(record, acting_user=acting_user, clock=clock, reason=f"action {action_id} added")
    return stored, action_id


def find_action(meeting: Event, action_id: str) -> dict[str, Any]:
    for action in (meeting.details or {}).get("actions") or []:
        if isinstance(action, dict) and str(action.get("id")) == action_id:
            return action
    raise MeetingRefused("action", f"expected the id of one of the meeting's actions, not {action_id[:20]!r}")


def may_complete(user: Any, action: dict[str, Any]) -> bool:
    """The action's owner (the person, a member of the team, or the owner agency's role that acts
    on it when no person is named) or a chair may record it done."""
    if user is None:
        return True
    if has_permission(user, "chair_meetings"):
        return True
    given = action.get("owner")
    owner: dict[str, Any] = given if isinstance(given, dict) else {}
    if not has_permission(user, "resolve_task"):
        return False
    if owner.get("username"):
        return bool(owner["username"] == user.username)
    profile = profile_of(user)
    if owner.get("team"):
        return profile is not None and profile.team is not None and profile.team.code == owner["team"]
    return AGENCY_OF_ROLE.get(role_of(user) or "") == owner.get("organisation")


def complete_action(
    meeting_id: int, action_id: str, *, outcome: str, acting_user: Any, clock: Clock = system_clock
) -> Event:
    """Records an action done, with its outcome; its task (X7) closes on the re-evaluation."""
    meeting = meeting_of(meeting_id)
    action = find_action(meeting, action_id)
    if not may_complete(acting_user, action):
        raise NotYourMeeting("expected the action's owner (the person, their team or their agency) or a chair")
    if action.get("done_at"):
        raise MeetingRefused("action", "expected an action not yet done")
    text = _text("outcome", outcome, "what was done and its outcome", OUTCOME_MIN_CHARACTERS)
    record = _record_of(meeting, clock)
    for item in record["details"]["actions"]:
        if isinstance(item, dict) and str(item.get("id")) == action_id:
            item.update(done_at=clock.now().isoformat(), outcome=text)
            if acting_user is not None:
                item["done_by"] = actor(acting_user)
    return _store(record, acting_user=acting_user, clock=clock, reason=f"action {action_id} done")


def cancel(meeting_id: int, *, reason: str, acting_user: Any, clock: Clock = system_clock) -> Event:
    """Cancels a scheduled meeting with a reason (a held meeting stays held)."""
    _require(acting_user, "chair_meetings", "cancel a meeting")
    why = _text("reason", reason, "why the meeting is cancelled", REASON_MIN_CHARACTERS)
    record = _record_of(meeting_of(meeting_id), clock)
    if record["details"].get("status") != "scheduled":
        raise MeetingRefused("meeting", "expected a scheduled meeting: a held or cancelled one cannot be cancelled")
    record["details"].update(status="cancelled", cancelled_reason=why)
    return _store(record, acting_user=acting_user, clock=clock, reason=f"cancelled: {why}")
