"""The layout every screen shares: sign in, the header, navigation, blank screen, vendored assets."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from safetynet.web.viewer import LANDING_BY_ROLE
from tests.world import sign_in


@pytest.fixture
def officer(db: None) -> object:
    return get_user_model().objects.create_user("pc.invented", password="a-long-enough-password")


def test_sign_in_page_uses_the_gov_uk_layout_without_gov_uk_branding(client: Client, db: None) -> None:
    html = client.get("/login/").content.decode()
    assert 'class="govuk-skip-link"' in html
    assert "govuk-phase-banner" in html
    assert "vendor/css/frontend.min.css" in html
    assert "web/js/app.mjs" in html
    assert "govuk-crest" not in html and "GOV.UK" not in html
    assert "<script>" not in html  # no inline script: the Content Security Policy forbids it


def test_sign_in_with_nothing_typed_shows_the_error_summary_and_inline_messages(client: Client, db: None) -> None:
    html = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter your username</a>' in html
    assert "govuk-form-group--error" in html and "govuk-input--error" in html
    assert "<title>Error: Sign in" in html


def test_a_wrong_password_keeps_the_username_typed(client: Client, officer: object) -> None:
    html = client.post("/login/", {"username": "pc.invented", "password": "wrong-password"}).content.decode()
    assert "Enter a correct username and password" in html
    assert 'value="pc.invented"' in html


def test_signed_in_header_shows_the_user_and_a_blank_screen_button(client: Client, officer: object) -> None:
    client.post("/login/", {"username": "pc.invented", "password": "a-long-enough-password"})
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert 'data-testid="header-user"' in html and "pc.invented" in html
    assert "data-sn-blank-toggle" in html and 'aria-keyshortcuts="Alt+Shift+B"' in html
    assert "Sign out" in html


def test_pages_need_a_signed_in_user(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_signing_out_returns_to_the_sign_in_page(client: Client, officer: object) -> None:
    client.force_login(officer)  # type: ignore[arg-type]
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("path", "start"),
    [
        ("/static/vendor/css/frontend.min.css", b""),
        ("/static/vendor/govuk-frontend/govuk-frontend.min.mjs", b""),
        ("/static/vendor/htmx/htmx.esm.mjs", b""),
        ("/static/vendor/cytoscape/cytoscape.esm.min.mjs", b""),
        ("/static/web/js/app.mjs", b"//"),
    ],
)
def test_vendored_assets_are_served_from_the_app(client: Client, path: str, start: bytes) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(start) and len(body) > 100
    if path.endswith(".mjs"):
        assert response["Content-Type"].startswith("text/javascript")


def test_the_stylesheet_uses_arial_and_relative_asset_urls(client: Client) -> None:
    css = b"".join(client.get("/static/vendor/css/frontend.min.css").streaming_content).decode()  # type: ignore[attr-defined]
    assert "GDS Transport" not in css
    assert "font-family:arial,sans-serif" in css
    assert "url(/assets" not in css and 'url("/assets' not in css


def test_every_role_lands_on_its_own_first_screen(access_world: Any) -> None:
    """`/` sends each role to the screen of the work it comes to do (LANDING_BY_ROLE), which its
    role may open: the MASH officer the inbox, the coordinator the missing list, a school the
    notifications from the police."""
    for role, user in access_world.users.items():
        if role not in LANDING_BY_ROLE:
            continue
        landed = sign_in(Client(), user).get("/", follow=True)
        assert landed.status_code == 200, role
        assert landed.redirect_chain[-1][0] == reverse(LANDING_BY_ROLE[role]), role
