"""The case file audit's workflows: draw a dip sample of an area of practice, grade a sampled
case against the criteria (the force's self-audit by a supervisor, the independent audit by a
case auditor), and raise an action from an audited case as an owned task.

Every function takes a keyword-only `acting_user` and an injected clock, refuses bad input with
`AuditRefused(field, expected)` before anything is stored, refuses a user whose role may not
do it with `NotYourAudit`, and writes the access log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from safetynet.access.matrix import load as load_matrix
from safetynet.access.models import Restriction
from safetynet.access.profiles import has_permission, role_of
from safetynet.access.roles import Role
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.lib import periods
from safetynet.lib.clock import Clock, system_clock
from safetynet.oversight.criteria import ANSWERS, AuditCriteria, current_criteria
from safetynet.oversight.models import AuditAction, AuditCase, AuditGrade, AuditSample
from safetynet.oversight.sampling import cases_of
from safetynet.risk.models import AUDIT_KIND, Finding
from safetynet.risk.policy import current_policy
from safetynet.work.models import Task, TaskEvent

SAMPLE_MAX = 100
TEXT_MAX = 2000
ACTION_MIN = 10
ACTION_DUE_MAX_DAYS = 366
# The clause code an audit action's task carries (not a risk policy clause: no rule raises it).
AUDIT_CLAUSE = "QA1"


class AuditRefused(Exception):
    """Bad input: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYourAudit(Exception):
    """`acting_user`'s role may not do this (the message names the permission)."""


def _require(user: Any, permission: str, what: str) -> None:
    if not has_permission(user, permission):
        raise NotYourAudit(f"expected a user whose role may {what} ({permission})")


def grade_kind(user: Any) -> str:
    """Whose grade `user` gives: a case auditor's is the independent audit, a supervisor's the
    force's self-audit."""
    return AuditGrade.Kind.INDEPENDENT if role_of(user) == Role.CASE_AUDITOR else AuditGrade.Kind.SELF


