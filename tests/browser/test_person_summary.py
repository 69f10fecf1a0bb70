"""Browser check on Debian's Chromium: for a child with 159 missing episodes, the risk summary
(what matters now, markers, episodes, the last episode) is on screen without scrolling at
1280x800, the chart is drawn with its numbers behind a details toggle, and axe-core finds no
serious or critical violation. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.lib.clock import FixedClock
from safetynet.work.services import sync_tasks
from tests.web.findings import make_finding
from tests.web.test_browser import SCREENSHOTS, check_accessibility
from tests.world import PASSWORD, build_world, many_missing_episodes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLD = 800


def test_the_summary_of_a_child_with_159_episodes_is_above_the_fold(
    live_server: Any, page: Page, clock: FixedClock
) -> None:
    world = build_world()
    many_missing_episodes()
    make_finding(
        world.child,
        "M2",
        "critical",
        "No supervisor has reviewed the missing episode",
        owner_role="sergeant",
        due_in_hours=-2,
    )
    make_finding(
        world.child, "M4", "high", "A repeat missing child has no trigger plan", owner_role="sergeant", due_in_hours=20
    )
    make_finding(
        world.child,
        "X1",
        "high",
        "Four exploitation indicators and no screening",
        owner_role="sergeant",
        due_in_hours=6,
    )
    sync_tasks(clock=clock)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": FOLD})

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(world.officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()
    page.goto(f"{live_server.url}/people/{world.child.pk}/")

    expect(page.get_by_test_id("summary-now")).to_contain_text("No supervisor has reviewed the missing episode")
    expect(page.get_by_test_id("summary-episodes")).to_contain_text("159 ever")
    expect(page.get_by_test_id("summary-last-episode")).to_contain_text("20 February 2026")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "summary-01-above-the-fold-1280x800.png"))  # the viewport only
    for testid in ("summary-now", "summary-markers", "summary-episodes", "summary-last-episode"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box is not None and box["y"] + box["height"] <= FOLD, f"{testid} is below the fold: {box}"
    # The most severe clause comes first, and its reason opens the task.
    first = page.get_by_test_id("summary-clause").first
    expect(first).to_contain_text("Missing-episode supervision clocks")
    first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/work/tasks/" + page.url.rsplit("/tasks/", 1)[-1])
    page.go_back()

    expect(page.get_by_role("img", name="Last 24 months")).to_be_visible()
    page.get_by_test_id("summary-chart-numbers").locator("summary").click()
    expect(page.get_by_test_id("summary-chart-numbers")).to_contain_text("February 2026")
    check_accessibility(page, "summary-02-person-page")
    assert errors == []
