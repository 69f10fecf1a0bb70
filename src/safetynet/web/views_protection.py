"""The protection workspace's screens: children in police protection and in custody now (the
72-hour limit counting down, the wait for accommodation, the flags), the requests children's
social care answers, finding a child to record, and one police protection record with a form
for every action (designate and hand over, notify, request and provide accommodation, strategy
discussion, end with a rationale). The custody record's screens are in `views_custody`.
Thin: reads from `reads.protection`, changes through `protection.police` (capture, versions,
access log); a refusal is shown beside its field with the GOV.UK error summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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
    return {
        f"{key}_form": bound.get(key) or action.bound(key)
        for key, action in POLICE.items()
        if may_use(request.user, action.url_name)
    }


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


@dataclass(frozen=True)
class RecordAction:
    """One form on a record's page (police protection, custody): its form, the URL name that
    receives it, what the service does with a valid form (`act(record id, acting user, form)`),
    what the page says once it is done, and any arguments the form needs (`extra`)."""

    form: type[Any]
    url_name: str
    act: Callable[[int, Any, Any], object]
    done: str
    extra: Callable[[], dict[str, Any]] = dict

    def bound(self, key: str, data: Any = None) -> Any:
        """The form, bound to `data` when given, under the prefix `key` (one page, many forms)."""
        return (
            self.form(data, prefix=key, **self.extra()) if data is not None else self.form(prefix=key, **self.extra())
        )


def action_view(
    actions: dict[str, RecordAction],
    key: str,
    *,
    page: Callable[..., HttpResponse],
    event_type: str,
    target: str,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST view of `actions[key]` on a record of `event_type`: one per URL (each its own
    permission in the access matrix), all through `change`."""
    action = actions[key]

    @require_POST
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        form = action.bound(key, request.POST)
        act = partial(action.act, pk, request.user)
        return change(request, key, form, act, action.done, page=page, pk=pk, event_type=event_type, target=target)

    view.__name__ = view.__qualname__ = f"{event_type}_{key}"
    return view


def _designate(pk: int, user: Any, form: Any) -> None:
    officer = police.officer_of(form.cleaned_data["designated_officer"])
    police.designate(pk, acting_user=user, officer=officer, at=form.moment("at"), clock=system_clock)


POLICE: dict[str, RecordAction] = {
    "designate": RecordAction(
        DesignateForm,
        "web:protection_designate",
        _designate,
        "Designated officer recorded.",
        extra=lambda: {"officers": officer_choices()},
    ),
    "notify": RecordAction(
        NotifyForm,
        "web:protection_notify",
        lambda pk, user, form: police.notify(
            pk,
            acting_user=user,
            csc_at=form.moment("csc_at"),
            csc_told=form.cleaned_data["csc_told"],
            parents_at=form.moment("parents_at"),
            clock=system_clock,
        ),
        "Notifications recorded.",
    ),
    "accommodation": RecordAction(
        AccommodationForm,
        "web:protection_accommodation",
        lambda pk, user, form: police.request_accommodation(
            pk, acting_user=user, at=form.moment("at"), clock=system_clock
        ),
        "Accommodation requested from children's social care.",
    ),
    "provided": RecordAction(
        ProvidedForm,
        "web:protection_provided",
        lambda pk, user, form: police.provide_accommodation(
            pk, acting_user=user, at=form.moment("at"), clock=system_clock
        ),
        "Accommodation recorded as provided.",
    ),
    "strategy": RecordAction(
        StrategyForm,
        "web:protection_strategy",
        lambda pk, user, form: police.strategy_discussion(
            pk, acting_user=user, at=form.moment("at"), clock=system_clock
        ),
        "Strategy discussion scheduled.",
    ),
    "end": RecordAction(
        EndForm,
        "web:protection_end",
        lambda pk, user, form: police.end(
            pk,
            acting_user=user,
            at=form.moment("ended_at"),
            rationale=form.cleaned_data["end_rationale"],
            clock=system_clock,
        ),
        "Police protection ended.",
    ),
}


def _police_view(key: str) -> Callable[[HttpRequest, int], HttpResponse]:
    return action_view(POLICE, key, page=_police_page, event_type=police.EVENT_TYPE, target="web:protection_police")


police_designate = _police_view("designate")
police_notify = _police_view("notify")
police_accommodation = _police_view("accommodation")
police_provided = _police_view("provided")
police_strategy = _police_view("strategy")
police_end = _police_view("end")
