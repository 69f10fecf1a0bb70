"""Exports over REST (`/api/v1/exports`), as the screens give them: a child's chronology and
picture as CSV, the inspection lists' counts in a period and each list as CSV (streamed however
long), and the CSE intelligence profile (and as CSV). Each file needs `export`, is marked
OFFICIAL-SENSITIVE with who and when and is written to the access log naming every child in it;
a filter in error answers 422 naming the field."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from safetynet.api.inputs import ChronologyQuery, validated
from safetynet.api.schemas import ErrorOut, answers
from safetynet.exports.services import ExportRefused
from safetynet.lib.clock import system_clock
from safetynet.lib.periods import PeriodRefused
from safetynet.reads import access
from safetynet.reads import person as people
from safetynet.reads.access import individual_for_user
from safetynet.reads.child_export import chronology_csv, picture_csv
from safetynet.reads.chronology import in_words
from safetynet.reads.cse_profile import CseProfile, cse_profile, profile_csv
from safetynet.reads.dashboards import Filters, filters_asked
from safetynet.reads.inspection_lists import LISTS, inspection_csv, list_counts
from safetynet.reads.person_page import person_page
from safetynet.risk.policy import current_policy

router = Router(tags=["exports"])
CSV = {200: {"description": "CSV, marked OFFICIAL-SENSITIVE", "content": {"text/csv": {}}}}
REFUSED = "Your role may not export records"


class CsvChronologyFilters(Schema):
    type: list[str] = []
    agency: list[str] = []
    period: str = ""
    date_from: str = ""
    date_to: str = ""


class InspectionFilters(Schema):
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    area: str = ""


class InspectionListOut(Schema):
    code: str
    title: str
    records: int


class InspectionListsOut(Schema):
    period_from: dt.date
    period_to: dt.date
    area: str
    lists: list[InspectionListOut]


@router.get(
    "/individuals/{individual_id}/chronology.csv",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="individual_chronology_csv",
    openapi_extra={"responses": CSV},
)
def individual_chronology_csv(
    request: HttpRequest, individual_id: int, filters: Query[CsvChronologyFilters]
) -> HttpResponse:
    """Every event of the child's chronology (filtered as `/individuals/{id}/chronology`) as CSV,
    in words, as the caller may see it; logged as an export of the child and everyone named."""
    found = individual_for_user(request.user, individual_id)
    asked = validated(ChronologyQuery, filters.dict())
    chosen = people.chronology_filter(
        today=system_clock.now().date(),
        event_types=asked.type,
        agencies=asked.agency,
        period=asked.period,
        date_from=asked.date_from,
        date_to=asked.date_to,
    )
    person_ids = people.person_ids_of(found.pk)
    entries = people.chronology_all(person_ids, chosen, restrict=access.event_filter(request.user))
    access.redact_events(request.user, [entry.event for entry in entries])
    try:
        return chronology_csv(request, found, in_words(request.user, entries, person_ids, current_policy()))
    except ExportRefused:
        raise HttpError(403, REFUSED) from None


@router.get(
    "/individuals/{individual_id}/picture.csv",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="individual_picture_csv",
    openapi_extra={"responses": CSV},
)
def individual_picture_csv(request: HttpRequest, individual_id: int) -> HttpResponse:
    """The person page's picture (identity, findings, markers, orders, plans, relationships) as
    CSV, as the caller may see it; logged as an export of the child."""
    found = individual_for_user(request.user, individual_id)
    built = person_page(
        request.user,
        found,
        system_clock.now(),
        chronology=people.ChronologyFilter(),
        page_number=1,
        show_tasks=False,
        may_decide=False,
    )
    try:
        return picture_csv(request, found, built)
    except ExportRefused:
        raise HttpError(403, REFUSED) from None


def _inspection_filters(asked: InspectionFilters) -> Filters:
    try:
        return filters_asked(asked.period_from, asked.period_to, "", asked.area, system_clock.now().date())
    except PeriodRefused as refused:
        raise HttpError(422, str(refused)) from None


@router.get("/inspection-lists", response=answers(InspectionListsOut, 401, 403, 422), url_name="inspection_lists")
def inspection_lists(request: HttpRequest, filters: Query[InspectionFilters]) -> InspectionListsOut:
    """Each inspection list's records in the period (default the last 90 days)."""
    chosen = _inspection_filters(filters)
    area = chosen.person("person__") if chosen.area_q is not None else None
    counted = list_counts(request.user, chosen.start, chosen.end, area)
    return InspectionListsOut(
        period_from=chosen.start,
        period_to=chosen.end,
        area=chosen.area,
        lists=[InspectionListOut(code=f.code, title=f.title, records=r) for f, r in counted],
    )


