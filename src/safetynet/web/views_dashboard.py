"""A dashboard of counts: the analyst's and auditor's first screen. Counts only, no names."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.lib.clock import system_clock
from safetynet.reads.dashboard import counts


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of people, recent events by type, current markers and open review items."""
    return render(request, "web/dashboard.html", dataclasses.asdict(counts(system_clock.now())))
