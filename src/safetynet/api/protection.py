"""The protection workspace over REST (`/api/v1/protection`): police protection and a child in
custody, every action with the same services and access rules as the rest of the product
(protection.police, protection.custody, reads.access). Bad input is 422 naming the field; a
change the caller's role may not make is 403; a record the caller may not see is 404 like a
missing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.protection import custody, police
from safetynet.protection.common import SOURCE, NotYourRecord, ProtectionRefused
from safetynet.reads import access
from safetynet.records.models import Event

router = Router(tags=["protection"])


class RecordOut(Schema):
    id: int
    event_type: str
    individual: int | None
    occurred_at: dt.datetime | None
    limit_ends: dt.datetime | None
    details: dict[str, Any]


CHANGE = answers(RecordOut, 400, 401, 403, 404, 422)


class TakeIn(Schema):
    individual: int | None = None
    started_at: dt.datetime | None = None
    grounds: str | None = None
    place_of_safety: str | None = None
    place_is_police_station: bool = False


class DesignateIn(Schema):
    officer: int | None = None
    at: dt.datetime | None = None


class NotifyIn(Schema):
    csc_at: dt.datetime | None = None
    csc_told: str = ""
    parents_at: dt.datetime | None = None


class AtIn(Schema):
    at: dt.datetime | None = None


class EndIn(Schema):
    at: dt.datetime | None = None
    rationale: str | None = None


class BookIn(Schema):
    individual: int | None = None
    arrested_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    authorised_at: dt.datetime | None = None


class AdultIn(Schema):
    requested_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None


class CustodyReviewIn(Schema):
    at: dt.datetime | None = None
    child_present: bool = False


class ChargeIn(Schema):
    at: dt.datetime | None = None
    bail_refused: bool = False


class ProtectionAnswerIn(Schema):
    outcome: str | None = None
    at: dt.datetime | None = None


class ProtectionReasonIn(Schema):
    reason: str | None = None


def _child(event: Event) -> int | None:
    found = event.participations.filter(role__in=("subject", "detainee"))
    return found.values_list("person__membership__individual_id", flat=True).first()


def _out(request: HttpRequest, event: Event) -> RecordOut:
    child = _child(event)
    access.log_view(
        request.user,
        object_type="event",
        object_ids=[event.pk],
        individual_ids=[child] if child else [],
        fields=[event.event_type],
    )
    return RecordOut(
        id=event.pk,
        event_type=event.event_type,
        individual=child,
        occurred_at=event.occurred_at,
        limit_ends=police.limit_ends(event) if event.event_type == police.EVENT_TYPE else None,
        details=dict(event.details or {}),
    )


def _visible(request: HttpRequest, pk: int, event_type: str) -> Event:
    event = access.event_for_user(request.user, pk)
    if event.event_type != event_type or event.source != SOURCE:
        raise access.refused(request.user, object_type="event", object_id=pk)
    return event


def _run(request: HttpRequest, change: Callable[[], Event]) -> RecordOut:
    try:
        event = change()
    except ProtectionRefused as refused:
        raise HttpError(422, str(refused)) from None
    except NotYourRecord as refused:
        raise HttpError(403, str(refused)) from None
    return _out(request, event)


def _need(field: str, value: Any) -> Any:
    if value is None:
        raise HttpError(422, f"{field}: expected a value")
    return value


def _openable(request: HttpRequest, individual: int | None) -> int:
    _need("individual", individual)
    access.individual_for_user(request.user, int(individual))  # type: ignore[arg-type]
    return int(individual)  # type: ignore[arg-type]


def _now_in(event_type: str, ended: str) -> list[Event]:
    events = Event.live.filter(event_type=event_type, source=SOURCE).order_by("occurred_at")
    return [e for e in events if not (e.details or {}).get(ended)]


@router.get("", response=answers(list[RecordOut], 401, 403), url_name="protection")
def protection_now(request: HttpRequest) -> list[RecordOut]:
    """Children in police protection now (the 72-hour limit in `limit_ends`) and in custody now,
    as far as the caller may see them."""
    candidates = _now_in(police.EVENT_TYPE, "ended_at") + _now_in(custody.EVENT_TYPE, "released_at")
    shown = access.visible_event_ids(request.user, [e.pk for e in candidates])
    return [_out(request, e) for e in candidates if e.pk in shown]


@router.post("/police", response=CHANGE, url_name="protection_police")
def take(request: HttpRequest, body: TakeIn) -> RecordOut:
    """Records a child taken into police protection (s46)."""
    child = _openable(request, body.individual)
    return _run(
        request,
        lambda: police.take(
            acting_user=request.user,
            individual_id=child,
            started_at=_need("started_at", body.started_at),
            grounds=body.grounds or "",
            place_of_safety=body.place_of_safety or "",
            place_is_police_station=body.place_is_police_station,
            clock=system_clock,
        ),
    )


@router.get("/police/{pk}", response=answers(RecordOut, 401, 403, 404, 422), url_name="protection_police_record")
def police_record(request: HttpRequest, pk: int) -> RecordOut:
    return _out(request, _visible(request, pk, police.EVENT_TYPE))


@router.post("/police/{pk}/designate", response=CHANGE, url_name="protection_police_designate")
def designate(request: HttpRequest, pk: int, body: DesignateIn) -> RecordOut:
    """The designated officer (a user id: an inspector, not the initiating officer); a change is a handover."""
    from_user = access_user(_need("officer", body.officer))
    _visible(request, pk, police.EVENT_TYPE)
    return _run(
        request,
        lambda: police.designate(
            pk, acting_user=request.user, officer=from_user, at=_need("at", body.at), clock=system_clock
        ),
    )


@router.post("/police/{pk}/notify", response=CHANGE, url_name="protection_police_notify")
def notify(request: HttpRequest, pk: int, body: NotifyIn) -> RecordOut:
    _visible(request, pk, police.EVENT_TYPE)
    return _run(
        request,
        lambda: police.notify(
            pk,
            acting_user=request.user,
            csc_at=body.csc_at,
            csc_told=body.csc_told,
            parents_at=body.parents_at,
            clock=system_clock,
        ),
    )


@router.post("/police/{pk}/accommodation", response=CHANGE, url_name="protection_police_accommodation")
def request_accommodation(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    _visible(request, pk, police.EVENT_TYPE)
    return _run(
        request,
        lambda: police.request_accommodation(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock),
    )


@router.post("/police/{pk}/accommodation/provided", response=CHANGE, url_name="protection_police_provided")
def provide_accommodation(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    """Children's social care answers: accommodation provided at `at`."""
    _visible(request, pk, police.EVENT_TYPE)
    return _run(
        request,
        lambda: police.provide_accommodation(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock),
    )


