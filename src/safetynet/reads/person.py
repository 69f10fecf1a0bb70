"""Read models of one person: set-oriented queries that gather what a person page shows.

Nothing here changes data. Each function takes ids the caller has already authorised
through `safetynet.reads.access` and returns plain dataclasses, so templates never run queries
of their own and a page costs a fixed, small number of queries however long a history is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery

from safetynet.access.models import Agency
from safetynet.access.roles import AgencyCode
from safetynet.identity.memberships import individual_of_people
from safetynet.identity.models import Membership
from safetynet.reads.labels import label
from safetynet.records.models import Event, Marker, Order, Participation, Person, Plan, Relationship

CHRONOLOGY_PAGE_SIZE = 25
# What a chronology entry shows or needs to redact (safetynet.reads.access.redact_event).
CHRONOLOGY_FIELDS = ("source", "source_id", "event_type", "occurred_at", "ended_at", "summary", "details", "location")

# How a person the viewer may not open (restricted from them, or outside their scope) appears
# on another person's page: no name, no date of birth, no link and no id that resolves.
NO_ACCESS_NAME = "A person you do not have access to"

# Given individual ids, the subset the viewer may open (safetynet.reads.access.may_open).
MayOpen = Callable[[Iterable[int]], set[int]]


@dataclass
class Headline:
    """Who this individual is, from their most recently recorded source record."""

    individual_id: int
    name: str
    other_names: list[str]
    date_of_birth: str
    age: int | None
    sex: str
    postcode: str
    care_status: str
    record_count: int


@dataclass
class SourceRecordRow:
    person: Person
    method: str
    method_label: str
    probability: float | None
    explanation: list[str] = field(default_factory=list)


def person_ids_of(individual_id: int) -> list[int]:
    """The live source Person ids linked into `individual_id`."""
    return list(
        Membership.objects.filter(
            individual_id=individual_id, person__recorded_at__isnull=False, person__deleted=False
        ).values_list("person_id", flat=True)
    )


def age_on(dob: dt.date | None, today: dt.date) -> int | None:
    """Whole years from `dob` to `today`; None when the date of birth is unknown."""
    if dob is None:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def display_name(person: Person) -> str:
    name = " ".join(part for part in (person.given_names, person.family_name) if part).strip()
    return name or "Name not recorded"


def _latest(people: Iterable[Person]) -> Person | None:
    return max(people, key=lambda p: (p.recorded_at or dt.datetime.min.replace(tzinfo=dt.UTC), p.pk), default=None)


# What `headline` reads of each record (headlines for many people read nothing else).
HEADLINE_FIELDS = (
    "given_names",
    "family_name",
    "other_names",
    "date_of_birth",
    "dob",
    "sex",
    "postcode",
    "care_status",
    "recorded_at",
)


def headline(individual_id: int, people: list[Person], today: dt.date) -> Headline:
    """Summarise `people` (one individual's records): the latest record's name, every other name."""
    latest = _latest(people)
    if latest is None:
        return Headline(individual_id, "Name not recorded", [], "", None, "", "", "", 0)
    main_name = display_name(latest)
    others: list[str] = []
    for person in people:
        for name in [display_name(person), *[str(n) for n in person.other_names or []]]:
            if name != main_name and name not in others and name != "Name not recorded":
                others.append(name)
    dob = next((p.dob for p in sorted(people, key=lambda p: p.pk) if p.dob), None)
    date_of_birth = dob.isoformat() if dob else next((p.date_of_birth for p in people if p.date_of_birth), "")
    return Headline(
        individual_id=individual_id,
        name=main_name,
        other_names=others,
        date_of_birth=date_of_birth,
        age=age_on(dob, today),
        sex=label(latest.sex),
        postcode=latest.postcode,
        care_status=label(latest.care_status),
        record_count=len(people),
    )


def source_records(individual_id: int) -> list[SourceRecordRow]:
    """Every live source record linked into the individual, with how it was linked."""
    memberships = (
        Membership.objects.filter(individual_id=individual_id, person__recorded_at__isnull=False, person__deleted=False)
        .select_related("person", "person__school")
        .defer("person__payload", "person__school__payload")
        .order_by("person__source", "person__source_id")
    )
    return [
        SourceRecordRow(
            person=m.person,
            method=m.method,
            method_label=str(m.get_method_display()),
            probability=m.match_probability,
        )
        for m in memberships
    ]


def headlines_for(individual_ids: Iterable[int], today: dt.date) -> dict[int, Headline]:
    """Headlines for many individuals in two queries (for networks, search results, relationships)."""
    ids = list(set(individual_ids))
    people_by_individual: dict[int, list[Person]] = defaultdict(list)
    rows = (
        Membership.objects.filter(individual_id__in=ids, person__recorded_at__isnull=False, person__deleted=False)
        .select_related("person")
        .only("individual_id", *(f"person__{f}" for f in HEADLINE_FIELDS))
    )
    for m in rows:
        people_by_individual[m.individual_id].append(m.person)
    return {i: headline(i, people, today) for i, people in people_by_individual.items()}


def markers(person_ids: list[int]) -> QuerySet[Marker]:
    return Marker.live.filter(person_id__in=person_ids).defer("payload").order_by("-valid_from", "marker_type")


def orders(person_ids: list[int]) -> list[tuple[Order, str]]:
    """Orders naming the individual, each with "subject" or "protected"."""
    found = (
        Order.live.filter(Q(subject_id__in=person_ids) | Q(protected__in=person_ids))
        .distinct()
        .order_by("-valid_from")
        .prefetch_related("protected")
    )
    return [(o, "subject" if o.subject_id in person_ids else "protected") for o in found]


def plans(person_ids: list[int]) -> QuerySet[Plan]:
    return (
        Plan.live.filter(Q(person_id__in=person_ids) | Q(associates__in=person_ids)).distinct().order_by("-created_on")
    )


@dataclass
class RelationshipRow:
    rel_type: str
    direction: str  # how the other person stands to this one, in words
    other_individual_id: int | None
    other_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str


_REL_WORDS = {
    "parent_of": ("parent of", "child of"),
    "step_parent_of": ("step-parent of", "step-child of"),
    "carer_of": ("carer of", "cared for by"),
    "sibling_of": ("sibling of", "sibling of"),
    "partner_of": ("partner of", "partner of"),
    "ex_partner_of": ("ex-partner of", "ex-partner of"),
    "lives_with": ("lives with", "lives with"),
    "associate_of": ("associate of", "associate of"),
    "boyfriend_girlfriend": ("boyfriend or girlfriend of", "boyfriend or girlfriend of"),
}


def relationships(person_ids: list[int], today: dt.date, *, may_open: MayOpen) -> list[RelationshipRow]:
    """Relationships of the individual, described from the other person's side. A person the
    viewer may not open appears as NO_ACCESS_NAME, unlinked (their names are never loaded)."""
    rels = list(
        Relationship.live.filter(Q(person_a_id__in=person_ids) | Q(person_b_id__in=person_ids)).defer("payload")
    )
    others = [r.person_b_id if r.person_a_id in person_ids else r.person_a_id for r in rels]
    individual_of = individual_of_people([o for o in others if o is not None])
    openable = may_open(set(individual_of.values()))
    heads = headlines_for(openable, today)
    rows: list[RelationshipRow] = []
    for rel, other_id in zip(rels, others, strict=True):
        forward, backward = _REL_WORDS.get(rel.rel_type, (rel.rel_type, rel.rel_type))
        # The other person is person_a when the individual is person_b: "X is parent of" this child.
        words = forward if rel.person_b_id in person_ids else backward
        other_individual = individual_of.get(other_id) if other_id is not None else None
        if other_individual is not None and other_individual not in openable:
            other_individual, name = None, NO_ACCESS_NAME
        else:
            head = heads.get(other_individual) if other_individual is not None else None
            name = head.name if head else "Unknown person"
        rows.append(
            RelationshipRow(
                rel_type=rel.rel_type,
                direction=words,
                other_individual_id=other_individual,
                other_name=name,
                valid_from=rel.valid_from,
                valid_to=rel.valid_to,
                source=rel.source,
            )
        )
    # Sorted after masking, so a hidden person's place in the list says nothing about their name.
    rows.sort(key=lambda r: (r.valid_to is not None, r.other_name))
    return rows


@dataclass
class ChronologyFilter:
    event_types: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Agency codes (access.roles.AgencyCode, or SAFETYNET_AGENCY): events from their systems.
    agencies: list[str] = field(default_factory=list)
    # A period back from today (PERIODS); the view has already narrowed `date_from` by it.
    period: str = ""


# Records the product's own forms captured (source "safetynet"), whichever agency's user wrote them.
SAFETYNET_AGENCY = "safetynet"
SAFETYNET_AGENCY_NAME = "Recorded in safetynet"
# Periods a chronology can be narrowed to, back from today: code -> (words, days).
PERIODS: dict[str, tuple[str, int]] = {
    "90d": ("Last 90 days", 90),
    "12m": ("Last 12 months", 365),
    "3y": ("Last 3 years", 3 * 365),
}


AGENCY_CODES = (*AgencyCode.values, SAFETYNET_AGENCY)


def chronology_filter(
    *,
    today: dt.date,
    event_types: Iterable[str] = (),
    agencies: Iterable[str] = (),
    period: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> ChronologyFilter:
    """A chronology filter as the screen or the API asked for it (already validated): a period
    becomes the date `PERIODS` days back from `today`."""
    if period:
        date_from = today - dt.timedelta(days=PERIODS[period][1])
    return ChronologyFilter(
        event_types=list(event_types), agencies=list(agencies), period=period, date_from=date_from, date_to=date_to
    )


def source_agencies() -> dict[str, str]:
    """source system code -> the name of the agency whose system it is (access.Agency's
    `source_systems`), "Recorded in safetynet" for the product's own records."""
    names: dict[str, str] = {SAFETYNET_AGENCY: SAFETYNET_AGENCY_NAME}
    for name, sources in Agency.objects.values_list("name", "source_systems"):
        for source in sources or []:
            names.setdefault(str(source), str(name))
    return names


def agency_sources(codes: Iterable[str]) -> list[str]:
    """The source system codes of the agencies `codes` (SAFETYNET_AGENCY: "safetynet")."""
    wanted = set(codes)
    sources = [SAFETYNET_AGENCY] if SAFETYNET_AGENCY in wanted else []
    for found in Agency.objects.filter(code__in=sorted(wanted)).values_list("source_systems", flat=True):
        sources += [str(s) for s in found or []]
    return sorted(set(sources))


@dataclass
class ChronologyEntry:
    event: Event
    roles: list[str]


# What a chronology entry reads of the event's place (its address, in words).
_PLACE_FIELDS = ("location__address_lines", "location__town", "location__postcode", "location__location_type")


def chronology_events(
    person_ids: list[int],
    filters: ChronologyFilter,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]] | None = None,
) -> QuerySet[Event]:
    """The individual's events as filtered, newest first, without the stored payload (the
    source's whole object, the largest column) or anything else the chronology does not show.
    The events are chosen through the participation index (a semi-join, so nothing needs
    DISTINCT); `restrict` narrows them to what the viewer may see (safetynet.reads.access)."""
    events = (
        Event.live.filter(pk__in=Participation.objects.filter(person_id__in=person_ids).values("event_id"))
        .select_related("location")
        .only(*CHRONOLOGY_FIELDS, *_PLACE_FIELDS)
    )
    if restrict is not None:
        events = restrict(events)
    if filters.event_types:
        events = events.filter(event_type__in=filters.event_types)
    if filters.agencies:
        events = events.filter(source__in=agency_sources(filters.agencies))
    if filters.date_from:
        events = events.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(occurred_at__date__lte=filters.date_to)
    return events.order_by("-occurred_at", "-pk")


