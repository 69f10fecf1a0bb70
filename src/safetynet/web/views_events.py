"""Event pages: the details and participants of one event of any type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.access import event_for_user
from safetynet.reads.details import detail_rows, marked_rows, reference_labels, refs_in
from safetynet.reads.exploitation import rso_warning
from safetynet.reads.labels import uk_datetime
from safetynet.reads.language_marks import mark_text
from safetynet.reads.network import location_label
from safetynet.risk.policy import current_policy
from safetynet.web.viewer import may_use


@require_GET
@login_required
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event: what happened, when and where, who took part, and the type's details."""
    found = event_for_user(request.user, event_id)
    # Other people in the event show by name only if the viewer may open them too.
    participants = people.participants(found, may_open=access.may_open(request.user))
    shown = {r.individual_id for r in participants if r.individual_id is not None}
    linked = access.event_filter(request.user)(found.linked_events.filter(recorded_at__isnull=False, deleted=False))
    policy = current_policy()
    # Blaming phrases are marked wherever the page shows what a person wrote, numbered across
    # the page so each mark's number finds its reason and suggested wording below.
    summary = mark_text("Summary", found.summary or "", policy)
    rows = detail_rows(
        found.event_type, found.details or {}, reference_labels(request.user, refs_in(found.details or {}))
    )
    details = marked_rows(rows, policy, first_note=len(summary.notes) + 1)
    context = {
        "event": found,
        "place": location_label(found.location),
        "when": uk_datetime(found.occurred_at),
        "until": uk_datetime(found.ended_at),
        "reported": uk_datetime(found.reported_at),
        "participants": participants,
        "summary": summary,
        "details": details,
        "language_notes": [*summary.notes, *(note for row in details for line in row.lines for note in line.notes)],
        "linked_events": access.redact_events(request.user, linked),
        "may_refer": may_use(request.user, "web:mash_raise"),
        "rso_warning": rso_warning(request.user, found, system_clock.now().date()),
    }
    access.log_view(
        request.user,
        object_type="event",
        object_ids=[found.pk],
        individual_ids=sorted(shown),
        fields=["details", "participants"],
    )
    return render(request, "web/event.html", context)
