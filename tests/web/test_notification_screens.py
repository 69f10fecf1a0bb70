"""Notifications on the screens: a count in the header, a list that marks them read when shown,
and the email preference (immediate or a daily digest)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.work import notifications
from safetynet.work.models import Notification
from tests.world import AccessWorld


def test_the_header_counts_unread_and_the_list_marks_them_read(
    client_for: Callable[[str], Client], access_world: AccessWorld, clock: FixedClock
) -> None:
    sergeant = access_world.users["sergeant"]
    for n in range(3):
        notifications.notify([sergeant.pk], kind="task_assigned", event_key=f"e:{n}", link="/work/", clock=clock)
    client = client_for("sergeant")
    header = client.get("/work/").content.decode()
    assert '<span class="moj-notification-badge">3<span class="govuk-visually-hidden"> unread</span>' in header
    page = client.get("/notifications/").content.decode()
    assert "3 new since you last looked." in page and page.count("A task was assigned to you") == 3
    assert notifications.unread_count(sergeant) == 0
    again = client.get("/notifications/").content.decode()
    assert "Nothing new." in again and "moj-notification-badge" not in again


def test_the_email_preference_is_saved_or_refused_with_the_field(
    client_for: Callable[[str], Client], access_world: AccessWorld
) -> None:
    client = client_for("partner_social_worker")
    refused = client.post("/notifications/email/", {"email": "weekly"})
    assert refused.status_code == 400 and "Select how you want notifications by email" in refused.content.decode()
    saved = client.post("/notifications/email/", {"email": "digest"})
    assert saved.status_code == 302
    assert notifications.preference_of(access_world.users["partner_social_worker"]) == "digest"
    assert re.search(r'<input[^>]*value="digest"[^>]*checked', client.get("/notifications/").content.decode())
    assert not Notification.objects.exists()
