"""Browser check on Debian's Chromium (issue #22's Done-when): the network of an adult with 40
children and 300 events at 1280x800 draws at most 60 nodes, the least linked children grouped
("... more children seen once"), with the table of everyone beside it; a group expanded draws
them; axe-core finds no serious or critical violation. The screenshot at 1280 px is kept in
test-artifacts/screenshots/ (network-01-busy-adult-1280.png)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from safetynet.lib.clock import FixedClock
from tests.web.test_browser import SCREENSHOTS, check_accessibility
from tests.world import build_world, busy_adult, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_network_of_a_busy_adult_is_grouped_and_tabled(live_server: Any, page: Page, clock: FixedClock) -> None:
    world = build_world()
    busy = busy_adult(now=clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 800})
    client = sign_in(Client(), world.officer)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/people/{busy.adult.pk}/")
    page.get_by_test_id("network-page-link").click()
    expect(page.get_by_test_id("network-name")).to_contain_text("Ava Busyadult0")
    graph = page.get_by_test_id("network-graph")
    expect(graph).to_have_attribute("data-sn-network-ready", "ready", timeout=20_000)
    drawn = int(graph.get_attribute("data-nodes") or "0")
    assert 0 < drawn <= 60
    assert int(graph.get_attribute("data-groups") or "0") >= 1
    expect(page.get_by_test_id("network-groups")).to_contain_text("more children seen once")
    table = page.get_by_test_id("network-people")
    expect(table.locator("tbody tr")).to_have_count(52)
    expect(table).to_contain_text("Adult in a boyfriend, girlfriend or partner relationship with a child")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "network-01-busy-adult-1280.png"), full_page=False)
    check_accessibility(page, "network-02-busy-adult-page")
    # Filters in the address: crimes only in the last three months, then a group drawn in full.
    page.get_by_test_id("network-filters").locator("summary", has_text="Event types").click()
    page.get_by_label("Crime", exact=True).check()
    page.get_by_label("From").fill((clock.now().date() - dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Show the network").click()
    expect(page).to_have_url(f"{live_server.url}/people/{busy.adult.pk}/network/?" + page.url.split("?", 1)[1])
    assert "event_types=crime" in page.url
    expect(page.get_by_test_id("network-summary")).to_contain_text("between")
    page.goto(f"{live_server.url}/people/{busy.adult.pk}/network/?expand=children")
    graph = page.get_by_test_id("network-graph")
    expect(graph).to_have_attribute("data-sn-network-ready", "ready", timeout=20_000)
    expect(page.get_by_test_id("network-groups")).not_to_contain_text("children")
    check_accessibility(page, "network-03-children-expanded")
    assert errors == []
