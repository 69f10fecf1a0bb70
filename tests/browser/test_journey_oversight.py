"""Browser journey on Debian's Chromium through oversight: a case auditor draws a dip sample of
missing children, grades two cases against the criteria (the sergeant's self-audit of them is
already in) and reads the agreement table; a superintendent reviews the open partnership
escalations by agency and age; an analyst filters the timeliness chart to one area and one team
and drills down from a number to a child, downloads the child's page (with the chronology) as PDF and the
chronology as CSV, both marked, and the access-log auditor finds both exports in the child's
access log; the analyst filters the repeat missing dashboard by period and agency (a backwards
period refused) and drills down from the repeat children to the child, then opens the outcomes
dashboard and drills down to the missing reports after a plan was put in place. axe-core finds no
serious or critical violation on any page.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.oversight import audits
from safetynet.oversight.criteria import current_criteria
from safetynet.oversight.models import AuditSample
from safetynet.records.models import Person, Plan
from safetynet.risk.models import Finding
from safetynet.work import escalations
from tests.oversight.conftest import PERIOD, AuditWorld, build_audit_world
from tests.web.test_browser import check_accessibility
from tests.world import AccessWorld, build_access_world, open_task, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Strategy discussion needed: social care has not attended the last two meetings."


def _as(page: Page, url: str, user: Any) -> None:
    """Signs `user` in (second factor done, as the web tests do) in the browser's context."""
    page.context.clear_cookies()
    client = sign_in(Client(), user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])


def _grade_in_browser(page: Page, answers: dict[str, str], grade: str) -> None:
    for criterion, answer in answers.items():
        index = {"met": 0, "not_met": 1, "not_applicable": 2}[answer]
        page.locator(f"#id_criterion_{criterion}_{index}").check(force=True)  # GOV.UK draws its own radio
    page.get_by_label(grade, exact=True).check(force=True)
    page.get_by_test_id("grade-submit").click()
    expect(page.get_by_text("Grade recorded.")).to_be_visible()


def _case_audit(page: Page, url: str, world: AccessWorld, clock: FixedClock) -> None:
    _as(page, url, world.users["case_auditor"])
    page.goto(f"{url}/")
    expect(page.get_by_role("heading", name="Case file audit")).to_be_visible()
    page.get_by_label("Area of practice", exact=True).last.select_option("missing")
    page.get_by_label("Records from").fill(PERIOD[0].isoformat())
    page.get_by_label("Records to").fill(PERIOD[1].isoformat())
    page.get_by_label("Number of cases").fill("4")
    check_accessibility(page, "oversight-01-case-audit")
    page.get_by_test_id("draw").click()
    expect(page.get_by_text("Dip sample drawn: 4 cases of 6.")).to_be_visible()
    expect(page.get_by_test_id("case-row")).to_have_count(4)
    check_accessibility(page, "oversight-02-sample")
    sample = AuditSample.objects.get()
    first, second = list(sample.cases.all()[:2])
    met = {c.id: "met" for c in current_criteria().area("missing").criteria}
    for case, grade in ((first, "good"), (second, "requires_improvement")):
        audits.grade_case(case.pk, grade=grade, answers=met, acting_user=world.users["sergeant"], clock=clock)

    page.get_by_test_id("case-link").nth(0).click()
    expect(page.get_by_test_id("case-self-grade")).to_contain_text("shown once your side has graded")
    page.get_by_test_id("grade-submit").click()  # nothing answered: refused beside each question
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer this criterion")
    check_accessibility(page, "oversight-03-grade-refused")
    _grade_in_browser(page, met, "Good")
    page.get_by_test_id("case-link").nth(1).click()
    _grade_in_browser(page, {**met, "risk_assessed": "not_met"}, "Inadequate")
    rows = page.get_by_test_id("case-row")
    expect(rows.nth(0).get_by_test_id("self-grade")).to_contain_text("Good")
    expect(rows.nth(1).get_by_test_id("independent-grade")).to_contain_text("Inadequate")
    expect(page.get_by_test_id("agreement-summary").first).to_contain_text("agree on 1 of 2 cases (50%)")
    check_accessibility(page, "oversight-04-side-by-side")
    page.get_by_role("link", name="Case audit").first.click()
    expect(page.get_by_test_id("self-totals").first).to_contain_text("1 good, 1 requires improvement, 0 inadequate")
    expect(page.get_by_test_id("independent-totals").first).to_contain_text(
        "1 good, 0 requires improvement, 1 inadequate"
    )
    check_accessibility(page, "oversight-05-agreement")


