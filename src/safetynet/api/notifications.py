"""The caller's own notifications over REST (`/api/v1/notifications`): list (newest first,
`unread=true` for the unread only) and mark one read. A notification holds no personal data:
its kind, the kind's words and a link."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.work import notifications
from safetynet.work.models import Notification

router = Router(tags=["notifications"])
LIMIT = 100


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilters(Schema):
    unread: bool = False


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk, kind=n.kind, text=n.get_kind_display(), link=n.link, created_at=n.created_at, read_at=n.read_at
    )


@router.get("", response=answers(list[NotificationOut], 401, 403, 422), url_name="notifications")
def my_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> list[NotificationOut]:
    """The caller's notifications, newest first (the latest 100)."""
    mine = notifications.notifications_of(request.user)
    if filters.unread:
        mine = mine.filter(read_at__isnull=True)
    return [_out(n) for n in mine[:LIMIT]]


@router.post(
    "/{notification_id}/read", response=answers(NotificationOut, 401, 403, 404, 422), url_name="notification_read"
)
def mark_notification_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    """Marks one of the caller's notifications read (reading it again changes nothing); 404 for
    one that is not theirs, as for a missing one."""
    found = notifications.notifications_of(request.user).filter(pk=notification_id).first()
    if found is None:
        raise HttpError(404, "No such notification.")
    notifications.mark_read(request.user, [found.pk], clock=system_clock)
    found.refresh_from_db()
    return _out(found)
