"""Statutory and policy clocks, end to end: a record arrives, the engine raises a finding with a
deadline, the work app makes a task, and moving the injected clock escalates it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.risk.services import refresh_findings
from safetynet.work.models import Task
from safetynet.work.services import sweep
from tests.risk.conftest import World


@pytest.fixture
def world(db: Any) -> World:
    return World()


def _individual(person: Any) -> int:
    return int(person.membership.individual_id)


def test_a_missing_child_without_a_supervisor_review_escalates_when_the_hour_passes(world: World, clock: Any) -> None:
    child = world.child(14)
    reported = clock.now()
    report = world.event(
        "missing_report",
        reported,
        [(child, "missing_person")],
        reported_at=reported,
        details={"missing_from": "home", "initial_risk": "high"},
        source="mispers",
    )
    refresh_findings([_individual(child)], clock=clock)
    task = Task.objects.get(clause="M2")
    assert task.owner_role == "sergeant"
    assert task.due_at == reported + dt.timedelta(hours=1)
    assert task.finding.cites[0] == {"source": "mispers", "id": report.source_id}

    clock.advance(minutes=59)
    assert sweep(clock=clock).escalations == []
    clock.advance(minutes=2)
    assert [(e.from_role, e.to_role) for e in sweep(clock=clock).escalations] == [("sergeant", "inspector")]
    task.refresh_from_db()
    assert task.owner_role == "inspector"


def test_a_supervisor_review_moves_the_task_to_the_next_clock(world: World, clock: Any) -> None:
    child = world.child(14)
    reported = clock.now()
    report = world.event(
        "missing_report",
        reported,
        [(child, "missing_person")],
        reported_at=reported,
        details={"missing_from": "home", "initial_risk": "high", "officer_in_charge": {"role": "sergeant"}},
        source="mispers",
    )
    refresh_findings([_individual(child)], clock=clock)
    assert Task.objects.get(clause="M2").due_at == reported + dt.timedelta(hours=1)

    clock.advance(minutes=30)
    report.details = {
        **report.details,
        "reviews": [{"at": clock.now().isoformat(), "by": {"role": "sergeant"}, "risk": "high"}],
    }
    report.recorded_at = clock.now()
    report.save()
    refresh_findings([_individual(child)], clock=clock)
    task = Task.objects.get(clause="M2")
    assert task.state == "open"
    assert task.due_at == reported + dt.timedelta(hours=2)  # now the inspector's review


def test_an_untriaged_mash_referral_is_due_in_four_hours_and_clears_when_triaged(world: World, clock: Any) -> None:
    child = world.child(9)
    received = clock.now()
    referral = world.event(
        "referral",
        received,
        [(child, "subject")],
        details={"concern": ["neglect"], "received_at": received.isoformat()},
        source="csc",
    )
    refresh_findings([_individual(child)], clock=clock)
    task = Task.objects.get(clause="H1")
    assert (task.owner_role, task.due_at) == ("mash_officer", received + dt.timedelta(hours=4))

    clock.advance(hours=2)
    referral.details = {
        **referral.details,
        "triage": {"grade": "amber", "at": clock.now().isoformat(), "research": "police_systems"},
    }
    referral.recorded_at = clock.now()
    referral.save()
    refresh_findings([_individual(child)], clock=clock)
    task.refresh_from_db()
    assert (task.state, task.closed_at) == ("closed", clock.now())
