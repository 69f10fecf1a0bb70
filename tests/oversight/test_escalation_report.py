"""The partnership escalation log's screens for managers: the open escalations by the agency
that must answer and how long they have waited, the outcomes of those answered in a period,
and the report for the safeguarding partnership's meeting as CSV (marked, logged). An
impossible period is refused with the field and the reason; only supervisors see it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock, system_clock
from safetynet.reads.escalation_report import age_band, partnership_report
from safetynet.work import escalations
from safetynet.work.models import PartnershipEscalation
from tests.world import AccessWorld, open_task

REASON = "Strategy discussion needed: social care has not attended the last two meetings."


def _raised(world: AccessWorld, days_ago: int, owner: str, clause: str) -> PartnershipEscalation:
    at = FixedClock(system_clock.now() - dt.timedelta(days=days_ago))
    task = open_task(world.pupil, clause=clause, owner_role="sergeant", at=at.now())
    return escalations.raise_escalation(
        acting_user=world.users["sergeant"], owner_agency=owner, reason=REASON, task_id=task.pk, clock=at
    )


def _county(world: AccessWorld) -> list[PartnershipEscalation]:
    old, recent = _raised(world, 20, "csc", "X1"), _raised(world, 2, "csc", "X2")
    health, answered = _raised(world, 9, "health", "X4"), _raised(world, 6, "csc", "M4")
    escalations.answer_escalation(
        answered.pk,
        acting_user=world.users["partner_social_worker"],
        outcome="declined",
        answer="No capacity this week; the allocated worker will attend the next meeting instead.",
        clock=FixedClock(system_clock.now() - dt.timedelta(days=1)),
    )
    return [old, recent, health, answered]


def test_open_escalations_by_agency_and_age_and_the_outcomes_of_a_period(access_world: AccessWorld) -> None:
    _county(access_world)
    now = system_clock.now()
    report = partnership_report(
        access_world.users["superintendent"], now, now.date() - dt.timedelta(days=30), now.date()
    )
    by_agency = {a.agency: a for a in report.open_by_agency}
    csc = next(a for name, a in by_agency.items() if "social" in name.lower())
    assert csc.total == 2 and csc.bands[age_band(20)] == 1 and csc.bands[age_band(2)] == 1
    assert csc.overdue >= 1  # raised 20 days ago, due in two working days
    assert report.open_total == 3 and report.raised_in_period == 4
    [outcome] = report.outcomes_by_agency
    assert outcome.outcomes["declined"] == 1 and outcome.total == 1 and outcome.median_days == 5.0
    assert [r.escalation.raised_at for r in report.open_rows] == sorted(
        r.escalation.raised_at for r in report.open_rows
    )
    before = partnership_report(
        access_world.users["superintendent"],
        now,
        now.date() - dt.timedelta(days=60),
        now.date() - dt.timedelta(days=30),
    )
    assert before.outcomes_by_agency == [] and before.open_total == 3


def test_the_manager_screen_its_csv_and_who_may_see_them(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _county(access_world)
    superintendent = client_for("superintendent")
    assert b"escalation-report-link" in superintendent.get("/escalations/").content
    page = superintendent.get("/escalations/partnership/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open now, by agency to answer and age (3)" in html and "Declined, with reasons" in html
    csv = superintendent.get("/escalations/partnership/report.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert body.startswith('"OFFICIAL-SENSITIVE: Partnership escalations') and body.count("\r\n") == 4 + 4
    assert REASON not in body and "Declined, with reasons" in body
    assert AuditEntry.objects.filter(action="export", object_type="partnership_escalation").exists()
    for role in ("partner_social_worker", "call_handler", "case_auditor"):
        assert client_for(role).get("/escalations/partnership/").status_code == 403, role


def test_an_impossible_period_is_refused_with_the_field_and_the_reason(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    inspector = client_for("inspector")
    backwards = inspector.get("/escalations/partnership/?period_from=2026-06-01&period_to=2026-05-01")
    assert backwards.status_code == 400
    assert b"Expected a date on or after the start of the period" in backwards.content
    future = inspector.get("/api/v1/escalations/report?period_from=2026-01-01&period_to=2099-01-01")
    assert future.status_code == 422 and future.json()["detail"] == "period_to: expected a date no later than today"
    ok = inspector.get("/api/v1/escalations/report").json()
    assert ok["open_by_agency"] == [] and ok["open"] == []
