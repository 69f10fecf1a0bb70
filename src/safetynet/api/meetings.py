"""The meetings workspace over REST (`/api/v1/meetings`): every action of the screens with the
same services, validation and access rules (meetings.services, reads.meetings). Bad input is
422 naming the field; a change the caller's role may not make is 403; a meeting the caller may
not see is 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import ErrorOut, answers
from safetynet.exports.services import ExportRefused
from safetynet.lib.clock import system_clock
from safetynet.meetings import agendas
from safetynet.meetings import services as meetings
from safetynet.reads import access
from safetynet.reads.meetings import (
    SHOW_MEETINGS,
    MeetingDetail,
    log_meeting,
    meeting_detail,
    meeting_for_user,
    meeting_list,
)
from safetynet.reads.meetings import (
    actions_csv as actions_csv_file,
)
from safetynet.reads.meetings import (
    minutes_pdf as minutes_pdf_file,
)
from safetynet.work import escalations

router = Router(tags=["meetings"])
PDF = {200: {"description": "The minutes as a PDF", "content": {"application/pdf": {}}}}
CSV = {200: {"description": "The actions as CSV", "content": {"text/csv": {}}}}


class MeetingOut(Schema):
    id: int
    meeting_type: str
    type_label: str
    status: str
    at: dt.datetime | None
    chair: str
    items: int
    open_actions: int
    overdue_actions: int


class AgendaItemOut(Schema):
    index: int
    person: str
    individual: int | None
    role: str
    reason: str
    clause: str
    repeat: bool
    removed_reason: str


class ActionOut(Schema):
    id: str
    text: str
    owner: str
    about: str
    about_individual: int | None
    due: str
    done_at: str
    outcome: str
    overdue: bool
    task: int | None
    may_complete: bool


class MeetingDetailOut(Schema):
    id: int
    meeting_type: str
    type_label: str
    status: str
    at: dt.datetime | None
    chair: str
    agenda: list[AgendaItemOut]
    attendees: list[dict[str, Any]]
    apologies: list[dict[str, Any]]
    information_shared: list[dict[str, Any]]
    decisions: list[str]
    outcome: str
    actions: list[ActionOut]
    strategy_due: dt.datetime | None
    cancelled_reason: str


class MeetingFilters(Schema):
    show: str = "upcoming"
    type: str = ""


class ScheduleIn(Schema):
    """`meeting_type` (strategy_discussion, marac, mace, missing_tasking, daily_management) and
    `at`; a MARAC names its `victim` (and `perpetrator`), a strategy discussion its `child` and
    optionally the record that called it (`trigger`). The agenda is built from the picture."""

    meeting_type: str | None = None
    at: dt.datetime | None = None
    victim: int | None = None
    perpetrator: int | None = None
    child: int | None = None
    trigger: int | None = None


class AgendaIn(Schema):
    individual: int | None = None
    reason: str | None = None


class ReasonIn(Schema):
    reason: str | None = None


class HeldIn(Schema):
    """`attendees` and `apologies`: [{name, organisation, role?}]; `information_shared`:
    [{by: {organisation}, text, police_only?}]; `decisions`: list of text."""

    held_at: dt.datetime | None = None
    attendees: list[dict[str, str]] = []
    apologies: list[dict[str, str]] = []
    information_shared: list[dict[str, Any]] = []
    decisions: list[str] = []
    outcome: str | None = None


class ActionIn(Schema):
    """An owner (`owner_user`: a user id, or `owner_team`: a team code), the person on the agenda
    it is for (`about`: an individual id) and `due` are all required."""

    text: str | None = None
    owner_user: int | None = None
    owner_team: str | None = None
    about: int | None = None
    due: dt.date | None = None


class OutcomeIn(Schema):
    outcome: str | None = None


class EscalateIn(Schema):
    owner_agency: str | None = None
    reason: str | None = None


def _detail_out(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    log_meeting(request.user, detail, ["meeting", "agenda", "attendance", "decisions", "actions"])
    return _out(detail)


def _out(detail: MeetingDetail) -> MeetingDetailOut:
    m = detail.meeting
    return MeetingDetailOut(
        id=m.pk,
        meeting_type=str(m.details.get("meeting_type") or ""),
        type_label=detail.type_label,
        status=detail.status,
        at=m.occurred_at,
        chair=detail.chair,
        agenda=[
            AgendaItemOut(
                index=r.index,
                person=r.person.text,
                individual=r.person.individual_id if r.person.shown else None,
                role=r.role,
                reason=r.reason,
                clause=r.clause,
                repeat=r.repeat,
                removed_reason=r.removed_reason,
            )
            for r in detail.agenda
        ],
        attendees=detail.attendees,
        apologies=detail.apologies,
        information_shared=[{"by": s.by, "text": s.text, "withheld": s.withheld} for s in detail.shared],
        decisions=detail.decisions,
        outcome=detail.outcome,
        actions=[
            ActionOut(
                id=a.id,
                text=a.text,
                owner=a.owner,
                about=a.about.text if a.about else "",
                about_individual=a.about.individual_id if a.about and a.about.shown else None,
                due=a.due,
                done_at=a.done_at,
                outcome=a.outcome,
                overdue=a.overdue,
                task=a.task_id,
                may_complete=a.may_complete,
            )
            for a in detail.actions
        ],
        strategy_due=detail.strategy_due,
        cancelled_reason=detail.cancelled_reason,
    )


def _changing(request: HttpRequest, meeting_id: int, change: Callable[[], Any]) -> MeetingDetailOut:
    meeting_for_user(request.user, meeting_id)
    try:
        change()
    except meetings.MeetingRefused as refused:
        raise HttpError(422, str(refused)) from None
    except meetings.NotYourMeeting as refused:
        access.log_denied(request.user, object_type="meeting", object_id=meeting_id)
        raise HttpError(403, str(refused)) from None
    return _detail_out(request, meeting_id)


def _openable(user: Any, field: str, individual: int | None) -> None:
    if individual is None:
        return
    try:
        access.individual_for_user(user, individual)
    except Http404:
        raise HttpError(422, f"{field}: expected the id of a person you may open") from None


@router.get("", response=answers(list[MeetingOut], 401, 403, 422), url_name="meetings")
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> list[MeetingOut]:
    """Meetings by `show` (upcoming, the default; held; cancelled; all) and `type`; upcoming
    soonest first, the rest latest first; at most 50."""
    if filters.show not in dict(SHOW_MEETINGS):
        raise HttpError(422, f"show: expected one of {', '.join(dict(SHOW_MEETINGS))}")
    found = meeting_list(request.user, system_clock.now(), filters.show, filters.type)
    access.log_view(
        request.user,
        object_type="meeting",
        object_ids=[r.meeting.pk for r in found.rows],
        individual_ids=[],
        fields=["list"],
    )
    return [
        MeetingOut(
            id=r.meeting.pk,
            meeting_type=str(r.meeting.details.get("meeting_type") or ""),
            type_label=r.type_label,
            status=r.status,
            at=r.meeting.occurred_at,
            chair=r.chair,
            items=r.items,
            open_actions=r.open_actions,
            overdue_actions=r.overdue_actions,
        )
        for r in found.rows
    ]


@router.post("", response=answers(MeetingDetailOut, 400, 401, 403, 422), url_name="meetings")
def schedule_meeting(request: HttpRequest, body: ScheduleIn) -> MeetingDetailOut:
    """Schedule a meeting; its agenda is built from the current picture."""
    for field in ("victim", "perpetrator", "child"):
        _openable(request.user, field, getattr(body, field))
    if body.at is None:
        raise HttpError(422, "at: expected the date and time of the meeting")
    try:
        meeting = meetings.schedule(
            acting_user=request.user,
            meeting_type=str(body.meeting_type or ""),
            at=body.at,
            agenda=agendas.for_meeting(
                str(body.meeting_type or ""),
                system_clock.now(),
                victim=body.victim,
                perpetrator=body.perpetrator,
                child=body.child,
            ),
            victim=body.victim,
            perpetrator=body.perpetrator,
            trigger_event_id=body.trigger,
            clock=system_clock,
        )
    except meetings.MeetingRefused as refused:
        raise HttpError(422, str(refused)) from None
    except meetings.NotYourMeeting as refused:
        raise HttpError(403, str(refused)) from None
    return _detail_out(request, meeting.pk)


@router.get("/{meeting_id}", response=answers(MeetingDetailOut, 401, 403, 404, 422), url_name="meeting")
def meeting_view(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    """One meeting: agenda (people named under the access rules), attendance, information shared
    (police-only items withheld from partner roles), decisions, outcome and actions."""
    return _detail_out(request, meeting_id)


@router.post(
    "/{meeting_id}/agenda", response=answers(MeetingDetailOut, 400, 401, 403, 404, 422), url_name="meeting_agenda_add"
)
def add_to_agenda(request: HttpRequest, meeting_id: int, body: AgendaIn) -> MeetingDetailOut:
    """The chair adds a person to the agenda with a reason."""
    if body.individual is None:
        raise HttpError(422, "individual: expected the id of the person to add")
    _openable(request.user, "individual", body.individual)
    entry = meetings.AgendaEntry(body.individual, str(body.reason or ""))
    return _changing(
        request,
        meeting_id,
        lambda: meetings.add_to_agenda(meeting_id, entry, acting_user=request.user, clock=system_clock),
    )


@router.post(
    "/{meeting_id}/agenda/{index}/remove",
    response=answers(MeetingDetailOut, 400, 401, 403, 404, 422),
    url_name="meeting_agenda_remove",
)
def remove_from_agenda(request: HttpRequest, meeting_id: int, index: int, body: ReasonIn) -> MeetingDetailOut:
    """The chair takes item `index` off the agenda with a reason (kept on the record)."""
    return _changing(
        request,
        meeting_id,
        lambda: meetings.remove_from_agenda(
            meeting_id, index, reason=str(body.reason or ""), acting_user=request.user, clock=system_clock
        ),
    )


@router.post("/{meeting_id}/held", response=answers(MeetingDetailOut, 400, 401, 403, 404, 422), url_name="meeting_held")
def record_held(request: HttpRequest, meeting_id: int, body: HeldIn) -> MeetingDetailOut:
    """Record the meeting as held (not dated in the future): attendance, apologies, information
    shared, decisions and the outcome."""
    if body.held_at is None:
        raise HttpError(422, "held_at: expected the date and time the meeting was held")
    held = meetings.Held(
        held_at=body.held_at,
        attendees=body.attendees,
        apologies=body.apologies,
        information_shared=body.information_shared,
        decisions=body.decisions,
        outcome=str(body.outcome or ""),
    )
    return _changing(
        request,
        meeting_id,
        lambda: meetings.record_held(meeting_id, held, acting_user=request.user, clock=system_clock),
    )


@router.post(
    "/{meeting_id}/actions", response=answers(MeetingDetailOut, 400, 401, 403, 404, 422), url_name="meeting_actions"
)
def add_action(request: HttpRequest, meeting_id: int, body: ActionIn) -> MeetingDetailOut:
    """Add an action with an owner (a person or a team), the person it is for and a due date."""

    def change() -> None:
        owner = (
            meetings.action_owner(user_id=body.owner_user, team=str(body.owner_team or ""))
            if body.owner_user or body.owner_team
            else None
        )
        meetings.add_action(
            meeting_id,
            text=str(body.text or ""),
            owner=owner,
            about=body.about,
            due=body.due,
            acting_user=request.user,
            clock=system_clock,
        )

    return _changing(request, meeting_id, change)


@router.post(
    "/{meeting_id}/actions/{action_id}/done",
    response=answers(MeetingDetailOut, 400, 401, 403, 404, 422),
    url_name="meeting_action_done",
)
def complete_action(request: HttpRequest, meeting_id: int, action_id: str, body: OutcomeIn) -> MeetingDetailOut:
    """The action's owner (or a chair) records it done with its outcome; its task closes."""
    return _changing(
        request,
        meeting_id,
        lambda: meetings.complete_action(
            meeting_id, action_id, outcome=str(body.outcome or ""), acting_user=request.user, clock=system_clock
        ),
    )


