"""The meetings workspace's screens: the list, scheduling (agenda from the picture), one meeting
(agenda changes, actions), recording it as held, an action done with its outcome or escalated
to its owner agency, the minutes as PDF and the actions as CSV. Thin: reads from
`reads.meetings`, changes through `meetings.services` (capture, versions, access log)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.exports.services import may_export
from safetynet.lib.clock import system_clock
from safetynet.meetings import agendas
from safetynet.meetings import services as meetings
from safetynet.reads import access
from safetynet.reads.meetings import (
    SHOW_MEETINGS,
    actions_csv,
    log_meeting,
    meeting_detail,
    meeting_for_user,
    meeting_list,
    minutes_pdf,
    owner_choices,
    partners_of,
)
from safetynet.records.models import Event
from safetynet.web.forms_escalations import RaiseEscalationForm
from safetynet.web.forms_meetings import (
    ActionForm,
    AgendaAddForm,
    AgendaRemoveForm,
    CancelForm,
    CompleteActionForm,
    RecordHeldForm,
    ScheduleForm,
)
from safetynet.web.viewer import may_use
from safetynet.work import escalations

Refusals = (meetings.MeetingRefused,)


@require_GET
@login_required
def meetings_list(request: HttpRequest) -> HttpResponse:
    """Upcoming meetings soonest first; held and cancelled ones latest first."""
    show = request.GET.get("show", "upcoming")
    show = show if show in dict(SHOW_MEETINGS) else "upcoming"
    kind = request.GET.get("type", "")
    found = meeting_list(request.user, system_clock.now(), show, kind)
    access.log_view(
        request.user,
        object_type="meeting",
        object_ids=[r.meeting.pk for r in found.rows],
        individual_ids=[],
        fields=["list"],
    )
    choices = [(value, text, found.counts.get(value, 0)) for value, text in SHOW_MEETINGS]
    context = {
        "found": found,
        "choices": choices,
        "show": show,
        "types": meetings.MEETING_TYPES,
        "type": kind,
        "may_schedule": may_use(request.user, "web:meeting_new"),
    }
    return render(request, "web/meetings.html", context)


def _refusal_to_form(form: Any, refused: meetings.MeetingRefused) -> None:
    """The service's refusal on the form field it names (`service_fields` maps a service field
    the form names otherwise), or on the form as a whole."""
    field = getattr(form, "service_fields", {}).get(refused.field, refused.field)
    form.add_error(field if field in form.fields else None, refused.expected[:1].upper() + refused.expected[1:])


def _agenda_for(data: dict[str, Any]) -> list[meetings.AgendaEntry]:
    return agendas.for_meeting(
        data["meeting_type"],
        system_clock.now(),
        victim=data.get("victim"),
        perpetrator=data.get("perpetrator"),
        child=data.get("child"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Schedule a meeting; its agenda is built from the picture when it is saved."""
    source = request.POST if request.method == "POST" else request.GET
    victim = _int(source.get("victim"))
    child = _int(source.get("child"))
    for individual in (victim, child):
        if individual is not None:
            access.individual_for_user(request.user, individual)
    initial = {k: source.get(k) for k in ("meeting_type", "victim", "child", "trigger") if source.get(k)}
    perpetrators = partners_of(request.user, victim) if victim else []
    form = ScheduleForm(request.POST or None, initial=initial, perpetrators=perpetrators)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = meetings.schedule(
                    acting_user=request.user,
                    meeting_type=data["meeting_type"],
                    at=data["at"],
                    agenda=_agenda_for(data),
                    victim=data.get("victim"),
                    perpetrator=data.get("perpetrator"),
                    trigger_event_id=data.get("trigger"),
                    clock=system_clock,
                )
            except Refusals as refused:
                _refusal_to_form(form, refused)
            else:
                messages.success(request, "Meeting scheduled. Its agenda was built from the current picture.")
                return redirect("web:meeting", meeting_id=meeting.pk)
    trigger = Event.live.filter(pk=_int(source.get("trigger")) or 0).first()
    context = {"form": form, "strategy_due": agendas.strategy_due(trigger), "victim": victim, "child": child}
    return render(request, "web/meeting_new.html", context, status=status)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _forms(detail: Any, post: Any = None, which: str = "") -> dict[str, Any]:
    people = [(r.person.individual_id, r.person.text) for r in detail.listed if r.person.individual_id]
    return {
        "add_form": AgendaAddForm(post if which == "add" else None),
        "action_form": ActionForm(post if which == "action" else None, owners=owner_choices(), people=people),
        "cancel_form": CancelForm(post if which == "cancel" else None),
        "remove_form": AgendaRemoveForm(post if which == "remove" else None),
    }


