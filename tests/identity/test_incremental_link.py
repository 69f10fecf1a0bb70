"""Incremental linkage: an imported record is matched at once, through the records signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from safetynet.identity.linking import link_persons
from safetynet.identity.models import LinkChange, Membership, PairDecision, ReviewPair
from safetynet.identity.signals import individuals_changed
from safetynet.records.models import Person
from safetynet.records.signals import records_changed
from tests.identity.conftest import RECORDED
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


def _correct(person: Person, **fields: Any) -> None:
    """The source sends a corrected version of the record."""
    for name, value in fields.items():
        setattr(person, name, value)
    if "date_of_birth" in fields:
        person.birth_year = int(fields["date_of_birth"][:4])
    person.save()
    link_persons([person.pk])


@pytest.mark.django_db(transaction=True)
def test_a_corrected_record_that_no_longer_matches_leaves_its_individual(
    person_factory: Callable[..., Person],
) -> None:
    rms = person_factory(source="rms", given_names="Kayleigh", family_name="Ashcombe")
    mispers = person_factory(source="mispers", given_names="Kayley", family_name="Ashcombe")
    csc = person_factory(source="csc", given_names="Kayleigh", family_name="Ashcombe")
    link_persons([rms.pk, mispers.pk, csc.pk])
    family = individual_of(rms)
    assert individual_of(mispers) == individual_of(csc) == family

    _correct(mispers, given_names="Bradley", family_name="Okonjo", date_of_birth="1988-11-30", sex="male")

    assert individual_of(rms) == individual_of(csc) == family  # the others keep the child's id
    assert individual_of(mispers) != family
    change = LinkChange.objects.order_by("-pk").first()
    assert change is not None and change.kind == LinkChange.Kind.SPLIT
    assert change.from_individuals == [family] and str(mispers.pk) in change.before


@pytest.mark.django_db(transaction=True)
def test_a_corrected_record_moves_to_the_individual_it_now_matches_without_merging_the_old_one(
    person_factory: Callable[..., Person],
) -> None:
    kayleigh = person_factory(source="rms", given_names="Kayleigh", family_name="Ashcombe")
    kayley = person_factory(source="mispers", given_names="Kayley", family_name="Ashcombe")
    jordan = person_factory(
        source="csc", given_names="Jordan", family_name="Whitlock", date_of_birth="2009-02-17", sex="male"
    )
    link_persons([kayleigh.pk, kayley.pk, jordan.pk])
    girl, boy = individual_of(kayleigh), individual_of(jordan)
    assert individual_of(kayley) == girl != boy

    _correct(
        kayley, given_names="Jordan", family_name="Whitlock", date_of_birth="2009-02-17", sex="male", postcode="LS6 2QT"
    )

    assert individual_of(kayley) == individual_of(jordan) == boy
    assert individual_of(kayleigh) == girl  # not merged with the boy through the moved record


@pytest.mark.django_db(transaction=True)
def test_a_same_person_decision_keeps_a_corrected_record_in_its_individual(
    person_factory: Callable[..., Person],
) -> None:
    rms = person_factory(source="rms", given_names="Kayleigh", family_name="Ashcombe")
    mispers = person_factory(source="mispers", given_names="Kayley", family_name="Ashcombe")
    link_persons([rms.pk, mispers.pk])
    a, b = sorted([rms.pk, mispers.pk])
    PairDecision.objects.create(person_a_id=a, person_b_id=b, same=True, reason="reviewed", decided_at=RECORDED)

    _correct(mispers, given_names="Kay", family_name="Okonjo", date_of_birth="2012-09-04")

    assert individual_of(mispers) == individual_of(rms)


@pytest.mark.django_db(transaction=True)
def test_linking_one_new_record_costs_a_bounded_number_of_queries(
    small_population: dict[int, str], django_assert_max_num_queries: Any
) -> None:
    """The time to link one record is measured by bench/bench_identity.py; here its work is
    bounded, so a per-candidate query (which would grow with the population) fails."""
    from safetynet.identity.batch import link_all

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
    with django_assert_max_num_queries(60):
        link_persons([copy.pk])
    assert individual_of(copy) == individual_of(newcomer) or not newcomer.given_names