@router.post("/police/{pk}/strategy", response=CHANGE, url_name="protection_police_strategy")
def strategy(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    """Schedules the strategy discussion (the meetings workspace); answers the police protection."""
    _visible(request, pk, police.EVENT_TYPE)
    _run(
        request,
        lambda: police.strategy_discussion(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock),
    )
    return _out(request, police.protection_of(pk))


@router.post("/police/{pk}/end", response=CHANGE, url_name="protection_police_end")
def end(request: HttpRequest, pk: int, body: EndIn) -> RecordOut:
    _visible(request, pk, police.EVENT_TYPE)
    return _run(
        request,
        lambda: police.end(
            pk, acting_user=request.user, at=_need("at", body.at), rationale=body.rationale or "", clock=system_clock
        ),
    )


def access_user(pk: int) -> Any:
    from_db = police.officer_of(pk)
    if from_db is None:
        raise HttpError(422, f"officer: expected the id of a user, not {pk}")
    return from_db


@router.post("/custody", response=CHANGE, url_name="protection_custody")
def book_in(request: HttpRequest, body: BookIn) -> RecordOut:
    """Books a child into custody: arrest, arrival, detention authorised."""
    child = _openable(request, body.individual)
    return _run(
        request,
        lambda: custody.book_in(
            acting_user=request.user,
            individual_id=child,
            arrested_at=_need("arrested_at", body.arrested_at),
            arrived_at=_need("arrived_at", body.arrived_at),
            authorised_at=_need("authorised_at", body.authorised_at),
            clock=system_clock,
        ),
    )


@router.get("/custody/{pk}", response=answers(RecordOut, 401, 403, 404, 422), url_name="protection_custody_record")
def custody_record(request: HttpRequest, pk: int) -> RecordOut:
    return _out(request, _visible(request, pk, custody.EVENT_TYPE))


@router.post("/custody/{pk}/appropriate-adult", response=CHANGE, url_name="protection_custody_adult")
def appropriate_adult(request: HttpRequest, pk: int, body: AdultIn) -> RecordOut:
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request,
        lambda: custody.appropriate_adult(
            pk, acting_user=request.user, requested_at=body.requested_at, arrived_at=body.arrived_at, clock=system_clock
        ),
    )


