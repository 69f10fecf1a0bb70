"""The missing workspace over REST (`/api/v1/missing`): every action of the screens with the
same services, validation and access rules (missing.services, missing.returns, reads.missing).
Bad input is 422 naming the field; a change made on an older version than the episode's is 409;
a change the caller's role or rank may not make is 403; an episode the caller may not see is 404
like a missing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.rso import RsoAddressOut, rso_address_out
from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.missing import care, facts, returns
from safetynet.missing import services as missing
from safetynet.reads import access
from safetynet.reads.missing import (
    PLAN_STATUSES,
    EpisodeDetail,
    ListFilter,
    coordinator_list,
    episode_detail,
    episode_for_user,
    log_episode,
)
from safetynet.risk.areas import area_named

router = Router(tags=["missing"])


class MissingNowOut(Schema):
    id: int
    individual: int | None
    child: str
    missing_from: str
    started: dt.datetime | None
    hours_missing: int
    grade: str
    episodes_last_year: int
    plan: str


class RepeatOut(Schema):
    individual: int
    child: str
    episodes_last_year: int
    missing_now: bool
    plan: str


class CoordinatorOut(Schema):
    missing_now: list[MissingNowOut]
    repeat: list[RepeatOut]


class FloorOut(Schema):
    floor: str | None
    facts: list[str]
    policy_version: str
    episodes_90_days: int
    episodes_12_months: int
    episodes_ever: int


class MissingNamedOut(Schema):
    text: str
    shown: bool
    individual: int | None


class LineOut(Schema):
    index: int
    text: str
    person: MissingNamedOut | None
    place: MissingNamedOut | None
    done_at: str
    outcome: str
    proposed_from: str


class ProposalOut(Schema):
    text: str
    proposed_from: str
    person: MissingNamedOut | None
    place: MissingNamedOut | None
    individual: int | None
    location: dict[str, str] | None


class ClockOut(Schema):
    label: str
    due: dt.datetime
    done: dt.datetime | None
    overdue: bool


class MissingFindingOut(Schema):
    clause: str
    reason: str
    state: str


class EpisodeOut(Schema):
    id: int
    version: str
    editable: bool
    individual: int | None
    child: str
    grade: str
    floor: str
    facts: list[str]
    details: dict[str, Any]
    clocks: list[ClockOut]
    lines: list[LineOut]
    proposals: list[ProposalOut]
    found_with: list[MissingNamedOut]
    found_place: MissingNamedOut | None
    return_interview_due: dt.datetime | None
    findings: list[MissingFindingOut]
    home_enquiries_due: dt.datetime | None = None
    home_enquiries_escalation: int | None = None
    rso_address: RsoAddressOut | None = None


class ReportIn(Schema):
    """A new episode for `individual`: `risk` one of very_low, low, medium, high; below the
    floor (see GET /floor) only a sergeant or above, with a `rationale`. `thrive`: {threat,
    harm, risk, investigation, vulnerability, engagement}."""

    individual: int | None = None
    last_seen_at: dt.datetime | None = None
    missing_from: str = ""
    circumstances: str = ""
    description: str = ""
    reported_by: str = ""
    risk: str = ""
    rationale: str = ""
    ethnicity_self_defined: str = ""
    last_seen_place: str = ""
    thrive: dict[str, str] = {}
    care_home: int | None = None


class ChangeIn(Schema):
    """`version`: the episode's version the change was made on (from GET); optional."""

    version: str | None = None


class MissingReviewIn(ChangeIn):
    risk: str = ""
    rationale: str = ""
    at: dt.datetime | None = None


class OfficerIn(ChangeIn):
    officer: str = ""


class LineIn(ChangeIn):
    """A person (`individual`) and/or a place (`location` {source, id} on record, or an
    `address` as typed); a generic line naming neither is refused."""

    text: str = ""
    individual: int | None = None
    location: dict[str, str] | None = None
    address: str = ""
    proposed_from: str = ""


class MissingOutcomeIn(ChangeIn):
    outcome: str = ""


