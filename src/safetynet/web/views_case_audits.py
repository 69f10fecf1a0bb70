"""The case file audit's screens (`/oversight/case-audit/`): the dip samples with the agreement
table and, for the case-audit role, the form that draws a sample; one sample with each case's
self-audit and independent grades side by side; one case with its criteria, the grading form
and the actions raised from it. Thin: reads from `reads.case_audits`, changes through
`oversight.audits` (access log in the same transaction)."""

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
from safetynet.oversight import audits
from safetynet.oversight.criteria import current_criteria
from safetynet.oversight.models import AuditCase, AuditSample
from safetynet.reads import access
from safetynet.reads.case_audits import (
    agreement,
    case_detail,
    case_for_user,
    sample_detail,
    sample_for_user,
    sample_rows,
)
from safetynet.web.forms_case_audits import CRITERION_PREFIX, ActionForm, CorrectionForm, DrawForm, GradeForm
from safetynet.web.viewer import may_use


def _refusal_to_form(form: Any, refused: audits.AuditRefused) -> None:
    field = refused.field
    if field.startswith("answers."):
        field = CRITERION_PREFIX + field.removeprefix("answers.")
    expected = refused.expected[:1].upper() + refused.expected[1:]
    form.add_error(field if field in form.fields else None, expected)


def _list(request: HttpRequest, form: DrawForm | None = None, status: int = 200) -> HttpResponse:
    criteria = current_criteria()
    area = request.GET.get("area", "")
    area = area if area in criteria.areas else ""
    today = system_clock.now().date()
    if form is None:
        form = DrawForm(
            initial={"period_to": today, "period_from": today.replace(day=1), "size": 10}, criteria=criteria
        )
    cases = AuditCase.objects.filter(sample__area=area) if area else AuditCase.objects.all()
    context = {
        "samples": sample_rows(area),
        "agreement": agreement(cases, criteria),
        "areas": [(code, a.title) for code, a in criteria.areas.items()],
        "area": area,
        "form": form,
        "may_draw": may_use(request.user, "web:case_audit_draw"),
        "criteria_version": criteria.version,
    }
    return render(request, "web/case_audits.html", context, status=status)


@require_GET
@login_required
def case_audits(request: HttpRequest) -> HttpResponse:
    """The dip samples, newest first, and the agreement table over every graded case (or one
    area's); counts only, no child named."""
    return _list(request)


@require_POST
@login_required
def case_audit_draw(request: HttpRequest) -> HttpResponse:
    """Draw a dip sample; an impossible period or size re-shows the form with the reason."""
    form = DrawForm(request.POST, criteria=current_criteria())
    if not form.is_valid():
        return _list(request, form, status=400)
    draw = audits.Draw(
        area=form.cleaned_data["area"],
        period_from=form.cleaned_data["period_from"],
        period_to=form.cleaned_data["period_to"],
        size=form.cleaned_data["size"],
    )
    try:
        sample = audits.draw_sample(draw, acting_user=request.user, clock=system_clock)
    except audits.AuditRefused as refused:
        _refusal_to_form(form, refused)
        return _list(request, form, status=400)
    found = sample.cases.count()
    messages.success(request, f"Dip sample drawn: {found} case{'s' if found != 1 else ''} of {sample.candidates}.")
    return redirect("web:case_audit_sample", sample_id=sample.pk)


@require_GET
@login_required
def case_audit_sample(request: HttpRequest, sample_id: int) -> HttpResponse:
    """One sample: each case with both grades side by side (blind until one's own side has
    graded it) and the sample's agreement table."""
    sample: AuditSample = sample_for_user(request.user, sample_id)
    detail = sample_detail(request.user, sample, system_clock.now().date())
    access.log_view(
        request.user,
        object_type="audit_sample",
        object_ids=[sample.pk],
        individual_ids=sorted({r.case.individual_id for r in detail.rows if r.name}),
        fields=["audit_sample"],
    )
    context = {"detail": detail, "may_export": may_use(request.user, "web:case_audit_sample_csv")}
    return render(request, "web/case_audit_sample.html", context)


