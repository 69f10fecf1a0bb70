"""Fixtures for identity tests: invented people written through the ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from safetynet.records.models import Person
from tests.identity.population import SourcePerson, generate

RECORDED = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def make_person(**fields: Any) -> Person:
    """Create a live person record; unspecified fields get invented defaults."""
    defaults: dict[str, Any] = {
        "source": "rms",
        "source_id": f"T{Person.objects.count() + 1:06d}",
        "recorded_at": RECORDED,
        "payload": {},
        "given_names": "Tamsin",
        "family_name": "Quarmby",
        "date_of_birth": "2012-04-09",
        "sex": "female",
        "postcode": "LS6 2QT",
    }
    defaults.update(fields)
    dob = defaults["date_of_birth"]
    if dob and "birth_year" not in fields and dob[:4].isdigit():
        defaults["birth_year"] = int(dob[:4])
    return Person.objects.create(**defaults)


@pytest.fixture
def person_factory(db: Any) -> Callable[..., Person]:
    return make_person


def load_population(records: list[SourcePerson]) -> dict[int, str]:
    """Write the records as Person rows; return person pk -> true person key."""
    rows = [Person(recorded_at=RECORDED, payload={}, **r.as_person_fields()) for r in records]
    Person.objects.bulk_create(rows, batch_size=1000)
    by_ref = {(r.source, r.source_id): r.truth for r in records}
    return {pk: by_ref[(s, i)] for pk, s, i in Person.objects.values_list("pk", "source", "source_id")}


@pytest.fixture
def small_population(db: Any) -> dict[int, str]:
    """About 350 invented records in 60 households; returns person pk -> true person."""
    return load_population(generate(60, seed=5))