class FoundIn(ChangeIn):
    """`with_people`: individual ids the child was with (added as co-located); `referral`: the
    safeguarding concern, required when one of them is an adult who is not family."""

    found_at: dt.datetime | None = None
    found_by: str = ""
    place: str = ""
    location: dict[str, str] | None = None
    with_people: list[int] = []
    returned_of_own_accord: bool = False
    prevention_interview: bool = False
    referral: str = ""


class InterviewIn(ChangeIn):
    completed_at: dt.datetime | None = None
    outcome: str = ""
    declined: bool = False


class ListFilters(Schema):
    missing_from: str = ""
    care_home: int | None = None
    plan: str = ""
    area: str = ""


def _named(line: Any) -> MissingNamedOut | None:
    if line is None:
        return None
    return MissingNamedOut(text=line.text, shown=line.shown, individual=line.individual_id if line.shown else None)


def _out(detail: EpisodeDetail) -> EpisodeOut:
    e = detail.episode
    return EpisodeOut(
        id=e.pk,
        version=detail.version,
        editable=detail.editable,
        individual=detail.individual_id,
        child=detail.child,
        grade=detail.grade,
        floor=detail.floor,
        facts=detail.facts,
        details=e.details or {},
        clocks=[ClockOut(label=c.label, due=c.due, done=c.done, overdue=c.overdue) for c in detail.clocks],
        lines=[
            LineOut(
                index=r.index,
                text=r.text,
                person=_named(r.person),
                place=_named(r.place),
                done_at=r.done_at,
                outcome=r.outcome,
                proposed_from=r.proposed_from,
            )
            for r in detail.lines
        ],
        proposals=[
            ProposalOut(
                text=p.text,
                proposed_from=p.proposed_from,
                person=_named(p.person),
                place=_named(p.place),
                individual=p.individual_id,
                location=p.location,
            )
            for p in detail.proposals
        ],
        found_with=[n for w in detail.found_with if (n := _named(w)) is not None],
        found_place=_named(detail.found_place),
        return_interview_due=detail.rhi_due,
        findings=[MissingFindingOut(clause=f.clause, reason=f.reason, state=f.state) for f in detail.findings],
        home_enquiries_due=detail.care.due if detail.care else None,
        home_enquiries_escalation=detail.care.escalation.pk if detail.care and detail.care.escalation else None,
    )


def _detail_out(request: HttpRequest, episode_id: int) -> EpisodeOut:
    episode = episode_for_user(request.user, episode_id)
    detail = episode_detail(request.user, episode, system_clock.now())
    log_episode(request.user, detail, ["missing_episode"])
    return _out(detail).model_copy(update={"rso_address": rso_address_out(request.user, episode)})


def _refused(refused: missing.MissingRefused) -> HttpError:
    return HttpError(409 if refused.field == "version" else 422, str(refused))


def _changing(request: HttpRequest, episode_id: int, change: Callable[[], Any]) -> EpisodeOut:
    episode_for_user(request.user, episode_id)
    try:
        change()
    except missing.MissingRefused as refused:
        raise _refused(refused) from None
    except missing.NotYours as refused:
        access.log_denied(request.user, object_type="event", object_id=episode_id)
        raise HttpError(403, str(refused)) from None
    return _detail_out(request, episode_id)


def _openable(user: Any, field: str, individual: int | None) -> int:
    if individual is None:
        raise HttpError(422, f"{field}: expected the id of a person")
    try:
        access.individual_for_user(user, individual)
    except Http404:
        raise HttpError(422, f"{field}: expected the id of a person you may open") from None
    return individual


