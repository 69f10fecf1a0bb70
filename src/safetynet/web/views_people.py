"""The person page: one picture of an individual, its chronology (htmx partial) and network."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.exports.services import may_export
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.access import individual_for_user
from safetynet.reads.naming import log_named
from safetynet.reads.network import network as network_graph
from safetynet.reads.person_page import PDF_CHRONOLOGY_EVENTS, PersonPage, person_page
from safetynet.web.forms import ChronologyFilterForm
from safetynet.web.viewer import may, may_use


def _chronology_filters(request: HttpRequest) -> tuple[ChronologyFilterForm, people.ChronologyFilter, int]:
    form = ChronologyFilterForm(request.GET or None)
    filters = people.ChronologyFilter()
    if form.is_bound and form.is_valid():
        filters = people.ChronologyFilter(
            event_types=form.cleaned_data["type"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    return form, filters, page_number


def _filter_context(request: HttpRequest, form: ChronologyFilterForm) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "filters_active": any(request.GET.get(key) for key in ("type", "date_from", "date_to")),
        "filter_query": query.urlencode(),
    }


def _chronology_context(request: HttpRequest, person_ids: list[int]) -> dict[str, Any]:
    form, filters, page_number = _chronology_filters(request)
    page, entries = people.chronology_page(person_ids, filters, page_number, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    return {"page": page, "entries": entries, **_filter_context(request, form)}


def _person_page(request: HttpRequest, individual_id: int, *, for_pdf: bool = False) -> tuple[Any, PersonPage]:
    """The individual (404 unless the viewer may open it) and the page as the viewer may see it;
    `for_pdf`: the whole filtered chronology (up to PDF_CHRONOLOGY_EVENTS) instead of one page."""
    individual = individual_for_user(request.user, individual_id)
    form, filters, page_number = _chronology_filters(request)
    built = person_page(
        request.user,
        individual,
        system_clock.now(),
        chronology=filters,
        page_number=1 if for_pdf else page_number,
        page_size=PDF_CHRONOLOGY_EVENTS if for_pdf else people.CHRONOLOGY_PAGE_SIZE,
        show_tasks=may_use(request.user, "web:task"),
        may_decide=may(request.user, "review_links"),
    )
    built.context.update(_filter_context(request, form))
    built.context["may_export"] = may_export(request.user)
    built.context["may_call_meetings"] = may_use(request.user, "web:meeting_new")
    return individual, built


@require_GET
@login_required
def person(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page: identity, markers, orders, plans, chronology, relationships, network."""
    individual, built = _person_page(request, individual_id)
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual.pk],
        individual_ids=[individual.pk, *built.probable],
        person_ids=built.person_ids,
        fields=built.log_fields,
    )
    log_named(request.user, built.named, object_type="individual")
    return render(request, "web/person.html", built.context)


@require_GET
@login_required
def person_pdf(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page as a PDF: what this viewer may see, the chronology filtered as on screen
    (every page of it, up to PDF_CHRONOLOGY_EVENTS), marked OFFICIAL-SENSITIVE, written to the
    access log as an export of the child."""
    individual, built = _person_page(request, individual_id, for_pdf=True)
    form = built.context["filter_form"]
    if form.is_bound and form.errors:
        # The screen shows the error beside the filter; a copy must not claim a filter it ignored.
        field, errors = next(iter(form.errors.items()))
        message = f"{field}: {errors[0]}" if field != "__all__" else errors[0]
        return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")
    return built.pdf(request, individual)


@require_GET
@login_required
def chronology(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The chronology section alone: htmx swaps it in when filtering or paging."""
    individual = individual_for_user(request.user, individual_id)
    person_ids = people.person_ids_of(individual.pk)
    context = {"individual": individual, **_chronology_context(request, person_ids)}
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual.pk],
        individual_ids=[individual.pk],
        person_ids=person_ids,
        fields=["chronology"],
    )
    return render(request, "web/includes/chronology.html", context)


@require_GET
@login_required
def network(request: HttpRequest, individual_id: int) -> HttpResponse:
    """Nodes and edges around the individual, for the Cytoscape.js network view."""
    individual = individual_for_user(request.user, individual_id)
    person_ids = people.person_ids_of(individual.pk)
    data = network_graph(
        individual,
        person_ids,
        system_clock.now().date(),
        may_open=access.may_open(request.user),
        restrict=access.event_filter(request.user),
    )
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual.pk],
        individual_ids=[individual.pk],
        person_ids=person_ids,
        fields=["network"],
    )
    # Escape <, > and & so no recorded name can ever read as markup, wherever the JSON ends up.
    body = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return HttpResponse(body, content_type="application/json")
