"""Who may act on a task (#16 item 2): the person it is assigned to, its team, its owner role's
queue, and the roles above the owner on its escalation chain. Anyone else, a partner who may see
the child included, gets 403 and a `denied` entry in the access log (#16: a social worker
resolved a custody officer's C1 task and assigned an exploitation coordinator's task to
themself). A task is handed across agencies only where the access matrix allows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from safetynet.access import matrix
from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, ensure_agencies
from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.work.models import Task
from safetynet.work.ownership import NotYourAgency, NotYourTask
from safetynet.work.services import assign, resolve
from tests.world import AccessWorld, open_task

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
RATIONALE = "Appropriate adult arrived and the detention was reviewed by the inspector."
JSON = "application/json"


def _custody_task(access_world: AccessWorld) -> Task:
    return open_task(access_world.pupil, clause="C1", owner_role="custody_officer", at=AT)


def _refusals(task: Task) -> int:
    return AuditEntry.objects.filter(action=Action.DENIED, object_type="task", object_ids=[str(task.pk)]).count()


def _in_team(user: Any, agency: str, code: str) -> Any:
    team = create_team(acting_user=None, agency=ensure_agencies(acting_user=None)[agency], code=code, name=code)
    UserProfile.objects.filter(user=user).update(team=team)
    user.refresh_from_db()
    return team


def test_a_social_worker_cannot_resolve_acknowledge_or_take_a_custody_task(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    task = _custody_task(access_world)
    social_worker = client_for("partner_social_worker")
    base = f"/api/v1/tasks/{task.pk}"
    seen = social_worker.get(base)
    assert seen.status_code == 200 and seen.json()["may_act"] is False  # they may see the child's task
    resolved = social_worker.post(f"{base}/resolve", {"rationale": RATIONALE}, content_type=JSON)
    assert resolved.status_code == 403 and "is police work" in resolved.json()["detail"]
    assert social_worker.post(f"{base}/acknowledge").status_code == 403
    me = access_world.users["partner_social_worker"].pk
    assert social_worker.post(f"{base}/assign", {"assignee": me}, content_type=JSON).status_code == 403
    assert social_worker.post(f"/work/tasks/{task.pk}/resolve/", {"rationale": RATIONALE}).status_code == 403
    task.refresh_from_db()
    assert (task.state, task.assignee_id) == ("open", None)
    assert _refusals(task) == 4


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


def test_a_police_officer_of_another_queue_cannot_act_on_a_sergeants_task(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    task = open_task(access_world.pupil, clause="M2", owner_role="sergeant", at=AT)
    mash = client_for("mash_officer")
    refused = mash.post(f"/api/v1/tasks/{task.pk}/acknowledge")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        f"Task {task.pk} is the sergeant queue's work; inspector, superintendent"
    )
    page = mash.get(f"/work/tasks/{task.pk}/").content.decode()
    assert 'data-testid="not-yours"' in page and "Resolve</button>" not in page
    assert mash.post(f"/work/tasks/{task.pk}/resolve/", {"rationale": RATIONALE}).status_code == 403
    assert Task.objects.get(pk=task.pk).state == "open" and _refusals(task) == 2


def test_a_supervisor_acts_on_work_below_them_on_the_chain_and_not_above(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    custody = _custody_task(access_world)
    sergeant = client_for("sergeant")
    done = sergeant.post(f"/api/v1/tasks/{custody.pk}/resolve", {"rationale": RATIONALE}, content_type=JSON)
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    escalated = open_task(access_world.police_only, clause="M2", owner_role="inspector", at=AT)
    assert sergeant.post(f"/api/v1/tasks/{escalated.pk}/acknowledge").status_code == 403
    inspector = client_for("inspector")
    assert inspector.post(f"/api/v1/tasks/{escalated.pk}/acknowledge").json()["state"] == "acknowledged"
    assert _refusals(escalated) == 1


def test_a_task_given_to_a_team_is_its_members_and_not_another_teams_of_the_same_role(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    users = access_world.users
    _in_team(users["sergeant"], "police", "east")
    _in_team(users["mash_officer"], "police", "east")
    _in_team(access_world.named_sergeant, "police", "west")
    task = open_task(access_world.police_only, clause="M2", owner_role="sergeant", at=AT)
    assign(task.pk, acting_user=users["sergeant"], team="east", clock=FixedClock(AT))
    with pytest.raises(NotYourTask, match="given to team east"):
        resolve(task.pk, acting_user=access_world.named_sergeant, rationale=RATIONALE, clock=FixedClock(AT))
    # A MASH officer may not act on the sergeants' queue, but may on their own team's task.
    assert client_for("mash_officer").post(f"/api/v1/tasks/{task.pk}/acknowledge").status_code == 200


def test_a_task_is_handed_to_a_partner_only_where_the_matrix_allows(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    users = access_world.users
    _in_team(users["partner_social_worker"], "csc", "csc-east")
    task = open_task(access_world.pupil, clause="M2", owner_role="sergeant", at=AT)
    sergeant = client_for("sergeant")
    url = f"/api/v1/tasks/{task.pk}/assign"
    teacher = sergeant.post(url, {"assignee": users["partner_education"].pk}, content_type=JSON)
    assert teacher.status_code == 422 and "may act on tasks" in teacher.json()["detail"]
    school = sergeant.post(url, {"team": "invented-academy"}, content_type=JSON)
    assert school.status_code == 403
    assert school.json()["detail"] == (
        "team: a police task may be given to csc, health, police teams only; team invented-academy is education"
    )
    assert sergeant.post(url, {"team": "no-such-team"}, content_type=JSON).status_code == 422
    given = sergeant.post(url, {"assignee": users["partner_social_worker"].pk}, content_type=JSON)
    assert given.status_code == 200 and given.json()["team"] == "csc-east"
    assert _refusals(task) == 1
    # The social worker it was handed to acts on it; a health practitioner still may not.
    assert client_for("partner_health").post(f"{url[:-7]}/acknowledge").status_code == 403
    social_worker = client_for("partner_social_worker")
    done = social_worker.post(f"{url[:-7]}/resolve", {"rationale": RATIONALE}, content_type=JSON)
    assert done.status_code == 200 and done.json()["state"] == "resolved"


def test_the_task_page_shows_its_escalation_chain_and_the_teams_it_may_be_given_to(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _in_team(access_world.users["partner_social_worker"], "csc", "csc-east")
    task = _custody_task(access_world)
    page = client_for("sergeant").get(f"/work/tasks/{task.pk}/").content.decode()
    chain = page[page.index('data-testid="task-chain"') :]
    assert chain.startswith(
        'data-testid="task-chain"><strong>Custody officer</strong> &rarr; Sergeant &rarr; Inspector'
    )
    teams = page[page.index('data-testid="assign-team"') :]
    assert "csc-east" in teams and "invented-academy" not in teams
    detail = client_for("sergeant").get(f"/api/v1/tasks/{task.pk}").json()
    assert detail["escalation_chain"] == ["sergeant", "inspector", "superintendent"] and detail["may_act"]


def test_a_matrix_handing_work_to_an_agency_that_cannot_act_on_it_is_refused() -> None:
    data = yaml.safe_load(matrix.MATRIX_PATH.read_text())
    data["agencies"]["police"]["may_assign_to"] = ["csc", "education"]
    with pytest.raises(ImproperlyConfigured, match="no education role may act on tasks"):
        matrix.parse(data)
    data["agencies"]["police"]["may_assign_to"] = ["probation"]
    with pytest.raises(ImproperlyConfigured, match="'probation' is not another agency"):
        matrix.parse(data)


def test_a_sergeant_gives_a_task_to_a_social_care_team_on_the_screen_and_not_to_a_school(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _in_team(access_world.users["partner_social_worker"], "csc", "csc-east")
    task = open_task(access_world.pupil, clause="M2", owner_role="sergeant", at=AT)
    sergeant = client_for("sergeant")
    url = f"/work/tasks/{task.pk}/assign/"
    school = sergeant.post(url, {"team": "invented-academy"})
    assert school.status_code == 400 and "Select a team from the list" in school.content.decode()
    assert sergeant.post(url, {"team": "csc-east"}).status_code == 302
    task.refresh_from_db()
    assert (task.team, task.assignee_id) == ("csc-east", None)
    page = client_for("partner_social_worker").get(f"/work/tasks/{task.pk}/").content.decode()
    assert "Resolve</button>" in page and 'data-testid="not-yours"' not in page
