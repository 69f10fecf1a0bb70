"""Search: by name with typos, date of birth, identifier and postcode; validation."""

from __future__ import annotations

from django.test import Client

from tests.world import World


def test_a_misspelt_name_finds_the_child_with_age_and_last_event(officer_client: Client, world: World) -> None:
    html = officer_client.get("/search/", {"name": "Kaylee Testpersen"}).content.decode()
    assert "1 person found" in html
    assert f'href="/people/{world.child.pk}/"' in html
    assert "23 April 2011 (14)" in html
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


def test_a_search_with_more_than_a_page_of_people_says_how_many_and_pages(
    officer_client: Client, world: World, monkeypatch: object
) -> None:
    import datetime as dt

    from safetynet.identity.models import Individual, Membership
    from safetynet.reads import search
    from safetynet.records.models import Person

    monkeypatch.setattr(search, "RESULT_LIMIT", 5)  # type: ignore[attr-defined]
    for n in range(12):
        person = Person.objects.create(
            source="test",
            source_id=f"PAGE{n}",
            recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            payload={},
            given_names="Paged",
            family_name=f"Person{n}",
            date_of_birth="1999-01-01",
            dob=dt.date(1999, 1, 1),
            birth_year=1999,
        )
        Membership.objects.create(person=person, individual=Individual.objects.create())
    first = officer_client.get("/search/", {"date_of_birth": "1999"}).content.decode()
    assert "12 people found" in first and "Showing 1 to 5" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first and "date_of_birth=1999&amp;page=2" in first
    last = officer_client.get("/search/", {"date_of_birth": "1999", "page": "3"}).content.decode()
    assert "Showing 11 to 12" in last and 'rel="prev"' in last and 'rel="next"' not in last
    answer = officer_client.get("/api/v1/search", {"date_of_birth": "1999", "page": 2})
    assert answer["X-Total-Count"] == "12" and answer["X-Total-Exact"] == "true"
    assert len(answer.json()) == 5
    assert officer_client.get("/search/", {"date_of_birth": "1999", "page": "nonsense"}).status_code == 200


def test_dates_of_birth_read_in_the_gov_uk_style() -> None:
    from safetynet.web.templatetags.sn import partial_date

    assert partial_date("2011-04-23") == "23 April 2011"
    assert partial_date("2011-04") == "April 2011"
    assert partial_date("2011") == "2011"
    assert partial_date("") == ""
    assert partial_date("2011-13") == "2011-13"  # not a month: shown as stored
