"""Exploitation screening's screen (X1): a child's screenings, newest first, and a screening
recorded with the indicators weighed, the outcome and the rationale. Thin: reads from
`reads.exploitation`, writes through `exploitation.screening`; a refusal shows beside its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.exploitation import screening
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import exploitation as reads
from safetynet.web.forms_exploitation import ScreeningForm
from safetynet.web.forms_meetings import _when
from safetynet.web.views_exploitation import Refusals, refusal_to_form


@require_http_methods(["GET", "POST"])
@login_required
def child_screening(request: HttpRequest, child: int) -> HttpResponse:
    """A child's exploitation screenings, and a screening recorded (X1 closes when it is)."""
    access.individual_for_user(request.user, child)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            screening.record(
                child,
                screened_at=_when(data["screened_on"], data["screened_time"]),
                outcome=data["outcome"],
                indicators=data["indicators"],
                concern_types=data["concern_types"],
                rationale=data["rationale"],
                acting_user=request.user,
                clock=system_clock,
            )
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Screening recorded.")
            return redirect("web:exploitation_screening", child)
    found = reads.screenings(request.user, child)
    name = reads.names_for(request.user, [child])[child]
    access.log_view(request.user, object_type="screening", object_ids=[s.pk for s in found], individual_ids=[child])
    context = {
        "child": child,
        "name": name,
        "screenings": found,
        "form": form,
        "outcomes": screening.OUTCOMES,
        "concerns": screening.CONCERN_LABELS,
        "failed": request.method == "POST",
    }
    return render(request, "web/exploitation_screening.html", context, status=422 if request.method == "POST" else 200)
