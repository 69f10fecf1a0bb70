"""Notifications: in the app (a count in the header, a list that marks them read) and by email
(Django's email backend), when a task is assigned to you or your team, escalated to your role,
due soon, or a partnership escalation comes to your agency or is answered.

A notification holds no personal data: the kind's words and a link (the page behind it checks
access as always), so an email can never carry a name, a date of birth or free text. Each is
stored once per (user, event key) under a unique constraint, so an event notified by two
workers at once, or by a sweep run twice, reaches each person once; the email of each is
claimed with a conditional update before it is sent, so it too goes once. A person chooses an
email for each notification (immediate, the default) or a daily digest
(`safetynet notify --digest`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from safetynet.access import matrix
from safetynet.access.models import UserProfile
from safetynet.lib.clock import Clock, system_clock
from safetynet.work.models import (
    Notification,
    NotificationPreference,
    PartnershipEscalation,
    Task,
    due_soon_q,
)

log = logging.getLogger(__name__)
Kind = Notification.Kind
# An immediate email older than this is not sent any more (a person given an address later is
# not sent a week of old news); it stays in the app.
IMMEDIATE_EMAIL_WITHIN = dt.timedelta(days=1)


def notify(user_ids: Iterable[int], *, kind: str, event_key: str, link: str, clock: Clock = system_clock) -> int:
    """Stores the notification of `event_key` for each user who does not have it yet, and
    sends the immediate emails once the caller's transaction commits. Returns how many users
    were asked (the unique constraint drops a repeat silently)."""
    return _store([(u, kind, event_key, link) for u in user_ids if u is not None], clock)


def _store(rows: Iterable[tuple[int, str, str, str]], clock: Clock) -> int:
    """(user id, kind, event key, link) rows in one INSERT; a repeat of (user, event key) is
    dropped by the unique constraint, so two workers notifying one event reach each person once."""
    now = clock.now()
    found = {(int(u), key): (kind, link) for u, kind, key, link in rows}
    if not found:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(user_id=u, event_key=key, kind=kind, link=link, created_at=now)
            for (u, key), (kind, link) in found.items()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # robust: a mail server that is down never fails the change that was just committed.
    transaction.on_commit(lambda: send_immediate(clock=clock), robust=True)
    return len(found)


def _team_members(team: str, exclude: Any = None) -> list[int]:
    if not team:
        return []
    members = UserProfile.objects.filter(team__code=team, user__is_active=True)
    if exclude is not None:
        members = members.exclude(user_id=exclude)
    return list(members.values_list("user_id", flat=True))


def task_assigned(task: Task, *, acting_user: Any, event_id: int, clock: Clock = system_clock) -> None:
    """A task given to a person (they are told) or to a team (its members are told); nobody is
    told of what they took themselves."""
    link = reverse("web:task", args=[task.pk])
    actor = getattr(acting_user, "pk", None)
    if task.assignee_id is not None:
        if task.assignee_id != actor:
            notify(
                [task.assignee_id],
                kind=Kind.TASK_ASSIGNED,
                event_key=f"task:{task.pk}:assigned:{event_id}",
                link=link,
                clock=clock,
            )
        return
    notify(
        _team_members(task.team, actor),
        kind=Kind.TASK_TEAM,
        event_key=f"task:{task.pk}:team:{event_id}",
        link=link,
        clock=clock,
    )


def tasks_escalated(escalated: Iterable[tuple[int, str, dt.datetime | None]], *, clock: Clock = system_clock) -> int:
    """Each (task id, new owner role, new deadline) the sweep escalated: the people of that role
    are told (the deadline is in the key, so a later escalation to the same role is news).
    Returns how many notifications were asked for."""
    people: dict[str, list[int]] = {}
    rows: list[tuple[int, str, str, str]] = []
    for task_id, role, due in escalated:
        if role not in people:
            people[role] = list(
                UserProfile.objects.filter(role=role, user__is_active=True).values_list("user_id", flat=True)
            )
        key = f"task:{task_id}:escalated:{role}:{due.isoformat() if due else 'top'}"
        link = reverse("web:task", args=[task_id])
        rows += [(u, Kind.TASK_ESCALATED, key, link) for u in people[role]]
    return _store(rows, clock)


def tasks_due_soon(*, clock: Clock = system_clock) -> int:
    """Tells the assignee (or, with nobody assigned, the team) of each current task that falls
    due within the hour; once per task and deadline. Returns how many notifications were asked for."""
    now = clock.now()
    due = Task.objects.filter(due_soon_q(now)).filter(Q(assignee__isnull=False) | ~Q(team=""))
    teams: dict[str, list[int]] = {}
    rows: list[tuple[int, str, str, str]] = []
    for pk, assignee, team, due_at in due.values_list("pk", "assignee_id", "team", "due_at"):
        if assignee is None and team not in teams:
            teams[team] = _team_members(team)
        key = f"task:{pk}:due_soon:{due_at.isoformat() if due_at else ''}"
        link = reverse("web:task", args=[pk])
        rows += [(u, Kind.TASK_DUE_SOON, key, link) for u in ([assignee] if assignee is not None else teams[team])]
    return _store(rows, clock)


def answerers(agency: str) -> list[int]:
    """The active users of `agency` whose role answers partnership escalations."""
    roles = [r for r, row in matrix.load().roles.items() if "escalate" in row.permissions]
    return list(
        UserProfile.objects.filter(agency__code=agency, role__in=roles, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def escalation_to_agency(escalation: PartnershipEscalation, *, clock: Clock = system_clock) -> None:
    """An escalation raised to an agency, or gone up a level: its answerers are told."""
    notify(
        answerers(escalation.owner_agency.code),
        kind=Kind.ESCALATION_RAISED if escalation.level == 1 else Kind.ESCALATION_LEVEL,
        event_key=f"escalation:{escalation.pk}:level:{escalation.level}",
        link=reverse("web:escalation", args=[escalation.pk]),
        clock=clock,
    )


def escalation_answered(escalation: PartnershipEscalation, *, clock: Clock = system_clock) -> None:
    """The person who raised an escalation is told it was answered."""
    notify(
        [escalation.raised_by_id],
        kind=Kind.ESCALATION_ANSWERED,
        event_key=f"escalation:{escalation.pk}:answered",
        link=reverse("web:escalation", args=[escalation.pk]),
        clock=clock,
    )


# --- email --------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SAFETYNET_BASE_URL.rstrip("/") + path


def _digest_users() -> Q:
    return Q(user__safetynet_notification_preference__email=NotificationPreference.Email.DIGEST)


def send_immediate(*, clock: Clock = system_clock) -> int:
    """Emails each unsent notification of a person who wants them at once (and has an address),
    claiming it first with a conditional update so it goes once whoever else is sending.
    Returns how many were sent. The email: the kind's words and the link, nothing else."""
    now = clock.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - IMMEDIATE_EMAIL_WITHIN)
        .exclude(_digest_users())
        .exclude(user__email="")
        .values_list("pk", "kind", "link", "user__email")
    )
    sent = 0
    for pk, kind, link, address in list(pending):
        if not Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=now):
            continue  # another worker claimed it
        label = Kind(kind).label
        try:
            send_mail(f"safetynet: {label}", f"{label}: {absolute(link)}\n", None, [address])
        except Exception as error:  # noqa: BLE001 - any backend failure: give the claim back, try next sweep
            Notification.objects.filter(pk=pk).update(emailed_at=None)
            log.error("work: notification email failed (%s); it is retried on the next sweep", type(error).__name__)
            break
        sent += 1
    return sent


