"""Browser journey on Debian's Chromium through the protection workspace (issue #21).

Police protection: the response officer finds Pip and takes him into police protection at a
police station (flagged), designates the inspector, records social care told and asks for
accommodation; two hours later the inspector hands over to a second inspector. At four and a
half hours' wait the list flags it and P1 gives the inspector the wait to account for; children's
social care sees the request in its list and records the accommodation provided; ending without
a rationale is refused beside its field, then police protection ends with one.

Custody: the custody officer books Sam in from his person page; a review before arrival is
refused; the appropriate adult, a review, the charge with bail refused and the s38(6) request are
recorded; social care refuses the transfer, which gives the inspector a task (C3) while Sam is
held; the custody officer records the certificate and escalates to the partnership escalation
log, which the record page then lists.

axe-core finds no serious or critical violation on any page. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Locator, Page, expect

from safetynet.access.roles import Role
from safetynet.accounts.services import create_user_with_role
from safetynet.identity.models import Membership
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.risk.models import Finding
from safetynet.work.models import PartnershipEscalation
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, build_access_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATIONALE = "Placed with foster carers by children's social care; no longer likely to suffer harm."


def _child(clock: FixedClock, source_id: str, given: str, family: str) -> int:
    line = {
        "kind": "person",
        "source": "rms",
        "id": source_id,
        "recorded_at": "2026-01-05T12:00:00+00:00",
        "given_names": given,
        "family_name": family,
        "date_of_birth": "2011-09-09",
    }
    assert capture([line], door="cli", clock=clock).rejected == 0
    return int(Membership.objects.get(person__source="rms", person__source_id=source_id).individual_id)


@pytest.fixture
def county(clock: FixedClock) -> Any:
    world = build_access_world()
    second = create_user_with_role(acting_user=None, username="inspector2", password=PASSWORD, role=Role.INSPECTOR)
    pip = _child(clock, "PP1", "Pip", "Inventedprotected")
    sam = _child(clock, "CU1", "Sam", "Inventedcustody")
    return world, second, pip, sam


def _as(page: Page, url: str, user: Any) -> None:
    """Signs `user` in (second factor done, as the web tests do) in the browser's context."""
    page.context.clear_cookies()
    client = sign_in(Client(), user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])


def _fill_at(form: Locator, what: str, at: dt.datetime) -> None:
    form.get_by_label(f"Date {what}", exact=True).fill(at.date().isoformat())
    form.get_by_label(f"Time {what}", exact=True).fill(at.strftime("%H:%M"))


def _take(page: Page, url: str, clock: FixedClock, inspector: Any) -> int:
    page.goto(f"{url}/protection/?name=Pip+Inventedprotected")
    page.get_by_test_id("record-police-protection").first.click()
    form = page.get_by_test_id("take-form")
    _fill_at(form, "taken into police protection", clock.now() - dt.timedelta(minutes=30))
    form.get_by_label("Grounds").fill("Found alone at night in a flat used for drug supply.")
    form.get_by_label("Place of safety", exact=True).fill("Custody suite, Central police station")
    form.get_by_label("The place of safety is a police station").check()
    check_accessibility(page, "protection-01-take")
    form.get_by_role("button", name="Record police protection").click()
    expect(page.get_by_text("Police protection recorded.")).to_be_visible()
    expect(page.get_by_test_id("flags")).to_contain_text("Police station as place of safety")
    expect(page.get_by_test_id("limit")).to_contain_text("71 h 30 min left")
    designate = page.get_by_test_id("designate-form")
    designate.get_by_label("Designated officer").select_option(str(inspector.pk))
    _fill_at(designate, "designated", clock.now())
    designate.get_by_role("button", name="Designate officer").click()
    expect(page.get_by_test_id("designated")).to_contain_text(inspector.username)
    notify = page.get_by_test_id("notify-form")
    _fill_at(notify, "children's social care was told", clock.now())
    notify.get_by_label("Who in children's social care was told").fill("Duty manager")
    notify.get_by_role("button", name="Record who was told").click()
    expect(page.get_by_text("Notifications recorded.")).to_be_visible()
    asked = page.get_by_test_id("accommodation-form")
    _fill_at(asked, "accommodation was requested", clock.now())
    asked.get_by_role("button", name="Request accommodation").click()
    expect(page.get_by_test_id("accommodation")).to_contain_text("Waiting 0 min")
    check_accessibility(page, "protection-02-record")
    return Event.live.get(source="safetynet", event_type="police_protection").pk


