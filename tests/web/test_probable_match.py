"""Probable matches on the person page and the review queue (#25, "probable matches protect").

Both children's pages say "Possibly the same child as <other> (match probability NN%, awaiting
review)" with a link to the review, and list what their records together would raise (the
risk engine's ID1 finding), marked "identity not confirmed": each provisional finding only to a
viewer who may read every record it cites, and nothing of the other child to a viewer who may
not open them. The review queue shows the risk at stake, highest first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.identity.models import ReviewPair
from safetynet.records.models import Person
from safetynet.risk.models import Finding
from tests.world import RECORDED, AccessWorld, invented_finding

SEEN = "Two invented missing episodes with one on the other record: repeat missing, no trigger plan."
HEALTH_ONLY = "Invented finding citing a health record only health may read."


def _probable_match(access_world: AccessWorld) -> ReviewPair:
    pupil, police_only = (
        Person.objects.get(source="rms", source_id="P1"),
        Person.objects.get(source="rms", source_id="P2"),
    )
    pair = ReviewPair.objects.create(
        person_a=pupil,
        person_b=police_only,
        reason=ReviewPair.Reason.UNCERTAIN,
        match_probability=0.969,
        match_weight=5.0,
        priority=302,
        created_at=RECORDED,
    )
    finding = invented_finding(
        access_world.pupil,
        "ID1",
        owner_role="mash_officer",
        reason="Identity not confirmed: invented.",
        at=RECORDED,
        cites=[("rms", "P2"), ("rms", "P1")],
    )
    incident = access_world.incident
    Finding.objects.filter(pk=finding.pk).update(
        detail={
            "pairs": [pair.pk],
            "identity": "identity not confirmed",
            "provisional": [
                {
                    "clause": "M4",
                    "severity": "high",
                    "reason": SEEN,
                    "cites": [{"source": incident.source, "id": incident.source_id}],
                    "was": None,
                    "identity": "identity not confirmed",
                },
                {
                    "clause": "H3",
                    "severity": "medium",
                    "reason": HEALTH_ONLY,
                    "cites": [{"source": access_world.health_event.source, "id": access_world.health_event.source_id}],
                    "was": "low",
                    "identity": "identity not confirmed",
                },
            ],
        }
    )
    return pair


@pytest.mark.django_db
def test_both_pages_say_possibly_the_same_child_with_what_together_would_raise(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    first = _probable_match(access_world)
    # A second record of the same child paired too: one "possibly the same child" per other child.
    ReviewPair.objects.create(
        person_a=Person.objects.get(source="csc", source_id="C1"),
        person_b=first.person_b,
        reason=ReviewPair.Reason.UNCERTAIN,
        match_probability=0.9,
        match_weight=4.0,
        created_at=RECORDED,
    )
    sergeant = client_for("sergeant")
    page = sergeant.get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert page.count('data-testid="probable-match"') == 1
    block = page.split('data-testid="probable-match"')[1].split("</div>")[0]
    assert "Possibly the same child as <strong>Brody Policeonly</strong>" in block
    assert "match probability 97%, awaiting review" in block and "Review this match" in block
    assert SEEN in block and "identity not confirmed" in block
    assert HEALTH_ONLY not in page  # cites a health record the sergeant may not read
    assert HEALTH_ONLY in client_for("mash_officer").get(f"/people/{access_world.pupil.pk}/").content.decode()
    other = sergeant.get(f"/people/{access_world.police_only.pk}/").content.decode()
    assert "Possibly the same child as <strong>Alexa Inventedchild</strong>" in other and SEEN in other


@pytest.mark.django_db
def test_a_viewer_who_may_not_open_the_other_child_sees_neither_them_nor_the_provisional_findings(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _probable_match(access_world)
    page = client_for("partner_education").get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "A person you do not have access to" in page
    assert 'data-testid="probable-match"' not in page and "Policeonly" not in page and SEEN not in page


@pytest.mark.django_db
def test_the_review_queue_shows_the_risk_at_stake(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _probable_match(access_world)
    page = client_for("mash_officer").get("/review/").content.decode()
    cell = page.split('data-testid="risk-at-stake"')[1].split("</td>")[0]
    assert "High" in cell
