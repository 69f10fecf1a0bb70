"""The risk summary at the top of a child's page: what matters now grouped by clause, markers,
orders, plans, missing episodes and the chart; practice findings in their own section, only for
the owning role's agency; a partner sees only what their role may."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person, Plan
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks
from tests.web.findings import make_finding
from tests.world import AccessWorld, World, invented_finding, many_missing_episodes

UTC = dt.UTC


def _section(html: str, testid: str) -> str:
    """The markup of the element carrying data-testid=`testid`, up to the section's end."""
    start = html.index(f'data-testid="{testid}"')
    end = html.find("</section>", start)
    return html[start : end if end != -1 else len(html)]


def _summary(html: str) -> str:
    return _section(html, "summary")


def test_summary_counts_a_repeat_missing_childs_episodes_and_shows_the_last(
    officer_client: Client, world: World
) -> None:
    many_missing_episodes()
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    summary = _summary(html)
    # The summary comes before the findings, the markers table and the chronology.
    assert html.index('data-testid="summary"') < html.index('id="findings"') < html.index('id="chronology-heading"')
    episodes = re.sub(r"\s+", " ", _section(summary, "summary-episodes"))
    assert "3 in 90 days" in episodes and "11 in 12 months" in episodes and "159 ever" in episodes
    last = _section(summary, "summary-last-episode")
    assert "20 February 2026" in last and "Found 21 February 2026" in last and "Still missing" not in last
    markers = _section(summary, "summary-markers")
    assert "CSE risk" in markers
    assert "CAWN (protected by it)" in _section(summary, "summary-orders")
    assert re.search(r"Care status</dt>\s*<dd[^>]*>Looked after \(rms\)</dd>", summary)
    plans = _section(summary, "summary-plans")
    assert "Trigger plan: review not set" in plans


