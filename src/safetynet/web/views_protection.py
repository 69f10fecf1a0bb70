"""The protection workspace's screens: children in police protection and in custody now (the
72-hour limit counting down, the wait for accommodation, the flags), the requests children's
social care answers, finding a child to record, and one police protection record with a form
for every action (designate and hand over, notify, request and provide accommodation, strategy
discussion, end with a rationale). The custody record's screens are in `views_custody`.
Thin: reads from `reads.protection`, changes through `protection.police` (capture, versions,
access log); a refusal is shown beside its field with the GOV.UK error summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.lib.clock import system_clock
from safetynet.meetings.services import person_ref
from safetynet.missing.facts import person_words
from safetynet.protection import police
from safetynet.protection.common import NotYourRecord, ProtectionRefused
from safetynet.reads import access
from safetynet.reads.protection import (
    log_record,
    officer_choices,
    protection_now,
    record_detail,
    record_for_user,
    requests_for_social_care,
)
from safetynet.reads.search import SearchQuery, search_people
from safetynet.web.forms_protection import (
    AccommodationForm,
    DesignateForm,
    EndForm,
    NotifyForm,
    ProvidedForm,
    StrategyForm,
    TakeForm,
)
from safetynet.web.viewer import may_use

Refusals = (ProtectionRefused, NotYourRecord)
POLICE_FORMS: dict[str, tuple[type[Any], str]] = {
    "designate": (DesignateForm, "web:protection_designate"),
    "notify": (NotifyForm, "web:protection_notify"),
    "accommodation": (AccommodationForm, "web:protection_accommodation"),
    "provided": (ProvidedForm, "web:protection_provided"),
    "strategy": (StrategyForm, "web:protection_strategy"),
    "end": (EndForm, "web:protection_end"),
}


@require_GET
@login_required
def protection_list(request: HttpRequest) -> HttpResponse:
    """Children in police protection and in custody now; a search to find the child to record."""
    now = system_clock.now()
    found = protection_now(request.user, now)
    access.log_view(
        request.user, object_type="protection_list", object_ids=[], individual_ids=found.individual_ids, fields=["list"]
    )
    name = request.GET.get("name", "").strip()[:100]
    results = search_people(SearchQuery(name=name), now.date(), user=request.user) if name else None
    if results is not None:
        access.log_search(request.user, fields=["name"], individual_ids=[r.headline.individual_id for r in results])
    context = {"found": found, "name": name, "results": results, "now": now}
    return render(request, "web/protection.html", context)


@require_GET
@login_required
def protection_requests(request: HttpRequest) -> HttpResponse:
    """Children's social care's list: children waiting for accommodation and s38(6) transfers
    not yet answered, longest first."""
    now = system_clock.now()
    found = requests_for_social_care(request.user, now)
    access.log_view(
        request.user,
        object_type="protection_requests",
        object_ids=[],
        individual_ids=found.individual_ids,
        fields=["requests"],
    )
    return render(request, "web/protection_requests.html", {"found": found, "now": now})


def refusal_to_form(form: Any, refused: Exception) -> None:
    """Shows a service's refusal beside the field it names (the form's own error otherwise)."""
    field = getattr(refused, "field", None)
    expected = str(getattr(refused, "expected", "") or refused)
    form.add_error(form.field_for(field) if field else None, expected[:1].upper() + expected[1:])


def _child(request: HttpRequest) -> Any:
    try:
        return access.individual_for_user(request.user, int(request.GET.get("individual", "")))
    except ValueError:
        raise Http404("no child chosen") from None


def new_record(
    request: HttpRequest, form: Any, template: str, make: Callable[[Any, int], Any], done: str, target: str
) -> HttpResponse:
    """The first form of a record about one child (police protection taken, booked into custody)."""
    individual = _child(request)
    if request.method == "POST" and form.is_valid():
        try:
            event = make(form, individual.pk)
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, done)
            return redirect(target, event.pk)
    access.log_view(
        request.user, object_type="individual", object_ids=[individual.pk], individual_ids=[individual.pk], fields=[]
    )
    name = person_words(person_ref(individual.pk))
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, "individual": individual, "name": name}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def police_new(request: HttpRequest) -> HttpResponse:
    def make(form: Any, individual: int) -> Any:
        data = form.cleaned_data
        return police.take(
            acting_user=request.user,
            individual_id=individual,
            started_at=form.moment("started_at"),
            grounds=data["grounds"],
            place_of_safety=data["place_of_safety"],
            place_is_police_station=data["place_is_police_station"],
            clock=system_clock,
        )

    form = TakeForm(request.POST or None)
    return new_record(
        request, form, "web/protection_police_new.html", make, "Police protection recorded.", "web:protection_police"
    )


def _police_forms(request: HttpRequest, bound: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (form_class, url_name) in POLICE_FORMS.items():
        if not may_use(request.user, url_name):
            continue
        extra = {"officers": officer_choices()} if form_class is DesignateForm else {}
        out[f"{key}_form"] = bound.get(key) or form_class(prefix=key, **extra)
    return out


def _police_page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    event = record_for_user(request.user, pk, police.EVENT_TYPE)
    detail = record_detail(event, system_clock.now())
    log_record(request.user, detail)
    forms = _police_forms(request, bound or {})
    context = {
        "detail": detail,
        "event": event,
        "d": event.details or {},
        "forms": forms,
        **forms,
        "bound_errors": bool(bound),
    }
    return render(request, "web/protection_police.html", context, status=422 if bound else 200)


@require_GET
@login_required
def police_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _police_page(request, pk)


def change(
    request: HttpRequest,
    key: str,
    form: Any,
    act: Callable[[Any], Any],
    done: str,
    *,
    page: Callable[..., HttpResponse],
    pk: int,
    event_type: str,
    target: str,
) -> HttpResponse:
    """Validates `form` and makes the change, or shows the page again with the refusal beside
    its field (nothing stored)."""
    record_for_user(request.user, pk, event_type)
    if form.is_valid():
        try:
            act(form)
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, done)
            return redirect(target, pk)
    return page(request, pk, {key: form})


def _police_change(request: HttpRequest, pk: int, key: str, act: Callable[[Any], Any], done: str) -> HttpResponse:
    form_class = POLICE_FORMS[key][0]
    extra = {"officers": officer_choices()} if form_class is DesignateForm else {}
    form = form_class(request.POST, prefix=key, **extra)
    return change(
        request,
        key,
        form,
        act,
        done,
        page=_police_page,
        pk=pk,
        event_type=police.EVENT_TYPE,
        target="web:protection_police",
    )


@require_POST
@login_required
def police_designate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        officer = police.officer_of(form.cleaned_data["designated_officer"])
        police.designate(pk, acting_user=request.user, officer=officer, at=form.moment("at"), clock=system_clock)

    return _police_change(request, pk, "designate", act, "Designated officer recorded.")


@require_POST
@login_required
def police_notify(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        police.notify(
            pk,
            acting_user=request.user,
            csc_at=form.moment("csc_at"),
            csc_told=form.cleaned_data["csc_told"],
            parents_at=form.moment("parents_at"),
            clock=system_clock,
        )

    return _police_change(request, pk, "notify", act, "Notifications recorded.")


@require_POST
@login_required
def police_accommodation(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        police.request_accommodation(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _police_change(request, pk, "accommodation", act, "Accommodation requested from children's social care.")


@require_POST
@login_required
def police_provided(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        police.provide_accommodation(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _police_change(request, pk, "provided", act, "Accommodation recorded as provided.")


@require_POST
@login_required
def police_strategy(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        police.strategy_discussion(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _police_change(request, pk, "strategy", act, "Strategy discussion scheduled.")


@require_POST
@login_required
def police_end(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        police.end(
            pk,
            acting_user=request.user,
            at=form.moment("ended_at"),
            rationale=form.cleaned_data["end_rationale"],
            clock=system_clock,
        )

    return _police_change(request, pk, "end", act, "Police protection ended.")
