"""The person page: one picture across systems, chronology, relationships and network."""

from __future__ import annotations

from django.test import Client

from tests.world import MARKUP_NAME, SCRIPT_NAME, World


def test_person_page_shows_every_source_record_linked_into_the_person(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert "Kayleigh Testperson" in html
    for ref in ("rms P1", "mispers M7", "csc C3"):
        assert ref in html
    assert "Matched by the linkage model (0.97 match probability)" in html
    assert "Also known as" in html and "Kayley Testperson" in html and "Kay" in html


def test_person_page_shows_markers_orders_plans_and_relationships(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert "Cse risk" in html or "CSE risk" in html
    assert "protected by it" in html
    assert "Trigger plan" in html
    assert "Darren Madeup" in html and "associate of" in html


def test_chronology_lists_events_from_every_source_newest_first_and_pages(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert f"{world.event_count} events, newest first (page 1 of 2)" in html
    timeline = html[html.index('data-testid="chronology"') :]
    assert timeline.index("Incident") < timeline.index("Missing report") < timeline.index("Referral")
    assert "Missing person" in html and "Victim" in html  # the child's role in each event
    second = officer_client.get(f"/people/{world.child.pk}/chronology/?page=2").content.decode()
    assert "<html" not in second  # the htmx partial alone
    assert 'id="chronology"' in second and "page 2 of 2" in second
    assert "Referral number 0" in second


def test_chronology_filters_by_type_and_date(officer_client: Client, world: World) -> None:
    html = officer_client.get(
        f"/people/{world.child.pk}/chronology/?type=missing_report&type=incident&date_from=2025-12-21"
    ).content.decode()
    assert "1 event, newest first" in html
    assert "Incident" in html and "Missing report</a>" not in html


def test_chronology_filter_errors_show_the_error_summary_and_keep_what_was_typed(
    officer_client: Client, world: World
) -> None:
    html = officer_client.get(
        f"/people/{world.child.pk}/?date_from=2025-12-21&date_to=2025-01-01&type=incident"
    ).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_date_to">The to date must be the same as or after the from date</a>' in html
    assert 'value="2025-12-21"' in html and 'value="2025-01-01"' in html
    assert 'value="incident"' in html and "checked" in html
    bad = officer_client.get(f"/people/{world.child.pk}/?date_from=not-a-date").content.decode()
    assert "Enter the from date as a real date" in bad and 'value="not-a-date"' in bad


def test_network_links_people_places_and_events_around_the_person(officer_client: Client, world: World) -> None:
    data = officer_client.get(f"/people/{world.child.pk}/network.json").json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[f"ind-{world.child.pk}"]["subject"] is True
    assert nodes[f"ind-{world.adult.pk}"]["label"] == "Darren Madeup"
    assert any(n["kind"] == "place" and "Station Hotel" in n["label"] for n in nodes.values())
    kinds = {(e["source"], e["target"], e["kind"]) for e in data["edges"]}
    assert (f"ind-{world.child.pk}", f"ind-{world.adult.pk}", "co_location") in kinds  # together twice
    assert any(k == "association" for _s, _t, k in kinds)


def test_a_missing_person_and_an_unknown_id_answer_the_same_404(officer_client: Client, world: World) -> None:
    for path in ("/people/999999/", "/people/999999/chronology/", "/people/999999/network.json", "/events/999999/"):
        response = officer_client.get(path)
        assert response.status_code == 404
        assert b"999999" not in response.content


def test_markup_in_names_and_free_text_is_shown_as_text(officer_client: Client, world: World) -> None:
    for path in (
        f"/people/{world.markup_child.pk}/",
        f"/people/{world.child.pk}/",
        f"/events/{world.missing_event.pk}/",
    ):
        html = officer_client.get(path).content.decode()
        assert SCRIPT_NAME not in html and MARKUP_NAME not in html
    html = officer_client.get(f"/people/{world.markup_child.pk}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    data = officer_client.get(f"/people/{world.child.pk}/network.json").content.decode()
    assert "<script>" not in data  # JSON escapes < so the payload cannot close a script element


def test_person_pages_need_a_signed_in_user(client: Client, world: World) -> None:
    response = client.get(f"/people/{world.child.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_record_whose_date_of_birth_could_not_be_read_is_flagged_with_the_text_as_sent(
    officer_client: Client, world: World
) -> None:
    from safetynet.records.models import Person

    Person.objects.filter(source="csc", source_id="C3").update(
        date_of_birth="", dob=None, birth_year=None, date_of_birth_given="2011-31-12"
    )
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert 'data-testid="dob-unreadable"' in html and "sent as &ldquo;2011-31-12&rdquo;" in html
