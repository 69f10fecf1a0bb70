"""The custody record's screens (protection workspace): booking a child in, and one custody
record with a form for every action (appropriate adult, health, PACE review, charge and bail,
the s38(6) transfer request, social care's answer, the custody officer's certificate, release,
escalation to the partnership log). Thin: reads from `reads.protection`, changes through
`protection.custody`; refusals beside their field (`views_protection.change`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

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
from safetynet.web.views_protection import RecordAction, action_view, new_record


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
        f"{key}_form": given.get(key) or action.bound(key)
        for key, action in CUSTODY.items()
        if may_use(request.user, action.url_name) and (key != "escalate" or police_side)
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


# One form per action on the custody record, each posted to its own URL.
CUSTODY: dict[str, RecordAction] = {
    "adult": RecordAction(
        AdultForm,
        "web:custody_adult",
        lambda pk, user, form: custody.appropriate_adult(
            pk,
            acting_user=user,
            requested_at=form.moment("requested_at"),
            arrived_at=form.moment("arrived_at"),
            clock=system_clock,
        ),
        "Appropriate adult recorded.",
    ),
    "health": RecordAction(
        HealthForm,
        "web:custody_health",
        lambda pk, user, form: custody.health_seen(pk, acting_user=user, at=form.moment("at"), clock=system_clock),
        "Health check recorded.",
    ),
    "review": RecordAction(
        CustodyReviewForm,
        "web:custody_review",
        lambda pk, user, form: custody.review(
            pk,
            acting_user=user,
            at=form.moment("at"),
            child_present=form.cleaned_data["child_present"],
            clock=system_clock,
        ),
        "Review recorded.",
    ),
    "charge": RecordAction(
        ChargeForm,
        "web:custody_charge",
        lambda pk, user, form: custody.charge(
            pk,
            acting_user=user,
            at=form.moment("at"),
            bail_refused=form.cleaned_data["bail_refused"],
            clock=system_clock,
        ),
        "Charge recorded.",
    ),
    "transfer": RecordAction(
        TransferForm,
        "web:custody_transfer",
        lambda pk, user, form: custody.request_transfer(pk, acting_user=user, at=form.moment("at"), clock=system_clock),
        "Transfer requested from children's social care.",
    ),
    "answer": RecordAction(
        AnswerForm,
        "web:custody_answer",
        lambda pk, user, form: custody.answer_transfer(
            pk, acting_user=user, outcome=form.cleaned_data["outcome"], at=form.moment("at"), clock=system_clock
        ),
        "Answer to the transfer request recorded.",
    ),
    "certificate": RecordAction(
        CertificateForm,
        "web:custody_certificate",
        lambda pk, user, form: custody.certify(
            pk, acting_user=user, reason=form.cleaned_data["certificate_reason"], clock=system_clock
        ),
        "Certificate recorded.",
    ),
    "release": RecordAction(
        ReleaseForm,
        "web:custody_release",
        lambda pk, user, form: custody.release(pk, acting_user=user, at=form.moment("at"), clock=system_clock),
        "Release recorded.",
    ),
    "escalate": RecordAction(
        EscalateForm,
        "web:custody_escalate",
        lambda pk, user, form: custody.escalate_transfer(
            pk, acting_user=user, reason=form.cleaned_data["reason"], clock=system_clock
        ),
        "Escalated to the partnership escalation log.",
    ),
}


def _custody_view(key: str) -> Callable[[HttpRequest, int], HttpResponse]:
    return action_view(CUSTODY, key, page=_page, event_type=custody.EVENT_TYPE, target="web:custody")


custody_adult = _custody_view("adult")
custody_health = _custody_view("health")
custody_review = _custody_view("review")
custody_charge = _custody_view("charge")
custody_transfer = _custody_view("transfer")
custody_answer = _custody_view("answer")
custody_certificate = _custody_view("certificate")
custody_release = _custody_view("release")
custody_escalate = _custody_view("escalate")
