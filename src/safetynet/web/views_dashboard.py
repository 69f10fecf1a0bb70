"""The dashboards: the counts (the analyst's and auditor's first screen, no names), and the
timeliness chart (breaches of the policy's clocks per clause and team in a period, as a
server-rendered SVG with its numbers in a table beside it and as CSV, each number drilling
down to the children and breaches behind it)."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.exports.services import export_csv
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads.dashboard import counts
from safetynet.reads.dashboards import DASHBOARDS
from safetynet.reads.dashboards.areas import area_filter, area_names
from safetynet.reads.timeliness import LABEL_WIDTH, Timeliness, breaches_behind, timeliness
from safetynet.reads.timeliness import teams as timeliness_teams
from safetynet.web.forms_periods import TimelinessForm
from safetynet.web.viewer import may_use


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of people, recent events by type, current markers and open review items."""
    context = dataclasses.asdict(counts(system_clock.now()))
    context["may_timeliness"] = may_use(request.user, "web:timeliness")
    context["dashboards"] = list(DASHBOARDS.values()) if may_use(request.user, "web:dashboards") else []
    context["may_inspection_lists"] = may_use(request.user, "web:inspection_lists")
    context["may_cse_profile"] = may_use(request.user, "web:cse_profile")
    return render(request, "web/dashboard.html", context)


def _filtered(request: HttpRequest) -> tuple[TimelinessForm, Timeliness | None]:
    today = system_clock.now().date()
    teams = timeliness_teams()
    form = TimelinessForm(request.GET, today=today, teams=teams, areas=area_names())
    if form.is_bound and not form.is_valid():
        return form, None
    start, end = form.period()
    area = form.chosen_area()
    return form, timeliness(start, end, form.chosen_team(), area_filter(area) if area else None)


@require_GET
@login_required
def timeliness_chart(request: HttpRequest) -> HttpResponse:
    """Breaches per clause and team: the chart, the table beside it (each number a link to the
    breaches behind it), filters by team and period (an impossible period refused beside it)."""
    form, found = _filtered(request)
    rows = []
    if found is not None:
        start, end = form.period()
        for r in found.rows:
            query = urlencode({"period_from": start, "period_to": end, "clause": r.clause, "team": r.team})
            rows.append((r, query + (f"&area={quote(form.chosen_area())}" if form.chosen_area() else "")))
    context = {
        "form": form,
        "found": found,
        "rows": rows,
        "query": form.query() if found else "",
        "bar_x": LABEL_WIDTH,
        "area": form.chosen_area() if found else "",
    }
    return render(request, "web/timeliness.html", context, status=200 if found else 400)


@require_GET
@login_required
def timeliness_csv(request: HttpRequest) -> HttpResponse:
    """The timeliness table as CSV (counts per clause and team; no child in it)."""
    form, found = _filtered(request)
    if found is None or not may_use(request.user, "web:timeliness"):
        raise Http404
    columns = [
        ("Clause", lambda r: r.clause),
        ("Clause title", lambda r: r.clause_title),
        ("Team", lambda r: r.team_label),
        ("Breaches", lambda r: r.breaches),
        ("Children", lambda r: r.children),
        ("Clocks run", lambda r: "" if r.clocks is None else r.clocks),
        ("Breaches per 100 clocks", lambda r: r.rate_words),
    ]
    return export_csv(
        request,
        found.rows,
        columns,
        title=f"Timeliness by clause and team, {found.period_from:%d %b %Y} to {found.period_to:%d %b %Y}",
        filename="timeliness",
        individual_ids=[],
        object_type="timeliness",
        fields=["timeliness"],
    )


@require_GET
@login_required
def timeliness_breaches(request: HttpRequest) -> HttpResponse:
    """The children and breaches behind one number of the chart (a clause and team in a period)."""
    form, found = _filtered(request)
    clause = request.GET.get("clause", "")
    if found is None or not clause:
        raise Http404
    start, end = form.period()
    area = form.chosen_area()
    rows, truncated = breaches_behind(
        request.user,
        start,
        end,
        clause=clause,
        team=form.chosen_team(),
        today=system_clock.now().date(),
        area=area_filter(area) if area else None,
    )
    access.log_view(
        request.user,
        object_type="practice_finding",
        object_ids=sorted({r.breach.finding_id for r in rows}),
        individual_ids=sorted({r.individual_id for r in rows if r.name}),
        fields=["timeliness_breaches"],
    )
    context = {"rows": rows, "truncated": truncated, "clause": clause, "found": found, "query": form.query()}
    return render(request, "web/timeliness_breaches.html", context)
