"""The notifications API: the caller's own, newest first, unread filter; mark one read (404 for
another person's, as for a missing one)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.work import notifications
from safetynet.work.models import Notification
from tests.world import AccessWorld


def test_list_and_mark_read_only_your_own(
    client_for: Callable[[str], Client], access_world: AccessWorld, clock: FixedClock
) -> None:
    sergeant, inspector = access_world.users["sergeant"], access_world.users["inspector"]
    notifications.notify([sergeant.pk], kind="task_assigned", event_key="e:1", link="/work/tasks/1/", clock=clock)
    notifications.notify([inspector.pk], kind="task_escalated", event_key="e:2", link="/work/tasks/2/", clock=clock)
    client = client_for("sergeant")
    data = client.get("/api/v1/notifications").json()
    assert [(n["kind"], n["text"], n["link"], n["read_at"]) for n in data] == [
        ("task_assigned", "A task was assigned to you", "/work/tasks/1/", None)
    ]
    mine = data[0]["id"]
    read = client.post(f"/api/v1/notifications/{mine}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.post(f"/api/v1/notifications/{mine}/read").status_code == 200  # again: no change
    assert client.get("/api/v1/notifications", {"unread": "true"}).json() == []
    theirs = Notification.objects.get(user=inspector).pk
    assert client.post(f"/api/v1/notifications/{theirs}/read").status_code == 404
    assert client.post("/api/v1/notifications/999999/read").status_code == 404
    assert client.post("/api/v1/notifications/not-a-number/read").status_code == 422
    assert client.get("/api/v1/notifications", {"unread": "perhaps"}).status_code == 422
    assert Notification.objects.get(pk=theirs).read_at is None
    assert Client().get("/api/v1/notifications").status_code == 401