def _with_roles(events: list[Event], person_ids: list[int]) -> list[ChronologyEntry]:
    """Each event with the roles the individual had in it, in one query."""
    roles: dict[int, list[str]] = defaultdict(list)
    for event_id, role in Participation.objects.filter(
        event_id__in=[e.pk for e in events], person_id__in=person_ids
    ).values_list("event_id", "role"):
        if label(role) not in roles[event_id]:
            roles[event_id].append(label(role))
    return [ChronologyEntry(e, roles[e.pk]) for e in events]


def chronology_page(
    person_ids: list[int],
    filters: ChronologyFilter,
    page_number: int,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]] | None = None,
    page_size: int = CHRONOLOGY_PAGE_SIZE,
) -> tuple[Page[Any], list[ChronologyEntry]]:
    """One page of the individual's events across sources, newest first, and the roles they had
    (`chronology_events`): the database counts and pages, and only the page's rows are read."""
    paginator = Paginator(chronology_events(person_ids, filters, restrict), page_size)
    page = paginator.get_page(page_number)
    return page, _with_roles(list(page.object_list), person_ids)


def chronology_all(
    person_ids: list[int],
    filters: ChronologyFilter,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]] | None = None,
) -> list[ChronologyEntry]:
    """Every event of the chronology as filtered, newest first (the print view)."""
    return _with_roles(list(chronology_events(person_ids, filters, restrict)), person_ids)


