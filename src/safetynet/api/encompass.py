"""Notifications to partners over REST (`/api/v1/encompass`): the police's Operation Encompass list
(schools still to be told; what was sent and acknowledged) and GP list (`/gp`: practices not yet
told of an incident of the last 30 days), telling a school or GP practice, a partner's own list
(`/school`: what was sent to the caller's school or GP practice) and its acknowledgement, with
the screens' services and access rules (mash.encompass, reads.encompass).
Bad input is 422 naming the field; a change the caller may not make is 403; an incident, child
or notification the caller may not open is 404 like a missing one."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.mash import encompass
from safetynet.reads import access
from safetynet.reads import encompass as reads

router = Router(tags=["encompass"])


class EncompassDueOut(Schema):
    individual: int
    child: str
    incident: int
    incident_at: dt.datetime | None
    due_by: dt.datetime | None
    overdue: bool
    school: str
    told_at: dt.datetime | None


class EncompassSentOut(Schema):
    """`school`: the organisation told (a school, or a GP practice for `scheme` gp_notification),
    also as `partner`."""

    id: int
    scheme: str
    individual: int | None
    child: str
    school: str
    partner: str
    sent_at: str
    sent_by: str
    information: str
    acknowledged_at: str
    acknowledged_by: str


class EncompassListOut(Schema):
    to_send: list[EncompassDueOut]
    sent: list[EncompassSentOut]


class EncompassSchoolOut(Schema):
    school: str
    notifications: list[EncompassSentOut]


class EncompassSendIn(Schema):
    """`incident`: the domestic abuse incident; `individual`: the child in it; `information`:
    what the school needs to know to support the child (10 characters or more)."""

    incident: int
    individual: int
    information: str | None = None


def _sent_out(row: reads.Sent) -> EncompassSentOut:
    return EncompassSentOut(
        id=row.notification.pk,
        scheme=str((row.notification.details or {}).get("scheme") or ""),
        individual=row.individual_id,
        child=row.name,
        school=row.partner,
        partner=row.partner,
        sent_at=row.sent_at,
        sent_by=row.sent_by,
        information=row.information,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )


def _refused(request: HttpRequest, object_id: int | str, error: Exception) -> HttpError:
    if isinstance(error, encompass.NotYourNotification):
        access.log_denied(request.user, object_type="event", object_id=object_id)
        return HttpError(403, str(error))
    return HttpError(422, str(error))


@router.get("/", response=answers(EncompassListOut, 401, 403, 422), url_name="encompass")
def encompass_list(request: HttpRequest) -> EncompassListOut:
    """Schools still to be told (open D1, the earliest deadline first) and what was sent in the
    last 30 days (the unacknowledged first)."""
    now = system_clock.now()
    due, sent = reads.to_send(request.user, now), reads.sent(request.user, now)
    reads.log_list(request.user, due, "to_send")
    reads.log_list(request.user, sent, "sent")
    return EncompassListOut(
        to_send=[
            EncompassDueOut(
                individual=r.individual_id,
                child=r.name,
                incident=r.incident.pk,
                incident_at=r.incident.occurred_at,
                due_by=r.due_by,
                overdue=r.overdue,
                school=r.partner,
                told_at=r.told_at,
            )
            for r in due
        ],
        sent=[_sent_out(r) for r in sent],
    )


@router.post("/", response=answers(EncompassSentOut, 400, 401, 403, 404, 422), url_name="encompass")
def encompass_send(request: HttpRequest, body: EncompassSendIn) -> EncompassSentOut:
    """Tell the child's school about the incident now (D1 closes when it is sent in time)."""
    access.event_for_user(request.user, body.incident)
    access.individual_for_user(request.user, body.individual)
    try:
        note = encompass.send(body.incident, body.individual, str(body.information or ""), acting_user=request.user)
    except (encompass.NotificationRefused, encompass.NotYourNotification) as error:
        raise _refused(request, body.incident, error) from None
    row = reads.sent_rows([note], request.user, system_clock.now())[0]
    return _sent_out(row)


@router.get("/school", response=answers(EncompassSchoolOut, 401, 403, 422), url_name="school_notifications")
def school_notifications(request: HttpRequest) -> EncompassSchoolOut:
    """The notifications sent to the caller's school (or GP practice), the unacknowledged first."""
    school, rows = reads.for_partner(request.user, system_clock.now())
    reads.log_list(request.user, rows, "partner")
    return EncompassSchoolOut(school=school, notifications=[_sent_out(r) for r in rows])


@router.post(
    "/{notification_id}/acknowledge",
    response=answers(EncompassSentOut, 400, 401, 403, 404, 422),
    url_name="school_acknowledge",
)
def school_acknowledge(request: HttpRequest, notification_id: int) -> EncompassSentOut:
    """The school (or GP practice) acknowledges a notification sent to it in safetynet."""
    access.event_for_user(request.user, notification_id)
    try:
        note = encompass.acknowledge(notification_id, acting_user=request.user)
    except (encompass.NotificationRefused, encompass.NotYourNotification) as error:
        raise _refused(request, notification_id, error) from None
    return _sent_out(reads.sent_rows([note], request.user, system_clock.now())[0])


class GpDueOut(Schema):
    """A child in a domestic abuse incident whose GP practice has not been told (`practice`
    empty: none on record). No deadline: the standards set none for health."""

    individual: int
    child: str
    incident: int
    incident_at: dt.datetime | None
    practice: str


class GpListOut(Schema):
    to_send: list[GpDueOut]
    sent: list[EncompassSentOut]


@router.get("/gp", response=answers(GpListOut, 401, 403, 422), url_name="gp_notifications")
def gp_list(request: HttpRequest) -> GpListOut:
    """GP practices not yet told of a domestic abuse incident of the last 30 days (the newest
    first) and the GP notifications sent in the last 30 days (the unacknowledged first)."""
    now = system_clock.now()
    due, sent = reads.gp_to_send(request.user, now), reads.sent(request.user, now, encompass.GP)
    reads.log_list(request.user, due, "to_send")
    reads.log_list(request.user, sent, "sent")
    return GpListOut(
        to_send=[
            GpDueOut(
                individual=r.individual_id,
                child=r.name,
                incident=r.incident.pk,
                incident_at=r.incident.occurred_at,
                practice=r.partner,
            )
            for r in due
        ],
        sent=[_sent_out(r) for r in sent],
    )


@router.post("/gp", response=answers(EncompassSentOut, 400, 401, 403, 404, 422), url_name="gp_notifications")
def gp_send(request: HttpRequest, body: EncompassSendIn) -> EncompassSentOut:
    """Tell the child's GP practice about the incident now (`information`: what the practice
    needs to know to support the child)."""
    access.event_for_user(request.user, body.incident)
    access.individual_for_user(request.user, body.individual)
    try:
        note = encompass.send(
            body.incident,
            body.individual,
            str(body.information or ""),
            acting_user=request.user,
            scheme=encompass.GP,
        )
    except (encompass.NotificationRefused, encompass.NotYourNotification) as error:
        raise _refused(request, body.incident, error) from None
    return _sent_out(reads.sent_rows([note], request.user, system_clock.now())[0])
