"""The auditor's screens under /audit/: the access log (filtered, paged), "who has looked at this
child's record?" (the same answer as `safetynet audit report --person ID`) and the chain's
status (`safetynet audit verify`). The matrix gives them to `view_audit`; each view of them is
itself written to the access log. They show staff usernames and record numbers, never a
child's name: the auditor's role opens no child records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.audit.models import Action
from safetynet.audit.services import current_head, record_audit, verify_chain
from safetynet.reads.audit_log import LogFilter, entries_about, filtered_entries
from safetynet.web.forms import AuditFilterForm, AuditPersonForm

PAGE_SIZE = 50
FILTERS = ("who", "action", "person", "date_from", "date_to")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _log_consultation(request: HttpRequest, object_type: str, object_ids: list[Any], fields: list[str]) -> None:
    """Reading the access log is itself in the access log (after the query, so a page never
    lists its own entry)."""
    record_audit(
        acting_user=request.user,
        action=Action.VIEW,
        object_type=object_type,
        object_ids=object_ids,
        fields=fields,
    )


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every access-log entry, newest first, 50 a page; filter by who, action, child and days."""
    form = AuditFilterForm(request.GET or None)
    chosen = LogFilter()
    if form.is_bound and form.is_valid():
        individual_id, person_id = form.cleaned_data["person"] or (None, None)
        chosen = LogFilter(
            who=form.cleaned_data["who"].strip(),
            action=form.cleaned_data["action"],
            individual_id=individual_id,
            person_id=person_id,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    page = Paginator(filtered_entries(chosen), PAGE_SIZE).get_page(_page_number(request))
    entries = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    used = [name for name in FILTERS if request.GET.get(name)]
    _log_consultation(request, "access_log", [e.seq for e in entries], ["access_log", *[f"filter:{n}" for n in used]])
    context = {
        "filter_form": form,
        "filters_active": bool(used),
        "page": page,
        "entries": entries,
        "filter_query": query.urlencode(),
    }
    return render(request, "web/audit_log.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def audit_person(request: HttpRequest) -> HttpResponse:
    """Who has looked at this child's record: every entry concerning the child, oldest first."""
    form = AuditPersonForm(request.GET or None)
    entries = None
    if form.is_bound and form.is_valid():
        individual_id, person_id = form.cleaned_data["person"]
        entries = entries_about(individual_id=individual_id, person_id=person_id)
        _log_consultation(request, "access_log_report", [request.GET["person"].strip()], ["who_looked"])
    context = {"form": form, "entries": entries, "asked": request.GET.get("person", "").strip()}
    return render(request, "web/audit_person.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def audit_chain(request: HttpRequest) -> HttpResponse:
    """The chain's status: verified now, intact or the first broken entry; the head to anchor."""
    result = verify_chain()
    head = current_head()
    _log_consultation(request, "access_log_chain", [], ["chain_status"])
    return render(request, "web/audit_chain.html", {"result": result, "head": head})
