"""The MASH workspace over REST (`/api/v1/mash`): every action of the screens with the same
services, validation and access rules (mash.services, mash.triage, reads.mash). Bad input is 422
naming the field; a change the caller's role may not make is 403; a referral whose child the
caller may not open is 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.rso import RsoAddressOut, rso_address_out
from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.mash import services as referrals
from safetynet.mash import transfers as transferring
from safetynet.mash import triage as triaging
from safetynet.reads import access
from safetynet.reads import mash as reads

router = Router(tags=["mash"])


class InboxRowOut(Schema):
    id: int
    received_at: dt.datetime | None
    child: str
    individual: int | None
    concerns: str
    referrer: str
    state: str
    grade: str
    due: dt.datetime
    marac: str


class InboxOut(Schema):
    counts: dict[str, int]
    grades: dict[str, int]
    referrals: list[InboxRowOut]


class ResearchOut(Schema):
    system: str
    found: str
    checked_by: dict[str, Any]
    checked_at: str


class ReferralOut(Schema):
    id: int
    individual: int
    child: str
    received_at: dt.datetime | None
    state: str
    due: dt.datetime
    concerns: list[str]
    what_happened: str
    arthur: dict[str, Any]
    ethnicity_self_defined: str
    bwv_reference: str
    dash: dict[str, Any]
    marac: str
    grade: str
    minimum_grade: str
    rationale: str
    research: list[ResearchOut]
    decision: str
    decision_rationale: str
    strategy_discussion: int | None
    feedback: dict[str, Any]
    rso_address: RsoAddressOut | None = None


class MashHistoryOut(Schema):
    id: int
    event_type: str
    when: str
    agency: str
    facts: list[str]


class TriageViewOut(Schema):
    referral: ReferralOut
    cumulative_count: int
    minimum_grade: str | None
    minimum_why: str
    police_history: int
    history_count: int
    history: list[MashHistoryOut]
    possible_matches: int


class InboxFilters(Schema):
    show: str = "awaiting"


class MashRaiseIn(Schema):
    """`child` (an individual id) and `concerns` are required; `arthur` holds children_present,
    spoke_to_child (true/false), review_risk, how_they_appear, wishes_feelings, child_words;
    `dash_answers`: {"1": true, ...} for a domestic-abuse concern; `from_event`: the record
    it is raised from."""

    child: int | None = None
    concerns: list[str] = []
    what_happened: str | None = None
    arthur: dict[str, Any] = {}
    ethnicity_self_defined: str | None = None
    bwv_reference: str | None = None
    dash_answers: dict[str, bool] | None = None
    from_event: int | None = None


class ResearchIn(Schema):
    system: str
    found: str | None = None


class TriageIn(Schema):
    """`grade` (red, amber, green, blue), a `research` record per system researched
    (police_systems, national, local_authority, health, education) with what it found, and a
    `rationale` to grade below the policy's minimum."""

    grade: str | None = None
    research: list[ResearchIn] = []
    rationale: str | None = None


class DecisionIn(Schema):
    """`decision`: strategy_discussion (`strategy_at`, default in an hour), forward
    (`forward_to`: allocated_worker or early_help) or no_further_action (with a `rationale`)."""

    decision: str | None = None
    rationale: str | None = None
    forward_to: str | None = None
    strategy_at: dt.datetime | None = None


def _referral_out(view: reads.ReferralView, user: Any) -> ReferralOut:
    d = view.referral.details or {}
    found = reads.triage_of(view.referral)
    return ReferralOut(
        id=view.referral.pk,
        individual=view.individual_id,
        child=view.child,
        received_at=view.referral.occurred_at,
        state=view.state,
        due=view.due,
        concerns=list(d.get("concern") or []),
        what_happened=view.what_happened.text,
        arthur=d.get("arthur") or {},
        ethnicity_self_defined=str(d.get("ethnicity_self_defined") or ""),
        bwv_reference=str(d.get("bwv_reference") or ""),
        dash=view.dash,
        marac=view.marac,
        grade=view.grade,
        minimum_grade=str(found.get("minimum_grade") or ""),
        rationale=view.rationale,
        research=[
            ResearchOut(
                system=str(r.get("system")),
                found=str(r.get("found") or ""),
                checked_by=dict(r.get("checked_by") or {}),
                checked_at=str(r.get("checked_at") or ""),
            )
            for r in view.research
        ],
        decision=str(found.get("decision") or ""),
        decision_rationale=view.decision_rationale,
        strategy_discussion=view.strategy_discussion.pk if view.strategy_discussion else None,
        feedback=view.feedback,
        rso_address=rso_address_out(user, view.referral),
    )


