"""The case file audit over REST (`/api/v1/case-audits`): the same services, validation and
access rules as the screens (oversight.audits, reads.case_audits). Bad input is 422 naming the
field ("grade: expected one of good, requires_improvement, inadequate"); a change the caller's
role may not make is 403; a sample or case the caller may not see is 404 like a missing one.
Grading is blind as on the screens: the other side's grade of a case shows once the caller's
side has graded it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.oversight import audits
from safetynet.oversight.criteria import current_criteria
from safetynet.oversight.models import AuditCase
from safetynet.reads import access
from safetynet.reads.case_audits import (
    AgreementTable,
    CaseRow,
    GradeView,
    agreement,
    case_detail,
    case_for_user,
    sample_detail,
    sample_for_user,
    sample_rows,
)

router = Router(tags=["case audits"])


class AuditSampleOut(Schema):
    id: int
    area: str
    area_title: str
    period_from: dt.date
    period_to: dt.date
    cases: int
    candidates: int
    self_graded: int
    independent_graded: int
    criteria_version: str
    seed: int
    drawn_at: dt.datetime


class AgreementOut(Schema):
    """`cells[self grade][independent grade]`: cases graded by both; totals per side."""

    grades: list[str]
    cells: dict[str, dict[str, int]]
    self_totals: dict[str, int]
    independent_totals: dict[str, int]
    both: int
    agreed: int
    agreement_percent: int | None


class AuditEarlierGradeOut(Schema):
    version: int
    grade: str
    graded_by: str


class AuditGradeOut(Schema):
    kind: str
    graded: bool
    shown: bool
    grade: str | None
    suggested: str | None
    answers: dict[str, str]
    note: str
    criteria_version: str | None
    graded_at: dt.datetime | None
    version: int | None  # 1 for the first grade, then each correction (the latest is the side's grade)
    corrected_by: str  # who made the latest correction ("" when never corrected)
    correction_reason: str  # why ("" when never corrected)
    earlier: list[AuditEarlierGradeOut]  # the versions it corrected, newest first


class AuditCaseOut(Schema):
    id: int
    sample: int
    position: int
    individual: int
    child: str
    record_kind: str
    record: dict[str, Any]
    self_audit: AuditGradeOut
    independent_audit: AuditGradeOut
    actions: int


class SampleDetailOut(Schema):
    sample: AuditSampleOut
    cases: list[AuditCaseOut]
    agreement: AgreementOut
    your_grades_are: str


class AuditActionOut(Schema):
    id: int
    text: str
    task: int
    owner_role: str
    due_at: dt.datetime | None
    state: str


class CaseDetailOut(AuditCaseOut):
    criteria: list[dict[str, Any]]
    audit_actions: list[AuditActionOut]


class CriteriaOut(Schema):
    version: str
    scale: dict[str, str]
    areas: dict[str, dict[str, Any]]


class SampleListOut(Schema):
    samples: list[AuditSampleOut]
    agreement: AgreementOut


class AreaFilter(Schema):
    area: str = ""


class DrawIn(Schema):
    """`area` a code from GET /criteria; `period_from` <= `period_to` <= today; `size` 1-100."""

    area: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    size: int | None = None
    seed: int | None = None


class AuditGradeIn(Schema):
    """`grade`: good, requires_improvement or inadequate; `answers`: criterion id -> met,
    not_met or not_applicable, every criterion of the case's area."""

    grade: str = ""
    answers: dict[str, str] = {}
    note: str = ""


class AuditCorrectionIn(AuditGradeIn):
    """A correction: the grade and every answer again, and `reason` (why, 10+ characters)."""

    reason: str = ""


class AuditActionIn(Schema):
    text: str = ""
    owner_role: str = ""
    due: dt.date | None = None


def _agreement_out(table: AgreementTable) -> AgreementOut:
    return AgreementOut(
        grades=[code for code, _t in table.grades],
        cells=table.cells,
        self_totals=table.self_totals,
        independent_totals=table.independent_totals,
        both=table.both,
        agreed=table.agreed,
        agreement_percent=table.agreement_percent,
    )


