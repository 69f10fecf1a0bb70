"""Browser journey on Debian's Chromium: a sergeant raises a partnership escalation from a task
(refused without an agency, then raised to children's social care); the social worker sees a
notification in the header, opens it and answers as the other agency; the sergeant is notified
of the answer. axe-core finds no serious or critical accessibility violation on any page.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.lib.clock import FixedClock
from safetynet.work.models import PartnershipEscalation
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, build_access_world, open_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "A strategy discussion is needed today: social care has not attended the last two."
ANSWER = "A social worker will attend the strategy discussion tomorrow at 10:00."


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()


def test_an_escalation_raised_from_a_task_is_answered_by_the_other_agency_and_notified(
    live_server: Any, page: Page, clock: FixedClock
) -> None:
    world = build_access_world()
    task = open_task(world.pupil, clause="X1", owner_role="sergeant", at=clock.now())
    sergeant, social_worker = world.users["sergeant"], world.users["partner_social_worker"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    _sign_in(page, live_server.url, sergeant.get_username())
    page.goto(f"{live_server.url}/work/tasks/{task.pk}/")
    page.get_by_test_id("raise-escalation").click()
    expect(page.get_by_role("heading", name="Raise an escalation")).to_be_visible()
    page.get_by_role("button", name="Raise the escalation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the agency that must answer the escalation")
    check_accessibility(page, "escalations-01-raise-refused")
    page.get_by_label("Children's social care").check(force=True)  # GOV.UK draws its own radio over the input
    page.get_by_label("What are you asking them to do, and why?").fill(REASON)
    page.get_by_role("button", name="Raise the escalation").click()
    expect(page.get_by_text("Escalation raised.")).to_be_visible()
    expect(page.get_by_test_id("escalation-reason")).to_have_text(REASON)
    expect(page.get_by_test_id("escalation-level")).to_contain_text("Level 1: practitioner")
    check_accessibility(page, "escalations-02-raised")
    page.get_by_role("link", name="Escalations").first.click()
    expect(page.get_by_test_id("escalations")).to_contain_text(REASON)
    check_accessibility(page, "escalations-03-list")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server.url, social_worker.get_username())
    expect(page.get_by_test_id("header-notifications")).to_contain_text("1 unread")
    page.get_by_test_id("header-notifications").click()
    expect(page.get_by_test_id("notifications")).to_contain_text("An escalation was raised to your agency")
    check_accessibility(page, "escalations-04-notifications")
    page.get_by_role("link", name="An escalation was raised to your agency").click()
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether your agency agrees")
    check_accessibility(page, "escalations-05-answer-refused")
    page.get_by_label("Agreed: the work will be done").check(force=True)
    page.get_by_label("What will your agency do, or why not?").fill(ANSWER)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_test_id("escalation-status")).to_contain_text("Answered")
    expect(page.get_by_test_id("escalation-answer")).to_contain_text(ANSWER)
    check_accessibility(page, "escalations-06-answered")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server.url, sergeant.get_username())
    expect(page.get_by_test_id("header-notifications")).to_contain_text("1 unread")
    page.get_by_test_id("header-notifications").click()
    expect(page.get_by_test_id("notifications")).to_contain_text("An escalation you raised was answered")
    expect(page.get_by_test_id("header-notifications")).not_to_contain_text("unread")
    assert PartnershipEscalation.objects.get().status == "answered"
    assert errors == []
