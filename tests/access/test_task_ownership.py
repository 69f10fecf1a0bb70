"""A task is acted on by its owning agency, or by the person it is assigned to: a partner who
may see the child cannot resolve, acknowledge or take police work (#16: a social worker resolved
a custody officer's C1 task and assigned an exploitation coordinator's task to themself)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.work.models import Task
from safetynet.work.services import NotYourAgency, assign, resolve
from tests.world import AccessWorld, open_task

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
RATIONALE = "Appropriate adult arrived and the detention was reviewed by the inspector."


def _custody_task(access_world: AccessWorld) -> Task:
    return open_task(access_world.pupil, clause="C1", owner_role="custody_officer", at=AT)


def test_a_social_worker_cannot_resolve_acknowledge_or_take_a_custody_task(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    task = _custody_task(access_world)
    social_worker = client_for("partner_social_worker")
    base = f"/api/v1/tasks/{task.pk}"
    assert social_worker.get(base).status_code == 200  # they may see the child's task
    resolved = social_worker.post(f"{base}/resolve", {"rationale": RATIONALE}, content_type="application/json")
    assert resolved.status_code == 403 and "another agency" in resolved.json()["detail"]
    assert social_worker.post(f"{base}/acknowledge").status_code == 403
    me = access_world.users["partner_social_worker"].pk
    assert social_worker.post(f"{base}/assign", {"assignee": me}, content_type="application/json").status_code == 403
    assert social_worker.post(f"/work/tasks/{task.pk}/resolve/", {"rationale": RATIONALE}).status_code == 403
    task.refresh_from_db()
    assert (task.state, task.assignee_id) == ("open", None)
    refusals = AuditEntry.objects.filter(action=Action.DENIED, object_type="task", object_ids=[str(task.pk)])
    assert refusals.count() == 4


def test_the_owning_agency_acts_and_may_hand_it_to_a_partner_who_then_may_resolve_it(
    access_world: AccessWorld,
) -> None:
    task = _custody_task(access_world)
    social_worker = access_world.users["partner_social_worker"]
    with pytest.raises(NotYourAgency):
        resolve(task.pk, acting_user=social_worker, rationale=RATIONALE, clock=FixedClock(AT))
    assign(task.pk, acting_user=access_world.users["custody_officer"], assignee=social_worker, clock=FixedClock(AT))
    resolve(task.pk, acting_user=social_worker, rationale=RATIONALE, clock=FixedClock(AT))
    task.refresh_from_db()
    assert task.state == "resolved" and task.resolved_by == social_worker
