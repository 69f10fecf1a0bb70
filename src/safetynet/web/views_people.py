"""The person page: one picture of an individual, its chronology (htmx partial) and network."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from safetynet.exports.services import export_print, may_export
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.access import individual_for_user
from safetynet.reads.child_export import chronology_csv, picture_csv
from safetynet.reads.chronology import in_words, shown_people
from safetynet.reads.naming import log_named
from safetynet.reads.network import network as network_graph
from safetynet.reads.person_page import PDF_CHRONOLOGY_EVENTS, PersonPage, person_page
from safetynet.risk.policy import current_policy
from safetynet.web.forms import ChronologyFilterForm
from safetynet.web.viewer import may, may_use


def _chronology_filters(request: HttpRequest) -> tuple[ChronologyFilterForm, people.ChronologyFilter, int]:
    form = ChronologyFilterForm(request.GET or None)
    filters = people.ChronologyFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = people.chronology_filter(
            today=system_clock.now().date(),
            event_types=data["type"],
            agencies=data["agency"],
            period=data["period"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    return form, filters, page_number


FILTER_KEYS = ("type", "agency", "period", "date_from", "date_to")


def _query(request: HttpRequest) -> QueryDict:
    """The request's query without empty values (a form sends "period=&date_from=" for fields
    left alone): the addresses the chronology links to and shows stay short and readable."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if kept:
            query.setlist(key, kept)
    return query


def _filter_context(
    request: HttpRequest, form: ChronologyFilterForm, filters: people.ChronologyFilter
) -> dict[str, Any]:
    query = _query(request)
    query.pop("page", None)
    agency_names = dict(form.fields["agency"].choices)  # type: ignore[attr-defined]
    return {
        "filter_form": form,
        "filters_active": any(request.GET.get(key) for key in FILTER_KEYS),
        "filter_query": query.urlencode(),
        "chronology_filter": filters,
        "chronology_filter_agencies": [str(agency_names.get(code, code)) for code in filters.agencies],
        "chronology_filter_period": people.PERIODS[filters.period][0] if filters.period else "",
        "may_export": may_export(request.user),
    }


