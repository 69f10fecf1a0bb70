"""The timeliness dashboard: breaches of the policy's clocks on closed work (practice findings)
per clause and team in a period, as an SVG chart readable without JavaScript with the numbers
in a table beside it and as CSV; filtered by team and period (an impossible period refused
beside its field); each number drills down to the children and breaches behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.identity.models import Individual
from safetynet.lib.clock import system_clock
from safetynet.reads.timeliness import timeliness
from safetynet.risk.models import Finding
from tests.world import AccessWorld


def _practice(individual: Individual, clause: str, role: str, days_ago: list[int]) -> Finding:
    now = system_clock.now()
    breaches = [
        {
            "at": (now - dt.timedelta(days=d)).isoformat(),
            "record": {"source": "rms", "id": f"EV-{clause}-{d}"},
            "reason": f"The {clause} clock ran out by 3 hours.",
        }
        for d in days_ago
    ]
    return Finding.objects.create(
        fingerprint=f"practice-{clause}-{individual.pk}",
        individual=individual,
        clause=clause,
        severity="medium",
        reason=f"{len(days_ago)} breaches of {clause}.",
        owner_role=role,
        policy_version="test",
        raised_at=now,
        evaluated_at=now,
        kind="practice",
        detail={"count": len(days_ago), "breaches": breaches},
    )


def _county(world: AccessWorld) -> None:
    _practice(world.pupil, "M2", "sergeant", [3, 10, 200])
    _practice(world.police_only, "M2", "sergeant", [5])
    _practice(world.pupil, "H1", "mash_officer", [4, 8])
    _practice(world.restricted, "H1", "mash_officer", [2])


def test_breaches_are_counted_per_clause_and_team_in_the_period(access_world: AccessWorld) -> None:
    _county(access_world)
    today = system_clock.now().date()
    found = timeliness(today - dt.timedelta(days=30), today)
    table = {(r.clause, r.team): (r.breaches, r.children) for r in found.rows}
    assert table == {("H1", "mash_officer"): (3, 2), ("M2", "sergeant"): (3, 2)}
    assert [b.value for b in found.bars()] == [3, 3] and found.breaches == 6
    one_team = timeliness(today - dt.timedelta(days=30), today, "sergeant")
    assert [(r.clause, r.breaches) for r in one_team.rows] == [("M2", 3)]
    assert ("sergeant", "Sergeant") in found.teams


def test_the_analyst_filters_to_one_team_and_drills_down_to_a_child(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    _county(access_world)
    analyst = client_for("analyst")
    assert b"timeliness-link" in analyst.get("/dashboard/").content
    page = analyst.get("/dashboard/timeliness/?team=mash_officer")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and '<title id="chart-title">' in html
    assert 'data-testid="drill-H1-mash_officer"' in html and "drill-M2-sergeant" not in html
    behind = analyst.get(
        "/dashboard/timeliness/breaches/?clause=H1&team=mash_officer"
        f"&period_from={system_clock.now().date() - dt.timedelta(days=90)}&period_to={system_clock.now().date()}"
    ).content.decode()
    assert behind.count('data-testid="breach-row"') == 3
    assert f"/people/{access_world.pupil.pk}/" in behind
    assert "A child whose record you cannot open" in behind  # the restricted child, counted but not named
    assert f"/people/{access_world.restricted.pk}/" not in behind
    assert AuditEntry.objects.filter(object_type="practice_finding", action="view").exists()
    csv = analyst.get("/dashboard/timeliness.csv?team=mash_officer")
    assert csv.status_code == 200 and "H1" in csv.content.decode("utf-8-sig")


def test_an_impossible_period_or_unknown_team_is_refused_and_who_may_see_it(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    analyst = client_for("analyst")
    backwards = analyst.get("/dashboard/timeliness/?period_from=2026-05-01&period_to=2026-04-01")
    assert backwards.status_code == 400 and b"Expected a date on or after the start of the period" in backwards.content
    future = analyst.get("/dashboard/timeliness/?period_from=2026-05-01&period_to=2099-04-01")
    assert future.status_code == 400 and b"Expected a date no later than today" in future.content
    assert analyst.get("/dashboard/timeliness/?team=astronauts").status_code == 400
    assert analyst.get("/dashboard/timeliness.csv?period_from=2026-05-01&period_to=2026-04-01").status_code == 404
    for role in ("auditor", "call_handler", "partner_social_worker"):
        assert client_for(role).get("/dashboard/timeliness/").status_code == 403, role


def test_timeliness_by_area_counts_children_living_there(access_world: AccessWorld) -> None:
    from safetynet.reads.dashboards.areas import area_filter
    from safetynet.records.models import Person

    _county(access_world)
    police_only = access_world.police_only.memberships.values("person_id")
    Person.objects.filter(pk__in=police_only).update(postcode="EK2 3XY")  # Kingsford and the south
    today = system_clock.now().date()
    found = timeliness(today - dt.timedelta(days=30), today, area=area_filter("Kingsford and the south"))
    assert {(r.clause, r.team): (r.breaches, r.children) for r in found.rows} == {("M2", "sergeant"): (1, 1)}


def test_breaches_are_shown_as_a_rate_over_the_clocks_run(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    from safetynet.records.models import Participation
    from tests.world import _event, _individual, _person

    _county(access_world)
    now = system_clock.now()
    child = _person("rms", "RATE-1", given_names="Rae", family_name="Rate")
    _individual(child)
    # Four missing reports in the period start M2's (and M6's) clocks; one before it does not.
    for n, days in enumerate((1, 6, 12, 20, 45)):
        event = _event("rms", f"RATE-M{n}", "missing_report", now - dt.timedelta(days=days))
        Participation.objects.create(event=event, person=child, role="missing_person")
    # Two referrals start H1's triage clock (a referral is about its child by what it is).
    for n, role in enumerate(("subject", "subject")):
        event = _event("rms", f"RATE-R{n}", "referral", now - dt.timedelta(days=2))
        Participation.objects.create(event=event, person=child, role=role)
    # A domestic abuse incident with the child present starts D1's clock; another incident does not.
    for n, abuse in enumerate((True, False)):
        event = _event("rms", f"RATE-D{n}", "incident", now - dt.timedelta(days=3), details={"domestic_abuse": abuse})
        Participation.objects.create(event=event, person=child, role="present_child")
    # A child's detention starts C1's clocks; an adult's detention does not.
    adult = _person("rms", "RATE-ADULT", given_names="Al", family_name="Grown", dob=dt.date(1980, 1, 1))
    _individual(adult)
    child.dob = dt.date(2012, 1, 1)
    child.save(update_fields=["dob"])
    for n, who in enumerate((child, adult)):
        event = _event("rms", f"RATE-C{n}", "custody", now - dt.timedelta(days=4))
        Participation.objects.create(event=event, person=who, role="detainee")
    today = now.date()
    found = timeliness(today - dt.timedelta(days=30), today)
    rows = {r.clause: r for r in found.rows}
    assert (rows["C1"].breaches, rows["C1"].clocks) == (0, 1)
    assert (rows["M2"].breaches, rows["M2"].clocks, rows["M2"].rate) == (3, 4, 75.0)
    assert (rows["H1"].breaches, rows["H1"].clocks, rows["H1"].rate) == (3, 2, 150.0)
    # Clock clauses that ran with no breach show a rate of 0; a clause that is not a clock has none.
    assert (rows["M6"].breaches, rows["M6"].clocks, rows["M6"].rate) == (0, 4, 0.0)
    assert (rows["D1"].breaches, rows["D1"].clocks) == (0, 1)
    assert "P1" not in rows  # no clock ran
    analyst = client_for("analyst")
    month = f"period_from={today - dt.timedelta(days=30)}&period_to={today}"
    html = analyst.get(f"/dashboard/timeliness/?{month}").content.decode()
    assert 'data-testid="rate-M2">75<' in html and 'data-testid="clocks-M2">4<' in html
    csv = analyst.get(f"/dashboard/timeliness.csv?{month}").content.decode("utf-8-sig")
    assert "Clocks run,Breaches per 100 clocks" in csv and ",3,2,4,75" in csv.replace('"', "")
    api = analyst.get(f"/api/v1/timeliness?{month}").json()
    m2 = next(r for r in api["rows"] if r["clause"] == "M2")
    assert (m2["breaches"], m2["clocks"], m2["rate"]) == (3, 4, 75.0)
    assert analyst.get("/api/v1/timeliness?period_from=2026-02-10&period_to=2026-02-01").status_code == 422
    assert client_for("response_officer").get("/api/v1/timeliness").status_code == 403