def check_period(start: Any, end: Any, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period as dates; AuditRefused naming the field when it is impossible."""
    try:
        return periods.check_period(start, end, today)
    except periods.PeriodRefused as refused:
        raise AuditRefused(refused.field, refused.expected) from None


def _area(criteria: AuditCriteria, area: str) -> str:
    if area not in criteria.areas:
        raise AuditRefused("area", f"expected one of {', '.join(criteria.areas)}")
    return area


@dataclass(frozen=True)
class Draw:
    area: str
    period_from: dt.date | None
    period_to: dt.date | None
    size: int | None
    seed: int | None = None


def draw_sample(draw: Draw, *, acting_user: Any, clock: Clock = system_clock) -> AuditSample:
    """Draws `size` cases of the area at random from the period's records (fewer when fewer
    exist), leaving out children restricted from the auditor; stores the seed so the draw can
    be repeated."""
    _require(acting_user, "audit_cases", "draw dip samples")
    criteria = current_criteria()
    area = _area(criteria, draw.area)
    now = clock.now()
    start, end = check_period(draw.period_from, draw.period_to, now.date())
    if isinstance(draw.size, bool) or not isinstance(draw.size, int) or not 1 <= draw.size <= SAMPLE_MAX:
        raise AuditRefused("size", f"expected a number of cases from 1 to {SAMPLE_MAX}")
    seed = draw.seed if draw.seed is not None else random.SystemRandom().randrange(2**62)
    hidden = set(Restriction.objects.exclude(named_users=acting_user).values_list("individual_id", flat=True))
    candidates = [c for c in cases_of(criteria.area(area), start, end) if c.individual_id not in hidden]
    chosen = random.Random(seed).sample(candidates, min(draw.size, len(candidates)))
    with transaction.atomic():
        sample = AuditSample.objects.create(
            area=area,
            period_from=start,
            period_to=end,
            size=draw.size,
            seed=seed,
            candidates=len(candidates),
            criteria_version=criteria.version,
            drawn_by=acting_user,
            drawn_at=now,
        )
        AuditCase.objects.bulk_create(
            [
                AuditCase(
                    sample=sample,
                    position=i,
                    individual_id=c.individual_id,
                    record_kind=c.kind,
                    record=c.record,
                    record_pk=c.record_pk,
                )
                for i, c in enumerate(chosen, 1)
            ]
        )
        record_audit(
            acting_user=acting_user,
            action=Action.CHANGE,
            object_type="audit_sample",
            object_ids=[sample.pk],
            individual_ids=sorted(c.individual_id for c in chosen),
            fields=["dip_sample"],
            clock=clock,
        )
    return sample


def _text(field: str, value: Any, *, minimum: int = 0, what: str = "text") -> str:
    text = str(value or "").strip()
    if len(text) < minimum:
        raise AuditRefused(field, f"expected {what} (at least {minimum} characters)")
    if len(text) > TEXT_MAX:
        raise AuditRefused(field, f"expected {TEXT_MAX:,} characters or fewer")
    found = current_policy().check_language(text)
    if found:
        raise AuditRefused(field, "expected wording that does not blame the child: " + found[0].message())
    return text


def check_answers(criteria: AuditCriteria, area: str, answers: Any) -> dict[str, str]:
    """Every criterion of the area answered met, not met or not applicable; nothing else."""
    if not isinstance(answers, dict):
        raise AuditRefused("answers", "expected an answer for each criterion")
    ids = [c.id for c in criteria.area(area).criteria]
    for key in answers:
        if key not in ids:
            raise AuditRefused(f"answers.{key}", f"expected one of the area's criteria ({', '.join(ids)})")
    for key in ids:
        if answers.get(key) not in ANSWERS:
            raise AuditRefused(f"answers.{key}", f"expected one of {', '.join(ANSWERS)}")
    return {key: str(answers[key]) for key in ids}


def _case_to_grade(case_id: int, grade: Any, answers: Any) -> tuple[AuditCriteria, AuditCase, dict[str, str]]:
    """The criteria in force, the case and the answers checked, for a grade or its correction."""
    criteria = current_criteria()
    if grade not in criteria.grades:
        raise AuditRefused("grade", f"expected one of {', '.join(criteria.grades)}")
    case = AuditCase.objects.select_related("sample").filter(pk=case_id).first()
    if case is None:
        raise AuditRefused("case", "expected a sampled case")
    if case.sample.area not in criteria.areas:
        raise AuditRefused("case", "expected a case of an area the criteria in force still have")
    return criteria, case, check_answers(criteria, case.sample.area, answers)


def _stored_grade(
    case: AuditCase,
    kind: str,
    grade: Any,
    criteria: AuditCriteria,
    given: dict[str, str],
    note: str,
    acting_user: Any,
    clock: Clock,
    logged_as: str,
    **correction: Any,
) -> AuditGrade:
    """A grade (or a correction's new version) stored with its suggestion and criteria version,
    and the decision in the access log, inside the caller's transaction."""
    found = AuditGrade.objects.create(
        case=case,
        kind=kind,
        grade=str(grade),
        suggested=criteria.suggested_grade(case.sample.area, given),
        answers=given,
        note=note,
        criteria_version=criteria.version,
        graded_by=acting_user,
        graded_at=clock.now(),
        **correction,
    )
    record_audit(
        acting_user=acting_user,
        action=Action.DECISION,
        object_type="audit_case",
        object_ids=[case.pk],
        individual_ids=[case.individual_id],
        fields=[logged_as],
        clock=clock,
    )
    return found


def grade_case(
    case_id: int, *, grade: Any, answers: Any, note: Any = "", acting_user: Any, clock: Clock = system_clock
) -> AuditGrade:
    """Records `acting_user`'s grade of the case (self-audit or independent by their role),
    once per kind: a grade is never overwritten."""
    _require(acting_user, "grade_cases", "grade sampled cases")
    criteria, case, given = _case_to_grade(case_id, grade, answers)
    text = _text("note", note)
    kind = grade_kind(acting_user)
    with transaction.atomic():
        if AuditGrade.objects.select_for_update().filter(case=case, kind=kind).exists():
            raise AuditRefused("case", f"expected a case without a {AuditGrade.Kind(kind).label.lower()} grade yet")
        return _stored_grade(case, kind, grade, criteria, given, text, acting_user, clock, f"{kind}_grade")


def correct_grade(
    case_id: int,
    *,
    grade: Any,
    answers: Any,
    reason: Any,
    note: Any = "",
    acting_user: Any,
    clock: Clock = system_clock,
) -> AuditGrade:
    """Corrects the grade `acting_user`'s side gave the case: a new version (the grade and every
    criterion answered again, why it is corrected), the earlier kept and shown as corrected.
    Refused when the side has not graded the case yet (grade it first)."""
    _require(acting_user, "grade_cases", "correct a grade")
    criteria, case, given = _case_to_grade(case_id, grade, answers)
    why = _text("reason", reason, minimum=10, what="why the grade is corrected")
    text = _text("note", note)
    kind = grade_kind(acting_user)
    with transaction.atomic():
        latest = AuditGrade.objects.select_for_update().filter(case=case, kind=kind).order_by("-version").first()
        if latest is None:
            label = AuditGrade.Kind(kind).label.lower()
            article = "an" if label[:1] in "aeiou" else "a"
            raise AuditRefused("case", f"expected a case with {article} {label} grade to correct (grade it first)")
        correction = {"version": latest.version + 1, "corrects": latest, "reason": why}
        return _stored_grade(
            case, kind, grade, criteria, given, text, acting_user, clock, f"{kind}_grade_correction", **correction
        )


def action_owner_roles() -> list[str]:
    """The roles an audit action may be given to: those that act on tasks."""
    matrix = load_matrix()
    return [code for code in Role.values if matrix.role_allows(code, "resolve_task")]


def _due(value: Any, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise AuditRefused("due", "expected a date")
    if value < today:
        raise AuditRefused("due", "expected today or a later date")
    if (value - today).days > ACTION_DUE_MAX_DAYS:
        raise AuditRefused("due", f"expected a date within {ACTION_DUE_MAX_DAYS} days")
    return value


def raise_action(
    case_id: int, *, text: Any, owner_role: Any, due: Any, acting_user: Any, clock: Clock = system_clock
) -> AuditAction:
    """An action from the audit of a case: a task in `owner_role`'s queue about the case's
    individual, due at the end of `due`, escalating like any other task when it is late."""
    _require(acting_user, "audit_cases", "raise actions from an audit")
    case = AuditCase.objects.select_related("sample").filter(pk=case_id).first()
    if case is None:
        raise AuditRefused("case", "expected a sampled case")
    words = _text("text", text, minimum=ACTION_MIN, what="what is to be done")
    roles = action_owner_roles()
    if owner_role not in roles:
        raise AuditRefused("owner_role", f"expected a role that acts on tasks ({', '.join(roles)})")
    now = clock.now()
    due_on = _due(due, now.date())
    due_at = dt.datetime.combine(due_on, dt.time(23, 59), tzinfo=dt.UTC)
    criteria = current_criteria()
    title = criteria.area(case.sample.area).title if case.sample.area in criteria.areas else case.sample.area
    record = case.record if case.record.get("source") else {}
    with transaction.atomic():
        finding = Finding.objects.create(
            fingerprint=hashlib.sha256(f"audit:{case.pk}:{uuid.uuid4().hex}".encode()).hexdigest(),
            individual_id=case.individual_id,
            clause=AUDIT_CLAUSE,
            severity=Finding.Severity.MEDIUM,
            reason=f"Case file audit ({title}) asked for an action: {words}",
            cites=[record] if record else [],
            key=record or None,
            owner_role=str(owner_role),
            due_by=due_at,
            policy_version=f"audit criteria {case.sample.criteria_version}"[:40],
            raised_at=now,
            evaluated_at=now,
            kind=AUDIT_KIND,
        )
        task = Task.objects.create(
            finding=finding,
            individual_id=case.individual_id,
            clause=AUDIT_CLAUSE,
            severity=finding.severity,
            reason=finding.reason,
            owner_role=str(owner_role),
            due_at=due_at,
            created_at=now,
        )
        TaskEvent.objects.create(
            task=task, at=now, action=TaskEvent.Action.CREATED, actor=acting_user, to_role=str(owner_role)
        )
        action = AuditAction.objects.create(case=case, text=words, task=task, raised_by=acting_user, raised_at=now)
        record_audit(
            acting_user=acting_user,
            action=Action.CHANGE,
            object_type="audit_case",
            object_ids=[case.pk],
            individual_ids=[case.individual_id],
            fields=["audit_action"],
            clock=clock,
        )
    return action
