"""A household for meetings tests, captured through the CLI door so linkage, risk and work run:
a victim and a perpetrator, his child from a previous relationship elsewhere, her child, and a
MARAC about the two adults 100 days ago that listed neither child (D2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.identity.models import Membership
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from tests.world import AccessWorld

RECORDED = "2026-01-05T12:00:00+00:00"


def line(kind: str, source: str, id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "source": source, "id": id, "recorded_at": RECORDED, **fields}


def _person(source: str, id: str, given: str, dob: str) -> dict[str, Any]:
    return line("person", source, id, given_names=given, family_name="Inventedfamily", date_of_birth=dob)


def _rel(id: str, a: tuple[str, str], b: tuple[str, str], rel_type: str) -> dict[str, Any]:
    return line(
        "relationship",
        "rms",
        id,
        person_a={"source": a[0], "id": a[1]},
        person_b={"source": b[0], "id": b[1]},
        rel_type=rel_type,
    )


VICTIM, PERP = ("rms", "MV1"), ("rms", "MP1")
OLD_CHILD, NEW_CHILD = ("csc", "MC1"), ("csc", "MC2")


def build_household(clock: FixedClock) -> dict[str, int]:
    """`capture_household` in a transactional test (linkage runs at each commit), then the ids."""
    capture_household(clock)
    return household_ids()


def capture_household(clock: FixedClock) -> None:
    """A victim and a perpetrator (partners), his child from a previous relationship living
    elsewhere, her child, and a MARAC about the two adults 100 days ago that listed no child."""
    marac_at = (clock.now() - dt.timedelta(days=100)).isoformat()
    lines = [
        _person(*VICTIM, "Vera", "1990-03-01"),
        _person(*PERP, "Piers", "1984-07-09"),
        _person(*OLD_CHILD, "Olly", "2014-02-02"),
        _person(*NEW_CHILD, "Nina", "2017-06-06"),
        _rel("MR1", PERP, OLD_CHILD, "parent_of"),
        _rel("MR2", VICTIM, NEW_CHILD, "parent_of"),
        _rel("MR3", PERP, VICTIM, "partner_of"),
        line(
            "event",
            "rms",
            "MM1",
            event_type="meeting",
            occurred_at=marac_at,
            participants=[
                {"person": {"source": VICTIM[0], "id": VICTIM[1]}, "role": "victim"},
                {"person": {"source": PERP[0], "id": PERP[1]}, "role": "perpetrator"},
            ],
            details={"meeting_type": "marac", "outcome_recorded": True, "outcome_recorded_at": marac_at},
        ),
    ]
    result = capture(lines, door="cli", clock=clock)
    assert result.rejected == 0, [a.reason for a in result.answers if a.outcome == "rejected"]


def household_ids() -> dict[str, int]:
    """The household's individual ids, once linkage has run."""
    ids = {}
    for name, (source, sid) in {"victim": VICTIM, "perp": PERP, "old": OLD_CHILD, "new": NEW_CHILD}.items():
        ids[name] = Membership.objects.get(person__source=source, person__source_id=sid).individual_id
    return ids


@pytest.fixture
def household(access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    """`build_household` in a test's transaction, running the after-commit work it schedules."""
    with django_capture_on_commit_callbacks(execute=True):
        capture_household(clock)
    return household_ids()
