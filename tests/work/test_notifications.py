"""Notifications: a task assigned to you or your team, escalated to your role, due soon, a
partnership escalation to your agency or answered; once per person and event however many
workers notify it; emails immediate or a daily digest, carrying a link and no personal data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, ensure_agencies
from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from safetynet.work import escalations, notifications
from safetynet.work.models import Notification, Task
from safetynet.work.services import assign, sweep
from tests.world import AccessWorld, open_task

REASON = "Strategy discussion needed today: social care has not attended the last two meetings."
ANSWER = "A social worker will attend the strategy discussion tomorrow at 10:00."
# An email is the kind's words, a colon and a link; nothing else (no names, no free text).
EMAIL_BODY = re.compile(r"^[A-Z][a-z ]+: http://testserver/[a-z0-9/]+/\n$")


@pytest.fixture
def mailed(access_world: AccessWorld, settings: Any) -> AccessWorld:
    """Every user of the world has an address; links point at the test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SAFETYNET_BASE_URL = "http://testserver"
    for user in access_world.users.values():
        user.email = f"{user.username}@invented.example"
        user.save(update_fields=["email"])
    return access_world


@pytest.fixture
def task(mailed: AccessWorld, clock: FixedClock) -> Task:
    return open_task(mailed.pupil, clause="X1", owner_role="sergeant", at=clock.now())


def _kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def _assert_no_personal_data(world: AccessWorld, task: Task) -> None:
    assert mail.outbox, "no email was sent"
    for message in mail.outbox:
        assert EMAIL_BODY.match(message.body), message.body
        text = message.subject + message.body
        for secret in (
            "Kayleigh",
            "Testperson",
            task.reason,
            REASON,
            ANSWER,
            *(u.username for u in world.users.values()),
        ):
            assert secret not in text


