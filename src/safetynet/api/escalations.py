"""The partnership escalation log over REST (`/api/v1/escalations`): list, raise, read and
answer, with the screens' rules and words (reads.escalations, work.escalations). An
escalation the caller's agency neither raised nor owns answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.access.profiles import has_permission
from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.lib.periods import PeriodRefused, check_period
from safetynet.reads import access
from safetynet.reads.escalation_report import partnership_report
from safetynet.reads.escalations import (
    SHOW_ESCALATIONS,
    EscalationRow,
    escalation_detail,
    escalation_for_user,
    escalation_list,
)
from safetynet.reads.work_queue import task_for_user
from safetynet.risk.policy import current_policy
from safetynet.work import escalations as services
from safetynet.work.models import IllegalMove, Task
from safetynet.work.ownership import may_act

router = Router(tags=["escalations"])


class MeetingActionOut(Schema):
    """The meeting action an escalation was raised from: the meeting's id (`/api/v1/meetings/{id}`)
    and the action's id within it."""

    meeting: int
    action: str


class EscalationOut(Schema):
    id: int
    raised_from: str
    task: int | None
    finding: int | None
    refusal: int | None
    meeting_action: MeetingActionOut | None
    individual: int | None
    owner_agency: str
    raised_by_agency: str
    raised_at: dt.datetime
    reason: str
    level: int
    level_name: str
    response_due: dt.datetime
    overdue: bool
    exhausted: bool
    status: str
    outcome: str
    answer: str
    answered_at: dt.datetime | None


class EscalationDetailOut(EscalationOut):
    may_answer: bool
    history: list[dict[str, Any]]


class RaiseIn(Schema):
    """Exactly one source (`task`, `finding` or `refusal`: a custody or police protection record's
    id), the agency that must answer (`owner_agency`: csc, health, education or police) and the
    reason: what you ask them to do, and why."""

    owner_agency: str | None = None
    reason: str | None = None
    task: int | None = None
    finding: int | None = None
    refusal: int | None = None


class AnswerIn(Schema):
    outcome: str | None = None  # agreed, partly_agreed or declined
    answer: str | None = None


class EscalationFilters(Schema):
    show: str = "open"


def _out(row: EscalationRow) -> dict[str, Any]:
    e = row.escalation
    return {
        "id": e.pk,
        "raised_from": e.raised_from,
        "task": e.task_id,
        "finding": e.finding_id,
        "refusal": e.refusal_id,
        "meeting_action": {"meeting": row.meeting_action[0], "action": row.meeting_action[1]}
        if row.meeting_action
        else None,
        "individual": e.individual_id,
        "owner_agency": e.owner_agency.code,
        "raised_by_agency": e.raised_by_agency.code,
        "raised_at": e.raised_at,
        "reason": e.reason,
        "level": e.level,
        "level_name": row.level_label,
        "response_due": e.response_due,
        "overdue": row.overdue,
        "exhausted": e.exhausted,
        "status": e.status,
        "outcome": e.outcome,
        "answer": e.answer,
        "answered_at": e.answered_at,
    }


def _log(request: HttpRequest, rows: list[EscalationRow], fields: list[str]) -> None:
    access.log_view(
        request.user,
        object_type="partnership_escalation",
        object_ids=[r.escalation.pk for r in rows],
        individual_ids=sorted({r.escalation.individual_id for r in rows if r.escalation.individual_id}),
        fields=fields,
    )


@router.get("", response=answers(list[EscalationOut], 401, 403, 422), url_name="escalations")
def list_escalations(request: HttpRequest, filters: Query[EscalationFilters]) -> list[EscalationOut]:
    """Escalations raised by or to the caller's agency (`show`: open, the default; for_us;
    by_us; all), overdue first, then the soonest response due."""
    if filters.show not in dict(SHOW_ESCALATIONS):
        raise HttpError(422, f"show: expected one of {', '.join(dict(SHOW_ESCALATIONS))}")
    found = escalation_list(request.user, system_clock.now(), filters.show)
    _log(request, found.rows, ["escalations"])
    return [EscalationOut(**_out(r)) for r in found.rows]


def _detail(request: HttpRequest, pk: int) -> EscalationDetailOut:
    found = escalation_for_user(request.user, pk)
    detail = escalation_detail(request.user, found, system_clock.now())
    _log(request, [detail.row], ["escalation", "reason", "answer", "history"])
    return EscalationDetailOut(
        **_out(detail.row),
        may_answer=detail.may_answer,
        history=[{"at": h.at, "action": h.action, "level": h.level, "note": h.note} for h in detail.history],
    )


