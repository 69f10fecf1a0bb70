"""Browser journey for the auditor: sign in with a second factor, land on the access log, filter
it, ask who has looked at a child, check the chain; axe-core finds no serious or critical
accessibility violation on any of the audit screens."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Page, expect

from safetynet.accounts.services import create_user_with_role
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_reads_the_access_log_who_looked_at_a_child_and_the_chain(live_server: Any, page: Page) -> None:
    world: World = build_world()
    auditor = create_user_with_role(acting_user=None, username="aud.invented", password=PASSWORD, role="auditor")
    device = StaticDevice.objects.create(user=auditor, name="backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="12345678")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    # Someone looks at the child first, so the log has something to show.
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(world.officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/people/{world.child.pk}/")
    expect(page.get_by_test_id("person-name")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("aud.invented")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill("12345678")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Access log", exact=True)).to_be_visible()
    assert page.url.endswith("/audit/")
    expect(page.get_by_test_id("audit-entries")).to_contain_text("sgt.invented")
    check_accessibility(page, "20-audit-log")

    page.get_by_text("Filter the access log").click()
    page.get_by_label("Who").fill("sgt.invented")
    page.get_by_label("Action").select_option("view")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("audit-count")).to_contain_text("match these filters")
    expect(page.get_by_test_id("audit-entries")).not_to_contain_text("aud.invented")
    check_accessibility(page, "21-audit-log-filtered")
    page.get_by_label("Child").fill("no-such-thing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page, "22-audit-log-error")

    page.get_by_role("link", name="Who has looked at a child").click()
    page.get_by_label("Child").fill(str(world.child.pk))
    page.get_by_role("button", name="Show who has looked").click()
    expect(page.get_by_test_id("audit-count")).to_contain_text(f"for {world.child.pk}")
    expect(page.get_by_test_id("audit-entries")).to_contain_text("sgt.invented")
    check_accessibility(page, "23-audit-person")

    page.get_by_role("link", name="Chain status").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")
    check_accessibility(page, "24-audit-chain")
    assert errors == []
