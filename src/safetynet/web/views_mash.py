"""The MASH workspace's screens: the inbox by clock, raising a referral (from an incident or a
child's page), one referral with its triage and feedback, triage beside the child's history,
the decision, and the language check as the referrer types. Thin: reads from `reads.mash`,
changes through `mash.services` and `mash.triage` (capture, versions, access log)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.lib.clock import system_clock
from safetynet.mash import services as referrals
from safetynet.mash import transfers as transferring
from safetynet.mash import triage as triaging
from safetynet.reads import access
from safetynet.reads import mash as reads
from safetynet.reads.exploitation import rso_warning
from safetynet.reads.language_marks import mark_text
from safetynet.risk.policy import current_policy
from safetynet.web.forms_mash import DecisionForm, RaiseForm, TriageForm
from safetynet.web.viewer import may_use


def _refusal_to_form(form: Any, refused: referrals.ReferralRefused) -> None:
    name = {"decision_rationale": "rationale"}.get(refused.field, refused.field.split(".")[-1])
    name = "dash_yes" if name == "dash" else name
    form.add_error(name if name in form.fields else None, refused.expected[:1].upper() + refused.expected[1:])


@require_GET
@login_required
def mash_inbox(request: HttpRequest) -> HttpResponse:
    """Open referrals by clock (untriaged on the red clock), with counts and what is overdue."""
    show = request.GET.get("show", "awaiting")
    show = show if show in dict(reads.STATES) else "awaiting"
    found = reads.inbox(request.user, system_clock.now(), show)
    reads.log_inbox(request.user, found)
    choices = [(value, text, found.counts.get(value, 0)) for value, text in reads.STATES]
    return render(request, "web/mash_inbox.html", {"found": found, "choices": choices, "show": show})


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@login_required
def mash_raise(request: HttpRequest) -> HttpResponse:
    """Raise a referral about a child to the MASH, from a record or on its own."""
    source = request.POST if request.method == "POST" else request.GET
    origin_id, child = _int(source.get("from_event")), _int(source.get("child"))
    origin = access.event_for_user(request.user, origin_id) if origin_id else None
    if child is not None:
        access.individual_for_user(request.user, child)
    children = reads.referral_children(request.user, origin, child, system_clock.now().date())
    initial = {"from_event": origin_id, "child": children[0][0] if len(children) == 1 else None}
    form = RaiseForm(request.POST or None, initial=initial, children=children)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            new = referrals.NewReferral(
                child=data["child"],
                concerns=data["concern"],
                what_happened=data["what_happened"],
                arthur=form.arthur(),
                ethnicity=data.get("ethnicity") or "",
                bwv_reference=data.get("bwv_reference") or "",
                dash_answers=data.get("dash_yes"),
                from_event=origin_id,
            )
            try:
                referral = referrals.raise_referral(new, acting_user=request.user, clock=system_clock)
            except referrals.ReferralRefused as refused:
                _refusal_to_form(form, refused)
            except referrals.NotYourReferral as refused:
                raise PermissionDenied(str(refused)) from None
            else:
                messages.success(request, "Referral sent to the MASH. You will be told when it is triaged.")
                return redirect("web:mash_referral", referral_id=referral.pk)
    context = {"form": form, "origin": origin, "children": children}
    return render(request, "web/mash_raise.html", context, status=status)


@require_POST
@login_required
def mash_language(request: HttpRequest) -> HttpResponse:
    """The referrer's text marked where it uses language that blames the child (as typed)."""
    text = str(request.POST.get("what_happened") or "")[:4000]
    marked = mark_text("What happened", text, current_policy())
    return render(request, "web/includes/mash_language.html", {"marked": marked})


def _view(request: HttpRequest, referral_id: int) -> reads.ReferralView:
    referral = reads.referral_for_user(request.user, referral_id)
    return reads.referral_view(request.user, referral, system_clock.now())


