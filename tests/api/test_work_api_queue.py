"""The task API's list is the screen's queue: the same tabs, filters, sort and pages (`page`,
`page_size`, `X-Total-Count` as the search API), and supervisors assign several tasks at once
through the same checks as one, each refusal reported by id and logged."""

from __future__ import annotations

from typing import Any

from django.test import Client

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, ensure_agencies
from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.work.models import Task
from safetynet.work.services import assign, sweep
from tests.web.test_work_queue import colleague, queue, team
from tests.world import World

__all__ = ["colleague", "queue", "team"]


def test_tasks_come_a_page_at_a_time_with_the_total_in_a_header(officer_client: Client, queue: list[Task]) -> None:
    first = officer_client.get("/api/v1/tasks")
    assert first.status_code == 200 and len(first.json()) == 50 and first["X-Total-Count"] == "120"
    assert first["X-Counts"] == "all=120, mine=10, team=10, role=100, overdue=40"
    seen = []
    for page in (1, 2, 3):
        seen += [t["id"] for t in officer_client.get("/api/v1/tasks", {"page": page}).json()]
    assert sorted(seen) == sorted(t.pk for t in queue)
    assert officer_client.get("/api/v1/tasks", {"page": 4}).json() == []
    small = officer_client.get("/api/v1/tasks", {"page_size": 7, "show": "team"})
    assert len(small.json()) == 7 and small["X-Total-Count"] == "10"
    assert officer_client.get("/api/v1/tasks", {"page_size": 500}).status_code == 422


def test_tasks_filter_and_sort_as_the_screen_does(officer_client: Client, queue: list[Task]) -> None:
    high = officer_client.get("/api/v1/tasks", {"severity": "high", "clause": ["M4", "X1"], "page_size": 200})
    data = high.json()
    assert high["X-Total-Count"] == str(len(data)) and data
    assert {(t["severity"], t["clause"] in {"M4", "X1"}) for t in data} == {("high", True)}
    late = officer_client.get("/api/v1/tasks", {"due": "overdue", "page_size": 200}).json()
    assert len(late) == 40 and all(t["overdue"] for t in late)
    by_severity = officer_client.get("/api/v1/tasks", {"sort": "severity", "order": "desc"}).json()
    assert by_severity[0]["severity"] == "low"
    for params, field in (
        ({"due": "tomorrow"}, "due:"),
        ({"sort": "name"}, "sort:"),
        ({"severity": "grave"}, "severity:"),
        ({"clause": "Z9"}, "clause:"),
        ({"order": "up"}, "order:"),
    ):
        bad = officer_client.get("/api/v1/tasks", params)
        assert bad.status_code == 422 and field in bad.json()["detail"], params


def test_an_escalated_task_is_overdue_in_the_api(client_for: Any, access_world: Any, clock: FixedClock) -> None:
    from tests.world import open_task

    task = open_task(access_world.pupil, clause="X1", owner_role="sergeant", at=clock.now())
    clock.advance(hours=2)
    sweep(clock=clock)
    listed = client_for("inspector").get("/api/v1/tasks", {"show": "overdue"}).json()
    assert [(t["id"], t["overdue"], t["owner_role"]) for t in listed] == [(task.pk, True, "inspector")]


def _bulk(client: Client, **body: Any) -> Any:
    return client.post("/api/v1/tasks/assign", body, content_type="application/json")


def test_a_supervisor_assigns_several_tasks_and_each_refusal_is_named_by_id(
    officer_client: Client, world: World, queue: list[Task], colleague: Any, clock: FixedClock
) -> None:
    west = create_team(
        acting_user=None, agency=ensure_agencies(acting_user=None)["police"], code="west", name="West response"
    )
    theirs = queue[101]
    assign(theirs.pk, acting_user=None, clock=clock, team=west.code)
    answer = _bulk(officer_client, tasks=[queue[20].pk, theirs.pk, 999999, queue[21].pk], assignee=colleague.pk)
    assert answer.status_code == 200
    data = answer.json()
    assert data["assigned"] == [queue[20].pk, queue[21].pk]
    assert [r["task"] for r in data["refused"]] == [theirs.pk, 999999]
    assert data["refused"][0]["reason"].startswith(f"Task {theirs.pk} is given to team west")
    assert data["refused"][1]["reason"] == "not found"
    assert set(Task.objects.filter(pk__in=data["assigned"]).values_list("assignee_id", "team")) == {
        (colleague.pk, "east-response")
    }
    denied = AuditEntry.objects.filter(action=Action.DENIED, object_type="task", actor_id=world.officer.pk)
    assert sorted(e.object_ids[0] for e in denied) == sorted([str(theirs.pk), "999999"])
    to_team = _bulk(officer_client, tasks=[queue[22].pk], team="east-response").json()
    assert to_team == {"assigned": [queue[22].pk], "refused": []}
    no_such_team = _bulk(officer_client, tasks=[queue[23].pk], team="nowhere").json()
    assert no_such_team["refused"] == [{"task": queue[23].pk, "reason": "team: no team has the code 'nowhere'"}]


def test_bulk_assign_refuses_a_bad_request_and_a_role_that_supervises_nobody(
    officer_client: Client, queue: list[Task], colleague: Any
) -> None:
    both = _bulk(officer_client, tasks=[queue[20].pk], assignee=colleague.pk, team="east-response")
    assert both.status_code == 422 and both.json()["detail"].startswith("assignee:")
    assert _bulk(officer_client, tasks=[], team="east-response").status_code == 422
    assert _bulk(officer_client, tasks=list(range(1, 202)), team="east-response").status_code == 422
    assert _bulk(officer_client, tasks=[queue[20].pk], assignee=424242).status_code == 422
    UserProfile.objects.update(role="mash_officer")
    assert _bulk(officer_client, tasks=[queue[20].pk], team="east-response").status_code == 403
    assert Task.objects.get(pk=queue[20].pk).team == ""
