"""My work as a queue a shift can work: tabs whose counts agree with each other and with the
rows across every page, filters (clause, severity, due) and sort in the query string, paging,
an escalated task still overdue, "My team" as the user's own team, and bulk assign for
supervisors with each refusal reported by task id and logged."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from safetynet.access.models import UserProfile
from safetynet.accounts.services import create_team, create_user_with_role, ensure_agencies
from safetynet.audit.models import Action, AuditEntry
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import assign, sweep, sync_tasks
from tests.web.findings import NOW
from tests.world import PASSWORD, World, sign_in

_n = itertools.count(1)
CLAUSES = ("M2", "M4", "X1", "M6")
SEVERITIES = ("critical", "high", "medium", "low")
# Hours from now: overdue, due within the hour, later.
DUE = (-3.0, 0.5, 30.0)


def _finding(individual: Individual, clause: str, severity: str, *, owner_role: str, due_in_hours: float) -> Finding:
    n = next(_n)
    return Finding.objects.create(
        fingerprint=f"queue-{n}",
        individual=individual,
        clause=clause,
        severity=severity,
        reason=f"Invented queue finding number {n}",
        cites=[],
        owner_role=owner_role,
        due_by=NOW + dt.timedelta(hours=due_in_hours),
        policy_version="test",
        raised_at=NOW - dt.timedelta(hours=6),
        evaluated_at=NOW,
    )


@pytest.fixture
def team(world: World) -> Any:
    police = ensure_agencies(acting_user=None)["police"]
    team = create_team(acting_user=None, agency=police, code="east-response", name="East response")
    UserProfile.objects.filter(user=world.officer).update(team=team)
    return team


@pytest.fixture
def colleague(team: Any) -> Any:
    return create_user_with_role(
        acting_user=None,
        username="pc.colleague",
        password=PASSWORD,
        role="mash_officer",
        team=team,
        first_name="Chris",
        last_name="Colleague",
        check_password=False,
    )


@pytest.fixture
def queue(world: World, team: Any, colleague: Any, clock: FixedClock) -> list[Task]:
    """120 sergeant tasks (clauses, severities and deadlines in turn), some assigned to the
    sergeant, some to a colleague of another role in their team, some given to the team."""
    for i in range(120):
        _finding(
            world.child if i % 2 else world.adult,
            CLAUSES[i % 4],
            SEVERITIES[(i // 4) % 4],
            owner_role="sergeant",
            due_in_hours=DUE[i % 3],
        )
    sync_tasks(clock=clock)
    tasks = list(Task.objects.order_by("pk"))
    for task in tasks[:10]:
        assign(task.pk, acting_user=None, clock=clock, assignee=world.officer, team="east-response")
    for task in tasks[10:15]:
        assign(task.pk, acting_user=None, clock=clock, assignee=colleague, team="")
    for task in tasks[15:20]:
        assign(task.pk, acting_user=None, clock=clock, team="east-response")
    return tasks


def _tabs(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-testid="show-(\w+)">[^<(]*\((\d+)\)', html)}


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="task-row" data-task="(\d+)"', html)]


def _every_page(client: Client, params: dict[str, Any]) -> tuple[list[int], dict[str, int]]:
    """The task ids on every page of My work for `params`, following the Next links."""
    html = client.get("/work/", params).content.decode()
    ids, tabs = _ids(html), _tabs(html)
    while 'rel="next"' in html:
        link = re.search(r'href="(/work/\?[^"]*)" rel="next"', html)
        assert link is not None
        html = client.get(link.group(1).replace("&amp;", "&")).content.decode()
        ids += _ids(html)
    return ids, tabs


def test_each_tabs_count_is_the_number_of_its_rows_across_all_pages_and_the_tabs_add_up(
    officer_client: Client, queue: list[Task]
) -> None:
    rows = {}
    for show in ("all", "mine", "team", "role", "overdue"):
        ids, tabs = _every_page(officer_client, {"show": show})
        assert len(ids) == len(set(ids)) == tabs[show], show
        rows[show] = set(ids)
    assert tabs == {"all": 120, "mine": 10, "team": 10, "role": 100, "overdue": 40}
    assert rows["mine"] | rows["team"] | rows["role"] == rows["all"]
    assert tabs["mine"] + tabs["team"] + tabs["role"] == tabs["all"]
    assert rows["overdue"] <= rows["all"]


def test_the_first_page_shows_fifty_and_says_where_it_is(officer_client: Client, queue: list[Task]) -> None:
    html = officer_client.get("/work/").content.decode()
    assert len(_ids(html)) == 50 and "Showing 1 to 50 of 120 tasks." in html
    assert 'aria-label="Page 3"' in html and "there are more" not in html
    last = officer_client.get("/work/", {"page": 3}).content.decode()
    assert len(_ids(last)) == 20 and "Showing 101 to 120 of 120 tasks." in last
    beyond = officer_client.get("/work/", {"page": 99}).content.decode()
    assert _ids(beyond) == _ids(last)  # past the end: the last page
    bad = officer_client.get("/work/", {"page": "two"}).content.decode()
    assert "Enter the page as a whole number, like 2" in bad and len(_ids(bad)) == 50


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"clause": "M4"}, lambda t: t.clause == "M4"),
        (
            {"clause": ["M4", "X1"], "severity": "critical"},
            lambda t: t.clause in {"M4", "X1"} and t.severity == "critical",
        ),
        ({"due": "overdue"}, lambda t: t.is_overdue(NOW)),
        ({"due": "soon"}, lambda t: t.is_due_soon(NOW)),
        (
            {"due": "later", "severity": ["low", "medium"]},
            lambda t: t.due_at > NOW + dt.timedelta(hours=1) and t.severity in {"low", "medium"},
        ),
    ],
)
def test_filters_narrow_every_tab_and_the_counts_follow(
    officer_client: Client, queue: list[Task], params: dict[str, Any], check: Any
) -> None:
    ids, tabs = _every_page(officer_client, params)
    tasks = Task.objects.filter(pk__in=ids)
    assert len(ids) == tabs["all"] > 0 and all(check(t) for t in tasks)
    expected = [t for t in Task.objects.all() if check(t)]
    assert set(ids) == {t.pk for t in expected}
    assert tabs["mine"] + tabs["team"] + tabs["role"] == tabs["all"]


def test_the_due_filter_splits_the_queue_into_overdue_soon_and_later(officer_client: Client, queue: list[Task]) -> None:
    counts = [
        _tabs(officer_client.get("/work/", {"due": d}).content.decode())["all"] for d in ("overdue", "soon", "later")
    ]
    assert counts == [40, 40, 40]
    assert _tabs(officer_client.get("/work/").content.decode())["overdue"] == counts[0]


def test_sort_headers_are_links_that_keep_the_filters_and_say_the_order(
    officer_client: Client, queue: list[Task]
) -> None:
    html = officer_client.get("/work/", {"severity": ["critical", "low"], "sort": "severity"}).content.decode()
    rows = Task.objects.filter(pk__in=_ids(html))
    assert [t.severity for t in Task.objects.filter(pk__in=_ids(html)[:5])] == ["critical"] * 5
    assert {t.severity for t in rows} <= {"critical", "low"}
    header = re.search(r'aria-sort="ascending"><a [^>]*href="([^"]+)"[^>]*data-testid="sort-severity"', html)
    assert header is not None and "order=desc" in header.group(1) and "severity=low" in header.group(1)
    desc = officer_client.get(header.group(1).replace("&amp;", "&")).content.decode()
    assert Task.objects.get(pk=_ids(desc)[0]).severity == "low"
    by_clause = officer_client.get("/work/", {"sort": "clause"}).content.decode()
    assert Task.objects.get(pk=_ids(by_clause)[0]).clause == "M2"
    header = re.search(r'aria-sort="ascending"><a [^>]*href="([^"]+)"[^>]*data-testid="sort-clause"', by_clause)
    assert header is not None and header.group(1) == "/work/?sort=clause&amp;order=desc"


def test_paging_links_keep_the_tab_filters_and_sort(officer_client: Client, queue: list[Task]) -> None:
    html = officer_client.get("/work/", {"show": "role", "clause": "M4", "sort": "clause"}).content.decode()
    assert "Showing 1 to 25 of 25 tasks matching the filters." in html and 'rel="next"' not in html
    html = officer_client.get("/work/", {"show": "role", "sort": "severity", "order": "desc"}).content.decode()
    assert 'href="/work/?show=role&amp;sort=severity&amp;order=desc&amp;page=2" rel="next"' in html
    assert 'href="/work/export.csv?show=role&amp;sort=severity&amp;order=desc"' in html


def test_my_team_is_the_users_own_team_not_their_role_queue(
    officer_client: Client, world: World, queue: list[Task], colleague: Any, clock: FixedClock
) -> None:
    # Another sergeant's team's task is neither mine, my team's, nor my role queue's.
    other = create_team(
        acting_user=None, agency=ensure_agencies(acting_user=None)["police"], code="west", name="West response"
    )
    elsewhere = queue[100]
    assign(elsewhere.pk, acting_user=None, clock=clock, team=other.code)
    ids, tabs = _every_page(officer_client, {"show": "team"})
    assert set(ids) == {t.pk for t in queue[10:20]}
    # A MASH task assigned to the colleague (another role, my team) is my team's work.
    _finding(world.child, "H1", "high", owner_role="mash_officer", due_in_hours=2)
    sync_tasks(clock=clock)
    mash = Task.objects.get(clause="H1")
    assign(mash.pk, acting_user=None, clock=clock, assignee=colleague, team="")
    ids, tabs = _every_page(officer_client, {"show": "team"})
    assert mash.pk in ids and elsewhere.pk not in ids and tabs["team"] == 11
    role_ids, role_tabs = _every_page(officer_client, {"show": "role"})
    assert elsewhere.pk not in role_ids and role_tabs["role"] == 99
    assert not set(role_ids) & set(ids)


def test_an_escalated_task_stays_in_the_overdue_tab(world: World, queue: list[Task], clock: FixedClock) -> None:
    inspector = create_user_with_role(
        acting_user=None, username="insp.invented", password=PASSWORD, role="inspector", check_password=False
    )
    sweep(clock=clock)  # the 40 late sergeant tasks go to the inspector with a new clock
    client = sign_in(Client(), inspector)
    html = client.get("/work/", {"show": "overdue"}).content.decode()
    tabs = _tabs(html)
    assert tabs["overdue"] == tabs["all"] == 40 and "Overdue (40)" in html
    assert "Escalated to inspector" in html and "by 3 h 0 min" in html
    clock.advance(minutes=30)
    assert _tabs(client.get("/work/").content.decode())["overdue"] == 40  # still late, clock or not


def _bulk(client: Client, tasks: list[int], **target: Any) -> Any:
    return client.post("/work/assign/", {"task": tasks, "back": "?show=role&severity=high", **target})


def test_a_sergeant_assigns_several_tasks_at_once_and_each_refusal_is_reported_by_id(
    officer_client: Client, world: World, queue: list[Task], colleague: Any, clock: FixedClock
) -> None:
    other = create_team(
        acting_user=None, agency=ensure_agencies(acting_user=None)["police"], code="west", name="West response"
    )
    theirs = queue[101]
    assign(theirs.pk, acting_user=None, clock=clock, team=other.code)  # another team's: not the sergeant's to give
    chosen = [queue[20].pk, queue[21].pk, theirs.pk, 999999]
    response = _bulk(officer_client, chosen, assignee=str(colleague.pk))
    assert response.status_code == 302 and response["Location"] == "/work/?show=role&severity=high"
    given = Task.objects.filter(pk__in=chosen[:2])
    assert {(t.assignee_id, t.team) for t in given} == {(colleague.pk, "east-response")}
    assert Task.objects.get(pk=theirs.pk).assignee_id is None
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[0] == "Assigned 2 tasks to Chris Colleague."
    assert said[1].startswith(f"Not assigned: Task {theirs.pk} is given to team west")
    assert said[2] == "Not assigned: Task 999999 was not found."
    changes = AuditEntry.objects.filter(action=Action.CHANGE, object_type="task", actor_id=world.officer.pk)
    assert sorted(int(e.object_ids[0]) for e in changes) == sorted(chosen[:2])
    denied = AuditEntry.objects.filter(action=Action.DENIED, object_type="task", actor_id=world.officer.pk)
    assert sorted(e.object_ids[0] for e in denied) == sorted([str(theirs.pk), "999999"])


def test_bulk_assign_to_a_team_and_the_form_errors_keep_the_queue(
    officer_client: Client, queue: list[Task], team: Any
) -> None:
    assert _bulk(officer_client, [queue[30].pk, queue[31].pk], team="east-response").status_code == 302
    assert set(Task.objects.filter(pk__in=[queue[30].pk, queue[31].pk]).values_list("team", flat=True)) == {
        "east-response"
    }
    nobody = _bulk(officer_client, [queue[32].pk])
    html = nobody.content.decode()
    assert nobody.status_code == 400 and "Select a person or a team to assign the tasks to" in html
    assert "There is a problem" in html and len(_ids(html)) > 0
    nothing = officer_client.post("/work/assign/", {"team": "east-response"})
    assert nothing.status_code == 400 and "Select the tasks to assign" in nothing.content.decode()


def test_only_supervisors_see_the_checkboxes_and_may_bulk_assign(officer_client: Client, queue: list[Task]) -> None:
    assert 'form="bulk-assign"' in officer_client.get("/work/").content.decode()
    UserProfile.objects.update(role="mash_officer")  # acts on tasks, supervises nobody
    html = officer_client.get("/work/").content.decode()
    assert 'form="bulk-assign"' not in html and "Assign selected tasks" not in html
    refused = _bulk(officer_client, [queue[40].pk], team="east-response")
    assert refused.status_code == 403 and Task.objects.get(pk=queue[40].pk).team == ""


# Session, user, profile and agency; the worker's team; the bulk form's people and teams; who
# may be seen and the findings withheld; the tab counts (one aggregate) and the page (one query);
# the page's headlines; the access-log entry; the header's unread notifications; the session.
# Measured 21: none of it grows with the queue.
QUEUE_PAGE_QUERIES = 21


def test_the_queue_page_costs_a_fixed_number_of_queries_however_long_the_queue(
    officer_client: Client, world: World, team: Any, clock: FixedClock, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        _finding(world.child, CLAUSES[i], "high", owner_role="sergeant", due_in_hours=DUE[i])
    sync_tasks(clock=clock)
    officer_client.get("/work/")  # warm: the first request loads the access matrix
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        assert officer_client.get("/work/", {"severity": "high"}).status_code == 200
    for i in range(150):
        _finding(
            world.adult if i % 2 else world.child,
            CLAUSES[i % 4],
            "high",
            owner_role="sergeant",
            due_in_hours=DUE[i % 3],
        )
    sync_tasks(clock=clock)
    sweep(clock=clock)  # some escalated: still this sergeant's to watch, not to work
    for task in Task.objects.filter(owner_role="sergeant")[:20]:
        assign(task.pk, acting_user=None, clock=clock, assignee=world.officer, team="east-response")
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        html = officer_client.get("/work/", {"severity": "high", "page": 2}).content.decode()
    assert len(_ids(html)) == 50


def test_each_selected_filter_is_a_link_that_removes_it(officer_client: Client, queue: list[Task]) -> None:
    html = officer_client.get("/work/", {"show": "role", "severity": ["high", "low"], "due": "soon"}).content.decode()
    selected = html[html.index("Selected filters") : html.index("moj-filter__options")]
    assert 'href="/work/?show=role&amp;severity=low&amp;due=soon"' in selected  # without High
    assert 'href="/work/?show=role&amp;severity=high&amp;severity=low"' in selected  # without the due filter
    assert 'href="/work/?show=role" data-testid="clear-filters"' in selected


def test_an_escalated_tasks_page_says_when_it_went_late_and_the_next_ranks_deadline(
    world: World, queue: list[Task], clock: FixedClock
) -> None:
    inspector = create_user_with_role(
        acting_user=None, username="insp.invented", password=PASSWORD, role="inspector", check_password=False
    )
    sweep(clock=clock)
    task = Task.objects.filter(owner_role="inspector").order_by("pk").first()
    assert task is not None
    html = sign_in(Client(), inspector).get(f"/work/tasks/{task.pk}/").content.decode()
    assert "Overdue</strong> by 3 h 0 min" in html and '<time datetime="2026-03-02T06:00:00+00:00">' in html
    assert "Escalated: the inspector must act by" in html and "2 Mar 2026 11:00" in html


def test_the_area_filter_keeps_the_tasks_of_children_living_in_it_on_the_screen_csv_and_api(
    officer_client: Client, world: World, queue: list[Task]
) -> None:
    # The policy's areas: "EK1 " is Kingsford and the south, EK11 too, EK4 the east coast.
    Person.objects.filter(membership__individual=world.child).update(postcode="EK11 2AB")
    Person.objects.filter(membership__individual=world.adult).update(postcode="EK4 1AA")
    ids, tabs = _every_page(officer_client, {"area": "Kingsford and the south"})
    assert tabs["all"] == 60 and {t.individual_id for t in Task.objects.filter(pk__in=ids)} == {world.child.pk}
    html = officer_client.get("/work/", {"area": "Kingsford and the south"}).content.decode()
    assert "Kingsford and the south" in html and "matching the filters" in html
    csv = officer_client.get("/work/export.csv", {"area": "East coast"}).content.decode()
    assert len(csv.strip().splitlines()) == 64  # marking, who exported, the header, the adult's 60, marking
    api = officer_client.get("/api/v1/tasks", {"area": "east COAST", "page_size": 200})
    assert api.status_code == 200 and int(api["X-Total-Count"]) == 60
    assert {t["id"] for t in api.json()} == {t.pk for t in queue if t.individual_id == world.adult.pk}
    wrong = officer_client.get("/api/v1/tasks", {"area": "Atlantis"})
    assert wrong.status_code == 422 and "area: Choose an area from the list" in wrong.content.decode()
    refused = officer_client.get("/work/", {"area": "Atlantis"}).content.decode()
    assert "Choose an area from the list" in refused and _tabs(refused)["all"] == 120
    areas = officer_client.get("/api/v1/areas").json()
    assert areas[0] == {"name": "Kingsford and the south", "districts": ["EK1", "EK2", "EK11", "EK21"]}


def test_oversight_pages_every_late_task_and_filters_by_area(
    officer_client: Client, world: World, queue: list[Task], clock: FixedClock
) -> None:
    for _i in range(40):  # 40 more overdue sergeant tasks: 80 late in all, more than a page
        _finding(world.adult, "M2", "high", owner_role="sergeant", due_in_hours=-2)
    sync_tasks(clock=clock)
    html = officer_client.get("/work/oversight/").content.decode()
    assert "1 to 50 of 80, the longest overdue first" in html
    assert len(re.findall(r'href="/work/tasks/\d+/"', html)) == 50
    second = officer_client.get("/work/oversight/", {"page": 2}).content.decode()
    assert "51 to 80 of 80" in second and len(re.findall(r'href="/work/tasks/\d+/"', second)) == 30
    csv = officer_client.get("/work/oversight/export.csv").content.decode()
    assert len(csv.strip().splitlines()) == 84  # every late task (80), not a page, and 4 lines of marking and header
    Person.objects.filter(membership__individual=world.child).update(postcode="EK16 3CD")
    west = officer_client.get("/work/oversight/", {"area": "West"}).content.decode()
    assert "of children in West: 1 to 20 of 20" in west  # the child's 20 overdue of the first 120
    counts = [int(n) for n in re.findall(r'govuk-heading-xl govuk-!-margin-bottom-1">(\d+)<', west)]
    assert counts[0] == 20  # the counts follow the area too
