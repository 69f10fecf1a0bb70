"""The person page as a PDF (#17 Exports): the page's own template printed, OFFICIAL-SENSITIVE
at the top and bottom of every page with who exported it and when, page X of Y; one `export`
entry in the access log naming the child, written with the file; refused (403, logged as
denied) to a role without `export`; and never more than the viewer may see on the screen."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory
from pypdf import PdfReader

from safetynet.audit.models import Action, AuditEntry
from safetynet.exports.services import ExportRefused, export_pdf
from safetynet.risk.models import Finding
from tests.access.test_disclosure import FINDINGS, _raise_findings
from tests.world import HEALTH_TEXT, AccessWorld, World


def _pages(response: bytes) -> list[str]:
    assert response.startswith(b"%PDF-")
    # Whitespace normalised: a margin box wraps a long line where its width ends.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response)).pages]


def test_an_officer_downloads_the_person_page_as_a_pdf_marked_on_every_page(
    officer_client: Client, world: World
) -> None:
    response = officer_client.get(f"/people/{world.child.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="person-{world.child.pk}.pdf"'
    pages = _pages(response.content)
    assert len(pages) >= 2  # the chronology's 25 events run over the first page
    for number, text in enumerate(pages, 1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking top and bottom"
        assert "Exported by Sam Sergeant (Sergeant) on 02 Mar 2026" in text
        assert f"Page {number} of {len(pages)}" in text
    whole = "\n".join(pages)
    assert "Kayleigh Testperson" in whole and "Markers, orders and plans" in whole
    assert "Filter the chronology" not in whole and "Download as PDF" not in whole


def test_the_export_is_one_access_log_entry_naming_the_child(officer_client: Client, world: World) -> None:
    before = AuditEntry.objects.count()
    officer_client.get(f"/people/{world.child.pk}/export.pdf")
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    exports = [e for e in entries if e.action == Action.EXPORT]
    assert len(exports) == 1
    entry = exports[0]
    assert entry.actor_username == world.officer.get_username() and entry.actor_role == "sergeant"
    assert entry.object_type == "individual" and entry.object_ids == [str(world.child.pk)]
    assert world.child.pk in entry.individual_ids and "pdf" in entry.fields
    assert not [e for e in entries if e.action == Action.VIEW and world.child.pk in e.individual_ids]


def test_the_pdf_holds_the_whole_chronology_as_filtered_on_screen(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/?page=2").content.decode()
    assert f'href="/people/{world.child.pk}/export.pdf"' in html and "Download as PDF" in html
    pdf = "\n".join(_pages(officer_client.get(f"/people/{world.child.pk}/export.pdf?page=2").content))
    assert f"{world.event_count} events, newest first." in pdf
    assert "Referral number 0" in pdf and "Referral number 29" in pdf  # both screen pages in one copy
    filtered = officer_client.get(f"/people/{world.child.pk}/?type=incident&date_from=2025-12-21").content.decode()
    assert 'export.pdf?type=incident&amp;date_from=2025-12-21"' in filtered
    pdf = "\n".join(
        _pages(officer_client.get(f"/people/{world.child.pk}/export.pdf?type=incident&date_from=2025-12-21").content)
    )
    assert "1 event (incident from 21 Dec 2025), newest first." in pdf
    assert "Referral number" not in pdf


def test_a_filter_the_screen_refused_is_refused_for_the_pdf_too(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/?date_from=not-a-date").content.decode()
    assert "Enter the from date as a real date" in html and "Download as PDF" not in html
    response = officer_client.get(f"/people/{world.child.pk}/export.pdf?date_from=not-a-date")
    assert response.status_code == 400
    assert response.content.decode() == "date_from: Enter the from date as a real date, like 2025-03-27\n"
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_person_page_offers_no_download_to_a_role_without_export(
    client_for: Callable[[str], Client], access_world: AccessWorld
) -> None:
    assert "Download as PDF" in client_for("mash_officer").get(f"/people/{access_world.pupil.pk}/").content.decode()
    partner = client_for("partner_social_worker").get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "Download as PDF" not in partner and "export.pdf" not in partner


@pytest.mark.parametrize("role", ["partner_social_worker", "call_handler", "custody_officer"])
def test_a_role_without_export_is_refused_and_the_refusal_is_logged(
    role: str, access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    client = client_for(role)
    before = AuditEntry.objects.count()
    response = client.get(f"/people/{access_world.pupil.pk}/export.pdf")
    assert response.status_code == 403
    new = list(AuditEntry.objects.filter(seq__gt=before))
    assert [e.action for e in new] == [Action.DENIED]
    assert new[0].outcome == "denied" and new[0].individual_ids == [access_world.pupil.pk]
    api = client.get(f"/api/v1/individuals/{access_world.pupil.pk}/export.pdf")
    assert api.status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_helper_itself_refuses_a_role_without_export(access_world: AccessWorld) -> None:
    """A screen that forgot the matrix line would still not export: the helper checks too."""
    request = RequestFactory().get("/anything")
    request.user = access_world.users["partner_health"]
    with pytest.raises(ExportRefused):
        export_pdf(
            request,
            "web/person.html",
            {},
            title="Person record",
            individual_ids=[access_world.pupil.pk],
            object_type="individual",
            object_ids=[access_world.pupil.pk],
            filename="x",
        )
    denied = AuditEntry.objects.get(action=Action.DENIED)
    assert denied.individual_ids == [access_world.pupil.pk] and denied.fields == ["export"]
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_pdf_holds_nothing_the_viewer_may_not_see(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    """The sergeant may export but has no view_health_details: the self-harm finding, the health
    record and the health marker are withheld from the PDF exactly as from the page."""
    made: dict[str, Finding] = _raise_findings(access_world.pupil)
    assert made
    response = client_for("sergeant").get(f"/people/{access_world.pupil.pk}/export.pdf")
    whole = "\n".join(_pages(response.content))
    for clause in ("D1", "X1", "X3", "C1"):
        assert FINDINGS[clause][1] in whole
    assert FINDINGS["H1"][1] not in whole
    assert HEALTH_TEXT[:30] not in whole
    assert "Mental health" not in whole
    mash = "\n".join(_pages(client_for("mash_officer").get(f"/people/{access_world.pupil.pk}/export.pdf").content))
    assert FINDINGS["H1"][1] in mash  # the same export shows it to a role that may read it


def test_the_api_exports_the_same_pdf(access_world: AccessWorld, client_for: Callable[[str], Client]) -> None:
    response = client_for("mash_officer").get(f"/api/v1/individuals/{access_world.pupil.pk}/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    assert all("OFFICIAL-SENSITIVE" in text for text in pages)
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert access_world.pupil.pk in entry.individual_ids
    hidden = client_for("mash_officer").get(f"/api/v1/individuals/{access_world.restricted.pk}/export.pdf")
    assert hidden.status_code == 404
    bad = client_for("mash_officer").get(f"/api/v1/individuals/{access_world.pupil.pk}/export.pdf?date_from=nope")
    assert bad.status_code == 422 and "date_from" in bad.content.decode()
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 1


def test_a_pdf_that_fails_to_render_leaves_no_export_entry(
    access_world: AccessWorld, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(html: str) -> bytes:
        raise OSError("Pango could not be loaded")

    monkeypatch.setattr("safetynet.exports.services.html_to_pdf", broken)
    client = client_for("mash_officer")
    client.raise_request_exception = False
    assert client.get(f"/people/{access_world.pupil.pk}/export.pdf").status_code == 500
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
