"""Recording intelligence (docs/exploitation.md "Intelligence"): from a person's page, the text,
when it was received and its 3x5x2 grading; unconfirmed intelligence about a child is emerging
and goes on the next MACE agenda. Thin: writes through `exploitation.intelligence`; a refusal
shows beside its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.exploitation import intelligence
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import exploitation as reads
from safetynet.web.forms_exploitation import IntelligenceForm
from safetynet.web.forms_meetings import _when
from safetynet.web.views_exploitation import Refusals, refusal_to_form


@require_http_methods(["GET", "POST"])
@login_required
def intelligence_new(request: HttpRequest) -> HttpResponse:
    """Intelligence about the person `?individual=<id>`, graded 3x5x2."""
    try:
        individual = int(request.GET.get("individual", ""))
    except ValueError:
        raise Http404 from None
    access.individual_for_user(request.user, individual)
    form = IntelligenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intelligence.record(
                [individual],
                text=data["text"],
                occurred_at=_when(data["occurred_on"], data["occurred_time"]),
                source=data["source"],
                assessment=data["assessment"],
                handling=data["handling"],
                handling_conditions=data["handling_conditions"],
                confirmed=data["confirmed"] == "yes",
                acting_user=request.user,
                clock=system_clock,
            )
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Intelligence recorded.")
            return redirect("web:person", individual)
    name = reads.names_for(request.user, [individual])[individual]
    status = 422 if request.method == "POST" else 200
    context = {"individual": individual, "name": name, "form": form}
    return render(request, "web/intelligence_new.html", context, status=status)
