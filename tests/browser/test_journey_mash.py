"""Browser journey on Debian's Chromium through the MASH workspace: a response officer raises a
referral from a domestic-abuse incident with the ARTHUR prompt filled (blaming words marked as
typed); the MASH officer opens it from the inbox, triages it with the child's history beside it,
is refused a grade below the policy's minimum without a rationale, grades it and calls a
strategy discussion; the officer is notified and reads the feedback. Operation Encompass: the
sergeant tells the child's school from the Encompass list, the school's safeguarding lead
acknowledges it on their first screen and the sergeant sees it acknowledged. axe-core finds no
serious or critical violation on any page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Person
from safetynet.risk.services import refresh_findings
from tests.mash.conftest import build_mash
from tests.meetings.conftest import NEW_CHILD, line
from tests.meetings.conftest import RECORDED as HOUSEHOLD_RECORDED
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, build_access_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(clock: FixedClock) -> Any:
    world = build_access_world()
    ids = build_mash(clock)
    # Three earlier referrals about the child this year: the policy asks at least amber (H3).
    for n in range(3):
        capture(
            [
                line(
                    "event",
                    "csc",
                    f"MR-EARLIER-{n}",
                    event_type="referral",
                    occurred_at=f"2026-0{n + 1}-10T10:00:00+00:00",
                    participants=[{"person": {"source": NEW_CHILD[0], "id": NEW_CHILD[1]}, "role": "subject"}],
                    details={"concern": ["neglect"]},
                )
            ],
            door="cli",
            clock=clock,
        )
    return world, ids


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _raise(page: Page, url: str, ids: dict[str, int]) -> None:
    page.goto(f"{url}/events/{ids['incident']}/")
    page.get_by_test_id("raise-referral").click()
    expect(page.get_by_role("heading", name="Raise a referral to the MASH")).to_be_visible()
    page.get_by_label("Nina Inventedfamily", exact=False).check(force=True)
    page.get_by_label("Domestic abuse").check(force=True)
    page.get_by_label("What happened").fill("Police attended; the child was present. She is streetwise.")
    expect(page.get_by_test_id("what-happened-language")).to_contain_text("Suggested wording")
    page.get_by_label("What happened").fill("Police attended a domestic abuse incident; the child was present.")
    page.get_by_role("group", name="A: Are there children present?").get_by_label("Yes").check(force=True)
    page.get_by_label("R: Review the risk").fill("Mother injured; the child was in the next room.")
    page.get_by_role("group", name="T: Did you take time").get_by_label("Yes").check(force=True)
    page.get_by_label("H: How do they appear?").fill("Quiet and watchful.")
    page.get_by_label("U: Understand their wishes and feelings").fill("Wants to stay with her mother.")
    page.get_by_label("R: Record it: the child's words").fill("I hid under the bed.")
    page.get_by_label("Body-worn video reference").fill("BWV-0042")
    check_accessibility(page, "mash-01-raise")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to the MASH.")).to_be_visible()
    expect(page.get_by_test_id("referral")).to_contain_text("I hid under the bed.")
    check_accessibility(page, "mash-02-raised")


def _triage(page: Page, url: str, referral: int, clock: FixedClock) -> None:
    page.get_by_role("link", name="MASH").first.click()
    expect(page.get_by_test_id("count-awaiting")).to_have_text("1")
    check_accessibility(page, "mash-03-inbox")
    page.get_by_test_id(f"triage-{referral}").click()
    expect(page.get_by_test_id("history")).to_contain_text("Domestic abuse incident at the family home.")
    expect(page.get_by_test_id("minimum-grade")).to_contain_text("The policy asks at least amber")
    check_accessibility(page, "mash-04-triage")
    form = page.get_by_test_id("triage-form")
    form.get_by_label("Local police systems: what it held").fill("One earlier domestic abuse incident.")
    form.get_by_label("Local authority (children's social care): what it held").fill("Three earlier referrals.")
    form.get_by_label("Green").check(force=True)
    page.get_by_role("button", name="Record the triage").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Expected a rationale")
    check_accessibility(page, "mash-05-below-minimum")
    clock.advance(minutes=1)
    page.get_by_test_id("triage-form").get_by_label("Amber").check(force=True)
    page.get_by_role("button", name="Record the triage").click()
    expect(page.get_by_text("Triage recorded.")).to_be_visible()
    clock.advance(minutes=1)
    page.get_by_label("Strategy discussion", exact=True).check(force=True)
    check_accessibility(page, "mash-06-decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_test_id("agenda")).to_contain_text("Nina Inventedfamily")


def test_an_officer_refers_the_mash_triages_against_the_history_and_calls_a_strategy_discussion(
    live_server: Any, page: Page, clock: FixedClock, county: Any
) -> None:
    world, ids = county
    url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    _sign_in(page, url, world.users["response_officer"].get_username())
    _raise(page, url, ids)
    referral = Event.live.get(event_type="referral", source="safetynet").pk
    _sign_out(page)

    clock.advance(minutes=30)
    _sign_in(page, url, world.users["mash_officer"].get_username())
    _triage(page, url, referral, clock)
    _sign_out(page)

    _sign_in(page, url, world.users["response_officer"].get_username())
    expect(page.get_by_test_id("header-notifications")).to_contain_text("unread")
    page.get_by_test_id("header-notifications").click()
    page.get_by_role("link", name="A referral you raised was triaged").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("graded amber. Decision: strategy discussion.")
    check_accessibility(page, "mash-07-feedback")
    assert errors == []


def test_the_police_tell_the_school_and_the_school_acknowledges(
    live_server: Any, page: Page, clock: FixedClock, county: Any
) -> None:
    world, ids = county
    nina = {**line("person", *NEW_CHILD, given_names="Nina", family_name="Inventedfamily", date_of_birth="2017-06-06")}
    nina.update(recorded_at=clock.now().isoformat(), school={"source": "education", "id": "SCH1"})
    assert nina["recorded_at"] != HOUSEHOLD_RECORDED and capture([nina], door="cli", clock=clock).rejected == 0
    assert Person.live.get(source=NEW_CHILD[0], source_id=NEW_CHILD[1]).school is not None
    refresh_findings([ids["new"]], clock=clock)  # as the task worker would
    url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    _sign_in(page, url, world.users["sergeant"].get_username())
    page.get_by_role("link", name="Encompass", exact=True).click()
    expect(page.get_by_test_id("to-send")).to_contain_text("Nina Inventedfamily")
    check_accessibility(page, "mash-08-encompass")
    page.get_by_test_id("tell-school").click()
    expect(page.get_by_test_id("encompass-incident")).to_contain_text("Invented Academy")
    page.get_by_test_id("send").click()
    expect(page.get_by_role("link", name="Enter what the school needs to know to support the child")).to_be_visible()
    check_accessibility(page, "mash-09-encompass-refused")
    page.get_by_label("What does the school need to know?").fill(
        "Police attended at home last night; Nina was present and is staying with her grandmother."
    )
    page.get_by_test_id("send").click()
    expect(page.get_by_text("The school has been told.")).to_be_visible()
    _sign_out(page)

    clock.advance(minutes=20)
    _sign_in(page, url, world.users["partner_education"].get_username())
    expect(page.get_by_role("heading", name="Notifications from the police")).to_be_visible()
    expect(page.get_by_test_id("sent-notification")).to_contain_text("staying with her grandmother")
    check_accessibility(page, "mash-10-school")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Acknowledged")
    _sign_out(page)

    _sign_in(page, url, world.users["sergeant"].get_username())
    page.goto(f"{url}/mash/encompass/")
    expect(page.get_by_test_id("encompass-sent")).to_contain_text("Acknowledged")
    check_accessibility(page, "mash-11-acknowledged")
    assert errors == []
