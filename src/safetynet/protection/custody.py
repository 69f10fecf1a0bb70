"""A child in custody, recorded in safetynet: arrest, arrival and detention authorised; the
appropriate adult requested and arrived; health seen; PACE reviews (s40, timed from when
detention was authorised) with who reviewed and whether the child was present; charge and bail
refused; the PACE s38(6) transfer request to the local authority and its answer; where the child
stays, the custody officer's certificate with its reason. A refused or unanswered transfer goes
to the partnership escalation log (to children's social care). Clauses C1 and C2 read each
version and close when the work is recorded.

Every function takes a keyword-only `acting_user` and an injected clock, and refuses bad input
with `ProtectionRefused(field, expected)` before anything is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from safetynet.lib.clock import Clock, system_clock
from safetynet.meetings.services import actor
from safetynet.protection.common import (
    PERMISSION,
    RATIONALE_MIN_CHARACTERS,
    SOURCE,
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
from safetynet.work import escalations
from safetynet.work.models import PartnershipEscalation

EVENT_TYPE = "custody"
OUTCOMES = {
    "provided": "Accommodation provided",
    "secure_provided": "Secure accommodation provided",
    "not_provided": "Not provided",
}


def custody_of(pk: int) -> Event:
    """The custody record written in safetynet with this id (ProtectionRefused if none)."""
    return event_of(pk, EVENT_TYPE, "a custody record")


def book_in(
    *,
    acting_user: Any,
    individual_id: int,
    arrested_at: dt.datetime,
    arrived_at: dt.datetime,
    authorised_at: dt.datetime,
    clock: Clock = system_clock,
) -> Event:
    """The custody officer books a child in: arrest, arrival, detention authorised."""
    require(acting_user, PERMISSION, "record custody")
    arrested = when("arrested_at", arrested_at, clock=clock)
    arrived = when("arrived_at", arrived_at, clock=clock, not_before=arrested, after="the arrest")
    authorised = when("authorised_at", authorised_at, clock=clock, not_before=arrived, after="arrival")
    record = {
        "kind": "event",
        "source": SOURCE,
        "id": f"custody-{uuid.uuid4().hex}",
        "event_type": EVENT_TYPE,
        "occurred_at": stamp(arrived),
        "summary": "Child detained in custody.",
        "recorded_by": actor(acting_user) if acting_user is not None else {"name": "safetynet"},
        "participants": [{"person": child_ref(individual_id), "role": "detainee"}],
        "details": {"arrested_at": stamp(arrested), "arrived_at": stamp(arrived), "authorised_at": stamp(authorised)},
    }
    return store(record, acting_user=acting_user, clock=clock)


def _open(pk: int, clock: Clock) -> tuple[Event, dict[str, Any], dt.datetime]:
    event = custody_of(pk)
    record = record_of(event, clock)
    arrived = parse(record["details"].get("arrived_at")) or event.occurred_at
    assert arrived is not None
    return event, record, arrived


def appropriate_adult(
    pk: int,
    *,
    acting_user: Any,
    requested_at: dt.datetime | None = None,
    arrived_at: dt.datetime | None = None,
    clock: Clock = system_clock,
) -> Event:
    """When the appropriate adult was requested and when they arrived."""
    require(acting_user, PERMISSION, "record the appropriate adult")
    _, record, arrived = _open(pk, clock)
    d = record["details"]
    if requested_at is None and arrived_at is None:
        raise ProtectionRefused("requested_at", "expected when the appropriate adult was requested or arrived")
    if requested_at is not None:
        d["appropriate_adult_requested_at"] = stamp(
            when("requested_at", requested_at, clock=clock, not_before=arrived, after="arrival")
        )
    if arrived_at is not None:
        asked = parse(d.get("appropriate_adult_requested_at")) or arrived
        d["appropriate_adult_arrived_at"] = stamp(
            when("arrived_at", arrived_at, clock=clock, not_before=asked, after="the request")
        )
    return store(record, acting_user=acting_user, clock=clock, reason="appropriate adult recorded")


def health_seen(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """When the child was seen by a healthcare professional."""
    require(acting_user, PERMISSION, "record the health check")
    _, record, arrived = _open(pk, clock)
    record["details"]["healthcare_seen_at"] = stamp(when("at", at, clock=clock, not_before=arrived, after="arrival"))
    return store(record, acting_user=acting_user, clock=clock, reason="health seen recorded")


def review(pk: int, *, acting_user: Any, at: dt.datetime, child_present: bool, clock: Clock = system_clock) -> Event:
    """A PACE review of detention (s40) by `acting_user` at `at`, and whether the child was present."""
    require(acting_user, PERMISSION, "record a detention review")
    _, record, arrived = _open(pk, clock)
    d = record["details"]
    reviewed = when("at", at, clock=clock, not_before=arrived, after="arrival in custody")
    reviews = [
        *(d.get("reviews") or []),
        {"at": stamp(reviewed), "by": actor(acting_user), "in_presence_of_child": bool(child_present)},
    ]
    d["reviews"] = sorted(reviews, key=lambda r: str(r.get("at")))
    return store(record, acting_user=acting_user, clock=clock, reason="detention review recorded")


def charge(pk: int, *, acting_user: Any, at: dt.datetime, bail_refused: bool, clock: Clock = system_clock) -> Event:
    """The child is charged; bail refused or not."""
    require(acting_user, PERMISSION, "record a charge")
    _, record, arrived = _open(pk, clock)
    d = record["details"]
    d["charged_at"] = stamp(when("at", at, clock=clock, not_before=arrived, after="arrival in custody"))
    d["bail_refused"] = bool(bail_refused)
    return store(record, acting_user=acting_user, clock=clock, reason="charge recorded")


def request_transfer(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """The PACE s38(6) request to the local authority to accommodate the child."""
    require(acting_user, PERMISSION, "request a transfer")
    _, record, _ = _open(pk, clock)
    d = record["details"]
    charged = parse(d.get("charged_at"))
    if charged is None or not d.get("bail_refused"):
        raise ProtectionRefused("at", "expected a child charged and refused bail before a s38(6) request")
    d["la_accommodation_requested_at"] = stamp(when("at", at, clock=clock, not_before=charged, after="the charge"))
    return store(record, acting_user=acting_user, clock=clock, reason="s38(6) transfer requested")


def answer_transfer(pk: int, *, acting_user: Any, outcome: str, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """Children's social care answers the s38(6) request; refused means the child stays."""
    require(acting_user, "answer_accommodation", "answer a transfer request")
    if outcome not in OUTCOMES:
        raise ProtectionRefused("outcome", f"expected one of {', '.join(OUTCOMES)}")
    _, record, _ = _open(pk, clock)
    d = record["details"]
    asked = parse(d.get("la_accommodation_requested_at"))
    if asked is None:
        raise ProtectionRefused("outcome", "expected a s38(6) request to answer")
    d["la_accommodation_answered_at"] = stamp(when("at", at, clock=clock, not_before=asked, after="the request"))
    d["la_accommodation_outcome"] = outcome
    return store(record, acting_user=acting_user, clock=clock, reason=f"s38(6) answered: {outcome}")


