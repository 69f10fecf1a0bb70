"""Repeat missing children and episodes over time: missing reports, the children they are about
and the children reported missing three or more times in the period, month by month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Cell, Dashboard, Filters, Row, Table
from safetynet.records.models import Participation

# "Repeat": reported missing three or more times in the period (the inspection's and the
# statutory guidance's concern is the child who goes missing again and again, not once).
REPEAT = 3
CHILD = "person__membership__individual"


def reports(f: Filters) -> QuerySet[Participation]:
    """The missing person's part in every missing report dated in the period, one per report and
    child, for children linked to an individual."""
    found = Participation.objects.filter(
        role="missing_person",
        event__event_type="missing_report",
        event__deleted=False,
        event__occurred_at__gte=f.since,
        event__occurred_at__lt=f.until,
        person__membership__isnull=False,
    )
    sources = f.sources()
    if sources is not None:
        found = found.filter(event__source__in=sources)
    return found.filter(f.person("person__"))


def repeaters(f: Filters) -> QuerySet[Participation]:
    return (
        reports(f)
        .values(CHILD)
        .annotate(n=Count("event", distinct=True))
        .filter(n__gte=REPEAT)
        .values(CHILD)
        .order_by()
    )


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _month_of(value: dt.datetime | dt.date | str) -> dt.date:
    if isinstance(value, str):  # SQLite answers raw SQL with text
        return dt.date.fromisoformat(value[:10]).replace(day=1)
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date().replace(day=1)
    return value.replace(day=1)


def _counted(f: Filters) -> tuple[dict[dt.date, tuple[int, int, int]], tuple[int, int, int]]:
    """Per month and for the whole period: (missing reports, children, children missing REPEAT+
    times in the period), in one query: reports per month and child, each child's total over
    the period beside them (a window), summed by month and for the period. A report about two
    children counts once for each."""
    per_child = (
        reports(f)
        .annotate(month=TruncMonth("event__occurred_at"))
        .values("month", CHILD)
        .annotate(n=Count("event", distinct=True))
        .order_by()
    )
    inner, params = per_child.query.sql_with_params()
    child = connection.ops.quote_name(CHILD)
    counts = (
        f"SUM(n), COUNT(DISTINCT {child}), COUNT(DISTINCT CASE WHEN total >= {int(REPEAT)} THEN {child} END) FROM w"
    )
    sql = (
        f"WITH w AS (SELECT month, {child}, n, SUM(n) OVER (PARTITION BY {child}) AS total FROM ({inner}) AS i) "
        f"SELECT month, {counts} GROUP BY month UNION ALL SELECT NULL, {counts}"
    )
    by_month: dict[dt.date, tuple[int, int, int]] = {}
    whole = (0, 0, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for month, episodes, children, repeat in cursor.fetchall():
            found = (int(episodes or 0), int(children or 0), int(repeat or 0))
            if month is None:
                whole = found
            else:
                by_month[_month_of(month)] = found
    return by_month, whole


def build(f: Filters, now: dt.datetime) -> list[Table]:
    by_month, whole = _counted(f)
    rows = []
    for month in _months(f.start, f.end):
        code = month.strftime("%Y-%m")
        episodes, children, repeat = by_month.get(month, (0, 0, 0))
        cells = [
            Cell(episodes, f"{code}:episodes"),
            Cell(children, f"{code}:episodes"),
            Cell(repeat, f"{code}:repeat"),
        ]
        rows.append(Row(month.strftime("%B %Y"), cells, code))
    total = Row(
        "Whole period",
        [
            Cell(whole[0], "all:episodes"),
            Cell(whole[1], "all:episodes"),
            Cell(whole[2], "all:repeat"),
        ],
        "all",
    )
    return [
        Table(
            "months",
            "Missing episodes and children by month",
            ["Missing reports", "Children", f"Children missing {REPEAT}+ times in the period"],
            [*rows, total],
            row_header="Month",
            note=(
                f"A child is counted as repeat missing when reported missing {REPEAT} or more times in the period; "
                "a report about two children counts once for each."
            ),
        )
    ]


def behind(f: Filters, now: dt.datetime, key: str) -> Iterable[Behind]:
    """The missing reports behind a number: `YYYY-MM:episodes`, `YYYY-MM:repeat`, `all:...`."""
    month, _, what = key.partition(":")
    found = reports(f)
    if what == "repeat":
        found = found.filter(**{f"{CHILD}__in": repeaters(f)})
    if month != "all":
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            return []
        after = (first + dt.timedelta(days=32)).replace(day=1)
        tz = timezone.get_current_timezone()
        found = found.filter(
            event__occurred_at__gte=dt.datetime.combine(first, dt.time.min, tz),
            event__occurred_at__lt=dt.datetime.combine(after, dt.time.min, tz),
        )
    rows = found.values("event__occurred_at", CHILD, "event__source", "event__source_id").order_by(
        "-event__occurred_at", "event_id"
    )[:BEHIND_LIMIT]
    return [
        Behind(r["event__occurred_at"], r[CHILD], "Missing report", f"{r['event__source']} {r['event__source_id']}")
        for r in rows
    ]


DASHBOARD = Dashboard(
    "missing",
    "Repeat missing children",
    "Missing reports and the children they are about, month by month, and the children reported "
    "missing again and again in the period.",
    build,
    behind,
)