@require_GET
@login_required
def mash_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral: what was raised, its triage, the decision and the feedback to the officer."""
    view = _view(request, referral_id)
    reads.log_referral(request.user, view, ["referral", "triage", "feedback"])
    context = {
        "view": view,
        "may_triage": may_use(request.user, "web:mash_triage"),
        "rso_warning": rso_warning(request.user, view.referral, system_clock.now().date()),
    }
    return render(request, "web/mash_referral.html", context)


def _triage_page(
    request: HttpRequest, referral_id: int, *, triage_form: Any = None, decision_form: Any = None, status: int = 200
) -> HttpResponse:
    view = _view(request, referral_id)
    picture = reads.triage_picture(request.user, view)
    reads.log_referral(request.user, view, ["referral", "triage", "chronology", "possible_matches"])
    context = {
        "view": view,
        "picture": picture,
        "individual": access.individual_for_user(request.user, view.individual_id),
        "triage_form": triage_form or TriageForm(),
        "decision_form": decision_form or DecisionForm(),
        "entries": picture.history,
        "possible_matches": picture.matches,
    }
    return render(request, "web/mash_triage.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def mash_triage(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Triage beside the child's whole history: grade, research per system, rationale."""
    if request.method == "GET":
        return _triage_page(request, referral_id)
    reads.referral_for_user(request.user, referral_id)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            triaging.triage(
                referral_id,
                grade=form.cleaned_data["grade"],
                research=[triaging.Research(s, f) for s, f in form.research()],
                rationale=form.cleaned_data.get("rationale") or "",
                acting_user=request.user,
                clock=system_clock,
            )
        except referrals.ReferralRefused as refused:
            _refusal_to_form(form, refused if not refused.field.startswith("research") else refused)
        except referrals.NotYourReferral as refused:
            raise PermissionDenied(str(refused)) from None
        else:
            messages.success(request, "Triage recorded. Now record the decision.")
            return redirect("web:mash_triage", referral_id=referral_id)
    return _triage_page(request, referral_id, triage_form=form, status=400)


@require_POST
@login_required
def mash_decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The decision: a strategy discussion, forward, or no further action; the officer is told."""
    reads.referral_for_user(request.user, referral_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            _, meeting = triaging.decide(
                referral_id,
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data.get("rationale") or "",
                forward_to=form.cleaned_data.get("forward_to") or "",
                strategy_at=form.strategy_at(),
                acting_user=request.user,
                clock=system_clock,
            )
        except referrals.ReferralRefused as refused:
            _refusal_to_form(form, refused)
        except referrals.NotYourReferral as refused:
            raise PermissionDenied(str(refused)) from None
        else:
            messages.success(request, "Decision recorded. The referring officer has been told.")
            if meeting is not None:
                return redirect("web:meeting", meeting_id=meeting.pk)
            return redirect("web:mash_referral", referral_id=referral_id)
    return _triage_page(request, referral_id, decision_form=form, status=400)


@require_GET
@login_required
def mash_transfers(request: HttpRequest) -> HttpResponse:
    """Referrals the MASH forwarded to children's social care: accept or return each."""
    rows = reads.transfers(request.user, system_clock.now())
    access.log_view(
        request.user,
        object_type="referral",
        object_ids=[r.referral.pk for r in rows],
        individual_ids=[r.individual_id for r in rows if r.individual_id],
        fields=["transfers"],
    )
    return render(request, "web/mash_transfers.html", {"rows": rows})


@require_POST
@login_required
def mash_transfer_answer(request: HttpRequest, referral_id: int, answer: str) -> HttpResponse:
    """Accept the transfer, or return it to the MASH with a reason (`reason`)."""
    reads.referral_for_user(request.user, referral_id)
    try:
        if answer == "accept":
            transferring.accept(referral_id, acting_user=request.user, clock=system_clock)
        else:
            transferring.return_transfer(
                referral_id, request.POST.get("reason", ""), acting_user=request.user, clock=system_clock
            )
    except referrals.NotYourReferral as refused:
        raise PermissionDenied(str(refused)) from None
    except referrals.ReferralRefused as refused:
        messages.error(request, f"{refused.field}: " + refused.expected[:1].upper() + refused.expected[1:])
    else:
        messages.success(
            request, "Transfer accepted." if answer == "accept" else "Transfer returned to the MASH with your reason."
        )
    return redirect("web:mash_transfers")
