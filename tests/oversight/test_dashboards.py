"""The oversight dashboards: counts aggregated in the database per table, a server-rendered SVG
chart with the numbers in a table beside it, filters (period, agency) in the address with an
impossible period refused beside its field, every number a link to the records behind it,
every table as CSV (marked, logged as an export, counts only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.reads.dashboards import DASHBOARDS, Filters
from safetynet.records.models import Participation
from tests.oversight.conftest import FEB, PERIOD, AuditWorld, _case_event, _child
from tests.world import _person, open_task, sign_in

pytestmark = pytest.mark.usefixtures("frozen_screens")
FEB_ONLY = Filters(*PERIOD)


def _cells(table: object, code: str) -> list[int]:
    row = next(r for r in table.rows if r.code == code)  # type: ignore[attr-defined]
    return [c.value for c in row.cells]


def test_missing_episodes_children_and_repeat_children_by_month(audit_world: AuditWorld, clock: FixedClock) -> None:
    table = DASHBOARDS["missing"].build(FEB_ONLY, clock.now())[0]
    # Six children missing in February (one of them three times) and the restricted child: nine
    # reports, seven children, one missing three or more times. January's report is outside.
    assert _cells(table, "2026-02") == [9, 7, 1]
    assert _cells(table, "all") == [9, 7, 1]
    assert [r.code for r in table.rows] == ["2026-02", "all"]
    behind = list(DASHBOARDS["missing"].behind(FEB_ONLY, clock.now(), "all:repeat"))
    assert len(behind) == 3 and {b.individual_id for b in behind} == {audit_world.missing[0].pk}


def test_referrals_by_grade_and_time_to_triage(audit_world: AuditWorld, clock: FixedClock) -> None:
    person, _child_id = _child("TRI", "Tia")
    triaged = (FEB + dt.timedelta(hours=2)).isoformat()
    _case_event("TRI", "referral", person, "subject", FEB, triage={"grade": "red", "at": triaged})
    slow = (FEB + dt.timedelta(days=2)).isoformat()
    _case_event("SLOW", "referral", person, "subject", FEB, triage={"grade": "amber", "at": slow})
    table = DASHBOARDS["referrals"].build(FEB_ONLY, clock.now())[0]
    # Referrals, within 1 h, 1-4 h, 4-24 h, over 24 h, not triaged.
    assert _cells(table, "red") == [1, 0, 1, 0, 0, 0]
    assert _cells(table, "amber") == [1, 0, 0, 0, 1, 0]
    assert _cells(table, "green") == [1, 0, 0, 0, 0, 1]  # graded but its time not recorded
    assert _cells(table, "ungraded") == [1, 0, 0, 0, 0, 1]  # awaiting triage
    behind = list(DASHBOARDS["referrals"].behind(FEB_ONLY, clock.now(), "red:4h"))
    assert [b.reference for b in behind] == ["rms AUDEV-TRI"]


def test_open_work_by_team_and_age_and_meeting_actions_by_agency(audit_world: AuditWorld, clock: FixedClock) -> None:
    now = clock.now()
    open_task(audit_world.missing[0], clause="M2", owner_role="sergeant", at=now - dt.timedelta(days=10))
    open_task(audit_world.missing[1], clause="X7", owner_role="partner_social_worker", at=now - dt.timedelta(days=20))
    table = DASHBOARDS["open-work"].build(FEB_ONLY, now)[0]
    # Open, under a day, 1-7 days, 1-4 weeks, over 4 weeks, overdue.
    assert _cells(table, "sergeant") == [1, 0, 0, 1, 0, 1]
    police_only = DASHBOARDS["open-work"].build(Filters(*PERIOD, agency="police"), now)[0]
    assert [r.code for r in police_only.rows] == ["sergeant"]
    actions = DASHBOARDS["meeting-actions"].build(FEB_ONLY, now)[0]
    assert _cells(actions, "csc") == [1, 1, 1]
    behind = list(DASHBOARDS["meeting-actions"].behind(FEB_ONLY, now, "csc:long"))
    assert [b.individual_id for b in behind] == [audit_world.missing[1].pk]


def _rms_quality(clock: FixedClock) -> list[int]:
    tables = {t.code: t for t in DASHBOARDS["data-quality"].build(FEB_ONLY, clock.now())}
    return _cells(tables["records"], "rms")


def test_data_quality_counts_records_without_ethnicity_and_unlinked(audit_world: AuditWorld, clock: FixedClock) -> None:
    before = _rms_quality(clock)
    _child("ETH", "Eli")[0].__class__.objects.filter(source_id="AUD-ETH").update(self_defined_ethnicity="W1")
    unlinked = _person("rms", "AUD-LOOSE", given_names="Lou", family_name="Loose", date_of_birth="2012-01-01")
    after = _rms_quality(clock)
    # Person records, without an ethnicity, not linked: two more records, one without, one loose.
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1]
    behind = list(DASHBOARDS["data-quality"].behind(FEB_ONLY, clock.now(), "unlinked:rms"))
    assert [b.reference for b in behind] == [f"rms {unlinked.source_id}"] and behind[0].individual_id is None


def test_forensic_backlog_counts_devices_by_priority_and_wait(audit_world: AuditWorld, clock: FixedClock) -> None:
    person, _ = _child("DEV", "Dax")
    submitted = (clock.now() - dt.timedelta(days=40)).isoformat()
    _case_event("DEV1", "device_examination", person, "subject", FEB, priority="priority", submitted_at=submitted)
    _case_event("DEV2", "device_examination", person, "subject", FEB, priority="standard")
    returned = clock.now().isoformat()
    _case_event("DEV3", "device_examination", person, "subject", FEB, submitted_at=submitted, returned_at=returned)
    table = DASHBOARDS["forensic-backlog"].build(FEB_ONLY, clock.now())[0]
    # Devices, under 30, 30-90, 90-180, over 180 days, past the target.
    assert _cells(table, "submitted:priority") == [1, 0, 1, 0, 0, 1]
    assert _cells(table, "seized:standard") == [1, 1, 0, 0, 0, 0]
    assert _cells(table, "submitted:standard") == [0, 0, 0, 0, 0, 0]


def test_analyst_sees_the_chart_table_and_drills_down_to_a_child(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    period = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"
    page = client.get(f"/dashboards/missing/?{period}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'data-testid="table-months"' in body and "<title" in body
    behind = client.get(f"/dashboards/missing/behind/?{period}&key=all:repeat")
    text = behind.content.decode()
    assert behind.status_code == 200 and text.count('data-testid="behind-row"') == 3 and "Ada" in text
    entry = AuditEntry.objects.filter(object_type="dashboard", action="view").latest("seq")
    assert entry.fields == ["dashboard_behind", "missing"] and entry.individual_ids == [audit_world.missing[0].pk]


def test_an_impossible_period_is_refused_beside_its_field(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    for code in DASHBOARDS:
        page = client.get(f"/dashboards/{code}/?period_from=2026-02-10&period_to=2026-02-01")
        assert page.status_code == 400
        assert "Expected a date on or after the start of the period" in page.content.decode()
    assert client.get("/dashboards/missing/?agency=nowhere").status_code == 400


def test_every_table_downloads_as_marked_csv_logged_as_an_export(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    period = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"
    for code, dashboard in DASHBOARDS.items():
        for table in dashboard.build(FEB_ONLY, FEB):
            answer = client.get(f"/dashboards/{code}.csv?{period}&table={table.code}")
            assert answer.status_code == 200, (code, table.code)
            text = answer.content.decode("utf-8-sig")
            assert text.startswith('"OFFICIAL-SENSITIVE') and table.columns[0] in text
    logged = AuditEntry.objects.filter(action="export", object_type="dashboard")
    assert logged.count() == sum(len(d.build(FEB_ONLY, FEB)) for d in DASHBOARDS.values())


def test_roles_without_practice_oversight_are_refused(audit_world: AuditWorld) -> None:
    for role in ("response_officer", "partner_social_worker", "auditor"):
        client = sign_in(Client(), audit_world.access.users[role])
        assert client.get("/dashboards/missing/").status_code == 403
        assert client.get("/dashboards/missing/behind/?key=all:repeat").status_code == 403


def test_records_behind_a_number_name_only_children_the_viewer_may_open(audit_world: AuditWorld) -> None:
    client = sign_in(Client(), audit_world.access.users["analyst"])
    period = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"
    text = client.get(f"/dashboards/missing/behind/?{period}&key=2026-02:episodes").content.decode()
    assert text.count('data-testid="behind-row"') == 9
    assert "A child whose record you cannot open" in text  # the restricted child: counted, not named
    restricted_person = Participation.objects.filter(person__membership__individual=audit_world.access.restricted)
    assert restricted_person.exists()


def test_the_demo_counts_the_dashboards_and_points_at_them(audit_world: AuditWorld, tmp_path: Path) -> None:
    from safetynet.cli.commands.demo import DemoContext, _steps
    from safetynet.cli.commands.demo_workspaces import dashboards

    assert dashboards in [fn for _label, fn in _steps()]
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=FixedClock(FEB + dt.timedelta(days=18)))
    dashboards(ctx)
    # February and January (the early report is inside the last 90 days).
    assert "10 missing reports about 8 children, 1 of them missing 3+ times" in ctx.notes[-2]
    assert "/oversight/inspection-lists/" in ctx.notes[-2]
    # The online crime's victim has no date of birth: not counted as a crime against a child.
    assert ctx.notes[-1].startswith("Outcomes over the last 90 days (/dashboards/outcomes/): 0 crimes against children")
    assert "0 children with an intervention" in ctx.notes[-1]


def test_the_records_behind_a_number_come_a_page_at_a_time(
    audit_world: AuditWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safetynet.reads.dashboards as dashboards

    monkeypatch.setattr(dashboards, "BEHIND_PAGE", 4)
    client = sign_in(Client(), audit_world.access.users["analyst"])
    period = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"
    first = client.get(f"/dashboards/missing/behind/?{period}&key=2026-02:episodes").content.decode()
    assert first.count('data-testid="behind-row"') == 4 and "page 1 of 3" in first and 'rel="next"' in first
    last = client.get(f"/dashboards/missing/behind/?{period}&key=2026-02:episodes&page=3").content.decode()
    assert last.count('data-testid="behind-row"') == 1 and 'rel="prev"' in last
    api = client.get(f"/api/v1/dashboards/missing/behind?{period}&key=2026-02:episodes&page=2").json()
    assert (api["page"], api["pages"], api["total"], len(api["rows"])) == (2, 3, 9, 4)


SOUTH = "Kingsford and the south"


def test_an_area_narrows_every_count_to_children_living_there(audit_world: AuditWorld, clock: FixedClock) -> None:
    from safetynet.reads.dashboards import filters_asked
    from safetynet.records.models import Person

    Person.objects.filter(source_id="AUD-M0").update(postcode="EK1 2AB")  # Ada, missing three times
    Person.objects.filter(source_id="AUD-M1").update(postcode="EK11 4CD")  # Ben: EK11 is in the area too
    Person.objects.filter(source_id="AUD-M2").update(postcode="EK4 1AA")  # Cleo: the east coast
    south = filters_asked(PERIOD[0], PERIOD[1], "", SOUTH, clock.now().date())
    table = DASHBOARDS["missing"].build(south, clock.now())[0]
    assert _cells(table, "all") == [4, 2, 1]
    behind = {b.individual_id for b in DASHBOARDS["missing"].behind(south, clock.now(), "all:episodes")}
    assert behind == {audit_world.missing[0].pk, audit_world.missing[1].pk}
    client = sign_in(Client(), audit_world.access.users["analyst"])
    page = client.get(f"/dashboards/missing/?period_from={PERIOD[0]}&period_to={PERIOD[1]}&area={SOUTH}")
    assert page.status_code == 200 and "Whole period" in page.content.decode()
    assert client.get("/dashboards/missing/?area=Atlantis").status_code == 400
    lists = client.get(
        f"/oversight/inspection-lists/missing.csv?period_from={PERIOD[0]}&period_to={PERIOD[1]}&area={SOUTH}"
    )
    assert b"end of export, 4 rows" in b"".join(lists.streaming_content)
