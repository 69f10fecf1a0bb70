"""Incremental linkage: an imported record is matched at once, through the records signal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from safetynet.identity.linking import link_persons
from safetynet.identity.models import Membership, ReviewPair
from safetynet.identity.signals import individuals_changed
from safetynet.records.models import Person
from safetynet.records.signals import records_changed
from tests.identity.population import nhs_number


def individual_of(person: Person) -> int:
    return Membership.objects.get(person=person).individual_id


@pytest.mark.django_db(transaction=True)
def test_an_imported_nickname_record_joins_the_existing_individual(person_factory: Callable[..., Person]) -> None:
    kayleigh = person_factory(source="rms", given_names="Kayleigh", family_name="Ashcombe")
    records_changed.send(sender=None, changes={"person": [kayleigh.pk]}, batch_id="b1")
    received: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    individuals_changed.connect(listener)
    try:
        kayley = person_factory(source="mispers", given_names="Kayley", family_name="Ashcombe")
        records_changed.send(sender=None, changes={"person": [kayley.pk]}, batch_id="b2")
    finally:
        individuals_changed.disconnect(listener)

    assert individual_of(kayley) == individual_of(kayleigh)
    assert received and individual_of(kayleigh) in received[-1]["individual_ids"]
    assert Membership.objects.get(person=kayley).method == Membership.Method.MODEL


@pytest.mark.django_db(transaction=True)
def test_a_sibling_with_the_same_birthday_is_not_linked(person_factory: Callable[..., Person]) -> None:
    first = person_factory(given_names="Tamsin", family_name="Quarmby")
    twin = person_factory(given_names="Imogen", family_name="Quarmby", source="csc")
    link_persons([first.pk, twin.pk])
    assert individual_of(first) != individual_of(twin)


@pytest.mark.django_db(transaction=True)
def test_bad_input_never_crashes_and_never_links_on_a_malformed_identifier(
    person_factory: Callable[..., Person],
) -> None:
    good = nhs_number(__import__("random").Random(4))
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    a = person_factory(given_names="Orla", family_name="Lowther", nhs_number=bad, date_of_birth="2010-01-01")
    b = person_factory(
        given_names="Harvey",
        family_name="Denholm",
        nhs_number=bad,
        date_of_birth="2001-07-07",
        sex="male",
        source="health",
    )
    nameless = person_factory(given_names="", family_name="", date_of_birth="2010-01-01", source="csc")
    initials = person_factory(given_names="O", family_name="L", source="education")
    future = person_factory(given_names="Orla", family_name="Lowther", date_of_birth="2031-05-05", source="mispers")
    link_persons([a.pk, b.pk, nameless.pk, initials.pk, future.pk])
    assert Membership.objects.count() == 5
    assert individual_of(a) != individual_of(b)
    assert individual_of(nameless) != individual_of(a)
    assert individual_of(initials) != individual_of(a)


@pytest.mark.django_db(transaction=True)
def test_the_same_identifier_on_clearly_different_people_goes_to_review(
    person_factory: Callable[..., Person],
) -> None:
    shared = nhs_number(__import__("random").Random(9))
    child = person_factory(given_names="Esme", family_name="Yeadon", nhs_number=shared, date_of_birth="2014-02-02")
    adult = person_factory(
        given_names="Lewis",
        family_name="Pogson",
        nhs_number=shared,
        date_of_birth="1960-03-03",
        sex="male",
        source="health",
    )
    link_persons([child.pk, adult.pk])
    assert individual_of(child) != individual_of(adult)
    review = ReviewPair.objects.get()
    assert review.reason == ReviewPair.Reason.IDENTIFIER_CONFLICT
    assert "NHS number" in review.detail and "Esme" not in review.detail


@pytest.mark.django_db(transaction=True)
def test_a_shared_valid_identifier_links_despite_a_different_name(person_factory: Callable[..., Person]) -> None:
    shared = nhs_number(__import__("random").Random(3))
    a = person_factory(given_names="Poppy", family_name="Rawcliffe", nhs_number=shared)
    b = person_factory(given_names="Poppy", family_name="Whiteley", nhs_number=shared, source="health")
    link_persons([a.pk, b.pk])
    assert individual_of(a) == individual_of(b)
    assert Membership.objects.get(person=b).method == Membership.Method.IDENTIFIER


@pytest.mark.django_db(transaction=True)
def test_linking_one_new_record_is_fast(small_population: dict[int, str]) -> None:
    from safetynet.identity.linking import link_all

    link_all()
    newcomer = Person.objects.order_by("pk").last()
    assert newcomer is not None
    copy = Person.objects.create(
        source="newsource",
        source_id="N1",
        recorded_at=newcomer.recorded_at,
        payload={},
        given_names=newcomer.given_names,
        family_name=newcomer.family_name,
        date_of_birth=newcomer.date_of_birth,
        sex=newcomer.sex,
        postcode=newcomer.postcode,
    )
    started = time.perf_counter()
    link_persons([copy.pk])
    elapsed = time.perf_counter() - started
    assert individual_of(copy) == individual_of(newcomer) or not newcomer.given_names
    assert elapsed < 0.5  # generous for CI; the benchmark measures the real figure
