"""The missing workspace's screens: the coordinator's list (children missing now, children by
how often they go missing, finding a child to report), the report form with the policy floor
and its facts beside the grade, one episode (clocks, reviews, officer in charge, lines of
enquiry with the picture's proposals, found, return home interview, findings) and the htmx
language check of a rationale as it is typed. Thin: reads from `reads.missing`, changes
through `missing.services` and `missing.returns` (capture, versions, access log)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.exports.services import export_csv
from safetynet.lib.clock import system_clock
from safetynet.meetings.services import person_ref
from safetynet.missing import care, facts, returns
from safetynet.missing import services as missing
from safetynet.reads import access, missing_history
from safetynet.reads.exploitation import rso_warning
from safetynet.reads.missing import (
    PLAN_STATUSES,
    ListFilter,
    coordinator_list,
    episode_detail,
    episode_for_user,
    log_episode,
)
from safetynet.reads.person import headlines_for
from safetynet.reads.search import SearchQuery, search_people
from safetynet.risk.areas import area_named, areas
from safetynet.risk.policy import current_policy
from safetynet.web.forms_missing import (
    FROM_LABELS,
    FoundForm,
    InterviewForm,
    LineDoneForm,
    LineForm,
    OfficerForm,
    ReportForm,
    ReviewForm,
)
from safetynet.web.forms_missing_plans import HomeEnquiriesForm
from safetynet.web.viewer import may_use

Refusals = (missing.MissingRefused, missing.NotYours)
RECENT_ON_FORM = 5  # the child's latest episodes shown beside the grade


def list_filter(request: HttpRequest) -> ListFilter:
    """The coordinator's list filters from the URL (a value not on offer is ignored)."""
    chosen = request.GET.get("missing_from", "")
    plan = request.GET.get("plan", "")
    try:
        home: int | None = int(request.GET.get("care_home", ""))
    except ValueError:
        home = None
    return ListFilter(
        missing_from=chosen if chosen in FROM_LABELS else "",
        care_home=home,
        plan=plan if plan in PLAN_STATUSES else "",
        area=area_named(request.GET.get("area", "")[:100]),
    )


@require_GET
@login_required
def missing_list(request: HttpRequest) -> HttpResponse:
    """Children missing now and by repeat count, filtered; a search to find the child to report."""
    now = system_clock.now()
    chosen = list_filter(request)
    found = coordinator_list(request.user, now, chosen)
    ids = sorted(
        {r.individual_id for r in found.missing_now if r.individual_id} | {r.individual_id for r in found.repeat}
    )
    access.log_view(request.user, object_type="missing_list", object_ids=[], individual_ids=ids, fields=["list"])
    name = request.GET.get("name", "").strip()[:100]
    results = search_people(SearchQuery(name=name), now.date(), user=request.user) if name else None
    if results is not None:
        access.log_search(request.user, fields=["name"], individual_ids=[r.headline.individual_id for r in results])
    homes = care.children_homes()
    context = {
        "found": found,
        "name": name,
        "results": results,
        "from_labels": FROM_LABELS,
        "chosen": chosen,
        "query": chosen.query(),
        "homes": homes,
        "plan_labels": PLAN_STATUSES,
        "areas": areas(),
        "may_export": may_use(request.user, "web:missing_csv"),
    }
    return render(request, "web/missing.html", context)


NOW_COLUMNS = [
    ("Child", lambda r: r.name),
    ("Child id", lambda r: r.individual_id),
    ("Episode id", lambda r: r.episode.pk),
    ("Missing since", lambda r: r.started),
    ("Hours missing", lambda r: r.hours),
    ("Missing from", lambda r: FROM_LABELS.get(r.missing_from, r.missing_from)),
    ("Grade in force", lambda r: r.grade),
    ("Episodes in 12 months", lambda r: r.episodes_year),
    ("Plan", lambda r: PLAN_STATUSES.get(r.plan, r.plan)),
]
REPEAT_COLUMNS = [
    ("Child", lambda r: r.name),
    ("Child id", lambda r: r.individual_id),
    ("Episodes in 12 months", lambda r: r.episodes_year),
    ("Missing now", lambda r: "yes" if r.open_now else "no"),
    ("Plan", lambda r: PLAN_STATUSES.get(r.plan, r.plan)),
]


@require_GET
@login_required
def missing_csv(request: HttpRequest) -> HttpResponse:
    """The coordinator's list as CSV (`list=now` or `list=repeat`, with the page's filters),
    logged as an export of every child in it."""
    found = coordinator_list(request.user, system_clock.now(), list_filter(request))
    if request.GET.get("list") == "repeat":
        return export_csv(
            request,
            found.repeat,
            REPEAT_COLUMNS,
            title="Children missing twice or more in 12 months",
            filename="repeat-missing",
            individual_ids=[r.individual_id for r in found.repeat],
            object_type="missing_list",
            fields=["repeat"],
        )
    return export_csv(
        request,
        found.missing_now,
        NOW_COLUMNS,
        title="Children missing now",
        filename="missing-now",
        individual_ids=[r.individual_id for r in found.missing_now if r.individual_id],
        object_type="missing_list",
        object_ids=[r.episode.pk for r in found.missing_now],
        fields=["missing_now"],
    )


