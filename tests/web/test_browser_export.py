"""Browser check of the exports (#17): a sergeant sees "Download as PDF" on a person page and
"Download this list as CSV" on My work; the PDF downloads marked OFFICIAL-SENSITIVE; the pages
with the links stay axe-core clean."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from safetynet.audit.models import Action, AuditEntry
from tests.web.test_browser import check_accessibility
from tests.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sergeant_downloads_the_person_page_as_a_marked_pdf(live_server: Any, page: Page) -> None:
    world: World = build_world()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(world.officer.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("header-user")).to_contain_text("Sam Sergeant")

    page.goto(f"{live_server.url}/people/{world.child.pk}/")
    link = page.get_by_test_id("person-pdf")
    expect(link).to_contain_text("Download as PDF")
    check_accessibility(page, "exports-01-person-page-with-download")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"person-{world.child.pk}.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    pages = [page_.extract_text() for page_ in PdfReader(io.BytesIO(body)).pages]
    assert all("OFFICIAL-SENSITIVE" in text and "Sam Sergeant" in " ".join(text.split()) for text in pages)
    exports = AuditEntry.objects.filter(action=Action.EXPORT)
    # The child, and the adult the chronology names by name (the incident's suspect).
    assert [e.individual_ids for e in exports] == [[world.child.pk, world.adult.pk]]

    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_test_id("my-work-csv")).to_contain_text("Download this list as CSV")
    check_accessibility(page, "exports-02-my-work-with-download")
