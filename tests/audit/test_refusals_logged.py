"""Every refused look is in the access log, though the user sees the same "not found" whether
the thing is missing or forbidden: probing for a restricted child is visible to an auditor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from tests.world import AccessWorld, open_task

MISSING = 987654


def _denied(object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.DENIED, object_type=object_type).order_by("seq"))


def test_a_restricted_child_answers_404_and_the_attempt_is_logged_against_the_child(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    restricted, missing = access_world.restricted.pk, MISSING
    forbidden_page = teacher.get(f"/people/{restricted}/")
    missing_page = teacher.get(f"/people/{missing}/")
    assert forbidden_page.status_code == missing_page.status_code == 404
    assert forbidden_page.content.replace(str(restricted).encode(), b"N") == missing_page.content.replace(
        str(missing).encode(), b"N"
    )
    entries = _denied("individual")
    assert [(e.object_ids, e.individual_ids, e.actor_username) for e in entries] == [
        ([str(restricted)], [restricted], access_world.users["partner_education"].username),
        ([str(missing)], [], access_world.users["partner_education"].username),
    ]
    assert AuditEntry.objects.filter(subjects__individual_id=restricted, action=Action.DENIED).exists()


def test_the_api_and_event_pages_log_their_refusals_too(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    assert teacher.get(f"/api/v1/individuals/{access_world.police_only.pk}").status_code == 404
    assert teacher.get(f"/events/{access_world.intelligence.pk}/").status_code == 404
    assert _denied("individual")[-1].individual_ids == [access_world.police_only.pk]
    assert _denied("event")[-1].object_ids == [str(access_world.intelligence.pk)]
    assert _denied("event")[-1].individual_ids == [access_world.pupil.pk]


def test_a_task_of_a_child_the_user_may_not_open_is_logged_as_a_refused_task(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    task = open_task(access_world.police_only, clause="M2", owner_role="sergeant", at=at)
    assert client_for("partner_education").get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert _denied("task")[-1].object_ids == [str(task.pk)]
    assert _denied("task")[-1].individual_ids == [access_world.police_only.pk]
