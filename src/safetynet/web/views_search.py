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
        results = search_people(query, system_clock.now().date(), user=request.user)
        searched = [k for k in ("name", "date_of_birth", "identifier", "postcode") if form.cleaned_data[k]]
        log_search(request.user, fields=searched, individual_ids=[r.headline.individual_id for r in results])
    return render(request, "web/search.html", {"form": form, "results": results})
