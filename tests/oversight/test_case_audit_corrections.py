"""Correcting a grade of the case file audit: a new version of one side's grade with who and
why, the earlier kept and shown as corrected, the agreement table reading the latest; refused
without a grade to correct, without a reason, outside the scale, and for roles without the
permission; on screen and over REST, each correction in the access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.oversight import audits
from safetynet.oversight.criteria import current_criteria
from safetynet.oversight.models import AuditGrade, AuditSample
from safetynet.reads.case_audits import agreement, sample_detail, sample_rows
from tests.oversight.conftest import PERIOD, AuditWorld

JSON = "application/json"
WHY = "The return home interview was found on the social care record after grading."


def _draw(world: AuditWorld, clock: FixedClock, size: int = 2) -> AuditSample:
    given = {"area": "missing", "period_from": PERIOD[0], "period_to": PERIOD[1], "size": size}
    return audits.draw_sample(audits.Draw(**given), acting_user=world.access.users["case_auditor"], clock=clock)


def _answers(value: str = "met", **changes: str) -> dict[str, str]:
    return {c.id: changes.get(c.id, value) for c in current_criteria().area("missing").criteria}


def test_a_correction_is_a_new_version_and_the_agreement_uses_the_latest(
    audit_world: AuditWorld, clock: FixedClock
) -> None:
    users = audit_world.access.users
    sample = _draw(audit_world, clock)
    case = sample.cases.first()
    assert case is not None
    audits.grade_case(case.pk, grade="good", answers=_answers(), acting_user=users["sergeant"], clock=clock)
    first = audits.grade_case(
        case.pk, grade="inadequate", answers=_answers(), acting_user=users["case_auditor"], clock=clock
    )
    assert agreement(sample.cases.all()).agreed == 0
    fixed = audits.correct_grade(
        case.pk, grade="good", answers=_answers(), reason=WHY, acting_user=users["case_auditor"], clock=clock
    )
    assert (fixed.version, fixed.corrects_id, fixed.reason, fixed.kind) == (2, first.pk, WHY, "independent")
    first.refresh_from_db()
    assert first.grade == "inadequate"  # the original is kept as it was
    table = agreement(sample.cases.all())
    assert table.both == 1 and table.agreed == 1 and table.independent_totals["inadequate"] == 0
    rows = {r.case.pk: r for r in sample_detail(users["sergeant"], sample, clock.now().date()).rows}
    shown = rows[case.pk].independent_grade
    assert shown.corrected and shown.text == "Good" and [v for v, _w, _who in shown.earlier_lines] == [1]
    assert shown.earlier_lines[0][1] == "Inadequate"
    # Graded cases are counted once however often corrected.
    assert sample_rows()[0].independent_graded == 1
    entry = AuditEntry.objects.filter(object_type="audit_case").latest("seq")
    assert entry.fields == ["independent_grade_correction"] and entry.individual_ids == [case.individual_id]


@pytest.mark.parametrize(
    ("grade", "reason", "note", "field"),
    [
        ("excellent", WHY, "", "grade"),
        ("good", "", "", "reason"),
        ("good", "Wrong.", "", "reason"),
        ("good", "She regularly goes missing of her own volition, so good.", "", "reason"),
        ("good", WHY, "She regularly goes missing of her own volition.", "note"),
    ],
)
def test_a_bad_correction_is_refused_naming_the_field(
    audit_world: AuditWorld, clock: FixedClock, grade: str, reason: str, note: str, field: str
) -> None:
    users = audit_world.access.users
    case = _draw(audit_world, clock, size=1).cases.get()
    audits.grade_case(case.pk, grade="good", answers=_answers(), acting_user=users["case_auditor"], clock=clock)
    with pytest.raises(audits.AuditRefused) as refused:
        audits.correct_grade(
            case.pk, grade=grade, answers=_answers(), reason=reason, note=note, acting_user=users["case_auditor"]
        )
    assert refused.value.field == field
    assert AuditGrade.objects.count() == 1


def test_only_a_side_that_has_graded_may_correct_and_only_its_own_grade(
    audit_world: AuditWorld, clock: FixedClock
) -> None:
    users = audit_world.access.users
    case = _draw(audit_world, clock, size=1).cases.get()
    with pytest.raises(audits.AuditRefused) as refused:
        audits.correct_grade(case.pk, grade="good", answers=_answers(), reason=WHY, acting_user=users["sergeant"])
    assert refused.value.field == "case" and "grade it first" in refused.value.expected
    audits.grade_case(case.pk, grade="good", answers=_answers(), acting_user=users["case_auditor"], clock=clock)
    # The sergeant's side (self-audit) has no grade: the auditor's is not theirs to correct.
    with pytest.raises(audits.AuditRefused):
        audits.correct_grade(case.pk, grade="inadequate", answers=_answers(), reason=WHY, acting_user=users["sergeant"])
    with pytest.raises(audits.NotYourAudit):
        audits.correct_grade(case.pk, grade="good", answers=_answers(), reason=WHY, acting_user=users["analyst"])
    assert AuditGrade.objects.count() == 1


def _form(value: str = "met", **extra: Any) -> dict[str, Any]:
    return {**{f"criterion_{c.id}": value for c in current_criteria().area("missing").criteria}, **extra}


def test_the_screen_corrects_a_grade_and_shows_the_original_as_corrected(
    audit_world: AuditWorld, client_for: Callable[[str], Client], clock: FixedClock
) -> None:
    users = audit_world.access.users
    case = _draw(audit_world, clock, size=1).cases.get()
    audits.grade_case(case.pk, grade="inadequate", answers=_answers(), acting_user=users["sergeant"], clock=clock)
    sergeant = client_for("sergeant")
    page = sergeant.get(f"/oversight/case-audit/cases/{case.pk}/").content.decode()
    assert 'data-testid="correct-form"' in page
    refused = sergeant.post(f"/oversight/case-audit/cases/{case.pk}/correct/", _form(grade="good", reason="No."))
    assert refused.status_code == 400 and "at least 10 characters" in refused.content.decode()
    done = sergeant.post(f"/oversight/case-audit/cases/{case.pk}/correct/", _form(grade="good", reason=WHY))
    assert done.status_code == 302
    shown = sergeant.get(f"/oversight/case-audit/cases/{case.pk}/").content.decode()
    assert "Corrected" in shown and WHY in shown and 'data-testid="earlier-grade"' in shown and "Inadequate" in shown
    assert (
        client_for("call_handler")
        .post(f"/oversight/case-audit/cases/{case.pk}/correct/", _form(grade="good", reason=WHY))
        .status_code
        == 403
    )
    assert AuditGrade.objects.filter(case=case).count() == 2


def test_the_api_corrects_a_grade_and_refuses_with_field_and_reason(
    audit_world: AuditWorld, client_for: Callable[[str], Client], clock: FixedClock
) -> None:
    users = audit_world.access.users
    case = _draw(audit_world, clock, size=1).cases.get()
    auditor = client_for("case_auditor")
    url = f"/api/v1/case-audits/cases/{case.pk}/corrections"
    body = {"grade": "good", "answers": _answers(), "reason": WHY}
    early = auditor.post(url, body, content_type=JSON)
    assert (
        early.status_code == 422 and "case: expected a case with an independent audit grade" in early.content.decode()
    )
    audits.grade_case(case.pk, grade="inadequate", answers=_answers(), acting_user=users["case_auditor"], clock=clock)
    no_reason = auditor.post(url, {**body, "reason": ""}, content_type=JSON)
    assert no_reason.status_code == 422 and "reason: expected why the grade is corrected" in no_reason.content.decode()
    done = auditor.post(url, body, content_type=JSON)
    assert done.status_code == 200
    graded = done.json()["independent_audit"]
    assert (graded["grade"], graded["version"], graded["correction_reason"]) == ("good", 2, WHY)
    assert [e["grade"] for e in graded["earlier"]] == ["inadequate"] and graded["corrected_by"]
    assert client_for("response_officer").post(url, body, content_type=JSON).status_code == 403
