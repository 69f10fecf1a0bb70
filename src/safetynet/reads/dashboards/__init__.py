"""The oversight dashboards (docs/oversight.md "Dashboards"): each a table or two of counts
aggregated in the database, a bar chart of one column, filters (period, agency, area), the
list behind every number and a CSV of every table. `DASHBOARDS` names them by code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from safetynet.access.models import Agency
from safetynet.exports.services import Column, export_csv
from safetynet.lib.periods import PeriodRefused, check_period
from safetynet.reads import person as people
from safetynet.reads.access import visible_individual_ids
from safetynet.reads.dashboards.areas import area_filter, area_names
from safetynet.reads.dashboards.base import BEHIND_LIMIT, Behind, Dashboard, Filters, Row, Table
from safetynet.reads.dashboards.missing import DASHBOARD as MISSING
from safetynet.reads.dashboards.outcomes import DASHBOARD as OUTCOMES
from safetynet.reads.dashboards.quality import BACKLOG, QUALITY
from safetynet.reads.dashboards.referrals import DASHBOARD as REFERRALS
from safetynet.reads.dashboards.work import MEETING_ACTIONS, OPEN_WORK

DASHBOARDS: dict[str, Dashboard] = {
    d.code: d for d in (MISSING, REFERRALS, OPEN_WORK, MEETING_ACTIONS, BACKLOG, QUALITY, OUTCOMES)
}

__all__ = [
    "BEHIND_LIMIT",
    "DASHBOARDS",
    "BehindPage",
    "BehindRow",
    "Dashboard",
    "Filters",
    "Table",
    "behind_named",
    "filters_asked",
    "table_csv",
]
DEFAULT_DAYS = 90


def filters_asked(start: dt.date | None, end: dt.date | None, agency: str, area: str, today: dt.date) -> Filters:
    """The filters a caller asked for (either end of the period left out: the last 90 days'),
    checked as the screens check them: PeriodRefused naming the field otherwise."""
    start = start or today - dt.timedelta(days=DEFAULT_DAYS)
    end = end or today
    check_period(start, end, today)
    if agency and not Agency.objects.filter(code=agency).exists():
        codes = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True))
        raise PeriodRefused("agency", f"expected one of {codes}")
    if area and area not in area_names():
        raise PeriodRefused("area", f"expected one of {', '.join(area_names()) or 'no areas (none configured)'}")
    return Filters(start, end, agency, area, area_filter(area) if area else None)


@dataclass(frozen=True)
class BehindRow:
    row: Behind
    name: str  # "" when the record is about no child the viewer may open

    @property
    def individual_id(self) -> int | None:
        return self.row.individual_id

    @property
    def named(self) -> bool:
        return bool(self.name)


BEHIND_PAGE = 100


@dataclass(frozen=True)
class BehindPage:
    rows: list[BehindRow]
    page: int
    pages: int
    total: int
    truncated: bool  # more than BEHIND_LIMIT records behind the number: the first are listed


def behind_named(
    user: Any, dashboard: Dashboard, filters: Filters, key: str, now: dt.datetime, page: int = 1
) -> BehindPage:
    """One page (BEHIND_PAGE rows) of the records behind the number `key`, each with the child's
    name when the viewer may open their record."""
    found = list(dashboard.behind(filters, now, key))
    pages = max(1, -(-len(found) // BEHIND_PAGE))
    page = min(max(1, page), pages)
    rows = found[(page - 1) * BEHIND_PAGE : page * BEHIND_PAGE]
    ids = sorted({r.individual_id for r in rows if r.individual_id is not None})
    visible = set(visible_individual_ids(user, ids))
    heads = people.headlines_for(visible, now.date())
    named = [
        BehindRow(
            r,
            (heads[r.individual_id].name if r.individual_id in heads else "Name not recorded")
            if r.individual_id in visible
            else "",
        )
        for r in rows
    ]
    return BehindPage(named, page, pages, len(found), len(found) >= BEHIND_LIMIT)


def _cell(index: int) -> Callable[[Row], int]:
    return lambda r: r.cells[index].value


def table_csv(request: HttpRequest, dashboard: Dashboard, table: Table, filters: Filters) -> HttpResponse:
    """One table of `dashboard` as CSV (counts only, no child in it), marked and logged as an
    export. Raises ExportRefused for a role without `export`."""
    columns: list[Column] = [(table.row_header or "Row", lambda r: r.label)]
    columns += [(header, _cell(i)) for i, header in enumerate(table.columns)]
    where = ", ".join(x for x in (filters.agency, filters.area) if x)
    return export_csv(
        request,
        table.rows,
        columns,
        title=f"{table.title}, {filters.start:%d %b %Y} to {filters.end:%d %b %Y}" + (f" ({where})" if where else ""),
        filename=f"{dashboard.code}-{table.code}",
        individual_ids=[],
        object_type="dashboard",
        object_ids=[f"{dashboard.code}:{table.code}"],
        fields=["dashboard", dashboard.code],
    )
