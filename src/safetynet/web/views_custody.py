"""The custody record's screens (protection workspace): booking a child in, and one custody
record with a form for every action (appropriate adult, health, PACE review, charge and bail,
the s38(6) transfer request, social care's answer, the custody officer's certificate, release,
escalation to the partnership log). Thin: reads from `reads.protection`, changes through
`protection.custody`; refusals beside their field (`views_protection.change`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.lib.clock import system_clock
from safetynet.protection import custody
from safetynet.reads.protection import log_record, record_detail, record_for_user
from safetynet.web.forms_protection import (
    AdultForm,
    AnswerForm,
    BookInForm,
    CertificateForm,
    ChargeForm,
    CustodyReviewForm,
    EscalateForm,
    HealthForm,
    ReleaseForm,
    TransferForm,
)
from safetynet.web.viewer import may_use
from safetynet.web.views_protection import change, new_record

CUSTODY_FORMS: dict[str, tuple[type[Any], str]] = {
    "adult": (AdultForm, "web:custody_adult"),
    "health": (HealthForm, "web:custody_health"),
    "review": (CustodyReviewForm, "web:custody_review"),
    "charge": (ChargeForm, "web:custody_charge"),
    "transfer": (TransferForm, "web:custody_transfer"),
    "answer": (AnswerForm, "web:custody_answer"),
    "certificate": (CertificateForm, "web:custody_certificate"),
    "release": (ReleaseForm, "web:custody_release"),
    "escalate": (EscalateForm, "web:custody_escalate"),
}


@require_http_methods(["GET", "POST"])
@login_required
def custody_new(request: HttpRequest) -> HttpResponse:
    def make(form: Any, individual: int) -> Any:
        return custody.book_in(
            acting_user=request.user,
            individual_id=individual,
            arrested_at=form.moment("arrested_at"),
            arrived_at=form.moment("arrived_at"),
            authorised_at=form.moment("authorised_at"),
            clock=system_clock,
        )

    form = BookInForm(request.POST or None)
    return new_record(request, form, "web/protection_custody_new.html", make, "Child booked in.", "web:custody")


def _page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    event = record_for_user(request.user, pk, custody.EVENT_TYPE)
    detail = record_detail(event, system_clock.now())
    log_record(request.user, detail)
    given = bound or {}
    # The escalation goes from the police to social care: a partner who may escalate (social care
    # itself) is not offered to escalate to itself.
    police_side = may_use(request.user, "web:custody_certificate")
    forms = {
        f"{key}_form": given.get(key) or form_class(prefix=key)
        for key, (form_class, url_name) in CUSTODY_FORMS.items()
        if may_use(request.user, url_name) and (key != "escalate" or police_side)
    }
    d = event.details or {}
    reviews = [r for r in d.get("reviews") or [] if isinstance(r, dict)]
    context = {
        "detail": detail,
        "event": event,
        "d": d,
        "reviews": reviews,
        "forms": forms,
        **forms,
        "bound_errors": bool(bound),
    }
    return render(request, "web/protection_custody.html", context, status=422 if bound else 200)


@require_GET
@login_required
def custody_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _change(request: HttpRequest, pk: int, key: str, act: Any, done: str) -> HttpResponse:
    form = CUSTODY_FORMS[key][0](request.POST, prefix=key)
    return change(request, key, form, act, done, page=_page, pk=pk, event_type=custody.EVENT_TYPE, target="web:custody")


@require_POST
@login_required
def custody_adult(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.appropriate_adult(
            pk,
            acting_user=request.user,
            requested_at=form.moment("requested_at"),
            arrived_at=form.moment("arrived_at"),
            clock=system_clock,
        )

    return _change(request, pk, "adult", act, "Appropriate adult recorded.")


@require_POST
@login_required
def custody_health(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.health_seen(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _change(request, pk, "health", act, "Health check recorded.")


@require_POST
@login_required
def custody_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.review(
            pk,
            acting_user=request.user,
            at=form.moment("at"),
            child_present=form.cleaned_data["child_present"],
            clock=system_clock,
        )

    return _change(request, pk, "review", act, "Review recorded.")


@require_POST
@login_required
def custody_charge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.charge(
            pk,
            acting_user=request.user,
            at=form.moment("at"),
            bail_refused=form.cleaned_data["bail_refused"],
            clock=system_clock,
        )

    return _change(request, pk, "charge", act, "Charge recorded.")


@require_POST
@login_required
def custody_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.request_transfer(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _change(request, pk, "transfer", act, "Transfer requested from children's social care.")


@require_POST
@login_required
def custody_answer(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.answer_transfer(
            pk,
            acting_user=request.user,
            outcome=form.cleaned_data["outcome"],
            at=form.moment("at"),
            clock=system_clock,
        )

    return _change(request, pk, "answer", act, "Answer to the transfer request recorded.")


@require_POST
@login_required
def custody_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.certify(
            pk, acting_user=request.user, reason=form.cleaned_data["certificate_reason"], clock=system_clock
        )

    return _change(request, pk, "certificate", act, "Certificate recorded.")


@require_POST
@login_required
def custody_release(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.release(pk, acting_user=request.user, at=form.moment("at"), clock=system_clock)

    return _change(request, pk, "release", act, "Release recorded.")


@require_POST
@login_required
def custody_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(form: Any) -> None:
        custody.escalate_transfer(pk, acting_user=request.user, reason=form.cleaned_data["reason"], clock=system_clock)

    return _change(request, pk, "escalate", act, "Escalated to the partnership escalation log.")