@router.post("/custody/{pk}/health", response=CHANGE, url_name="protection_custody_health")
def health_seen(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request, lambda: custody.health_seen(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock)
    )


@router.post("/custody/{pk}/reviews", response=CHANGE, url_name="protection_custody_reviews")
def review(request: HttpRequest, pk: int, body: CustodyReviewIn) -> RecordOut:
    """A PACE review by the caller: when, and whether the child was present."""
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request,
        lambda: custody.review(
            pk, acting_user=request.user, at=_need("at", body.at), child_present=body.child_present, clock=system_clock
        ),
    )


@router.post("/custody/{pk}/charge", response=CHANGE, url_name="protection_custody_charge")
def charge(request: HttpRequest, pk: int, body: ChargeIn) -> RecordOut:
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request,
        lambda: custody.charge(
            pk, acting_user=request.user, at=_need("at", body.at), bail_refused=body.bail_refused, clock=system_clock
        ),
    )


@router.post("/custody/{pk}/transfer", response=CHANGE, url_name="protection_custody_transfer")
def request_transfer(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    """The PACE s38(6) request to the local authority."""
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request,
        lambda: custody.request_transfer(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock),
    )


@router.post("/custody/{pk}/transfer/answer", response=CHANGE, url_name="protection_custody_transfer_answer")
def answer_transfer(request: HttpRequest, pk: int, body: ProtectionAnswerIn) -> RecordOut:
    """Children's social care answers the s38(6) request (provided, secure_provided, not_provided)."""
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request,
        lambda: custody.answer_transfer(
            pk, acting_user=request.user, outcome=body.outcome or "", at=_need("at", body.at), clock=system_clock
        ),
    )


@router.post("/custody/{pk}/certificate", response=CHANGE, url_name="protection_custody_certificate")
def certify(request: HttpRequest, pk: int, body: ProtectionReasonIn) -> RecordOut:
    """The custody officer's s38(7) certificate and its reason."""
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request, lambda: custody.certify(pk, acting_user=request.user, reason=body.reason or "", clock=system_clock)
    )


@router.post("/custody/{pk}/release", response=CHANGE, url_name="protection_custody_release")
def release(request: HttpRequest, pk: int, body: AtIn) -> RecordOut:
    _visible(request, pk, custody.EVENT_TYPE)
    return _run(
        request, lambda: custody.release(pk, acting_user=request.user, at=_need("at", body.at), clock=system_clock)
    )


class ProtectionEscalationOut(Schema):
    id: int
    owner_agency: str
    level: int
    response_due: dt.datetime


@router.post(
    "/custody/{pk}/escalate",
    response=answers(ProtectionEscalationOut, 400, 401, 403, 404, 422),
    url_name="protection_custody_escalate",
)
def escalate(request: HttpRequest, pk: int, body: ProtectionReasonIn) -> ProtectionEscalationOut:
    """A refused or unanswered s38(6) request to the partnership escalation log (children's social care)."""
    _visible(request, pk, custody.EVENT_TYPE)
    try:
        found = custody.escalate_transfer(pk, acting_user=request.user, reason=body.reason or "", clock=system_clock)
    except ProtectionRefused as refused:
        raise HttpError(422, str(refused)) from None
    return ProtectionEscalationOut(
        id=found.pk, owner_agency=found.owner_agency.code, level=found.level, response_due=found.response_due
    )
