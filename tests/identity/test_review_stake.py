"""The review queue ordered by the risk at stake (set by the risk engine's ID1 evaluation), and a
decision re-assessing both individuals even when no record moves (#25)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from safetynet.identity.models import Individual, Membership, ReviewPair
from safetynet.identity.review import set_risk_stakes
from safetynet.identity.services import decide_pair, review_queue
from safetynet.identity.signals import individuals_changed
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _person(n: int) -> Person:
    person = Person.objects.create(source="rms", source_id=f"P{n}", recorded_at=AT, payload={}, given_names="Invented")
    Membership.objects.create(person=person, individual=Individual.objects.create())
    return person


def _pair(a: Person, b: Person, *, priority: int, days_ago: int) -> ReviewPair:
    return ReviewPair.objects.create(
        person_a=a,
        person_b=b,
        reason=ReviewPair.Reason.UNCERTAIN,
        match_probability=0.9,
        match_weight=3.0,
        priority=priority,
        created_at=AT - dt.timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_the_risk_at_stake_orders_the_queue_and_keeps_the_queued_priority() -> None:
    people = [_person(n) for n in range(6)]
    conflict = _pair(people[0], people[1], priority=12, days_ago=9)  # identifier conflict, a child
    child = _pair(people[2], people[3], priority=2, days_ago=5)
    adult = _pair(people[4], people[5], priority=0, days_ago=1)
    assert [p.pk for p in review_queue()] == [conflict.pk, child.pk, adult.pk]

    assert set_risk_stakes({adult.pk: "high", child.pk: "medium", conflict.pk: None}) == 2
    assert [p.pk for p in review_queue()] == [adult.pk, child.pk, conflict.pk]
    adult.refresh_from_db()
    assert (adult.priority, adult.risk_at_stake) == (300, "high")
    assert set_risk_stakes({adult.pk: "high"}) == 0  # already so: nothing written

    set_risk_stakes({adult.pk: None, child.pk: None})
    assert [p.pk for p in review_queue()] == [conflict.pk, child.pk, adult.pk]
    assert [p.risk_at_stake for p in review_queue()] == [None, None, None]


@pytest.mark.django_db
def test_a_decision_reassesses_both_individuals_even_when_no_record_moves(
    clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = _person(1), _person(2)
    pair = _pair(a, b, priority=302, days_ago=1)
    received: list[list[int]] = []

    def listener(sender: Any, individual_ids: list[int], **kwargs: Any) -> None:
        received.append(individual_ids)

    individuals_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            decide_pair(pair, False, acting_user=get_user_model().objects.create(username="r"), reason="x", clock=clock)
    finally:
        individuals_changed.disconnect(listener)
    assert received == [sorted([a.membership.individual_id, b.membership.individual_id])]