def _handover_and_wait(page: Page, url: str, pk: int, clock: FixedClock, second: Any) -> None:
    page.goto(f"{url}/protection/police/{pk}/")
    designate = page.get_by_test_id("designate-form")
    designate.get_by_label("Designated officer").select_option(str(second.pk))
    _fill_at(designate, "designated", clock.now())
    designate.get_by_role("button", name="Designate officer").click()
    expect(page.get_by_test_id("handovers")).to_contain_text("to inspector2")
    clock.advance(hours=2, minutes=30)
    page.goto(f"{url}/protection/")
    row = page.get_by_test_id("police-row").filter(has_text="Pip Inventedprotected")
    expect(row).to_contain_text("Waiting over 4 hours for accommodation: inspector")
    expect(row.get_by_test_id("wait")).to_contain_text("Waiting 4 h 30 min")
    check_accessibility(page, "protection-03-list-waiting")
    page.goto(f"{url}/protection/police/{pk}/")
    strategy = page.get_by_test_id("strategy-form")
    _fill_at(strategy, "of the strategy discussion", clock.now())
    strategy.get_by_role("button", name="Schedule strategy discussion").click()
    expect(page.get_by_test_id("strategy")).not_to_contain_text("None scheduled")
    findings = page.get_by_test_id("record-findings")
    expect(findings).to_contain_text("for accommodation (inspector)")
    expect(findings).to_contain_text("task for the inspector")
    check_accessibility(page, "protection-04-wait-escalated")


