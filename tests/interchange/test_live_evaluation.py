"""A REST call or web form about a few children re-evaluates them before it answers, so the
finding is there to read when the answer comes back (#15: POST to finding visible); a drop
folder or a CLI import leaves it to the task worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django_tasks.signals import task_enqueued

from safetynet.identity.models import Membership
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from tests.interchange.conftest import line, person

pytestmark = pytest.mark.django_db

# The queue keeps jobs and never runs them: only what is done live shows.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _missing_report(source_id: str, at: dt.datetime) -> dict[str, Any]:
    """A missing report graded low because the child goes missing often: the policy raises M1."""
    return line(
        "event",
        source_id,
        event_type="missing_report",
        occurred_at=at.isoformat(),
        reported_at=at.isoformat(),
        recorded_at=at.isoformat(),
        participants=[{"person": {"source": "test", "id": "P1"}, "role": "missing_person"}],
        details={"initial_risk": "low", "risk_rationale": "She is a regular missing person.", "reviews": []},
    )


@pytest.fixture
def child(clock: FixedClock, django_capture_on_commit_callbacks: Any) -> Any:
    """A linked child; returns a context that runs the after-commit work a capture schedules."""
    with django_capture_on_commit_callbacks(execute=True):
        capture([person("P1")], door="cli", clock=clock)
    return lambda: django_capture_on_commit_callbacks(execute=True)


@override_settings(TASKS=QUEUED_ONLY)
def test_a_rest_call_answers_with_the_finding_already_raised(child: Any, clock: FixedClock) -> None:
    with child():
        result = capture([_missing_report("MR1", clock.now())], door="api", clock=clock)
    assert [a.outcome for a in result.answers] == ["accepted"]
    finding = Finding.objects.get(clause="M1")
    assert finding.cites[0] == {"source": "test", "id": "MR1"}
    assert Task.objects.filter(finding=finding, state="open").exists()


@override_settings(TASKS=QUEUED_ONLY)
def test_a_drop_folder_file_leaves_evaluation_to_the_worker(child: Any, clock: FixedClock) -> None:
    with child():
        capture([_missing_report("MR1", clock.now())], door="drop", clock=clock)
    assert not Finding.objects.filter(clause="M1").exists()


@override_settings(TASKS=QUEUED_ONLY, SAFETYNET_LIVE_EVALUATION_MAX=0)
def test_live_evaluation_can_be_turned_off(child: Any, clock: FixedClock) -> None:
    with child():
        capture([_missing_report("MR1", clock.now())], door="api", clock=clock)
    assert not Finding.objects.filter(clause="M1").exists()


@override_settings(TASKS=QUEUED_ONLY)
def test_a_live_call_evaluates_its_child_itself_and_queues_only_the_neighbours(
    clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker is not asked to evaluate the child again (half the cost of a live call), only
    the people around the child, whose pictures the new record may change."""
    adult = person("P2", given_names="Adulty", date_of_birth="1980-02-03")
    parent = line(
        "relationship",
        "R1",
        person_a={"source": "test", "id": "P2"},
        person_b={"source": "test", "id": "P1"},
        rel_type="parent_of",
    )
    with django_capture_on_commit_callbacks(execute=True):
        capture([person("P1"), adult, parent], door="cli", clock=clock)
    queued: list[tuple[str, list[int]]] = []

    def seen(sender: Any, task_result: Any, **kwargs: Any) -> None:
        queued.append((task_result.task.name, list(task_result.args[0])))

    task_enqueued.connect(seen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            capture([_missing_report("MR1", clock.now())], door="api", clock=clock)
    finally:
        task_enqueued.disconnect(seen)
    child_id, adult_id = (
        Membership.objects.get(person__source_id=pid, person__recorded_at__isnull=False).individual_id
        for pid in ("P1", "P2")
    )
    assert Finding.objects.filter(clause="M1", individual_id=child_id).exists()
    assert queued == [("evaluate_individuals", [adult_id])]


@override_settings(TASKS=QUEUED_ONLY)
def test_a_changed_person_record_that_stays_linked_is_evaluated_again(child: Any, clock: FixedClock) -> None:
    """A new version of a child's record (a school, a care status) changes what the rules read
    even though linkage moves nothing: the child is queued for evaluation."""
    queued: list[tuple[str, list[int]]] = []

    def seen(sender: Any, task_result: Any, **kwargs: Any) -> None:
        queued.append((task_result.task.name, list(task_result.args[0])))

    changed = {**person("P1"), "recorded_at": clock.now().isoformat(), "care_status": "looked_after"}
    task_enqueued.connect(seen)
    try:
        with child():
            assert capture([changed], door="cli", clock=clock).rejected == 0
    finally:
        task_enqueued.disconnect(seen)
    child_id = Membership.objects.get(person__source_id="P1").individual_id
    assert ("evaluate_changed_individuals", [child_id]) in queued
