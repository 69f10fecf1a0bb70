"""Probable matches protect (ID1): two individuals whose records sit in linkage's review band are
also judged together; when the union would raise more, the holder gets a high-severity "identity
not confirmed" finding for the MASH officer (a task within the same evaluation), the pair's risk
at stake orders the review queue, and deciding the pair closes the finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from safetynet.identity.models import ReviewPair
from safetynet.identity.services import decide_pair, review_queue
from safetynet.lib.clock import FixedClock
from safetynet.records import models as rm
from safetynet.risk.models import Finding
from safetynet.risk.probable import raised_by_union
from safetynet.risk.rules import FindingDraft
from safetynet.risk.services import evaluate_individual, refresh_findings
from safetynet.work.models import Task
from tests.risk.conftest import NOW, World, ago, ref
from tests.risk.scenarios import _episode


def _pair(world: World, first: rm.Person, second: rm.Person, *, p: float = 0.969, **fields: Any) -> ReviewPair:
    a, b = sorted((first, second), key=lambda person: person.pk)
    return ReviewPair.objects.create(
        person_a=a,
        person_b=b,
        reason=ReviewPair.Reason.UNCERTAIN,
        match_probability=p,
        match_weight=5.0,
        created_at=fields.pop("created_at", NOW - dt.timedelta(hours=1)),
        **fields,
    )


def _split_repeat_missing(world: World) -> tuple[rm.Person, rm.Person]:
    """One child's three missing episodes in 90 days split between two records (two and one):
    M4 (repeat missing, no trigger plan) holds only for the two together."""
    health = world.child(14, source="health")
    police = world.child(14, source="mispers")
    _episode(world, health, ago(days=80))
    _episode(world, health, ago(days=50))
    _episode(world, police, ago(days=20))
    return health, police


def _ind(person: rm.Person) -> int:
    return person.membership.individual_id


def test_the_union_raises_what_neither_raises_alone(world: World) -> None:
    health, police = _split_repeat_missing(world)
    assert world.findings(health, "M4") == [] and world.findings(police, "M4") == []
    pair = _pair(world, health, police)
    holder = health if health.pk < police.pk else police
    other = police if holder is health else health

    assessment = evaluate_individual(_ind(holder), as_of=NOW)
    (finding,) = [d for d in assessment.drafts if d.clause == "ID1"]
    assert finding.severity == "high" and finding.owner_role == "mash_officer" and finding.kind == "work"
    assert set(finding.cites) == {ref(health), ref(police)}
    assert finding.key == ref(other)
    assert finding.due_by == pair.created_at + dt.timedelta(hours=4)  # the policy's confirm_identity clock
    assert "97%" in finding.reason and "Identity not confirmed" in finding.reason
    detail = finding.detail or {}
    assert detail["pairs"] == [pair.pk] and detail["identity"] == "identity not confirmed"
    (provisional,) = [p for p in detail["provisional"] if p["clause"] == "M4"]
    assert provisional["severity"] == "high" and provisional["was"] is None
    assert provisional["identity"] == "identity not confirmed"
    assert assessment.stakes == {pair.pk: "high"}
    # The other side does not hold the finding: one per probable match.
    assert [d for d in evaluate_individual(_ind(other), as_of=NOW).drafts if d.clause == "ID1"] == []


def test_no_finding_when_the_union_changes_nothing(world: World) -> None:
    first = world.child(14, source="health")
    second = world.child(14, source="mispers")
    _episode(world, first, ago(days=20))
    pair = _pair(world, first, second)
    holder = min((first, second), key=lambda p: p.pk)
    assessment = evaluate_individual(_ind(holder), as_of=NOW)
    assert [d for d in assessment.drafts if d.clause == "ID1"] == []
    assert assessment.stakes == {pair.pk: None}


def test_a_decided_or_linked_pair_is_no_probable_match(world: World) -> None:
    health, police = _split_repeat_missing(world)
    _pair(world, health, police, status=ReviewPair.Status.DECIDED)
    for person in (health, police):
        assert world.findings(person, "ID1") == []


def _draft(clause: str, severity: str, key: tuple[str, str] | None = None, kind: str = "work") -> FindingDraft:
    return FindingDraft(clause, severity, f"{clause} reason.", (), "sergeant", key=key, kind=kind)


def test_raised_by_union_counts_new_and_more_severe_work_findings_only() -> None:
    alone = [_draft("H3", "medium", ("rms", "E1")), _draft("Q1", "low"), _draft("M1", "high", ("rms", "E2"))]
    union = [
        _draft("H3", "high", ("rms", "E1")),  # raised in severity
        _draft("M1", "high", ("rms", "E2")),  # the same
        _draft("M4", "high"),  # new
        _draft("H2", "medium", kind="practice"),  # practice: breaches on closed work are no risk now
    ]
    found = {(p.draft.clause, p.was) for p in raised_by_union(union, alone)}
    assert found == {("H3", "medium"), ("M4", None)}


def test_a_probable_match_that_changes_risk_reaches_a_task_within_the_same_evaluation(
    world: World, clock: FixedClock
) -> None:
    health, police = _split_repeat_missing(world)
    pair = _pair(world, health, police)
    holder, other = sorted((health, police), key=lambda p: p.pk)
    # Evaluating either child judges the match: here the one that does not hold it.
    refresh_findings([_ind(other)], clock=clock)
    finding = Finding.objects.get(clause="ID1", individual_id=_ind(holder))
    task = Task.objects.get(finding=finding)
    assert task.owner_role == "mash_officer" and task.severity == "high"
    assert task.due_at == pair.created_at + dt.timedelta(hours=4)
    pair.refresh_from_db()
    assert pair.risk_at_stake == "high" and pair.priority >= 300


def test_the_review_queue_puts_the_risk_at_stake_first(world: World, clock: FixedClock) -> None:
    quiet_a = world.child(14, source="health")
    quiet_b = world.child(14, source="mispers")
    older = _pair(world, quiet_a, quiet_b, created_at=NOW - dt.timedelta(days=3), priority=13)
    health, police = _split_repeat_missing(world)
    newer = _pair(world, health, police)
    refresh_findings([_ind(quiet_a), _ind(quiet_b), _ind(health), _ind(police)], clock=clock)
    assert [p.pk for p in review_queue()] == [newer.pk, older.pk]
    older.refresh_from_db()
    assert older.priority == 13 and older.risk_at_stake is None  # the priority it was queued with is kept


def test_deciding_the_pair_closes_the_finding_and_its_task(world: World, clock: FixedClock) -> None:
    reviewer = get_user_model().objects.create(username="mash-reviewer")
    for same in (False, True):
        health, police = _split_repeat_missing(world)
        pair = _pair(world, health, police)
        both = [_ind(health), _ind(police)]
        refresh_findings(both, clock=clock)
        finding = Finding.objects.get(clause="ID1", individual_id__in=both, state="open")
        clock.advance(minutes=10)
        decide_pair(pair, same, acting_user=reviewer, reason="carer confirmed by phone", clock=clock)
        refresh_findings(both, clock=clock)
        finding.refresh_from_db()
        assert finding.state == Finding.State.CLOSED, same
        assert Task.objects.get(finding=finding).state == "closed"
        if same:  # one child now: the union's finding is raised on the child, for its own owner
            individual = health.membership.__class__.objects.get(person=health).individual_id
            assert Finding.objects.filter(individual_id=individual, clause="M4", state="open").exists()