def _view(request: HttpRequest, referral_id: int) -> reads.ReferralView:
    referral = reads.referral_for_user(request.user, referral_id)
    return reads.referral_view(request.user, referral, system_clock.now())


def _refused(request: HttpRequest, referral_id: int | None, error: Exception) -> HttpError:
    if isinstance(error, referrals.NotYourReferral):
        access.log_denied(request.user, object_type="referral", object_id=referral_id or "new")
        return HttpError(403, str(error))
    return HttpError(422, str(error))


@router.get("/referrals", response=answers(InboxOut, 401, 403, 422), url_name="mash_inbox")
def inbox(request: HttpRequest, filters: Query[InboxFilters]) -> InboxOut:
    """The MASH inbox: `show` awaiting (the default; overdue included), overdue, triaged
    (awaiting a decision) or decided; open ones by due time; counts by state and grade."""
    if filters.show not in dict(reads.STATES):
        raise HttpError(422, f"show: expected one of {', '.join(dict(reads.STATES))}")
    found = reads.inbox(request.user, system_clock.now(), filters.show)
    reads.log_inbox(request.user, found)
    return InboxOut(
        counts=found.counts,
        grades=found.grades,
        referrals=[
            InboxRowOut(
                id=r.referral.pk,
                received_at=r.referral.occurred_at,
                child=r.child,
                individual=r.individual_id,
                concerns=r.concerns,
                referrer=r.referrer,
                state=r.state,
                grade=r.grade,
                due=r.due,
                marac=r.marac,
            )
            for r in found.rows
        ],
    )


@router.post("/referrals/new", response=answers(ReferralOut, 400, 401, 403, 404, 422), url_name="mash_raise")
def raise_referral(request: HttpRequest, body: MashRaiseIn) -> ReferralOut:
    """Raise a referral about a child the caller may open (ARTHUR, ethnicity, body-worn video,
    DASH); a DASH score of 14 or more or a repeat within 12 months goes to the next MARAC."""
    if body.child is not None:
        try:
            access.individual_for_user(request.user, body.child)
        except Http404:
            raise HttpError(422, "child: expected the id of a child you may open") from None
    if body.from_event is not None:
        access.event_for_user(request.user, body.from_event)
    new = referrals.NewReferral(
        child=body.child,
        concerns=list(body.concerns),
        what_happened=str(body.what_happened or ""),
        arthur=dict(body.arthur),
        ethnicity=str(body.ethnicity_self_defined or ""),
        bwv_reference=str(body.bwv_reference or ""),
        dash_answers=body.dash_answers,
        from_event=body.from_event,
    )
    try:
        referral = referrals.raise_referral(new, acting_user=request.user, clock=system_clock)
    except (referrals.ReferralRefused, referrals.NotYourReferral) as error:
        raise _refused(request, None, error) from None
    view = _view(request, referral.pk)
    reads.log_referral(request.user, view, ["referral"])
    return _referral_out(view, request.user)


@router.get("/referrals/{referral_id}", response=answers(ReferralOut, 401, 403, 404, 422), url_name="mash_referral")
def referral(request: HttpRequest, referral_id: int) -> ReferralOut:
    """One referral: what was raised, its triage, decision and the feedback to the referrer."""
    view = _view(request, referral_id)
    reads.log_referral(request.user, view, ["referral", "triage", "feedback"])
    return _referral_out(view, request.user)


def _triage_view(request: HttpRequest, referral_id: int) -> TriageViewOut:
    view = _view(request, referral_id)
    picture = reads.triage_picture(request.user, view)
    reads.log_referral(request.user, view, ["referral", "triage", "chronology", "possible_matches"])
    return TriageViewOut(
        referral=_referral_out(view, request.user),
        cumulative_count=picture.minimum.count,
        minimum_grade=picture.minimum.grade,
        minimum_why=picture.minimum.why,
        police_history=picture.police_history,
        history_count=picture.history_count,
        history=[
            MashHistoryOut(id=h.event.pk, event_type=h.event.event_type, when=h.when, agency=h.agency, facts=h.facts)
            for h in picture.history
        ],
        possible_matches=len(picture.matches),
    )


@router.get(
    "/referrals/{referral_id}/triage", response=answers(TriageViewOut, 401, 403, 404, 422), url_name="mash_triage"
)
def triage_view(request: HttpRequest, referral_id: int) -> TriageViewOut:
    """What triage reads: the referral, the child's whole history, the cumulative count and the
    policy's minimum grade, the police history the research must cover, possible matches."""
    return _triage_view(request, referral_id)


