"""Police protection (Children Act 1989 s46), recorded in safetynet: the child taken, by whom,
on what grounds and to which place of safety; the designated officer (an inspector, never the
initiating officer) and every handover; children's social care and the parents told;
accommodation requested and provided; a strategy discussion (the meetings workspace); the end
with its rationale. Clause P1 reads each version and closes when the work is recorded.

Every function takes a keyword-only `acting_user` and an injected clock, and refuses bad input
with `ProtectionRefused(field, expected)` before anything is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth import get_user_model

from safetynet.access.profiles import role_of
from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings import services as meetings
from safetynet.meetings.services import AgendaEntry, MeetingRefused, NotYourMeeting, actor
from safetynet.protection.common import (
    PERMISSION,
    RATIONALE_MIN_CHARACTERS,
    SOURCE,
    NotYourRecord,
    ProtectionRefused,
    child_ref,
    event_of,
    parse,
    record_of,
    require,
    stamp,
    store,
    text,
    when,
)
from safetynet.records.models import Event

EVENT_TYPE = "police_protection"
LIMIT = dt.timedelta(hours=72)


def protection_of(pk: int) -> Event:
    """The police protection recorded in safetynet with this id (ProtectionRefused if none)."""
    return event_of(pk, EVENT_TYPE, "a police protection")


def take(
    *,
    acting_user: Any,
    individual_id: int,
    started_at: dt.datetime,
    grounds: str,
    place_of_safety: str,
    place_is_police_station: bool = False,
    clock: Clock = system_clock,
) -> Event:
    """The initiating officer records a child taken into police protection."""
    require(acting_user, PERMISSION, "record police protection")
    start = when("started_at", started_at, clock=clock)
    details: dict[str, Any] = {
        "started_at": stamp(start),
        "grounds": text(
            "grounds", grounds, "the grounds: why the child would otherwise be likely to suffer significant harm"
        ),
        "place_of_safety": text("place_of_safety", place_of_safety, "where the child was taken"),
        "place_is_police_station": bool(place_is_police_station),
    }
    officer = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    record = {
        "kind": "event",
        "source": SOURCE,
        "id": f"pp-{uuid.uuid4().hex}",
        "event_type": EVENT_TYPE,
        "occurred_at": stamp(start),
        "summary": "Child taken into police protection (s46).",
        "recorded_by": officer,
        "participants": [{"person": child_ref(individual_id), "role": "subject"}],
        "details": details,
    }
    return store(record, acting_user=acting_user, clock=clock)


def _same(a: Any, b: Any) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    if a.get("username") and b.get("username"):
        return bool(a["username"] == b["username"])
    return str(a.get("name") or "").strip().lower() == str(b.get("name") or "").strip().lower()


def designate(pk: int, *, acting_user: Any, officer: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """Makes `officer` (a user) the designated officer from `at`; a change of officer is a
    handover kept on the record. Refused unless the officer is an inspector who did not
    initiate the police protection."""
    require(acting_user, PERMISSION, "designate an officer")
    event = protection_of(pk)
    record = record_of(event, clock)
    d = record["details"]
    start = parse(d.get("started_at")) or event.occurred_at
    moment = when("at", at, clock=clock, not_before=start, after="the start of police protection")
    if officer is None or role_of(officer) != "inspector":
        raise ProtectionRefused("designated_officer", "expected an inspector as the designated officer (s46(3)(e))")
    chosen = actor(officer)
    if _same(chosen, record.get("recorded_by")):
        raise ProtectionRefused("designated_officer", "expected an inspector who is not the initiating officer")
    previous = d.get("designated_officer")
    if _same(chosen, previous):
        raise ProtectionRefused("designated_officer", "expected a different officer from the one designated now")
    if previous:
        d["handovers"] = [*(d.get("handovers") or []), {"at": stamp(moment), "from": previous, "to": chosen}]
    else:
        d["authorised_at"] = stamp(moment)
    d["designated_officer"] = chosen
    why = "handover of the designated officer" if previous else "designated officer appointed"
    return store(record, acting_user=acting_user, clock=clock, reason=why)


def notify(
    pk: int,
    *,
    acting_user: Any,
    csc_at: dt.datetime | None = None,
    csc_told: str = "",
    parents_at: dt.datetime | None = None,
    clock: Clock = system_clock,
) -> Event:
    """Records when (and whom) children's social care was told, and when the parents were."""
    require(acting_user, PERMISSION, "record who was told")
    event = protection_of(pk)
    record = record_of(event, clock)
    d = record["details"]
    start = parse(d.get("started_at")) or event.occurred_at
    if csc_at is None and parents_at is None:
        raise ProtectionRefused("csc_at", "expected when children's social care or the parents were told")
    if csc_at is not None:
        d["csc_notified_at"] = stamp(when("csc_at", csc_at, clock=clock, not_before=start, after="the start"))
        d["csc_notified_by"] = {"name": text("csc_told", csc_told, "who in children's social care was told")}
    if parents_at is not None:
        d["parents_notified_at"] = stamp(
            when("parents_at", parents_at, clock=clock, not_before=start, after="the start")
        )
    return store(record, acting_user=acting_user, clock=clock, reason="notifications recorded")