@require_GET
@login_required
def missing_child(request: HttpRequest, individual_id: int) -> HttpResponse:
    """One child's repeat missing history: counts, episodes by month (a chart and its table)
    with where they were found, and every episode."""
    access.individual_for_user(request.user, individual_id)
    now = system_clock.now()
    found = missing_history.history(request.user, individual_id, now)
    missing_history.log_history(request.user, found)
    head = headlines_for([individual_id], now.date()).get(individual_id)
    context = {"found": found, "child": head, "chart_height": missing_history.CHART_HEIGHT}
    return render(request, "web/missing_child.html", context)


def _refusal_to_form(form: Any, refused: Exception) -> None:
    field = getattr(refused, "field", None)
    expected = getattr(refused, "expected", str(refused))
    form.add_error(field if field in form.fields else None, expected[:1].upper() + expected[1:])


def _with_check(form: Any) -> Any:
    if "rationale" in form.fields:
        form.fields["rationale"].widget.attrs["hx-post"] = reverse("web:missing_language")
    return form


@require_http_methods(["GET", "POST"])
@login_required
def missing_new(request: HttpRequest) -> HttpResponse:
    """The report form for one child: the floor and its facts first, then the grade."""
    try:
        individual = access.individual_for_user(request.user, int(request.GET.get("individual", "")))
    except ValueError:
        raise Http404("no child chosen") from None
    now = system_clock.now()
    floor = facts.floor_for(individual.pk, now)
    placement = care.placement_of(individual.pk)
    form = _with_check(ReportForm(request.POST or None, initial={"care_home": placement.pk if placement else None}))
    form.set_homes(care.children_homes())
    if request.method == "POST" and form.is_valid():
        given = missing.Report(
            last_seen_at=form.last_seen(),
            missing_from=form.cleaned_data["missing_from"],
            circumstances=form.cleaned_data["circumstances"],
            description=form.cleaned_data["description"],
            reported_by=form.cleaned_data["reported_by"],
            risk=form.cleaned_data["risk"],
            ethnicity_self_defined=form.cleaned_data["ethnicity_self_defined"],
            rationale=form.cleaned_data["rationale"],
            thrive=form.thrive(),
            last_seen_place=form.cleaned_data["last_seen_place"],
        )
        try:
            if form.cleaned_data["missing_from"] == "care":
                given = replace(given, care_home=care.home_ref(form.cleaned_data["care_home"]))
            episode = missing.report(individual.pk, given, acting_user=request.user, clock=system_clock)
        except Refusals as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, "Missing episode reported.")
            return redirect("web:missing_episode", episode.pk)
    access.log_view(
        request.user,
        object_type="individual",
        object_ids=[individual.pk],
        individual_ids=[individual.pk],
        fields=["missing_floor"],
    )
    past = missing_history.history(request.user, individual.pk, now)
    recent = past.episodes[:RECENT_ON_FORM]
    if recent:
        access.log_view(
            request.user,
            object_type="event",
            object_ids=[e.episode.pk for e in recent],
            individual_ids=[individual.pk],
            fields=["missing_history"],
        )
    context = {
        "form": form,
        "floor": floor,
        "individual": individual,
        "name": facts.person_words(person_ref(individual.pk)),
        "past": past,
        "recent": recent,
    }
    return render(request, "web/missing_new.html", context)


def _people(detail: Any) -> list[tuple[int, str]]:
    """The people the child may have been found with: those on lines of enquiry and proposed."""
    named = [line.person for line in detail.lines] + [p.person for p in detail.proposals]
    out = {n.individual_id: n.text for n in named if n is not None and n.shown and n.individual_id}
    return list(out.items())


def _forms(detail: Any, bound: dict[str, Any]) -> dict[str, Any]:
    version = {"version": detail.version}
    found = bound.get("found") or FoundForm(initial=version)
    found.set_people(_people(detail))
    return {
        "review_form": _with_check(bound.get("review") or ReviewForm(initial=version)),
        "officer_form": bound.get("officer") or OfficerForm(initial=version),
        "line_form": bound.get("line") or LineForm(initial=version),
        "found_form": found,
        "interview_form": bound.get("interview") or InterviewForm(initial=version),
        "done_form": bound.get("done") or LineDoneForm(initial=version),
        "enquiries_form": bound.get("enquiries") or HomeEnquiriesForm(initial=version),
    }


