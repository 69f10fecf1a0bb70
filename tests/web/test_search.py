"""Search: by name with typos, date of birth, identifier and postcode; validation."""

from __future__ import annotations

from django.test import Client

from tests.world import World


def test_a_misspelt_name_finds_the_child_with_age_and_last_event(officer_client: Client, world: World) -> None:
    html = officer_client.get("/search/", {"name": "Kaylee Testpersen"}).content.decode()
    assert "1 person found" in html
    assert f'href="/people/{world.child.pk}/"' in html
    assert "2011-04-23 (14)" in html
    assert "Incident, 21 Dec 2025" in html


def test_search_by_partial_date_of_birth_identifier_and_postcode(officer_client: Client, world: World) -> None:
    by_dob = officer_client.get("/search/", {"date_of_birth": "2011-04"}).content.decode()
    assert f'href="/people/{world.child.pk}/"' in by_dob and f'href="/people/{world.adult.pk}/"' not in by_dob
    by_id = officer_client.get("/search/", {"identifier": "csc0042"}).content.decode()
    assert "1 person found" in by_id and f'href="/people/{world.child.pk}/"' in by_id
    by_postcode = officer_client.get("/search/", {"postcode": "tt11aa"}).content.decode()
    assert f'href="/people/{world.child.pk}/"' in by_postcode


def test_dates_of_birth_and_names_are_read_as_uk_users_type_them(officer_client: Client, world: World) -> None:
    for typed in ("23/04/2011", "23-4-2011", "23.04.2011", "23 April 2011", "23rd Apr 2011", "04/2011", "April 2011"):
        html = officer_client.get("/search/", {"date_of_birth": typed}).content.decode()
        assert f'href="/people/{world.child.pk}/"' in html, typed
        assert f'href="/people/{world.adult.pk}/"' not in html, typed
    for typed in ("Testperson Kayleigh", "Testperson, Kayleigh"):
        html = officer_client.get("/search/", {"name": typed}).content.decode()
        assert f'href="/people/{world.child.pk}/"' in html, typed
    wrong = officer_client.get("/search/", {"date_of_birth": "31/02/2011"}).content.decode()
    assert "Enter a real date of birth" in wrong and 'value="31/02/2011"' in wrong
    unread = officer_client.get("/search/", {"date_of_birth": "the spring of 2011"}).content.decode()
    assert "Enter the date of birth like 27/03/2011" in unread


def test_an_empty_search_asks_for_something_to_search_by(officer_client: Client, world: World) -> None:
    html = officer_client.get("/search/", {"name": ""}).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_name">Enter a name, date of birth, identifier or postcode</a>' in html


def test_a_malformed_date_of_birth_is_explained_and_kept(officer_client: Client, world: World) -> None:
    html = officer_client.get("/search/", {"name": "Kayleigh", "date_of_birth": "2011-13-40"}).content.decode()
    assert "Enter a real date of birth" in html
    assert 'value="2011-13-40"' in html and 'value="Kayleigh"' in html
    assert "people found" not in html and "person found" not in html


def test_search_shows_markup_in_names_as_text(officer_client: Client, world: World) -> None:
    html = officer_client.get("/search/", {"date_of_birth": "2012"}).content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
