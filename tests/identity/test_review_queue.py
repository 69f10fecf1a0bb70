"""The review queue puts identifier conflicts first, then children with markers, then children."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from safetynet.identity.review import queue_for_review
from safetynet.identity.services import review_queue
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Marker, Person
from tests.identity.conftest import RECORDED


@pytest.mark.django_db
def test_children_with_markers_come_first(person_factory: Callable[..., Person], clock: FixedClock) -> None:
    adult_a = person_factory(given_names="Lewis", family_name="Pogson", date_of_birth="1980-01-01")
    adult_b = person_factory(given_names="Lewis", family_name="Pogson", date_of_birth="1980", source="csc")
    child_a = person_factory(given_names="Esme", family_name="Yeadon", date_of_birth="2014-02-02")
    child_b = person_factory(given_names="Esme", family_name="Yeadon", date_of_birth="2014", source="csc")
    marked_a = person_factory(given_names="Orla", family_name="Lumb", date_of_birth="2011-03-03")
    marked_b = person_factory(given_names="Orla", family_name="Lumb", date_of_birth="2011", source="csc")
    Marker.objects.create(source="rms", source_id="M1", recorded_at=RECORDED, person=marked_b, marker_type="cse_risk")

    opened = queue_for_review(
        [
            ((adult_a.pk, adult_b.pk), "uncertain", "", 1.0),
            ((child_a.pk, child_b.pk), "uncertain", "", 1.0),
            ((marked_a.pk, marked_b.pk), "uncertain", "", 1.0),
        ],
        clock=clock,
    )
    assert opened == 3
    order = [(r.person_a_id, r.person_b_id) for r in review_queue()]
    assert order == [(marked_a.pk, marked_b.pk), (child_a.pk, child_b.pk), (adult_a.pk, adult_b.pk)]
    assert queue_for_review([((adult_a.pk, adult_b.pk), "uncertain", "", 1.0)], clock=clock) == 0  # already open
