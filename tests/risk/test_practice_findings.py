"""Act now vs practice: a breach on work closed longer ago than the clause's window is a fact
about practice, rolled up per child and clause, never a task; each breach stays queryable."""

from __future__ import annotations

import datetime as dt

from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.risk.services import refresh_findings
from safetynet.work.models import Task
from safetynet.work.practice import practice_breaches, practice_counts
from tests.risk.conftest import World, ago, ref
from tests.risk.scenarios import INSPECTOR, SERGEANT, _episode, _review


def _ref(e: object) -> dict[str, str]:
    source, id_ = ref(e)
    return {"source": source, "id": id_}


def _late_review(world: World, child: object, t: dt.datetime, **details: object) -> object:
    reviews = [_review(t + dt.timedelta(hours=5), SERGEANT), _review(t + dt.timedelta(hours=6), INSPECTOR)]
    return _episode(world, child, t, reviews=reviews, **details)


def test_historic_breaches_roll_up_into_one_practice_finding_and_recent_ones_stay_work(
    world: World, clock: FixedClock
) -> None:
    child = world.child(15)
    old = [_late_review(world, child, ago(days=days)) for days in (60, 30)]
    recent = _late_review(world, child, ago(days=3))
    individual = child.membership.individual_id
    refresh_findings([individual], clock=clock)
    m2 = Finding.objects.filter(individual_id=individual, clause="M2", state="open")
    practice = m2.get(kind="practice")
    assert practice.detail["count"] == 2
    assert (practice.detail["from"], practice.detail["to"]) == (ago(days=60).isoformat(), ago(days=30).isoformat())
    assert [b["record"] for b in practice.detail["breaches"]] == [_ref(e) for e in old]
    assert all("supervisor review after 5 hours" in b["reason"] for b in practice.detail["breaches"])
    assert practice.reason.startswith("Practice: 2 breach(es) of M2") and "not a task" in practice.reason
    assert practice.cites == [_ref(e) for e in old]
    work = m2.get(kind="work")
    assert work.key == _ref(recent)
    # Only the work finding is a task; the practice one is for oversight.
    assert list(Task.objects.filter(individual_id=individual, clause="M2").values_list("finding_id", flat=True)) == [
        work.pk
    ]
    assert practice_counts()["M2"] == (1, 2)
    dated = list(practice_breaches(clause="M2", since=ago(days=45)))
    assert [(b.record, b.at) for b in dated] == [(_ref(old[1]), ago(days=30))]
    assert [b.clause for b in practice_breaches(owner_role="sergeant")] == ["M2", "M2"]


def test_a_breach_on_an_episode_still_open_is_work_however_old(world: World, clock: FixedClock) -> None:
    child = world.child(15)
    _late_review(world, child, ago(days=40), found_at=None)
    refresh_findings([child.membership.individual_id], clock=clock)
    assert set(Finding.objects.filter(clause="M2").values_list("kind", flat=True)) == {"work"}


def test_a_task_closes_saying_its_breach_moved_to_practice_when_the_window_passes(
    world: World, clock: FixedClock
) -> None:
    child = world.child(15)
    _late_review(world, child, ago(days=3))
    individual = child.membership.individual_id
    refresh_findings([individual], clock=clock)
    task = Task.objects.get(individual_id=individual, clause="M2")
    clock.advance(days=6)
    refresh_findings([individual], clock=clock)
    task.refresh_from_db()
    assert task.state == "closed"
    assert "now a practice finding" in task.history.get(action="closed").note
    assert Finding.objects.get(individual_id=individual, clause="M2", state="open").kind == "practice"
