"""The inspection lists (reads.inspection_lists): a page with how many records and children each
list holds in a period (and area), and each list as a streamed CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.reads.inspection_lists import LISTS, inspection_csv, list_counts
from safetynet.web.views_dashboards import filtered


@require_GET
@login_required
def inspection_lists(request: HttpRequest) -> HttpResponse:
    """Each list's records and children in the period, and its download."""
    form, filters = filtered(request)
    rows = []
    if filters is not None:
        area = filters.person("person__") if filters.area_q is not None else None
        rows = list_counts(request.user, filters.start, filters.end, area)
    context = {"form": form, "filters": filters, "rows": rows, "query": form.query() if filters else ""}
    return render(request, "web/inspection_lists.html", context, status=200 if filters is not None else 400)


@require_GET
@login_required
def inspection_list_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    """One list as CSV, streamed however long; logged as an export naming every child in it."""
    found = LISTS.get(code)
    form, filters = filtered(request)
    if found is None or filters is None:
        raise Http404
    area = filters.person("person__") if filters.area_q is not None else None
    return inspection_csv(request, found, filters.start, filters.end, area, filters.area)
