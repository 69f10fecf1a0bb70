"""Explanations (waterfall) and person search served by the blocking index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from safetynet.identity.blocking import refresh_features
from safetynet.identity.explain import explain_link, explain_links
from safetynet.identity.linking import link_persons
from safetynet.identity.models import Membership
from safetynet.identity.search import search_individuals
from safetynet.identity.services import assign_singletons, decide_pair
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person


@pytest.mark.django_db
def test_explanation_shows_each_comparison_weight(person_factory: Callable[..., Person]) -> None:
    a = person_factory(given_names="Kayleigh", family_name="Ashcombe", postcode="LS6 2QT")
    b = person_factory(given_names="Kayley", family_name="Ashcombe", postcode="HX1 4RT", source="mispers")
    explanation = explain_link(a, b)
    steps = {s.comparison: s for s in explanation.steps}
    assert steps["name"].level == "nickname or alias" and steps["name"].weight > 5
    assert steps["dob"].level == "same date of birth" and steps["dob"].weight > 5
    assert steps["postcode"].level == "different postcode" and steps["postcode"].weight < 0
    assert 0.5 < explanation.probability < 0.99  # a moved child with a nickname: for review
    assert explanation.waterfall[0][0] == "prior"
    assert abs(sum(w for _c, _l, w in explanation.waterfall) - explanation.match_weight) < 1e-9
    assert "nickname or alias +" in explanation.describe()


@pytest.mark.django_db(transaction=True)
def test_search_tolerates_typos_and_nicknames(person_factory: Callable[..., Person]) -> None:
    target = person_factory(given_names="Katherine", family_name="Illingworth", date_of_birth="2011-06-15")
    other = person_factory(given_names="Mason", family_name="Ormerod", date_of_birth="2008-02-01", sex="male")
    link_persons([target.pk, other.pk])
    home = Membership.objects.get(person=target).individual_id

    for query, dob in (("Kate Illingworth", None), ("Katherine Ilingworth", "2011"), ("illingworth", None)):
        results = search_individuals(query, dob=dob)
        assert results and results[0].individual_id == home, query
    assert all(r.individual_id != home for r in search_individuals("Mason Ormerod"))
    assert search_individuals("") == []


@pytest.mark.django_db
def test_explaining_many_links_at_once_says_what_explaining_each_says_in_two_queries(
    person_factory: Callable[..., Person], django_assert_max_num_queries: Any
) -> None:
    anchor = person_factory(given_names="Kayleigh", family_name="Ashcombe", postcode="LS6 2QT")
    others = [
        person_factory(given_names="Kayley", family_name="Ashcombe", postcode="HX1 4RT", source="mispers"),
        person_factory(given_names="Kayleigh", family_name="Ashcomb", date_of_birth="2012-09-04", source="csc"),
        person_factory(given_names="Mason", family_name="Ormerod", sex="male", source="health"),
    ]
    refresh_features(None, dt.date(2026, 3, 2))
    assign_singletons()
    decide_pair((anchor, others[2]), False, acting_user=None, reason="different children")
    with django_assert_max_num_queries(2):
        together = explain_links(anchor, others)
    assert together == {o.pk: explain_link(anchor, o) for o in others}
    assert together[others[2].pk].decision == "not same"


@pytest.mark.django_db(transaction=True)
def test_search_judges_a_date_of_birth_by_the_clock_in_force(person_factory: Callable[..., Person]) -> None:
    target = person_factory(given_names="Katherine", family_name="Illingworth", date_of_birth="2011-06-15")
    link_persons([target.pk])
    found = search_individuals("Katherine Illingworth", dob="2011-06-15")
    # On a screen pinned to 2010 the date of birth is in the future: no evidence either way,
    # so the record scores on its name alone (lower than with the date of birth agreeing).
    with override_settings(SAFETYNET_CLOCK=FixedClock(dt.datetime(2010, 1, 1, tzinfo=dt.UTC))):
        pinned = search_individuals("Katherine Illingworth", dob="2011-06-15")
    assert found and pinned and found[0].individual_id == pinned[0].individual_id
    assert pinned[0].score < found[0].score