def _case_page(
    request: HttpRequest,
    case: AuditCase,
    grade_form: GradeForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
    correction_form: CorrectionForm | None = None,
) -> HttpResponse:
    criteria = current_criteria()
    detail = case_detail(request.user, case, system_clock.now().date())
    if grade_form is None and detail.area is not None and detail.row.own.grade is None:
        grade_form = GradeForm(criteria=criteria, area=detail.area)
    own = detail.row.own.grade
    if correction_form is None and detail.area is not None and own is not None:
        initial = {CRITERION_PREFIX + key: value for key, value in own.answers.items()}
        correction_form = CorrectionForm(criteria=criteria, area=detail.area, initial={**initial, "grade": own.grade})
    may_act = may_use(request.user, "web:case_audit_action")
    if action_form is None and may_act:
        action_form = ActionForm(owner_roles=detail.owner_roles)
    access.log_view(
        request.user,
        object_type="audit_case",
        object_ids=[case.pk],
        individual_ids=[case.individual_id],
        fields=["audit_case"],
    )
    context = {
        "detail": detail,
        "case": case,
        "grade_form": grade_form if detail.row.own.grade is None else None,
        "correction_form": correction_form if detail.row.own.grade is not None else None,
        "action_form": action_form if may_act else None,
        "kind_label": "independent audit" if detail.row.own.kind == "independent" else "self-audit",
    }
    return render(request, "web/case_audit_case.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def case_audit_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """One sampled case: its record, the criteria, and the viewer's grade (self-audit for a
    supervisor, independent for a case auditor)."""
    case = case_for_user(request.user, case_id)
    if request.method != "POST":
        return _case_page(request, case)
    area = current_criteria().areas.get(case.sample.area)
    if area is None:
        raise PermissionDenied("expected a case of an area the criteria in force still have")
    form = GradeForm(request.POST, criteria=current_criteria(), area=area)
    if not form.is_valid():
        return _case_page(request, case, grade_form=form, status=400)
    try:
        audits.grade_case(
            case.pk,
            grade=form.cleaned_data["grade"],
            answers=form.answers(),
            note=form.cleaned_data["note"],
            acting_user=request.user,
            clock=system_clock,
        )
    except audits.AuditRefused as refused:
        if refused.field == "case":  # graded meanwhile (a second submit): the grade stands
            messages.info(request, "This case already has your side's grade; a grade is recorded once.")
            return redirect("web:case_audit_case", case_id=case.pk)
        _refusal_to_form(form, refused)
        return _case_page(request, case, grade_form=form, status=400)
    except audits.NotYourAudit as refused:
        access.log_denied(
            request.user, object_type="audit_case", object_id=case.pk, individual_ids=[case.individual_id]
        )
        raise PermissionDenied(str(refused)) from None
    messages.success(request, "Grade recorded.")
    return redirect("web:case_audit_sample", sample_id=case.sample_id)


@require_POST
@login_required
def case_audit_correct(request: HttpRequest, case_id: int) -> HttpResponse:
    """Correct the viewer's side's grade of a case: a new version with who and why, the earlier
    kept and shown as corrected."""
    case = case_for_user(request.user, case_id)
    area = current_criteria().areas.get(case.sample.area)
    if area is None:
        raise PermissionDenied("expected a case of an area the criteria in force still have")
    form = CorrectionForm(request.POST, criteria=current_criteria(), area=area)
    if not form.is_valid():
        return _case_page(request, case, correction_form=form, status=400)
    try:
        audits.correct_grade(
            case.pk,
            grade=form.cleaned_data["grade"],
            answers=form.answers(),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
            clock=system_clock,
        )
    except audits.AuditRefused as refused:
        if refused.field == "case":
            form.add_error(None, "Grade this case before correcting the grade.")
        else:
            _refusal_to_form(form, refused)
        return _case_page(request, case, correction_form=form, status=400)
    except audits.NotYourAudit as refused:
        access.log_denied(
            request.user, object_type="audit_case", object_id=case.pk, individual_ids=[case.individual_id]
        )
        raise PermissionDenied(str(refused)) from None
    messages.success(request, "Grade corrected. The earlier grade is kept and shown as corrected.")
    return redirect("web:case_audit_case", case_id=case.pk)


@require_POST
@login_required
def case_audit_action(request: HttpRequest, case_id: int) -> HttpResponse:
    """Raise an action from the audit of a case: a task in the owner role's queue."""
    case = case_for_user(request.user, case_id)
    detail = case_detail(request.user, case, system_clock.now().date())
    form = ActionForm(request.POST, owner_roles=detail.owner_roles)
    if not form.is_valid():
        return _case_page(request, case, action_form=form, status=400)
    try:
        audits.raise_action(
            case.pk,
            text=form.cleaned_data["text"],
            owner_role=form.cleaned_data["owner_role"],
            due=form.cleaned_data["due"],
            acting_user=request.user,
            clock=system_clock,
        )
    except audits.AuditRefused as refused:
        _refusal_to_form(form, refused)
        return _case_page(request, case, action_form=form, status=400)
    messages.success(request, "Action raised. It is a task in the owner's queue, due by the date given.")
    return redirect("web:case_audit_case", case_id=case.pk)


SAMPLE_COLUMNS = [
    ("Case", lambda r: r.case.position),
    ("Child", lambda r: r.name or "A child whose record you cannot open"),
    ("Record", lambda r: " ".join(str(v) for v in r.case.record.values())),
    ("Self-audit", lambda r: r.self_grade.text),
    ("Independent audit", lambda r: r.independent_grade.text),
    ("Agree", lambda r: "" if r.agrees is None else r.agrees),
    ("Actions", lambda r: r.actions),
]


@require_GET
@login_required
def case_audit_sample_csv(request: HttpRequest, sample_id: int) -> HttpResponse:
    """One sample's cases with both grades as CSV (marked, logged as an export of each child
    named); 404 unless the viewer may also see the sample."""
    if not may_use(request.user, "web:case_audit_sample"):
        raise Http404
    sample = sample_for_user(request.user, sample_id)
    detail = sample_detail(request.user, sample, system_clock.now().date())
    return export_csv(
        request,
        detail.rows,
        SAMPLE_COLUMNS,
        title=f"Case file audit, dip sample {sample.pk}: {detail.area}",
        filename=f"dip-sample-{sample.pk}",
        individual_ids=sorted({r.case.individual_id for r in detail.rows if r.name}),
        object_type="audit_sample",
        object_ids=[sample.pk],
        fields=["audit_sample"],
    )
