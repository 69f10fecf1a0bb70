"""A small world of invented records written through the ORM, and evaluation helpers."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from safetynet.identity.models import Individual, Membership
from safetynet.records import models as rm
from safetynet.risk.policy import current_policy
from safetynet.risk.rules import FindingDraft
from safetynet.risk.services import evaluate_individual

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
EARLY = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_ids = itertools.count(1)


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def iso(at: dt.datetime) -> str:
    return at.isoformat()


class World:
    """Builds invented people and records; every record is recorded long before NOW unless told."""

    def person(
        self, age: float | None = 14, *, source: str = "rms", individual: Individual | None = None, **fields: Any
    ) -> rm.Person:
        n = next(_ids)
        dob = (NOW - dt.timedelta(days=age * 365.25)).date() if age is not None else None
        person = rm.Person.objects.create(
            source=source,
            source_id=f"P{n:06d}",
            recorded_at=fields.pop("recorded_at", EARLY),
            payload={},
            dob=dob,
            date_of_birth=dob.isoformat() if dob else "",
            birth_year=dob.year if dob else None,
            self_defined_ethnicity=fields.pop("ethnicity", "W1"),
            **fields,
        )
        individual = individual or Individual.objects.create()
        Membership.objects.create(person=person, individual=individual)
        return person

    def child(self, age: float = 14, **fields: Any) -> rm.Person:
        return self.person(age, **fields)

    def adult(self, age: float = 35, **fields: Any) -> rm.Person:
        return self.person(age, **fields)

    def location(self, location_type: str = "home") -> rm.Location:
        n = next(_ids)
        return rm.Location.objects.create(
            source="gazetteer", source_id=f"L{n:06d}", recorded_at=EARLY, payload={}, location_type=location_type
        )

    def home(self, person: rm.Person, location: rm.Location) -> None:
        rm.PersonAddress.objects.create(person=person, location=location, kind="home")

    def event(
        self,
        event_type: str,
        at: dt.datetime,
        participants: list[tuple[rm.Person, str]] = (),  # type: ignore[assignment]
        *,
        details: dict[str, Any] | None = None,
        summary: str = "",
        recorded_at: dt.datetime | None = None,
        reported_at: dt.datetime | None = None,
        linked: list[rm.Event] = (),  # type: ignore[assignment]
        location: rm.Location | None = None,
        source: str = "rms",
        recorded_by: dict[str, Any] | None = None,
    ) -> rm.Event:
        n = next(_ids)
        event = rm.Event.objects.create(
            source=source,
            source_id=f"E{n:06d}",
            recorded_at=recorded_at or at,
            payload={},
            event_type=event_type,
            occurred_at=at,
            reported_at=reported_at,
            summary=summary,
            details=details or {},
            location=location,
            recorded_by=recorded_by,
        )
        for person, role in participants:
            rm.Participation.objects.create(event=event, person=person, role=role)
        for other in linked:
            event.linked_events.add(other)
        return event

    def relationship(self, a: rm.Person, b: rm.Person, rel_type: str) -> rm.Relationship:
        n = next(_ids)
        return rm.Relationship.objects.create(
            source="rms",
            source_id=f"R{n:06d}",
            recorded_at=EARLY,
            payload={},
            person_a=a,
            person_b=b,
            rel_type=rel_type,
        )

    def marker(self, person: rm.Person, marker_type: str, linked: rm.Person | None = None) -> rm.Marker:
        n = next(_ids)
        return rm.Marker.objects.create(
            source="rms",
            source_id=f"M{n:06d}",
            recorded_at=EARLY,
            payload={},
            person=person,
            marker_type=marker_type,
            linked_person=linked,
        )

    def order(self, order_type: str, subject: rm.Person, protected: list[rm.Person]) -> rm.Order:
        n = next(_ids)
        order = rm.Order.objects.create(
            source="rms", source_id=f"O{n:06d}", recorded_at=EARLY, payload={}, order_type=order_type, subject=subject
        )
        order.protected.set(protected)
        return order

    def plan(self, plan_type: str, person: rm.Person, created: dt.date, review_due: dt.date | None = None) -> rm.Plan:
        n = next(_ids)
        return rm.Plan.objects.create(
            source="mispers",
            source_id=f"PL{n:06d}",
            recorded_at=dt.datetime.combine(created, dt.time(), dt.UTC),
            payload={},
            plan_type=plan_type,
            person=person,
            created_on=created,
            review_due=review_due,
        )

    def findings(self, person: rm.Person, clause: str | None = None, as_of: dt.datetime = NOW) -> list[FindingDraft]:
        """The findings for the person's individual as of `as_of` (default NOW), optionally one clause."""
        individual = person.membership.individual_id
        drafts = evaluate_individual(individual, as_of=as_of, policy=current_policy()).drafts
        return [d for d in drafts if clause is None or d.clause == clause]


def ref(record: rm.SourceRecord) -> tuple[str, str]:
    return (record.source, record.source_id)


@pytest.fixture
def world(db: Any) -> World:
    return World()