def _grade_out(view: GradeView) -> AuditGradeOut:
    g = view.grade if view.shown else None
    return AuditGradeOut(
        kind=view.kind,
        graded=view.grade is not None,
        shown=view.shown,
        grade=g.grade if g else None,
        suggested=g.suggested if g else None,
        answers=g.answers if g else {},
        note=g.note if g else "",
        criteria_version=g.criteria_version if g else None,
        graded_at=g.graded_at if g else None,
        version=g.version if g else None,
        corrected_by=view.corrected_by if g and view.corrected else "",
        correction_reason=g.reason if g and view.corrected else "",
        earlier=[
            AuditEarlierGradeOut(version=e.version, grade=e.grade, graded_by=who)
            for e, (_v, _w, who) in zip(view.earlier, view.earlier_lines, strict=True)
        ]
        if g
        else [],
    )


def _case_out(row: CaseRow) -> dict[str, Any]:
    c = row.case
    return {
        "id": c.pk,
        "sample": c.sample_id,
        "position": c.position,
        "individual": c.individual_id,
        "child": row.name,
        "record_kind": c.record_kind,
        "record": c.record,
        "self_audit": _grade_out(row.self_grade),
        "independent_audit": _grade_out(row.independent_grade),
        "actions": row.actions,
    }


def _refused(refused: audits.AuditRefused) -> HttpError:
    return HttpError(422, str(refused))


@router.get("/criteria", response=answers(CriteriaOut, 401, 403), url_name="case_audit_criteria")
def criteria_view(request: HttpRequest) -> CriteriaOut:
    """The criteria in force: the grade scale and each area's criteria (key ones marked)."""
    found = current_criteria()
    return CriteriaOut(
        version=found.version,
        scale=found.grades,
        areas={
            code: {"title": a.title, "criteria": [c.model_dump() for c in a.criteria]}
            for code, a in found.areas.items()
        },
    )


@router.get("/agreement", response=answers(AgreementOut, 401, 403, 422), url_name="case_audit_agreement")
def agreement_view(request: HttpRequest, filters: Query[AreaFilter]) -> AgreementOut:
    """The agreement table over every graded case, or one area's."""
    criteria = current_criteria()
    if filters.area and filters.area not in criteria.areas:
        raise HttpError(422, f"area: expected one of {', '.join(criteria.areas)}")
    cases = AuditCase.objects.filter(sample__area=filters.area) if filters.area else AuditCase.objects.all()
    return _agreement_out(agreement(cases, criteria))


@router.get("/samples", response=answers(SampleListOut, 401, 403, 422), url_name="case_audit_samples")
def list_samples(request: HttpRequest, filters: Query[AreaFilter]) -> SampleListOut:
    """The dip samples, newest first (optionally one area's), with the agreement table."""
    criteria = current_criteria()
    if filters.area and filters.area not in criteria.areas:
        raise HttpError(422, f"area: expected one of {', '.join(criteria.areas)}")
    cases = AuditCase.objects.filter(sample__area=filters.area) if filters.area else AuditCase.objects.all()
    return SampleListOut(
        samples=[
            AuditSampleOut(
                id=r.sample.pk,
                area=r.sample.area,
                area_title=r.area,
                period_from=r.sample.period_from,
                period_to=r.sample.period_to,
                cases=r.cases,
                candidates=r.sample.candidates,
                self_graded=r.self_graded,
                independent_graded=r.independent_graded,
                criteria_version=r.sample.criteria_version,
                seed=r.sample.seed,
                drawn_at=r.sample.drawn_at,
            )
            for r in sample_rows(filters.area)
        ],
        agreement=_agreement_out(agreement(cases, criteria)),
    )


def _sample_out(request: HttpRequest, sample_id: int) -> SampleDetailOut:
    sample = sample_for_user(request.user, sample_id)
    detail = sample_detail(request.user, sample, system_clock.now().date())
    access.log_view(
        request.user,
        object_type="audit_sample",
        object_ids=[sample.pk],
        individual_ids=sorted({r.case.individual_id for r in detail.rows if r.name}),
        fields=["audit_sample"],
    )
    s = detail.sample
    return SampleDetailOut(
        sample=AuditSampleOut(
            id=s.pk,
            area=s.area,
            area_title=detail.area,
            period_from=s.period_from,
            period_to=s.period_to,
            cases=len(detail.rows),
            candidates=s.candidates,
            self_graded=sum(1 for r in detail.rows if r.self_grade.grade),
            independent_graded=sum(1 for r in detail.rows if r.independent_grade.grade),
            criteria_version=s.criteria_version,
            seed=s.seed,
            drawn_at=s.drawn_at,
        ),
        cases=[AuditCaseOut(**_case_out(r)) for r in detail.rows],
        agreement=_agreement_out(detail.agreement),
        your_grades_are=detail.own_kind,
    )


