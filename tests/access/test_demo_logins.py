"""`safetynet demo` creates one working login per role, with a second factor for elevated roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safetynet.access.profiles import role_of
from safetynet.access.roles import ELEVATED_ROLES, Role
from safetynet.accounts.demo import DEMO_PASSWORD, create_demo_logins


@pytest.mark.django_db
def test_every_role_gets_a_demo_login_and_rerunning_resets_it() -> None:
    first = create_demo_logins()
    again = create_demo_logins()
    assert [login.role for login in again] == list(Role.values)
    assert {login.username for login in first} == {login.username for login in again}
    for login in again:
        assert (login.totp_key != "") == (login.role in ELEVATED_ROLES)
        assert login.username in login.line() and DEMO_PASSWORD in login.line()


@pytest.mark.django_db
def test_a_demo_inspector_signs_in_with_a_printed_backup_code() -> None:
    inspector = next(login for login in create_demo_logins() if login.role == Role.INSPECTOR)
    client = Client()
    response = client.post(reverse("web:login"), {"username": inspector.username, "password": inspector.password})
    assert response.status_code == 302
    assert client.get("/search/")["Location"] == reverse("access:otp_verify")
    response = client.post(reverse("access:otp_verify"), {"token": inspector.backup_codes[0], "next": "/search/"})
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert client.get("/search/").status_code == 200
    user = response.wsgi_request.user
    assert role_of(user) == Role.INSPECTOR
