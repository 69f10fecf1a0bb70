"""An invented county for the case file audit: on top of the agencies' world (one user per
role), children whose February 2026 records are cases of each area of practice, by meaning:

- six children reported missing (one of them three times: still one case);
- a domestic abuse incident with a child present; a crime against a child online;
- a MASH referral triaged green (triaged out) and one awaiting triage (open);
- a strategy discussion naming a child in its `subjects`; a child in custody; a child in
  police protection; a managed sex offender's home visit;
- a missing report of January (outside the period) and the restricted child's missing report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from safetynet.identity.models import Individual
from safetynet.records.models import Event, Participation, Person
from tests.world import AccessWorld, _event, _individual, _person

FEB = dt.datetime(2026, 2, 10, 18, 0, tzinfo=dt.UTC)
PERIOD = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@dataclass
class AuditWorld:
    access: AccessWorld
    missing: list[Individual] = field(default_factory=list)
    by_area: dict[str, Individual] = field(default_factory=dict)


def _child(n: str, given: str) -> tuple[Person, Individual]:
    person = _person("rms", f"AUD-{n}", given_names=given, family_name="Auditcase", date_of_birth="2011-06-01")
    return person, _individual(person)


def _case_event(n: str, event_type: str, person: Person, role: str, when: dt.datetime, **details: object) -> Event:
    event = _event("rms", f"AUDEV-{n}", event_type, when, details=dict(details), summary="Invented record.")
    Participation.objects.create(event=event, person=person, role=role)
    return event


@pytest.fixture
def audit_world(access_world: AccessWorld) -> AuditWorld:
    return build_audit_world(access_world)


def build_audit_world(access_world: AccessWorld) -> AuditWorld:
    """The cases above on top of `access_world` (for fixtures and the browser journey)."""
    found = AuditWorld(access_world)
    for i, given in enumerate(("Ada", "Ben", "Cleo", "Dev", "Eve", "Finn")):
        person, child = _child(f"M{i}", given)
        found.missing.append(child)
        for episode in range(3 if i == 0 else 1):
            _case_event(
                f"M{i}-{episode}",
                "missing_report",
                person,
                "missing_person",
                FEB + dt.timedelta(days=episode, hours=i),
                missing_from="care",
            )
    early, _ = _child("EARLY", "Gus")
    _case_event("EARLY", "missing_report", early, "missing_person", FEB - dt.timedelta(days=30))
    secret = access_world.restricted.memberships.first().person  # type: ignore[union-attr]
    _case_event("SECRET", "missing_report", secret, "missing_person", FEB)
    cases = {
        "domestic_abuse": ("incident", "present_child", {"domestic_abuse": True}),
        "online": ("crime", "victim", {"online": True, "offence": "Invented"}),
        "mash_triaged_out": ("referral", "subject", {"concern": ["neglect"], "triage": {"grade": "green"}}),
        "mash_open": ("referral", "subject", {"concern": ["physical"]}),
        "custody": ("custody", "detainee", {}),
        "protection": ("police_protection", "subject", {}),
        "sex_offender_management": ("offender_visit", "subject", {"announced": True}),
    }
    for area, (event_type, role, details) in cases.items():
        person, individual = _child(area.upper(), area.split("_")[0].capitalize())
        _case_event(area, event_type, person, role, FEB, **details)
        found.by_area[area] = individual
    # An incident without domestic abuse is no case of that area.
    person, _ = _child("OTHER", "Ivo")
    _case_event("OTHER", "incident", person, "present_child", FEB, domestic_abuse=False)
    # A strategy discussion names its child in `subjects`, not as a participant.
    person, individual = _child("S47", "Jo")
    _event(
        "csc",
        "AUDEV-S47",
        "meeting",
        FEB,
        details={"meeting_type": "strategy_discussion", "subjects": [{"source": "rms", "id": person.source_id}]},
    )
    found.by_area["s47"] = individual
    return found