@router.post(
    "/{meeting_id}/actions/{action_id}/escalate",
    response=answers(MeetingDetailOut, 400, 401, 403, 404, 422),
    url_name="meeting_action_escalate",
)
def escalate_action(request: HttpRequest, meeting_id: int, action_id: str, body: EscalateIn) -> MeetingDetailOut:
    """A chair raises an escalation to the action's owner agency (once the action is a task)."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    row = next((a for a in detail.actions if a.id == action_id), None)
    if row is None or row.task_id is None:
        raise HttpError(422, "action: expected an open action of a held meeting (its task)")
    try:
        escalations.raise_escalation(
            acting_user=request.user,
            owner_agency=body.owner_agency,
            reason=body.reason,
            meeting_action_task_id=row.task_id,
            clock=system_clock,
        )
    except escalations.EscalationRefused as refused:
        raise HttpError(422, str(refused)) from None
    return _detail_out(request, meeting_id)


@router.post(
    "/{meeting_id}/cancel", response=answers(MeetingDetailOut, 400, 401, 403, 404, 422), url_name="meeting_cancel"
)
def cancel_meeting(request: HttpRequest, meeting_id: int, body: ReasonIn) -> MeetingDetailOut:
    """Cancel a scheduled meeting, with a reason."""
    return _changing(
        request,
        meeting_id,
        lambda: meetings.cancel(
            meeting_id, reason=str(body.reason or ""), acting_user=request.user, clock=system_clock
        ),
    )


@router.get(
    "/{meeting_id}/minutes.pdf",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="meeting_minutes_pdf",
    openapi_extra={"responses": PDF},
)
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a PDF marked OFFICIAL-SENSITIVE on every page, written to the access log
    as an export of every person it names."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    try:
        return minutes_pdf_file(request, detail)
    except ExportRefused:
        raise HttpError(403, "Your role may not export records") from None


@router.get(
    "/{meeting_id}/actions.csv",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="meeting_actions_csv",
    openapi_extra={"responses": CSV},
)
def actions_csv(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The actions as CSV, written to the access log as an export of every person named."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    try:
        return actions_csv_file(request, detail)
    except ExportRefused:
        raise HttpError(403, "Your role may not export records") from None