def check_source(user: Any, body: RaiseIn) -> None:
    """422 naming the field when the source is one the caller may not open (missing and
    forbidden read the same), or a task (a finding's) the caller may not act on: an escalation
    is raised by whoever holds the work (the task rules of docs/access.md)."""
    field = "task" if body.task is not None else "finding" if body.finding is not None else "refusal"
    try:
        task_id = body.task
        if body.finding is not None:
            # A finding is read through its task (the same access and disclosure rules).
            task_id = Task.objects.filter(finding_id=body.finding).values_list("pk", flat=True).first()
            if task_id is None:
                raise Http404
        if task_id is not None:
            task = task_for_user(user, task_id)
            if not (has_permission(user, "resolve_task") and may_act(task, user, current_policy())):
                raise HttpError(422, f"{field}: expected a {field} whose work you may act on")
        if body.refusal is not None:
            access.event_for_user(user, body.refusal)
    except Http404:
        raise HttpError(422, f"{field}: expected the id of a {field} you may open") from None


@router.post("", response=answers(EscalationDetailOut, 400, 401, 403, 422), url_name="escalations")
def raise_escalation(request: HttpRequest, body: RaiseIn) -> EscalationDetailOut:
    """Raise an escalation to another agency from a task, a finding or a custody/police
    protection refusal; it is due at level 1 within the policy's working days."""
    check_source(request.user, body)
    try:
        raised = services.raise_escalation(
            acting_user=request.user,
            owner_agency=body.owner_agency,
            reason=body.reason,
            task_id=body.task,
            finding_id=body.finding,
            refusal_id=body.refusal,
            clock=system_clock,
        )
    except services.EscalationRefused as refused:
        raise HttpError(422, str(refused)) from None
    return _detail(request, raised.pk)


class AgencyAgesOut(Schema):
    agency: str
    bands: dict[str, int]
    overdue: int
    at_partnership: int
    total: int


class AgencyOutcomesOut(Schema):
    agency: str
    outcomes: dict[str, int]
    answered_late: int
    median_days: float | None


class PartnershipReportOut(Schema):
    """Open escalations by agency to answer and age band; those answered in the period by
    outcome; the rows behind both (as GET /escalations shows them)."""

    period_from: dt.date
    period_to: dt.date
    open_by_agency: list[AgencyAgesOut]
    outcomes_by_agency: list[AgencyOutcomesOut]
    raised_in_period: int
    open: list[EscalationOut]
    answered: list[EscalationOut]


class ReportPeriod(Schema):
    period_from: dt.date | None = None
    period_to: dt.date | None = None


@router.get("/report", response=answers(PartnershipReportOut, 401, 403, 422), url_name="escalation_report")
def escalation_report(request: HttpRequest, filters: Query[ReportPeriod]) -> PartnershipReportOut:
    """For managers: the partnership escalation log's report for a period (default: the last 90
    days); an impossible period is refused naming the field."""
    now = system_clock.now()
    start = filters.period_from or now.date() - dt.timedelta(days=90)
    end = filters.period_to or now.date()
    try:
        check_period(start, end, now.date())
    except PeriodRefused as refused:
        raise HttpError(422, str(refused)) from None
    report = partnership_report(request.user, now, start, end)
    _log(request, report.open_rows + report.answered_rows, ["escalation_report"])
    return PartnershipReportOut(
        period_from=start,
        period_to=end,
        open_by_agency=[
            AgencyAgesOut(
                agency=a.agency,
                bands=dict(zip(report.bands, a.bands, strict=True)),
                overdue=a.overdue,
                at_partnership=a.at_partnership,
                total=a.total,
            )
            for a in report.open_by_agency
        ],
        outcomes_by_agency=[
            AgencyOutcomesOut(
                agency=o.agency, outcomes=o.outcomes, answered_late=o.answered_late, median_days=o.median_days
            )
            for o in report.outcomes_by_agency
        ],
        raised_in_period=report.raised_in_period,
        open=[EscalationOut(**_out(r)) for r in report.open_rows],
        answered=[EscalationOut(**_out(r)) for r in report.answered_rows],
    )


@router.get("/{escalation_id}", response=answers(EscalationDetailOut, 401, 403, 404, 422), url_name="escalation")
def escalation_detail_view(request: HttpRequest, escalation_id: int) -> EscalationDetailOut:
    """One escalation: source, owner agency, level, response due, reason, answer and history."""
    return _detail(request, escalation_id)


@router.post(
    "/{escalation_id}/answer",
    response=answers(EscalationDetailOut, 400, 401, 403, 404, 409, 422),
    url_name="escalation_answer",
)
def answer_escalation(request: HttpRequest, escalation_id: int, body: AnswerIn) -> EscalationDetailOut:
    """The owner agency answers: `outcome` (agreed, partly_agreed, declined) and `answer` (what
    it will do, or why not). 409 when it was already answered."""
    found = escalation_for_user(request.user, escalation_id)
    try:
        services.answer_escalation(
            found.pk, acting_user=request.user, outcome=body.outcome, answer=body.answer, clock=system_clock
        )
    except services.EscalationRefused as refused:
        raise HttpError(422, str(refused)) from None
    except services.NotYourEscalation as refused:
        access.log_denied(
            request.user,
            object_type="partnership_escalation",
            object_id=found.pk,
            individual_ids=[found.individual_id] if found.individual_id else [],
        )
        raise HttpError(403, str(refused)) from None
    except IllegalMove:
        raise HttpError(409, "status: the escalation was already answered") from None
    return _detail(request, found.pk)
