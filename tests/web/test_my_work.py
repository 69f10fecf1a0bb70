"""My work runs on tasks: assigned to me, my team's, my role's queue, soonest deadline first,
overdue and escalation shown; a task page with the finding, its cited records and history;
take, assign, acknowledge, resolve with a language-checked rationale, every action audited;
a supervisor's oversight of late and escalated work."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.test import Client

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, create_user_with_role, ensure_agencies, restrict_individual
from safetynet.audit.models import Action, AuditEntry
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.work.models import Task, TaskEvent
from safetynet.work.services import assign, sweep, sync_tasks
from tests.web.findings import NOW
from tests.world import PASSWORD, World

_n = itertools.count(1)


def _finding(
    individual: Individual, clause: str, severity: str, reason: str, *, owner_role: str, due_in_hours: float
) -> Finding:
    return Finding.objects.create(
        fingerprint=f"work-{next(_n)}",
        individual=individual,
        clause=clause,
        severity=severity,
        reason=reason,
        cites=[{"source": "mispers", "id": "E1"}, {"source": "rms", "id": "E2"}],
        owner_role=owner_role,
        due_by=NOW + dt.timedelta(hours=due_in_hours),
        policy_version="test",
        raised_at=NOW - dt.timedelta(hours=3),
        evaluated_at=NOW,
    )


@pytest.fixture
def team(world: World) -> Any:
    police = ensure_agencies(acting_user=None)["police"]
    team = create_team(acting_user=None, agency=police, code="east-response", name="East response")
    UserProfile.objects.filter(user=world.officer).update(team=team)
    return team


@pytest.fixture
def colleague(team: Any) -> Any:
    return create_user_with_role(
        acting_user=None,
        username="pc.colleague",
        password=PASSWORD,
        role="sergeant",
        team=team,
        first_name="Chris",
        last_name="Colleague",
        check_password=False,
    )


@pytest.fixture
def tasks(world: World, team: Any, colleague: Any, clock: FixedClock) -> dict[str, Task]:
    made = {
        "role_later": _finding(
            world.child,
            "M4",
            "high",
            "A repeat missing child has no trigger plan",
            owner_role="sergeant",
            due_in_hours=48,
        ),
        "role_overdue": _finding(
            world.child,
            "M2",
            "critical",
            "No supervisor has reviewed a missing episode",
            owner_role="sergeant",
            due_in_hours=-2,
        ),
        "mine": _finding(
            world.adult,
            "X1",
            "high",
            "An adult was found with a child at a hotel",
            owner_role="sergeant",
            due_in_hours=5,
        ),
        "team": _finding(
            world.child, "M6", "medium", "A return home interview is due", owner_role="sergeant", due_in_hours=0.5
        ),
        "other_role": _finding(
            world.child, "H1", "high", "A MASH referral waits for triage", owner_role="mash_officer", due_in_hours=1
        ),
        "hidden": _finding(
            world.markup_child,
            "M2",
            "critical",
            "A restricted child's missing episode is unreviewed",
            owner_role="sergeant",
            due_in_hours=-5,
        ),
    }
    sync_tasks(clock=clock)
    by_name = {name: Task.objects.get(finding=f) for name, f in made.items()}
    assign(by_name["mine"].pk, acting_user=None, clock=clock, assignee=world.officer, team="east-response")
    assign(by_name["team"].pk, acting_user=None, clock=clock, assignee=colleague, team="east-response")
    # A child restricted to someone else never appears, not even as a count.
    restrict_individual(acting_user=colleague, individual=world.markup_child, reason_code="test", named_users=[])
    return by_name


def _table(html: str) -> str:
    return html[html.index('data-testid="my-work"') :]


def test_sergeant_sees_their_own_their_teams_and_their_roles_tasks_soonest_first(
    officer_client: Client, tasks: dict[str, Task]
) -> None:
    html = officer_client.get("/work/").content.decode()
    table = _table(html)
    order = [
        "No supervisor has reviewed",  # overdue by 2 h
        "A return home interview",  # due in 30 min (team)
        "An adult was found",  # due in 5 h (mine)
        "A repeat missing child",  # due in 48 h (role queue)
    ]
    assert [table.index(text) for text in order] == sorted(table.index(text) for text in order)
    assert "A MASH referral" not in html  # another role's queue
    assert "restricted child" not in html and "&lt;script&gt;" not in table
    assert 'Overdue</strong><br><span class="govuk-body-s">by 2 h 0 min' in table
    assert "Due soon" in table
    assert "Kayleigh Test-Person" in table and f'href="/people/{tasks["mine"].individual_id}/"' in table
    assert "1 overdue." in html
    assert "Assigned to you" in table and "Your team" in table and "Role queue" in table


@pytest.mark.parametrize(
    ("show", "present", "absent"),
    [
        ("mine", ["An adult was found"], ["A return home interview", "A repeat missing child"]),
        # My team: given to the team or to a colleague in it; not the user's own (Assigned to me).
        ("team", ["A return home interview"], ["An adult was found", "A repeat missing child"]),
        ("role", ["A repeat missing child", "No supervisor has reviewed"], ["An adult was found"]),
        ("overdue", ["No supervisor has reviewed"], ["A repeat missing child", "An adult was found"]),
    ],
)
def test_filters_narrow_my_work_to_one_queue_with_counts(
    officer_client: Client, tasks: dict[str, Task], show: str, present: list[str], absent: list[str]
) -> None:
    html = officer_client.get("/work/", {"show": show}).content.decode()
    table = _table(html)
    assert all(text in table for text in present) and not any(text in table for text in absent)
    assert "Assigned to me (1)" in html and "My team (1)" in html and "Role queue (2)" in html
    assert "Overdue (1)" in html and "All my work (4)" in html


def test_htmx_swaps_only_the_list_and_a_bad_filter_names_the_field(
    officer_client: Client, tasks: dict[str, Task]
) -> None:
    partial = officer_client.get("/work/", {"show": "mine"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="work-list">') and "<html" not in partial
    assert "An adult was found" in partial and "A repeat missing child" not in partial
    bad = officer_client.get("/work/", {"show": "everything"}).content.decode()
    assert "There is a problem" in bad and "Choose all, mine, team, role or overdue" in bad
    assert "A repeat missing child" in bad  # the whole list is still shown


def test_an_escalated_task_says_who_it_went_to(
    officer_client: Client, world: World, tasks: dict[str, Task], clock: FixedClock
) -> None:
    clock.advance(hours=2)  # the MASH triage deadline passes; the sweep sends it up the chain
    sweep(clock=clock)
    html = officer_client.get("/work/").content.decode()
    assert "A MASH referral" in html and "Escalated to sergeant" in html
    inspector = create_user_with_role(
        acting_user=None, username="insp.invented", password=PASSWORD, role="inspector", check_password=False
    )
    escalated = Task.objects.get(pk=tasks["role_overdue"].pk)
    assert (escalated.owner_role, escalated.escalation_level) == ("inspector", 1)
    assert "No supervisor has reviewed" not in _table(html)  # the inspector owns it now
    from tests.world import sign_in

    inspector_view = sign_in(Client(), inspector).get("/work/").content.decode()
    assert "No supervisor has reviewed" in inspector_view and "Escalated to inspector" in inspector_view


def test_task_page_shows_the_finding_cited_records_and_history_and_is_audited(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    task = tasks["role_overdue"]
    response = officer_client.get(f"/work/tasks/{task.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No supervisor has reviewed a missing episode" in html
    assert "M2: Missing-episode supervision clocks" in html and "Critical" in html
    assert f'href="/events/{world.missing_event.pk}/"' in html and f'href="/events/{world.incident.pk}/"' in html
    assert "Overdue</strong> by 2 h 0 min" in html and "Sergeant (not yet taken)" in html
    history = html[html.index('data-testid="task-history"') :]
    assert "Created" in history and "by safetynet" in history
    entry = AuditEntry.objects.filter(object_type="task").latest("seq")
    assert (entry.action, entry.object_ids, entry.individual_ids) == (Action.VIEW, [str(task.pk)], [world.child.pk])


def test_a_reopened_task_says_what_changed_since_its_resolution(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    task = tasks["role_overdue"]
    task.resolve(None, "Trigger plan requested from the coordinator.", NOW)
    task.reopen(at=NOW, because="1 new record(s) since the resolution", due_at=NOW, severity="high", reason="r")
    task.save()
    page = officer_client.get(f"/work/tasks/{task.pk}/").content.decode()
    reopened = page[page.index('data-testid="reopened"') :]
    assert "1 new record(s) since the resolution" in reopened
    assert "It had been resolved: Trigger plan requested from the coordinator." in reopened


def test_a_task_about_a_child_the_user_cannot_open_answers_404_like_a_missing_one(
    officer_client: Client, tasks: dict[str, Task]
) -> None:
    assert officer_client.get(f"/work/tasks/{tasks['hidden'].pk}/").status_code == 404
    assert officer_client.get("/work/tasks/999999/").status_code == 404
    refused = officer_client.post(f"/work/tasks/{tasks['hidden'].pk}/resolve/", {"rationale": "Reviewed and recorded."})
    assert refused.status_code == 404
    assert Task.objects.get(pk=tasks["hidden"].pk).state == "open"


def test_taking_assigning_and_acknowledging_are_recorded_and_audited(
    officer_client: Client, world: World, colleague: Any, tasks: dict[str, Task]
) -> None:
    task = tasks["role_later"]
    assert officer_client.post(f"/work/tasks/{task.pk}/assign/", {"take": "1"}).status_code == 302
    task.refresh_from_db()
    assert (task.assignee_id, task.team) == (world.officer.pk, "east-response")
    page = officer_client.get(f"/work/tasks/{task.pk}/").content.decode()
    assert "Assigned to you." in page and "Sergeant: Sam Sergeant" in page and "Take it" not in page
    refused = officer_client.post(f"/work/tasks/{task.pk}/assign/", {"assignee": "424242"})
    assert refused.status_code == 400 and "Select a member of your team from the list" in refused.content.decode()
    assert officer_client.post(f"/work/tasks/{task.pk}/assign/", {"assignee": str(colleague.pk)}).status_code == 302
    assert officer_client.post(f"/work/tasks/{task.pk}/acknowledge/").status_code == 302
    task.refresh_from_db()
    assert (task.assignee_id, task.state) == (colleague.pk, "acknowledged")
    actions = list(TaskEvent.objects.filter(task=task).values_list("action", "actor_id"))
    assert actions[-3:] == [
        ("assigned", world.officer.pk),
        ("assigned", world.officer.pk),
        ("acknowledged", world.officer.pk),
    ]
    changes = AuditEntry.objects.filter(object_type="task", action=Action.CHANGE, object_ids=[str(task.pk)])
    assert changes.count() == 3 and set(changes.values_list("actor_id", flat=True)) == {world.officer.pk}


def test_resolving_refuses_an_empty_or_blaming_rationale_keeping_what_was_typed(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    task = tasks["role_overdue"]
    url = f"/work/tasks/{task.pk}/resolve/"
    empty = officer_client.post(url, {"rationale": "   "})
    assert empty.status_code == 400
    assert '<a href="#id_rationale">Enter a rationale for resolving this</a>' in empty.content.decode()
    short = officer_client.post(url, {"rationale": "done"})
    assert short.status_code == 400 and "The rationale must be at least 20 characters" in short.content.decode()
    typed = "She is a regular missing person and <b>will come back</b>"
    refused = officer_client.post(url, {"rationale": typed})
    html = refused.content.decode()
    assert refused.status_code == 400 and html.count("There is a problem") == 1
    language = html[html.index('data-testid="language-check"') :]
    assert "regular missing person" in language and "Write instead:" in language
    assert "&lt;b&gt;will come back&lt;/b&gt;</textarea>" in html  # kept, as text
    assert Task.objects.get(pk=task.pk).state == "open"
    done = officer_client.post(url, {"rationale": "Inspector review recorded; trigger plan requested."})
    assert done.status_code == 302 and done["Location"] == "/work/"
    task.refresh_from_db()
    assert (task.state, task.resolved_by_id) == ("resolved", world.officer.pk)
    assert Finding.objects.get(pk=task.finding_id).state == "resolved"
    decision = AuditEntry.objects.get(action=Action.DECISION, object_type="task")
    assert decision.object_ids == [str(task.pk)] and decision.individual_ids == [world.child.pk]
    assert "No supervisor has reviewed" not in _table(officer_client.get("/work/").content.decode())


def test_a_role_without_resolve_task_sees_its_list_but_cannot_act(
    officer_client: Client, tasks: dict[str, Task]
) -> None:
    UserProfile.objects.update(role="call_handler")
    html = officer_client.get("/work/").content.decode()
    assert "An adult was found" in html  # assigned to them before the role changed
    page = officer_client.get(f"/work/tasks/{tasks['mine'].pk}/").content.decode()
    assert "Act on this task" not in page
    for action in ("resolve", "acknowledge", "assign"):
        assert officer_client.post(f"/work/tasks/{tasks['mine'].pk}/{action}/", {"rationale": "x"}).status_code == 403


def test_a_sergeant_sees_late_and_escalated_work_with_counts(
    officer_client: Client, tasks: dict[str, Task], clock: FixedClock
) -> None:
    sweep(clock=clock)  # the overdue review goes to the inspector
    clock.advance(hours=1)  # the team's task (due in 30 min) is late now, not yet swept
    html = officer_client.get("/work/oversight/").content.decode()
    counts = html[html.index('data-testid="oversight-counts"') :]
    table = html[html.index('data-testid="oversight"') :]
    assert "A return home interview" in table and "Chris Colleague" in table
    assert "No supervisor has reviewed" in table and "Escalated to inspector" in table
    assert "A repeat missing child" not in table  # not late, not escalated
    assert "restricted child" not in html
    # Overdue: the team's task and the escalated review (late since its first deadline, though
    # the inspector's clock still runs); escalated: the review; due within the hour: the MASH
    # triage. The restricted child's escalated task is never counted.
    assert [int(n) for n in re.findall(r'govuk-heading-xl govuk-!-margin-bottom-1">(\d+)<', counts)] == [2, 1, 0, 1]
    assert UserProfile.objects.filter(role="sergeant").exists()
    UserProfile.objects.update(role="mash_officer")
    assert officer_client.get("/work/oversight/").status_code == 403
