"""The invented worlds the screen, API, access and audit tests share (fixtures in
tests/conftest.py), with the helpers that build them and sign their users in.

- `build_world` (fixture `world`): one child known to three systems, an adult associate,
  places, events of several types, markers, orders, plans, and a child whose recorded names
  are markup, to prove every page shows text and never runs it; a sergeant to look at them.
- `build_access_world` (fixture `access_world`): a school, children known to different
  agencies, secret content of each restricted kind, and one user per role. Secret strings are
  distinctive so a test can search any response for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safetynet.access.roles import Role
from safetynet.accounts.services import create_team, create_user_with_role, ensure_agencies, restrict_individual
from safetynet.identity.blocking import refresh_features
from safetynet.identity.models import Individual, Membership
from safetynet.lib.clock import FixedClock
from safetynet.records.models import (
    Event,
    Location,
    Marker,
    Order,
    Organisation,
    Participation,
    Person,
    Plan,
    Relationship,
)
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks

PASSWORD = "an-invented-password-for-tests"
RECORDED = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
SCRIPT_NAME = "<script>alert('x')</script>"
MARKUP_NAME = '<b onmouseover="alert(1)">Bold</b>'
INTEL_TEXT = "INTELTEXTSECRET seen with an older male"
HANDLING_C_TEXT = "HANDLINGCSECRET conditions apply"
HEALTH_TEXT = "HEALTHSECRET seen by the school nurse"
INCIDENT_TEXT = "Police attended a domestic incident at the home"


def sign_in(client: Client, user: Any, *, second_factor: bool = True) -> Client:
    """Sign `user` in on `client`; with `second_factor`, as if they had entered a valid code."""
    client.force_login(user)
    if second_factor:
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


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


# --- the agencies' world -------------------------------------------------------------


@dataclass
class AccessWorld:
    users: dict[str, Any]
    pupil: Individual  # known to police, CSC, health and education; attends the school
    police_only: Individual  # known only to police
    restricted: Individual  # known to police; restricted to one named sergeant
    named_sergeant: Any
    incident: Event
    intelligence: Event
    handling_c: Event
    health_event: Event
    custody: Event
    totp_device_pk: int
    events: dict[str, Event] = field(default_factory=dict)


def _subject_event(source: str, source_id: str, event_type: str, person: Person, **fields: Any) -> Event:
    event = Event.objects.create(
        source=source,
        source_id=source_id,
        recorded_at=RECORDED,
        payload={"secret_copy": fields.get("summary", "")},
        event_type=event_type,
        occurred_at=RECORDED,
        **fields,
    )
    Participation.objects.create(event=event, person=person, role=Participation.Role.SUBJECT)
    return event


def invented_finding(
    individual: Individual,
    clause: str,
    *,
    owner_role: str,
    reason: str,
    at: dt.datetime,
    cites: Sequence[tuple[str, str]] = (),
    fingerprint: str | None = None,
    due_in: dt.timedelta | None = dt.timedelta(hours=4),
) -> Finding:
    """A high finding of `clause` about `individual` citing `cites` ((source, id) pairs), as the
    engine would store it, with an invented `reason`."""
    return Finding.objects.create(
        fingerprint=fingerprint or f"world-{clause}-{individual.pk}",
        individual=individual,
        clause=clause,
        severity="high",
        reason=reason,
        cites=[{"source": s, "id": i} for s, i in cites],
        key={"source": cites[0][0], "id": cites[0][1]} if cites else None,
        owner_role=owner_role,
        due_by=None if due_in is None else at + due_in,
        policy_version="test",
        raised_at=at,
        evaluated_at=at,
    )


def open_task(individual: Individual, *, clause: str, owner_role: str, at: dt.datetime) -> Task:
    """A finding of `clause` owned by `owner_role` about `individual`, raised at `at`, and the
    task the work sync makes of it."""
    invented_finding(
        individual,
        clause,
        owner_role=owner_role,
        reason=f"An invented {clause} finding.",
        at=at,
        due_in=dt.timedelta(hours=1),
    )
    sync_tasks(clock=FixedClock(at))
    return Task.objects.get(individual=individual, finding__clause=clause)


def build_access_world() -> AccessWorld:
    school = Organisation.objects.create(
        source="education", source_id="SCH1", recorded_at=RECORDED, payload={}, name="Invented Academy"
    )
    agencies = ensure_agencies(acting_user=None)
    school_team = create_team(
        acting_user=None,
        agency=agencies["education"],
        code="invented-academy",
        name="Invented Academy DSLs",
        organisation_id=school.pk,
    )
    users: dict[str, Any] = {}
    for i, role in enumerate(Role.values):
        users[role] = create_user_with_role(
            acting_user=None,
            username=f"tester{i:02d}",
            password=PASSWORD,
            role=role,
            team=school_team if role == Role.PARTNER_EDUCATION else None,
        )
    named_sergeant = create_user_with_role(acting_user=None, username="tester99", password=PASSWORD, role=Role.SERGEANT)

    rms = _person("rms", "P1", given_names="Alexa", family_name="Inventedchild", date_of_birth="2012-05-01")
    csc = _person("csc", "C1", given_names="Alexa", family_name="Inventedchild", date_of_birth="2012-05-01")
    health = _person("health", "H1", given_names="Alexa", family_name="Inventedchild", date_of_birth="2012-05-01")
    edu = _person(
        "education", "E1", given_names="Alexa", family_name="Inventedchild", date_of_birth="2012-05-01", school=school
    )
    pupil = _individual(rms, csc, health, edu, method=Membership.Method.SINGLETON, probability=None)
    other = _person("rms", "P2", given_names="Brody", family_name="Policeonly", date_of_birth="2010-02-02")
    police_only = _individual(other, method=Membership.Method.SINGLETON, probability=None)
    secret = _person("rms", "P3", given_names="Casey", family_name="Restrictedchild", date_of_birth="2011-03-03")
    restricted = _individual(secret, method=Membership.Method.SINGLETON, probability=None)
    restrict_individual(
        acting_user=named_sergeant, individual=restricted, reason_code="sensitive_investigation", named_users=[]
    )

    incident = _subject_event("rms", "EV1", "incident", rms, summary=INCIDENT_TEXT, details={"domestic_abuse": True})
    intelligence = _subject_event(
        "rms",
        "EV2",
        "intelligence",
        rms,
        summary=INTEL_TEXT,
        details={"grading": {"source": 2, "assessment": "B", "handling": "P"}, "text": INTEL_TEXT},
    )
    handling_c = _subject_event(
        "rms",
        "EV3",
        "intelligence",
        rms,
        summary=HANDLING_C_TEXT,
        details={"grading": {"source": 1, "assessment": "A", "handling": "C"}, "text": HANDLING_C_TEXT},
    )
    health_event = _subject_event(
        "health", "HV1", "referral", health, summary=HEALTH_TEXT, details={"concern": ["other"]}
    )
    custody = _subject_event(
        "rms",
        "EV4",
        "custody",
        rms,
        summary="Detained overnight",
        details={"arrested_at": "2026-01-04T20:00:00Z", "healthcare_seen_at": "2026-01-04T23:59:00Z"},
    )
    police_event = _subject_event("rms", "EV5", "incident", other, summary="Another child's incident")
    restricted_event = _subject_event("rms", "EV6", "incident", secret, summary="Restricted child's incident")
    Marker.objects.create(
        source="health",
        source_id="MH1",
        recorded_at=RECORDED,
        payload={},
        person=health,
        marker_type=Marker.MarkerType.MENTAL_HEALTH,
    )
    Marker.objects.create(
        source="rms",
        source_id="MK1",
        recorded_at=RECORDED,
        payload={},
        person=rms,
        marker_type=Marker.MarkerType.CSE_RISK,
    )
    refresh_features(None, dt.date(2026, 3, 2))  # so name search finds them
    device = TOTPDevice.objects.create(user=users[Role.SYSTEM_ADMINISTRATOR], name="phone", confirmed=True)
    return AccessWorld(
        users=users,
        totp_device_pk=device.pk,
        pupil=pupil,
        police_only=police_only,
        restricted=restricted,
        named_sergeant=named_sergeant,
        incident=incident,
        intelligence=intelligence,
        handling_c=handling_c,
        health_event=health_event,
        custody=custody,
        events={"police_only": police_event, "restricted": restricted_event},
    )


def _missing_episode(person: Person, n: int, when: dt.datetime, *, found: dt.datetime | None, in_details: bool) -> None:
    details = {"found_at": found.isoformat().replace("+00:00", "Z")} if found and in_details else {}
    event = Event.objects.create(
        source="mispers",
        source_id=f"EP{n}",
        recorded_at=RECORDED,
        payload={},
        event_type=Event.EventType.MISSING_REPORT,
        occurred_at=when,
        ended_at=None if in_details else found,
        details=details,
    )
    Participation.objects.create(event=event, person=person, role=Participation.Role.MISSING_PERSON)


def many_missing_episodes() -> None:
    """For `build_world`'s child (its mispers record), 158 missing episodes more than the world's
    one (20 December 2025, not found): 159 ever. The last on 20 February 2026, found the next day
    (in the report's details); 3 in the 90 days to 2 March 2026 and 11 in 12 months."""
    mispers = Person.objects.get(source="mispers", source_id="M7")
    n = 0
    for when in (dt.datetime(2026, 1, 10, 20, 0, tzinfo=dt.UTC), dt.datetime(2026, 2, 20, 21, 0, tzinfo=dt.UTC)):
        n += 1
        _missing_episode(mispers, n, when, found=when + dt.timedelta(hours=16), in_details=n == 2)
    for month in range(4, 12):  # April to November 2025
        n += 1
        when = dt.datetime(2025, month, 5, 22, 0, tzinfo=dt.UTC)
        _missing_episode(mispers, n, when, found=when + dt.timedelta(hours=5), in_details=False)
    for i in range(148):  # roughly every three weeks from 2015
        n += 1
        when = dt.datetime(2015, 1, 1, 18, 0, tzinfo=dt.UTC) + dt.timedelta(days=21 * i)
        _missing_episode(mispers, n, when, found=when + dt.timedelta(hours=8), in_details=False)


@dataclass
class BusyAdult:
    adult: Individual
    children: list[Individual]
    adults: list[Individual]
    girlfriend: Individual  # a child of 15 the adult is recorded as "boyfriend/girlfriend" of
    events: int


BUSY_GIVEN = ("Ava", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jon")


def busy_adult(
    *, now: dt.datetime, children: int = 40, events: int = 300, adults: int = 12, places: int = 25, source: str = "rms"
) -> BusyAdult:
    """An adult with `children` children and `adults` other adults around them in `events`
    events over the 12 months before `now`, written straight through the ORM (fast, for the
    network's tests and benchmark): half the children are seen often (two in each event), the
    other half once each; every third event has another adult; the events are at `places`
    places; the adult is an associate of ten children, the "boyfriend/girlfriend" of one (15)
    and the partner of an adult. Idempotent source ids under `source` and the prefix "BUSY"."""
    rng_places = [
        Location(
            source=source,
            source_id=f"BUSY-L{n}",
            recorded_at=RECORDED,
            payload={},
            address_lines=[f"{n + 1} Invented Lane"],
            town="Testtown",
            postcode=f"TT9 {n % 9}ZZ",
            location_type=Location.LocationType.OTHER,
        )
        for n in range(places)
    ]
    Location.objects.bulk_create(rng_places)
    locations = list(Location.objects.filter(source=source, source_id__startswith="BUSY-L").order_by("pk"))

    def people(prefix: str, count: int, family: str, born: Any) -> list[Person]:
        made = [
            Person(
                source=source,
                source_id=f"BUSY-{prefix}{n}",
                recorded_at=RECORDED,
                payload={},
                given_names=BUSY_GIVEN[n % len(BUSY_GIVEN)],
                family_name=f"{family}{n}",
                dob=born(n),
                date_of_birth=born(n).isoformat(),
                birth_year=born(n).year,
            )
            for n in range(count)
        ]
        Person.objects.bulk_create(made)
        return list(Person.objects.filter(source=source, source_id__startswith=f"BUSY-{prefix}").order_by("pk"))

    adult_records = people("A", 1 + adults, "Busyadult", lambda n: dt.date(1975 + n, 4, 2))
    child_records = people("C", children, "Busychild", lambda n: dt.date(2009 + n % 5, 1 + n % 12, 10))
    individuals = Individual.objects.bulk_create([Individual() for _ in range(len(adult_records) + len(child_records))])
    records = [*adult_records, *child_records]
    Membership.objects.bulk_create(
        [
            Membership(person=p, individual=i, method=Membership.Method.SINGLETON)
            for p, i in zip(records, individuals, strict=True)
        ]
    )
    focus, others, kids = adult_records[0], adult_records[1:], child_records
    girlfriend = kids[1]
    Person.objects.filter(pk=girlfriend.pk).update(dob=dt.date(now.year - 15, 1, 1), birth_year=now.year - 15)
    types = (
        Event.EventType.INCIDENT,
        Event.EventType.MISSING_REPORT,
        Event.EventType.CRIME,
        Event.EventType.INTELLIGENCE,
    )
    made = [
        Event(
            source=source,
            source_id=f"BUSY-E{n}",
            recorded_at=RECORDED,
            payload={},
            event_type=types[n % len(types)],
            occurred_at=now - dt.timedelta(hours=1 + n * 29),
            location=locations[n % len(locations)],
        )
        for n in range(events)
    ]
    Event.objects.bulk_create(made)
    made_events = list(Event.objects.filter(source=source, source_id__startswith="BUSY-E").order_by("pk"))
    half = max(1, children // 2)
    parts: list[Participation] = []
    for n, event in enumerate(made_events):
        child_role = Participation.Role.MISSING_PERSON if n % 4 == 1 else Participation.Role.PRESENT_CHILD
        parts.append(Participation(event=event, person=focus, role=Participation.Role.SUSPECT))
        for k in {n % half, (n * 7 + 3) % half}:
            parts.append(Participation(event=event, person=kids[k], role=child_role))
        if n < children - half:
            parts.append(Participation(event=event, person=kids[half + n], role=child_role))
        if others and n % 3 == 0:
            parts.append(
                Participation(event=event, person=others[(n // 3) % len(others)], role=Participation.Role.ASSOCIATE)
            )
    Participation.objects.bulk_create(parts)
    rels = [
        Relationship(
            source=source,
            source_id=f"BUSY-R{n}",
            recorded_at=RECORDED,
            payload={},
            person_a=focus,
            person_b=kids[n],
            rel_type=Relationship.RelType.ASSOCIATE_OF,
        )
        for n in range(2, min(12, len(kids)))
    ]
    rels.append(
        Relationship(
            source=source,
            source_id="BUSY-RGF",
            recorded_at=RECORDED,
            payload={},
            person_a=focus,
            person_b=girlfriend,
            rel_type=Relationship.RelType.BOYFRIEND_GIRLFRIEND,
        )
    )
    if others:
        rels.append(
            Relationship(
                source=source,
                source_id="BUSY-RP",
                recorded_at=RECORDED,
                payload={},
                person_a=focus,
                person_b=others[0],
                rel_type=Relationship.RelType.PARTNER_OF,
            )
        )
    Relationship.objects.bulk_create(rels)
    by_person = dict(Membership.objects.filter(person__in=records).values_list("person_id", "individual_id"))
    pick = {i.pk: i for i in individuals}
    return BusyAdult(
        adult=pick[by_person[focus.pk]],
        children=[pick[by_person[k.pk]] for k in kids],
        adults=[pick[by_person[o.pk]] for o in others],
        girlfriend=pick[by_person[girlfriend.pk]],
        events=events,
    )
