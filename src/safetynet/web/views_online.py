"""The online abuse screens (online child abuse investigation team, digital forensics): image
offences recorded, one offence with every child involved (found by name, each given a
safeguarding decision) and its devices (seized, submitted with a priority, returned), and the
forensic backlog by priority and age. Thin: reads from `reads.exploitation`, changes through
`exploitation.online` (capture, versions, access log)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.exploitation import online, requests
from safetynet.lib.clock import system_clock
from safetynet.reads import access
from safetynet.reads import exploitation as reads
from safetynet.reads.search import SearchQuery, search_people
from safetynet.records.models import Event
from safetynet.risk.policy import current_policy
from safetynet.web.forms_exploitation import (
    INVOLVEMENT_LABELS,
    PRIORITY_LABELS,
    AddChildForm,
    AnswerForm,
    ChaseForm,
    DecisionForm,
    OffenceForm,
    RequestForm,
    ReturnForm,
    SeizeForm,
    SubmitForm,
)
from safetynet.web.forms_meetings import _when
from safetynet.web.views_exploitation import Refusals, refusal_to_form


@require_http_methods(["GET", "POST"])
@login_required
def offences(request: HttpRequest) -> HttpResponse:
    """Image offences recorded here, newest first; a new one recorded from its first child
    (found by name)."""
    form = OffenceForm(request.POST or None, initial={"individual": request.GET.get("individual")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access.individual_for_user(request.user, data["individual"])
        try:
            offence = online.record_offence(
                offence=data["offence"],
                occurred_at=_when(data["occurred_on"], data["occurred_time"]),
                children=[(data["individual"], data["involvement"])],
                acting_user=request.user,
                clock=system_clock,
            )
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Offence recorded: now add every other child involved.")
            return redirect("web:online_offence", offence.pk)
    chosen = form["individual"].value()
    first = None
    if str(chosen or "").isdigit():
        first = access.individual_for_user(request.user, int(str(chosen))).pk
    name = request.GET.get("name", "").strip()[:100]
    results = search_people(SearchQuery(name=name), system_clock.now().date(), user=request.user) if name else None
    if results is not None:
        access.log_search(request.user, fields=["name"], individual_ids=[r.headline.individual_id for r in results])
    found = reads.offences_for(request.user)
    access.log_view(
        request.user,
        object_type="image_offences",
        object_ids=[e.pk for e in found],
        individual_ids=[first] if first else [],
    )
    rows = [(e, online.undecided(e), len((e.details or {}).get("children_involved") or [])) for e in found]
    context = {
        "rows": rows,
        "form": form,
        "first": first,
        "first_name": reads.names_for(request.user, [first])[first] if first else "",
        "name": name,
        "results": results,
    }
    return render(request, "web/online.html", context, status=422 if request.method == "POST" else 200)


def _offence(request: HttpRequest, pk: int) -> Event:
    offence = access.event_for_user(request.user, pk)
    if offence.event_type != "crime" or not (offence.details or {}).get("online"):
        raise access.refused(request.user, object_type="event", object_id=pk)
    return offence


def _offence_page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    offence = _offence(request, pk)
    involved = reads.involved_view(offence)
    names = reads.names_for(request.user, [c["individual"] for c in involved if c["individual"]])
    name = request.GET.get("name", "").strip()[:100]
    results = search_people(SearchQuery(name=name), system_clock.now().date(), user=request.user) if name else None
    if results is not None:
        access.log_search(request.user, fields=["name"], individual_ids=[r.headline.individual_id for r in results])
    devices = reads.devices_of(offence)
    access.log_view(
        request.user,
        object_type="event",
        object_ids=[pk, *(d.pk for d in devices)],
        individual_ids=[i for i, n in names.items() if n != reads.NOT_SHOWN],
        fields=["image_offence"],
    )
    bound = bound or {}
    context = {
        "offence": offence,
        "involved": involved,
        "names": names,
        "labels": INVOLVEMENT_LABELS,
        "priorities": PRIORITY_LABELS,
        "devices": devices,
        "name": name,
        "results": results,
        "failed": next(iter(bound), ""),
        "failed_for": bound.get("for"),
        "add_form": bound.get("add") or AddChildForm(),
        "decision_form": bound.get("decision") or DecisionForm(),
        "seize_form": bound.get("seize") or SeizeForm(),
        "submit_form": bound.get("submit") or SubmitForm(),
        "return_form": bound.get("return") or ReturnForm(),
        "request_form": bound.get("request") or RequestForm(),
        "chase_form": bound.get("chase") or ChaseForm(),
        "answer_form": bound.get("answer") or AnswerForm(),
        "requests": [r for r in (offence.details or {}).get("external_requests") or [] if isinstance(r, dict)],
    }
    return render(request, "web/online_offence.html", context, status=422 if bound else 200)


@require_GET
@login_required
def offence(request: HttpRequest, pk: int) -> HttpResponse:
    return _offence_page(request, pk)


def _change(
    request: HttpRequest, pk: int, key: str, form: Any, act: Callable[[Any], Any], done: str, target: int | None = None
) -> HttpResponse:
    if form.is_valid():
        try:
            act(form)
        except Refusals as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, done)
            return redirect("web:online_offence", pk)
    return _offence_page(request, pk, {key: form, "for": target})


@require_POST
@login_required
def add_child(request: HttpRequest, pk: int, individual: int) -> HttpResponse:
    _offence(request, pk)
    access.individual_for_user(request.user, individual)

    def act(form: Any) -> None:
        online.add_child(pk, individual, form.cleaned_data["involvement"], acting_user=request.user, clock=system_clock)

    return _change(request, pk, "add", AddChildForm(request.POST), act, "Child added to the offence.", individual)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int, individual: int) -> HttpResponse:
    _offence(request, pk)
    access.individual_for_user(request.user, individual)

    def act(form: Any) -> None:
        online.decide(
            pk, individual, decision=form.cleaned_data["decision"], acting_user=request.user, clock=system_clock
        )

    return _change(
        request, pk, "decision", DecisionForm(request.POST), act, "Safeguarding decision recorded.", individual
    )


@require_POST
@login_required
def seize(request: HttpRequest, pk: int) -> HttpResponse:
    _offence(request, pk)

    def act(form: Any) -> None:
        data = form.cleaned_data
        online.seize(
            pk,
            device=data["device"],
            seized_at=_when(data["seized_on"], data["seized_time"]),
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, pk, "seize", SeizeForm(request.POST), act, "Device recorded as seized.")


def _device(request: HttpRequest, pk: int) -> tuple[Event, int]:
    exam = access.event_for_user(request.user, pk)
    offence = next((e for e in exam.linked_events.all() if e.event_type == "crime"), None)
    if exam.event_type != "device_examination" or offence is None:
        raise access.refused(request.user, object_type="event", object_id=pk)
    return exam, offence.pk


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    _, offence_id = _device(request, pk)

    def act(form: Any) -> None:
        data = form.cleaned_data
        online.submit(
            pk,
            submitted_at=_when(data["submitted_on"], data["submitted_time"]),
            priority=data["priority"],
            acting_user=request.user,
            clock=system_clock,
        )

    form = SubmitForm(request.POST)
    return _change(request, offence_id, "submit", form, act, "Device recorded as submitted.", pk)


@require_POST
@login_required
def return_device(request: HttpRequest, pk: int) -> HttpResponse:
    _, offence_id = _device(request, pk)

    def act(form: Any) -> None:
        data = form.cleaned_data
        online.return_device(
            pk,
            returned_at=_when(data["returned_on"], data["returned_time"]),
            outcome=data["outcome"],
            acting_user=request.user,
            clock=system_clock,
        )

    form = ReturnForm(request.POST)
    return _change(request, offence_id, "return", form, act, "Results recorded as returned.", pk)


@require_GET
@login_required
def open_requests(request: HttpRequest) -> HttpResponse:
    """Requests to other forces not yet answered, across investigations, the longest open first."""
    rows = reads.open_request_rows(request.user, system_clock.now())
    access.log_view(
        request.user, object_type="open_requests", object_ids=sorted({r.offence_id for r in rows}), individual_ids=[]
    )
    limit = current_policy().clause("X6").days("request_days").days
    return render(request, "web/online_requests.html", {"rows": rows, "limit_days": limit})


@require_GET
@login_required
def backlog(request: HttpRequest) -> HttpResponse:
    """Devices not yet returned: priority first, then the longest waiting; not yet submitted last."""
    rows = reads.backlog_rows(request.user, system_clock.now())
    access.log_view(
        request.user, object_type="forensic_backlog", object_ids=[r.exam_id for r in rows], individual_ids=[]
    )
    devices = {e.pk: e for e in Event.live.filter(pk__in=[r.exam_id for r in rows])}
    return render(request, "web/online_backlog.html", {"rows": [(r, devices.get(r.exam_id)) for r in rows]})


@require_POST
@login_required
def request_raise(request: HttpRequest, pk: int) -> HttpResponse:
    """A request to another force raised from the investigation (X6: open after 14 days escalates)."""
    _offence(request, pk)

    def act(form: Any) -> None:
        data = form.cleaned_data
        requests.raise_request(
            pk,
            to_force=data["to_force"],
            text=data["text"],
            requested_at=_when(data["requested_on"], data["requested_time"]),
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, pk, "request", RequestForm(request.POST), act, "Request to another force recorded.")


@require_POST
@login_required
def request_chase(request: HttpRequest, pk: int, request_id: str) -> HttpResponse:
    _offence(request, pk)

    def act(form: Any) -> None:
        requests.chase(
            pk, request_id[:40], note=form.cleaned_data["note"], acting_user=request.user, clock=system_clock
        )

    return _change(request, pk, "chase", ChaseForm(request.POST), act, "Chase recorded.")


@require_POST
@login_required
def request_answer(request: HttpRequest, pk: int, request_id: str) -> HttpResponse:
    _offence(request, pk)

    def act(form: Any) -> None:
        data = form.cleaned_data
        requests.answer(
            pk,
            request_id[:40],
            answer_text=data["answer"],
            answered_at=_when(data["answered_on"], data["answered_time"]),
            acting_user=request.user,
            clock=system_clock,
        )

    return _change(request, pk, "answer", AnswerForm(request.POST), act, "Answer recorded.")