@dataclass
class ParticipantRow:
    role: str
    individual_id: int | None
    name: str
    date_of_birth: str
    source: str


def participants(event: Event, *, may_open: MayOpen) -> list[ParticipantRow]:
    """Who took part in `event`, each linked to their individual; a person the viewer may not
    open appears as NO_ACCESS_NAME with their role only."""
    parts = list(
        Participation.objects.filter(event=event, person__recorded_at__isnull=False, person__deleted=False)
        .select_related("person")
        .order_by("role", "pk")
    )
    individual_of = individual_of_people(p.person_id for p in parts)
    openable = may_open(set(individual_of.values()))
    rows: list[ParticipantRow] = []
    for p in parts:
        individual_id = individual_of.get(p.person_id)
        if individual_id is not None and individual_id in openable:
            rows.append(
                ParticipantRow(
                    role=label(p.role),
                    individual_id=individual_id,
                    name=display_name(p.person),
                    date_of_birth=p.person.date_of_birth,
                    source=p.person.source,
                )
            )
        else:
            rows.append(
                ParticipantRow(role=label(p.role), individual_id=None, name=NO_ACCESS_NAME, date_of_birth="", source="")
            )
    return rows


def last_events(individual_ids: list[int]) -> dict[int, Event]:
    """The most recent live event of each individual (for search results), in two queries:
    a correlated subquery picks each record's latest event through the participation index,
    so the cost follows the number of results, not the length of their histories."""
    latest_of_person = (
        Event.live.filter(participations__person_id=OuterRef("person_id"), occurred_at__isnull=False)
        .order_by("-occurred_at")
        .values("pk")[:1]
    )
    pairs = list(
        Membership.objects.filter(individual_id__in=individual_ids)
        .annotate(latest=Subquery(latest_of_person))
        .exclude(latest__isnull=True)
        .values_list("individual_id", "latest")
    )
    # A result row shows the type and the date; the rest of the event is not read.
    events = Event.objects.only("source", "event_type", "occurred_at").in_bulk([event_id for _i, event_id in pairs])
    latest: dict[int, Event] = {}
    for individual, event_id in pairs:
        event = events[event_id]
        current = latest.get(individual)
        if current is None or (event.occurred_at and current.occurred_at and event.occurred_at > current.occurred_at):
            latest[individual] = event
    return latest
