"""The REST API, version 1: session authentication with CSRF (django-ninja's `django_auth`
checks the CSRF token on unsafe methods), every record fetched through the same access
helpers as the screens, so a record the caller may not see answers 404 exactly like a
missing one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from safetynet.api.schemas import (
    ChronologyOut,
    EventOut,
    IndividualOut,
    MarkerOut,
    SearchResultOut,
    SourceRecordOut,
)
from safetynet.web import queries
from safetynet.web.access import individual_for_user, visible_individual_ids
from safetynet.web.clock import clock
from safetynet.web.forms import ChronologyFilterForm, SearchForm
from safetynet.web.search import SearchQuery, search_people

api = NinjaAPI(
    title="safetynet API",
    version="1",
    description="People, chronologies and search for police and safeguarding partners. "
    "Session authentication; send the CSRF token on unsafe methods.",
    auth=django_auth,
    urls_namespace="api",
)


def _errors(form: ChronologyFilterForm | SearchForm) -> str:
    return "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())


@api.get("/individuals/{individual_id}", response=IndividualOut, url_name="individual")
def individual(request: HttpRequest, individual_id: int) -> IndividualOut:
    """One person's summary: who they are, their linked source records and markers."""
    found = individual_for_user(request.user, individual_id)
    rows = queries.source_records(found.pk)
    head = queries.headline(found.pk, [r.person for r in rows], clock().now().date())
    person_ids = [r.person.pk for r in rows]
    return IndividualOut(
        id=found.pk,
        name=head.name,
        other_names=head.other_names,
        date_of_birth=head.date_of_birth,
        age=head.age,
        sex=head.sex,
        postcode=head.postcode,
        care_status=head.care_status,
        records=[
            SourceRecordOut(
                source=r.person.source,
                source_id=r.person.source_id,
                given_names=r.person.given_names,
                family_name=r.person.family_name,
                date_of_birth=r.person.date_of_birth,
                linked_by=r.method,
                match_probability=r.probability,
            )
            for r in rows
        ],
        markers=[
            MarkerOut(marker_type=m.marker_type, valid_from=m.valid_from, valid_to=m.valid_to, source=m.source)
            for m in queries.markers(person_ids)
        ],
    )


class ChronologyFilters(Schema):
    type: list[str] = []
    date_from: str = ""
    date_to: str = ""
    page: int = 1


@api.get("/individuals/{individual_id}/chronology", response=ChronologyOut, url_name="individual_chronology")
def chronology(request: HttpRequest, individual_id: int, filters: Query[ChronologyFilters]) -> ChronologyOut:
    """The person's events across sources, newest first, 25 a page; filter by type and date."""
    found = individual_for_user(request.user, individual_id)
    data: dict[str, object] = {"type": filters.type, "date_from": filters.date_from, "date_to": filters.date_to}
    form = ChronologyFilterForm(data)
    if not form.is_valid():
        raise HttpError(422, _errors(form))
    chosen = queries.ChronologyFilter(
        event_types=form.cleaned_data["type"],
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    page, entries = queries.chronology_page(queries.person_ids_of(found.pk), chosen, max(1, filters.page))
    return ChronologyOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        events=[
            EventOut(
                id=e.event.pk,
                event_type=e.event.event_type,
                occurred_at=e.event.occurred_at,
                source=e.event.source,
                source_id=e.event.source_id,
                summary=e.event.summary,
                roles=e.roles,
            )
            for e in entries
        ],
    )


class SearchParams(Schema):
    name: str = ""
    date_of_birth: str = ""
    identifier: str = ""
    postcode: str = ""


@api.get("/search", response=list[SearchResultOut], url_name="search")
def search(request: HttpRequest, params: Query[SearchParams]) -> list[SearchResultOut]:
    """People matching a name (typos and nicknames allowed), date of birth, identifier or postcode."""
    form = SearchForm(params.dict())
    if not form.is_valid():
        raise HttpError(422, _errors(form))
    query = SearchQuery(**{k: form.cleaned_data[k] for k in ("name", "date_of_birth", "identifier", "postcode")})
    try:
        found = search_people(query, clock().now().date())
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    allowed = set(visible_individual_ids(request.user, [r.headline.individual_id for r in found]))
    return [
        SearchResultOut(
            id=r.headline.individual_id,
            name=r.headline.name,
            date_of_birth=r.headline.date_of_birth,
            age=r.headline.age,
            postcode=r.headline.postcode,
            match_probability=r.probability,
            last_event_type=r.last_event.event_type if r.last_event else None,
            last_event_at=r.last_event.occurred_at if r.last_event else None,
        )
        for r in found
        if r.headline.individual_id in allowed
    ]
