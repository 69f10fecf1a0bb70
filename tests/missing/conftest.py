"""A child who keeps going missing, captured through the CLI door so linkage, risk and work
run: Mia (15, looked after), her older boyfriend Adam (an adult with a home address, named in
a child abduction warning notice), her mother, and three earlier missing reports in the last
90 days, two of them found at the same hotel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.identity.models import Membership
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from tests.world import AccessWorld

RECORDED = "2026-01-05T12:00:00+00:00"
CHILD, ADULT, MOTHER = ("csc", "MIA1"), ("rms", "ADAM1"), ("csc", "MUM1")
HOME, HOTEL = ("rms", "LOC-ADAM"), ("rms", "LOC-HOTEL")


def line(kind: str, source: str, id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "source": source, "id": id, "recorded_at": RECORDED, **fields}


def ref(pair: tuple[str, str]) -> dict[str, str]:
    return {"source": pair[0], "id": pair[1]}


def _earlier(n: int, clock: FixedClock, days: int, found: tuple[str, str] | None) -> dict[str, Any]:
    start = clock.now() - dt.timedelta(days=days)
    details: dict[str, Any] = {
        "initial_risk": "medium",
        "found_at": (start + dt.timedelta(hours=20)).isoformat(),
        "return_home_interview": {"completed_at": (start + dt.timedelta(hours=40)).isoformat()},
        "reviews": [
            {
                "at": (start + dt.timedelta(minutes=30)).isoformat(),
                "by": {"rank": "inspector"},
                "risk": "high",
                "rationale": "High risk: exploitation concerns.",
            },
        ],
        "officer_in_charge": {"name": "PC 1", "assigned_at": (start + dt.timedelta(minutes=20)).isoformat()},
    }
    if found:
        details["found_location"] = ref(found)
    return line(
        "event",
        "rms",
        f"MR{n}",
        event_type="missing_report",
        occurred_at=start.isoformat(),
        participants=[{"person": ref(CHILD), "role": "missing_person"}],
        details=details,
    )


def capture_child(clock: FixedClock) -> None:
    lines = [
        line(
            "person",
            *CHILD,
            given_names="Mia",
            family_name="Inventedlost",
            date_of_birth="2010-09-01",
            care_status="looked_after",
            self_defined_ethnicity="W1",
        ),
        line(
            "location",
            *HOME,
            address_lines=["1 Invented Road"],
            town="Testtown",
            postcode="TE1 1ST",
            location_type="home",
        ),
        line("location", *HOTEL, address_lines=["Invented Hotel"], town="Testtown", location_type="hotel"),
        line(
            "person",
            *ADULT,
            given_names="Adam",
            family_name="Inventedolder",
            date_of_birth="1996-04-04",
            addresses=[{"location": ref(HOME), "kind": "home"}],
        ),
        line("person", *MOTHER, given_names="Mary", family_name="Inventedlost", date_of_birth="1985-01-01"),
        line("relationship", "csc", "REL1", person_a=ref(ADULT), person_b=ref(CHILD), rel_type="boyfriend_girlfriend"),
        line("relationship", "csc", "REL2", person_a=ref(MOTHER), person_b=ref(CHILD), rel_type="parent_of"),
        line("marker", "rms", "CAWN1", person=ref(CHILD), marker_type="cawn_child", linked_person=ref(ADULT)),
        line("marker", "rms", "CAWN2", person=ref(ADULT), marker_type="cawn_adult", linked_person=ref(CHILD)),
        _earlier(1, clock, 80, HOTEL),
        _earlier(2, clock, 50, HOTEL),
        _earlier(3, clock, 20, None),
        line(
            "plan",
            "csc",
            "TP1",
            plan_type="trigger_plan",
            person=ref(CHILD),
            created_at="2026-01-01",
            review_due=(clock.now() + dt.timedelta(days=30)).date().isoformat(),
        ),
    ]
    result = capture(lines, door="cli", clock=clock)
    assert result.rejected == 0, [(a.field, a.reason) for a in result.answers if a.outcome == "rejected"]


def ids() -> dict[str, int]:
    return {
        name: Membership.objects.get(person__source=s, person__source_id=i).individual_id
        for name, (s, i) in {"child": CHILD, "adult": ADULT, "mother": MOTHER}.items()
    }


@pytest.fixture
def child(access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        capture_child(clock)
    return ids()
