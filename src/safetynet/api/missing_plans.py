"""The missing workspace over REST, beside `api.missing`: a child's trigger plans, Philomena
profiles and FARPs (list, record, change) and a child not on record (created through capture so
a report can be made). Same services and access rules as the screens; 422 names the field, 409 a
stale plan `version`, 403 a role without `missing_plans`, 404 a child the caller may not open."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from safetynet.api.schemas import answers
from safetynet.lib.clock import system_clock
from safetynet.missing import care, plans
from safetynet.missing import services as missing
from safetynet.reads import access
from safetynet.reads.missing_plans import PlanRow, log_plans, plans_for
from safetynet.reads.naming import NamedLine

router = Router(tags=["missing"])


class PlanNamedOut(Schema):
    text: str
    shown: bool
    individual: int | None


class MissingPlanOut(Schema):
    id: int
    plan_type: str
    source: str
    editable: bool
    version: str
    created_on: dt.date | None
    review_due: dt.date | None
    overdue: bool
    owner: str
    description: str
    risks: str
    content: str
    photo_reference: str
    phones: list[str]
    associates: list[PlanNamedOut]
    places: list[PlanNamedOut]


class MissingPlanIn(Schema):
    """`plan_type`: trigger_plan, philomena_profile or fast_action_response_plan; `review_due`
    after today and within 90 days; `associates`: individual ids; `places`: locations on record
    ({source, id}); `addresses`: places typed, one address each; `version` (changing a plan): the
    version it was made on."""

    plan_type: str = ""
    review_due: dt.date | None = None
    description: str = ""
    risks: str = ""
    content: str = ""
    photo_reference: str = ""
    phones: list[str] = []
    associates: list[int] = []
    places: list[dict[str, str]] = []
    addresses: list[str] = []
    version: str | None = None


class NewChildIn(Schema):
    """A child not on record: `sex` female, male, other or unknown; `date_of_birth` if known."""

    given_names: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = "unknown"
    address: str = ""


class NewChildOut(Schema):
    individual: int


def _named(lines: list[NamedLine]) -> list[PlanNamedOut]:
    return [PlanNamedOut(text=n.text, shown=n.shown, individual=n.individual_id if n.shown else None) for n in lines]


def _out(row: PlanRow) -> MissingPlanOut:
    return MissingPlanOut(
        id=row.plan.pk,
        plan_type=row.plan.plan_type,
        source=row.plan.source,
        editable=row.editable,
        version=row.version,
        created_on=row.plan.created_on,
        review_due=row.review_due,
        overdue=row.overdue,
        owner=row.owner,
        description=row.description,
        risks=row.risks,
        content=row.content,
        photo_reference=row.photo_reference,
        phones=row.phones,
        associates=_named(row.associates),
        places=_named(row.places),
    )


def _child(request: HttpRequest, individual: int) -> int:
    access.individual_for_user(request.user, individual)
    return individual


def _given(request: HttpRequest, body: MissingPlanIn) -> plans.PlanGiven:
    for who in body.associates:
        try:
            access.individual_for_user(request.user, who)
        except Http404:
            raise HttpError(422, "associates: expected people you may open") from None
    return plans.PlanGiven(
        plan_type=body.plan_type,
        review_due=body.review_due,
        description=body.description,
        risks=body.risks,
        content=body.content,
        photo_reference=body.photo_reference,
        phones=body.phones,
        associates=body.associates,
        places=body.places,
        addresses=body.addresses,
    )


def _one(request: HttpRequest, individual: int, plan_id: int) -> MissingPlanOut:
    rows = plans_for(request.user, individual, system_clock.now().date(), plan_id=plan_id)
    log_plans(request.user, individual, rows)
    return _out(rows[0])


def _refused(refused: Exception) -> HttpError:
    if isinstance(refused, missing.NotYours):
        return HttpError(403, str(refused))
    field = getattr(refused, "field", "")
    return HttpError(409 if field == "version" else 422, str(refused))


@router.get(
    "/children/{individual}/plans", response=answers(list[MissingPlanOut], 401, 403, 404, 422), url_name="missing_plans"
)
def list_plans(request: HttpRequest, individual: int) -> list[MissingPlanOut]:
    """The child's trigger plans, Philomena profiles and FARPs from every source, newest first."""
    _child(request, individual)
    rows = plans_for(request.user, individual, system_clock.now().date())
    log_plans(request.user, individual, rows)
    return [_out(r) for r in rows]


@router.post(
    "/children/{individual}/plans",
    response=answers(MissingPlanOut, 400, 401, 403, 404, 422),
    url_name="missing_plans",
)
def record_plan(request: HttpRequest, individual: int, body: MissingPlanIn) -> MissingPlanOut:
    """Records a trigger plan, Philomena profile or FARP for the child (`missing_plans`)."""
    _child(request, individual)
    try:
        plan = plans.record_plan(individual, _given(request, body), acting_user=request.user, clock=system_clock)
    except (missing.MissingRefused, missing.NotYours) as refused:
        raise _refused(refused) from None
    return _one(request, individual, plan.pk)


@router.post(
    "/children/{individual}/plans/{plan_id}",
    response=answers(MissingPlanOut, 400, 401, 403, 404, 409, 422),
    url_name="missing_plan",
)
def change_plan(request: HttpRequest, individual: int, plan_id: int, body: MissingPlanIn) -> MissingPlanOut:
    """The plan's next version (a plan written in safetynet; others change at their source)."""
    _child(request, individual)
    rows = plans_for(request.user, individual, system_clock.now().date(), plan_id=plan_id)
    if not rows or not rows[0].editable:
        raise access.refused(request.user, object_type="plan", object_id=plan_id, individual_ids=[individual])
    try:
        plans.update_plan(
            plan_id, _given(request, body), version=body.version, acting_user=request.user, clock=system_clock
        )
    except (missing.MissingRefused, missing.NotYours) as refused:
        raise _refused(refused) from None
    return _one(request, individual, plan_id)


@router.post("/children/new", response=answers(NewChildOut, 400, 401, 403, 422), url_name="missing_children")
def new_child(request: HttpRequest, body: NewChildIn) -> NewChildOut:
    """Records a child not on record (linked like any record: one matching someone on record
    joins them); then POST /missing reports them."""
    given = care.NewChild(
        given_names=body.given_names,
        family_name=body.family_name,
        date_of_birth=body.date_of_birth,
        sex=body.sex,
        address=body.address,
    )
    try:
        individual = care.create_child(given, acting_user=request.user, clock=system_clock)
    except (missing.MissingRefused, missing.NotYours) as refused:
        raise _refused(refused) from None
    return NewChildOut(individual=individual)