@router.post("/samples/draw", response=answers(SampleDetailOut, 401, 403, 422), url_name="case_audit_draw")
def draw_sample(request: HttpRequest, body: DrawIn) -> SampleDetailOut:
    """Draw a dip sample of an area of practice from the records of a period."""
    draw = audits.Draw(
        area=body.area, period_from=body.period_from, period_to=body.period_to, size=body.size, seed=body.seed
    )
    try:
        sample = audits.draw_sample(draw, acting_user=request.user, clock=system_clock)
    except audits.AuditRefused as refused:
        raise _refused(refused) from None
    except audits.NotYourAudit as refused:
        raise HttpError(403, str(refused)) from None
    return _sample_out(request, sample.pk)


@router.get("/samples/{sample_id}", response=answers(SampleDetailOut, 401, 403, 404, 422), url_name="case_audit_sample")
def sample_view(request: HttpRequest, sample_id: int) -> SampleDetailOut:
    """One sample: its cases with both grades side by side (blind) and its agreement table."""
    return _sample_out(request, sample_id)


def _case_detail_out(request: HttpRequest, case: AuditCase) -> CaseDetailOut:
    detail = case_detail(request.user, case, system_clock.now().date())
    access.log_view(
        request.user,
        object_type="audit_case",
        object_ids=[case.pk],
        individual_ids=[case.individual_id],
        fields=["audit_case"],
    )
    return CaseDetailOut(
        **_case_out(detail.row),
        criteria=[{"id": c.id, "text": c.text, "key": c.key} for c in (detail.area.criteria if detail.area else [])],
        audit_actions=[
            AuditActionOut(
                id=a.action.pk,
                text=a.action.text,
                task=a.action.task_id,
                owner_role=a.action.task.owner_role,
                due_at=a.due,
                state=a.action.task.state,
            )
            for a in detail.actions
        ],
    )


def _graded(request: HttpRequest, case: Any, change: Callable[..., Any]) -> CaseDetailOut:
    """A grade or its correction made by the caller: 422 naming the field, 403 (logged as
    denied) for a side the caller's role does not grade for, else the case as it now stands."""
    try:
        change(acting_user=request.user, clock=system_clock)
    except audits.AuditRefused as refused:
        raise _refused(refused) from None
    except audits.NotYourAudit as refused:
        access.log_denied(
            request.user, object_type="audit_case", object_id=case.pk, individual_ids=[case.individual_id]
        )
        raise HttpError(403, str(refused)) from None
    return _case_detail_out(request, case)


@router.post(
    "/cases/{case_id}/grades", response=answers(CaseDetailOut, 401, 403, 404, 422), url_name="case_audit_grade"
)
def grade_case(request: HttpRequest, case_id: int, body: AuditGradeIn) -> CaseDetailOut:
    """Grade a sampled case: the caller's role makes it the self-audit or the independent audit."""
    case = case_for_user(request.user, case_id)
    grade = partial(audits.grade_case, case.pk, grade=body.grade, answers=body.answers, note=body.note)
    return _graded(request, case, grade)


@router.post(
    "/cases/{case_id}/corrections",
    response=answers(CaseDetailOut, 401, 403, 404, 422),
    url_name="case_audit_correct",
)
def correct_grade(request: HttpRequest, case_id: int, body: AuditCorrectionIn) -> CaseDetailOut:
    """Correct the caller's side's grade of a case: a new version with who and why, the earlier
    kept (shown as corrected); the agreement table uses the latest."""
    case = case_for_user(request.user, case_id)
    correct = partial(
        audits.correct_grade, case.pk, grade=body.grade, answers=body.answers, reason=body.reason, note=body.note
    )
    return _graded(request, case, correct)


@router.post(
    "/cases/{case_id}/actions", response=answers(CaseDetailOut, 401, 403, 404, 422), url_name="case_audit_action"
)
def raise_action(request: HttpRequest, case_id: int, body: AuditActionIn) -> CaseDetailOut:
    """Raise an action from the audit of a case: a task in `owner_role`'s queue due by `due`."""
    case = case_for_user(request.user, case_id)
    try:
        audits.raise_action(
            case.pk,
            text=body.text,
            owner_role=body.owner_role,
            due=body.due,
            acting_user=request.user,
            clock=system_clock,
        )
    except audits.AuditRefused as refused:
        raise _refused(refused) from None
    except audits.NotYourAudit as refused:
        raise HttpError(403, str(refused)) from None
    return _case_detail_out(request, case)
