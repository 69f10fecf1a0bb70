"""A dashboard of counts: the analyst's and auditor's first screen. Counts only, no names."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.identity.models import Individual, ReviewPair
from safetynet.lib.clock import system_clock
from safetynet.reads.labels import label
from safetynet.records.models import Event, Marker

WINDOW_DAYS = 28


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of people, recent events by type, current markers and open review items."""
    now = system_clock.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    by_type = (
        Event.live.filter(occurred_at__gte=since, occurred_at__lte=now)
        .values("event_type")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    markers = (
        Marker.live.exclude(valid_to__lt=now.date()).values("marker_type").annotate(n=Count("pk")).order_by("-n")[:10]
    )
    context = {
        "window_days": WINDOW_DAYS,
        "people": Individual.objects.filter(memberships__isnull=False).distinct().count(),
        "events_by_type": [(label(row["event_type"]), row["n"]) for row in by_type],
        "events_total": sum(row["n"] for row in by_type),
        "markers": [(label(row["marker_type"]), row["n"]) for row in markers],
        "open_reviews": ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).count(),
    }
    return render(request, "web/dashboard.html", context)
