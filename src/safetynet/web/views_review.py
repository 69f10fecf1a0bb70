"""The identity review queue: record pairs the linkage model could not decide, most
risk-relevant first; each opens the side-by-side comparison to decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.identity.models import Membership
from safetynet.identity.services import review_queue
from safetynet.reads.access import visible_individual_ids
from safetynet.web.viewer import may_use

PAGE_SIZE = 50


@require_GET
@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Open review items the user may see, one page at a time."""
    if not may_use(request.user, "web:review_queue"):
        raise Http404
    page = Paginator(review_queue().select_related("person_a", "person_b"), PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = list(page.object_list)
    home = dict(
        Membership.objects.filter(
            person_id__in=[p.person_a_id for p in pairs] + [p.person_b_id for p in pairs]
        ).values_list("person_id", "individual_id")
    )
    allowed = set(visible_individual_ids(request.user, sorted(set(home.values()))))
    items = [
        {"pair": p, "individual_id": home[p.person_a_id]}
        for p in pairs
        if home.get(p.person_a_id) in allowed and home.get(p.person_b_id) in allowed
    ]
    return render(request, "web/review.html", {"items": items, "page": page})
