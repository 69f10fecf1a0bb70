"""The dashboard's counts (the analyst's and auditor's first screen): counts only, no names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from safetynet.identity.models import Individual, ReviewPair
from safetynet.reads.labels import label
from safetynet.records.models import Event, Marker

WINDOW_DAYS = 28


@dataclass(frozen=True)
class Counts:
    window_days: int
    people: int
    events_by_type: list[tuple[str, int]]  # (label, count), most first, over the last window_days
    events_total: int
    markers: list[tuple[str, int]]  # current markers, the ten commonest types
    open_reviews: int


def counts(now: dt.datetime) -> Counts:
    """People, recent events by type, current markers and open review items as of `now`."""
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
    return Counts(
        window_days=WINDOW_DAYS,
        people=Individual.objects.filter(memberships__isnull=False).distinct().count(),
        events_by_type=[(label(row["event_type"]), row["n"]) for row in by_type],
        events_total=sum(row["n"] for row in by_type),
        markers=[(label(row["marker_type"]), row["n"]) for row in markers],
        open_reviews=ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).count(),
    )