def _provide_and_end(page: Page, url: str, pk: int, clock: FixedClock, world: Any) -> None:
    _as(page, url, world.users["partner_social_worker"])
    page.goto(f"{url}/protection/requests/")
    page.get_by_test_id("police-now").get_by_role("link", name="Pip Inventedprotected").click()
    check_accessibility(page, "protection-05-social-care")
    provided = page.get_by_test_id("provided-form")
    _fill_at(provided, "accommodation was provided", clock.now())
    provided.get_by_role("button", name="Record accommodation provided").click()
    expect(page.get_by_test_id("accommodation")).to_contain_text("Provided after 4 h 30 min")
    clock.advance(minutes=30)
    _as(page, url, world.users["inspector"])
    page.goto(f"{url}/protection/police/{pk}/")
    end = page.get_by_test_id("end-form")
    _fill_at(end, "police protection ended", clock.now())
    end.get_by_role("button", name="End police protection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("why police protection is ending")
    check_accessibility(page, "protection-06-end-refused")
    end = page.get_by_test_id("end-form")
    end.get_by_label("Why police protection is ending").fill(RATIONALE)
    end.get_by_role("button", name="End police protection").click()
    expect(page.get_by_test_id("state")).to_have_text("Ended")
    expect(page.get_by_test_id("end-rationale")).to_contain_text("Placed with foster carers")
    check_accessibility(page, "protection-07-ended")


def _book_in(page: Page, url: str, sam: int, clock: FixedClock) -> int:
    page.goto(f"{url}/people/{sam}/")
    page.get_by_test_id("record-custody").click()
    form = page.get_by_test_id("book-in-form")
    _fill_at(form, "of the arrest", clock.now() - dt.timedelta(hours=3))
    _fill_at(form, "of arrival in custody", clock.now() - dt.timedelta(hours=2, minutes=30))
    _fill_at(form, "detention was authorised", clock.now() - dt.timedelta(hours=2, minutes=20))
    form.get_by_role("button", name="Book in").click()
    expect(page.get_by_text("Child booked in.")).to_be_visible()
    review = page.get_by_test_id("review-form")
    _fill_at(review, "of the review", clock.now() - dt.timedelta(hours=4))
    review.get_by_role("button", name="Record review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no earlier than arrival in custody")
    check_accessibility(page, "protection-08-review-refused")
    adult = page.get_by_test_id("adult-form")
    _fill_at(adult, "the appropriate adult was requested", clock.now() - dt.timedelta(hours=2, minutes=20))
    _fill_at(adult, "the appropriate adult arrived", clock.now() - dt.timedelta(hours=1, minutes=30))
    adult.get_by_role("button", name="Record appropriate adult").click()
    expect(page.get_by_text("Appropriate adult recorded.")).to_be_visible()
    review = page.get_by_test_id("review-form")
    _fill_at(review, "of the review", clock.now() - dt.timedelta(hours=1))
    review.get_by_label("The child was present").check()
    review.get_by_role("button", name="Record review").click()
    expect(page.get_by_test_id("reviews")).to_contain_text("Yes")
    charge = page.get_by_test_id("charge-form")
    _fill_at(charge, "charged", clock.now() - dt.timedelta(minutes=30))
    charge.get_by_label("Bail refused").check()
    charge.get_by_role("button", name="Record charge").click()
    expect(page.get_by_test_id("charge")).to_contain_text("bail refused")
    transfer = page.get_by_test_id("transfer-form")
    _fill_at(transfer, "the transfer was requested", clock.now() - dt.timedelta(minutes=20))
    transfer.get_by_role("button", name="Request transfer").click()
    expect(page.get_by_test_id("transfer")).to_contain_text("Waiting for children's social care")
    check_accessibility(page, "protection-09-custody")
    return Event.live.get(source="safetynet", event_type="custody").pk


def _refuse_certify_escalate(page: Page, url: str, pk: int, clock: FixedClock, world: Any) -> None:
    _as(page, url, world.users["partner_social_worker"])
    page.goto(f"{url}/protection/requests/")
    page.get_by_test_id("custody-now").get_by_role("link", name="Sam Inventedcustody").click()
    answer = page.get_by_test_id("answer-form")
    answer.get_by_label("Not provided").check()
    _fill_at(answer, "answered", clock.now())
    answer.get_by_role("button", name="Record answer").click()
    expect(page.get_by_test_id("transfer")).to_contain_text("Not provided")
    check_accessibility(page, "protection-10-transfer-refused")
    clock.advance(minutes=5)
    _as(page, url, world.users["custody_officer"])
    page.goto(f"{url}/protection/custody/{pk}/")
    certificate = page.get_by_test_id("certificate-form")
    certificate.get_by_label("Reason the child stays in custody").fill(
        "No local authority bed tonight; the duty manager was asked twice."
    )
    certificate.get_by_role("button", name="Record certificate").click()
    expect(page.get_by_test_id("certificate")).to_contain_text("No local authority bed")
    findings = page.get_by_test_id("record-findings")
    expect(findings).to_contain_text("the local authority refused the s38(6) transfer")
    expect(findings).to_contain_text("task for the inspector")
    escalate = page.get_by_test_id("escalate-form")
    escalate.get_by_label("What you ask children's social care to do").fill(
        "The s38(6) transfer was refused: the child stays in a cell overnight. Provide a bed."
    )
    escalate.get_by_role("button", name="Escalate").click()
    expect(page.get_by_test_id("record-escalations")).to_contain_text("Escalation to Children's social care")
    check_accessibility(page, "protection-11-escalated")


def test_police_protection_and_a_child_in_custody_from_start_to_escalation(
    live_server: Any, page: Page, clock: FixedClock, county: Any
) -> None:
    world, second, pip, sam = county
    url = live_server.url
    _as(page, url, world.users["response_officer"])
    pk = _take(page, url, clock, world.users["inspector"])
    clock.advance(hours=2)
    _as(page, url, world.users["inspector"])
    _handover_and_wait(page, url, pk, clock, second)
    waited = Finding.objects.filter(clause="P1", individual_id=pip).select_related("task").get()
    assert "for accommodation (inspector)" in waited.reason and waited.task.owner_role == "inspector"
    _provide_and_end(page, url, pk, clock, world)
    _as(page, url, world.users["custody_officer"])
    custody_pk = _book_in(page, url, sam, clock)
    _refuse_certify_escalate(page, url, custody_pk, clock, world)
    escalation = PartnershipEscalation.objects.get(refusal_id=custody_pk)
    assert (escalation.owner_agency.code, escalation.individual_id) == ("csc", sam)
