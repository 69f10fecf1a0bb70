"""The person page: one picture of an individual, its chronology (htmx partial) and network."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.access import individual_for_user
from safetynet.reads.disclosure import disclose, readable_refs
from safetynet.reads.findings import current_findings, rows_for
from safetynet.reads.identity_panel import explain_rows, possible_matches
from safetynet.reads.naming import log_named, named_for
from safetynet.reads.network import network as network_graph
from safetynet.reads.summary import split_practice, summarise
from safetynet.risk.policy import current_policy
from safetynet.web.forms import ChronologyFilterForm
from safetynet.web.viewer import may, may_use


def _chronology_context(request: HttpRequest, person_ids: list[int]) -> dict[str, Any]:
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
    page, entries = people.chronology_page(person_ids, filters, page_number, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    query = request.GET.copy()
    query.pop("page", None)
    filters_active = any(request.GET.get(key) for key in ("type", "date_from", "date_to"))
    return {
        "filter_form": form,
        "filters_active": filters_active,
        "page": page,
        "entries": entries,
        "filter_query": query.urlencode(),
    }


@require_GET
@login_required
def person(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page: identity, markers, orders, plans, chronology, relationships, network."""
    individual = individual_for_user(request.user, individual_id)
    today = system_clock.now().date()
    rows = people.source_records(individual.pk)
    person_ids = [row.person.pk for row in rows]
    user = request.user
    explain_rows(rows, today)
    headline = people.headline(individual.pk, [r.person for r in rows], today)
    disclosed = disclose(user, current_findings([individual.pk], with_tasks=True))
    findings = rows_for(
        disclosed.shown,
        system_clock.now(),
        today,
        names={individual.pk: headline.name},
        show_tasks=may_use(user, "web:task"),
    )
    named = named_for(user, disclosed.shown)
    for row in findings:
        row.named = named.get(row.finding.pk, [])
    markers = list(access.visible_markers(user, people.markers(person_ids)))
    orders = access.orders_for(user, people.orders(person_ids))
    plans = list(access.visible_plans(user, people.plans(person_ids)))
    summary = summarise(
        user,
        rows=findings,
        held_elsewhere=len(disclosed.held_elsewhere),
        markers=markers,
        orders=orders,
        plans=plans,
        people=[r.person for r in rows],
        now=system_clock.now(),
        policy=current_policy(),
        restrict=access.event_filter(user),
        show_tasks=may_use(user, "web:task"),
    )
    matches = possible_matches(person_ids, may_open=access.may_open(user), readable=partial(readable_refs, user))
    context: dict[str, Any] = {
        "individual": individual,
        "headline": headline,
        "source_rows": rows,
        "anchor_id": min(person_ids) if person_ids else None,
        "possible_matches": matches,
        "may_decide": may(user, "review_links"),
        "markers": markers,
        "orders": orders,
        "plans": plans,
        "summary": summary,
        "relationships": people.relationships(person_ids, today, may_open=access.may_open(user)),
        # Practice findings have their own section (summary.practice), not the act-now list.
        "findings": split_practice(findings)[0],
        "held_elsewhere": disclosed.held_elsewhere,
        **_chronology_context(request, person_ids),
    }
    # A probable match's provisional findings are about the other child's records too.
    probable = sorted({m.other_individual_id for m in matches if m.provisional and m.other_individual_id})
    access.log_view(
        user,
        object_type="individual",
        object_ids=[individual.pk],
        individual_ids=[individual.pk, *probable],
        person_ids=person_ids,
        fields=["identity", "markers", "orders", "plans", "relationships", "chronology", "summary"]
        + (["probable_match_findings"] if probable else []),
    )
    log_named(user, [line for lines in named.values() for line in lines], object_type="individual")
    return render(request, "web/person.html", context)


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
