"""The partnership escalation screens: the log of escalations raised by or to my agency
(overdue first), one escalation with the owner agency's answer form, and "Raise an
escalation" from a task. Thin: reads from `reads.escalations`, changes through
`work.escalations` (history and access log in the same transaction)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.exports.services import export_csv
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads.escalation_report import PartnershipReport, age_days, partnership_report
from safetynet.reads.escalations import (
    SHOW_ESCALATIONS,
    escalation_detail,
    escalation_for_user,
    escalation_list,
)
from safetynet.reads.work_queue import task_detail, task_for_user
from safetynet.risk.policy import current_policy
from safetynet.web.forms_escalations import AnswerEscalationForm, EscalationFilterForm, RaiseEscalationForm
from safetynet.web.forms_periods import PeriodForm
from safetynet.web.viewer import may_use
from safetynet.work import escalations as services
from safetynet.work.models import IllegalMove
from safetynet.work.ownership import may_act


@require_GET
@login_required
def escalations(request: HttpRequest) -> HttpResponse:
    """The escalation log: raised by or for my agency, overdue first."""
    form = EscalationFilterForm(request.GET or None, choices=list(SHOW_ESCALATIONS))
    show = (form.cleaned_data["show"] or "open") if form.is_bound and form.is_valid() else "open"
    found = escalation_list(request.user, system_clock.now(), show)
    access.log_view(
        request.user,
        object_type="partnership_escalation",
        object_ids=[r.escalation.pk for r in found.rows],
        individual_ids=sorted({r.escalation.individual_id for r in found.rows if r.escalation.individual_id}),
        fields=["escalations"],
    )
    choices = [(value, text, found.counts.get(value, 0)) for value, text in SHOW_ESCALATIONS]
    context = {"found": found, "choices": choices, "may_report": may_use(request.user, "web:escalation_report")}
    return render(request, "web/escalations.html", context)


def _page(request: HttpRequest, pk: int, form: AnswerEscalationForm | None = None, status: int = 200) -> HttpResponse:
    found = escalation_for_user(request.user, pk)
    detail = escalation_detail(request.user, found, system_clock.now())
    access.log_view(
        request.user,
        object_type="partnership_escalation",
        object_ids=[found.pk],
        individual_ids=[found.individual_id] if found.individual_id else [],
        fields=["escalation", "reason", "answer", "history"],
    )
    context = {"detail": detail, "escalation": found, "form": form or AnswerEscalationForm()}
    return render(request, "web/escalation.html", context, status=status)


@require_GET
@login_required
def escalation(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """One escalation: where it came from, who must answer by when, its level and history."""
    return _page(request, escalation_id)


@require_POST
@login_required
def escalation_answer(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """The owner agency's answer; a missing or short one re-shows the page with what was typed."""
    found = escalation_for_user(request.user, escalation_id)
    form = AnswerEscalationForm(request.POST)
    if not form.is_valid():
        return _page(request, found.pk, form, status=400)
    try:
        services.answer_escalation(
            found.pk,
            acting_user=request.user,
            outcome=form.cleaned_data["outcome"],
            answer=form.cleaned_data["answer"],
            clock=system_clock,
        )
    except services.EscalationRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.expected.capitalize())
        return _page(request, found.pk, form, status=400)
    except services.NotYourEscalation as refused:
        access.log_denied(
            request.user,
            object_type="partnership_escalation",
            object_id=found.pk,
            individual_ids=[found.individual_id] if found.individual_id else [],
        )
        raise PermissionDenied(str(refused)) from None
    except IllegalMove:
        messages.info(request, "That escalation has already been answered.")
        return redirect("web:escalation", escalation_id=found.pk)
    messages.success(request, "Answered. The agency that raised it has been told.")
    return redirect("web:escalation", escalation_id=found.pk)


