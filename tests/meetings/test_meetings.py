"""The meetings workspace's services end to end: an agenda from the picture, the meeting recorded
through the capture service (a versioned `safetynet` record), actions as their owners' tasks
(X7) that escalate when overdue and close when done, D2 cleared by listing the child, and bad
input refused with the field before anything is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.meetings import agendas
from safetynet.meetings import services as meetings
from safetynet.records.models import Event, RecordVersion
from safetynet.risk.models import Finding
from safetynet.work import escalations
from safetynet.work.models import Task
from safetynet.work.services import sweep
from tests.meetings.conftest import NEW_CHILD, OLD_CHILD, line
from tests.world import AccessWorld


def test_a_marac_agenda_lists_every_child_of_the_victim_and_the_perpetrator_and_flags_a_repeat(
    household: dict[str, int], clock: FixedClock
) -> None:
    entries = agendas.marac(household["victim"], household["perp"], clock.now())
    by_person = {e.individual_id: e for e in entries}
    assert set(by_person) == {household["victim"], household["perp"], household["old"], household["new"]}
    assert by_person[household["old"]].reason == "Child of the perpetrator (any household)"
    assert by_person[household["victim"]].repeat and "repeat" in by_person[household["victim"]].reason


def _schedule(world: AccessWorld, household: dict[str, int], clock: FixedClock) -> Event:
    with_agenda = agendas.marac(household["victim"], household["perp"], clock.now())
    return meetings.schedule(
        acting_user=world.users["public_protection_officer"],
        meeting_type="marac",
        at=clock.now() + dt.timedelta(days=2),
        agenda=with_agenda,
        victim=household["victim"],
        perpetrator=household["perp"],
        clock=clock,
    )


def _held(clock: FixedClock, **overrides: Any) -> meetings.Held:
    values: dict[str, Any] = {
        "held_at": clock.now() - dt.timedelta(hours=1),
        "attendees": [
            {"name": "Invented Chair", "organisation": "police"},
            {"name": "Invented Officer", "organisation": "probation"},
            {"name": "Invented Advocate", "organisation": "IDVA service"},
        ],
        "apologies": [],
        "information_shared": [{"by": {"organisation": "housing"}, "text": "Tenancy in the victim's name."}],
        "decisions": ["Safety planning for both children."],
        "outcome": "Safety plans agreed for both children; review in four weeks.",
    }
    return meetings.Held(**{**values, **overrides})


def test_a_scheduled_meeting_is_a_safetynet_record_whose_agenda_clears_d2(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    assert Finding.objects.filter(clause="D2", individual_id=household["old"], state="open").exists()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(access_world, household, clock)
    assert (meeting.source, meeting.details["status"]) == ("safetynet", "scheduled")
    assert meeting.payload["entered_by"]["user"] == access_world.users["public_protection_officer"].username
    subjects = set(meeting.participations.filter(role="subject").values_list("person__source_id", flat=True))
    assert {OLD_CHILD[1], NEW_CHILD[1]} <= subjects
    # The meeting is still to be held, but the child is listed at a MARAC about his parent now.
    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.record_held(
            meeting.pk, _held(clock), acting_user=access_world.users["public_protection_officer"], clock=clock
        )
    assert not Finding.objects.filter(clause="D2", individual_id=household["old"], state="open").exists()
    assert RecordVersion.objects.filter(source="safetynet", source_id=meeting.source_id).count() == 1


def test_an_action_for_social_care_is_their_task_escalates_when_overdue_and_closes_when_done(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    chair = access_world.users["public_protection_officer"]
    social_worker = access_world.users["partner_social_worker"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(access_world, household, clock)
        clock.advance(days=3)
        meetings.record_held(meeting.pk, _held(clock), acting_user=chair, clock=clock)
        owner = meetings.action_owner(user_id=social_worker.pk)
        _, action = meetings.add_action(
            meeting.pk,
            text="Complete a safety plan with the child and his mother.",
            owner=owner,
            about=household["old"],
            due=clock.now().date() + dt.timedelta(days=2),
            acting_user=chair,
            clock=clock,
        )
    task = Task.objects.get(clause="X7", individual_id=household["old"])
    assert (task.owner_role, task.assignee_id, task.state) == ("partner_social_worker", social_worker.pk, "open")
    assert task.finding.detail["meeting_action"]["action"] == action

    clock.advance(days=3)
    sweep(clock=clock)
    task.refresh_from_db()
    assert task.escalation_exhausted  # social care's chain is its own role: overdue at the top, and marked

    raised = escalations.raise_escalation(
        acting_user=chair,
        owner_agency="csc",
        reason="The safety plan agreed at MARAC is three days overdue; please confirm a date.",
        meeting_action_task_id=task.pk,
        clock=clock,
    )
    assert (raised.raised_from, raised.task_id, raised.individual_id) == ("meeting_action", task.pk, household["old"])

    with pytest.raises(meetings.NotYourMeeting):
        meetings.complete_action(
            meeting.pk,
            action,
            outcome="Done by someone else.",
            acting_user=access_world.users["partner_health"],
            clock=clock,
        )
    with django_capture_on_commit_callbacks(execute=True):
        meetings.complete_action(
            meeting.pk,
            action,
            outcome="Safety plan completed with mother on Tuesday.",
            acting_user=social_worker,
            clock=clock,
        )
    task.refresh_from_db()
    assert task.state == "closed"
    stored = meetings.find_action(meetings.meeting_of(meeting.pk), action)
    assert (
        stored["outcome"].startswith("Safety plan completed")
        and stored["done_by"]["username"] == social_worker.username
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": None}, "owner"),
        ({"due": None}, "due"),
        ({"owner": {"name": "Invented Officer", "organisation": "probation"}}, "owner"),
        ({"text": "  "}, "text"),
    ],
)
def test_an_action_without_an_owner_or_due_date_is_refused_with_the_field(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock, change: dict[str, Any], field: str
) -> None:
    meeting = _schedule(access_world, household, clock)
    values: dict[str, Any] = {
        "text": "Visit the child at school.",
        "owner": {"name": "Social care", "organisation": "csc"},
        "about": household["old"],
        "due": clock.now().date() + dt.timedelta(days=5),
    }
    versions = RecordVersion.objects.count()
    with pytest.raises(meetings.MeetingRefused) as refused:
        meetings.add_action(
            meeting.pk, **{**values, **change}, acting_user=access_world.users["public_protection_officer"], clock=clock
        )
    assert refused.value.field == field
    assert RecordVersion.objects.count() == versions and "actions" not in meetings.meeting_of(meeting.pk).details


def test_a_meeting_dated_in_the_future_cannot_be_recorded_as_held(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock
) -> None:
    meeting = _schedule(access_world, household, clock)
    with pytest.raises(meetings.MeetingRefused) as refused:
        meetings.record_held(
            meeting.pk,
            _held(clock, held_at=clock.now() + dt.timedelta(hours=2)),
            acting_user=access_world.users["public_protection_officer"],
            clock=clock,
        )
    assert refused.value.field == "held_at"
    assert meetings.meeting_of(meeting.pk).details["status"] == "scheduled"


def test_the_chair_removes_an_item_with_a_reason_that_stays_on_the_record(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock
) -> None:
    chair = access_world.users["public_protection_officer"]
    meeting = _schedule(access_world, household, clock)
    with pytest.raises(meetings.MeetingRefused, match="reason"):
        meetings.remove_from_agenda(meeting.pk, 3, reason="", acting_user=chair, clock=clock)
    changed = meetings.remove_from_agenda(
        meeting.pk, 3, reason="Discussed at the children's conference this week.", acting_user=chair, clock=clock
    )
    item = changed.details["agenda"][3]
    assert item["removed_reason"].startswith("Discussed") and changed.payload["entered_by"]["reason"].startswith(
        "taken off"
    )
    with pytest.raises(meetings.NotYourMeeting):
        meetings.remove_from_agenda(
            meeting.pk,
            2,
            reason="Not for this meeting at all.",
            acting_user=access_world.users["partner_health"],
            clock=clock,
        )


def test_a_mace_agenda_includes_a_child_named_in_emerging_intelligence(
    access_world: AccessWorld, household: dict[str, int], clock: FixedClock
) -> None:
    capture(
        [
            line(
                "event",
                "rms",
                "MI1",
                event_type="intelligence",
                occurred_at=(clock.now() - dt.timedelta(days=10)).isoformat(),
                participants=[{"person": {"source": OLD_CHILD[0], "id": OLD_CHILD[1]}, "role": "subject"}],
                details={"grading": {"source": 3, "assessment": "E", "handling": "P"}, "text": "Seen in cars."},
            )
        ],
        door="cli",
        clock=clock,
    )
    entries = {e.individual_id: e for e in agendas.mace(clock.now())}
    assert entries[household["old"]].reason.startswith("Emerging intelligence")
    assert household["victim"] not in entries  # an adult named in no exploitation finding
