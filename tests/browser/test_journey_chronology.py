"""Browser journey on Debian's Chromium (#24, a chronology that reads): a sergeant filters the
chronology of a child with 159 missing episodes to missing reports in place, pages to the
second page, opens an event whose text uses blaming language (marked, with the reason and the
suggested wording), goes Back and is on the same filtered page; then opens the print view of
the whole filtered chronology, marked OFFICIAL-SENSITIVE and without navigation. axe-core finds
no serious or critical violation on any page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from safetynet.audit.models import Action, AuditEntry
from safetynet.records.models import Event
from tests.web.test_browser import SCREENSHOTS, check_accessibility
from tests.world import PASSWORD, build_world, many_missing_episodes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sergeant_filters_the_chronology_goes_back_to_the_same_page_and_prints_it_all(
    live_server: Any, page: Page
) -> None:
    world = build_world()
    many_missing_episodes()
    blaming = Event.objects.get(source="mispers", source_id="EP140")  # on the second page of missing reports
    blaming.summary = "Regularly goes missing; she is streetwise and will always return."
    blaming.save()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(world.officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_be_visible()
    person_url = f"{live_server.url}/people/{world.child.pk}/"
    page.goto(person_url)
    expect(page.locator(".sn-results-count")).to_contain_text("events, newest first (page 1 of")

    # Filter in place: the address bar takes the filter, so Back and a bookmark keep it.
    filters = page.get_by_test_id("chronology-filters")
    filters.locator("summary").click()
    filters.get_by_label("Missing report").check(force=True)  # GOV.UK draws its own box over the input
    filters.get_by_label("Police", exact=True).check(force=True)
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".sn-results-count")).to_contain_text("159 events, newest first (page 1 of 7)")
    expect(page).to_have_url(re.compile(r"\?type=missing_report&agency=police#chronology$"))
    first = page.get_by_test_id("chronology-entry").first
    expect(first).to_contain_text("by Police (mispers)")
    expect(first).to_contain_text("20 February 2026 at 21:00")
    expect(first).to_contain_text("Missing person: Kayley Testperson")
    check_accessibility(page, "chronology-01-filtered")

    page.get_by_test_id("chronology-pages").get_by_role("link", name="Page 2", exact=True).click()
    expect(page.locator(".sn-results-count")).to_contain_text("(page 2 of 7)")
    expect(page).to_have_url(re.compile(r"\?type=missing_report&agency=police&page=2#chronology$"))
    entry = page.get_by_test_id("chronology-entry").filter(has=page.get_by_test_id("language-mark")).first
    expect(entry.get_by_test_id("language-mark")).to_have_count(3)
    entry.get_by_text("Language to avoid in this record (3)").click()
    expect(entry.get_by_test_id("language-note").first).to_contain_text("Suggested wording:")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    entry.screenshot(path=str(SCREENSHOTS / "chronology-02-language-marks.png"))

    # The record page marks the same phrases; Back returns to the same filtered page.
    entry.get_by_role("link", name="Missing report").click()
    expect(page.get_by_role("heading", name="Missing report", level=1)).to_be_visible()
    expect(page.get_by_test_id("event-summary-text").get_by_test_id("language-mark")).to_have_count(3)
    expect(page.get_by_test_id("language-notes")).to_contain_text("Frequency of going missing is a sign of risk")
    check_accessibility(page, "chronology-03-event-marked")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?type=missing_report&agency=police&page=2#chronology$"))
    expect(page.locator(".sn-results-count")).to_contain_text("159 events, newest first (page 2 of 7)")
    expect(page.get_by_label("Missing report")).to_be_checked()

    # The print view: every event of the filtered chronology, marked, no navigation.
    before = AuditEntry.objects.filter(action=Action.EXPORT).count()
    page.get_by_test_id("chronology-print").click()
    expect(page.get_by_test_id("print-marking")).to_contain_text("OFFICIAL-SENSITIVE")
    expect(page.get_by_test_id("print-count")).to_contain_text("159 events (missing report recorded by Police)")
    expect(page.get_by_test_id("chronology-entry")).to_have_count(159)
    expect(page.locator(".govuk-service-navigation")).to_have_count(0)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    check_accessibility(page, "chronology-04-print-view")
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == before + 1
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_test_id("print-back")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "chronology-05-print-media.png"))
    page.emulate_media(media="screen")
    page.get_by_test_id("print-back").click()
    expect(page.locator(".sn-results-count")).to_contain_text("159 events, newest first (page 1 of 7)")
    assert errors == []
