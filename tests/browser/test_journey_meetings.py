"""Browser journey on Debian's Chromium through the meetings workspace: the public protection
officer calls a MARAC from the victim's page and its agenda lists the perpetrator's child from a
previous relationship; the meeting is recorded and an action given to the social worker, which
appears in her queue, escalates when overdue, is escalated to social care from the meeting (she
is notified and answers) and is completed with an outcome; a MACE agenda includes a child named
in emerging intelligence; the minutes PDF carries the marking and is in the access log. axe-core
finds no serious or critical violation on any page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from safetynet.audit.models import Action, AuditEntry
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.work.models import PartnershipEscalation, Task
from safetynet.work.services import sweep
from tests.meetings.conftest import OLD_CHILD, build_household, line
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, build_access_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTION = "Complete a safety plan with the child and his mother."
OUTCOME = "Safety plan completed with the child and his mother on Tuesday."
REASON = "The safety plan agreed at MARAC is overdue; please confirm the date it will be done."
ANSWER = "The allocated social worker will complete it by Friday and send it to the chair."


@pytest.fixture
def household(clock: FixedClock) -> Any:
    world = build_access_world()
    return world, build_household(clock)


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _call_marac(page: Page, url: str, ids: dict[str, int], clock: FixedClock) -> int:
    page.goto(f"{url}/people/{ids['victim']}/")
    page.get_by_test_id("call-marac").click()
    expect(page.get_by_role("heading", name="Schedule a meeting")).to_be_visible()
    page.get_by_label("Date").fill((clock.now().date()).isoformat())
    page.get_by_label("Time").fill("11:00")
    page.get_by_label("Piers Inventedfamily", exact=False).check(force=True)
    check_accessibility(page, "meetings-01-schedule")
    page.get_by_role("button", name="Schedule and build the agenda").click()
    expect(page.get_by_text("Meeting scheduled.")).to_be_visible()
    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Child of the perpetrator (any household)")
    expect(agenda).to_contain_text("Olly Inventedfamily")
    expect(agenda).to_contain_text("Repeat MARAC")
    check_accessibility(page, "meetings-02-marac-agenda")
    return Event.live.get(source="safetynet", details__meeting_type="marac").pk


def _record_and_act(page: Page, url: str, meeting: int, world: Any, clock: FixedClock) -> None:
    page.get_by_test_id("record-held").click()
    page.get_by_label("Date held").fill(clock.now().date().isoformat())
    page.get_by_label("Time").fill("08:00")
    page.get_by_label("Who attended").fill(
        "Invented Chair, police\nInvented Officer, probation\nInvented Advocate, IDVA"
    )
    page.get_by_label("Information shared").fill("housing: Tenancy is in the victim's name.")
    page.get_by_label("Decisions").fill("Safety planning for both children.")
    page.get_by_label("Outcome").fill("Safety plans agreed for both children; review in four weeks.")
    page.get_by_role("button", name="Record as held").click()
    expect(page.get_by_text("Recorded as held.")).to_be_visible()
    expect(page.get_by_test_id("agencies-present")).to_contain_text("probation")
    # Each change is a new version recorded at the clock's time: the frozen clock moves on a minute.
    clock.advance(minutes=1)
    # An action without an owner is refused, keeping what was typed.
    form = page.get_by_test_id("action-form")
    form.get_by_label("What must be done").fill(ACTION)
    form.get_by_label("Olly Inventedfamily", exact=False).check(force=True)
    form.get_by_label("Due date").fill(clock.now().date().isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the action's owner")
    check_accessibility(page, "meetings-03-action-refused")
    worker = world.users["partner_social_worker"].get_username()
    form = page.get_by_test_id("action-form")
    expect(form.get_by_label("What must be done")).to_have_value(ACTION)
    option = form.locator("select[name=owner] option", has_text=worker).first.get_attribute("value")
    form.get_by_label("Owner").select_option(option)
    form.get_by_label("Olly Inventedfamily", exact=False).check(force=True)
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Action added.")).to_be_visible()
    expect(page.get_by_test_id("actions")).to_contain_text(ACTION)
    check_accessibility(page, "meetings-04-held-with-action")


def test_a_marac_action_reaches_social_care_escalates_and_is_done_and_a_mace_lists_emerging_intelligence(
    live_server: Any, page: Page, clock: FixedClock, household: Any
) -> None:
    world, ids = household
    url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    ppo, worker = world.users["public_protection_officer"], world.users["partner_social_worker"]

    _sign_in(page, url, ppo.get_username())
    meeting = _call_marac(page, url, ids, clock)
    clock.advance(hours=3)  # 12:00: the meeting at 11:00 has been held
    _record_and_act(page, url, meeting, world, clock)
    task = Task.objects.get(clause="X7", individual_id=ids["old"])
    assert task.assignee_id == worker.pk
    with page.expect_download() as download:
        page.get_by_test_id("minutes-pdf").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert all("OFFICIAL-SENSITIVE" in p.extract_text() for p in pdf.pages)
    assert AuditEntry.objects.filter(action=Action.EXPORT, object_type="meeting", object_ids=[str(meeting)]).exists()
    _sign_out(page)

    _sign_in(page, url, worker.get_username())
    expect(page.get_by_test_id("my-work")).to_contain_text("An action from a MARAC")
    check_accessibility(page, "meetings-05-social-worker-queue")
    _sign_out(page)

    clock.advance(days=2)  # due at the end of the meeting's day: now overdue
    sweep(clock=clock)
    task.refresh_from_db()
    assert task.is_overdue(clock.now()) and task.escalation_exhausted

    _sign_in(page, url, ppo.get_username())
    page.goto(f"{url}/meetings/{meeting}/")
    expect(page.get_by_test_id("actions")).to_contain_text("Overdue")
    page.get_by_test_id("escalate-A1").click()
    page.get_by_label("Children's social care").check(force=True)
    page.get_by_label("What are you asking them to do, and why?").fill(REASON)
    page.get_by_role("button", name="Raise the escalation").click()
    expect(page.get_by_text("Escalation raised.")).to_be_visible()
    check_accessibility(page, "meetings-06-escalated")
    _sign_out(page)

    _sign_in(page, url, worker.get_username())
    expect(page.get_by_test_id("header-notifications")).to_contain_text("unread")
    page.get_by_test_id("header-notifications").click()
    page.get_by_role("link", name="An escalation was raised to your agency").click()
    page.get_by_label("Agreed: the work will be done").check(force=True)
    page.get_by_label("What will your agency do, or why not?").fill(ANSWER)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_test_id("escalation-status")).to_contain_text("Answered")
    page.goto(f"{url}/meetings/{meeting}/")
    page.get_by_test_id("complete-A1").click()
    page.get_by_label("What was done, and its outcome").fill(OUTCOME)
    check_accessibility(page, "meetings-07-complete")
    page.get_by_role("button", name="Record as done").click()
    expect(page.get_by_test_id("actions")).to_contain_text("Done")
    task.refresh_from_db()
    assert task.state == "closed"
    assert PartnershipEscalation.objects.get().raised_from == "meeting_action"
    _sign_out(page)

    capture(
        [
            line(
                "event",
                "rms",
                "MI1",
                event_type="intelligence",
                occurred_at=clock.now().isoformat(),
                participants=[{"person": {"source": OLD_CHILD[0], "id": OLD_CHILD[1]}, "role": "subject"}],
                details={"grading": {"source": 3, "assessment": "E", "handling": "P"}, "text": "Seen in cars."},
            )
        ],
        door="cli",
        clock=clock,
    )
    _sign_in(page, url, ppo.get_username())
    page.get_by_role("link", name="Meetings").first.click()
    check_accessibility(page, "meetings-08-list")
    page.get_by_test_id("schedule-mace").click()
    page.get_by_label("Date").fill(clock.now().date().isoformat())
    page.get_by_label("Time").fill("16:00")
    page.get_by_role("button", name="Schedule and build the agenda").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("Emerging intelligence: not confirmed")
    expect(page.get_by_test_id("agenda")).to_contain_text("Olly Inventedfamily")
    check_accessibility(page, "meetings-09-mace-agenda")
    assert errors == []
