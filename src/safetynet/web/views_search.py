"""The search screen: find a person by name, date of birth, identifier or postcode."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.lib.clock import system_clock
from safetynet.reads.access import log_search
from safetynet.reads.search import SearchQuery, search_people
from safetynet.web.forms import SearchForm


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search form; with a query string, its results (only people the user may see)."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        query = SearchQuery(**{k: form.cleaned_data[k] for k in ("name", "date_of_birth", "identifier", "postcode")})
        results = search_people(query, system_clock.now().date(), user=request.user, page=_page(request))
        searched = [k for k in ("name", "date_of_birth", "identifier", "postcode") if form.cleaned_data[k]]
        log_search(request.user, fields=searched, individual_ids=[r.headline.individual_id for r in results])
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {"form": form, "results": results, "query_string": query_string.urlencode()}
    return render(request, "web/search.html", context)


def _page(request: HttpRequest) -> int:
    """The page asked for (?page=N), the first for anything that is not a whole number >= 1."""
    text = request.GET.get("page", "")
    return int(text) if text.isdigit() and 0 < int(text) < 10_000 else 1
