"""Pages and API answers with personal data are never kept by a browser or proxy cache."""

from __future__ import annotations

from django.test import Client

from tests.world import World


def test_person_page_and_its_api_answer_are_marked_no_store(officer_client: Client, world: World) -> None:
    for url in (f"/people/{world.child.pk}/", f"/api/v1/individuals/{world.child.pk}"):
        response = officer_client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_refused_page_is_not_stored_either(client: Client) -> None:
    response = client.get("/people/1/")  # signed out: sent to sign in
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_cache_lifetime(client: Client) -> None:
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
