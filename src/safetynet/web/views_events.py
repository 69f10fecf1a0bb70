"""Event pages: the details and participants of one event of any type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.web import access, queries
from safetynet.web.access import event_for_user
from safetynet.web.details import detail_rows


@require_GET
@login_required
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event: what happened, when and where, who took part, and the type's details."""
    found = event_for_user(request.user, event_id)
    rows = queries.participants(found)
    # Other people in the event show only if the viewer may see them too.
    shown = set(access.visible_individual_ids(request.user, [r.individual_id for r in rows if r.individual_id]))
    participants = [r for r in rows if r.individual_id in shown]
    linked = access.event_filter(request.user)(found.linked_events.filter(recorded_at__isnull=False, deleted=False))
    context = {
        "event": found,
        "place": queries.location_label(found.location),
        "participants": participants,
        "details": detail_rows(found.event_type, found.details or {}),
        "linked_events": access.redact(request.user, linked),
    }
    access.log_view(
        request.user,
        object_type="event",
        object_ids=[found.pk],
        individual_ids=sorted(shown),
        fields=["details", "participants"],
    )
    return render(request, "web/event.html", context)