def certify(pk: int, *, acting_user: Any, reason: str, clock: Clock = system_clock) -> Event:
    """The custody officer's certificate (s38(7)) that the child stays in custody, with why."""
    require(acting_user, PERMISSION, "certify")
    _, record, _ = _open(pk, clock)
    d = record["details"]
    if d.get("la_accommodation_outcome") in ("provided", "secure_provided"):
        raise ProtectionRefused("certificate_reason", "expected no certificate: accommodation was provided")
    if not d.get("la_accommodation_requested_at"):
        raise ProtectionRefused("certificate_reason", "expected a s38(6) request first")
    d["certificate_reason"] = text(
        "certificate_reason",
        reason,
        "why transfer was impracticable or secure accommodation unavailable",
        RATIONALE_MIN_CHARACTERS,
    )
    d["certificate_by"] = actor(acting_user)
    return store(record, acting_user=acting_user, clock=clock, reason="s38(7) certificate recorded")


def release(pk: int, *, acting_user: Any, at: dt.datetime, clock: Clock = system_clock) -> Event:
    """The child leaves custody (released, transferred or to court)."""
    require(acting_user, PERMISSION, "record release")
    _, record, arrived = _open(pk, clock)
    record["details"]["released_at"] = stamp(when("at", at, clock=clock, not_before=arrived, after="arrival"))
    return store(record, acting_user=acting_user, clock=clock, reason="release recorded")


def escalate_transfer(pk: int, *, acting_user: Any, reason: str, clock: Clock = system_clock) -> PartnershipEscalation:
    """A refused or unanswered s38(6) request goes to the partnership escalation log, owned by
    children's social care."""
    event = custody_of(pk)
    d = event.details or {}
    if not d.get("la_accommodation_requested_at") or d.get("la_accommodation_outcome") in (
        "provided",
        "secure_provided",
    ):
        raise ProtectionRefused("reason", "expected a s38(6) request that was refused or not answered")
    try:
        return escalations.raise_escalation(
            acting_user=acting_user, owner_agency="csc", reason=reason, refusal_id=event.pk, clock=clock
        )
    except escalations.EscalationRefused as refused:
        raise ProtectionRefused(refused.field, refused.expected) from refused