def _escalations(page: Page, url: str, world: AccessWorld, clock: FixedClock) -> None:
    for days, owner, clause in ((20, "csc", "X1"), (3, "health", "X2")):
        at = FixedClock(clock.now() - dt.timedelta(days=days))
        task = open_task(world.pupil, clause=clause, owner_role="sergeant", at=at.now())
        escalations.raise_escalation(
            acting_user=world.users["sergeant"], owner_agency=owner, reason=REASON, task_id=task.pk, clock=at
        )
    _as(page, url, world.users["superintendent"])
    page.goto(f"{url}/escalations/")
    page.get_by_test_id("escalation-report-link").click()
    expect(page.get_by_test_id("open-by-agency")).to_contain_text("Open now, by agency to answer and age (2)")
    expect(page.get_by_test_id("open-escalation-row")).to_have_count(2)
    check_accessibility(page, "oversight-06-escalations-for-managers")
    page.get_by_label("From").fill("2026-03-01")
    page.get_by_label("To").fill("2026-02-01")
    page.get_by_test_id("period-apply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Expected a date on or after the start of the period")
    check_accessibility(page, "oversight-07-escalations-period-refused")


def _timeliness(page: Page, url: str, world: AccessWorld, clock: FixedClock) -> None:
    for individual, clause, role in ((world.pupil, "H1", "mash_officer"), (world.police_only, "M2", "sergeant")):
        at = (clock.now() - dt.timedelta(days=5)).isoformat()
        Finding.objects.create(
            fingerprint=f"practice-{clause}-{individual.pk}",
            individual=individual,
            clause=clause,
            severity="medium",
            reason="A breach of the clock.",
            owner_role=role,
            policy_version="test",
            raised_at=clock.now(),
            evaluated_at=clock.now(),
            kind="practice",
            detail={"count": 1, "breaches": [{"at": at, "reason": f"The {clause} clock ran out by 2 hours."}]},
        )
    # The pupil lives in Kingsford and the south (an area of the policy), the other child does not.
    Person.objects.filter(membership__individual=world.pupil).update(postcode="EK1 4AB")
    _as(page, url, world.users["analyst"])
    page.goto(f"{url}/")
    page.get_by_test_id("timeliness-link").click()
    # Both breached clauses, beside the clock clauses that ran with no breach (rate 0, no link).
    expect(page.get_by_test_id("drill-H1-mash_officer")).to_have_count(1)
    expect(page.get_by_test_id("drill-M2-sergeant")).to_have_count(1)
    expect(page.get_by_test_id("clocks-note")).to_be_visible()
    page.get_by_label("Area", exact=True).select_option("Kingsford and the south")
    page.get_by_test_id("timeliness-apply").click()
    expect(page.get_by_test_id("drill-H1-mash_officer")).to_have_count(1)
    expect(page.get_by_test_id("drill-M2-sergeant")).to_have_count(0)
    expect(page.get_by_test_id("timeliness-total")).to_contain_text("children in Kingsford and the south")
    page.get_by_label("Team", exact=True).select_option("mash_officer")
    page.get_by_test_id("timeliness-apply").click()
    expect(page.get_by_test_id("timeliness-row")).to_have_count(1)
    expect(page.get_by_test_id("timeliness-chart")).to_be_visible()
    check_accessibility(page, "oversight-08-timeliness-one-team")
    page.get_by_test_id("drill-H1-mash_officer").click()
    expect(page.get_by_test_id("breach-row")).to_have_count(1)
    check_accessibility(page, "oversight-09-breaches")
    page.get_by_test_id("breach-child").click()
    expect(page.get_by_role("heading", name="Alexa Inventedchild").first).to_be_visible()
    _exports_of_the_child(page, url, world)


