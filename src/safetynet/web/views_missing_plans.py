"""The missing workspace's screens for a child's trigger plans, Philomena profiles and FARPs (list,
record, edit), the care home's initial enquiries on an episode, and a child not on record
reported missing (created, then the report form). Thin: reads from `reads.missing_plans`,
changes through `missing.plans` and `missing.care` (capture, versions, access log)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.lib.clock import system_clock
from safetynet.meetings.services import person_ref
from safetynet.missing import care, facts, plans
from safetynet.missing import services as missing
from safetynet.reads import access
from safetynet.reads.missing import episode_for_user
from safetynet.reads.missing_plans import PlanRow, candidates, log_plans, plans_for
from safetynet.web.forms_missing_plans import HomeEnquiriesForm, NewChildForm, PlanForm
from safetynet.web.viewer import may_use
from safetynet.web.views_missing import _page, _refusal_to_form

Refusals = (missing.MissingRefused, missing.NotYours)


@require_http_methods(["GET"])
@login_required
def missing_plans(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The child's trigger plans, Philomena profiles and FARPs, newest first."""
    access.individual_for_user(request.user, individual_id)
    rows = plans_for(request.user, individual_id, system_clock.now().date())
    log_plans(request.user, individual_id, rows)
    context = {
        "rows": rows,
        "individual_id": individual_id,
        "name": facts.person_words(person_ref(individual_id)),
        "may_edit": may_use(request.user, "web:missing_plan_new"),
    }
    return render(request, "web/missing_plans.html", context)


def _plan_form(request: HttpRequest, individual_id: int, row: PlanRow | None) -> PlanForm:
    people, places = candidates(request.user, individual_id, system_clock.now(), row)
    if request.method == "POST":
        form = PlanForm(request.POST)
    elif row is not None:
        p = row.plan.payload or {}
        form = PlanForm(
            initial={
                "version": row.version,
                "plan_type": row.plan.plan_type,
                "review_due": row.review_due,
                "description": row.description,
                "risks": row.risks,
                "content": row.content,
                "photo_reference": row.photo_reference,
                "phones": "\n".join(row.phones),
                "associates": [n.individual_id for n in row.associates if n.shown and n.individual_id],
                "places": [f"{r.get('source')}|{r.get('id')}" for r in p.get("places") or [] if isinstance(r, dict)],
            }
        )
    else:
        form = PlanForm(initial={"plan_type": "trigger_plan"})
    form.set_choices(people, places)
    form.style_widgets()
    return form


def _edit(request: HttpRequest, individual_id: int, row: PlanRow | None) -> HttpResponse:
    form = _plan_form(request, individual_id, row)
    if request.method == "POST" and form.is_valid():
        fields = form.given_fields()
        for who in fields["associates"]:
            access.individual_for_user(request.user, who)
        given = plans.PlanGiven(**fields)
        try:
            if row is None:
                plans.record_plan(individual_id, given, acting_user=request.user, clock=system_clock)
            else:
                version = form.cleaned_data.get("version") or None
                plans.update_plan(row.plan.pk, given, version=version, acting_user=request.user, clock=system_clock)
        except Refusals as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, "Plan recorded.")
            return redirect("web:missing_plans", individual_id)
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual_id],
        individual_ids=[individual_id],
        fields=["missing_plan_form"],
    )
    context = {
        "form": form,
        "row": row,
        "individual_id": individual_id,
        "name": facts.person_words(person_ref(individual_id)),
    }
    return render(request, "web/missing_plan_form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def missing_plan_new(request: HttpRequest, individual_id: int) -> HttpResponse:
    access.individual_for_user(request.user, individual_id)
    return _edit(request, individual_id, None)


@require_http_methods(["GET", "POST"])
@login_required
def missing_plan(request: HttpRequest, individual_id: int, pk: int) -> HttpResponse:
    access.individual_for_user(request.user, individual_id)
    rows = plans_for(request.user, individual_id, system_clock.now().date(), plan_id=pk)
    if not rows or not rows[0].editable:
        raise access.refused(request.user, object_type="plan", object_id=pk, individual_ids=[individual_id])
    return _edit(request, individual_id, rows[0])


@require_POST
@login_required
def missing_home_enquiries(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The care home's own initial enquiries, recorded on the episode."""
    episode_for_user(request.user, episode_id)
    form = HomeEnquiriesForm(request.POST)
    if form.is_valid():
        try:
            care.record_home_enquiries(
                episode_id,
                made_at=form.made_at(),
                checks=form.cleaned_data["checks"],
                made_by=form.cleaned_data["made_by"],
                findings=form.cleaned_data["findings"],
                version=form.cleaned_data.get("version") or None,
                acting_user=request.user,
                clock=system_clock,
            )
        except Refusals as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, "The home's enquiries recorded.")
            return redirect("web:missing_episode", episode_id)
    return _page(request, episode_id, {"enquiries": form})


@require_http_methods(["GET", "POST"])
@login_required
def missing_new_child(request: HttpRequest) -> HttpResponse:
    """A child not on record: recorded through capture, then straight to the report form."""
    form = NewChildForm(request.POST or None, initial={"sex": "unknown"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = care.NewChild(
            given_names=data["given_names"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            address=data["address"],
        )
        try:
            individual = care.create_child(given, acting_user=request.user, clock=system_clock)
        except Refusals as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, "Child recorded. Now report them missing.")
            return redirect(reverse("web:missing_new") + f"?individual={individual}")
    return render(request, "web/missing_new_child.html", {"form": form}, status=422 if form.errors else 200)
