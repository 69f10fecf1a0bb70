"""The identity review queue: record pairs the linkage model could not decide, most
risk-relevant first; each opens the side-by-side comparison to decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.identity.memberships import individual_of_people
from safetynet.identity.services import review_queue
from safetynet.reads.access import log_view, may_open
from safetynet.reads.identity_panel import review_items
from safetynet.web.viewer import may_use

PAGE_SIZE = 50


@require_GET
@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Open review items the user may see, one page at a time."""
    if not may_use(request.user, "web:review_queue"):
        raise Http404
    page = Paginator(review_queue().select_related("person_a", "person_b"), PAGE_SIZE).get_page(request.GET.get("page"))
    items = review_items(list(page.object_list), may_open=may_open(request.user))
    if items:
        shown = [p for item in items for p in (item.pair.person_a_id, item.pair.person_b_id)]
        log_view(
            request.user,
            object_type="identity_review_queue",
            object_ids=[item.pair.pk for item in items],
            individual_ids=set(individual_of_people(shown).values()),
            person_ids=shown,
            fields=["identity"],
        )
    return render(request, "web/review.html", {"items": items, "page": page})
