"""The meetings tests' household (tests/meetings/conftest.py) with, for MASH, a domestic-abuse
incident the victim's child was present at (the record a referral is raised from) and police
history about that child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from tests.meetings.conftest import NEW_CHILD, VICTIM, capture_household, household_ids, line
from tests.world import AccessWorld


def capture_incident(clock: FixedClock, id: str = "MI-DA1", hours_ago: int = 2) -> None:
    at = (clock.now() - dt.timedelta(hours=hours_ago)).isoformat()
    lines = [
        line(
            "event",
            "rms",
            id,
            event_type="incident",
            occurred_at=at,
            summary="Domestic abuse incident at the family home.",
            participants=[
                {"person": {"source": VICTIM[0], "id": VICTIM[1]}, "role": "victim"},
                {"person": {"source": NEW_CHILD[0], "id": NEW_CHILD[1]}, "role": "present_child"},
            ],
            details={"domestic_abuse": True, "children_present": True},
        )
    ]
    result = capture(lines, door="cli", clock=clock)
    assert result.rejected == 0, [a.reason for a in result.answers if a.outcome == "rejected"]


def build_mash(clock: FixedClock) -> dict[str, int]:
    """The household and the incident, then the ids (`incident`: the incident's event id)."""
    capture_household(clock)
    capture_incident(clock)
    return {**household_ids(), "incident": Event.live.get(source="rms", source_id="MI-DA1").pk}


@pytest.fixture
def mash(access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        capture_household(clock)
        capture_incident(clock)
    return {**household_ids(), "incident": Event.live.get(source="rms", source_id="MI-DA1").pk}
