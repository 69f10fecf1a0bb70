"""A chronology that reads (#24): each entry in words, with names (by the access rules), places,
the agency whose system recorded it and dates in the GOV.UK style; filters by type, agency and
period in the query string (Back keeps them); numbered pages; and a print view of every event,
marked OFFICIAL-SENSITIVE, without navigation, refused to roles without `export` and written to
the access log as an export."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client

from safetynet.accounts.services import create_user_with_role
from safetynet.audit.models import Action, AuditEntry
from safetynet.identity.models import Individual, Membership
from safetynet.records.models import Event, Participation, Person
from tests.world import PASSWORD, RECORDED, World, sign_in


def _entries(html: str) -> list[str]:
    """The chronology entries of a page, each as its HTML."""
    return html.split('data-testid="chronology-entry"')[1:]


def _entry(html: str, title: str) -> str:
    return next(e for e in _entries(html) if f">{title}</" in e.split("</h3>")[0])


def test_an_entry_reads_in_words_with_names_places_the_agency_and_a_uk_date(
    officer_client: Client, world: World
) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    missing = _entry(html, "Missing report")
    assert "by Police (mispers)" in missing
    assert "20 December 2025 at 22:00" in missing
    assert "Missing person:</span> Kayley Testperson" in missing
    assert "At 1 Invented Road, Testtown, TT1 1AA" in missing
    assert "Reported missing from care." in missing
    assert "Initial risk medium; 1 risk review, the last graded high." in missing
    assert "Found at Station Hotel, Testtown, TT1 9ZZ." in missing  # a reference read as its address
    assert "rms L2" not in html and "rms:L2" not in html
    incident = _entry(html, "Incident")
    assert "by Police (rms)" in incident and "21 December 2025 at 03:00" in incident
    assert f'Suspect:</span> <a class="govuk-link" href="/people/{world.adult.pk}/">Darren Madeup</a>' in incident
    assert "Victim:</span> Kayleigh Testperson" in incident
    assert "Children were present." in incident and "Graded emergency (THRIVE)." in incident


def test_the_agency_of_a_partner_system_and_a_summer_time_date(officer_client: Client, world: World) -> None:
    Event.objects.filter(source="csc", source_id="E9029").update(
        occurred_at=dt.datetime(2026, 6, 5, 13, 20, tzinfo=dt.UTC)
    )
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    referral = _entries(html)[0]
    assert "by Children&#x27;s social care (csc)" in referral
    assert "5 June 2026 at 14:20" in referral  # British Summer Time
    assert "Concerns: neglect." in referral and "Referred by school." in referral


def test_a_person_the_viewer_may_not_open_is_not_named(client: Client, world: World) -> None:
    social_worker = create_user_with_role(
        acting_user=None, username="sw.invented", password=PASSWORD, role="partner_social_worker"
    )
    html = sign_in(client, social_worker).get(f"/people/{world.child.pk}/").content.decode()
    incident = _entry(html, "Incident")
    assert "Suspect:</span> A person you do not have access to" in incident
    assert "Darren Madeup" not in html and f"/people/{world.adult.pk}/" not in html


def test_the_access_log_entry_names_the_people_the_chronology_named(officer_client: Client, world: World) -> None:
    before = AuditEntry.objects.count()
    officer_client.get(f"/people/{world.child.pk}/")
    view = AuditEntry.objects.filter(seq__gt=before, action=Action.VIEW, object_type="individual").first()
    assert view is not None and view.object_ids == [str(world.child.pk)]
    assert view.individual_ids[0] == world.child.pk and world.adult.pk in view.individual_ids
    assert "named_in_chronology" in view.fields


def test_filters_by_agency_and_period_from_the_query_string(officer_client: Client, world: World) -> None:
    csc = officer_client.get(f"/people/{world.child.pk}/?agency=csc").content.decode()
    assert "30 events, newest first (page 2 of 2)" not in csc and "30 events, newest first (page 1 of 2)" in csc
    assert all("Children&#x27;s social care (csc)" in e for e in _entries(csc))
    assert 'value="csc"' in csc and "checked" in csc  # the form shows the filter it applied
    # 90 days to 2 March 2026: the missing report and the incident, not November's intelligence.
    recent = officer_client.get(f"/people/{world.child.pk}/chronology/?agency=police&period=90d").content.decode()
    assert "2 events, newest first." in recent
    assert [re.search(r">([^<]+)</a></h3>", e).group(1) for e in _entries(recent)] == ["Incident", "Missing report"]  # type: ignore[union-attr]
    both = officer_client.get(f"/people/{world.child.pk}/?period=90d&date_from=2025-01-01").content.decode()
    assert "There is a problem" in both and "Choose a period or enter dates, not both" in both
    unknown = officer_client.get(f"/people/{world.child.pk}/?agency=nowhere").content.decode()
    assert "Choose agencies from the list" in unknown


def test_pages_are_numbered_and_keep_the_filter(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/?type=referral&page=2").content.decode()
    assert "30 events, newest first (page 2 of 2)." in html
    assert 'aria-label="Page 2" aria-current="page"' in html
    assert f'href="/people/{world.child.pk}/?type=referral&amp;page=1#chronology"' in html
    assert len(_entries(html)) == 5


def test_filtering_in_place_sets_the_address_so_back_returns_to_it(officer_client: Client, world: World) -> None:
    response = officer_client.get(
        f"/people/{world.child.pk}/chronology/?type=referral&page=2", headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == f"/people/{world.child.pk}/?type=referral&page=2#chronology"
    plain = officer_client.get(f"/people/{world.child.pk}/chronology/?type=referral")
    assert "HX-Push-Url" not in plain  # a full page load has its address already


def test_the_print_view_holds_every_event_marked_and_without_navigation(officer_client: Client, world: World) -> None:
    response = officer_client.get(f"/people/{world.child.pk}/chronology/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_entries(html)) == world.event_count  # every page's events, not one page
    assert html.count("OFFICIAL-SENSITIVE") >= 2
    assert "Exported by Sam Sergeant (Sergeant)" in html
    assert "govuk-service-navigation" not in html and "moj-header" not in html
    assert "Filter the chronology" not in html and "govuk-pagination" not in html
    assert "Referral number 0" in html and "Referral number 29" in html
    assert "Darren Madeup" in html and 'href="/people/' not in html.split('data-testid="chronology"')[1]


def test_the_print_view_is_one_export_entry_naming_the_child_and_the_people_it_names(
    officer_client: Client, world: World
) -> None:
    before = AuditEntry.objects.count()
    officer_client.get(f"/people/{world.child.pk}/chronology/print/?type=incident")
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert [e.action for e in entries] == [Action.EXPORT]
    entry = entries[0]
    assert entry.object_type == "individual" and entry.object_ids == [str(world.child.pk)]
    assert entry.individual_ids == [world.child.pk, world.adult.pk]
    assert sorted(entry.fields) == ["chronology", "named_in_chronology", "print"]


def test_the_print_view_follows_the_filter_and_says_so(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/chronology/print/?type=referral&agency=csc").content.decode()
    assert len(_entries(html)) == 30
    assert "30 events (referral recorded by Children&#x27;s social care), newest first" in html
    assert officer_client.get(f"/people/{world.child.pk}/chronology/print/?date_from=nonsense").status_code == 400


def test_a_role_without_export_may_not_print_the_chronology_and_is_not_offered_it(client: Client, world: World) -> None:
    handler = create_user_with_role(acting_user=None, username="ch.invented", password=PASSWORD, role="call_handler")
    sign_in(client, handler)
    assert 'data-testid="chronology-print"' not in client.get(f"/people/{world.child.pk}/").content.decode()
    before = AuditEntry.objects.count()
    assert client.get(f"/people/{world.child.pk}/chronology/print/").status_code == 403
    assert not AuditEntry.objects.filter(seq__gt=before, action=Action.EXPORT).exists()


def test_the_print_link_keeps_the_filter(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/?type=incident").content.decode()
    assert f'href="/people/{world.child.pk}/chronology/print/?type=incident" data-testid="chronology-print"' in html


def _crowd(world: World, n: int) -> None:
    """`n` more events for the child, each with another person the viewer may open and a place
    named in the details."""
    mispers = Person.objects.get(source="mispers", source_id="M7")
    for i in range(n):
        other = Person.objects.create(
            source="rms", source_id=f"Q{i}", recorded_at=RECORDED, payload={}, given_names="Other", family_name=f"P{i}"
        )
        Membership.objects.create(person=other, individual=Individual.objects.create())
        event = Event.objects.create(
            source="mispers",
            source_id=f"X{i}",
            recorded_at=RECORDED,
            payload={},
            event_type=Event.EventType.MISSING_REPORT,
            occurred_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC) - dt.timedelta(days=i),
            details={"found_location": {"source": "rms", "id": "L2"}, "risk_rationale": "a regular missing person"},
        )
        Participation.objects.create(event=event, person=mispers, role=Participation.Role.MISSING_PERSON)
        Participation.objects.create(event=event, person=other, role=Participation.Role.CO_LOCATED)


# Session, user, profile; the child, its records, the restrictions the viewer is not named on;
# the page of events, counted, and the child's roles (3); who else took part, their individuals
# and who of them the viewer may open (3); the places, people and events the details name (3);
# the agencies' systems; the access-log entry (5, its savepoint included); the header's agency
# and unread notifications; the session (3).
CHRONOLOGY_QUERIES = 27


def test_the_chronology_costs_the_same_queries_however_many_people_and_places_it_names(
    officer_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    url = f"/people/{world.child.pk}/chronology/"
    officer_client.get(url)
    with django_assert_max_num_queries(CHRONOLOGY_QUERIES):
        assert officer_client.get(url).status_code == 200
    _crowd(world, 30)
    with django_assert_max_num_queries(CHRONOLOGY_QUERIES):
        html = officer_client.get(url).content.decode()
    assert "Other P0" in html and html.count("Found at Station Hotel") >= 20
