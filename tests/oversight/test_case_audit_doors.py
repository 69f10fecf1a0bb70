"""The case file audit through its two doors, the screens and the REST API: the case auditor
draws a sample, grades cases and reads the agreement table; a supervisor's grade is the
self-audit; bad input answers with the field and the reason (400 on a screen, 422 from the
API); roles without the permission are refused; a case of a child the viewer may not open
answers 404; every look is in the access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import system_clock
from safetynet.oversight.criteria import current_criteria
from safetynet.oversight.models import AuditCase, AuditGrade, AuditSample
from safetynet.work.models import Task
from tests.oversight.conftest import PERIOD, AuditWorld

JSON = "application/json"


def _draw_api(client: Client, **changes: Any) -> Any:
    body = {"area": "missing", "period_from": str(PERIOD[0]), "period_to": str(PERIOD[1]), "size": 4, **changes}
    return client.post("/api/v1/case-audits/samples/draw", body, content_type=JSON)


def _form_answers(area: str = "missing", value: str = "met") -> dict[str, str]:
    return {f"criterion_{c.id}": value for c in current_criteria().area(area).criteria}


def test_the_case_auditor_draws_grades_and_sees_the_agreement_on_screen(
    audit_world: AuditWorld, client_for: Callable[[str], Client]
) -> None:
    auditor, sergeant = client_for("case_auditor"), client_for("sergeant")
    page = auditor.get("/oversight/case-audit/")
    assert page.status_code == 200 and b"Draw a dip sample" in page.content
    drawn = auditor.post(
        "/oversight/case-audit/draw/",
        {"area": "missing", "period_from": PERIOD[0], "period_to": PERIOD[1], "size": 3},
    )
    sample = AuditSample.objects.get()
    assert drawn.status_code == 302 and drawn["Location"].endswith(f"/samples/{sample.pk}/")
    case = sample.cases.first()
    assert case is not None
    graded = auditor.post(f"/oversight/case-audit/cases/{case.pk}/", {**_form_answers(), "grade": "good"})
    assert graded.status_code == 302
    own = sergeant.get(f"/oversight/case-audit/cases/{case.pk}/")
    assert b"Graded (shown once your side has graded this case)" in own.content
    sergeant.post(f"/oversight/case-audit/cases/{case.pk}/", {**_form_answers(), "grade": "inadequate"})
    assert set(AuditGrade.objects.values_list("kind", "grade")) == {("independent", "good"), ("self", "inadequate")}
    shown = auditor.get(f"/oversight/case-audit/samples/{sample.pk}/").content.decode()
    assert "Auditcase" in shown and "Differ" in shown and "agree on 0 of 1 case" in shown
    listed = auditor.get("/oversight/case-audit/").content.decode()
    assert "1 inadequate" in listed and "1 good" in listed
    assert AuditEntry.objects.filter(object_type="audit_sample", action="view").exists()
    csv = auditor.get(f"/oversight/case-audit/samples/{sample.pk}/export.csv")
    body = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "Differ" not in body and "Good" in body and "Inadequate" in body
    assert AuditEntry.objects.filter(object_type="audit_sample", action="export").exists()
    assert client_for("call_handler").get(f"/oversight/case-audit/samples/{sample.pk}/export.csv").status_code == 403


def test_bad_input_on_screen_is_shown_beside_its_field(
    audit_world: AuditWorld, client_for: Callable[[str], Client]
) -> None:
    auditor = client_for("case_auditor")
    refused = auditor.post(
        "/oversight/case-audit/draw/", {"area": "missing", "period_from": PERIOD[1], "period_to": PERIOD[0], "size": 3}
    )
    assert refused.status_code == 400
    assert b"Expected a date on or after the start of the period" in refused.content
    auditor.post(
        "/oversight/case-audit/draw/", {"area": "missing", "period_from": PERIOD[0], "period_to": PERIOD[1], "size": 1}
    )
    case = AuditCase.objects.get()
    bad = auditor.post(f"/oversight/case-audit/cases/{case.pk}/", {**_form_answers(), "grade": "outstanding"})
    assert bad.status_code == 400 and b"Select a grade on the scale" in bad.content
    assert not AuditGrade.objects.exists()
    auditor.post(f"/oversight/case-audit/cases/{case.pk}/", {**_form_answers(), "grade": "good"})
    again = auditor.post(f"/oversight/case-audit/cases/{case.pk}/", {**_form_answers(), "grade": "inadequate"})
    assert again.status_code == 302 and AuditGrade.objects.get().grade == "good"
    assert b"a grade is recorded once" in auditor.get(again["Location"]).content


def test_who_may_use_the_case_audit(audit_world: AuditWorld, client_for: Callable[[str], Client]) -> None:
    for role in ("auditor", "analyst", "call_handler", "partner_social_worker"):
        assert client_for(role).get("/oversight/case-audit/").status_code == 403, role
    sergeant = client_for("sergeant")
    assert sergeant.get("/oversight/case-audit/").status_code == 200
    assert b"Draw a dip sample" not in sergeant.get("/oversight/case-audit/").content
    assert _draw_api(sergeant).status_code == 403
    assert not AuditSample.objects.exists()


def test_the_api_draws_grades_and_refuses_with_field_and_reason(
    audit_world: AuditWorld, client_for: Callable[[str], Client]
) -> None:
    auditor, inspector = client_for("case_auditor"), client_for("inspector")
    soon = system_clock.now().date() + dt.timedelta(days=14)
    impossible = _draw_api(auditor, period_from=str(PERIOD[1]), period_to=str(PERIOD[0]))
    assert impossible.status_code == 422
    assert impossible.json()["detail"] == "period_to: expected a date on or after the start of the period"
    drawn = _draw_api(auditor).json()
    assert drawn["sample"]["cases"] == 4 and drawn["your_grades_are"] == "independent"
    case_id = drawn["cases"][0]["id"]
    answers = {c.id: "met" for c in current_criteria().area("missing").criteria}
    outside = auditor.post(
        f"/api/v1/case-audits/cases/{case_id}/grades", {"grade": "excellent", "answers": answers}, content_type=JSON
    )
    assert outside.status_code == 422
    assert outside.json()["detail"] == "grade: expected one of good, requires_improvement, inadequate"
    ok = auditor.post(
        f"/api/v1/case-audits/cases/{case_id}/grades", {"grade": "good", "answers": answers}, content_type=JSON
    )
    assert ok.status_code == 200 and ok.json()["independent_audit"]["grade"] == "good"
    blind = inspector.get(f"/api/v1/case-audits/samples/{drawn['sample']['id']}").json()
    first = blind["cases"][0]
    assert first["independent_audit"]["graded"] and first["independent_audit"]["grade"] is None
    inspector.post(
        f"/api/v1/case-audits/cases/{case_id}/grades",
        {"grade": "requires_improvement", "answers": answers},
        content_type=JSON,
    )
    table = auditor.get("/api/v1/case-audits/agreement?area=missing").json()
    assert table["cells"]["requires_improvement"]["good"] == 1 and table["both"] == 1
    assert auditor.get("/api/v1/case-audits/agreement?area=astrology").status_code == 422
    assert auditor.get("/api/v1/case-audits/samples/999999").status_code == 404
    action = auditor.post(
        f"/api/v1/case-audits/cases/{case_id}/actions",
        {"text": "Review the grading with the duty inspector.", "owner_role": "inspector", "due": str(soon)},
        content_type=JSON,
    )
    assert action.status_code == 200 and action.json()["audit_actions"][0]["owner_role"] == "inspector"
    task = Task.objects.get(pk=action.json()["audit_actions"][0]["task"])
    assert task.owner_role == "inspector" and task.is_current
    no_owner = auditor.post(
        f"/api/v1/case-audits/cases/{case_id}/actions",
        {"text": "Review the grading with the duty inspector.", "owner_role": "", "due": str(soon)},
        content_type=JSON,
    )
    assert no_owner.status_code == 422 and no_owner.json()["detail"].startswith("owner_role: expected a role")


def test_a_case_of_a_child_the_viewer_may_not_open_answers_404(
    audit_world: AuditWorld, client_for: Callable[[str], Client]
) -> None:
    auditor = client_for("case_auditor")
    _draw_api(auditor, area="cse")
    case = AuditCase.objects.get()
    AuditCase.objects.filter(pk=case.pk).update(individual=audit_world.access.restricted)
    assert auditor.get(f"/oversight/case-audit/cases/{case.pk}/").status_code == 404
    answers = {c.id: "met" for c in current_criteria().area("cse").criteria}
    api = auditor.post(
        f"/api/v1/case-audits/cases/{case.pk}/grades", {"grade": "good", "answers": answers}, content_type=JSON
    )
    assert api.status_code == 404 and not AuditGrade.objects.exists()
    assert AuditEntry.objects.filter(object_type="audit_case", action="denied").exists()