def _exports_of_the_child(page: Page, url: str, world: AccessWorld) -> None:
    """The analyst downloads the child's page (the chronology with it) as PDF and the chronology
    as CSV: each marked, each in the access log, where the access-log auditor finds them."""
    child = world.pupil
    with page.expect_download() as download:
        page.get_by_test_id("person-pdf").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert all("OFFICIAL-SENSITIVE" in p.extract_text() for p in pdf.pages)
    assert "Chronology" in "".join(p.extract_text() for p in pdf.pages)
    with page.expect_download() as download:
        page.get_by_test_id("chronology-csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.lstrip('"').startswith("OFFICIAL-SENSITIVE: Chronology of person record")
    exported = AuditEntry.objects.filter(action=Action.EXPORT, object_type="individual", object_ids=[str(child.pk)])
    assert exported.count() == 2
    _as(page, url, world.users["auditor"])
    page.goto(f"{url}/audit/people/?person={child.pk}")
    expect(page.get_by_test_id("audit-count")).to_be_visible()
    expect(page.locator("table")).to_contain_text("xport")
    check_accessibility(page, "oversight-10-access-log-shows-the-exports")


def _dashboards(page: Page, url: str, world: AccessWorld, audit: AuditWorld) -> None:
    """An analyst opens the repeat missing dashboard from the dashboard, filters it to February
    and one agency, is refused a backwards period, and drills down from the repeat children to
    the child missing three times."""
    _as(page, url, world.users["analyst"])
    page.goto(f"{url}/")
    page.get_by_role("link", name="Repeat missing children").click()
    page.get_by_label("From").fill(PERIOD[1].isoformat())
    page.get_by_label("To").fill(PERIOD[0].isoformat())
    page.get_by_test_id("dashboard-apply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Expected a date on or after the start of the period")
    page.get_by_label("From").fill(PERIOD[0].isoformat())
    page.get_by_label("To").fill(PERIOD[1].isoformat())
    page.get_by_label("Agency").select_option("police")
    page.get_by_test_id("dashboard-apply").click()
    expect(page.get_by_test_id("chart-months")).to_be_visible()
    expect(page.get_by_test_id("row-months")).to_have_count(2)
    check_accessibility(page, "oversight-11-repeat-missing")
    page.get_by_test_id("drill-months-all-3").click()
    expect(page.get_by_test_id("behind-row")).to_have_count(3)
    check_accessibility(page, "oversight-12-behind-the-number")
    page.get_by_test_id("behind-child").first.click()
    expect(page.get_by_role("heading", name="Ada Auditcase").first).to_be_visible()
    _outcomes(page, url)


def _outcomes(page: Page, url: str) -> None:
    """The analyst opens the outcomes dashboard for February: a trigger plan was put in place for
    Ada on the day of her first episode, so one report counts before it and two after; the
    analyst drills down to the two after."""
    ada = Person.objects.get(source_id="AUD-M0")
    Plan.objects.create(
        source="csc",
        source_id="JOURNEY-PLAN",
        recorded_at=dt.datetime(2026, 2, 10, tzinfo=dt.UTC),
        payload={},
        plan_type="trigger_plan",
        person=ada,
        created_on=dt.date(2026, 2, 10),
    )
    page.goto(f"{url}/dashboards/outcomes/?period_from={PERIOD[0]}&period_to={PERIOD[1]}")
    expect(page.get_by_role("heading", name="Outcomes", exact=True)).to_be_visible()
    for table in ("crimes", "orders", "plans", "repeat"):
        expect(page.get_by_test_id(f"table-{table}")).to_be_visible()
    check_accessibility(page, "oversight-13-outcomes")
    page.get_by_test_id("drill-repeat-plan-5").click()
    expect(page.get_by_test_id("behind-row")).to_have_count(2)
    check_accessibility(page, "oversight-14-missing-after-an-intervention")


def test_oversight_case_audit_escalations_and_timeliness(live_server: Any, page: Page, clock: FixedClock) -> None:
    world = build_access_world()
    audit = build_audit_world(world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    _case_audit(page, live_server.url, world, clock)
    _escalations(page, live_server.url, world, clock)
    _timeliness(page, live_server.url, world, clock)
    _dashboards(page, live_server.url, world, audit)
    assert errors == []
