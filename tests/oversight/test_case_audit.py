"""The case file audit's services: dip samples drawn by meaning from the records of a period
(one case per child, restricted children left out, the seed repeats the draw), grades against
the criteria (self-audit by a supervisor, independent audit by a case auditor, once each,
blind until one's own side has graded), the agreement table, and actions as owned tasks that
re-evaluation leaves alone. Bad input is refused naming the field, with nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.lib.clock import FixedClock
from safetynet.oversight import audits
from safetynet.oversight.criteria import CriteriaError, current_criteria, parse_criteria
from safetynet.oversight.models import AuditCase, AuditGrade, AuditSample
from safetynet.reads.case_audits import agreement, case_detail, sample_detail
from safetynet.risk.services import refresh_findings
from safetynet.work.models import Task
from safetynet.work.services import resolve, sync_tasks
from tests.oversight.conftest import PERIOD, AuditWorld


def _draw(world: AuditWorld, clock: FixedClock, area: str = "missing", size: int = 10, **kw: Any) -> AuditSample:
    given = {"area": area, "period_from": PERIOD[0], "period_to": PERIOD[1], "size": size, **kw}
    return audits.draw_sample(audits.Draw(**given), acting_user=world.access.users["case_auditor"], clock=clock)


def _answers(area: str, value: str = "met", **changes: str) -> dict[str, str]:
    return {c.id: changes.get(c.id, value) for c in current_criteria().area(area).criteria}


def test_a_dip_sample_takes_one_case_per_child_from_the_period_and_leaves_restricted_children_out(
    audit_world: AuditWorld, clock: FixedClock
) -> None:
    sample = _draw(audit_world, clock)
    cases = list(sample.cases.all())
    assert sample.candidates == 6 and len(cases) == 6
    assert {c.individual_id for c in cases} == {c.pk for c in audit_world.missing}
    assert audit_world.access.restricted.pk not in {c.individual_id for c in cases}
    first = next(c for c in cases if c.individual_id == audit_world.missing[0].pk)
    assert first.record == {"source": "rms", "id": "AUDEV-M0-2"}  # the most recent of her three episodes
    smaller = _draw(audit_world, clock, size=3, seed=sample.seed)
    again = _draw(audit_world, clock, size=3, seed=sample.seed)
    assert [c.individual_id for c in smaller.cases.all()] == [c.individual_id for c in again.cases.all()]
    assert smaller.criteria_version == current_criteria().version


@pytest.mark.parametrize(
    "area",
    [
        "domestic_abuse",
        "online",
        "mash_triaged_out",
        "mash_open",
        "custody",
        "protection",
        "sex_offender_management",
        "s47",
    ],
)
def test_each_area_of_practice_finds_its_cases_by_meaning(
    audit_world: AuditWorld, clock: FixedClock, area: str
) -> None:
    sample = _draw(audit_world, clock, area=area)
    found = {c.individual_id for c in sample.cases.all()}
    assert audit_world.by_area[area].pk in found
    others = {c.pk for k, c in audit_world.by_area.items() if k != area} | {c.pk for c in audit_world.missing}
    assert not found & others, f"{area} took cases of another area"


def test_cse_cases_come_from_the_marker(audit_world: AuditWorld, clock: FixedClock) -> None:
    sample = _draw(audit_world, clock, area="cse")
    assert [c.individual_id for c in sample.cases.all()] == [audit_world.access.pupil.pk]
    assert sample.cases.get().record_kind == "marker"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"area": "astrology"}, "area"),
        ({"size": 0}, "size"),
        ({"size": 101}, "size"),
        ({"period_to": dt.date(2026, 1, 1)}, "period_to"),
        ({"period_to": dt.date(2026, 4, 1)}, "period_to"),
        ({"period_from": "yesterday"}, "period_from"),
    ],
)
def test_an_impossible_draw_is_refused_naming_the_field(
    audit_world: AuditWorld, clock: FixedClock, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(audits.AuditRefused) as refused:
        _draw(audit_world, clock, **changes)
    assert refused.value.field == field
    assert not AuditSample.objects.exists()


def test_only_the_case_audit_role_draws_samples(audit_world: AuditWorld, clock: FixedClock) -> None:
    for role in ("sergeant", "auditor", "analyst"):
        with pytest.raises(audits.NotYourAudit):
            audits.draw_sample(
                audits.Draw("missing", PERIOD[0], PERIOD[1], 5), acting_user=audit_world.access.users[role], clock=clock
            )


def test_self_and_independent_grades_sit_side_by_side_and_fill_the_agreement_table(
    audit_world: AuditWorld, clock: FixedClock
) -> None:
    users = audit_world.access.users
    sample = _draw(audit_world, clock, size=3)
    one, two, three = sample.cases.all()
    audits.grade_case(
        one.pk, grade="requires_improvement", answers=_answers("missing"), acting_user=users["sergeant"], clock=clock
    )
    bad = _answers("missing", risk_assessed="not_met")
    made = audits.grade_case(one.pk, grade="inadequate", answers=bad, acting_user=users["case_auditor"], clock=clock)
    assert made.kind == "independent" and made.suggested == "inadequate" and made.criteria_version
    audits.grade_case(two.pk, grade="good", answers=_answers("missing"), acting_user=users["inspector"], clock=clock)
    audits.grade_case(two.pk, grade="good", answers=_answers("missing"), acting_user=users["case_auditor"], clock=clock)
    audits.grade_case(three.pk, grade="good", answers=_answers("missing"), acting_user=users["sergeant"], clock=clock)
    table = agreement(sample.cases.all())
    assert table.both == 2 and table.agreed == 1 and table.agreement_percent == 50
    assert table.cells["requires_improvement"]["inadequate"] == 1 and table.cells["good"]["good"] == 1
    assert table.self_totals == {"good": 2, "requires_improvement": 1, "inadequate": 0}
    assert table.independent_totals == {"good": 1, "requires_improvement": 0, "inadequate": 1}
    # Blind: the auditor has not graded case three, so the sergeant's grade is hidden from them.
    rows = {r.case.pk: r for r in sample_detail(users["case_auditor"], sample, clock.now().date()).rows}
    assert rows[one.pk].self_grade.text == "Requires improvement" and rows[one.pk].agrees is False
    assert rows[three.pk].self_grade.grade is not None and not rows[three.pk].self_grade.shown
    assert "shown once" in rows[three.pk].self_grade.text


@pytest.mark.parametrize(
    ("grade", "answers", "note", "field"),
    [
        ("excellent", None, "", "grade"),
        ("", None, "", "grade"),
        ("good", {"risk_assessed": "met"}, "", "answers.timely_response"),
        ("good", {"horoscope": "met"}, "", "answers.horoscope"),
        ("good", "all met", "", "answers"),
        ("good", None, "She regularly goes missing of her own volition.", "note"),
    ],
)
def test_a_grade_outside_the_scale_or_criteria_is_refused_naming_the_field(
    audit_world: AuditWorld, clock: FixedClock, grade: str, answers: Any, note: str, field: str
) -> None:
    case = _draw(audit_world, clock, size=1).cases.get()
    given = _answers("missing") if answers is None else answers
    with pytest.raises(audits.AuditRefused) as refused:
        audits.grade_case(
            case.pk,
            grade=grade,
            answers=given,
            note=note,
            acting_user=audit_world.access.users["case_auditor"],
            clock=clock,
        )
    assert refused.value.field == field
    assert not AuditGrade.objects.exists()


def test_a_grade_is_given_once_per_side_and_never_overwritten(audit_world: AuditWorld, clock: FixedClock) -> None:
    case = _draw(audit_world, clock, size=1).cases.get()
    auditor = audit_world.access.users["case_auditor"]
    audits.grade_case(case.pk, grade="good", answers=_answers("missing"), acting_user=auditor, clock=clock)
    with pytest.raises(audits.AuditRefused) as refused:
        audits.grade_case(case.pk, grade="inadequate", answers=_answers("missing"), acting_user=auditor, clock=clock)
    assert refused.value.field == "case"
    assert AuditGrade.objects.get().grade == "good"
    with pytest.raises(audits.NotYourAudit):
        audits.grade_case(
            case.pk,
            grade="good",
            answers=_answers("missing"),
            acting_user=audit_world.access.users["analyst"],
            clock=clock,
        )


def test_an_action_from_an_audit_is_an_owned_task_that_re_evaluation_leaves_alone(
    audit_world: AuditWorld, clock: FixedClock
) -> None:
    case = _draw(audit_world, clock, size=1).cases.get()
    action = audits.raise_action(
        case.pk,
        text="Review the risk grading of this episode with the inspector on duty.",
        owner_role="inspector",
        due=clock.now().date() + dt.timedelta(days=14),
        acting_user=audit_world.access.users["case_auditor"],
        clock=clock,
    )
    task = Task.objects.get(pk=action.task_id)
    assert task.owner_role == "inspector" and task.individual_id == case.individual_id and task.is_current
    assert task.due_at and task.due_at.date() == clock.now().date() + dt.timedelta(days=14)
    refresh_findings([case.individual_id], clock=clock)
    sync_tasks(clock=clock)
    task.refresh_from_db()
    assert task.is_current and task.finding.state == "open"
    resolve(
        task.pk,
        acting_user=audit_world.access.users["inspector"],
        rationale="Grading reviewed with the duty sergeant; the floor is now applied on every report.",
        clock=clock,
    )
    task.refresh_from_db()
    assert task.state == "resolved" and task.finding.state == "resolved"
    detail = case_detail(
        audit_world.access.users["case_auditor"], AuditCase.objects.get(pk=case.pk), clock.now().date()
    )
    assert [(a.owner, a.state) for a in detail.actions] == [("Inspector", "resolved with a rationale")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner_role": "analyst"}, "owner_role"),
        ({"text": "Do it"}, "text"),
        ({"due": dt.date(2026, 1, 1)}, "due"),
        ({"due": "soon"}, "due"),
    ],
)
def test_a_bad_action_is_refused_naming_the_field(
    audit_world: AuditWorld, clock: FixedClock, changes: dict[str, Any], field: str
) -> None:
    case = _draw(audit_world, clock, size=1).cases.get()
    given: dict[str, Any] = {
        "text": "Review the risk grading of this episode.",
        "owner_role": "inspector",
        "due": dt.date(2026, 3, 20),
        **changes,
    }
    with pytest.raises(audits.AuditRefused) as refused:
        audits.raise_action(case.pk, **given, acting_user=audit_world.access.users["case_auditor"], clock=clock)
    assert refused.value.field == field
    assert not Task.objects.filter(clause=audits.AUDIT_CLAUSE).exists()


def test_a_criteria_file_with_a_bad_grade_scale_is_refused_with_its_line() -> None:
    text = (
        'version: "x"\nscale:\n  - {code: good, label: Good}\n  - {code: fine, label: Fine}\n'
        "  - {code: inadequate, label: Inadequate}\nareas:\n  missing:\n    title: Missing\n"
        "    records: [{event_type: missing_report, roles: [missing_person]}]\n"
        "    criteria: [{id: a, text: Risk assessed}]\n"
    )
    with pytest.raises(CriteriaError, match="expected the scale good, requires_improvement, inadequate"):
        parse_criteria(text, "force.yaml")
    bad_type = text.replace("fine", "requires_improvement").replace("missing_report", "seance")
    with pytest.raises(CriteriaError, match=r"force.yaml:9: .*expected an event type"):
        parse_criteria(bad_type, "force.yaml")
