"""The oversight dashboards (reads.dashboards): a chart and its table of counts per dashboard,
filtered by period, agency and area in the address; every number a link to the list behind it;
every table as CSV through the export helper. An impossible period is refused beside its field
(400)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from safetynet.access.models import Agency
from safetynet.exports.services import may_export
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads.cse_profile import CseProfile, profile_csv
from safetynet.reads.cse_profile import cse_profile as profile_of
from safetynet.reads.dashboards import DASHBOARDS, Dashboard, Filters, Table, behind_named, table_csv
from safetynet.reads.dashboards.areas import area_filter, area_names
from safetynet.reads.dashboards.base import LABEL_WIDTH, Cell, Row
from safetynet.web.forms_periods import DashboardForm
from safetynet.web.viewer import may_use


def dashboard_of(code: str) -> Dashboard:
    found = DASHBOARDS.get(code)
    if found is None:
        raise Http404
    return found


def filtered(request: HttpRequest) -> tuple[DashboardForm, Filters | None]:
    """The form bound to the address, and the filters it gives (None when refused)."""
    today = system_clock.now().date()
    agencies = list(Agency.objects.order_by("name").values_list("code", "name"))
    form = DashboardForm(request.GET, today=today, agencies=agencies, areas=area_names())
    if form.is_bound and not form.is_valid():
        return form, None
    start, end = form.period()
    area = form.chosen("area")
    return form, Filters(start, end, form.chosen("agency"), area, area_filter(area) if area else None)


@dataclass(frozen=True)
class ShownRow:
    row: Row
    links: list[tuple[Cell, str]]  # each cell with the address of the list behind it ("" for none)


def _shown(code: str, table: Table, query: str) -> list[ShownRow]:
    if not code:  # a table with no list behind its numbers
        return [ShownRow(r, [(c, "") for c in r.cells]) for r in table.rows]
    base = f"{reverse('web:dashboard_behind', args=[code])}?{query}"
    return [
        ShownRow(r, [(c, f"{base}&{urlencode({'key': c.key})}" if c.key and c.value else "") for c in r.cells])
        for r in table.rows
    ]


@require_GET
@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """One dashboard: each table's chart, the table beside it (each number a link to what is
    behind it) and its CSV; filters above."""
    found = dashboard_of(code)
    form, filters = filtered(request)
    tables = found.build(filters, system_clock.now()) if filters is not None else []
    query = form.query() if filters is not None else ""
    context = {
        "dashboard": found,
        "form": form,
        "filters": filters,
        "tables": [(t, _shown(code, t, query)) for t in tables],
        "query": query,
        "bar_x": LABEL_WIDTH,
        "may_export": may_export(request.user),
        "others": [d for d in DASHBOARDS.values() if d.code != code],
        "may_timeliness": may_use(request.user, "web:timeliness"),
    }
    return render(request, "web/dashboards/dashboard.html", context, status=200 if filters is not None else 400)


@require_GET
@login_required
def dashboard_csv(request: HttpRequest, code: str) -> HttpResponse:
    """One table of a dashboard as CSV (counts only, no child in it), logged as an export."""
    found = dashboard_of(code)
    form, filters = filtered(request)
    if filters is None:
        raise Http404
    tables = {t.code: t for t in found.build(filters, system_clock.now())}
    table = tables.get(request.GET.get("table", ""))
    if table is None:
        raise Http404
    return table_csv(request, found, table, filters)


@require_GET
@login_required
def dashboard_behind(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind one number of a dashboard, each child named and linked when the viewer
    may open their record; logged as a consultation of the children named."""
    found = dashboard_of(code)
    form, filters = filtered(request)
    key = request.GET.get("key", "")
    if filters is None or not key:
        raise Http404
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    shown = behind_named(request.user, found, filters, key, system_clock.now(), page)
    rows = shown.rows
    access.log_view(
        request.user,
        object_type="dashboard",
        object_ids=[f"{code}:{key}"],
        individual_ids=sorted({r.individual_id for r in rows if r.named and r.individual_id is not None}),
        fields=["dashboard_behind", code],
    )
    context = {
        "dashboard": found,
        "shown": shown,
        "rows": rows,
        "query": form.query(),
        "key": key,
        "filters": filters,
    }
    return render(request, "web/dashboards/behind.html", context)


def _trend_table(found: CseProfile) -> Table:
    rows = [
        Row(m.month.strftime("%B %Y"), [Cell(m.marked), Cell(m.raised), Cell(m.missing)], m.month.strftime("%Y-%m"))
        for m in found.months
    ]
    return Table(
        "trends",
        "Trends by month",
        ["Children marked at risk of CSE or CCE", "Children with an exploitation finding", "Missing reports"],
        rows,
        row_header="Month",
        note="Missing reports about children at risk of exploitation in the period.",
    )


@require_GET
@login_required
def cse_profile(request: HttpRequest) -> HttpResponse:
    """The CSE intelligence profile for a period (default the last 90 days) and area, built from
    the records now; logged as a consultation of every child and adult it names."""
    form, filters = filtered(request)
    context: dict[str, Any] = {"form": form, "found": None, "may_export": may_export(request.user)}
    if filters is None:
        return render(request, "web/dashboards/cse_profile.html", context, status=400)
    found = profile_of(request.user, filters)
    access.log_view(
        request.user, object_type="cse_profile", object_ids=[], individual_ids=found.named, fields=["cse_profile"]
    )
    table = _trend_table(found)
    names = found.names
    context.update(
        found=found,
        query=form.query(),
        tables=[(table, _shown("", table, ""))],
        bar_x=LABEL_WIDTH,
        networks=[
            {
                "children": [(c, names.get(c, "")) for c in n.children],
                "adults": [(a, names.get(a, "")) for a in n.adults],
            }
            for n in found.networks
        ],
        may_adults=may_use(request.user, "web:exploitation_adult"),
    )
    return render(request, "web/dashboards/cse_profile.html", context)


@require_GET
@login_required
def cse_profile_csv(request: HttpRequest) -> HttpResponse:
    """The profile as CSV, logged as an export naming everyone in it."""
    _form, filters = filtered(request)
    if filters is None:
        raise Http404
    return profile_csv(request, profile_of(request.user, filters))
