"""Read models of the case file audit (screens and API): the dip samples, one sample's cases
with the self-audit and independent grades side by side, one case with its criteria, and the
agreement table the inspection drew (the force's grade against the independent grade).

Grading is blind: a viewer sees the other side's grade of a case only once their own side
(self-audit or independent) has graded it. A child the viewer may not open shows without a
name; a case the viewer may not open answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from safetynet.oversight.audits import action_owner_roles, grade_kind
from safetynet.oversight.criteria import ANSWERS, Area, AuditCriteria, current_criteria
from safetynet.oversight.models import AuditAction, AuditCase, AuditGrade, AuditSample
from safetynet.reads import person as people
from safetynet.reads.access import refused, visible_individual_ids
from safetynet.reads.labels import label
from safetynet.reads.work_queue import display_name

GRADES = ("good", "requires_improvement", "inadequate")


def area_title(criteria: AuditCriteria, code: str) -> str:
    return criteria.areas[code].title if code in criteria.areas else label(code)


@dataclass(frozen=True)
class AgreementTable:
    """Self grade (rows) against independent grade (columns), for cases graded by both, with
    each side's totals over every case it graded (the inspection's 7/22/6 against 11/11/13)."""

    grades: list[tuple[str, str]]  # (code, label), best first
    cells: dict[str, dict[str, int]]  # self grade -> independent grade -> cases
    self_totals: dict[str, int]
    independent_totals: dict[str, int]
    both: int
    agreed: int

    @property
    def agreement_percent(self) -> int | None:
        return round(100 * self.agreed / self.both) if self.both else None

    @property
    def self_graded(self) -> int:
        return sum(self.self_totals.values())

    @property
    def independent_graded(self) -> int:
        return sum(self.independent_totals.values())

    def rows(self) -> list[tuple[str, list[int], int]]:
        """(self grade label, cases per independent grade, row total) for a template."""
        return [
            (text, [self.cells[code][other] for other, _t in self.grades], sum(self.cells[code].values()))
            for code, text in self.grades
        ]

    def column_totals(self) -> list[int]:
        return [sum(self.cells[s][code] for s, _t in self.grades) for code, _t in self.grades]


def agreement(cases: QuerySet[AuditCase], criteria: AuditCriteria | None = None) -> AgreementTable:
    criteria = criteria or current_criteria()
    grades = list(criteria.grades.items())
    codes = [g for g, _t in grades]
    pairs: dict[int, dict[str, str]] = {}
    # Each side's latest version (a correction replaces the grade it corrects in the table).
    graded = AuditGrade.objects.filter(case__in=cases).order_by("version").values_list("case_id", "kind", "grade")
    for case_id, kind, grade in graded:
        pairs.setdefault(case_id, {})[kind] = grade
    cells = {s: dict.fromkeys(codes, 0) for s in codes}
    totals: dict[str, dict[str, int]] = {k: dict.fromkeys(codes, 0) for k in AuditGrade.Kind.values}
    both = agreed = 0
    for given in pairs.values():
        for kind, grade in given.items():
            if grade in codes:
                totals[kind][grade] += 1
        own, other = given.get(AuditGrade.Kind.SELF), given.get(AuditGrade.Kind.INDEPENDENT)
        if own in cells and other in cells:
            cells[own][other] += 1
            both += 1
            agreed += own == other
    return AgreementTable(
        grades=grades,
        cells=cells,
        self_totals=totals[AuditGrade.Kind.SELF],
        independent_totals=totals[AuditGrade.Kind.INDEPENDENT],
        both=both,
        agreed=agreed,
    )


@dataclass(frozen=True)
class SampleRow:
    sample: AuditSample
    area: str
    cases: int
    self_graded: int
    independent_graded: int
    drawn_by: str


def sample_rows(area: str = "", limit: int = 100) -> list[SampleRow]:
    """The dip samples, newest first (optionally of one area), with how far grading has got."""
    criteria = current_criteria()
    qs = AuditSample.objects.select_related("drawn_by").annotate(
        n=Count("cases", distinct=True),
        n_self=Count("cases", filter=Q(cases__grades__kind=AuditGrade.Kind.SELF), distinct=True),
        n_ind=Count("cases", filter=Q(cases__grades__kind=AuditGrade.Kind.INDEPENDENT), distinct=True),
    )
    if area:
        qs = qs.filter(area=area)
    return [
        SampleRow(s, area_title(criteria, s.area), s.n, s.n_self, s.n_ind, display_name(s.drawn_by)) for s in qs[:limit]
    ]


@dataclass
class GradeView:
    """One side's grade of a case as the viewer may see it."""

    kind: str
    grade: AuditGrade | None  # the latest version
    shown: bool  # False: graded, but hidden until the viewer's side has graded (blind)
    earlier: list[AuditGrade] = field(default_factory=list)  # the versions it corrected, newest first

    @property
    def corrected(self) -> bool:
        return self.grade is not None and self.grade.version > 1

    @property
    def corrected_by(self) -> str:
        return display_name(self.grade.graded_by) if self.grade is not None else ""

    @property
    def earlier_lines(self) -> list[tuple[int, str, str]]:
        """(version, grade in words, who graded it) of each version this grade corrected, newest first."""
        scale = current_criteria().grades
        return [(g.version, scale.get(g.grade, label(g.grade)), display_name(g.graded_by)) for g in self.earlier]

    @property
    def text(self) -> str:
        if self.grade is None:
            return "Not graded yet"
        if not self.shown:
            return "Graded (shown once your side has graded this case)"
        return current_criteria().grades.get(self.grade.grade, label(self.grade.grade))