@router.get("", response=answers(CoordinatorOut, 401, 403, 422), url_name="missing_list")
def list_missing(request: HttpRequest, filters: Query[ListFilters]) -> CoordinatorOut:
    """The coordinator's list: children missing now (longest first) and children reported missing
    at least twice in the last year (most first), optionally by `missing_from`, `care_home` (a
    children's home's location id), `plan` (none, overdue, current) and `area` (by name)."""
    if filters.plan and filters.plan not in PLAN_STATUSES:
        raise HttpError(422, "plan: expected one of " + ", ".join(PLAN_STATUSES))
    area = area_named(filters.area) if filters.area else None
    if filters.area and area is None:
        raise HttpError(422, "area: expected one of the force's areas by name (GET /api/v1/areas)")
    chosen = ListFilter(missing_from=filters.missing_from, care_home=filters.care_home, plan=filters.plan, area=area)
    found = coordinator_list(request.user, system_clock.now(), chosen)
    ids = sorted(
        {r.individual_id for r in found.missing_now if r.individual_id} | {r.individual_id for r in found.repeat}
    )
    access.log_view(request.user, object_type="missing_list", object_ids=[], individual_ids=ids, fields=["list"])
    return CoordinatorOut(
        missing_now=[
            MissingNowOut(
                id=r.episode.pk,
                individual=r.individual_id,
                child=r.name,
                missing_from=r.missing_from,
                started=r.started,
                hours_missing=r.hours,
                grade=r.grade,
                episodes_last_year=r.episodes_year,
                plan=r.plan,
            )
            for r in found.missing_now
        ],
        repeat=[
            RepeatOut(
                individual=r.individual_id,
                child=r.name,
                episodes_last_year=r.episodes_year,
                missing_now=r.open_now,
                plan=r.plan,
            )
            for r in found.repeat
        ],
    )


@router.get("/floor", response=answers(FloorOut, 401, 403, 422), url_name="missing_floor")
def floor(request: HttpRequest, individual: int | None = None) -> FloorOut:
    """The policy floor for a new episode of `individual` and the facts behind it, read from
    the linked picture: show it before the grade is chosen."""
    who = _openable(request.user, "individual", individual)
    found = facts.floor_for(who, system_clock.now())
    access.log_view(
        request.user, object_type="individual", object_ids=[who], individual_ids=[who], fields=["missing_floor"]
    )
    return FloorOut(
        floor=found.grade,
        facts=found.facts,
        policy_version=found.policy_version,
        episodes_90_days=found.episodes_90_days,
        episodes_12_months=found.episodes_12_months,
        episodes_ever=found.episodes_ever,
    )


@router.post("", response=answers(EpisodeOut, 400, 401, 403, 422), url_name="missing_list")
def report_missing(request: HttpRequest, body: ReportIn) -> EpisodeOut:
    """Report a child missing (the floor is read again as the report is stored)."""
    who = _openable(request.user, "individual", body.individual)
    if body.last_seen_at is None:
        raise HttpError(422, "last_seen_at: expected the date and time the child was last seen")
    given = missing.Report(
        last_seen_at=body.last_seen_at,
        missing_from=body.missing_from,
        circumstances=body.circumstances,
        description=body.description,
        reported_by=body.reported_by,
        risk=body.risk,
        ethnicity_self_defined=body.ethnicity_self_defined,
        rationale=body.rationale,
        thrive=body.thrive,
        last_seen_place=body.last_seen_place,
    )
    try:
        given = replace(given, care_home=care.home_ref(body.care_home))
        episode = missing.report(who, given, acting_user=request.user, clock=system_clock)
    except missing.MissingRefused as refused:
        raise _refused(refused) from None
    except missing.NotYours as refused:
        raise HttpError(403, str(refused)) from None
    return _detail_out(request, episode.pk)


@router.get("/{episode_id}", response=answers(EpisodeOut, 401, 403, 404, 422), url_name="missing_episode")
def episode_view(request: HttpRequest, episode_id: int) -> EpisodeOut:
    """One episode: floor and facts, clocks, reviews, lines (and proposals), found, interview."""
    return _detail_out(request, episode_id)


@router.post(
    "/{episode_id}/reviews", response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422), url_name="missing_reviews"
)
def review_episode(request: HttpRequest, episode_id: int, body: MissingReviewIn) -> EpisodeOut:
    """A sergeant's or inspector's review: grade and rationale (below the floor, checked)."""
    return _changing(
        request,
        episode_id,
        lambda: missing.review(
            episode_id,
            risk=body.risk,
            rationale=body.rationale,
            at=body.at,
            version=body.version,
            acting_user=request.user,
            clock=system_clock,
        ),
    )