def request_accommodation(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """The officer asks the local authority for accommodation; the wait runs from `at`."""
    require(acting_user, PERMISSION, "request accommodation")
    event = protection_of(pk)
    record = record_of(event, clock)
    d = record["details"]
    start = parse(d.get("started_at")) or event.occurred_at
    d["accommodation_requested_at"] = stamp(when("at", at, clock=clock, not_before=start, after="the start"))
    d.pop("accommodation_provided_at", None)
    return store(record, acting_user=acting_user, clock=clock, reason="accommodation requested")


def provide_accommodation(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """Children's social care records the accommodation provided (answering the request)."""
    require(acting_user, "answer_accommodation", "answer an accommodation request")
    event = protection_of(pk)
    record = record_of(event, clock)
    d = record["details"]
    asked = parse(d.get("accommodation_requested_at"))
    if asked is None:
        raise ProtectionRefused("at", "expected a request for accommodation to answer")
    d["accommodation_provided_at"] = stamp(when("at", at, clock=clock, not_before=asked, after="the request"))
    return store(record, acting_user=acting_user, clock=clock, reason="accommodation provided")


def end(pk: int, *, acting_user: Any, at: dt.datetime, rationale: str, clock: Clock = system_clock) -> Event:
    """Ends police protection at `at` (after the start) with the rationale for ending it."""
    require(acting_user, PERMISSION, "end police protection")
    event = protection_of(pk)
    record = record_of(event, clock)
    d = record["details"]
    if d.get("ended_at"):
        raise ProtectionRefused("ended_at", "expected a police protection that has not ended")
    start = parse(d.get("started_at")) or event.occurred_at
    ended = when("ended_at", at, clock=clock, not_before=start, after="the start of police protection")
    d["end_rationale"] = text(
        "end_rationale", rationale, "why police protection is ending and where the child goes", RATIONALE_MIN_CHARACTERS
    )
    d["ended_at"] = stamp(ended)
    return store(record, acting_user=acting_user, clock=clock, reason="police protection ended")


def strategy_discussion(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """Schedules the strategy discussion about the child (the meetings workspace), its trigger
    this record."""
    event = protection_of(pk)
    child = event.participations.filter(role="subject").values_list("person__membership__individual_id", flat=True)
    individual_id = child.first()
    if individual_id is None:
        raise ProtectionRefused("individual", "expected a police protection whose child is known")
    entry = AgendaEntry(individual_id=int(individual_id), reason="Taken into police protection (s46)", clause="P1")
    try:
        return meetings.schedule(
            acting_user=acting_user,
            meeting_type="strategy_discussion",
            at=at,
            agenda=[entry],
            trigger_event_id=event.pk,
            clock=clock,
        )
    except MeetingRefused as refused:
        raise ProtectionRefused(refused.field, refused.expected) from refused
    except NotYourMeeting as refused:
        raise NotYourRecord(str(refused)) from refused


def officer_of(pk: int) -> Any:
    """The active user with this id (None if there is none)."""
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def limit_ends(event: Event) -> dt.datetime | None:
    """When the 72-hour limit ends (None once police protection has ended)."""
    d = event.details or {}
    if d.get("ended_at"):
        return None
    start = parse(d.get("started_at")) or event.occurred_at
    return start + LIMIT if start is not None else None
