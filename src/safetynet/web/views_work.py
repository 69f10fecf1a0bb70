"""My work: current findings for me and my team, earliest deadline first; acknowledge, or
resolve with a rationale (language-checked; the refusal shows the suggested wording)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.risk.services import TransitionRefused, acknowledge_finding, resolve_finding
from safetynet.web.clock import clock
from safetynet.web.forms import ResolveFindingForm
from safetynet.web.viewer import may_use, role_code
from safetynet.web.work import finding_for_user, my_work


@require_GET
@login_required
def work(request: HttpRequest) -> HttpResponse:
    """The list: owned by my role, overdue highlighted, soonest deadline first."""
    now = clock().now()
    overdue_only = request.GET.get("show") == "overdue"
    rows = my_work(request.user, role_code(request.user), now, now.date(), overdue_only=overdue_only)
    context = {
        "rows": rows,
        "overdue_count": sum(1 for r in rows if r.overdue),
        "overdue_only": overdue_only,
        "may_act": may_use(request.user, "web:finding_resolve"),
    }
    return render(request, "web/work.html", context)


@require_POST
@login_required
def acknowledge(request: HttpRequest, finding_id: int) -> HttpResponse:
    """Acknowledge an open finding: someone has seen it and owns it."""
    finding = finding_for_user(request.user, finding_id)
    if not may_use(request.user, "web:finding_acknowledge"):
        raise Http404
    try:
        acknowledge_finding(finding.pk, acting_user=request.user, clock=clock())  # type: ignore[arg-type]
    except TransitionRefused:
        messages.info(request, "That finding was already acknowledged or is no longer open.")
    else:
        messages.success(request, "Acknowledged. It stays on the list until it is resolved.")
    return redirect("web:my_work")


@require_http_methods(["GET", "POST"])
@login_required
def resolve(request: HttpRequest, finding_id: int) -> HttpResponse:
    """Resolve a current finding with a rationale; errors keep what was typed."""
    finding = finding_for_user(request.user, finding_id)
    if not may_use(request.user, "web:finding_resolve"):
        raise Http404
    form = ResolveFindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resolve_finding(
                finding.pk,
                form.cleaned_data["rationale"],
                acting_user=request.user,  # type: ignore[arg-type]
                clock=clock(),
            )
        except TransitionRefused:
            form.add_error("rationale", "This finding is no longer open, so it cannot be resolved")
        else:
            messages.success(request, "Resolved. Your rationale is recorded with the finding.")
            return redirect("web:my_work")
    from safetynet.web.work import rows_for

    now = clock().now()
    row = rows_for([finding], now, now.date())[0]
    return render(request, "web/resolve.html", {"row": row, "form": form}, status=400 if form.errors else 200)
