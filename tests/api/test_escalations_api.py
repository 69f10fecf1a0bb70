"""The partnership escalation API: every answer code of list, raise, read and answer; partners
see only escalations involving their agency; the same words as the screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.work.models import PartnershipEscalation, Task
from tests.world import AccessWorld, open_task

REASON = "Strategy discussion needed today: social care has not attended the last two meetings."
ANSWER = "A social worker will attend the strategy discussion tomorrow at 10:00."
JSON = "application/json"


@pytest.fixture
def task(access_world: AccessWorld, clock: FixedClock) -> Task:
    return open_task(access_world.pupil, clause="X1", owner_role="sergeant", at=clock.now())


def _raise(client: Client, **body: Any) -> Any:
    return client.post("/api/v1/escalations", body, content_type=JSON)


def test_raise_read_list_and_answer_an_escalation(client_for: Callable[[str], Client], task: Task) -> None:
    sergeant, social_worker = client_for("sergeant"), client_for("partner_social_worker")
    raised = _raise(sergeant, owner_agency="csc", reason=REASON, task=task.pk)
    assert raised.status_code == 200, raised.content
    data = raised.json()
    assert (data["owner_agency"], data["raised_by_agency"], data["level"], data["status"]) == (
        "csc",
        "police",
        1,
        "open",
    )
    assert data["task"] == task.pk and data["may_answer"] is False
    assert [h["action"] for h in data["history"]] == ["raised"]
    mine = social_worker.get("/api/v1/escalations", {"show": "for_us"}).json()
    assert [e["id"] for e in mine] == [data["id"]]
    assert social_worker.get(f"/api/v1/escalations/{data['id']}").json()["may_answer"] is True
    answered = social_worker.post(
        f"/api/v1/escalations/{data['id']}/answer", {"outcome": "agreed", "answer": ANSWER}, content_type=JSON
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["answer"] == ANSWER
    assert sergeant.get("/api/v1/escalations").json() == []  # open only, by default
    assert [e["status"] for e in sergeant.get("/api/v1/escalations", {"show": "all"}).json()] == ["answered"]


def test_bad_input_answers_422_naming_the_field(client_for: Callable[[str], Client], task: Task) -> None:
    sergeant = client_for("sergeant")
    cases = [
        ({"reason": REASON, "task": task.pk}, "owner_agency: expected the agency that must answer"),
        ({"owner_agency": "probation", "reason": REASON, "task": task.pk}, "owner_agency: expected"),
        ({"owner_agency": "csc", "reason": "", "task": task.pk}, "reason: expected"),
        ({"owner_agency": "csc", "reason": REASON}, "source: expected exactly one of"),
        ({"owner_agency": "csc", "reason": REASON, "task": 999999}, "task: expected the id of a task you may open"),
    ]
    for body, expected in cases:
        response = _raise(sergeant, **body)
        assert response.status_code == 422 and response.json()["detail"].startswith(expected), (body, response.json())
    assert not PartnershipEscalation.objects.exists()
    bad_show = sergeant.get("/api/v1/escalations", {"show": "everything"})
    assert bad_show.status_code == 422 and bad_show.json()["detail"].startswith("show: expected one of")


def test_a_task_the_caller_may_not_open_is_refused_like_a_missing_one(
    client_for: Callable[[str], Client], access_world: AccessWorld, clock: FixedClock
) -> None:
    hidden = open_task(access_world.police_only, clause="X1", owner_role="sergeant", at=clock.now())
    teacher = client_for("partner_education")
    response = _raise(teacher, owner_agency="police", reason=REASON, task=hidden.pk)
    assert response.status_code == 422 and response.json()["detail"] == "task: expected the id of a task you may open"


def test_a_task_the_caller_may_see_but_not_act_on_is_refused(client_for: Callable[[str], Client], task: Task) -> None:
    response = _raise(client_for("partner_social_worker"), owner_agency="health", reason=REASON, task=task.pk)
    assert response.status_code == 422
    assert response.json()["detail"] == "task: expected a task whose work you may act on"
    finding = _raise(client_for("partner_social_worker"), owner_agency="health", reason=REASON, finding=task.finding_id)
    assert finding.json()["detail"] == "finding: expected a finding whose work you may act on"


def test_a_finding_is_raised_through_its_task(client_for: Callable[[str], Client], task: Task) -> None:
    raised = _raise(client_for("sergeant"), owner_agency="csc", reason=REASON, finding=task.finding_id)
    assert raised.status_code == 200
    assert (raised.json()["raised_from"], raised.json()["finding"]) == ("finding", task.finding_id)


def test_answer_codes_404_403_409_422(client_for: Callable[[str], Client], task: Task) -> None:
    sergeant, social_worker, nurse = (
        client_for("sergeant"),
        client_for("partner_social_worker"),
        client_for("partner_health"),
    )
    pk = _raise(sergeant, owner_agency="csc", reason=REASON, task=task.pk).json()["id"]
    answer = f"/api/v1/escalations/{pk}/answer"
    assert social_worker.post("/api/v1/escalations/999999/answer", {}, content_type=JSON).status_code == 404
    assert social_worker.get("/api/v1/escalations/999999").status_code == 404
    # Health is not part of this escalation: it does not exist for them.
    assert nurse.get(f"/api/v1/escalations/{pk}").status_code == 404
    assert nurse.post(answer, {"outcome": "agreed", "answer": ANSWER}, content_type=JSON).status_code == 404
    assert nurse.get("/api/v1/escalations", {"show": "all"}).json() == []
    # The raiser's agency reads it but does not answer it.
    refused = sergeant.post(answer, {"outcome": "agreed", "answer": ANSWER}, content_type=JSON)
    assert refused.status_code == 403 and "csc to answer" in refused.json()["detail"]
    assert AuditEntry.objects.filter(action=Action.DENIED, object_type="partnership_escalation").exists()
    short = social_worker.post(answer, {"outcome": "agreed", "answer": "ok"}, content_type=JSON)
    assert short.status_code == 422 and short.json()["detail"].startswith("answer: expected at least 20 characters")
    no_outcome = social_worker.post(answer, {"answer": ANSWER}, content_type=JSON)
    assert no_outcome.status_code == 422 and no_outcome.json()["detail"].startswith("outcome: expected one of")
    assert social_worker.post(answer, {"outcome": "agreed", "answer": ANSWER}, content_type=JSON).status_code == 200
    again = social_worker.post(answer, {"outcome": "declined", "answer": ANSWER}, content_type=JSON)
    assert again.status_code == 409 and again.json()["detail"] == "status: the escalation was already answered"


def test_without_the_permission_or_signed_out_the_api_refuses(client_for: Callable[[str], Client], task: Task) -> None:
    assert client_for("analyst").get("/api/v1/escalations").status_code == 403
    assert _raise(client_for("analyst"), owner_agency="csc", reason=REASON, task=task.pk).status_code == 403
    assert Client().get("/api/v1/escalations").status_code == 401
