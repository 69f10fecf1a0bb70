"""Offender management over REST (`/api/v1/exploitation/visits`, `/offenders`): ARMS visits
with their assessment, the visit schedule (policy S2) and the children an S1 finding links to a
registered sex offender. The exploitation workspace's conventions (api/exploitation.py): 422
naming the field, 403 for a change the role may not make, 404 for what the caller may not see."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from safetynet.api.exploitation import CHANGE, ExploitationEventOut, _need, _out, _person, _run
from safetynet.api.schemas import answers
from safetynet.exploitation import offenders
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import exploitation as reads

router = Router(tags=["exploitation"])


class VisitIn(Schema):
    offender: int | None = None
    visited_at: dt.datetime | None = None
    announced: bool | None = None
    devices_checked: bool | None = None
    findings: str = ""
    arms_priority: str = ""
    arms_assessed_on: dt.date | None = None
    risk_factors: list[str] = []
    protective_factors: list[str] = []


class ChildNearOut(Schema):
    individual: int
    name: str
    how: str


class ScheduleRowOut(Schema):
    individual: int
    name: str
    registration: int
    registered_on: dt.date | None
    arms_priority: str | None
    assessed_on: dt.date | None
    last_visit: int | None
    last_visit_at: dt.datetime | None
    next_due: dt.datetime | None
    overdue: bool
    days_overdue: int


@router.post("/visits", response=CHANGE, url_name="exploitation_visits")
def record_visit(request: HttpRequest, body: VisitIn) -> ExploitationEventOut:
    """An ARMS visit made (a visit in the future is refused)."""
    offender = _person(request, body.offender, "offender")
    return _run(
        request,
        lambda: offenders.record_visit(
            offender,
            visited_at=_need("visited_at", body.visited_at),
            announced=_need("announced", body.announced),
            devices_checked=_need("devices_checked", body.devices_checked),
            findings=body.findings,
            arms_priority=body.arms_priority,
            arms_assessed_on=body.arms_assessed_on,
            risk_factors=body.risk_factors,
            protective_factors=body.protective_factors,
            acting_user=request.user,
            clock=system_clock,
        ),
    )


@router.get(
    "/offenders/{individual}/children",
    response=answers(list[ChildNearOut], 401, 403, 404, 422),
    url_name="exploitation_children_near",
)
def children_near(request: HttpRequest, individual: int) -> list[ChildNearOut]:
    """The children an open S1 finding links to this registered sex offender (named where the
    caller may open them, "Not shown" otherwise)."""
    access.individual_for_user(request.user, individual)
    near = reads.children_near(request.user, individual)
    access.log_view(
        request.user,
        object_type="children_near",
        object_ids=[individual],
        individual_ids=[individual, *(i for i, n, _ in near if n != reads.NOT_SHOWN)],
    )
    return [ChildNearOut(individual=i, name=n, how=how) for i, n, how in near]


@router.get("/offenders", response=answers(list[ScheduleRowOut], 401, 403), url_name="exploitation_visit_schedule")
def visit_schedule(request: HttpRequest) -> list[ScheduleRowOut]:
    """The visit schedule (policy S2): registered sex offenders the caller may open, their ARMS
    priority, last visit and next visit due, overdue first."""
    rows, names = reads.visit_schedule(request.user, system_clock.now())
    access.log_view(
        request.user,
        object_type="offender_schedule",
        object_ids=[r.registration for r in rows],
        individual_ids=[r.individual for r in rows],
    )
    return [
        ScheduleRowOut(
            individual=r.individual,
            name=names[r.individual],
            registration=r.registration,
            registered_on=r.registered_on,
            arms_priority=r.priority,
            assessed_on=r.assessed_on,
            last_visit=r.last_visit.pk if r.last_visit else None,
            last_visit_at=r.last_visit.occurred_at if r.last_visit else None,
            next_due=r.next_due,
            overdue=r.overdue,
            days_overdue=r.days_overdue,
        )
        for r in rows
    ]


@router.get(
    "/offenders/{individual}/visits",
    response=answers(list[ExploitationEventOut], 401, 403, 404, 422),
    url_name="exploitation_offender_visits",
)
def offender_visits(request: HttpRequest, individual: int) -> list[ExploitationEventOut]:
    access.individual_for_user(request.user, individual)
    return [_out(request, v) for v in reads.visits(request.user, individual)]