@router.post(
    "/referrals/{referral_id}/triage", response=answers(TriageViewOut, 400, 401, 403, 404, 422), url_name="mash_triage"
)
def triage(request: HttpRequest, referral_id: int, body: TriageIn) -> TriageViewOut:
    """Record the triage: grade, research per system, rationale below the minimum."""
    reads.referral_for_user(request.user, referral_id)
    try:
        triaging.triage(
            referral_id,
            grade=str(body.grade or ""),
            research=[triaging.Research(r.system, str(r.found or "")) for r in body.research],
            rationale=str(body.rationale or ""),
            acting_user=request.user,
            clock=system_clock,
        )
    except (referrals.ReferralRefused, referrals.NotYourReferral) as error:
        raise _refused(request, referral_id, error) from None
    return _triage_view(request, referral_id)


@router.post(
    "/referrals/{referral_id}/decision", response=answers(ReferralOut, 400, 401, 403, 404, 422), url_name="mash_decide"
)
def decide(request: HttpRequest, referral_id: int, body: DecisionIn) -> ReferralOut:
    """Record the decision (a strategy discussion is scheduled; the referrer is told)."""
    reads.referral_for_user(request.user, referral_id)
    try:
        triaging.decide(
            referral_id,
            decision=str(body.decision or ""),
            rationale=str(body.rationale or ""),
            forward_to=str(body.forward_to or ""),
            strategy_at=body.strategy_at,
            acting_user=request.user,
            clock=system_clock,
        )
    except (referrals.ReferralRefused, referrals.NotYourReferral) as error:
        raise _refused(request, referral_id, error) from None
    return _referral_out(_view(request, referral_id), request.user)


class TransferOut(Schema):
    """A referral the MASH forwarded to children's social care: `to` allocated_worker or
    early_help, `state` pending or accepted."""

    id: int
    individual: int | None
    child: str
    concerns: str
    what_happened: str
    grade: str
    to: str
    state: str
    sent_at: str
    sent_by: str


class TransferReturnIn(Schema):
    """`reason`: why the transfer goes back to the MASH (20 characters or more, no blaming words)."""

    reason: str | None = None


def _transfer_out(row: reads.TransferRow) -> TransferOut:
    return TransferOut(
        id=row.referral.pk,
        individual=row.individual_id,
        child=row.child,
        concerns=row.concerns,
        what_happened=row.what_happened,
        grade=row.grade,
        to=str(((row.referral.details or {}).get("transfer") or {}).get("to") or ""),
        state=row.state,
        sent_at=row.sent_at,
        sent_by=row.sent_by,
    )


@router.get("/transfers", response=answers(list[TransferOut], 401, 403, 422), url_name="mash_transfers")
def transfers_list(request: HttpRequest) -> list[TransferOut]:
    """Referrals forwarded to children's social care, pending or accepted (the pending first)."""
    rows = reads.transfers(request.user, system_clock.now())
    access.log_view(
        request.user,
        object_type="referral",
        object_ids=[r.referral.pk for r in rows],
        individual_ids=[r.individual_id for r in rows if r.individual_id],
        fields=["transfers"],
    )
    return [_transfer_out(r) for r in rows]


def _answered(request: HttpRequest, referral_id: int) -> TransferOut:
    rows = [r for r in reads.transfers(request.user, system_clock.now()) if r.referral.pk == referral_id]
    if rows:
        return _transfer_out(rows[0])
    referral = reads.referral_for_user(request.user, referral_id)
    return TransferOut(
        id=referral.pk,
        individual=None,
        child="",
        concerns="",
        what_happened="",
        grade="",
        to="",
        state="returned",
        sent_at="",
        sent_by="",
    )


@router.post(
    "/transfers/{referral_id}/accept",
    response=answers(TransferOut, 400, 401, 403, 404, 422),
    url_name="mash_transfer_accept",
)
def transfer_accept(request: HttpRequest, referral_id: int) -> TransferOut:
    """The receiving team accepts the transfer."""
    reads.referral_for_user(request.user, referral_id)
    try:
        transferring.accept(referral_id, acting_user=request.user, clock=system_clock)
    except (referrals.ReferralRefused, referrals.NotYourReferral) as error:
        raise _refused(request, referral_id, error) from None
    return _answered(request, referral_id)


@router.post(
    "/transfers/{referral_id}/return",
    response=answers(TransferOut, 400, 401, 403, 404, 422),
    url_name="mash_transfer_return",
)
def transfer_return(request: HttpRequest, referral_id: int, body: TransferReturnIn) -> TransferOut:
    """The receiving team returns the transfer with a reason; it goes back to the MASH inbox."""
    reads.referral_for_user(request.user, referral_id)
    try:
        transferring.return_transfer(referral_id, str(body.reason or ""), acting_user=request.user, clock=system_clock)
    except (referrals.ReferralRefused, referrals.NotYourReferral) as error:
        raise _refused(request, referral_id, error) from None
    return _answered(request, referral_id)