@require_http_methods(["GET", "POST"])
@login_required
def task_escalate(request: HttpRequest, task_id: int) -> HttpResponse:
    """Raise an escalation to another agency about a task (the task's child and finding are
    fetched through the access rules: 404 if not the viewer's to open). Only whoever may act on
    the task raises one (403, logged as denied, otherwise), like every other task action."""
    task = task_for_user(request.user, task_id)
    if not (may_use(request.user, "web:task_resolve") and may_act(task, request.user, current_policy())):
        access.log_denied(request.user, object_type="task", object_id=task.pk, individual_ids=[task.individual_id])
        raise PermissionDenied("expected a task you may act on: an escalation is raised by whoever holds the work")
    own = services.agency_of(request.user)
    form = RaiseEscalationForm(request.POST or None, own_agency=own)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                raised = services.raise_escalation(
                    acting_user=request.user,
                    owner_agency=form.cleaned_data["owner_agency"],
                    reason=form.cleaned_data["reason"],
                    task_id=task.pk,
                    clock=system_clock,
                )
            except services.EscalationRefused as refused:
                field = refused.field if refused.field in form.fields else None
                form.add_error(field, refused.expected.capitalize())
            else:
                messages.success(
                    request, "Escalation raised. The agency has been told and must answer by the date below."
                )
                return redirect("web:escalation", escalation_id=raised.pk)
    detail = task_detail(request.user, task, system_clock.now(), current_policy())
    access.log_view(
        request.user, object_type="task", object_ids=[task.pk], individual_ids=[task.individual_id], fields=["task"]
    )
    context: dict[str, Any] = {"task": task, "detail": detail, "form": form}
    return render(request, "web/escalation_raise.html", context, status=status)


def _report(request: HttpRequest) -> tuple[PeriodForm, PartnershipReport | None]:
    now = system_clock.now()
    form = PeriodForm(request.GET, today=now.date())
    if form.is_bound and not form.is_valid():
        return form, None
    start, end = form.period()
    return form, partnership_report(request.user, now, start, end)


@require_GET
@login_required
def escalation_report(request: HttpRequest) -> HttpResponse:
    """For managers: the open escalations by owner agency and age, the outcomes of those answered
    in the period, and the rows behind them; an impossible period is refused beside its field."""
    form, report = _report(request)
    if report is not None:
        access.log_view(
            request.user,
            object_type="partnership_escalation",
            object_ids=[r.escalation.pk for r in report.open_rows + report.answered_rows],
            individual_ids=sorted(
                {
                    r.escalation.individual_id
                    for r in report.open_rows + report.answered_rows
                    if r.child_name and r.escalation.individual_id
                }
            ),
            fields=["escalation_report"],
        )
    context = {"form": form, "report": report, "query": form.query() if report else ""}
    return render(request, "web/escalation_report.html", context, status=200 if report else 400)


REPORT_COLUMNS = [
    ("Escalation", lambda r: r.escalation.pk),
    ("Raised", lambda r: r.escalation.raised_at),
    ("Raised from", lambda r: r.escalation.get_raised_from_display()),
    ("Raised by agency", lambda r: r.escalation.raised_by_agency.name),
    ("Owner agency", lambda r: r.escalation.owner_agency.name),
    ("Level", lambda r: r.level_label),
    ("Status", lambda r: r.escalation.get_status_display()),
    ("Response due", lambda r: r.escalation.response_due),
    ("Overdue", lambda r: r.overdue),
    ("Days open", lambda r: age_days(r.escalation, r.now)),
    ("Outcome", lambda r: r.escalation.get_outcome_display()),
    ("Answered", lambda r: r.escalation.answered_at),
]


@require_GET
@login_required
def escalation_report_csv(request: HttpRequest) -> HttpResponse:
    """The report for the safeguarding partnership's meeting as CSV (marked, logged per child):
    every escalation open now and every one answered in the period, no reasons or names."""
    form, report = _report(request)
    if report is None or not may_use(request.user, "web:escalation_report"):
        raise Http404
    rows = report.open_rows + report.answered_rows
    return export_csv(
        request,
        rows,
        REPORT_COLUMNS,
        title=f"Partnership escalations, {report.period_from:%d %b %Y} to {report.period_to:%d %b %Y}",
        filename="partnership-escalations",
        individual_ids=sorted({r.escalation.individual_id for r in rows if r.escalation.individual_id}),
        object_type="partnership_escalation",
        object_ids=[r.escalation.pk for r in rows],
        fields=["escalation_report"],
    )
