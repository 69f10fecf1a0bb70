"""People acknowledge and resolve tasks; a rationale that blames the child is refused."""

from __future__ import annotations

from typing import Any

import pytest

from safetynet.risk.models import Finding
from safetynet.work.models import IllegalMove, Task
from safetynet.work.services import RationaleRefused, WorkError, acknowledge, assign, resolve, sync_tasks


@pytest.fixture
def task(findings: Any, clock: Any) -> Task:
    findings.make()
    sync_tasks(clock=clock)
    return Task.objects.get()


def test_acknowledging_records_who_and_when_on_the_task_and_its_finding(task: Task, clock: Any, sergeant: Any) -> None:
    clock.advance(minutes=10)
    acknowledge(task.pk, acting_user=sergeant, clock=clock)
    task.refresh_from_db()
    finding = Finding.objects.get(pk=task.finding_id)
    assert (task.state, task.acknowledged_by, task.acknowledged_at) == ("acknowledged", sergeant, clock.now())
    assert finding.state == "acknowledged"


def test_resolving_needs_a_rationale(task: Task, clock: Any, sergeant: Any) -> None:
    with pytest.raises(RationaleRefused, match="a rationale is required"):
        resolve(task.pk, acting_user=sergeant, rationale="   ", clock=clock)
    task.refresh_from_db()
    assert task.state == "open"


@pytest.mark.parametrize("rationale", ["x", "ok", "done", "NFA", "seen, fine"])
def test_a_rationale_too_short_to_say_what_was_done_is_refused(
    task: Task, clock: Any, sergeant: Any, rationale: str
) -> None:
    with pytest.raises(RationaleRefused, match="too short"):
        resolve(task.pk, acting_user=sergeant, rationale=rationale, clock=clock)
    task.refresh_from_db()
    assert task.state == "open"


@pytest.mark.parametrize(
    ("rationale", "phrase"),
    [
        ("Risk lowered: she regularly goes missing and always comes back.", "regularly goes missing"),
        ("Left of her own volition, no further action.", "own volition"),
        ("He is a Regular Missing Person; known to the team.", "regular missing person"),
        ("Child is putting herself at risk by staying out.", "putting themselves at risk"),
    ],
)
def test_resolving_refuses_blaming_language_naming_the_phrase_reason_and_better_wording(
    task: Task, clock: Any, sergeant: Any, rationale: str, phrase: str
) -> None:
    with pytest.raises(RationaleRefused) as refused:
        resolve(task.pk, acting_user=sergeant, rationale=rationale, clock=clock)
    match = next(m for m in refused.value.matches if m.phrase == phrase)
    message = str(refused.value)
    assert phrase in message
    assert match.reason in message
    assert "Suggested wording" in message
    task.refresh_from_db()
    assert task.state == "open"


def test_resolving_with_a_plain_rationale_resolves_the_task_and_its_finding(
    task: Task, clock: Any, sergeant: Any
) -> None:
    text = "Supervisor review recorded at 09:40; trigger plan requested from the coordinator."
    resolve(task.pk, acting_user=sergeant, rationale=text, clock=clock)
    task.refresh_from_db()
    finding = Finding.objects.get(pk=task.finding_id)
    assert (task.state, task.rationale, task.resolved_by) == ("resolved", text, sergeant)
    assert finding.state == "resolved"
    with pytest.raises(IllegalMove, match="expected an open or acknowledged task"):
        acknowledge(task.pk, acting_user=sergeant, clock=clock)


def test_a_resolved_finding_does_not_make_the_sync_close_or_reopen_its_task(
    task: Task, clock: Any, sergeant: Any
) -> None:
    resolve(task.pk, acting_user=sergeant, rationale="Review completed and recorded.", clock=clock)
    report = sync_tasks(clock=clock)
    assert (report.created, report.closed) == (0, 0)
    assert Task.objects.get().state == "resolved"


def test_a_task_can_be_assigned_to_a_team_and_a_person(task: Task, clock: Any, sergeant: Any) -> None:
    assign(task.pk, acting_user=sergeant, clock=clock, assignee=sergeant, team="MISPERS-EAST")
    task.refresh_from_db()
    assert (task.team, task.assignee) == ("MISPERS-EAST", sergeant)
    assert task.history.last().note == "assigned to a named person in team MISPERS-EAST"  # type: ignore[union-attr]
    with pytest.raises(WorkError, match="needs a person or a team"):
        assign(task.pk, acting_user=sergeant, clock=clock)
