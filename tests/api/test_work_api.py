"""The work API: my tasks with filters, one task, acknowledge, assign, resolve (language-checked,
422 naming the field), an individual's findings; the same access rules as the screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from safetynet.accounts.services import restrict_individual
from safetynet.audit.models import Action, AuditEntry
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from tests.web.test_my_work import colleague, tasks, team
from tests.world import World

__all__ = ["colleague", "tasks", "team"]


def test_my_tasks_lists_my_team_and_role_queue_soonest_first_with_filters(
    officer_client: Client, tasks: dict[str, Task]
) -> None:
    data = officer_client.get("/api/v1/tasks").json()
    assert [t["id"] for t in data] == [tasks[name].pk for name in ("role_overdue", "team", "mine", "role_later")]
    first = data[0]
    assert (first["clause"], first["overdue"], first["owner_role"], first["queue"]) == ("M2", True, "sergeant", "role")
    assert first["child_name"] == "Kayleigh Test-Person" and first["reason"].startswith("No supervisor")
    mine = officer_client.get("/api/v1/tasks", {"show": "mine"}).json()
    assert [t["id"] for t in mine] == [tasks["mine"].pk] and mine[0]["assignee"] == "sgt.invented"
    overdue = officer_client.get("/api/v1/tasks", {"show": "overdue"}).json()
    assert [t["id"] for t in overdue] == [tasks["role_overdue"].pk]
    bad = officer_client.get("/api/v1/tasks", {"show": "everything"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("show:")


def test_task_detail_has_the_cited_records_and_history(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    data = officer_client.get(f"/api/v1/tasks/{tasks['role_overdue'].pk}").json()
    assert data["clause_title"] == "Missing-episode supervision clocks"
    assert [(c["source"], c["id"], c["event"]) for c in data["cites"]] == [
        ("mispers", "E1", world.missing_event.pk),
        ("rms", "E2", world.incident.pk),
    ]
    assert [h["action"] for h in data["history"]] == ["created"]
    assert officer_client.get(f"/api/v1/tasks/{tasks['hidden'].pk}").status_code == 404
    assert officer_client.get("/api/v1/tasks/999999").status_code == 404


def test_acknowledge_assign_and_resolve_change_the_task_and_are_audited(
    officer_client: Client, world: World, colleague: Any, tasks: dict[str, Task]
) -> None:
    task = tasks["role_later"]
    base = f"/api/v1/tasks/{task.pk}"
    acked = officer_client.post(f"{base}/acknowledge")
    assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
    outsider = officer_client.post(f"{base}/assign", {"assignee": 999999}, content_type="application/json")
    assert outsider.status_code == 422 and outsider.json()["detail"].startswith("assignee:")
    given = officer_client.post(f"{base}/assign", {"assignee": colleague.pk}, content_type="application/json")
    assert given.status_code == 200 and given.json()["assignee"] == "pc.colleague"
    assert given.json()["team"] == "east-response"
    empty = officer_client.post(f"{base}/resolve", {"rationale": ""}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["detail"] == "rationale: Enter a rationale for resolving this"
    short = officer_client.post(f"{base}/resolve", {"rationale": "ok"}, content_type="application/json")
    assert short.status_code == 422 and "at least 20 characters" in short.json()["detail"]
    blaming = officer_client.post(
        f"{base}/resolve", {"rationale": "Left of her own volition again."}, content_type="application/json"
    )
    detail = blaming.json()["detail"]
    assert blaming.status_code == 422 and detail.startswith("rationale:") and "Write instead:" in detail
    assert "own volition" in detail
    done = officer_client.post(
        f"{base}/resolve", {"rationale": "Trigger plan written with the carer today."}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    again = officer_client.post(f"{base}/acknowledge")
    assert again.status_code == 409
    logged = AuditEntry.objects.filter(object_type="task", object_ids=[str(task.pk)], actor_id=world.officer.pk)
    assert list(logged.exclude(action=Action.VIEW).values_list("action", flat=True).order_by("seq")) == [
        Action.CHANGE,
        Action.CHANGE,
        Action.DECISION,
    ]


def test_a_role_without_resolve_task_is_refused_by_the_matrix(officer_client: Client, tasks: dict[str, Task]) -> None:
    from safetynet.access.models import UserProfile

    UserProfile.objects.update(role="call_handler")
    response = officer_client.post(f"/api/v1/tasks/{tasks['mine'].pk}/acknowledge")
    assert response.status_code == 403
    assert Task.objects.get(pk=tasks["mine"].pk).state == "open"


def test_individual_findings_carry_clause_severity_reason_cites_owner_deadline_and_state(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    data = officer_client.get(f"/api/v1/individuals/{world.child.pk}/findings").json()
    assert [f["clause"] for f in data] == ["M2", "H1", "M4", "M6"]  # most severe, then soonest
    first = data[0]
    assert first["cites"] == [{"source": "mispers", "id": "E1"}, {"source": "rms", "id": "E2"}]
    assert (first["severity"], first["owner_role"], first["state"]) == ("critical", "sergeant", "open")
    assert first["task"] == tasks["role_overdue"].pk
    assert first["due_by"].startswith("2026-03-02T07:00:00")
    Finding.objects.filter(clause="M4").update(state="closed", closed_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    current = officer_client.get(f"/api/v1/individuals/{world.child.pk}/findings").json()
    assert "M4" not in [f["clause"] for f in current]
    everything = officer_client.get(f"/api/v1/individuals/{world.child.pk}/findings", {"state": "all"}).json()
    assert "M4" in [f["clause"] for f in everything]
    bad = officer_client.get(f"/api/v1/individuals/{world.child.pk}/findings", {"state": "old"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("state:")


def test_findings_of_a_child_the_user_cannot_open_answer_404(
    officer_client: Client, world: World, colleague: Any
) -> None:
    restrict_individual(acting_user=colleague, individual=world.markup_child, reason_code="test", named_users=[])
    assert officer_client.get(f"/api/v1/individuals/{world.markup_child.pk}/findings").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tasks", "/api/v1/tasks/{id}/resolve"])
def test_the_work_operations_are_in_the_openapi_document(officer_client: Client, path: str) -> None:
    schema = officer_client.get("/api/v1/openapi.json").json()
    assert path.replace("{id}", "{task_id}") in schema["paths"]
