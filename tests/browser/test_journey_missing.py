"""Browser journey on Debian's Chromium through the missing workspace: the call handler finds
Mia (who keeps going missing) and reports her missing with the floor and its facts in front of
her; a medium grade is refused (below the floor), high is recorded. The sergeant's downgrade is
refused while its rationale cites frequency, the wording check answers as it is typed, and a
rationale that passes is accepted; he names the officer in charge and adds the line of enquiry
the picture proposes, naming the adult and his address. The inspector reviews; the child is
found with the adult, refused without the referral and then raised with it; the social worker
records the return home interview; M1, M3 and M6 are closed for the episode. axe-core finds no
serious or critical violation on any page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.risk.models import Finding
from tests.missing.conftest import capture_child, ids
from tests.web.test_browser import check_accessibility
from tests.world import build_access_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATIONALE = "Located by phone at her aunt's address, safe and well; officers attend within the hour."
FREQUENT = "She goes missing regularly and always comes back."
BLAMING = "She is putting herself at risk by staying out."


@pytest.fixture
def county(clock: FixedClock) -> Any:
    world = build_access_world()
    capture_child(clock)
    return world, ids()


def _as(page: Page, url: str, user: Any) -> None:
    """Signs `user` in (second factor done, as the web tests do) in the browser's context."""
    page.context.clear_cookies()
    client = sign_in(Client(), user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])


def _report(page: Page, url: str, clock: FixedClock) -> int:
    page.goto(f"{url}/missing/?name=Mia+Inventedlost")
    page.get_by_test_id("report-missing").first.click()
    expect(page.get_by_test_id("floor")).to_contain_text("Policy floor: high")
    expect(page.get_by_test_id("floor-facts")).to_contain_text("3 time(s) in the last 90 days")
    check_accessibility(page, "missing-01-report-floor")
    page.get_by_label("Date last seen").fill(clock.now().date().isoformat())
    page.get_by_label("Time last seen").fill("08:00")
    page.get_by_label("Care (a children's home or foster placement)").check()
    page.get_by_label("Who reports").fill("Home manager")
    page.get_by_label("Circumstances").fill("Left the children's home after breakfast.")
    page.get_by_label("Ethnicity and cultural heritage (self-defined)").select_option("W1")
    page.get_by_label("Medium").check()
    page.get_by_role("button", name="Report missing").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("policy floor for a missing child")
    check_accessibility(page, "missing-02-downgrade-refused")
    page.get_by_label("High").check()
    page.get_by_role("button", name="Report missing").click()
    expect(page.get_by_text("Missing episode reported.")).to_be_visible()
    check_accessibility(page, "missing-03-episode")
    return Event.live.get(source="safetynet", event_type="missing_report").pk


