"""Search applies the viewer's access before its result cap: a partner sees every match they
may see, however many namesakes the rest of the county holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from safetynet.identity.blocking import refresh_features
from safetynet.reads.search import RESULT_LIMIT
from safetynet.records.models import Organisation
from tests.world import AccessWorld, _individual, _person

PUPILS = 6


def _namesakes(access_world: AccessWorld) -> set[int]:
    """RESULT_LIMIT + 10 police-only children called Wilsonstone, then PUPILS at the teacher's
    school (made last, so an unfiltered cut at RESULT_LIMIT would drop most of them)."""
    school = Organisation.objects.get(source="education", source_id="SCH1")
    for n in range(RESULT_LIMIT + 10):
        _individual(_person("rms", f"W{n}", given_names="Jamie", family_name="Wilsonstone", date_of_birth="2012-03-04"))
    pupils = set()
    for n in range(PUPILS):
        record = _person(
            "education",
            f"EW{n}",
            given_names="Jamie",
            family_name="Wilsonstone",
            date_of_birth="2012-03-04",
            school=school,
        )
        pupils.add(_individual(record).pk)
    refresh_features(None, dt.date(2026, 3, 2))
    return pupils


def test_a_teacher_finds_all_their_pupils_among_many_namesakes(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    pupils = _namesakes(access_world)
    found = client_for("partner_education").get("/api/v1/search?name=Jamie+Wilsonstone").json()
    assert {r["id"] for r in found} == pupils
    html = client_for("partner_education").get("/search/?name=Jamie+Wilsonstone").content.decode()
    assert all(f'href="/people/{pk}/"' in html for pk in pupils)


def test_an_exact_search_by_date_of_birth_also_filters_before_the_cap(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    pupils = _namesakes(access_world)
    found = client_for("partner_education").get("/api/v1/search?date_of_birth=2012-03-04").json()
    assert {r["id"] for r in found} == pupils


def test_police_still_see_at_most_the_cap(access_world: AccessWorld, client_for: Callable[[str], Client]) -> None:
    _namesakes(access_world)
    found = client_for("sergeant").get("/api/v1/search?name=Jamie+Wilsonstone").json()
    assert len(found) == RESULT_LIMIT
