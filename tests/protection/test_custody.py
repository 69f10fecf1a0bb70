"""A child in custody recorded through the protection workspace: C1 and C2 read each version
and close when the work is recorded; a refused s38(6) transfer goes to the partnership
escalation log for children's social care; a review before arrival is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.lib.clock import FixedClock
from safetynet.protection import custody
from safetynet.protection.common import NotYourRecord, ProtectionRefused
from safetynet.records.models import Event
from safetynet.risk.models import Finding
from safetynet.risk.services import refresh_findings
from safetynet.work.models import PartnershipEscalation
from tests.world import AccessWorld

H = dt.timedelta(hours=1)


def _open(clause: str, child: int, clock: FixedClock) -> Finding | None:
    refresh_findings([child], clock=clock)
    return Finding.objects.filter(clause=clause, individual_id=child, state="open").first()


def _book_in(world: AccessWorld, child: int, clock: FixedClock) -> Event:
    arrived = clock.now() - 3 * H
    return custody.book_in(
        acting_user=world.users["custody_officer"],
        individual_id=child,
        arrested_at=arrived - H / 2,
        arrived_at=arrived,
        authorised_at=arrived + H / 6,
        clock=clock,
    )


def test_charged_refused_bail_transfer_refused_certificate_and_escalation(
    access_world: AccessWorld, child: int, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    officer = access_world.users["custody_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        record = _book_in(access_world, child, clock)
    finding = _open("C1", child, clock)
    assert finding is not None and "no appropriate adult" in finding.reason
    arrived = record.occurred_at
    assert arrived is not None
    with django_capture_on_commit_callbacks(execute=True):
        custody.appropriate_adult(
            record.pk, acting_user=officer, requested_at=arrived + H / 6, arrived_at=arrived + H, clock=clock
        )
        clock.advance(minutes=1)
        custody.health_seen(record.pk, acting_user=officer, at=arrived + H / 2, clock=clock)
        clock.advance(hours=3)
        custody.review(
            record.pk, acting_user=access_world.users["inspector"], at=arrived + 5 * H, child_present=True, clock=clock
        )
        clock.advance(minutes=1)
        custody.charge(record.pk, acting_user=officer, at=clock.now(), bail_refused=True, clock=clock)
    finding = _open("C1", child, clock)  # nothing late: only the next review's clock
    assert finding is not None and "is in custody: next check due" in finding.reason
    finding = _open("C2", child, clock)
    assert finding is not None and "no local authority accommodation was requested" in finding.reason
    clock.advance(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        custody.request_transfer(record.pk, acting_user=officer, at=clock.now(), clock=clock)
        clock.advance(minutes=30)
        custody.answer_transfer(
            record.pk,
            acting_user=access_world.users["partner_social_worker"],
            outcome="not_provided",
            at=clock.now(),
            clock=clock,
        )
    finding = _open("C2", child, clock)
    assert finding is not None and "no s38(7) certificate reason" in finding.reason
    refused = _open("C3", child, clock)
    assert refused is not None and refused.reason.endswith("the local authority refused the s38(6) transfer.")
    assert refused.task.owner_role == "inspector"  # type: ignore[attr-defined]
    clock.advance(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        record = custody.certify(
            record.pk,
            acting_user=officer,
            reason="No local authority bed tonight; the duty manager was asked twice.",
            clock=clock,
        )
        escalation = custody.escalate_transfer(
            record.pk,
            acting_user=officer,
            clock=clock,
            reason="The s38(6) transfer was refused: no bed was offered for a 14-year-old charged tonight.",
        )
    assert record.details["certificate_by"]["username"] == officer.username
    assert (escalation.owner_agency.code, escalation.individual_id) == ("csc", child)
    assert PartnershipEscalation.objects.filter(refusal=record).count() == 1
    assert _open("C2", child, clock) is None
    assert _open("C3", child, clock) is not None  # the inspector's, while the child is held
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        custody.release(record.pk, acting_user=officer, at=clock.now(), clock=clock)
    assert _open("C3", child, clock) is None


def test_an_unanswered_transfer_gives_the_inspector_a_task(
    access_world: AccessWorld, child: int, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    officer = access_world.users["custody_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        record = _book_in(access_world, child, clock)
        custody.charge(record.pk, acting_user=officer, at=clock.now() - H, bail_refused=True, clock=clock)
        custody.request_transfer(record.pk, acting_user=officer, at=clock.now() - H, clock=clock)
    assert _open("C3", child, clock) is None  # within the policy's 2 hours
    clock.advance(hours=1, minutes=5)
    unanswered = _open("C3", child, clock)
    assert unanswered is not None and "has not answered the s38(6) transfer request after 2" in unanswered.reason
    assert unanswered.owner_role == "inspector"


def test_a_review_before_arrival_is_refused_and_nothing_is_stored(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    record = _book_in(access_world, child, clock)
    with pytest.raises(ProtectionRefused) as refused:
        custody.review(
            record.pk,
            acting_user=access_world.users["inspector"],
            at=clock.now() - 4 * H,
            child_present=False,
            clock=clock,
        )
    assert refused.value.field == "at" and "arrival" in refused.value.expected
    assert not custody.custody_of(record.pk).details.get("reviews")


def test_a_transfer_needs_a_refusal_of_bail_and_an_answer_from_social_care(
    access_world: AccessWorld, child: int, clock: FixedClock
) -> None:
    record = _book_in(access_world, child, clock)
    officer = access_world.users["custody_officer"]
    with pytest.raises(ProtectionRefused):
        custody.request_transfer(record.pk, acting_user=officer, at=clock.now(), clock=clock)
    custody.charge(record.pk, acting_user=officer, at=clock.now(), bail_refused=True, clock=clock)
    clock.advance(minutes=1)
    custody.request_transfer(record.pk, acting_user=officer, at=clock.now(), clock=clock)
    with pytest.raises(NotYourRecord):
        custody.answer_transfer(record.pk, acting_user=officer, outcome="provided", at=clock.now(), clock=clock)
    with pytest.raises(ProtectionRefused) as refused:
        custody.answer_transfer(
            record.pk,
            acting_user=access_world.users["partner_social_worker"],
            outcome="maybe",
            at=clock.now(),
            clock=clock,
        )
    assert refused.value.field == "outcome"
