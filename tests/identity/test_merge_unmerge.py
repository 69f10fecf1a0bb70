"""Manual merge and unmerge: reasons required, fully reversible, history kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from safetynet.identity.batch import link_all
from safetynet.identity.linking import link_persons
from safetynet.identity.models import Individual, LinkChange, Membership
from safetynet.identity.services import decide_pair, merge_individuals, unmerge
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person


def state() -> dict[int, tuple[int, str, float | None]]:
    return {
        p: (i, m, prob)
        for p, i, m, prob in Membership.objects.values_list("person_id", "individual_id", "method", "match_probability")
    }


@pytest.mark.django_db(transaction=True)
def test_unmerge_restores_the_exact_earlier_state(person_factory: Callable[..., Person], clock: FixedClock) -> None:
    officer = get_user_model().objects.create(username="inspector")
    a1 = person_factory(given_names="Niamh", family_name="Fenwick")
    a2 = person_factory(given_names="Niamh", family_name="Fenwick", source="csc")
    b1 = person_factory(given_names="Neve", family_name="Varley", date_of_birth="2009-09-09", postcode="BD1 1AA")
    link_persons([a1.pk, a2.pk, b1.pk], clock=clock)
    earlier = state()
    individuals = {i: (r, m) for i, r, m in Individual.objects.values_list("pk", "retired_at", "merged_into")}
    first, second = earlier[a1.pk][0], earlier[b1.pk][0]
    assert first != second

    change = merge_individuals(first, second, acting_user=officer, reason="same child: school confirmed", clock=clock)
    merged = state()
    assert merged[a1.pk][0] == merged[b1.pk][0] == merged[a2.pk][0]
    assert change.kind == LinkChange.Kind.MERGE

    undo = unmerge(change, acting_user=officer, reason="school confirmation was wrong", clock=clock)
    assert state() == earlier
    assert {i: (r, m) for i, r, m in Individual.objects.values_list("pk", "retired_at", "merged_into")} == individuals
    assert undo.undoes_id == change.pk

    link_all(clock=clock)  # a full re-run keeps them apart
    assert state()[a1.pk][0] != state()[b1.pk][0]


@pytest.mark.django_db(transaction=True)
def test_merge_and_decisions_need_a_reason(person_factory: Callable[..., Person], clock: FixedClock) -> None:
    officer = get_user_model().objects.create(username="sergeant")
    a = person_factory(given_names="Ruby", family_name="Haigh")
    b = person_factory(given_names="Zara", family_name="Judson", date_of_birth="2001-01-01")
    link_persons([a.pk, b.pk], clock=clock)
    with pytest.raises(ValidationError):
        merge_individuals(state()[a.pk][0], state()[b.pk][0], acting_user=officer, reason=" ", clock=clock)
    with pytest.raises(ValidationError):
        decide_pair((a, b), True, acting_user=officer, reason="", clock=clock)


@pytest.mark.django_db(transaction=True)
def test_same_person_decision_links_records_the_model_kept_apart(
    person_factory: Callable[..., Person], clock: FixedClock
) -> None:
    reviewer = get_user_model().objects.create(username="mash")
    a = person_factory(given_names="Jasmine", family_name="Kershaw", date_of_birth="2012-01-01")
    b = person_factory(given_names="Jaz", family_name="Midgley", date_of_birth="2012", postcode="", source="csc")
    link_persons([a.pk, b.pk], clock=clock)
    assert state()[a.pk][0] != state()[b.pk][0]
    decide_pair((a, b), True, acting_user=reviewer, reason="carer confirmed alias", clock=clock)
    assert state()[a.pk][0] == state()[b.pk][0]
    assert state()[b.pk][1] == Membership.Method.DECISION or state()[a.pk][1] == Membership.Method.DECISION
    link_all(clock=clock)
    assert state()[a.pk][0] == state()[b.pk][0]