def send_digests(*, clock: Clock = system_clock) -> int:
    """One email to each person who chose the daily digest and has notifications not yet
    emailed: how many, and a link to the list. Returns how many emails were sent."""
    now = clock.now()
    waiting = Notification.objects.filter(_digest_users(), emailed_at__isnull=True).exclude(user__email="")
    sent = 0
    for user_id in sorted(set(waiting.values_list("user_id", flat=True))):
        with transaction.atomic():
            mine = list(waiting.filter(user_id=user_id).values_list("pk", flat=True))
            claimed = Notification.objects.filter(pk__in=mine, emailed_at__isnull=True).update(emailed_at=now)
            if not claimed:
                continue
            address = get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).get()
        plural = "s" if claimed != 1 else ""
        send_mail(
            f"safetynet: {claimed} new notification{plural}",
            f"You have {claimed} new notification{plural} about your work: {absolute(reverse('web:notifications'))}\n",
            None,
            [address],
        )
        sent += 1
    if sent:
        log.info("work: %d notification digest(s) sent", sent)
    return sent


# --- reading ------------------------------------------------------------------------------


def notifications_of(user: Any) -> QuerySet[Notification]:
    """`user`'s notifications, newest first."""
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def mark_read(user: Any, ids: Iterable[int] | None = None, *, clock: Clock = system_clock) -> int:
    """Marks `user`'s notifications read (`ids`, or all); returns how many changed. Only the
    user's own: another person's id changes nothing."""
    mine = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    return mine.update(read_at=clock.now())


def preference_of(user: Any) -> str:
    found = NotificationPreference.objects.filter(user_id=user.pk).values_list("email", flat=True).first()
    return found or NotificationPreference.Email.IMMEDIATE


def set_preference(user: Any, email: str) -> None:
    """Sets how `user` wants notifications by email (ValueError naming the field otherwise)."""
    if email not in NotificationPreference.Email.values:
        raise ValueError(f"email: expected one of {', '.join(NotificationPreference.Email.values)}")
    NotificationPreference.objects.update_or_create(user_id=user.pk, defaults={"email": email})
