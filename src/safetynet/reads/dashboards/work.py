"""Open work by age (every current task, by the team that owns it and how long it has been
open) and meetings' actions overdue by agency (the tasks policy clause X7 makes of each open
action of a held meeting, by the agency of their owner). Both are work open now: the period
does not narrow them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from safetynet.access.models import Agency
from safetynet.reads.dashboards.base import (
    BEHIND_LIMIT,
    Behind,
    Cell,
    Dashboard,
    Filters,
    Row,
    Table,
    role_agency_case,
)
from safetynet.reads.labels import label
from safetynet.work.models import Task, overdue_q

AGES = [
    ("day", "Under 1 day", dt.timedelta(days=1)),
    ("week", "1 to 7 days", dt.timedelta(days=7)),
    ("month", "1 to 4 weeks", dt.timedelta(days=28)),
]
OLDEST = ("older", "Over 4 weeks")
MEETING_ACTION_CLAUSE = "X7"
LONG_OVERDUE = dt.timedelta(days=14)


def _age_q(now: dt.datetime, code: str) -> Q:
    """Tasks opened within the age band `code` at `now`."""
    young = dt.timedelta(0)
    for band, _words, old in AGES:
        if band == code:
            return Q(created_at__gt=now - old, created_at__lte=now - young)
        young = old
    return Q(created_at__lte=now - young)


def open_tasks(f: Filters) -> QuerySet[Task]:
    found = Task.objects.filter(state__in=Task.CURRENT)
    roles = f.roles()
    if roles is not None:
        found = found.filter(owner_role__in=roles)
    return f.narrow_to_area(found)


def _bands() -> list[tuple[str, str]]:
    return [(code, words) for code, words, _a in AGES] + [OLDEST]


def build_open(f: Filters, now: dt.datetime) -> list[Table]:
    bands = _bands()
    counts = {
        r["owner_role"]: r
        for r in open_tasks(f)
        .values("owner_role")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=overdue_q(now)),
            **{code: Count("pk", filter=_age_q(now, code)) for code, _w in bands},
        )
        .order_by()
    }
    rows = [
        Row(
            label(role),
            [Cell(r["total"], f"{role}:all")]
            + [Cell(int(r[code]), f"{role}:{code}") for code, _w in bands]  # type: ignore[literal-required]
            + [Cell(r["overdue"], f"{role}:overdue")],
            role,
        )
        for role, r in sorted(counts.items(), key=lambda item: (-item[1]["total"], item[0]))
    ]
    return [
        Table(
            "open",
            "Open work by team and age",
            ["Open", *[w for _c, w in bands], "Overdue"],
            rows,
            row_header="Team",
            note="Age runs from when the task was opened; overdue is past its deadline now.",
        )
    ]


def _task_rows(found: QuerySet[Task], what: str) -> list[Behind]:
    rows = found.values("created_at", "individual_id", "clause", "pk", "owner_role", "due_at").order_by(
        "created_at", "pk"
    )[:BEHIND_LIMIT]
    return [
        Behind(
            r["created_at"],
            r["individual_id"],
            f"{what} {r['clause']} ({label(r['owner_role'])}), due {r['due_at']:%d %b %Y %H:%M}"
            if r["due_at"]
            else f"{what} {r['clause']} ({label(r['owner_role'])})",
            f"task {r['pk']}",
        )
        for r in rows
    ]


def behind_open(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    role, _, band = key.partition(":")
    found = open_tasks(f).filter(owner_role=role)
    if band == "overdue":
        found = found.filter(overdue_q(now))
    elif band and band != "all":
        found = found.filter(_age_q(now, band))
    return _task_rows(found, "Task")


def meeting_actions(f: Filters) -> QuerySet[Any]:
    return open_tasks(f).filter(clause=MEETING_ACTION_CLAUSE).annotate(agency=role_agency_case())


def build_actions(f: Filters, now: dt.datetime) -> list[Table]:
    long_ago = now - LONG_OVERDUE
    counts = {
        r["agency"]: r
        for r in meeting_actions(f)
        .values("agency")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=overdue_q(now)),
            long=Count("pk", filter=overdue_q(now) & (Q(due_at__lt=long_ago) | Q(late_since__lt=long_ago))),
        )
        .order_by()
    }
    names = dict(Agency.objects.values_list("code", "name"))
    rows = [
        Row(
            names.get(code, label(code) or "No agency"),
            [Cell(r["total"], f"{code}:all"), Cell(r["overdue"], f"{code}:overdue"), Cell(r["long"], f"{code}:long")],
            code,
        )
        for code, r in sorted(counts.items(), key=lambda item: (-item[1]["overdue"], item[0]))
    ]
    return [
        Table(
            "agencies",
            "Meetings' actions by agency",
            ["Open actions", "Overdue", "Overdue over 2 weeks"],
            rows,
            chart_column=1,
            row_header="Agency",
            note="Each open action of a held meeting is its owner's task (policy clause X7).",
        )
    ]


def behind_actions(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    agency, _, which = key.partition(":")
    found = meeting_actions(f).filter(agency=agency)
    if which in ("overdue", "long"):
        found = found.filter(overdue_q(now))
    if which == "long":
        long_ago = now - LONG_OVERDUE
        found = found.filter(Q(due_at__lt=long_ago) | Q(late_since__lt=long_ago))
    return _task_rows(found, "Meeting action")


OPEN_WORK = Dashboard(
    "open-work",
    "Open work by age",
    "Every task open now, by the team that owns it and how long it has been open.",
    build_open,
    behind_open,
    uses_period=False,
)
MEETING_ACTIONS = Dashboard(
    "meeting-actions",
    "Meetings' actions overdue by agency",
    "Actions from held meetings still open now, by the agency that owns them, and how many are late.",
    build_actions,
    behind_actions,
    uses_period=False,
)