def test_a_task_assigned_to_you_is_notified_once_and_emailed_without_personal_data(
    mailed: AccessWorld, task: Task, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant, inspector = mailed.users["sergeant"], mailed.users["inspector"]
    with django_capture_on_commit_callbacks(execute=True):
        assign(task.pk, acting_user=inspector, clock=clock, assignee=sergeant)
    assert _kinds(sergeant) == ["task_assigned"] and _kinds(inspector) == []
    note = Notification.objects.get(user=sergeant)
    assert (note.link, note.read_at) == (f"/work/tasks/{task.pk}/", None) and note.emailed_at == clock.now()
    assert [m.to for m in mail.outbox] == [[sergeant.email]]
    assert mail.outbox[0].body == f"A task was assigned to you: http://testserver/work/tasks/{task.pk}/\n"
    _assert_no_personal_data(mailed, task)
    # The sweep's catch-up finds nothing left to send.
    assert notifications.send_immediate(clock=clock) == 0 and len(mail.outbox) == 1


def test_taking_a_task_yourself_tells_nobody(mailed: AccessWorld, task: Task, clock: FixedClock) -> None:
    sergeant = mailed.users["sergeant"]
    assign(task.pk, acting_user=sergeant, clock=clock, assignee=sergeant)
    assert not Notification.objects.exists()


def test_a_task_given_to_a_team_tells_its_members(mailed: AccessWorld, task: Task, clock: FixedClock) -> None:
    police = ensure_agencies(acting_user=None)["police"]
    team = create_team(acting_user=None, agency=police, code="invented-response", name="Invented response")
    members = [mailed.users["sergeant"], mailed.users["response_officer"]]
    UserProfile.objects.filter(user__in=members).update(team=team)
    assign(task.pk, acting_user=mailed.users["inspector"], clock=clock, team=team.code)
    assert set(Notification.objects.filter(kind="task_team").values_list("user_id", flat=True)) == {
        u.pk for u in members
    }


def test_the_sweep_tells_the_role_a_task_escalated_to_once(mailed: AccessWorld, task: Task, clock: FixedClock) -> None:
    late = FixedClock(task.due_at + dt.timedelta(minutes=1))  # type: ignore[operator]
    sweep(clock=late)
    inspectors = set(UserProfile.objects.filter(role="inspector").values_list("user_id", flat=True))
    escalated = Notification.objects.filter(kind="task_escalated")
    assert set(escalated.values_list("user_id", flat=True)) == inspectors
    # A second worker notifying the same escalation (the same event key) changes nothing.
    task.refresh_from_db()
    notifications.tasks_escalated([(task.pk, "inspector", task.due_at)], clock=late)
    assert escalated.count() == len(inspectors)


def test_due_soon_tells_the_assignee_once_per_deadline(mailed: AccessWorld, task: Task, clock: FixedClock) -> None:
    sergeant = mailed.users["sergeant"]
    assign(task.pk, acting_user=sergeant, clock=clock, assignee=sergeant)
    soon = FixedClock(task.due_at - dt.timedelta(minutes=30))  # type: ignore[operator]
    notifications.tasks_due_soon(clock=soon)
    notifications.tasks_due_soon(clock=soon)
    assert _kinds(sergeant) == ["task_due_soon"]


def test_an_escalation_tells_the_agency_that_must_answer_and_the_answer_tells_the_raiser(
    mailed: AccessWorld, task: Task, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant, social_worker = mailed.users["sergeant"], mailed.users["partner_social_worker"]
    with django_capture_on_commit_callbacks(execute=True):
        raised = escalations.raise_escalation(
            acting_user=sergeant, owner_agency="csc", reason=REASON, task_id=task.pk, clock=clock
        )
    assert _kinds(social_worker) == ["escalation_raised"] and _kinds(mailed.users["partner_health"]) == []
    late = FixedClock(raised.response_due + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        escalations.sweep_escalations(clock=late)
        escalations.sweep_escalations(clock=late)
    assert sorted(_kinds(social_worker)) == ["escalation_level", "escalation_raised"]
    with django_capture_on_commit_callbacks(execute=True):
        escalations.answer_escalation(raised.pk, acting_user=social_worker, outcome="agreed", answer=ANSWER, clock=late)
    assert _kinds(sergeant) == ["escalation_answered"]
    assert Notification.objects.get(user=sergeant).link == f"/escalations/{raised.pk}/"
    _assert_no_personal_data(mailed, task)


def test_a_daily_digest_instead_of_immediate_emails(
    mailed: AccessWorld, task: Task, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant = mailed.users["sergeant"]
    notifications.set_preference(sergeant, "digest")
    with django_capture_on_commit_callbacks(execute=True):
        assign(task.pk, acting_user=mailed.users["inspector"], clock=clock, assignee=sergeant)
        notifications.notify([sergeant.pk], kind="task_due_soon", event_key="test:1", link="/work/", clock=clock)
    assert mail.outbox == []
    assert notifications.send_digests(clock=clock) == 1
    assert mail.outbox[0].body == "You have 2 new notifications about your work: http://testserver/notifications/\n"
    assert notifications.send_digests(clock=clock) == 0 and len(mail.outbox) == 1
    with pytest.raises(ValueError, match="email: expected one of immediate, digest"):
        notifications.set_preference(sergeant, "weekly")


def test_one_event_notified_by_two_workers_is_stored_once(mailed: AccessWorld, clock: FixedClock) -> None:
    sergeant = mailed.users["sergeant"]
    for _worker in range(2):
        notifications.notify(
            [sergeant.pk], kind="task_assigned", event_key="task:1:assigned:9", link="/work/", clock=clock
        )
    assert Notification.objects.filter(user=sergeant).count() == 1


def test_marking_read_touches_only_your_own(mailed: AccessWorld, clock: FixedClock) -> None:
    sergeant, inspector = mailed.users["sergeant"], mailed.users["inspector"]
    notifications.notify([sergeant.pk, inspector.pk], kind="task_assigned", event_key="e:1", link="/work/", clock=clock)
    theirs = Notification.objects.get(user=inspector)
    assert notifications.mark_read(sergeant, [theirs.pk], clock=clock) == 0
    assert notifications.unread_count(sergeant) == 1
    assert notifications.mark_read(sergeant, clock=clock) == 1 and notifications.unread_count(sergeant) == 0
    assert notifications.unread_count(inspector) == 1


def test_the_notify_command_sends_the_digests_and_refuses_without_saying_which(
    mailed: AccessWorld, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    sergeant = mailed.users["sergeant"]
    notifications.set_preference(sergeant, "digest")
    notifications.notify([sergeant.pk], kind="task_assigned", event_key="e:1", link="/work/", clock=clock)
    assert main(["notify", "--digest"]) == 0
    assert "notify: 1 digest email(s) sent" in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [[sergeant.email]]
    assert main(["notify"]) == 2
    assert "say which emails to send: --digest" in capsys.readouterr().err


def test_a_mail_server_that_is_down_gives_the_email_back_for_the_next_sweep(
    mailed: AccessWorld, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    sergeant = mailed.users["sergeant"]
    notifications.notify([sergeant.pk], kind="task_assigned", event_key="e:1", link="/work/", clock=clock)

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("invented: relay refused")

    Notification.objects.update(emailed_at=None)  # as if its first send had not happened yet
    mail.outbox.clear()
    monkeypatch.setattr(notifications, "send_mail", down)
    assert notifications.send_immediate(clock=clock) == 0
    assert Notification.objects.get().emailed_at is None
    assert "notification email failed (ConnectionRefusedError)" in caplog.text and "invented" not in caplog.text
    monkeypatch.undo()
    assert notifications.send_immediate(clock=clock) == 1 and len(mail.outbox) == 1
