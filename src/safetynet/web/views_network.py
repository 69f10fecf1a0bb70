"""The readable network of one person (docs/exploitation.md "The network"): a page with the
filters (GET: the address holds them), the Cytoscape.js graph and the same network as tables,
and the graph's JSON, which honours the same filters."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.focus_network import network_seen_by
from safetynet.reads.focus_network_model import GROUP_KINDS, FocusNetwork, NetworkFilter, parse_filter
from safetynet.reads.labels import label
from safetynet.records.models import Event, Relationship
from safetynet.web.viewer import may_use


def read_network(request: HttpRequest, individual_id: int) -> tuple[Any, NetworkFilter, dict[str, str], FocusNetwork]:
    """The individual (404 when the viewer may not open them), the filter asked for, its
    problems and the network, written to the access log with everyone it names."""
    individual = access.individual_for_user(request.user, individual_id)
    today = system_clock.now().date()
    filters, errors = parse_filter(dict(request.GET.lists()), today)
    found = network_seen_by(request.user, individual.pk, filters, today)
    return individual, filters, errors, found


def _url(name: str, individual_id: int, pairs: list[tuple[str, str]]) -> str:
    base = reverse(f"web:{name}", args=[individual_id])
    return f"{base}?{urlencode(pairs)}" if pairs else base


@require_GET
@login_required
def network_page(request: HttpRequest, individual_id: int) -> HttpResponse:
    individual, filters, errors, found = read_network(request, individual_id)
    today = system_clock.now().date()
    head = people.headlines_for([individual.pk], today).get(individual.pk)
    pairs = filters.query()
    without_expand = [(k, v) for k, v in pairs if k != "expand"]
    groups = [
        {**g, "expand_url": _url("person_network_page", individual.pk, [*pairs, ("expand", g["kind"])])}
        for g in found.groups
    ]
    context = {
        "individual": individual,
        "name": head.name if head else "Unknown person",
        "network": found,
        "filters": filters,
        "errors": errors,
        "asked": {k: request.GET.getlist(k) for k in ("relationship_types", "event_types")},
        "raw": {k: request.GET.get(k, "") for k in ("from", "to", "limit")},
        "groups": groups,
        "collapse_url": _url("person_network_page", individual.pk, without_expand) if filters.expand else "",
        "graph_url": _url("person_network_graph", individual.pk, pairs),
        "rel_types": [(v, label(v) or v.replace("_", " ")) for v in Relationship.RelType.values],
        "event_types": [(v, label(v) or v.replace("_", " ")) for v in Event.EventType.values],
        "adult_profile": may_use(request.user, "web:exploitation_adult"),
        "group_kinds": GROUP_KINDS,
    }
    return render(request, "web/network.html", context)


@require_GET
@login_required
def network_graph(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The graph the page draws (nodes, edges, groups, counts), for the same filters; a bad
    filter is 400 naming the field."""
    _individual, _filters, errors, found = read_network(request, individual_id)
    if errors:
        body = json.dumps({"detail": "; ".join(f"{k}: {v}" for k, v in errors.items())})
        return HttpResponse(body, status=400, content_type="application/json")
    # Escape <, > and & so no recorded name can ever read as markup, wherever the JSON ends up.
    body = json.dumps(found.graph()).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return HttpResponse(body, content_type="application/json")