@router.get(
    "/inspection-lists/{code}.csv",
    response={frozenset({401, 403, 404, 422}): ErrorOut},
    url_name="inspection_list_csv",
    openapi_extra={"responses": CSV},
)
def inspection_list_csv(request: HttpRequest, code: str, filters: Query[InspectionFilters]) -> HttpResponseBase:
    """One list (missing, referrals, police_protection, custody) as CSV, streamed whole, its last
    row saying how many rows it holds; logged as an export naming every child in it."""
    found = LISTS.get(code)
    if found is None:
        raise Http404
    chosen = _inspection_filters(filters)
    area = chosen.person("person__") if chosen.area_q is not None else None
    try:
        return inspection_csv(request, found, chosen.start, chosen.end, area, chosen.area)
    except ExportRefused:
        raise HttpError(403, REFUSED) from None


class ProfileMonthOut(Schema):
    month: dt.date
    marked: int
    raised: int
    missing: int


class ProfilePersonOut(Schema):
    individual: int | None  # only when the caller may open the record
    name: str


class ProfileNetworkOut(Schema):
    children: list[ProfilePersonOut]
    adults: list[ProfilePersonOut]


class ProfileAdultOut(ProfilePersonOut):
    children: int


class ProfilePlaceOut(Schema):
    place: str
    children: int
    records: int


class CseProfileOut(Schema):
    period_from: dt.date
    period_to: dt.date
    area: str
    months: list[ProfileMonthOut]
    networks: list[ProfileNetworkOut]
    adults: list[ProfileAdultOut]
    places: list[ProfilePlaceOut]


def _person(found: CseProfile, individual: int) -> ProfilePersonOut:
    name = found.names.get(individual, "")
    return ProfilePersonOut(individual=individual if individual in found.named else None, name=name)


@router.get("/cse-profile", response=answers(CseProfileOut, 401, 403, 422), url_name="cse_profile")
def cse_profile_view(request: HttpRequest, filters: Query[InspectionFilters]) -> CseProfileOut:
    """The CSE intelligence profile for a period (default the last 90 days) and area, built from the
    records now; logged as a consultation of everyone it names."""
    chosen = _inspection_filters(filters)
    found = cse_profile(request.user, chosen)
    access.log_view(
        request.user, object_type="cse_profile", object_ids=[], individual_ids=found.named, fields=["cse_profile"]
    )
    return CseProfileOut(
        period_from=chosen.start,
        period_to=chosen.end,
        area=chosen.area,
        months=[
            ProfileMonthOut(month=m.month, marked=m.marked, raised=m.raised, missing=m.missing) for m in found.months
        ],
        networks=[
            ProfileNetworkOut(
                children=[_person(found, c) for c in n.children], adults=[_person(found, a) for a in n.adults]
            )
            for n in found.networks
        ],
        adults=[ProfileAdultOut(**_person(found, a.individual_id).dict(), children=a.children) for a in found.adults],
        places=[ProfilePlaceOut(place=p.place, children=p.children, records=p.records) for p in found.places],
    )


@router.get(
    "/cse-profile.csv",
    response={frozenset({401, 403, 422}): ErrorOut},
    url_name="cse_profile_csv",
    openapi_extra={"responses": CSV},
)
def cse_profile_download(request: HttpRequest, filters: Query[InspectionFilters]) -> HttpResponse:
    """The profile as CSV, logged as an export naming everyone in it."""
    found = cse_profile(request.user, _inspection_filters(filters))
    try:
        return profile_csv(request, found)
    except ExportRefused:
        raise HttpError(403, REFUSED) from None
