"""Browser journey on Debian's Chromium: a sergeant works a long queue. My work shows 50 tasks a
page with tab counts that agree with the rows; the sergeant pages on and comes Back to the same
place, filters by severity and due (the filters stay in the address), sorts by clause with a
header link, then ticks two tasks with the keyboard and assigns them at once to a colleague, the
filters kept. Escalated tasks still count as overdue on the oversight screen. axe-core finds no serious or critical
violation on any page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, ensure_agencies
from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sweep, sync_tasks
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, build_access_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEVERITIES = ("critical", "high", "medium", "low")
CLAUSES = ("M2", "M4", "X1", "M6", "H1")


def _queue(world: Any, now: dt.datetime) -> None:
    """70 sergeant tasks about the world's two police-known children (severities, clauses and
    deadlines in turn: some long late, so the sweep escalates them first)."""
    for i in range(72):
        Finding.objects.create(
            fingerprint=f"journey-{i}",
            individual=world.pupil if i % 2 else world.police_only,
            clause=CLAUSES[i % 5],
            severity=SEVERITIES[i % 4],
            reason=f"Invented queue task {i:02d}: a review is due",
            cites=[],
            owner_role="sergeant",
            due_by=now + dt.timedelta(hours=(i % 6) * 3 - (30 if i < 2 else 2)),
            policy_version="test",
            raised_at=now - dt.timedelta(days=2),
            evaluated_at=now,
        )
    sync_tasks(clock=FixedClock(now - dt.timedelta(hours=10)))
    sweep(clock=FixedClock(now - dt.timedelta(hours=20)))  # the two long-late tasks go to the inspector


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()


def _tab(page: Page, name: str) -> int:
    text = page.get_by_test_id(f"show-{name}").inner_text()
    found = re.search(r"\((\d+)\)", text)
    assert found is not None, text
    return int(found.group(1))


def test_a_sergeant_filters_pages_sorts_and_assigns_several_tasks_at_once(
    live_server: Any, page: Page, clock: FixedClock
) -> None:
    world = build_access_world()
    team = create_team(
        acting_user=None, agency=ensure_agencies(acting_user=None)["police"], code="east", name="East response"
    )
    sergeant, colleague = world.users["sergeant"], world.users["mash_officer"]
    UserProfile.objects.filter(user__in=[sergeant, colleague]).update(team=team)
    colleague.first_name, colleague.last_name = "Morgan", "Mashofficer"
    colleague.save()
    _queue(world, clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server.url, sergeant.get_username())

    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_test_id("work-count")).to_contain_text("Showing 1 to 50 of 70 tasks.")
    assert _tab(page, "all") == 70 and _tab(page, "mine") + _tab(page, "team") + _tab(page, "role") == 70
    expect(page.get_by_test_id("task-row")).to_have_count(50)
    check_accessibility(page, "queue-01-my-work")

    # Page on, then Back to the first page.
    page.get_by_test_id("work-pages").get_by_role("link", name="Next").click()
    expect(page.get_by_test_id("work-count")).to_contain_text("Showing 51 to 70 of 70 tasks.")
    assert page.url.endswith("/work/?page=2")
    page.go_back()
    expect(page.get_by_test_id("work-count")).to_contain_text("Showing 1 to 50 of 70 tasks.")

    # Filters: severity and due, in the address.
    filters = page.get_by_test_id("filter-form")
    filters.get_by_label("Critical", exact=True).check(force=True)  # GOV.UK draws its own box over the input
    filters.get_by_label("High", exact=True).check(force=True)
    filters.get_by_label("Due later", exact=True).check(force=True)
    filters.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_test_id("work-count")).to_contain_text("matching the filters")
    assert "severity=critical" in page.url and "severity=high" in page.url and "due=later" in page.url
    shown = page.get_by_test_id("task-row")
    count = shown.count()
    assert 0 < count == _tab(page, "all")
    for i in range(count):
        assert re.search(r"Critical|High", shown.nth(i).inner_text())
    check_accessibility(page, "queue-02-filtered")

    # Sort by clause with the header's link (no script needed); the filters stay.
    page.get_by_test_id("sort-clause").click()
    assert "sort=clause" in page.url and "severity=critical" in page.url
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Clause")
    clauses = [shown.nth(i).locator("td").nth(4).inner_text()[:2] for i in range(count)]
    assert clauses == sorted(clauses)

    # Tick two tasks with the keyboard, choose a colleague, assign both at once.
    first, second = (int(shown.nth(i).get_attribute("data-task") or 0) for i in (0, 1))
    for task_id in (first, second):
        page.locator(f"#select-task-{task_id}").focus()
        page.keyboard.press("Space")
    expect(page.locator(f"#select-task-{first}")).to_be_checked()
    page.get_by_label("Assign to a person").select_option(label="Morgan Mashofficer")
    page.get_by_role("button", name="Assign selected tasks").click()
    expect(page.get_by_text("Assigned 2 tasks to Morgan Mashofficer.")).to_be_visible()
    assert "severity=critical" in page.url and "sort=clause" in page.url  # back where they were
    assert set(Task.objects.filter(pk__in=[first, second]).values_list("assignee_id", flat=True)) == {colleague.pk}
    page.get_by_test_id("clear-filters").click()
    expect(page.get_by_test_id("show-team")).to_contain_text("My team (2)")
    check_accessibility(page, "queue-03-assigned")

    # The two escalated tasks are the inspector's now; their first deadline passed, so the
    # sergeant's oversight counts them overdue with the sergeant's own late work.
    page.get_by_role("link", name="See your team's late and escalated work").click()
    expect(page.get_by_test_id("oversight")).to_contain_text("Escalated to inspector")
    late = Task.objects.filter(state="open").overdue(clock.now()).count()
    expect(page.get_by_test_id("oversight-counts")).to_contain_text(f"{late}overdue now")
    check_accessibility(page, "queue-04-oversight")
    assert errors == []
