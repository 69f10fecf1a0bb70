"""The partnership escalation log's services: raising (refused with the field and what is
expected), answering by the owner agency only and once, and the sweep raising an unanswered
escalation one level per missed deadline, exactly once however many workers sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.risk.policy import current_policy
from safetynet.work import escalations, scheduler
from safetynet.work.escalations import EscalationRefused, NotYourEscalation, claim_step, sweep_escalations
from safetynet.work.models import EscalationEvent, IllegalMove, PartnershipEscalation, Task
from tests.world import AccessWorld, open_task

REASON = "Strategy discussion needed today: social care has not attended the last two meetings."
ANSWER = "A social worker will attend the strategy discussion tomorrow at 10:00."


@pytest.fixture
def task(access_world: AccessWorld, clock: FixedClock) -> Task:
    return open_task(access_world.pupil, clause="X1", owner_role="sergeant", at=clock.now())


def _raise(world: AccessWorld, task: Task, clock: FixedClock, **overrides: Any) -> PartnershipEscalation:
    arguments: dict[str, Any] = {
        "acting_user": world.users["sergeant"],
        "owner_agency": "csc",
        "reason": REASON,
        "task_id": task.pk,
        "clock": clock,
    }
    return escalations.raise_escalation(**{**arguments, **overrides})


def test_a_sergeant_raises_an_escalation_to_social_care_due_in_two_working_days(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    raised = _raise(access_world, task, clock)
    assert (raised.raised_from, raised.owner_agency.code, raised.raised_by_agency.code) == ("task", "csc", "police")
    assert (raised.level, raised.status, raised.individual_id) == (1, "open", access_world.pupil.pk)
    assert raised.finding_id == task.finding_id
    # Monday 09:00 + 2 working days (policy level 1: practitioner).
    assert raised.response_due == dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    assert list(raised.history.values_list("action", "level")) == [("raised", 1)]
    entry = AuditEntry.objects.filter(object_type="partnership_escalation").get()
    assert entry.object_ids == [str(raised.pk)] and REASON not in str(entry.__dict__)


@pytest.mark.parametrize(
    ("owner_agency", "expected"),
    [
        (None, "owner_agency: expected the agency that must answer, one of csc, health, education"),
        ("  ", "owner_agency: expected the agency that must answer"),
        ("probation", "owner_agency: expected the agency that must answer, one of csc, health, education; 'probation'"),
        ("police", "owner_agency: expected another agency than your own"),
    ],
)
def test_an_escalation_without_a_known_other_owner_agency_is_refused_with_the_field(
    access_world: AccessWorld, task: Task, clock: FixedClock, owner_agency: str | None, expected: str
) -> None:
    with pytest.raises(EscalationRefused) as refused:
        _raise(access_world, task, clock, owner_agency=owner_agency)
    assert refused.value.field == "owner_agency" and str(refused.value).startswith(expected)
    assert not PartnershipEscalation.objects.exists() and not EscalationEvent.objects.exists()


def test_a_missing_short_or_blaming_reason_is_refused(access_world: AccessWorld, task: Task, clock: FixedClock) -> None:
    for reason, expected in (
        ("", "reason: expected what you are asking"),
        ("Please look", "reason: expected at least 20 characters"),
        ("She is putting herself at risk by going to the hotel again.", "reason: expected wording that does not"),
    ):
        with pytest.raises(EscalationRefused) as refused:
            _raise(access_world, task, clock, reason=reason)
        assert str(refused.value).startswith(expected)
    assert not PartnershipEscalation.objects.exists()


def test_an_escalation_needs_exactly_one_existing_source(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    with pytest.raises(EscalationRefused, match="source: expected exactly one"):
        _raise(access_world, task, clock, task_id=None)
    with pytest.raises(EscalationRefused, match="source: expected exactly one"):
        _raise(access_world, task, clock, finding_id=task.finding_id)
    with pytest.raises(EscalationRefused, match="task: expected the id of an existing task"):
        _raise(access_world, task, clock, task_id=999999)
    with pytest.raises(EscalationRefused, match="refusal: expected the id of a custody or police_protection"):
        _raise(access_world, task, clock, task_id=None, refusal_id=access_world.incident.pk)


def test_a_custody_refusal_is_escalated_about_its_detained_child(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    raised = _raise(
        access_world,
        task,
        clock,
        task_id=None,
        refusal_id=access_world.custody.pk,
        acting_user=access_world.users["custody_officer"],
    )
    assert (raised.raised_from, raised.refusal_id, raised.individual_id) == (
        "refusal",
        access_world.custody.pk,
        access_world.pupil.pk,
    )


def test_only_the_owner_agency_answers_and_only_once(access_world: AccessWorld, task: Task, clock: FixedClock) -> None:
    raised = _raise(access_world, task, clock)
    with pytest.raises(NotYourEscalation):
        escalations.answer_escalation(
            raised.pk, acting_user=access_world.users["inspector"], outcome="agreed", answer=ANSWER, clock=clock
        )
    with pytest.raises(EscalationRefused, match="outcome: expected one of agreed, partly_agreed, declined"):
        escalations.answer_escalation(
            raised.pk, acting_user=access_world.users["partner_social_worker"], outcome="ok", answer=ANSWER, clock=clock
        )
    social_worker = access_world.users["partner_social_worker"]
    answered = escalations.answer_escalation(
        raised.pk, acting_user=social_worker, outcome="agreed", answer=ANSWER, clock=clock
    )
    assert (answered.status, answered.outcome, answered.answer, answered.answered_by) == (
        "answered",
        "agreed",
        ANSWER,
        social_worker,
    )
    with pytest.raises(IllegalMove):
        escalations.answer_escalation(
            raised.pk, acting_user=social_worker, outcome="declined", answer=ANSWER, clock=clock
        )
    assert list(answered.history.values_list("action", flat=True)) == ["raised", "answered"]
    assert AuditEntry.objects.filter(object_type="partnership_escalation", action="decision").count() == 1


def test_an_unanswered_escalation_climbs_a_level_per_missed_deadline_then_is_marked_once(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    raised = _raise(access_world, task, clock)
    assert sweep_escalations(clock=FixedClock(raised.response_due)) == []  # due, not yet late
    late = FixedClock(raised.response_due + dt.timedelta(minutes=1))  # Wednesday 09:01
    assert [(s.from_level, s.to_level) for s in sweep_escalations(clock=late)] == [(1, 2)]
    raised.refresh_from_db()
    assert (raised.level, raised.response_due) == (2, dt.datetime(2026, 3, 5, 9, 1, tzinfo=dt.UTC))
    later = FixedClock(raised.response_due + dt.timedelta(minutes=1))
    assert [(s.from_level, s.to_level) for s in sweep_escalations(clock=later)] == [(2, 3)]
    raised.refresh_from_db()
    last = FixedClock(raised.response_due + dt.timedelta(minutes=1))
    assert [(s.from_level, s.to_level) for s in sweep_escalations(clock=last)] == [(3, None)]
    assert sweep_escalations(clock=FixedClock(last.now() + dt.timedelta(days=3))) == []
    raised.refresh_from_db()
    assert (raised.level, raised.exhausted) == (3, True)
    assert list(raised.history.values_list("action", "level")) == [
        ("raised", 1),
        ("escalated", 2),
        ("escalated", 3),
        ("exhausted", 3),
    ]


def test_two_workers_reading_the_same_overdue_escalation_move_it_once(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    raised = _raise(access_world, task, clock)
    late = FixedClock(raised.response_due + dt.timedelta(minutes=1))
    read_by_the_second_worker = (raised.pk, raised.level)  # read before the first worker claims it
    assert len(sweep_escalations(clock=late)) == 1
    assert claim_step(*read_by_the_second_worker, clock=late, policy=current_policy()) is None
    raised.refresh_from_db()
    assert raised.level == 2 and raised.history.filter(action="escalated").count() == 1


def test_an_answered_escalation_never_climbs(access_world: AccessWorld, task: Task, clock: FixedClock) -> None:
    raised = _raise(access_world, task, clock)
    escalations.answer_escalation(
        raised.pk, acting_user=access_world.users["partner_social_worker"], outcome="agreed", answer=ANSWER, clock=clock
    )
    assert sweep_escalations(clock=FixedClock(raised.response_due + dt.timedelta(days=10))) == []


def test_the_deadline_sweeper_raises_an_overdue_escalation_exactly_once(
    access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    raised = _raise(access_world, task, clock)
    late = FixedClock(raised.response_due + dt.timedelta(minutes=1))
    first, second = scheduler.sweep_once(clock=late), scheduler.sweep_once(clock=late)
    assert [(s.escalation_id, s.to_level) for s in first.escalations] == [(raised.pk, 2)]
    assert second.escalations == []
    assert raised.history.filter(action="escalated").count() == 1
