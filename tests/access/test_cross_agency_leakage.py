"""A partner teacher (and other partners) cannot reach intelligence or health details through
any page, search result, partial, JSON endpoint or tampered query string."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.world import HANDLING_C_TEXT, HEALTH_TEXT, INCIDENT_TEXT, INTEL_TEXT, AccessWorld

SECRETS = {"intelligence": "INTELTEXTSECRET", "handling_c": "HANDLINGCSECRET", "health": "HEALTHSECRET"}


def _every_response(client: Client, access_world: AccessWorld) -> dict[str, str]:
    """Every screen that shows the pupil, with the query strings an attacker might try."""
    pk = access_world.pupil.pk
    urls = [
        f"/people/{pk}/",
        f"/people/{pk}/chronology/",
        f"/people/{pk}/chronology/?type=intelligence",
        f"/people/{pk}/chronology/?type=referral&type=custody",
        f"/people/{pk}/network.json",
        "/search/?name=Inventedchild",
        "/search/?name=Alexa&identifier=H1",
        *[
            f"/events/{e.pk}/"
            for e in (
                access_world.incident,
                access_world.intelligence,
                access_world.handling_c,
                access_world.health_event,
            )
        ],
        f"/events/{access_world.custody.pk}/",
        f"/api/v1/individuals/{pk}",
        f"/api/v1/individuals/{pk}/chronology",
        f"/api/v1/individuals/{pk}/chronology?type=intelligence",
        f"/api/v1/individuals/{pk}/chronology?type=custody&type=referral",
        "/api/v1/search?name=Inventedchild",
        f"/api/v1/individuals/{pk}/findings?state=all",
        "/api/v1/tasks",
        "/work/",
        "/audit/",
        f"/audit/people/?person={pk}",
    ]
    return {url: client.get(url).content.decode() for url in urls}


@pytest.mark.parametrize("role", ["partner_education", "partner_social_worker"])
def test_a_partner_never_sees_intelligence_or_health_details(
    access_world: AccessWorld, client_for: Callable[[str], Client], role: str
) -> None:
    pages = _every_response(client_for(role), access_world)
    for url, html in pages.items():
        for kind, secret in SECRETS.items():
            assert secret not in html, f"{kind} reached a {role} through {url}"
        assert "healthcare_seen_at" not in html and "Healthcare seen" not in html


def test_a_partner_teacher_still_sees_the_incident_a_school_needs(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    assert INCIDENT_TEXT in teacher.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert f'href="/people/{access_world.pupil.pk}/"' in teacher.get("/search/?name=Inventedchild").content.decode()


def test_a_partner_teacher_cannot_find_a_child_outside_their_school_by_search(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    html = client_for("partner_education").get("/search/?name=Brody+Policeonly").content.decode()
    assert "Brody" not in html.split("</form>")[-1]
    police = client_for("sergeant").get("/search/?name=Brody+Policeonly").content.decode()
    assert f'href="/people/{access_world.police_only.pk}/"' in police


def test_a_police_officer_reads_intelligence_but_not_health_details(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("response_officer")
    page = officer.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert INTEL_TEXT[:15] in page and HANDLING_C_TEXT[:15] in page
    assert HEALTH_TEXT[:12] not in page
    assert officer.get(f"/events/{access_world.health_event.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["mash_officer", "partner_health"])
def test_health_and_mash_see_health_details(
    access_world: AccessWorld, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    assert HEALTH_TEXT[:12] in client.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert client.get(f"/events/{access_world.health_event.pk}/").status_code == 200


def test_partner_health_sees_health_but_not_intelligence_text(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    pages = _every_response(client_for("partner_health"), access_world)
    for url, html in pages.items():
        assert SECRETS["intelligence"] not in html, url
        assert SECRETS["handling_c"] not in html, url


def test_a_partner_teacher_gets_404_from_the_api_for_a_child_outside_their_school(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    for url in (
        f"/api/v1/individuals/{access_world.police_only.pk}",
        f"/api/v1/individuals/{access_world.police_only.pk}/chronology",
    ):
        assert teacher.get(url).status_code == 404
    assert teacher.get("/api/v1/individuals/999999").status_code == 404
    assert teacher.get("/api/v1/search?name=Policeonly").json() == []


def test_the_api_search_hides_a_latest_event_the_partner_may_not_see(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    results = client_for("partner_education").get("/api/v1/search?name=Inventedchild").json()
    assert len(results) == 1
    assert results[0]["last_event_type"] in (None, "incident")


def test_the_auditors_screens_show_who_looked_but_nothing_of_the_child(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("response_officer")
    _every_response(officer, access_world)  # an officer reads everything, intelligence included
    auditor = client_for("auditor")
    pk = access_world.pupil.pk
    for url in ("/audit/", f"/audit/?person={pk}", f"/audit/people/?person={pk}", "/audit/people/?person=rms:P1"):
        html = auditor.get(url).content.decode()
        assert access_world.users["response_officer"].get_username() in html, url
        for kind, secret in SECRETS.items():
            assert secret not in html, f"{kind} reached the auditor through {url}"
        assert (
            "Alexa" not in html
            and "Inventedchild" not in html
            and "2012-05-01" not in html
            and "1 May 2012" not in html
        ), url
