"""Person search reads little and scores little, and finds what scoring every record would."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from typing import Any

import pytest

from safetynet.identity import search as services
from safetynet.identity.blocking import refresh_features, stored_features
from safetynet.identity.features import index_keys
from safetynet.identity.linkmodel import load_model, probability_from_weight
from safetynet.identity.models import BlockingKey, Membership
from safetynet.identity.search import SearchResult, search_individuals
from safetynet.identity.services import assign_singletons
from safetynet.lib.clock import system_clock
from safetynet.records.models import Person


def _every_record_scored(
    query: str, dob: str | None, identifier: str | None, postcode: str | None, limit: int
) -> list[SearchResult]:
    """The search as it was before it was made fast: every record sharing an index key with
    the search fully scored."""
    tokens = query.split()
    if len(tokens) >= 2:  # either order: "Forename Surname" or "Surname Forename"
        today = system_clock.now().date()
        probes = [
            services._probe(" ".join(tokens[:-1]), tokens[-1], dob, identifier, postcode, today),
            services._probe(" ".join(tokens[1:]), tokens[0], dob, identifier, postcode, today),
        ]
    else:
        probes = [services._probe("", tokens[0], dob, identifier, postcode, system_clock.now().date())]
        probes.append(services._probe(tokens[0], "", dob, identifier, postcode, system_clock.now().date()))
    keys = {k for p in probes for k in index_keys(p)}
    model = load_model()
    home = dict(Membership.objects.values_list("person_id", "individual_id"))
    candidates = set(BlockingKey.objects.filter(key__in=keys).values_list("person_id", flat=True))
    best: dict[int, tuple[float, int]] = {}
    for pid, f in sorted(stored_features(candidates).items()):
        score = max(services._search_score(model, p, f) for p in probes)
        if home[pid] not in best or score > best[home[pid]][0]:
            best[home[pid]] = (score, pid)
    ranked = sorted(((s, p, i) for i, (s, p) in best.items() if s > 0), key=lambda r: (-r[0], r[1]))
    return [SearchResult(i, p, round(s, 3), probability_from_weight(s)) for s, p, i in ranked[:limit]]


@pytest.fixture
def indexed(small_population: dict[int, str]) -> list[Person]:
    refresh_features(None, dt.date(2026, 3, 2))
    assign_singletons()
    return list(Person.objects.order_by("pk"))


def _queries(people: list[Person]) -> list[tuple[str, str | None, str | None, str | None]]:
    rng = random.Random(3)
    found: list[tuple[str, str | None, str | None, str | None]] = []
    for person in rng.sample(people, 25):
        given, family = person.given_names or "Sam", person.family_name or "Quarmby"
        typo = given[:2] + given[3:] if len(given) > 4 else given
        found += [
            (f"{typo} {family}", None, None, None),
            (family, None, None, None),
            (given, None, None, None),
            (f"{given} {family}", person.date_of_birth[:4] or None, None, None),
            (f"{typo} {family}", person.date_of_birth or None, None, person.postcode or None),
            (family, None, person.nhs_number or person.upn or None, None),
        ]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("batch", [5, services.SEARCH_SCORE_BATCH])
def test_search_finds_what_scoring_every_record_would_find(
    indexed: list[Person], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small rounds: stopping early is exercised.
    monkeypatch.setattr(services, "SEARCH_SCORE_BATCH", batch)
    monkeypatch.setattr(services, "SEARCH_LOOKUP_MIN", 1 if batch < 10 else services.SEARCH_LOOKUP_MIN)
    for query, dob, identifier, postcode in _queries(indexed):
        for limit in (1, 3, 20):
            expected = _every_record_scored(query, dob, identifier, postcode, limit)
            found = search_individuals(query, dob=dob, identifier=identifier, postcode=postcode, limit=limit)
            assert found == expected, (
                query,
                dob,
                identifier,
                postcode,
            )


@pytest.mark.django_db
def test_a_name_search_costs_two_queries_however_many_namesakes(
    indexed: list[Person], django_assert_max_num_queries: Any
) -> None:
    person = indexed[0]
    # Candidates with their names; the individuals of those that can be results. The model
    # file is read once per process, not per search.
    with django_assert_max_num_queries(2):
        assert search_individuals(f"{person.given_names} {person.family_name}")


@pytest.mark.django_db
def test_a_search_with_a_date_of_birth_scores_only_records_that_could_be_results(
    indexed: list[Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    person = next(p for p in indexed if p.date_of_birth)
    scored: list[int] = []
    real = services._search_score

    def counting(model: Any, probe: Any, record: Any) -> float:
        scored.append(record["unique_id"])
        return real(model, probe, record)

    monkeypatch.setattr(services, "_search_score", counting)
    monkeypatch.setattr(services, "SEARCH_SCORE_BATCH", 5)
    found = search_individuals(person.family_name, dob=person.date_of_birth, limit=3)
    assert found
    assert len(set(scored)) < Person.objects.count() / 4


@pytest.mark.django_db
def test_the_migration_gives_existing_records_the_name_text_search_reads(indexed: list[Person]) -> None:
    from django.apps import apps
    from django.db import connection

    from safetynet.identity.features import search_name
    from safetynet.identity.models import LinkFeatures

    fill = importlib.import_module("safetynet.identity.migrations.0004_linkfeatures_search_name").fill
    written = dict(LinkFeatures.objects.values_list("person_id", "search_name"))
    LinkFeatures.objects.update(search_name="")

    class Editor:
        quote_name = staticmethod(connection.ops.quote_name)

    Editor.connection = connection  # type: ignore[attr-defined]
    fill(apps, Editor())
    refilled = dict(LinkFeatures.objects.values_list("person_id", "search_name"))
    assert refilled == written
    assert all(search_name(f) == refilled[pid] for pid, f in stored_features(refilled).items())
