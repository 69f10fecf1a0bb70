"""An invented little world for the web tests: one child known to three systems, an adult
associate, places, events of several types, markers, orders, plans, and a child whose
recorded names are markup, to prove every page shows text and never runs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from safetynet.accounts.services import create_user_with_role
from safetynet.identity.blocking import refresh_features
from safetynet.identity.models import Individual, Membership
from safetynet.records.models import (
    Event,
    Location,
    Marker,
    Order,
    Participation,
    Person,
    Plan,
    Relationship,
)

PASSWORD = "an-invented-password-for-tests"
RECORDED = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
SCRIPT_NAME = "<script>alert('x')</script>"
MARKUP_NAME = '<b onmouseover="alert(1)">Bold</b>'


@dataclass
class World:
    officer: AbstractBaseUser
    child: Individual  # "Kayleigh Testperson", known to rms, mispers and csc
    adult: Individual
    markup_child: Individual
    missing_event: Event
    incident: Event
    event_count: int


def _person(source: str, source_id: str, **fields: object) -> Person:
    return Person.objects.create(source=source, source_id=source_id, recorded_at=RECORDED, payload={}, **fields)


def _individual(*people: Person, method: str = Membership.Method.MODEL, probability: float | None = 0.97) -> Individual:
    individual = Individual.objects.create()
    for i, person in enumerate(people):
        Membership.objects.create(
            person=person,
            individual=individual,
            method=Membership.Method.SINGLETON if len(people) == 1 else method,
            match_probability=None if (len(people) == 1 or i == 0) else probability,
        )
    return individual


def _event(source: str, source_id: str, event_type: str, when: dt.datetime, **fields: object) -> Event:
    return Event.objects.create(
        source=source,
        source_id=source_id,
        recorded_at=RECORDED,
        payload={},
        event_type=event_type,
        occurred_at=when,
        **fields,
    )


def build_world(extra_events: int = 30) -> World:
    officer = create_user_with_role(
        acting_user=None,
        username="sgt.invented",
        password=PASSWORD,
        role="sergeant",
        first_name="Sam",
        last_name="Sergeant",
    )
    home = Location.objects.create(
        source="rms",
        source_id="L1",
        recorded_at=RECORDED,
        payload={},
        address_lines=["1 Invented Road"],
        town="Testtown",
        postcode="TT1 1AA",
        location_type=Location.LocationType.HOME,
    )
    hotel = Location.objects.create(
        source="rms",
        source_id="L2",
        recorded_at=RECORDED,
        payload={},
        address_lines=["Station Hotel"],
        town="Testtown",
        postcode="TT1 9ZZ",
        location_type=Location.LocationType.HOTEL,
    )
    rms = _person(
        "rms",
        "P1",
        given_names="Kayleigh",
        family_name="Testperson",
        date_of_birth="2011-04-23",
        dob=dt.date(2011, 4, 23),
        birth_year=2011,
        sex="female",
        postcode="TT1 1AA",
        identifiers={"pnc_id": "11/123456X"},
        pnc_id="11/123456X",
        care_status="looked_after",
    )
    mispers = _person(
        "mispers",
        "M7",
        given_names="Kayley",
        family_name="Testperson",
        date_of_birth="2011-04-23",
        dob=dt.date(2011, 4, 23),
        birth_year=2011,
        sex="female",
        other_names=["Kay"],
    )
    csc = _person(
        "csc",
        "C3",
        given_names="Kayleigh",
        family_name="Test-Person",
        date_of_birth="2011-04",
        birth_year=2011,
        sex="female",
        identifiers={"csc_id": "CSC0042"},
        csc_id="CSC0042",
    )
    child = _individual(rms, mispers, csc)
    adult_p = _person(
        "rms",
        "P2",
        given_names="Darren",
        family_name="Madeup",
        date_of_birth="1990-02-01",
        dob=dt.date(1990, 2, 1),
        birth_year=1990,
        sex="male",
    )
    adult = _individual(adult_p)
    script_p = _person(
        "rms",
        "P3",
        given_names=SCRIPT_NAME,
        family_name=MARKUP_NAME,
        date_of_birth="2012-01-01",
        dob=dt.date(2012, 1, 1),
        birth_year=2012,
        sex="male",
    )
    markup_child = _individual(script_p)

    Relationship.objects.create(
        source="rms",
        source_id="R1",
        recorded_at=RECORDED,
        payload={},
        person_a=adult_p,
        person_b=rms,
        rel_type=Relationship.RelType.ASSOCIATE_OF,
        valid_from=dt.date(2025, 6, 1),
    )
    Relationship.objects.create(
        source="rms",
        source_id="R2",
        recorded_at=RECORDED,
        payload={},
        person_a=script_p,
        person_b=rms,
        rel_type=Relationship.RelType.ASSOCIATE_OF,
    )
    Marker.objects.create(
        source="rms",
        source_id="MK1",
        recorded_at=RECORDED,
        payload={},
        person=rms,
        marker_type=Marker.MarkerType.CSE_RISK,
        valid_from=dt.date(2025, 9, 1),
    )
    order = Order.objects.create(
        source="rms",
        source_id="O1",
        recorded_at=RECORDED,
        payload={},
        subject=adult_p,
        order_type=Order.OrderType.CAWN,
        valid_from=dt.date(2025, 10, 1),
    )
    order.protected.add(rms)
    Plan.objects.create(
        source="mispers",
        source_id="PL1",
        recorded_at=RECORDED,
        payload={},
        person=mispers,
        plan_type=Plan.PlanType.TRIGGER_PLAN,
        created_on=dt.date(2025, 8, 1),
        content="Check the Station Hotel first. " + SCRIPT_NAME,
    )

    missing = _event(
        "mispers",
        "E1",
        Event.EventType.MISSING_REPORT,
        dt.datetime(2025, 12, 20, 22, 0, tzinfo=dt.UTC),
        location=home,
        summary="Missing from care overnight. " + MARKUP_NAME,
        details={
            "missing_from": "care",
            "initial_risk": "medium",
            "risk_rationale": "Known to go to the hotel",
            "reviews": [{"at": "2025-12-21T02:00:00Z", "by": "Insp Invented", "risk": "high"}],
            "found_location": {"source": "rms", "id": "L2"},
            "returned_of_own_accord": False,
        },
    )
    Participation.objects.create(event=missing, person=mispers, role=Participation.Role.MISSING_PERSON)
    incident = _event(
        "rms",
        "E2",
        Event.EventType.INCIDENT,
        dt.datetime(2025, 12, 21, 3, 0, tzinfo=dt.UTC),
        location=hotel,
        summary="Child found with an adult male at a hotel.",
        details={"thrive": {"threat": "high", "grade": "emergency"}, "children_present": True},
    )
    Participation.objects.create(event=incident, person=rms, role=Participation.Role.VICTIM)
    Participation.objects.create(event=incident, person=adult_p, role=Participation.Role.SUSPECT)
    incident.linked_events.add(missing)
    for i in range(2):
        together = _event(
            "rms",
            f"E3{i}",
            Event.EventType.INTELLIGENCE,
            dt.datetime(2025, 11, 1 + i, 20, 0, tzinfo=dt.UTC),
            location=hotel,
            summary="Seen together.",
        )
        Participation.objects.create(event=together, person=rms, role=Participation.Role.CO_LOCATED)
        Participation.objects.create(event=together, person=adult_p, role=Participation.Role.CO_LOCATED)
    for i in range(extra_events):
        older = _event(
            "csc",
            f"E9{i:03d}",
            Event.EventType.REFERRAL,
            dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=7 * i),
            summary=f"Referral number {i}",
            details={"concern": ["neglect"], "referrer": "school"},
        )
        Participation.objects.create(event=older, person=csc, role=Participation.Role.SUBJECT)
    script_event = _event(
        "rms",
        "E4",
        Event.EventType.CRIME,
        dt.datetime(2025, 5, 5, 5, 0, tzinfo=dt.UTC),
        summary=SCRIPT_NAME,
        details={"offence": MARKUP_NAME},
    )
    Participation.objects.create(event=script_event, person=script_p, role=Participation.Role.VICTIM)
    # The identity app's blocking index, which search reads.
    refresh_features(None, dt.date(2026, 3, 2))
    return World(officer, child, adult, markup_child, missing, incident, event_count=4 + extra_events)
