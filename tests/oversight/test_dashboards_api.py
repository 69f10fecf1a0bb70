"""The dashboards and exports over REST answer as the screens do: the same counts, the same
drill-down, the same refusals (422 naming the field), the same access rules and access log."""

from __future__ import annotations

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from tests.oversight.conftest import PERIOD, AuditWorld
from tests.world import sign_in

pytestmark = pytest.mark.usefixtures("frozen_screens")
PERIOD_QUERY = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"


def test_a_dashboard_answers_its_tables_with_drill_down_keys(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    listed = client.get("/api/v1/dashboards/").json()
    assert {d["code"] for d in listed} >= {"missing", "referrals", "open-work", "data-quality"}
    found = client.get(f"/api/v1/dashboards/missing?{PERIOD_QUERY}").json()
    months = found["tables"][0]
    whole = next(r for r in months["rows"] if r["code"] == "all")
    assert [c["value"] for c in whole["cells"]] == [9, 7, 1]
    key = whole["cells"][2]["key"]
    behind = client.get(f"/api/v1/dashboards/missing/behind?{PERIOD_QUERY}&key={key}").json()
    assert len(behind["rows"]) == 3 and {r["individual"] for r in behind["rows"]} == {audit_world.missing[0].pk}
    csv = client.get(f"/api/v1/dashboards/missing/tables/months.csv?{PERIOD_QUERY}")
    assert csv.status_code == 200 and "Whole period,9,7,1" in csv.content.decode("utf-8-sig")


def test_impossible_filters_are_refused_naming_the_field(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    backwards = client.get("/api/v1/dashboards/referrals?period_from=2026-02-10&period_to=2026-02-01")
    assert backwards.status_code == 422 and "period_to: expected a date on or after" in backwards.content.decode()
    agency = client.get("/api/v1/dashboards/referrals?agency=nowhere")
    assert agency.status_code == 422 and "agency: expected one of" in agency.content.decode()
    area = client.get("/api/v1/exports/inspection-lists?area=Atlantis")
    assert area.status_code == 422 and "area: expected" in area.content.decode()
    assert client.get("/api/v1/dashboards/nothing").status_code == 404


def test_exports_over_rest_are_marked_streamed_and_logged(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    counted = client.get(f"/api/v1/exports/inspection-lists?{PERIOD_QUERY}").json()
    assert {x["code"]: x["records"] for x in counted["lists"]}["missing"] == 8
    answer = client.get(f"/api/v1/exports/inspection-lists/missing.csv?{PERIOD_QUERY}")
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[-1] == '"OFFICIAL-SENSITIVE: end of export, 8 rows"'
    child = audit_world.missing[0]
    chronology = client.get(f"/api/v1/exports/individuals/{child.pk}/chronology.csv")
    assert chronology.status_code == 200 and "Missing report" in chronology.content.decode("utf-8-sig")
    picture = client.get(f"/api/v1/exports/individuals/{child.pk}/picture.csv")
    assert picture.status_code == 200 and "Identity,Name,Ada Auditcase" in picture.content.decode("utf-8-sig")
    exported = AuditEntry.objects.filter(action="export").order_by("seq")
    assert [e.object_type for e in exported] == ["inspection_list", "individual", "individual"]


def test_roles_without_the_permissions_are_refused(audit_world: AuditWorld) -> None:
    officer = sign_in(Client(), audit_world.access.users["response_officer"])
    assert officer.get("/api/v1/dashboards/missing").status_code == 403
    assert officer.get(f"/api/v1/exports/individuals/{audit_world.missing[0].pk}/chronology.csv").status_code == 403
    analyst = sign_in(Client(), audit_world.access.users["analyst"])
    assert analyst.get(f"/api/v1/exports/individuals/{audit_world.access.restricted.pk}/picture.csv").status_code == 404
