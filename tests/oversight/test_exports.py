"""Exports through the shared helper: a child's chronology and picture as CSV (what the screen
shows the viewer, marked, logged as an export of the child), and the inspection lists (children
missing in a period, referrals, police protection, custody) as CSV streamed whole however long,
their last row saying how many rows they hold, logged naming every child in them."""

from __future__ import annotations

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.exports import services as exports
from tests.oversight.conftest import PERIOD, AuditWorld
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.usefixtures("frozen_screens")
PERIOD_QUERY = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"


def _text(response: object) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return body.decode("utf-8-sig")


def test_a_childs_chronology_downloads_as_marked_csv_logged_as_an_export(access_world: AccessWorld) -> None:
    client = sign_in(Client(), access_world.users["analyst"])
    child = access_world.pupil
    answer = client.get(f"/people/{child.pk}/chronology.csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    text = _text(answer)
    lines = text.splitlines()
    assert (
        lines[0].lstrip('"').startswith("OFFICIAL-SENSITIVE: Chronology of person record") and "Exported by" in lines[1]
    )
    assert lines[2].startswith("When,Until,What") and lines[-1] == "OFFICIAL-SENSITIVE"
    assert len(lines) > 4  # the pupil's events, one row each
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert entry.object_type == "individual" and child.pk in entry.individual_ids
    assert {"csv", "chronology"} <= set(entry.fields)


def test_a_childs_picture_downloads_as_csv_with_the_page_sections(access_world: AccessWorld) -> None:
    client = sign_in(Client(), access_world.users["sergeant"])
    child = access_world.pupil
    text = _text(client.get(f"/people/{child.pk}/picture.csv"))
    assert "Section,What,Detail,From,To,Source" in text and "Identity,Name," in text
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert entry.individual_ids[0] == child.pk and "picture" in entry.fields


def test_roles_without_export_are_refused_and_the_refusal_logged(access_world: AccessWorld) -> None:
    client = sign_in(Client(), access_world.users["response_officer"])
    child = access_world.pupil
    assert client.get(f"/people/{child.pk}/chronology.csv").status_code == 403
    assert client.get(f"/oversight/inspection-lists/missing.csv?{PERIOD_QUERY}").status_code == 403


def test_a_chronology_filter_in_error_is_refused_naming_the_field(access_world: AccessWorld) -> None:
    client = sign_in(Client(), access_world.users["analyst"])
    answer = client.get(f"/people/{access_world.pupil.pk}/chronology.csv?date_from=2026-02-10&date_to=2026-02-01")
    assert answer.status_code == 400


def test_a_restricted_childs_chronology_is_not_found_for_others(access_world: AccessWorld) -> None:
    client = sign_in(Client(), access_world.users["analyst"])
    assert client.get(f"/people/{access_world.restricted.pk}/chronology.csv").status_code == 404


def test_inspection_list_of_children_missing_is_streamed_whole(audit_world: AuditWorld, monkeypatch: object) -> None:
    monkeypatch.setattr(exports, "STREAM_CHUNK_ROWS", 2)  # type: ignore[attr-defined]
    client = sign_in(Client(), audit_world.access.users["analyst"])
    answer = client.get(f"/oversight/inspection-lists/missing.csv?{PERIOD_QUERY}")
    assert answer.status_code == 200 and answer.streaming
    chunks = list(answer.streaming_content)  # type: ignore[attr-defined]
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    # Six children, one missing three times: eight rows; the restricted child's report is not listed.
    assert len(chunks) > 3
    assert lines[2].startswith("Date,Ended,Source,Reference,Person record,Given names")
    assert len(lines) == 3 + 8 + 1 and lines[-1] == '"OFFICIAL-SENSITIVE: end of export, 8 rows"'
    assert sum("Ada" in line for line in lines) == 3
    entry = AuditEntry.objects.filter(action="export", object_type="inspection_list").latest("seq")
    assert sorted(entry.individual_ids) == sorted(c.pk for c in audit_world.missing)
    assert audit_world.access.restricted.pk not in entry.individual_ids


def test_every_inspection_list_downloads_with_its_own_columns(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    page = client.get(f"/oversight/inspection-lists/?{PERIOD_QUERY}")
    assert page.status_code == 200 and page.content.decode().count('data-testid="inspection-row"') == 4
    expected = {
        "referrals": ("Triage grade", 2),
        "police_protection": ("Social care told at", 1),
        "custody": ("Appropriate adult arrived at", 1),
    }
    for code, (column, rows) in expected.items():
        lines = _text(client.get(f"/oversight/inspection-lists/{code}.csv?{PERIOD_QUERY}")).splitlines()
        assert column in lines[2] and lines[-1].endswith(f'end of export, {rows} rows"')


def test_an_impossible_period_or_unknown_list_is_refused(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    page = client.get("/oversight/inspection-lists/?period_from=2026-02-10&period_to=2026-02-01")
    assert page.status_code == 400 and "Expected a date on or after the start of the period" in page.content.decode()
    assert client.get(f"/oversight/inspection-lists/nothing.csv?{PERIOD_QUERY}").status_code == 404
    assert client.get("/oversight/inspection-lists/missing.csv?period_to=2099-01-01").status_code == 404
