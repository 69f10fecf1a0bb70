"""The admin review screen shows the waterfall and applies a decision with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from safetynet.identity.linking import link_persons
from safetynet.identity.models import Membership, PairDecision, ReviewPair
from safetynet.records.models import Person
from tests.world import sign_in


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_decides_a_queued_pair_in_the_admin(person_factory: Callable[..., Person]) -> None:
    a = person_factory(given_names="Jasmine", family_name="Kershaw", postcode="LS6 2QT")
    b = person_factory(given_names="Jasmine", family_name="Kershaw", date_of_birth="", postcode="", source="csc")
    link_persons([a.pk, b.pk])
    review = ReviewPair.objects.create(
        person_a=a, person_b=b, reason="uncertain", match_probability=0.7, match_weight=1.2, created_at=a.recorded_at
    )
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    client = sign_in(Client(), admin)  # a system administrator, past the second factor
    page = client.get(f"/admin/identity/reviewpair/{review.pk}/change/")
    assert page.status_code == 200
    assert b"same name" in page.content and b"match weight" in page.content
    response = client.post(
        f"/admin/identity/reviewpair/{review.pk}/change/",
        {"verdict": "same", "decision_reason": "same school record"},
    )
    assert response.status_code == 302
    assert PairDecision.objects.get().same is True
    assert Membership.objects.get(person=a).individual_id == Membership.objects.get(person=b).individual_id
    review.refresh_from_db()
    assert review.status == ReviewPair.Status.DECIDED
