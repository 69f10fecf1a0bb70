"""Police protection recorded through the protection workspace: a versioned `safetynet` record
that P1 reads; the designated officer (an inspector, never the initiating officer) with every
handover; accommodation waits past the policy's thresholds escalate; the end needs a rationale;
bad input is refused with the field before anything is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.lib.clock import FixedClock
from safetynet.protection import police
from safetynet.protection.common import NotYourRecord, ProtectionRefused
from safetynet.records.models import Event, RecordVersion
from safetynet.risk.models import Finding
from safetynet.risk.services import refresh_findings
from tests.world import AccessWorld

H = dt.timedelta(hours=1)


def _take(world: AccessWorld, child: int, clock: FixedClock, **overrides: Any) -> Event:
    values: dict[str, Any] = {
        "individual_id": child,
        "started_at": clock.now() - H,
        "grounds": "Found alone at night in a flat used for drug supply.",
        "place_of_safety": "Custody suite, Central police station",
        "place_is_police_station": True,
    }
    return police.take(acting_user=world.users["response_officer"], clock=clock, **{**values, **overrides})


def _p1(child: int, clock: FixedClock) -> Finding | None:
    refresh_findings([child], clock=clock)
    return Finding.objects.filter(clause="P1", individual_id=child, state="open").first()


def test_police_protection_with_a_handover_accommodation_escalation_and_an_end(
    access_world: AccessWorld,
    child: int,
    second_inspector: Any,
    clock: FixedClock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    users = access_world.users
    with django_capture_on_commit_callbacks(execute=True):
        pp = _take(access_world, child, clock)
    assert (pp.source, pp.details["place_is_police_station"]) == ("safetynet", True)
    finding = _p1(child, clock)
    assert finding is not None and "no designated officer" in finding.reason
    clock.advance(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        police.designate(pp.pk, acting_user=users["sergeant"], officer=users["inspector"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        police.notify(
            pp.pk,
            acting_user=users["response_officer"],
            csc_at=clock.now(),
            csc_told="Duty manager",
            parents_at=clock.now(),
            clock=clock,
        )
        clock.advance(minutes=1)
        police.request_accommodation(pp.pk, acting_user=users["response_officer"], at=clock.now(), clock=clock)
        clock.advance(hours=2)
        pp = police.designate(
            pp.pk, acting_user=users["inspector"], officer=second_inspector, at=clock.now(), clock=clock
        )
    handover = pp.details["handovers"][0]
    assert (handover["from"]["username"], handover["to"]["username"]) == (users["inspector"].username, "inspector2")
    clock.advance(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        police.strategy_discussion(pp.pk, acting_user=users["inspector"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        police.request_accommodation(pp.pk, acting_user=users["response_officer"], at=clock.now() - 5 * H, clock=clock)
    finding = _p1(child, clock)
    assert finding is not None and "for accommodation (inspector)" in finding.reason
    clock.advance(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        police.provide_accommodation(pp.pk, acting_user=users["partner_social_worker"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        pp = police.end(
            pp.pk,
            acting_user=users["inspector"],
            at=clock.now(),
            rationale="Placed with foster carers by children's social care; no longer at risk.",
            clock=clock,
        )
    assert pp.details["end_rationale"].startswith("Placed")
    assert (
        RecordVersion.objects.filter(source="safetynet", source_id=pp.source_id).count() >= 7
    )  # every earlier version kept
    assert police.limit_ends(pp) is None
    # Everything else is recorded: what is left is the wait, for the inspector to account for.
    finding = _p1(child, clock)
    assert finding is not None and finding.reason.endswith(": waited 5 hours for accommodation (inspector).")


def test_p1_closes_when_the_work_is_recorded_in_time(
    access_world: AccessWorld, child: int, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    users = access_world.users
    with django_capture_on_commit_callbacks(execute=True):
        pp = _take(access_world, child, clock, started_at=clock.now() - 3 * H)
        clock.advance(minutes=1)
        police.designate(pp.pk, acting_user=users["sergeant"], officer=users["inspector"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        police.notify(
            pp.pk, acting_user=users["response_officer"], csc_at=clock.now(), csc_told="Duty manager", clock=clock
        )
        police.strategy_discussion(pp.pk, acting_user=users["inspector"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        police.request_accommodation(pp.pk, acting_user=users["response_officer"], at=clock.now(), clock=clock)
        clock.advance(hours=1)
        police.provide_accommodation(pp.pk, acting_user=users["partner_social_worker"], at=clock.now(), clock=clock)
        clock.advance(minutes=1)
        police.end(
            pp.pk,
            acting_user=users["inspector"],
            at=clock.now(),
            rationale="Placed with an aunt, assessed as safe.",
            clock=clock,
        )
    assert _p1(child, clock) is None


@pytest.mark.parametrize(
    ("officer", "field", "words"),
    [
        ("sergeant", "designated_officer", "an inspector"),
        ("initiator", "designated_officer", "not the initiating officer"),
    ],
)
def test_a_designated_officer_must_be_an_inspector_who_did_not_initiate(
    access_world: AccessWorld, child: int, clock: FixedClock, officer: str, field: str, words: str
) -> None:
    users = access_world.users
    pp = police.take(
        acting_user=users["inspector"],
        individual_id=child,
        started_at=clock.now() - H,
        grounds="Found alone at night.",
        place_of_safety="A foster placement",
        clock=clock,
    )
    chosen = users["inspector"] if officer == "initiator" else users[officer]
    with pytest.raises(ProtectionRefused) as refused:
        police.designate(pp.pk, acting_user=users["inspector"], officer=chosen, at=clock.now(), clock=clock)
    assert refused.value.field == field and words in refused.value.expected
    assert "designated_officer" not in police.protection_of(pp.pk).details


def test_an_end_before_the_start_or_without_a_rationale_is_refused_and_nothing_changes(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    pp = _take(access_world, child, clock)
    inspector = access_world.users["inspector"]
    with pytest.raises(ProtectionRefused) as early:
        police.end(pp.pk, acting_user=inspector, at=clock.now() - 2 * H, rationale="Returned home safely.", clock=clock)
    assert early.value.field == "ended_at"
    with pytest.raises(ProtectionRefused) as bare:
        police.end(pp.pk, acting_user=inspector, at=clock.now(), rationale="  ", clock=clock)
    assert bare.value.field == "end_rationale"
    assert "ended_at" not in police.protection_of(pp.pk).details
    assert pp.occurred_at is not None and police.limit_ends(pp) == pp.occurred_at + dt.timedelta(hours=72)


def test_only_roles_that_record_protection_may_and_only_social_care_provides_accommodation(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    with pytest.raises(NotYourRecord):
        police.take(
            acting_user=access_world.users["analyst"],
            individual_id=child,
            started_at=clock.now(),
            grounds="Found alone.",
            place_of_safety="A foster placement",
            clock=clock,
        )
    pp = _take(access_world, child, clock)
    police.request_accommodation(pp.pk, acting_user=access_world.users["response_officer"], at=clock.now(), clock=clock)
    with pytest.raises(NotYourRecord):
        police.provide_accommodation(
            pp.pk, acting_user=access_world.users["response_officer"], at=clock.now(), clock=clock
        )