def test_the_chart_counts_episodes_and_other_events_per_month_with_a_table(
    officer_client: Client, world: World
) -> None:
    many_missing_episodes()
    summary = _summary(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    assert '<svg class="sn-chart"' in summary and 'role="img"' in summary
    rows = dict(
        (month, (int(ep), int(ev)))
        for month, ep, ev in re.findall(
            r'<th scope="row" class="govuk-table__header">([A-Za-z]+ \d{4})</th>'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
            summary,
        )
    )
    assert len(rows) == 24 and "March 2024" not in rows and "April 2024" in rows and "March 2026" in rows
    assert rows["February 2026"][0] == 1 and rows["December 2025"][0] == 1 and rows["April 2025"][0] == 1
    episodes_shown = sum(ep for ep, _ in rows.values())
    # 11 in the last 12 months, and those of the 2015-on series that fall in April 2024 - March 2025.
    older = sum(
        1
        for i in range(148)
        if dt.datetime(2024, 4, 1, tzinfo=UTC)
        <= dt.datetime(2015, 1, 1, 18, 0, tzinfo=UTC) + dt.timedelta(days=21 * i)
        < dt.datetime(2025, 4, 1, tzinfo=UTC)
    )
    assert episodes_shown == 11 + older
    assert sum(ev for _, ev in rows.values()) > 0  # the world's incidents and meetings


def test_summary_has_no_chart_and_no_episodes_for_a_child_without_events(officer_client: Client, world: World) -> None:
    summary = _summary(officer_client.get(f"/people/{world.adult.pk}/").content.decode())
    assert "None recorded" in _section(summary, "summary-last-episode")
    assert "0 ever" in _section(summary, "summary-episodes")


@pytest.fixture
def grouped(world: World, clock: FixedClock) -> dict[str, Finding]:
    found = {
        "m2": make_finding(
            world.child, "M2", "critical", "No supervisor review in 6 hours", owner_role="sergeant", due_in_hours=-2
        ),
        "x1_medium_a": make_finding(
            world.child, "X1", "medium", "Two indicators: screening due", owner_role="sergeant", due_in_hours=5
        ),
        "x1_high": make_finding(
            world.child, "X1", "high", "Four indicators: screening overdue", owner_role="sergeant", due_in_hours=8
        ),
        "x1_medium_b": make_finding(
            world.child, "X1", "medium", "Three indicators: screening due", owner_role="sergeant", due_in_hours=6
        ),
        "m4_a": make_finding(
            world.child, "M4", "high", "3 episodes and no trigger plan", owner_role="sergeant", due_in_hours=30
        ),
        "m4_b": make_finding(
            world.child, "M4", "high", "4 episodes and no trigger plan", owner_role="sergeant", due_in_hours=20
        ),
    }
    practice = make_finding(
        world.child, "M5", "high", "Two episodes were never recorded", owner_role="sergeant", due_in_hours=None
    )
    Finding.objects.filter(pk=practice.pk).update(kind="practice", detail={"count": 2})
    found["practice"] = practice
    sync_tasks(clock=clock)
    return found


def test_what_matters_now_groups_by_clause_most_severe_first_with_titles_and_counts(
    officer_client: Client, world: World, grouped: dict[str, Finding]
) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    now = _section(_summary(html), "summary-now")
    items = re.findall(r'data-clause="(\w+)">(.*?)</li>', now, re.S)
    assert [clause for clause, _ in items] == ["M2", "X1", "M4"]  # critical; then high (3 findings), high (2)
    m2, x1, m4 = (re.sub(r"\s+", " ", body) for _, body in items)
    assert "Missing-episode supervision clocks" in m2 and "1 finding)" in m2 and "Critical" in m2 and "Overdue" in m2
    assert "Exploitation screening when indicators add up" in x1 and "3 findings" in x1 and "High" in x1
    assert "Four indicators: screening overdue" in x1 and "Two indicators" not in x1  # its most severe reason
    assert "Repeat missing child without a current trigger plan" in m4 and "2 findings" in m4
    assert "4 episodes and no trigger plan" in m4  # the sooner deadline of two equally severe
    task = Task.objects.get(finding=grouped["m2"])
    assert f'href="/work/tasks/{task.pk}/"' in m2
    # Practice findings: not in what matters now nor the act-now findings table; their own section.
    assert "never recorded" not in now
    findings_table = html[
        html.index('data-testid="findings"') : html.index("</table>", html.index('data-testid="findings"'))
    ]
    assert "never recorded" not in findings_table
    practice = _section(html, "practice-findings")
    assert "Two episodes were never recorded" in practice and "2 breaches" in practice
    assert 'href="#practice"' in html


def test_open_tasks_show_their_owner_and_assignee(
    officer_client: Client, world: World, grouped: dict[str, Finding]
) -> None:
    summary = _summary(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    tasks = re.sub(r"\s+", " ", _section(summary, "summary-tasks"))
    assert tasks.count("<li>") == 6  # the practice finding has no task
    assert tasks.index("M2 task open") < tasks.index("X1 task open")  # overdue first
    assert "Sergeant, not yet taken" in tasks


def test_care_status_none_reads_as_no_care_status_with_its_source(officer_client: Client, world: World) -> None:
    Person.objects.filter(source_id="P1").update(care_status="")
    Person.objects.filter(source_id="C3").update(care_status="none")
    summary = _summary(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    assert re.search(r"Care status</dt>\s*<dd[^>]*>No care status \(csc\)</dd>", summary)


def test_plan_with_a_review_date_passed_is_flagged(officer_client: Client, world: World) -> None:
    Plan.objects.filter(source_id="PL1").update(review_due=dt.date(2026, 2, 1))
    plans = _section(_summary(officer_client.get(f"/people/{world.child.pk}/").content.decode()), "summary-plans")
    assert "Trigger plan: review 1 Feb 2026" in plans and "Review overdue" in plans


def test_partner_sees_neither_police_practice_findings_nor_what_their_role_may_not_read(
    access_world: AccessWorld, client_for: Callable[[str], Client], clock: FixedClock
) -> None:
    pupil = access_world.pupil
    invented_finding(
        pupil,
        "X1",
        owner_role="sergeant",
        reason="Invented concern from graded intelligence",
        at=clock.now(),
        cites=[("rms", "EV3")],
        fingerprint="summary-x1",
    )
    invented_finding(
        pupil,
        "M2",
        owner_role="sergeant",
        reason="Invented concern from an incident",
        at=clock.now(),
        cites=[("rms", "EV1")],
        fingerprint="summary-m2",
    )
    practice = invented_finding(
        pupil,
        "M5",
        owner_role="sergeant",
        reason="Invented practice breach on closed work",
        at=clock.now(),
        cites=[("rms", "EV1")],
        fingerprint="summary-m5",
        due_in=None,
    )
    Finding.objects.filter(pk=practice.pk).update(kind="practice", detail={"count": 1})
    sync_tasks(clock=clock)

    sergeant_html = client_for("sergeant").get(f"/people/{pupil.pk}/").content.decode()
    sergeant = _summary(sergeant_html)
    assert "Invented concern from graded intelligence" in sergeant and "Invented concern from an incident" in sergeant
    assert "Invented practice breach on closed work" in _section(sergeant_html, "practice-findings")

    for role in ("partner_social_worker", "partner_health", "partner_education"):
        html = client_for(role).get(f"/people/{pupil.pk}/").content.decode()
        assert "Invented practice breach on closed work" not in html, role
        assert 'data-testid="practice-findings"' not in html and 'href="#practice"' not in html, role
        summary = _summary(html)
        assert "Invented concern from graded intelligence" not in summary, role  # cites a handling code C record
        assert "Mental health" not in _section(summary, "summary-markers") or role == "partner_health", role

    social_worker = _summary(client_for("partner_social_worker").get(f"/people/{pupil.pk}/").content.decode())
    assert "Invented concern from an incident" in social_worker  # a record their role reads in full
    mash = _summary(client_for("mash_officer").get(f"/people/{pupil.pk}/").content.decode())
    assert "Mental health" in _section(mash, "summary-markers")  # health markers for health and MASH only
