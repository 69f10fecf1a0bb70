"""Browser journey on Debian's Chromium: sign in, find a child by a misspelt name, read the
person page (chronology and network), open an event, open a task from My work and resolve it
(refused empty, refused for blaming language, then accepted), blank the screen; axe-core finds no
serious or critical accessibility violation on any page. Screenshots go to
test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.lib.clock import FixedClock
from safetynet.work.services import sweep, sync_tasks
from tests.web.findings import NOW, make_finding
from tests.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def check_accessibility(page: Page, name: str) -> None:
    """Screenshot the page, then run axe-core (served as a static file, so a strict CSP allows
    it) and fail on any serious or critical violation, naming the rule and the elements."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
    )
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"axe on {name}: {serious}"


def test_officer_finds_a_child_by_a_misspelt_name_and_reads_the_whole_picture(live_server: Any, page: Page) -> None:
    world: World = build_world()
    make_finding(
        world.child,
        "X1",
        "critical",
        "Found with an adult at a hotel; no strategy discussion held",
        owner_role="sergeant",
        due_in_hours=-2,
    )
    make_finding(
        world.child,
        "H1",
        "high",
        "A red MASH referral has not been triaged",
        owner_role="mash_officer",
        due_in_hours=-3,
    )
    sync_tasks(clock=FixedClock(NOW))
    # Swept 2.5 hours ago: the triage went to the sergeant, who has had two hours and is late too.
    sweep(clock=FixedClock(NOW - dt.timedelta(hours=2, minutes=30)))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page, "01-sign-in-error")
    page.get_by_label("Username").fill(world.officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_contain_text("Sam Sergeant")

    page.goto(f"{live_server.url}/search/")
    page.get_by_label("Name").fill("Kaylee Testpersen")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 person found")
    check_accessibility(page, "02-search-results")

    page.get_by_role("link", name="Kayleigh").first.click()
    expect(page.get_by_test_id("person-name")).to_be_visible()
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text("Missing report")
    expect(page.get_by_test_id("network")).to_have_attribute("data-sn-network-ready", "ready")
    check_accessibility(page, "03-person")

    # Older events arrive through htmx without leaving the page; the address follows (Back keeps it).
    page.evaluate("window.snSamePage = true")
    page.get_by_role("link", name="Older events").click()
    expect(page.locator("#chronology")).to_contain_text("page 2 of 2")
    assert page.url.endswith(f"/people/{world.child.pk}/?page=2#chronology")
    assert page.evaluate("window.snSamePage === true")
    page.get_by_text("Filter the chronology").click()
    page.get_by_label("Incident").check(force=True)  # GOV.UK draws its own box over the input
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#chronology")).to_contain_text("1 event, newest first")
    check_accessibility(page, "04-person-chronology-filtered")

    page.get_by_test_id("chronology").get_by_role("link", name="Incident").click()
    expect(page.get_by_test_id("participants")).to_contain_text("Darren Madeup")
    check_accessibility(page, "05-event")

    page.get_by_role("link", name="My work").click()
    expect(page.get_by_test_id("my-work")).to_contain_text("Overdue")
    expect(page.get_by_test_id("my-work")).to_contain_text("Escalated to sergeant")
    check_accessibility(page, "06-my-work")
    # The filters swap the list through htmx, and the address follows.
    page.get_by_test_id("show-mine").click()
    expect(page.get_by_test_id("my-work")).to_contain_text("Nothing to do")
    assert page.url.endswith("/work/?show=mine")
    page.get_by_test_id("show-overdue").click()
    expect(page.get_by_role("status")).to_contain_text("2 tasks.")
    page.get_by_role("link", name="Found with an adult at a hotel").click()
    expect(page.get_by_test_id("task-reason")).to_contain_text("no strategy discussion held")
    expect(page.get_by_test_id("task-history")).to_contain_text("Created")
    check_accessibility(page, "07-task")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a rationale for resolving this")
    check_accessibility(page, "08-task-resolve-empty")
    page.get_by_label("Rationale").fill("She is a regular missing person")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write instead:")
    expect(page.get_by_test_id("language-check")).to_contain_text("regular missing person")
    expect(page.get_by_label("Rationale")).to_have_value("She is a regular missing person")
    check_accessibility(page, "09-task-resolve-refused")
    page.get_by_label("Rationale").fill("Strategy discussion held today; safety plan agreed with the carer.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Resolved. Your rationale is recorded")).to_be_visible()
    expect(page.get_by_test_id("my-work")).not_to_contain_text("Found with an adult")
    check_accessibility(page, "10-my-work-done")

    # A sergeant supervises: the oversight screen counts late and escalated work.
    page.get_by_role("link", name="Oversight").click()
    expect(page.get_by_test_id("oversight-counts")).to_contain_text("overdue now")
    expect(page.get_by_test_id("oversight")).to_contain_text("A red MASH referral has not been triaged")
    expect(page.get_by_test_id("oversight")).to_contain_text("Escalated to sergeant")
    check_accessibility(page, "11-oversight")

    page.get_by_role("button", name="Blank screen").click()
    expect(page.locator("#sn-page")).to_be_hidden()
    page.keyboard.press("Alt+Shift+B")
    expect(page.locator("#sn-page")).to_be_visible()
    assert errors == []