def _page(request: HttpRequest, episode_id: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    episode = episode_for_user(request.user, episode_id)
    detail = episode_detail(request.user, episode, system_clock.now())
    log_episode(request.user, detail, ["missing_episode"])
    context = {
        "detail": detail,
        "episode": episode,
        "may_act": may_use(request.user, "web:missing_found"),
        "bound_errors": bool(bound),
        "rso_warning": rso_warning(request.user, episode, system_clock.now().date()),
        **_forms(detail, bound or {}),
    }
    status = 422 if bound else 200
    return render(request, "web/missing_episode.html", context, status=status)


@require_GET
@login_required
def missing_episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    return _page(request, episode_id)


def _change(
    request: HttpRequest, episode_id: int, key: str, form: Any, act: Callable[[Any, str | None], Any], done: str
) -> HttpResponse:
    """Validates `form`, makes the change with the version it was made on, or shows the page
    again with the refusal beside its field (nothing stored)."""
    episode_for_user(request.user, episode_id)
    if form.is_valid():
        try:
            act(form, form.cleaned_data.get("version") or None)
        except Refusals as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, done)
            return redirect("web:missing_episode", episode_id)
    return _page(request, episode_id, {key: form})


@require_POST
@login_required
def missing_review(request: HttpRequest, episode_id: int) -> HttpResponse:
    def act(form: Any, version: str | None) -> None:
        missing.review(
            episode_id,
            risk=form.cleaned_data["risk"],
            rationale=form.cleaned_data["rationale"],
            version=version,
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, episode_id, "review", ReviewForm(request.POST), act, "Review recorded.")


@require_POST
@login_required
def missing_officer(request: HttpRequest, episode_id: int) -> HttpResponse:
    def act(form: Any, version: str | None) -> None:
        missing.assign_officer(
            episode_id,
            officer=form.cleaned_data["officer"],
            version=version,
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, episode_id, "officer", OfficerForm(request.POST), act, "Officer in charge named.")


@require_POST
@login_required
def missing_line_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    def act(form: Any, version: str | None) -> None:
        data = form.cleaned_data
        location = {"source": data["location_source"], "id": data["location_id"]} if data["location_id"] else None
        if data["individual"] is not None:
            access.individual_for_user(request.user, data["individual"])
        missing.add_line(
            episode_id,
            text=data["text"],
            individual_id=data["individual"],
            location=location,
            address=data["address"],
            proposed_from=data["proposed_from"],
            version=version,
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, episode_id, "line", LineForm(request.POST), act, "Line of enquiry added.")


@require_POST
@login_required
def missing_line_done(request: HttpRequest, episode_id: int, index: int) -> HttpResponse:
    def act(form: Any, version: str | None) -> None:
        missing.complete_line(
            episode_id,
            index,
            outcome=form.cleaned_data["outcome"],
            version=version,
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, episode_id, "done", LineDoneForm(request.POST), act, "Line of enquiry recorded as done.")


@require_POST
@login_required
def missing_found(request: HttpRequest, episode_id: int) -> HttpResponse:
    form = FoundForm(request.POST)
    detail = episode_detail(request.user, episode_for_user(request.user, episode_id), system_clock.now())
    form.set_people(_people(detail))

    def act(form: Any, version: str | None) -> None:
        data = form.cleaned_data
        given = returns.Found(
            found_at=form.found_at(),
            found_by=data["found_by"],
            place=data["place"],
            with_people=data["with_people"],
            returned_of_own_accord=data["returned_of_own_accord"],
            prevention_interview=data["prevention_interview"],
            referral=data["referral"],
        )
        returns.record_found(episode_id, given, version=version, acting_user=request.user, clock=system_clock)

    return _change(request, episode_id, "found", form, act, "Child recorded as found.")


@require_POST
@login_required
def missing_interview(request: HttpRequest, episode_id: int) -> HttpResponse:
    def act(form: Any, version: str | None) -> None:
        returns.record_return_interview(
            episode_id,
            completed_at=form.completed_at(),
            outcome=form.cleaned_data["outcome"],
            declined=form.cleaned_data["declined"],
            version=version,
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(
        request, episode_id, "interview", InterviewForm(request.POST), act, "Return home interview recorded."
    )


@require_POST
@login_required
def missing_language(request: HttpRequest) -> HttpResponse:
    """The htmx check of a rationale as it is typed: each flagged phrase with the suggested
    wording, and whether it cites how often the child goes missing (never a reason)."""
    text = str(request.POST.get("rationale") or "")[:4000]
    policy = current_policy()
    flagged = [match for _, _, match in policy.language_spans(text, about_child=True)]
    frequency = [w for w in policy.clause("M1").words("frequency_words") if w in text.lower()]
    return render(
        request, "web/includes/missing_language.html", {"flagged": flagged, "frequency": frequency, "text": text}
    )
