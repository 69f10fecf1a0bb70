"""The oversight dashboards over REST (`/api/v1/dashboards`): each dashboard's tables of counts
with the drill-down key behind every number, the records behind a number, and a table as CSV;
the screens' filters (period, agency, area) and refusals (422 naming the field)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import ErrorOut, answers
from safetynet.exports.services import ExportRefused
from safetynet.lib.clock import system_clock
from safetynet.lib.periods import PeriodRefused
from safetynet.reads import access
from safetynet.reads.dashboards import DASHBOARDS, Dashboard, Filters, behind_named, filters_asked, table_csv

router = Router(tags=["dashboards"])
CSV = {200: {"description": "The table as CSV", "content": {"text/csv": {}}}}


class DashboardFilters(Schema):
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    agency: str = ""
    area: str = ""


class BehindFilters(DashboardFilters):
    key: str
    page: int = 1


class DashboardSummaryOut(Schema):
    code: str
    title: str
    description: str
    uses_period: bool


class DashboardCellOut(Schema):
    value: int
    key: str  # the drill-down key of `/dashboards/{code}/behind?key=` ("" when nothing is listed)


class DashboardRowOut(Schema):
    code: str
    label: str
    cells: list[DashboardCellOut]


class DashboardTableOut(Schema):
    code: str
    title: str
    row_header: str
    columns: list[str]
    chart_column: int
    note: str
    rows: list[DashboardRowOut]


class DashboardOut(DashboardSummaryOut):
    period_from: dt.date
    period_to: dt.date
    agency: str
    area: str
    tables: list[DashboardTableOut]


class BehindRowOut(Schema):
    at: dt.datetime | dt.date | None
    individual: int | None  # only when the caller may open the child's record
    name: str
    what: str
    reference: str


class BehindOut(Schema):
    rows: list[BehindRowOut]
    page: int
    pages: int
    total: int
    truncated: bool


def _dashboard(code: str) -> Dashboard:
    found = DASHBOARDS.get(code)
    if found is None:
        raise Http404
    return found


def _filters(asked: DashboardFilters) -> Filters:
    try:
        return filters_asked(asked.period_from, asked.period_to, asked.agency, asked.area, system_clock.now().date())
    except PeriodRefused as refused:
        raise HttpError(422, str(refused)) from None


@router.get("/", response=answers(list[DashboardSummaryOut], 401, 403), url_name="dashboards")
def list_dashboards(request: HttpRequest) -> list[DashboardSummaryOut]:
    """The dashboards there are."""
    return [
        DashboardSummaryOut(code=d.code, title=d.title, description=d.description, uses_period=d.uses_period)
        for d in DASHBOARDS.values()
    ]


@router.get("/{code}", response=answers(DashboardOut, 401, 403, 404, 422), url_name="dashboard")
def dashboard_view(request: HttpRequest, code: str, filters: Query[DashboardFilters]) -> DashboardOut:
    """One dashboard's tables (counts only) for the period, agency and area asked."""
    found = _dashboard(code)
    chosen = _filters(filters)
    tables = found.build(chosen, system_clock.now())
    return DashboardOut(
        code=found.code,
        title=found.title,
        description=found.description,
        uses_period=found.uses_period,
        period_from=chosen.start,
        period_to=chosen.end,
        agency=chosen.agency,
        area=chosen.area,
        tables=[
            DashboardTableOut(
                code=t.code,
                title=t.title,
                row_header=t.row_header,
                columns=t.columns,
                chart_column=t.chart_column,
                note=t.note,
                rows=[
                    DashboardRowOut(
                        code=r.code, label=r.label, cells=[DashboardCellOut(value=c.value, key=c.key) for c in r.cells]
                    )
                    for r in t.rows
                ],
            )
            for t in tables
        ],
    )


@router.get("/{code}/behind", response=answers(BehindOut, 401, 403, 404, 422), url_name="dashboard_behind")
def dashboard_behind(request: HttpRequest, code: str, filters: Query[BehindFilters]) -> BehindOut:
    """The records behind one number (its `key`), each child named when the caller may open
    their record; logged as a consultation of the children named."""
    found = _dashboard(code)
    shown = behind_named(request.user, found, _filters(filters), filters.key, system_clock.now(), filters.page)
    rows = shown.rows
    access.log_view(
        request.user,
        object_type="dashboard",
        object_ids=[f"{code}:{filters.key}"],
        individual_ids=sorted({r.individual_id for r in rows if r.named and r.individual_id is not None}),
        fields=["dashboard_behind", code],
    )
    return BehindOut(
        rows=[
            BehindRowOut(
                at=r.row.at,
                individual=r.individual_id if r.named else None,
                name=r.name,
                what=r.row.what,
                reference=r.row.reference,
            )
            for r in rows
        ],
        page=shown.page,
        pages=shown.pages,
        total=shown.total,
        truncated=shown.truncated,
    )


@router.get(
    "/{code}/tables/{table}.csv",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="dashboard_csv",
    openapi_extra={"responses": CSV},
)
def dashboard_csv(request: HttpRequest, code: str, table: str, filters: Query[DashboardFilters]) -> HttpResponse:
    """One table as CSV (counts only), marked and logged as an export."""
    found = _dashboard(code)
    chosen = _filters(filters)
    shown = {t.code: t for t in found.build(chosen, system_clock.now())}.get(table)
    if shown is None:
        raise Http404
    try:
        return table_csv(request, found, shown, chosen)
    except ExportRefused:
        raise HttpError(403, "Your role may not export records") from None