def _sergeant(page: Page, url: str, episode: int, clock: FixedClock) -> None:
    page.goto(f"{url}/missing/{episode}/")
    review = page.get_by_test_id("review-form")
    review.get_by_label("Medium").check()
    review.get_by_label("Rationale").fill(FREQUENT)
    review.get_by_role("button", name="Record review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("how often the child goes missing")
    review = page.get_by_test_id("review-form")
    review.get_by_label("Rationale").fill("")
    review.get_by_label("Rationale").press_sequentially(BLAMING, delay=5)
    expect(review.get_by_test_id("language-check")).to_contain_text("Suggested wording")
    check_accessibility(page, "missing-04-wording-check")
    page.goto(f"{url}/missing/{episode}/")
    review = page.get_by_test_id("review-form")
    review.get_by_label("Medium").check()
    review.get_by_label("Rationale").fill(RATIONALE)
    review.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    clock.advance(minutes=1)
    page.get_by_label("Officer in charge").fill("PC 4567 Invented")
    page.get_by_role("button", name="Name officer in charge").click()
    expect(page.get_by_test_id("officer")).to_contain_text("PC 4567 Invented")
    clock.advance(minutes=1)
    page.get_by_label("Line of enquiry").fill("Check addresses")
    page.get_by_role("button", name="Add line of enquiry").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("the address or the person to check")
    page.get_by_test_id("proposal").filter(has_text="Adam Inventedolder").get_by_role("button").click()
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("Adam Inventedolder")
    expect(lines).to_contain_text("1 Invented Road")
    check_accessibility(page, "missing-05-line-of-enquiry")


def _found(page: Page, url: str, episode: int, clock: FixedClock) -> None:
    page.goto(f"{url}/missing/{episode}/")
    page.get_by_label("Date found").fill(clock.now().date().isoformat())
    page.get_by_label("Time found").fill(clock.now().strftime("%H:%M"))
    page.get_by_label("Found by").fill("PC 4567 Invented")
    page.get_by_label("Where found").fill("Invented Flat, Testtown")
    page.get_by_test_id("found-form").get_by_label("Adam Inventedolder", exact=False).check()
    page.get_by_role("button", name="Record found").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("safeguarding concern to refer")
    page.get_by_label("Safeguarding referral").fill("Found with an adult named in a child abduction warning notice.")
    page.get_by_role("button", name="Record found").click()
    expect(page.get_by_test_id("referral")).to_contain_text("Raised to the MASH")
    expect(page.get_by_test_id("found-with")).to_contain_text("Adam Inventedolder")
    check_accessibility(page, "missing-07-found")


def test_a_report_from_creation_to_the_return_home_interview(
    live_server: Any, page: Page, clock: FixedClock, county: Any
) -> None:
    world, people = county
    url = live_server.url
    _as(page, url, world.users["call_handler"])
    episode = _report(page, url, clock)
    clock.advance(minutes=20)
    _as(page, url, world.users["sergeant"])
    _sergeant(page, url, episode, clock)
    clock.advance(minutes=20)
    _as(page, url, world.users["inspector"])
    page.goto(f"{url}/missing/{episode}/")
    review = page.get_by_test_id("review-form")
    review.get_by_label("High").check()
    review.get_by_label("Rationale").fill("Back to high while she is with an adult named in a CAWN.")
    review.get_by_role("button", name="Record review").click()
    expect(page.get_by_test_id("reviews")).to_contain_text("inspector")
    check_accessibility(page, "missing-06-inspector")
    clock.advance(hours=3)
    _as(page, url, world.users["sergeant"])
    _found(page, url, episode, clock)
    clock.advance(hours=20)
    _as(page, url, world.users["partner_social_worker"])
    page.goto(f"{url}/missing/{episode}/")
    page.get_by_label("Date of the interview").fill(clock.now().date().isoformat())
    page.get_by_label("Time", exact=True).fill(clock.now().strftime("%H:%M"))
    page.get_by_label("What the child said and what follows").fill("Mia spoke about Adam; strategy meeting requested.")
    page.get_by_role("button", name="Record return home interview").click()
    expect(page.get_by_test_id("rhi")).to_contain_text("Held")
    check_accessibility(page, "missing-08-return-home-interview")
    _as(page, url, world.users["missing_persons_coordinator"])
    page.goto(f"{url}/missing/")
    expect(page.get_by_test_id("repeat-missing")).to_contain_text("Mia Inventedlost")
    check_accessibility(page, "missing-09-coordinator")
    page.get_by_test_id("repeat-child").filter(has_text="Mia Inventedlost").click()
    expect(page.get_by_test_id("missing-chart")).to_be_visible()
    expect(page.get_by_test_id("most-found")).to_contain_text("Invented Hotel")
    check_accessibility(page, "missing-10-history")
    report = Event.live.get(pk=episode)
    about = {"source": report.source, "id": report.source_id}
    still = Finding.objects.filter(individual_id=people["child"], clause__in=("M1", "M3", "M6"), key=about)
    assert not still.filter(state__in=("open", "acknowledged")).exists(), list(still.values_list("clause", "reason"))


def test_plans_the_homes_enquiries_filters_and_a_child_not_on_record(
    live_server: Any, page: Page, clock: FixedClock, county: Any
) -> None:
    """The coordinator records Mia's trigger plan (a bad phone number refused first), the call
    handler reports her missing from care and records the home's enquiries, the coordinator
    filters the list by plan status, and a child not on record is created from the report form;
    axe-core on each new page."""
    world, people = county
    url = live_server.url
    _as(page, url, world.users["missing_persons_coordinator"])
    page.goto(f"{url}/missing/children/{people['child']}/")
    page.get_by_test_id("plans-link").click()
    check_accessibility(page, "missing-11-plans")
    page.get_by_test_id("plan-new").click()
    page.get_by_label("Review date").fill((clock.now().date().replace(day=1)).isoformat())
    page.get_by_label("Description of the child").fill("Slim, long dark hair, grey hoodie.")
    page.get_by_label("Phone numbers").fill("ring her")
    page.get_by_label("Risks when missing").fill("Exploitation by an older boyfriend named in a CAWN.")
    page.get_by_test_id("plan-form").get_by_label("Adam Inventedolder", exact=False).check()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page, "missing-12-plan-refused")
    page.get_by_label("Review date").fill((clock.now() + dt.timedelta(days=30)).date().isoformat())
    page.get_by_label("Phone numbers").fill("07700 900123")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Plan recorded.")).to_be_visible()
    expect(page.get_by_test_id("plan").first).to_contain_text("07700 900123")
    page.goto(f"{url}/missing/?plan=current")
    expect(page.get_by_test_id("repeat-missing")).to_contain_text("Mia Inventedlost")
    check_accessibility(page, "missing-13-filtered")

    _as(page, url, world.users["call_handler"])
    episode = _report(page, url, clock)
    page.goto(f"{url}/missing/{episode}/")
    page.get_by_text("Record the home's enquiries").click()
    page.get_by_label("Date of the enquiries").fill(clock.now().date().isoformat())
    page.get_by_label("Time of the enquiries").fill("08:30")
    page.get_by_label("Searched the home and its grounds").check()
    page.get_by_label("Who made them").fill("Residential worker on shift")
    page.get_by_label("What they found").fill("Not in the home or grounds; phone off.")
    page.get_by_role("button", name="Record the enquiries").click()
    expect(page.get_by_test_id("enquiries-state")).to_contain_text("Searched the home")
    check_accessibility(page, "missing-14-home-enquiries")
    page.goto(f"{url}/missing/?name=Zed+Inventednew")
    page.get_by_test_id("new-child").click()
    page.get_by_role("button", name="Record the child and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("given names")
    check_accessibility(page, "missing-15-new-child-refused")
    page.get_by_label("Given names").fill("Zed")
    page.get_by_label("Family name").fill("Inventednew")
    page.get_by_role("button", name="Record the child and continue").click()
    expect(page.get_by_text("Child recorded. Now report them missing.")).to_be_visible()
    expect(page.get_by_test_id("floor")).to_be_visible()