def _page_links(page: Any) -> list[int | None]:
    """The page numbers the chronology's pagination offers (None: an ellipsis)."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [n if isinstance(n, int) else None for n in numbers]


def _person_url(request: HttpRequest, individual_id: int) -> str:
    """The person page's address with this request's filter and page, at the chronology: what
    the address bar shows after filtering or paging in place, so Back and a bookmark keep it."""
    query = _query(request).urlencode()
    return reverse("web:person", args=[individual_id]) + (f"?{query}" if query else "") + "#chronology"


def _log_person_view(
    request: HttpRequest,
    individual_id: int,
    person_ids: list[int],
    *,
    fields: list[str],
    probable: Iterable[int] = (),
    in_chronology: Iterable[int] = (),
) -> None:
    """The access-log entry of a view of the person page or its chronology: the child, and the
    people the page showed by name (a probable match's child, anyone the chronology names, as
    the event page logs who took part)."""
    named = [i for i in in_chronology if i != individual_id]
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual_id],
        individual_ids=[individual_id, *probable, *named],
        person_ids=person_ids,
        fields=[*fields, *(["named_in_chronology"] if named else [])],
    )


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
    built.context.update(_filter_context(request, form, filters))
    built.context["page_links"] = _page_links(built.context["page"])
    built.context["may_call_meetings"] = may_use(request.user, "web:meeting_new")
    built.context["may_refer"] = may_use(request.user, "web:mash_raise")
    built.context["may_report_missing"] = may_use(request.user, "web:missing_new")
    built.context["may_record_protection"] = may_use(request.user, "web:protection_police_new")
    built.context["may_screen"] = may_use(request.user, "web:exploitation_screening")
    built.context["may_record_intelligence"] = may_use(request.user, "web:intelligence_new")
    return individual, built


@require_GET
@login_required
def person(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page: identity, markers, orders, plans, chronology, relationships, network."""
    individual, built = _person_page(request, individual_id)
    _log_person_view(
        request,
        individual.pk,
        built.person_ids,
        fields=built.log_fields,
        probable=built.probable,
        in_chronology=built.in_chronology,
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
    """The chronology section alone: htmx swaps it in when filtering or paging, and the address
    bar is set to the person page with the same query (HX-Push-Url), so Back returns to it."""
    individual = individual_for_user(request.user, individual_id)
    person_ids = people.person_ids_of(individual.pk)
    form, filters, page_number = _chronology_filters(request)
    page, entries = people.chronology_page(person_ids, filters, page_number, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    lines = in_words(request.user, entries, person_ids, current_policy())
    context = {
        "individual": individual,
        "page": page,
        "entries": lines,
        "page_links": _page_links(page),
        **_filter_context(request, form, filters),
    }
    _log_person_view(request, individual.pk, person_ids, fields=["chronology"], in_chronology=shown_people(lines))
    response = render(request, "web/includes/chronology.html", context)
    if request.headers.get("HX-Request"):
        response["HX-Push-Url"] = _person_url(request, individual.pk)
    return response


@require_GET
@login_required
def chronology_print(request: HttpRequest, individual_id: int) -> HttpResponse:
    """Every event of the chronology as filtered on screen (not one page), in words, as a page
    made for printing: marked OFFICIAL-SENSITIVE with who printed it and when, no navigation.
    A full copy of the child's history on paper is an export: it needs the `export` permission
    (refused with 403 and a denied entry otherwise) and is written to the access log as one,
    naming the child and everyone it names by name."""
    individual = individual_for_user(request.user, individual_id)
    form, filters, _page = _chronology_filters(request)
    if form.is_bound and form.errors:
        field, errors = next(iter(form.errors.items()))
        message = f"{field}: {errors[0]}" if field != "__all__" else errors[0]
        return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")
    person_ids = people.person_ids_of(individual.pk)
    today = system_clock.now().date()
    entries = people.chronology_all(person_ids, filters, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    lines = in_words(request.user, entries, person_ids, current_policy())
    named = [i for i in shown_people(lines) if i != individual.pk]
    context = {
        "individual": individual,
        "headline": people.headlines_for([individual.pk], today).get(individual.pk),
        "entries": lines,
        **_filter_context(request, form, filters),
    }
    return export_print(
        request,
        "web/chronology_print.html",
        context,
        title=f"Chronology of person record {individual.pk}",
        individual_ids=[individual.pk, *named],
        object_type="individual",
        object_ids=[individual.pk],
        fields=["chronology", *(["named_in_chronology"] if named else [])],
    )


def _filter_refused(form: ChronologyFilterForm) -> HttpResponse | None:
    """A 400 naming the filter field in error: a copy must not claim a filter it ignored."""
    if not (form.is_bound and form.errors):
        return None
    field, errors = next(iter(form.errors.items()))
    message = f"{field}: {errors[0]}" if field != "__all__" else errors[0]
    return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def chronology_csv_view(request: HttpRequest, individual_id: int) -> HttpResponse:
    """Every event of the chronology as filtered on screen, as CSV: one row per event in words,
    as the viewer reads it. Needs `export`; logged as an export of the child and everyone named."""
    individual = individual_for_user(request.user, individual_id)
    form, filters, _page = _chronology_filters(request)
    refused = _filter_refused(form)
    if refused is not None:
        return refused
    person_ids = people.person_ids_of(individual.pk)
    entries = people.chronology_all(person_ids, filters, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    return chronology_csv(request, individual, in_words(request.user, entries, person_ids, current_policy()))


@require_GET
@login_required
def picture_csv_view(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page's picture (identity, findings, markers, orders, plans, relationships) as
    CSV, as this viewer sees it. Needs `export`; logged as an export of the child."""
    individual, built = _person_page(request, individual_id)
    return picture_csv(request, individual, built)


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
