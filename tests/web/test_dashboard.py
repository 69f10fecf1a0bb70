"""The dashboard: counts only, for analysts and auditors."""

from __future__ import annotations

from django.test import Client

from tests.world import SCRIPT_NAME, World


def test_dashboard_counts_people_recent_events_and_markers_without_names(officer_client: Client, world: World) -> None:
    html = officer_client.get("/dashboard/").content.decode()
    assert '<p class="govuk-heading-xl govuk-!-margin-bottom-1" data-testid="people-count">3</p>' in html
    assert "CSE risk" in html
    assert "Kayleigh" not in html and SCRIPT_NAME not in html and "&lt;script" not in html
