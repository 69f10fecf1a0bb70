"""On the person page each current finding links to its work task, with the task's owner,
state and deadline, for a viewer who may open the task."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.work.models import Task
from safetynet.work.services import acknowledge, assign, sync_tasks
from tests.web.findings import make_finding
from tests.world import World


def _findings_table(html: str) -> str:
    start = html.index('data-testid="findings"')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def tasks(world: World, clock: FixedClock) -> dict[str, Task]:
    late = make_finding(
        world.child,
        "M2",
        "critical",
        "No supervisor has reviewed a missing episode",
        owner_role="sergeant",
        due_in_hours=-3,
    )
    later = make_finding(
        world.child, "M4", "high", "A repeat missing child has no trigger plan", owner_role="sergeant", due_in_hours=30
    )
    sync_tasks(clock=clock)
    found = {"late": Task.objects.get(finding=late), "later": Task.objects.get(finding=later)}
    assign(found["later"].pk, acting_user=None, clock=clock, assignee=world.officer)
    acknowledge(found["later"].pk, acting_user=world.officer, clock=clock)
    return found


def test_sergeant_sees_each_finding_linked_to_its_task_with_owner_state_and_due(
    officer_client: Client, world: World, tasks: dict[str, Task]
) -> None:
    table = _findings_table(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    late, later = tasks["late"], tasks["later"]
    assert f'href="/work/tasks/{late.pk}/">No supervisor has reviewed a missing episode</a>' in table
    assert f'href="/work/tasks/{later.pk}/">A repeat missing child has no trigger plan</a>' in table
    rows = re.findall(r'<tr class="govuk-table__row" data-testid="finding-with-task">(.*?)</tr>', table, re.S)
    assert len(rows) == 2
    late_row, later_row = rows  # the most severe first
    assert "task open" in late_row and "Overdue" in late_row and "by 3 h 0 min" in late_row
    assert "2 Mar 2026 06:00" in late_row and "Sergeant" in late_row
    assert "task acknowledged" in later_row and "Sam Sergeant" in later_row and "3 Mar 2026 15:00" in later_row
    assert "Overdue" not in later_row
    assert officer_client.get(f"/work/tasks/{late.pk}/").status_code == 200  # the link opens


def test_a_finding_without_a_task_shows_its_own_owner_and_deadline_unlinked(
    officer_client: Client, world: World
) -> None:
    make_finding(world.child, "M6", "medium", "A return home interview is due", owner_role="sergeant", due_in_hours=2)
    table = _findings_table(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    assert "A return home interview is due" in table and "/work/tasks/" not in table
    assert "2 Mar 2026 11:00" in table


def test_a_viewer_who_may_not_open_tasks_sees_findings_without_task_links(
    officer_client: Client, world: World, tasks: dict[str, Task], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetynet.access import matrix

    real = matrix.load()

    class NoTasks:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def permission_for_url(self, url_name: str) -> str | None:
            return "nobody" if url_name == "web:task" else real.permission_for_url(url_name)

    monkeypatch.setattr(matrix, "load", lambda: NoTasks())
    table = _findings_table(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    assert "No supervisor has reviewed a missing episode" in table
    assert "/work/tasks/" not in table and "Sam Sergeant" not in table


def test_the_full_findings_list_is_grouped_by_clause_the_most_severe_group_first(
    officer_client: Client, world: World
) -> None:
    for n in range(3):
        make_finding(
            world.child, "M1", "high", f"Episode {n} graded below the floor", owner_role="sergeant", due_in_hours=n
        )
    make_finding(
        world.child,
        "M2",
        "critical",
        "No supervisor has reviewed a missing episode",
        owner_role="sergeant",
        due_in_hours=1,
    )
    table = _findings_table(officer_client.get(f"/people/{world.child.pk}/").content.decode())
    groups = re.findall(r'data-testid="finding-group" data-clause="(\w+)"', table)
    assert groups == ["M2", "M1"]
    heading = re.search(r'<th scope="colgroup"[^>]*>(.*?)</th>', table.split('data-clause="M1"')[1], re.S)
    assert heading is not None and heading.group(1).startswith("M1 · ") and "(3 findings)" in heading.group(1)
    m1 = table.split('data-clause="M1"')[1]
    assert m1.index("Episode 0") < m1.index("Episode 1") < m1.index("Episode 2")  # soonest due first