def _page(
    request: HttpRequest, meeting: Event, *, detail: Any = None, which: str = "", status: int = 200, form: Any = None
) -> HttpResponse:
    """The meeting page; `detail` when the request has read it already (one read a request)."""
    detail = detail or meeting_detail(request.user, meeting, system_clock.now())
    log_meeting(request.user, detail, ["meeting", "agenda", "attendance", "decisions", "actions"])
    forms = _forms(detail, request.POST if which else None, which)
    if form is not None:
        forms[f"{which}_form"] = form
    context = {
        "detail": detail,
        "meeting": meeting,
        "may_chair": may_use(request.user, "web:meeting_record"),
        "may_export": may_export(request.user),
        "failed": which,
        **forms,
    }
    return render(request, "web/meeting.html", context, status=status)


@require_GET
@login_required
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: its agenda, attendance, decisions and actions."""
    return _page(request, meeting_for_user(request.user, meeting_id))


def _change(
    request: HttpRequest,
    meeting_id: int,
    which: str,
    form: Any,
    act: Callable[[], Any],
    done: str,
    *,
    read: tuple[Event, Any] | None = None,
) -> HttpResponse:
    """Runs `act` on a valid form and goes back to the meeting; an invalid form or a refusal
    shows the page again with the form's errors (nothing was stored, so what `read` holds, the
    meeting and its detail when the view read them already, is still current)."""
    meeting, detail = read or (meeting_for_user(request.user, meeting_id), None)
    if not form.is_valid():
        return _page(request, meeting, detail=detail, which=which, status=400, form=form)
    try:
        act()
    except Refusals as refused:
        _refusal_to_form(form, refused)
        return _page(request, meeting, detail=detail, which=which, status=400, form=form)
    except meetings.NotYourMeeting as refused:
        raise PermissionDenied(str(refused)) from None
    messages.success(request, done)
    return redirect("web:meeting", meeting_id=meeting_id)


@require_POST
@login_required
def meeting_agenda_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    form = AgendaAddForm(request.POST)

    def act() -> None:
        individual = access.individual_for_user(request.user, form.cleaned_data["person"]).pk
        entry = meetings.AgendaEntry(individual, form.cleaned_data["reason"], "", "")
        meetings.add_to_agenda(meeting_id, entry, acting_user=request.user, clock=system_clock)

    return _change(request, meeting_id, "add", form, act, "Added to the agenda.")


@require_POST
@login_required
def meeting_agenda_remove(request: HttpRequest, meeting_id: int) -> HttpResponse:
    form = AgendaRemoveForm(request.POST)

    def act() -> None:
        meetings.remove_from_agenda(
            meeting_id,
            form.cleaned_data["item"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, meeting_id, "remove", form, act, "Taken off the agenda. The reason is kept on the record.")


def _owner_of(value: str) -> dict[str, str]:
    kind, _, key = value.partition(":")
    if kind == "user":
        return meetings.action_owner(user_id=_int(key))
    return meetings.action_owner(team=key)


@require_POST
@login_required
def meeting_action_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    people = [(r.person.individual_id, r.person.text) for r in detail.listed if r.person.individual_id]
    form = ActionForm(request.POST, owners=owner_choices(), people=people)

    def act() -> None:
        data = form.cleaned_data
        meetings.add_action(
            meeting_id,
            text=data["text"],
            owner=_owner_of(data["owner"]),
            about=data["about"],
            due=data["due"],
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(
        request,
        meeting_id,
        "action",
        form,
        act,
        "Action added. It is in its owner's queue once the meeting is held.",
        read=(meeting, detail),
    )


@require_POST
@login_required
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    form = CancelForm(request.POST)

    def act() -> None:
        meetings.cancel(meeting_id, reason=form.cleaned_data["reason"], acting_user=request.user, clock=system_clock)

    return _change(request, meeting_id, "cancel", form, act, "Meeting cancelled.")


@require_http_methods(["GET", "POST"])
@login_required
def meeting_record(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Record the meeting as held: attendance, information shared, decisions, outcome."""
    meeting = meeting_for_user(request.user, meeting_id)
    form = RecordHeldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            held = meetings.Held(
                held_at=data["held_at"],
                attendees=data["attendees"],
                apologies=data["apologies"],
                information_shared=data["information_shared"],
                decisions=data["decisions"],
                outcome=data["outcome"],
            )
            try:
                meetings.record_held(meeting_id, held, acting_user=request.user, clock=system_clock)
            except Refusals as refused:
                _refusal_to_form(form, refused)
            except meetings.NotYourMeeting as refused:
                raise PermissionDenied(str(refused)) from None
            else:
                messages.success(request, "Recorded as held. Its actions are now in their owners' queues.")
                return redirect("web:meeting", meeting_id=meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    log_meeting(request.user, detail, ["meeting", "agenda"])
    return render(
        request, "web/meeting_record.html", {"form": form, "detail": detail, "meeting": meeting}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_action(request: HttpRequest, meeting_id: int, action_id: str) -> HttpResponse:
    """One action: record it done with its outcome (its owner, or a chair)."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    row = next((a for a in detail.actions if a.id == action_id), None)
    if row is None:
        raise access.refused(request.user, object_type="meeting_action", object_id=f"{meeting_id}/{action_id}")
    form = CompleteActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meetings.complete_action(
                    meeting_id,
                    action_id,
                    outcome=form.cleaned_data["outcome"],
                    acting_user=request.user,
                    clock=system_clock,
                )
            except Refusals as refused:
                _refusal_to_form(form, refused)
            except meetings.NotYourMeeting as refused:
                access.log_denied(request.user, object_type="meeting_action", object_id=f"{meeting_id}/{action_id}")
                raise PermissionDenied(str(refused)) from None
            else:
                messages.success(request, "Action recorded as done. Its task closes.")
                return redirect("web:meeting", meeting_id=meeting_id)
    log_meeting(request.user, detail, ["meeting", "actions"])
    context = {"form": form, "detail": detail, "meeting": meeting, "row": row}
    return render(request, "web/meeting_action.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_action_escalate(request: HttpRequest, meeting_id: int, action_id: str) -> HttpResponse:
    """Raise an escalation to the action's owner agency (a chair, once the action is a task)."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    row = next((a for a in detail.actions if a.id == action_id and a.task_id), None)
    if row is None or not may_use(request.user, "web:meeting_record"):
        raise access.refused(request.user, object_type="meeting_action", object_id=f"{meeting_id}/{action_id}")
    form = RaiseEscalationForm(request.POST or None, own_agency=escalations.agency_of(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                raised = escalations.raise_escalation(
                    acting_user=request.user,
                    owner_agency=form.cleaned_data["owner_agency"],
                    reason=form.cleaned_data["reason"],
                    meeting_action_task_id=row.task_id,
                    clock=system_clock,
                )
            except escalations.EscalationRefused as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused.expected.capitalize())
            else:
                messages.success(
                    request, "Escalation raised. The agency has been told and must answer by the date below."
                )
                return redirect("web:escalation", escalation_id=raised.pk)
    context = {"form": form, "detail": detail, "meeting": meeting, "row": row}
    return render(request, "web/meeting_escalate.html", context, status=status)


@require_GET
@login_required
def meeting_minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a PDF: the meeting page as this viewer reads it, marked and logged."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    return minutes_pdf(request, detail)


@require_GET
@login_required
def meeting_actions_csv(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The actions as CSV (owner, who for, due, done, outcome), logged per person named."""
    meeting = meeting_for_user(request.user, meeting_id)
    detail = meeting_detail(request.user, meeting, system_clock.now())
    return actions_csv(request, detail)
