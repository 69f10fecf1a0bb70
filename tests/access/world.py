"""An invented world for access tests: a school, children known to different agencies, secret
content of each restricted kind, and one user per role.

Secret strings are distinctive so a test can search any response for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from safetynet.access.roles import Role
from safetynet.accounts.services import create_team, create_user_with_role, ensure_agencies, restrict_individual
from safetynet.identity.blocking import refresh_features
from safetynet.identity.models import Individual, Membership
from safetynet.records.models import Event, Marker, Organisation, Participation, Person

PASSWORD = "an-invented-password-for-tests"
RECORDED = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
INTEL_TEXT = "INTELTEXTSECRET seen with an older male"
HANDLING_C_TEXT = "HANDLINGCSECRET conditions apply"
HEALTH_TEXT = "HEALTHSECRET seen by the school nurse"
INCIDENT_TEXT = "Police attended a domestic incident at the home"


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


def _person(source: str, source_id: str, **fields: Any) -> Person:
    return Person.objects.create(source=source, source_id=source_id, recorded_at=RECORDED, payload={}, **fields)


def _individual(*people: Person) -> Individual:
    individual = Individual.objects.create()
    for person in people:
        Membership.objects.create(person=person, individual=individual)
    return individual


def _event(source: str, source_id: str, event_type: str, person: Person, **fields: Any) -> Event:
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
    pupil = _individual(rms, csc, health, edu)
    other = _person("rms", "P2", given_names="Brody", family_name="Policeonly", date_of_birth="2010-02-02")
    police_only = _individual(other)
    secret = _person("rms", "P3", given_names="Casey", family_name="Restrictedchild", date_of_birth="2011-03-03")
    restricted = _individual(secret)
    restrict_individual(
        acting_user=named_sergeant, individual=restricted, reason_code="sensitive_investigation", named_users=[]
    )

    incident = _event("rms", "EV1", "incident", rms, summary=INCIDENT_TEXT, details={"domestic_abuse": True})
    intelligence = _event(
        "rms",
        "EV2",
        "intelligence",
        rms,
        summary=INTEL_TEXT,
        details={"grading": {"source": 2, "assessment": "B", "handling": "P"}, "text": INTEL_TEXT},
    )
    handling_c = _event(
        "rms",
        "EV3",
        "intelligence",
        rms,
        summary=HANDLING_C_TEXT,
        details={"grading": {"source": 1, "assessment": "A", "handling": "C"}, "text": HANDLING_C_TEXT},
    )
    health_event = _event("health", "HV1", "referral", health, summary=HEALTH_TEXT, details={"concern": ["other"]})
    custody = _event(
        "rms",
        "EV4",
        "custody",
        rms,
        summary="Detained overnight",
        details={"arrested_at": "2026-01-04T20:00:00Z", "healthcare_seen_at": "2026-01-04T23:59:00Z"},
    )
    police_event = _event("rms", "EV5", "incident", other, summary="Another child's incident")
    restricted_event = _event("rms", "EV6", "incident", secret, summary="Restricted child's incident")
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
