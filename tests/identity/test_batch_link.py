"""Batch linkage: quality on invented households, stable ids, decisions respected."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from safetynet.identity.batch import link_all
from safetynet.identity.evaluation import evaluate_truth
from safetynet.identity.models import Individual, LinkChange, Membership, ReviewPair
from safetynet.identity.services import decide_pair
from safetynet.identity.signals import individuals_changed
from safetynet.lib.clock import FixedClock


def memberships() -> dict[int, int]:
    return dict(Membership.objects.values_list("person_id", "individual_id"))


@pytest.mark.django_db(transaction=True)
def test_batch_linkage_links_households_precisely(small_population: dict[int, str], clock: FixedClock) -> None:
    report = link_all(clock=clock)
    figures = evaluate_truth(small_population)
    assert report.persons == len(small_population)
    # This invented population is harsher than the county (see test_county_quality.py).
    assert figures.precision >= 0.98
    assert figures.recall >= 0.6
    assert Membership.objects.count() == len(small_population)


@pytest.mark.django_db(transaction=True)
def test_a_rerun_that_changes_nothing_changes_no_id(small_population: dict[int, str], clock: FixedClock) -> None:
    link_all(clock=clock)
    before, changes = memberships(), LinkChange.objects.count()
    received: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    individuals_changed.connect(listener)
    try:
        report = link_all(clock=clock)
    finally:
        individuals_changed.disconnect(listener)
    assert memberships() == before
    assert LinkChange.objects.count() == changes
    assert report.changes == 0 and report.created == 0
    assert received == []


@pytest.mark.django_db(transaction=True)
def test_not_the_same_person_splits_a_cluster_and_survives_a_full_rerun(
    small_population: dict[int, str], clock: FixedClock
) -> None:
    link_all(clock=clock)
    reviewer = get_user_model().objects.create(username="reviewer")
    by_individual: dict[int, list[int]] = {}
    for person, individual in memberships().items():
        by_individual.setdefault(individual, []).append(person)
    individual, persons = next((i, sorted(p)) for i, p in sorted(by_individual.items()) if len(p) >= 2)
    a, b = persons[0], persons[1]

    decide_pair((a, b), False, acting_user=reviewer, reason="different school and carer", clock=clock)

    after = memberships()
    assert after[a] != after[b]
    assert individual in (after[a], after[b])  # the larger part keeps the id
    split = LinkChange.objects.filter(kind=LinkChange.Kind.SPLIT).latest("pk")
    assert split.from_individuals == [individual]

    link_all(clock=clock)
    rerun = memberships()
    assert rerun[a] != rerun[b]
    assert rerun == after


@pytest.mark.django_db(transaction=True)
def test_a_merge_by_linkage_is_recorded_as_which_individual_became_which(
    small_population: dict[int, str], clock: FixedClock
) -> None:
    from safetynet.identity.services import assign_singletons

    assign_singletons()
    singletons = memberships()
    link_all(clock=clock)
    merges = LinkChange.objects.filter(kind=LinkChange.Kind.MERGE)
    assert merges.exists()
    change = merges.first()
    assert change is not None
    for source in change.from_individuals:
        retired = Individual.objects.get(pk=source)
        assert retired.retired_at is not None and retired.merged_into_id == change.to_individual_id
    assert all(singletons[int(p)] == state[0] for p, state in change.before.items())


@pytest.mark.django_db(transaction=True)
def test_uncertain_pairs_go_to_the_review_queue(small_population: dict[int, str], clock: FixedClock) -> None:
    link_all(clock=clock)
    queued = ReviewPair.objects.filter(status=ReviewPair.Status.OPEN)
    assert all(0.5 <= r.match_probability < 0.99 or r.reason != ReviewPair.Reason.UNCERTAIN for r in queued)
    here = memberships()
    assert all(here[r.person_a_id] != here[r.person_b_id] for r in queued if r.reason == ReviewPair.Reason.UNCERTAIN)
