"""The people a finding names are rendered for each viewer: a viewer who may open the named
person reads their name, age and address (and the access log says so); a viewer who may not
reads only their part in the finding. Places are shown to whoever reads the finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Location
from safetynet.risk.models import Finding
from safetynet.work.services import sync_tasks
from tests.world import RECORDED, AccessWorld, invented_finding

AT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def named(access_world: AccessWorld) -> dict[str, Finding]:
    place = Location.objects.create(
        source="gazetteer",
        source_id="LOC-HOTEL",
        recorded_at=RECORDED,
        payload={},
        address_lines=["Invented Hotel", "1 Nowhere Road"],
        town="Testtown",
        postcode="ZZ1 1ZZ",
    )
    detail = {
        "named": [
            {"kind": "person", "as": "adult linked to the children", "ref": {"source": "rms", "id": "P2"}},
            {
                "kind": "place",
                "as": "found here before",
                "ref": {"source": "gazetteer", "id": place.source_id},
                "count": 3,
            },
        ]
    }
    made = {}
    for owner in ("sergeant", "partner_social_worker"):
        finding = invented_finding(
            access_world.pupil,
            "X2",
            owner_role=owner,
            reason=f"NAMEDWORD {owner}: an adult linked to 3 children.",
            at=AT,
            fingerprint=f"named-{owner}",
        )
        Finding.objects.filter(pk=finding.pk).update(detail=detail)
        made[owner] = finding
    sync_tasks(clock=FixedClock(AT))
    return made


def _named_views(user_pk: int) -> list[AuditEntry]:
    return [
        e
        for e in AuditEntry.objects.filter(action=Action.VIEW, actor_id=user_pk)
        if "named_in_finding" in (e.fields or [])
    ]


def test_a_viewer_who_may_open_the_named_adult_reads_who_and_where(
    access_world: AccessWorld, named: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    page = client_for("sergeant").get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "NAMEDWORD sergeant" in page
    assert "Adult linked to the children:" in page and "Brody Policeonly" in page
    assert "Invented Hotel, 1 Nowhere Road, Testtown, ZZ1 1ZZ" in page and "(3 times)" in page
    assert f'href="/people/{access_world.police_only.pk}/"' in page
    assert _named_views(access_world.users["sergeant"].pk)


def test_a_partner_reads_the_part_the_adult_plays_but_not_who_they_are(
    access_world: AccessWorld, named: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    partner = client_for("partner_social_worker")
    page = partner.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "NAMEDWORD partner_social_worker" in page
    assert "Adult linked to the children:" in page
    assert "Policeonly" not in page and "your role may not read this person" in page
    assert "Invented Hotel" in page  # places are not about a person
    assert not _named_views(access_world.users["partner_social_worker"].pk)
    answer = partner.get(f"/api/v1/individuals/{access_world.pupil.pk}/findings").json()
    (mine,) = [f for f in answer if "partner_social_worker" in f["reason"]]
    person, place = mine["named"]
    assert person["shown"] is False and person["individual"] is None and "Policeonly" not in str(answer)
    assert place == {
        "kind": "place",
        "role": "found here before",
        "text": "Invented Hotel, 1 Nowhere Road, Testtown, ZZ1 1ZZ",
        "shown": True,
        "record": {"source": "gazetteer", "id": "LOC-HOTEL"},
        "count": 3,
        "individual": None,
    }


def test_the_task_page_and_api_name_them_too(
    access_world: AccessWorld, named: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    sergeant = client_for("sergeant")
    task = named["sergeant"].task
    page = sergeant.get(f"/work/tasks/{task.pk}/").content.decode()
    assert "Brody Policeonly" in page and 'data-testid="finding-named"' in page
    detail = sergeant.get(f"/api/v1/tasks/{task.pk}").json()
    assert detail["named"][0]["text"].startswith("Brody Policeonly")
    assert detail["named"][0]["individual"] == access_world.police_only.pk


def test_another_agencys_practice_findings_reach_no_partner_surface(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    """A police practice finding citing only a record the partner may read is still police
    oversight: not on the partner's person page, API or search, nor announced as held elsewhere."""
    finding = invented_finding(
        access_world.pupil,
        "M2",
        owner_role="sergeant",
        reason="PRACTICEWORD: 3 late reviews between 2024 and 2025.",
        at=AT,
        cites=[("csc", "C1")],
        fingerprint="named-practice",
        due_in=None,
    )
    Finding.objects.filter(pk=finding.pk).update(kind="practice")
    sergeant = client_for("sergeant")
    assert "PRACTICEWORD" in str(sergeant.get(f"/api/v1/individuals/{access_world.pupil.pk}/findings").json())
    partner = client_for("partner_social_worker")
    assert "PRACTICEWORD" not in str(partner.get(f"/api/v1/individuals/{access_world.pupil.pk}/findings").json())
    page = partner.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "PRACTICEWORD" not in page and "contact the sergeant" not in page.lower()
    found = partner.get("/search/", {"name": "Alexa Inventedchild"}).content.decode()
    assert "PRACTICEWORD" not in found
