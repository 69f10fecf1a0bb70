"""M2 (policy 2026.3): a missing report must carry its initial risk grade within 15 minutes.

The interchange format records the grade (`initial_risk`) but not when it was set, so a
report that has one has met the clock; one that has none is pending for 15 minutes, then late.
"""

from __future__ import annotations

import datetime as dt

from safetynet.records import models as rm
from tests.risk.conftest import World, ago, iso, ref
from tests.risk.scenarios import INSPECTOR, SERGEANT, _review


def _report(
    w: World, child: rm.Person, start: dt.datetime, *, graded: bool, found_after: dt.timedelta | None
) -> rm.Event:
    """A missing report whose supervision is otherwise all in time."""
    details: dict[str, object] = {
        "reviews": [
            _review(start + dt.timedelta(minutes=40), SERGEANT),
            _review(start + dt.timedelta(minutes=90), INSPECTOR),
        ],
        "officer_in_charge": {
            "name": "DC C",
            "role": "response_officer",
            "assigned_at": iso(start + dt.timedelta(minutes=20)),
        },
    }
    if graded:
        details["initial_risk"] = "high"
    if found_after is not None:
        details["found_at"] = iso(start + found_after)
    return w.event("missing_report", start, [(child, "missing_person")], reported_at=start, details=details)


def test_a_report_with_no_initial_risk_after_15_minutes_is_late_and_cites_the_report(world: World) -> None:
    c = world.child(14)
    report = _report(world, c, ago(hours=3), graded=False, found_after=dt.timedelta(hours=2))
    (finding,) = world.findings(c, "M2")
    assert "no initial risk assessment before the child was found 2 hours after the report" in finding.reason
    assert ref(report) in finding.cites


def test_an_ungraded_report_is_pending_for_15_minutes_with_that_deadline(world: World) -> None:
    c = world.child(14)
    start = ago(minutes=5)
    _report(world, c, start, graded=False, found_after=None)
    (finding,) = world.findings(c, "M2")
    assert "initial risk assessment due by" in finding.reason
    assert "(15 minutes after the report)" in finding.reason
    assert finding.due_by == start + dt.timedelta(minutes=15)


def test_a_graded_report_owes_nothing_for_the_initial_risk(world: World) -> None:
    c = world.child(14)
    _report(world, c, ago(hours=3), graded=True, found_after=dt.timedelta(hours=2))
    assert world.findings(c, "M2") == []


def test_a_child_found_within_15_minutes_owed_no_grading(world: World) -> None:
    c = world.child(14)
    _report(world, c, ago(hours=3), graded=False, found_after=dt.timedelta(minutes=10))
    assert world.findings(c, "M2") == []
