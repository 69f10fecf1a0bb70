"""The outcomes dashboard: crimes against children by outcome, protective orders and plans put in
place for children, and missing episodes before and after an intervention (a plan or a
protective order), counted by meaning over hand-built records; screens, REST, CSV, refusals,
access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.reads.dashboards import DASHBOARDS, Filters
from safetynet.records.models import Order, Participation, Person, Plan
from tests.oversight.conftest import FEB, PERIOD, AuditWorld, _case_event
from tests.world import RECORDED, _individual, _person, sign_in

pytestmark = pytest.mark.usefixtures("frozen_screens")
FEB_ONLY = Filters(*PERIOD)
QUERY = f"period_from={PERIOD[0]}&period_to={PERIOD[1]}"


def _cells(table: object, code: str) -> list[int]:
    row = next(r for r in table.rows if r.code == code)  # type: ignore[attr-defined]
    return [c.value for c in row.cells]


def _tables(f: Filters = FEB_ONLY) -> dict[str, object]:
    return {t.code: t for t in DASHBOARDS["outcomes"].build(f, FEB)}


def _kid(n: str, given: str, dob: dt.date = dt.date(2011, 6, 1)) -> tuple[Person, Individual]:
    person = _person(
        "rms", f"OUT-{n}", given_names=given, family_name="Outcome", date_of_birth=dob.isoformat(), dob=dob
    )
    return person, _individual(person)


def _plan(n: str, person: Person, day: dt.date, plan_type: str = "trigger_plan") -> Plan:
    return Plan.objects.create(
        source="csc",
        source_id=f"OUTPLAN-{n}",
        recorded_at=RECORDED,
        payload={},
        plan_type=plan_type,
        person=person,
        created_on=day,
    )


def _order(n: str, child: Person, day: dt.date, order_type: str = "cawn") -> Order:
    adult = _person("rms", f"OUT-ADULT-{n}", given_names="Adult", family_name="Subject", dob=dt.date(1980, 1, 1))
    order = Order.objects.create(
        source="rms",
        source_id=f"OUTORD-{n}",
        recorded_at=RECORDED,
        payload={},
        order_type=order_type,
        subject=adult,
        valid_from=day,
    )
    order.protected.add(child)
    return order


def _missing(n: str, person: Person, when: dt.datetime) -> None:
    _case_event(f"OUTM-{n}", "missing_report", person, "missing_person", when)


def test_crimes_against_children_are_counted_by_outcome(audit_world: AuditWorld) -> None:
    a, _ = _kid("C1", "Cal")
    b, _ = _kid("C2", "Cora")
    adult = _person("rms", "OUT-GROWN", given_names="Gwen", family_name="Grown", dob=dt.date(1990, 1, 1))
    _individual(adult)
    _case_event("CR1", "crime", a, "victim", FEB, status="charged")
    _case_event("CR2", "crime", b, "victim", FEB, status="charged")
    _case_event("CR3", "crime", a, "victim", FEB, status="no_further_action")
    _case_event("CR4", "crime", b, "victim", FEB)  # outcome not said
    _case_event("CR5", "crime", adult, "victim", FEB, status="charged")  # not a child: not counted
    _case_event("CR6", "crime", a, "suspect", FEB, status="charged")  # a child suspect is not a victim
    _case_event("CR7", "crime", a, "victim", FEB - dt.timedelta(days=40), status="charged")  # January
    crimes = _tables()["crimes"]
    # Crimes, children (victims).
    assert _cells(crimes, "charged") == [2, 2]
    assert _cells(crimes, "no_further_action") == [1, 1]
    assert _cells(crimes, "under_investigation") == [0, 0]
    assert _cells(crimes, "other") == [1, 1]
    assert _cells(crimes, "all") == [4, 2]
    behind = list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "crimes:charged"))
    assert sorted(b.reference for b in behind) == ["rms AUDEV-CR1", "rms AUDEV-CR2"]
    # The online crime of the audit world has a victim with no date of birth: not counted as a child's.


def test_protective_orders_and_plans_put_in_place_for_children(audit_world: AuditWorld) -> None:
    a, _ = _kid("O1", "Odo")
    b, _ = _kid("O2", "Opal")
    _order("1", a, dt.date(2026, 2, 3))
    _order("2", b, dt.date(2026, 2, 20), "sexual_risk_order")
    _order("3", a, dt.date(2026, 1, 3))  # before the period
    _plan("1", a, dt.date(2026, 2, 4))
    _plan("2", b, dt.date(2026, 2, 5), "cse_plan")
    _plan("3", b, dt.date(2026, 2, 6), "cse_plan")
    tables = _tables()
    assert _cells(tables["orders"], "cawn") == [1, 1]
    assert _cells(tables["orders"], "sexual_risk_order") == [1, 1]
    assert _cells(tables["orders"], "all") == [2, 2]
    assert _cells(tables["plans"], "cse_plan") == [2, 1]
    assert _cells(tables["plans"], "trigger_plan") == [1, 1]
    behind = list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "orders:sexual_risk_order"))
    assert [b.reference for b in behind] == ["rms OUTORD-2"]
    plans = list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "plans:all"))
    assert len(plans) == 3 and plans[0].what == "Plan: CSE plan"
    csc_only = {t.code: t for t in DASHBOARDS["outcomes"].build(Filters(*PERIOD, agency="csc"), FEB)}
    assert _cells(csc_only["orders"], "all") == [0, 0] and _cells(csc_only["plans"], "all") == [3, 2]


def test_missing_episodes_are_counted_before_and_after_the_first_intervention(audit_world: AuditWorld) -> None:
    a, child_a = _kid("R1", "Remy")
    b, child_b = _kid("R2", "Rita")
    c, _child_c = _kid("R3", "Rosa")
    plan_day = dt.date(2026, 2, 10)
    _plan("R1", a, plan_day)
    _plan("R1b", a, dt.date(2026, 2, 25))  # a later plan: the first one counts
    for n, days in enumerate((-60, -20, -3, 0)):  # four before (the day itself included)
        _missing(f"a{n}", a, dt.datetime.combine(plan_day, dt.time(12), dt.UTC) + dt.timedelta(days=days))
    _missing("a-old", a, dt.datetime(2025, 10, 1, 12, tzinfo=dt.UTC))  # over 90 days before: neither
    _missing("a-after", a, dt.datetime(2026, 2, 15, 12, tzinfo=dt.UTC))
    _order("R2", b, dt.date(2026, 2, 12))
    _missing("b-after1", b, dt.datetime(2026, 2, 20, 12, tzinfo=dt.UTC))
    _missing("b-after2", b, dt.datetime(2026, 2, 22, 12, tzinfo=dt.UTC))
    _missing("c-only", c, dt.datetime(2026, 2, 12, 12, tzinfo=dt.UTC))  # no intervention: not counted
    repeat = _tables()["repeat"]
    # Children with one, children missing before, after, reports before, after.
    assert _cells(repeat, "plan") == [1, 1, 1, 4, 1]
    assert _cells(repeat, "order") == [1, 0, 1, 0, 2]
    assert _cells(repeat, "any") == [2, 1, 2, 4, 3]
    after = list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "repeat:any:after"))
    assert {b.individual_id for b in after} == {child_a.pk, child_b.pk} and len(after) == 3
    children = list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "repeat:plan:children"))
    assert [(b.at, b.reference) for b in children] == [(plan_day, "csc OUTPLAN-R1")]
    assert list(DASHBOARDS["outcomes"].behind(FEB_ONLY, FEB, "repeat:nothing:after")) == []
    # A missing report about two children counts once for each; one child's two roles count once.
    Participation.objects.create(
        event=Participation.objects.get(event__source_id="AUDEV-OUTM-b-after1").event, person=a, role="missing_person"
    )
    assert _cells(_tables()["repeat"], "any")[4] == 4


def test_the_outcomes_screen_charts_links_downloads_and_refuses(audit_world: AuditWorld) -> None:
    a, _ = _kid("S1", "Sam")
    _plan("S1", a, dt.date(2026, 2, 4))
    _case_event("SCR", "crime", a, "victim", FEB, status="charged")
    client = sign_in(Client(), audit_world.access.users["analyst"])
    page = client.get(f"/dashboards/outcomes/?{QUERY}")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body
    for table in ("crimes", "orders", "plans", "repeat"):
        assert f'data-testid="table-{table}"' in body
    assert "key=crimes%3Acharged" in body or "key=crimes:charged" in body
    behind = client.get(f"/dashboards/outcomes/behind/?{QUERY}&key=crimes:charged").content.decode()
    assert behind.count('data-testid="behind-row"') == 1 and "Sam Outcome" in behind
    entry = AuditEntry.objects.filter(object_type="dashboard", action="view").latest("seq")
    assert entry.fields == ["dashboard_behind", "outcomes"]
    csv = client.get(f"/dashboards/outcomes.csv?{QUERY}&table=repeat")
    assert csv.status_code == 200 and "Children with an intervention" in csv.content.decode("utf-8-sig")
    assert client.get("/dashboards/outcomes/?period_from=2026-02-10&period_to=2026-02-01").status_code == 400
    for role in ("response_officer", "auditor"):
        refused = sign_in(Client(), audit_world.access.users[role])
        assert refused.get("/dashboards/outcomes/").status_code == 403
        assert refused.get("/api/v1/dashboards/outcomes").status_code == 403


def test_the_outcomes_api_answers_the_same_counts(audit_world: AuditWorld) -> None:
    a, _ = _kid("A1", "Ari")
    _order("A1", a, dt.date(2026, 2, 3), "dvpo")
    client = sign_in(Client(), audit_world.access.users["analyst"])
    found = client.get(f"/api/v1/dashboards/outcomes?{QUERY}").json()
    orders = next(t for t in found["tables"] if t["code"] == "orders")
    dvpo = next(r for r in orders["rows"] if r["code"] == "dvpo")
    assert [c["value"] for c in dvpo["cells"]] == [1, 1]
    behind = client.get(f"/api/v1/dashboards/outcomes/behind?{QUERY}&key={dvpo['cells'][0]['key']}").json()
    assert [r["reference"] for r in behind["rows"]] == ["rms OUTORD-A1"]
    csv = client.get(f"/api/v1/dashboards/outcomes/tables/orders.csv?{QUERY}")
    assert csv.status_code == 200 and "DVPO,1,1" in csv.content.decode("utf-8-sig")
    bad = client.get("/api/v1/dashboards/outcomes?period_from=2026-02-10&period_to=2026-02-01")
    assert bad.status_code == 422 and "period_to" in bad.content.decode()


def test_an_area_narrows_outcomes_to_children_living_there(audit_world: AuditWorld, clock: FixedClock) -> None:
    from safetynet.reads.dashboards import filters_asked

    inside, _ = _kid("AR1", "Ida")
    outside, _ = _kid("AR2", "Ola")
    Person.objects.filter(pk=inside.pk).update(postcode="EK1 2AB")
    Person.objects.filter(pk=outside.pk).update(postcode="EK4 1AA")
    _plan("AR1", inside, dt.date(2026, 2, 4))
    _plan("AR2", outside, dt.date(2026, 2, 4))
    south = filters_asked(PERIOD[0], PERIOD[1], "", "Kingsford and the south", clock.now().date())
    tables = {t.code: t for t in DASHBOARDS["outcomes"].build(south, FEB)}
    assert _cells(tables["plans"], "trigger_plan") == [1, 1]
    assert _cells(tables["repeat"], "plan")[0] == 1
