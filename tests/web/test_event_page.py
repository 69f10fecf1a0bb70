"""Event pages: details by type, and who took part."""

from __future__ import annotations

from django.test import Client

from safetynet.reads.details import detail_rows
from tests.world import World


def test_missing_report_page_shows_its_details_participants_and_place(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/events/{world.missing_event.pk}/").content.decode()
    assert '<h1 class="govuk-heading-xl">Missing report</h1>' in html
    assert "Missing from" in html and "Initial risk" in html and "Known to go to the hotel" in html
    assert "Risk reviews" in html and "By: Insp Invented" in html
    assert "1 Invented Road, Testtown, TT1 1AA" in html
    assert f'href="/people/{world.child.pk}/"' in html and "Missing person" in html


def test_incident_page_links_every_participant_and_linked_events(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/events/{world.incident.pk}/").content.decode()
    assert "THRIVE assessment" in html and "Threat: high" in html
    assert f'href="/people/{world.adult.pk}/"' in html and "Suspect" in html
    assert f'href="/events/{world.missing_event.pk}/"' in html


def test_details_keep_fields_the_type_does_not_know_and_say_yes_or_no() -> None:
    rows = detail_rows("crime", {"status": "charged", "sexual_offence": False, "force_note": "x"})
    assert [(r.label, r.lines) for r in rows] == [
        ("Sexual offence", ["No"]),
        ("Status", ["charged"]),
        ("Force note", ["x"]),
    ]
