"""My work and oversight as CSV (#17 Exports): the rows the list shows the viewer, marked
OFFICIAL-SENSITIVE with who and when, one `export` entry naming every child listed, refused to a
role without `export`; and a recorded value a spreadsheet would run as a formula opens as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from django.test import Client, RequestFactory

from safetynet.accounts.services import create_user_with_role, restrict_individual
from safetynet.audit.models import Action, AuditEntry
from safetynet.exports.services import csv_cell, export_csv
from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sweep, sync_tasks
from tests.web.findings import NOW
from tests.world import PASSWORD, AccessWorld, World


def _finding(individual: object, clause: str, reason: str, due_in_hours: float, n: int) -> Finding:
    return Finding.objects.create(
        fingerprint=f"csv-{n}",
        individual=individual,
        clause=clause,
        severity="high",
        reason=reason,
        cites=[{"source": "mispers", "id": "E1"}],
        owner_role="sergeant",
        due_by=NOW + dt.timedelta(hours=due_in_hours),
        policy_version="test",
        raised_at=NOW - dt.timedelta(hours=3),
        evaluated_at=NOW,
    )


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_my_work_downloads_as_csv_marked_and_logged_per_child(
    officer_client: Client, world: World, clock: FixedClock
) -> None:
    _finding(world.child, "M4", "A repeat missing child has no trigger plan", 48, 1)
    _finding(world.adult, "X1", '=HYPERLINK("http://evil.example","click")', 5, 2)
    _finding(world.markup_child, "M2", "A restricted child's episode", -5, 3)
    sync_tasks(clock=clock)
    other = create_user_with_role(acting_user=None, username="sgt.other", password=PASSWORD, role="sergeant")
    restrict_individual(acting_user=other, individual=world.markup_child, reason_code="test", named_users=[])
    html = officer_client.get("/work/").content.decode()
    assert 'href="/work/export.csv"' in html and "Download this list as CSV" in html

    before = AuditEntry.objects.count()
    response = officer_client.get("/work/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-work-all.csv"'
    rows = _rows(response.content)
    assert rows[0] == ["OFFICIAL-SENSITIVE: My work"]
    assert rows[1] == ["Exported by Sam Sergeant (Sergeant) on 02 Mar 2026 09:00 GMT"]
    assert rows[2][:4] == ["Due", "Overdue", "Late by", "Child"]
    assert rows[-1] == ["OFFICIAL-SENSITIVE"]
    body = rows[3:-1]
    reasons = {row[8] for row in body}
    assert reasons == {"A repeat missing child has no trigger plan", '\'=HYPERLINK("http://evil.example","click")'}
    assert "A restricted child's episode" not in response.content.decode()  # not on the screen either

    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert [e.action for e in entries] == [Action.EXPORT]
    assert set(entries[0].individual_ids) == {world.child.pk, world.adult.pk}
    assert entries[0].object_type == "task_list" and "csv" in entries[0].fields
    listed = Task.objects.exclude(individual=world.markup_child)
    assert sorted(entries[0].object_ids) == sorted(str(t.pk) for t in listed)


def test_oversight_downloads_as_csv_for_a_supervisor(officer_client: Client, world: World, clock: FixedClock) -> None:
    _finding(world.child, "M2", "No supervisor has reviewed a missing episode", -3, 1)
    sync_tasks(clock=clock)
    sweep(clock=clock)
    assert "Download the list as CSV" in officer_client.get("/work/oversight/").content.decode()
    rows = _rows(officer_client.get("/work/oversight/export.csv").content)
    assert rows[0] == ["OFFICIAL-SENSITIVE: Late and escalated work"]
    assert any("No supervisor has reviewed a missing episode" in row for row in rows)
    assert AuditEntry.objects.get(action=Action.EXPORT).individual_ids == [world.child.pk]


def test_a_role_without_export_gets_403_and_a_denied_entry(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_social_worker")
    assert "export.csv" not in client.get("/work/").content.decode()
    before = AuditEntry.objects.count()
    assert client.get("/work/export.csv").status_code == 403
    assert [e.action for e in AuditEntry.objects.filter(seq__gt=before)] == [Action.DENIED]
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_cells_a_spreadsheet_would_run_as_formulas_open_as_text() -> None:
    for dangerous in ("=1+1", "+44 7700", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(dangerous) == "'" + dangerous
    assert csv_cell("Kayleigh = not a formula") == "Kayleigh = not a formula"
    assert csv_cell(-3) == "-3" and csv_cell(None) == "" and csv_cell(True) == "yes"
    assert csv_cell(dt.date(2026, 3, 2)) == "2026-03-02"
    assert csv_cell(dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)) == "2026-07-01T09:00+01:00"  # London time


def test_export_csv_is_general_for_any_rows(access_world: AccessWorld) -> None:
    """The meetings workspace's actions CSV will call the same helper with its own columns."""
    request = RequestFactory().get("/anything")
    request.user = access_world.users["mash_officer"]
    actions = [{"owner": "=cmd|' /C calc'!A0", "due": dt.date(2026, 3, 9), "child": access_world.pupil.pk}]
    response = export_csv(
        request,
        actions,
        [("Owner", lambda a: a["owner"]), ("Due", lambda a: a["due"])],
        title="Meeting actions",
        filename="actions 12/3",
        individual_ids=[a["child"] for a in actions],
        object_type="meeting_actions",
        object_ids=[12],
    )
    assert response["Content-Disposition"] == 'attachment; filename="actions-12-3.csv"'
    rows = _rows(response.content)
    assert rows[2:4] == [["Owner", "Due"], ["'=cmd|' /C calc'!A0", "2026-03-09"]]
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.individual_ids == [access_world.pupil.pk] and entry.object_ids == ["12"]
