"""Each agency's work climbs its own escalation chain (#16): a social-care task never goes to a
police rank; a role may have its own chain; a supervisor watches only their agency's work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safetynet.risk.policy import DEFAULT_POLICY_PATH, current_policy, load_policy
from safetynet.work.models import Task
from safetynet.work.services import oversight, sweep, sync_tasks, task_queue

TEXT = DEFAULT_POLICY_PATH.read_text()


def test_an_overdue_social_care_task_stays_in_social_care_marked_at_the_top_of_its_chain(
    findings: Any, clock: Any
) -> None:
    findings.make("M6", owner_role="partner_social_worker", due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    clock.advance(hours=1, minutes=1)
    report = sweep(clock=clock)
    task = Task.objects.get()
    assert [(e.from_role, e.to_role) for e in report.escalations] == [("partner_social_worker", None)]
    assert (task.owner_role, task.escalation_level, task.escalation_exhausted) == ("partner_social_worker", 0, True)
    event = task.history.last()
    assert event is not None and (event.action, event.note) == (
        "exhausted",
        "deadline passed at the top of the escalation chain",
    )
    # Hours later it is still social care's, never a sergeant's or an inspector's.
    clock.advance(hours=10)
    assert sweep(clock=clock).escalations == []
    assert Task.objects.get().owner_role == "partner_social_worker"


def test_police_and_social_care_tasks_overdue_together_each_climb_their_own_chain(findings: Any, clock: Any) -> None:
    findings.make("C1", owner_role="custody_officer", due_in=dt.timedelta(hours=1))
    findings.make("M6", owner_role="partner_social_worker", due_in=dt.timedelta(hours=1))
    findings.make("H1", owner_role="partner_health", due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    clock.advance(hours=2)
    sweep(clock=clock)
    owners = dict(Task.objects.values_list("clause", "owner_role"))
    assert owners == {"C1": "sergeant", "M6": "partner_social_worker", "H1": "partner_health"}


def test_a_role_given_its_own_chain_in_the_policy_climbs_that_chain(tmp_path: Path, findings: Any, clock: Any) -> None:
    path = tmp_path / "force.yaml"
    path.write_text(
        TEXT.replace(
            "    health: [partner_health]\n",
            "    health: [partner_health]\n  roles:\n    custody_officer: [inspector, superintendent]\n",
        )
    )
    policy = load_policy(path)
    assert policy.escalation_chain("custody_officer") == ("inspector", "superintendent")
    findings.make("C1", owner_role="custody_officer", due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock, policy=policy)
    clock.advance(hours=2)
    sweep(clock=clock, policy=policy)
    assert Task.objects.get().owner_role == "inspector"


def test_a_sergeants_oversight_watches_police_work_and_not_a_partners(findings: Any, clock: Any) -> None:
    findings.make("C1", owner_role="custody_officer", due_in=dt.timedelta(hours=-1))
    findings.make("M6", owner_role="partner_social_worker", due_in=dt.timedelta(hours=-1))
    sync_tasks(clock=clock)
    watched = oversight(role="sergeant", team="", now=clock.now(), policy=current_policy())
    assert [t.owner_role for t in watched.tasks] == ["custody_officer"]
    assert watched.overdue == 1 and watched.overdue_by_role == {"custody_officer": 1}


def test_escalation_takes_the_task_from_the_team_that_missed_it_to_the_next_ranks_queue(
    findings: Any, clock: Any
) -> None:
    findings.make(due_in=dt.timedelta(hours=1))
    sync_tasks(clock=clock)
    task = Task.objects.get()
    Task.objects.filter(pk=task.pk).update(team="east-response")
    clock.advance(hours=2)
    sweep(clock=clock)
    task.refresh_from_db()
    assert (task.owner_role, task.team, task.assignee_id) == ("inspector", "", None)
    assert list(task_queue(user_id=0, role="inspector", team="west", scope="role")) == [task]
