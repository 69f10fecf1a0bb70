"""Identity decisions from the person page: compare two source records side by side with the
model's explanation, and decide "same person" or "not the same person" with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.identity.memberships import individual_of_people
from safetynet.identity.services import decide_pair
from safetynet.lib.clock import system_clock
from safetynet.reads.access import individual_for_user, log_view, person_record_for_user
from safetynet.reads.identity_panel import explain, explanation_lines
from safetynet.web.forms import IdentityDecisionForm
from safetynet.web.viewer import may


@require_http_methods(["GET", "POST"])
@login_required
def compare(request: HttpRequest, individual_id: int, person_id: int, other_id: int) -> HttpResponse:
    """Both records, the model's explanation, and (for reviewers) the decision form."""
    individual_for_user(request.user, individual_id)
    ours, ours_individual = person_record_for_user(request.user, person_id)
    other, other_individual = person_record_for_user(request.user, other_id)
    if ours_individual != individual_id or person_id == other_id:
        raise Http404
    may_decide = may(request.user, "review_links")
    form = IdentityDecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise Http404
        if form.is_valid():
            same = form.cleaned_data["same"] == "yes"
            try:
                decide_pair((ours.pk, other.pk), same, acting_user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error("same", " ".join(exc.messages).capitalize())
            else:
                now_in = individual_of_people([ours.pk])[ours.pk]
                messages.success(
                    request,
                    "Recorded: the same person. The records are now linked."
                    if same
                    else "Recorded: not the same person. The records are now kept apart.",
                )
                return redirect("web:person", individual_id=now_in)
    explanation = explain(ours.pk, other.pk, system_clock.now().date())
    log_view(
        request.user,
        object_type="identity_compare",
        object_ids=[ours.pk, other.pk],
        individual_ids=[ours_individual, other_individual],
        person_ids=[ours.pk, other.pk],
        fields=["identity", "identifiers", "match_explanation"],
    )
    context = {
        "individual_id": individual_id,
        "ours": ours,
        "other": other,
        "other_individual_id": other_individual,
        "linked": ours_individual == other_individual,
        "explanation": explanation,
        "lines": explanation_lines(explanation) if explanation else [],
        "form": form,
        "may_decide": may_decide,
    }
    return render(request, "web/compare.html", context, status=400 if form.errors else 200)
