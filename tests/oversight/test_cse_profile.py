"""The CSE intelligence profile, built from the records: trends by month, networks of children
linked through the same adults of concern, the adults with most children, the places children
at risk are recorded at; on screen, over REST and as CSV (marked, logged naming everyone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.reads.cse_profile import cse_profile
from safetynet.reads.dashboards import Filters
from tests.exploitation.conftest import people  # noqa: F401  (the fixture)
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.usefixtures("frozen_screens")


def _period(clock: FixedClock) -> Filters:
    today = clock.now().date()
    return Filters(today - dt.timedelta(days=90), today)


def test_the_profile_finds_the_network_the_adult_and_the_place(
    people: dict[str, int],  # noqa: F811
    access_world: AccessWorld,
    clock: FixedClock,
) -> None:
    found = cse_profile(access_world.users["analyst"], _period(clock))
    assert [a.individual_id for a in found.adults][:1] == [people["adult"]]
    assert found.adults[0].children >= 2 and found.adults[0].name == "Carl Inventedadult"
    network = found.networks[0]
    assert network.adults == [people["adult"]] and {people["ava"], people["cal"]} <= set(network.children)
    assert any("Invented Lodge" in p.place and p.children == 2 for p in found.places)
    assert sum(m.missing for m in found.months) == 2  # Cal, found with Ava, missing twice
    assert sum(m.raised for m in found.months) >= 1


def test_the_profile_screen_api_and_csv_are_logged(
    people: dict[str, int],  # noqa: F811
    access_world: AccessWorld,
    clock: FixedClock,
) -> None:
    client = sign_in(Client(), access_world.users["analyst"])
    page = client.get("/oversight/cse-profile/")
    text = page.content.decode()
    assert page.status_code == 200 and "Carl Inventedadult" in text and 'data-testid="network-row"' in text
    assert "<svg" in text
    viewed = AuditEntry.objects.filter(object_type="cse_profile", action="view").latest("seq")
    assert people["adult"] in viewed.individual_ids and people["ava"] in viewed.individual_ids
    answer = client.get("/api/v1/exports/cse-profile").json()
    assert answer["adults"][0]["name"] == "Carl Inventedadult"
    csv = client.get("/oversight/cse-profile.csv").content.decode("utf-8-sig")
    assert "Adult of concern,Carl Inventedadult" in csv and "Network 1" in csv
    assert AuditEntry.objects.filter(object_type="cse_profile", action="export").exists()
    refused = client.get("/oversight/cse-profile/?period_from=2026-03-01&period_to=2026-02-01")
    assert refused.status_code == 400
    officer = sign_in(Client(), access_world.users["response_officer"])
    assert officer.get("/oversight/cse-profile/").status_code == 403