@dataclass
class CaseRow:
    case: AuditCase
    name: str  # "" when the viewer may not open the child's record
    own: GradeView
    other: GradeView
    actions: int

    @property
    def self_grade(self) -> GradeView:
        return self.own if self.own.kind == AuditGrade.Kind.SELF else self.other

    @property
    def independent_grade(self) -> GradeView:
        return self.own if self.own.kind == AuditGrade.Kind.INDEPENDENT else self.other

    @property
    def agrees(self) -> bool | None:
        s, i = self.self_grade, self.independent_grade
        if s.grade is None or i.grade is None or not (s.shown and i.shown):
            return None
        return s.grade.grade == i.grade.grade


def _case_rows(user: Any, cases: list[AuditCase], today: dt.date) -> list[CaseRow]:
    mine = grade_kind(user)
    other_kind = AuditGrade.Kind.SELF if mine == AuditGrade.Kind.INDEPENDENT else AuditGrade.Kind.INDEPENDENT
    grades: dict[tuple[int, str], AuditGrade] = {}
    earlier: dict[tuple[int, str], list[AuditGrade]] = {}
    for g in AuditGrade.objects.filter(case__in=cases).select_related("graded_by").order_by("version"):  # latest wins
        if (g.case_id, g.kind) in grades:
            earlier.setdefault((g.case_id, g.kind), []).insert(0, grades[(g.case_id, g.kind)])
        grades[(g.case_id, g.kind)] = g
    actions = dict(
        AuditAction.objects.filter(case__in=cases).values("case_id").annotate(n=Count("pk")).values_list("case_id", "n")
    )
    visible = set(visible_individual_ids(user, sorted({c.individual_id for c in cases})))
    heads = people.headlines_for(visible, today)
    rows = []
    for c in cases:
        own = grades.get((c.pk, mine))
        name = (
            (heads[c.individual_id].name if c.individual_id in heads else "Name not recorded")
            if c.individual_id in visible
            else ""
        )
        rows.append(
            CaseRow(
                case=c,
                name=name,
                own=GradeView(mine, own, True, earlier.get((c.pk, mine), [])),
                other=GradeView(
                    other_kind,
                    grades.get((c.pk, other_kind)),
                    own is not None,
                    earlier.get((c.pk, other_kind), []) if own is not None else [],
                ),
                actions=actions.get(c.pk, 0),
            )
        )
    return rows


@dataclass
class SampleDetail:
    sample: AuditSample
    area: str
    rows: list[CaseRow]
    agreement: AgreementTable
    own_kind: str


def sample_for_user(user: Any, pk: int) -> AuditSample:
    found = AuditSample.objects.select_related("drawn_by").filter(pk=pk).first()
    if found is None:
        raise refused(user, object_type="audit_sample", object_id=pk)
    return found


def sample_detail(user: Any, sample: AuditSample, today: dt.date) -> SampleDetail:
    criteria = current_criteria()
    cases = list(sample.cases.all())
    return SampleDetail(
        sample=sample,
        area=area_title(criteria, sample.area),
        rows=_case_rows(user, cases, today),
        agreement=agreement(sample.cases.all(), criteria),
        own_kind=grade_kind(user),
    )


def case_for_user(user: Any, pk: int) -> AuditCase:
    """The sampled case `pk` if `user` may open its individual; Http404 otherwise (logged)."""
    found = AuditCase.objects.select_related("sample").filter(pk=pk).first()
    if found is None:
        raise refused(user, object_type="audit_case", object_id=pk)
    if not visible_individual_ids(user, [found.individual_id]):
        raise refused(user, object_type="audit_case", object_id=pk, individual_ids=[found.individual_id])
    return found


@dataclass
class ActionRow:
    action: AuditAction
    raised_by: str
    owner: str
    state: str
    due: dt.datetime | None


@dataclass
class CaseDetail:
    row: CaseRow
    area_code: str
    area: Area | None
    criteria_version: str
    answers: dict[str, str]
    actions: list[ActionRow]
    owner_roles: list[tuple[str, str]] = field(default_factory=list)

    @property
    def criteria(self) -> list[tuple[str, str, bool, str, str]]:
        """(id, text, key, the viewer's answer, the other side's answer when shown)."""
        if self.area is None:
            return []
        own = self.row.own.grade.answers if self.row.own.grade else {}
        other = self.row.other.grade.answers if self.row.other.grade and self.row.other.shown else {}
        return [
            (c.id, c.text, c.key, ANSWERS.get(own.get(c.id, ""), ""), ANSWERS.get(other.get(c.id, ""), ""))
            for c in self.area.criteria
        ]


def case_detail(user: Any, case: AuditCase, today: dt.date) -> CaseDetail:
    criteria = current_criteria()
    row = _case_rows(user, [case], today)[0]
    actions = [
        ActionRow(
            action=a,
            raised_by=display_name(a.raised_by),
            owner=label(a.task.owner_role),
            state=a.task.get_state_display(),
            due=a.task.due_at,
        )
        for a in case.actions.select_related("task", "raised_by").order_by("raised_at", "pk")
    ]
    return CaseDetail(
        row=row,
        area_code=case.sample.area,
        area=criteria.areas.get(case.sample.area),
        criteria_version=criteria.version,
        answers=dict(ANSWERS),
        actions=actions,
        owner_roles=[(code, label(code)) for code in action_owner_roles()],
    )