@router.post(
    "/{episode_id}/officer", response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422), url_name="missing_officer"
)
def name_officer(request: HttpRequest, episode_id: int, body: OfficerIn) -> EpisodeOut:
    """Name the officer in charge."""
    return _changing(
        request,
        episode_id,
        lambda: missing.assign_officer(
            episode_id, officer=body.officer, version=body.version, acting_user=request.user, clock=system_clock
        ),
    )


@router.post(
    "/{episode_id}/lines", response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422), url_name="missing_lines"
)
def add_line(request: HttpRequest, episode_id: int, body: LineIn) -> EpisodeOut:
    """Add a line of enquiry naming a person and/or a place."""
    if body.individual is not None:
        _openable(request.user, "individual", body.individual)
    return _changing(
        request,
        episode_id,
        lambda: missing.add_line(
            episode_id,
            text=body.text,
            individual_id=body.individual,
            location=body.location,
            address=body.address,
            proposed_from=body.proposed_from,
            version=body.version,
            acting_user=request.user,
            clock=system_clock,
        ),
    )


@router.post(
    "/{episode_id}/lines/{index}/done",
    response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422),
    url_name="missing_line_done",
)
def complete_line(request: HttpRequest, episode_id: int, index: int, body: MissingOutcomeIn) -> EpisodeOut:
    """Record line `index` (from 0) done, with its outcome."""
    return _changing(
        request,
        episode_id,
        lambda: missing.complete_line(
            episode_id, index, outcome=body.outcome, version=body.version, acting_user=request.user, clock=system_clock
        ),
    )


@router.post(
    "/{episode_id}/found", response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422), url_name="missing_found"
)
def record_found(request: HttpRequest, episode_id: int, body: FoundIn) -> EpisodeOut:
    """Record the child found: who with, where, the referral when found with an adult."""
    if body.found_at is None:
        raise HttpError(422, "found_at: expected the date and time the child was found")
    for who in body.with_people:
        _openable(request.user, "with_people", who)
    given = returns.Found(
        found_at=body.found_at,
        found_by=body.found_by,
        place=body.place,
        location=body.location,
        with_people=body.with_people,
        returned_of_own_accord=body.returned_of_own_accord,
        prevention_interview=body.prevention_interview,
        referral=body.referral,
    )
    return _changing(
        request,
        episode_id,
        lambda: returns.record_found(
            episode_id, given, version=body.version, acting_user=request.user, clock=system_clock
        ),
    )


@router.post(
    "/{episode_id}/return-interview",
    response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422),
    url_name="missing_return_interview",
)
def return_interview(request: HttpRequest, episode_id: int, body: InterviewIn) -> EpisodeOut:
    """Children's social care records the return home interview."""
    if body.completed_at is None:
        raise HttpError(422, "completed_at: expected the date and time of the interview")
    completed = body.completed_at
    return _changing(
        request,
        episode_id,
        lambda: returns.record_return_interview(
            episode_id,
            completed_at=completed,
            outcome=body.outcome,
            declined=body.declined,
            version=body.version,
            acting_user=request.user,
            clock=system_clock,
        ),
    )


class HomeEnquiriesIn(ChangeIn):
    """The care home's own initial enquiries (Philomena) for a child missing from care: `checks`
    from searched_home, phoned_child, contacted_friends_family, visited_known_places,
    checked_social_media, contacted_school."""

    made_at: dt.datetime | None = None
    checks: list[str] = []
    made_by: str = ""
    findings: str = ""


@router.post(
    "/{episode_id}/home-enquiries",
    response=answers(EpisodeOut, 400, 401, 403, 404, 409, 422),
    url_name="missing_home_enquiries",
)
def home_enquiries(request: HttpRequest, episode_id: int, body: HomeEnquiriesIn) -> EpisodeOut:
    """Records the home's initial enquiries on an episode of a child missing from care."""
    if body.made_at is None:
        raise HttpError(422, "made_at: expected the date and time the home made its enquiries")
    made = body.made_at
    return _changing(
        request,
        episode_id,
        lambda: care.record_home_enquiries(
            episode_id,
            made_at=made,
            checks=body.checks,
            made_by=body.made_by,
            findings=body.findings,
            version=body.version,
            acting_user=request.user,
            clock=system_clock,
        ),
    )
