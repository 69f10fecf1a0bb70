"""A child in police protection waiting for accommodation past the policy's 12 hours goes to the
partnership escalation log by itself (the deadline sweep), once, to children's social care, in
the designated officer's name; a wait within the threshold, a placement provided or a record
already escalated by a person gets none."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.lib.clock import FixedClock
from safetynet.protection import custody, police
from safetynet.records.models import Event
from safetynet.work.accommodation import escalate_accommodation_waits, escalate_transfer_refusals
from safetynet.work.models import PartnershipEscalation
from safetynet.work.scheduler import sweep_once
from tests.world import AccessWorld

H = dt.timedelta(hours=1)


def _waiting(world: AccessWorld, child: int, clock: FixedClock, asked_hours_ago: float) -> Event:
    users = world.users
    pp = police.take(
        acting_user=users["response_officer"],
        individual_id=child,
        started_at=clock.now() - (asked_hours_ago + 1) * H,
        grounds="Found alone at night in a flat used for drug supply.",
        place_of_safety="Custody suite, Central police station",
        place_is_police_station=True,
        clock=clock,
    )
    police.designate(
        pp.pk,
        acting_user=users["sergeant"],
        officer=users["inspector"],
        at=clock.now() - asked_hours_ago * H,
        clock=clock,
    )
    return police.request_accommodation(
        pp.pk, acting_user=users["response_officer"], at=clock.now() - asked_hours_ago * H, clock=clock
    )


def test_a_wait_past_12_hours_is_escalated_once_by_the_sweep(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    pp = _waiting(access_world, child, clock, asked_hours_ago=11)
    assert sweep_once(clock=clock).waits == []
    clock.advance(hours=1, minutes=5)
    (raised,) = sweep_once(clock=clock).waits
    assert (raised.refusal_id, raised.owner_agency.code, raised.individual_id) == (pp.pk, "csc", child)
    assert raised.raised_by == access_world.users["inspector"] and raised.level == 1
    assert "more than 12 hours for accommodation" in raised.reason
    clock.advance(minutes=5)
    assert escalate_accommodation_waits(clock=clock) == []
    assert PartnershipEscalation.objects.filter(refusal_id=pp.pk).count() == 1


def test_no_escalation_once_accommodation_is_provided_or_a_person_escalated(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    users = access_world.users
    pp = _waiting(access_world, child, clock, asked_hours_ago=13)
    police.provide_accommodation(pp.pk, acting_user=users["partner_social_worker"], at=clock.now(), clock=clock)
    assert escalate_accommodation_waits(clock=clock) == []
    record = custody.book_in(
        acting_user=users["custody_officer"],
        individual_id=child,
        arrested_at=clock.now() - 4 * H,
        arrived_at=clock.now() - 3 * H,
        authorised_at=clock.now() - 3 * H,
        clock=clock,
    )
    assert escalate_accommodation_waits(clock=clock) == []  # custody is not a police protection wait
    assert not PartnershipEscalation.objects.filter(refusal_id__in=[pp.pk, record.pk]).exists()


def test_a_wait_with_no_officer_who_can_sign_in_is_left_to_the_task(
    access_world: AccessWorld, child: int, clock: FixedClock, caplog: Any
) -> None:
    pp = _waiting(access_world, child, clock, asked_hours_ago=13)
    for role in ("inspector", "response_officer"):
        access_world.users[role].is_active = False
        access_world.users[role].save(update_fields=["is_active"])
    assert escalate_accommodation_waits(clock=clock) == []
    assert f"police protection {pp.pk} waits past the threshold" in caplog.text


def _held_after_request(world: AccessWorld, child: int, clock: FixedClock) -> Event:
    """A child charged and refused bail, the s38(6) request made an hour ago."""
    officer = world.users["custody_officer"]
    record = custody.book_in(
        acting_user=officer,
        individual_id=child,
        arrested_at=clock.now() - 6 * H,
        arrived_at=clock.now() - 5 * H,
        authorised_at=clock.now() - 5 * H,
        clock=clock,
    )
    custody.charge(record.pk, acting_user=officer, at=clock.now() - 2 * H, bail_refused=True, clock=clock)
    return custody.request_transfer(record.pk, acting_user=officer, at=clock.now() - H, clock=clock)


def test_a_refused_or_unanswered_transfer_goes_to_the_partnership_log_once(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    record = _held_after_request(access_world, child, clock)
    assert sweep_once(clock=clock).waits == []  # asked an hour ago: the local authority has 2 hours
    clock.advance(hours=1, minutes=5)
    (raised,) = sweep_once(clock=clock).waits
    assert (raised.refusal_id, raised.owner_agency.code, raised.individual_id) == (record.pk, "csc", child)
    assert raised.raised_by == access_world.users["custody_officer"]
    assert "did not answer within 2 hours" in raised.reason
    assert escalate_transfer_refusals(clock=clock) == []


def test_a_refusal_is_escalated_at_once_and_a_released_child_is_not(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    users = access_world.users
    record = _held_after_request(access_world, child, clock)
    custody.answer_transfer(
        record.pk, acting_user=users["partner_social_worker"], outcome="not_provided", at=clock.now(), clock=clock
    )
    (raised,) = escalate_transfer_refusals(clock=clock)
    assert "the local authority refused the PACE s38(6) request" in raised.reason
    PartnershipEscalation.objects.filter(pk=raised.pk).delete()
    custody.release(record.pk, acting_user=users["custody_officer"], at=clock.now(), clock=clock)
    assert escalate_transfer_refusals(clock=clock) == []
