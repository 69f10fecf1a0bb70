"""Loading pictures, set-oriented: `load_pictures(individual_ids, as_of)` reads once per chunk
of individuals every record of their people (through `identity.Membership`), the events they
took part in with every participant, events linked to those, relationships, markers, orders,
plans, and their network neighbours (people sharing an event, a relationship, an order or a
home with them; whole individuals, not single records) with their markers; for family and
household (relationships, homes) also their meetings, crimes and links one step further (an
adult's other children). As of a past time, records changed since are read as they were then
(`risk.picture_as_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from more_itertools import chunked

from safetynet.identity.models import Membership
from safetynet.lib.lookups import keys
from safetynet.lib.lookups import register as register_int_in
from safetynet.records import models as rm
from safetynet.risk.picture import (
    EventRec,
    MarkerRec,
    OrderRec,
    PersonRec,
    Picture,
    PlanRec,
    RelationshipRec,
    Store,
    make_ref,
)
from safetynet.risk.picture_as_of import earlier_versions, event_as_it_was, person_as_it_was

register_int_in()  # `__int_in`: key lists written as literals (safetynet.lib.lookups)

CHUNK = 800  # below SQLite's parameter limit with room to spare


def _visible(qs: Any, as_of: dt.datetime) -> Any:
    return qs.filter(recorded_at__lte=as_of)


def _load_persons(store: Store, pks: set[int]) -> None:
    """Adds person rows (with current homes) for `pks` not yet loaded."""
    wanted = [p for p in pks if p not in store.persons]
    today = store.as_of.date()
    for batch in chunked(wanted, CHUNK):
        homes: dict[int, list[int]] = defaultdict(list)
        addresses: dict[int, list[tuple[int, dt.date | None, dt.date | None]]] = defaultdict(list)
        for person_id, location_id, kind, valid_from, valid_to in rm.PersonAddress.objects.filter(
            person_id__int_in=keys(batch)
        ).values_list("person_id", "location_id", "kind", "valid_from", "valid_to"):
            addresses[person_id].append((location_id, valid_from, valid_to))
            if kind != "previous" and (valid_to is None or valid_to >= today):
                homes[person_id].append(location_id)
                store.residents[location_id].add(person_id)
        members = dict(
            Membership.objects.filter(person_id__int_in=keys(batch)).values_list("person_id", "individual_id")
        )
        rows = _visible(rm.Person.live.filter(pk__int_in=keys(batch)), store.as_of).values_list(
            "pk",
            "source",
            "source_id",
            "dob",
            "birth_year",
            "care_status",
            "self_defined_ethnicity",
            "observed_ethnicity",
            "school_id",
        )
        for pk, source, sid, dob, year, care, sde, obs, school in rows:
            individual = members.get(pk)
            store.persons[pk] = PersonRec(
                pk,
                make_ref(source, sid),
                individual,
                dob,
                year,
                care or "",
                bool(sde or obs),
                school,
                tuple(homes[pk]),
                tuple(addresses[pk]),
            )
            if individual is not None and pk not in store.members[individual]:
                store.members[individual].append(pk)
        for pk, version in earlier_versions(store, rm.Person, Q(pk__int_in=keys(batch))).items():
            individual = members.get(pk)
            store.persons[pk] = person_as_it_was(version, individual, today)
            for location_id in store.persons[pk].homes:
                store.residents[location_id].add(pk)
            if individual is not None and pk not in store.members[individual]:
                store.members[individual].append(pk)


def _load_events(store: Store, event_ids: set[int]) -> None:
    wanted = [e for e in event_ids if e not in store.events]
    for batch in chunked(wanted, CHUNK):
        parts: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for eid, pid, role in rm.Participation.objects.filter(event_id__int_in=keys(batch)).values_list(
            "event_id", "person_id", "role"
        ):
            parts[eid].append((pid, role))
        links: dict[int, list[int]] = defaultdict(list)
        through = rm.Event.linked_events.through
        for src, dst in through.objects.filter(from_event_id__int_in=keys(batch)).values_list(
            "from_event_id", "to_event_id"
        ):
            links[src].append(dst)
        rows = _visible(rm.Event.live.filter(pk__int_in=keys(batch)), store.as_of).values_list(
            "pk",
            "source",
            "source_id",
            "event_type",
            "occurred_at",
            "ended_at",
            "reported_at",
            "recorded_at",
            "summary",
            "details",
            "recorded_by",
            "location_id",
        )
        events = [
            EventRec(
                pk,
                make_ref(source, sid),
                etype,
                occ,
                end,
                rep,
                rec,
                summary or "",
                details if isinstance(details, dict) else {},
                by if isinstance(by, dict) else None,
                loc,
                tuple(parts[pk]),
                tuple(links[pk]),
            )
            for pk, source, sid, etype, occ, end, rep, rec, summary, details, by, loc in rows
        ]
        events += [event_as_it_was(v) for v in earlier_versions(store, rm.Event, Q(pk__int_in=keys(batch))).values()]
        for event in events:
            pk = event.pk
            store.events[pk] = event
            for person, _ in event.participants:
                if pk not in store.events_by_person[person]:
                    store.events_by_person[person].append(pk)
            for dst in event.linked:
                store.linked_from[dst].append(pk)


def _members_of(individuals: set[int]) -> set[int]:
    out: set[int] = set()
    for batch in chunked(individuals, CHUNK):
        out.update(Membership.objects.filter(individual_id__int_in=keys(batch)).values_list("person_id", flat=True))
    return out


def _individuals_of(persons: set[int]) -> set[int]:
    out: set[int] = set()
    for batch in chunked(persons, CHUNK):
        out.update(Membership.objects.filter(person_id__int_in=keys(batch)).values_list("individual_id", flat=True))
    return out


def _load_links(store: Store, persons: set[int]) -> set[int]:
    """Loads relationships, orders and markers touching `persons`; returns the people they reach."""
    reached: set[int] = set()
    for batch in chunked(persons, CHUNK):
        touching = Q(person_a_id__int_in=keys(batch)) | Q(person_b_id__int_in=keys(batch))
        relationships = list(
            _visible(rm.Relationship.live.filter(touching), store.as_of).values_list(
                "pk", "source", "source_id", "person_a_id", "person_b_id", "rel_type", "valid_from", "valid_to"
            )
        )
        relationships += [
            (pk, v.source, v.source_id, v.fk("person_a"), v.fk("person_b"))
            + (v.field("rel_type"), v.field("valid_from"), v.field("valid_to"))
            for pk, v in earlier_versions(store, rm.Relationship, touching).items()
        ]
        for row in relationships:
            pk, source, sid, a, b, rtype, vf, vt = row
            if pk not in store.relationships:
                store.relationships[pk] = RelationshipRec(pk, make_ref(source, sid), a, b, rtype, vf, vt)
                for p in (a, b):
                    if p is not None:
                        store.rels_by_person[p].append(pk)
            reached.update(p for p in (a, b) if p is not None)
        concerning = Q(subject_id__int_in=keys(batch)) | Q(protected__int_in=keys(batch))
        order_ids = set(_visible(rm.Order.live.filter(concerning), store.as_of).values_list("pk", flat=True))
        order_ids -= set(store.orders)
        for pk, v in earlier_versions(store, rm.Order, concerning).items():
            if pk not in store.orders:
                subject = v.fk("subject")
                order = OrderRec(
                    pk,
                    make_ref(v.source, v.source_id),
                    v.field("order_type"),
                    subject,
                    v.pks(v.prepared.protected),
                    v.field("valid_from"),
                    v.field("valid_to"),
                )
                store.orders[pk] = order
                for p in (subject, *order.protected):
                    if p is not None:
                        store.orders_by_person[p].append(pk)
                        reached.add(p)
        if order_ids:
            protected: dict[int, list[int]] = defaultdict(list)
            for oid, pid in rm.Order.protected.through.objects.filter(order_id__int_in=keys(order_ids)).values_list(
                "order_id", "person_id"
            ):
                protected[oid].append(pid)
            for pk, source, sid, otype, subject, vf, vt in rm.Order.objects.filter(
                pk__int_in=keys(order_ids)
            ).values_list("pk", "source", "source_id", "order_type", "subject_id", "valid_from", "valid_to"):
                order = OrderRec(pk, make_ref(source, sid), otype, subject, tuple(protected[pk]), vf, vt)
                store.orders[pk] = order
                for p in (subject, *order.protected):
                    if p is not None:
                        store.orders_by_person[p].append(pk)
                        reached.add(p)
        reached |= _load_markers(store, batch)
    return reached


def _load_markers(store: Store, persons: Iterable[int]) -> set[int]:
    """Loads the markers on or naming `persons`; returns the people they reach."""
    reached: set[int] = set()
    for batch in chunked(persons, CHUNK):
        about = Q(person_id__int_in=keys(batch)) | Q(linked_person_id__int_in=keys(batch))
        markers = list(
            _visible(rm.Marker.live.filter(about), store.as_of).values_list(
                "pk", "source", "source_id", "person_id", "marker_type", "valid_from", "valid_to", "linked_person_id"
            )
        )
        markers += [
            (pk, v.source, v.source_id, v.fk("person"), v.field("marker_type"))
            + (v.field("valid_from"), v.field("valid_to"), v.fk("linked_person"))
            for pk, v in earlier_versions(store, rm.Marker, about).items()
        ]
        for row in markers:
            marker = MarkerRec(row[0], make_ref(row[1], row[2]), *row[3:])
            if marker.person is not None and all(m.pk != marker.pk for m in store.markers_by_person[marker.person]):
                store.markers_by_person[marker.person].append(marker)
                reached.add(marker.person)
            if marker.linked_person is not None:
                reached.add(marker.linked_person)
    return reached


def _load_missing(store: Store, persons: set[int]) -> None:
    for batch in chunked(persons, CHUNK):
        for pid, eid, occ in (
            rm.Participation.objects.filter(
                person_id__int_in=keys(batch),
                role=rm.Participation.Role.MISSING_PERSON,
                event__event_type=rm.Event.EventType.MISSING_REPORT,
                event__deleted=False,
                event__recorded_at__lte=store.as_of,
            )
            .exclude(event__occurred_at__isnull=True)
            .values_list("person_id", "event_id", "event__occurred_at")
        ):
            if occ is not None and (occ, eid) not in store.missing_starts[pid]:
                store.missing_starts[pid].append((occ, eid))
        if store.history:
            # Reports changed after as_of: their episode as the version in force then gave it.
            wanted = set(batch)
            missing_in = Q(participations__person_id__int_in=keys(batch), participations__role="missing_person")
            for version in earlier_versions(store, rm.Event, missing_in).values():
                occ = version.field("occurred_at")
                if version.field("event_type") != rm.Event.EventType.MISSING_REPORT or occ is None:
                    continue
                for target, role in version.prepared.participants:
                    person = version.resolved.get(target)
                    if role != "missing_person" or person not in wanted:
                        continue
                    if (occ, version.pk) not in store.missing_starts[person]:
                        store.missing_starts[person].append((occ, version.pk))


def load_pictures(individual_ids: Iterable[int], as_of: dt.datetime) -> dict[int, Picture]:
    """Returns a picture per individual as of `as_of`, loading their records set-oriented."""
    ids = sorted(set(individual_ids))
    if not ids:
        return {}
    store = Store(as_of=as_of, history=rm.RecordVersion.objects.filter(superseded_at__gt=as_of).exists())
    own = _members_of(set(ids))
    _load_persons(store, own)
    _load_events(store, _events_around(own))
    first = {p for e in store.events.values() for p, _ in e.participants}
    first |= _load_links(store, own)
    household = _residents({loc for p in own if p in store.persons for loc in store.persons[p].homes})
    first |= household
    # Neighbours as whole individuals, with their markers (a registered sex offender at an
    # incident, a CAWN naming the adult of an order).
    neighbours = _whole(first - own)
    _load_persons(store, neighbours)
    # Family and household (the other ends of the individuals' relationships, the people
    # sharing their homes) as whole individuals: the only neighbours whose own meetings,
    # crimes and relationships a rule reads (D2: a parent's MARAC; D3: a household adult's
    # offence; X2: an adult's other children). Loading them for everyone met at an event, an
    # adult seen with hundreds of children among them, was most of a full evaluation.
    related = {
        p
        for pk in own
        for rid in store.rels_by_person.get(pk, ())
        for p in (store.relationships[rid].a, store.relationships[rid].b)
        if p is not None
    }
    close = _whole((related | household) - own)
    theirs: set[int] = set()
    for batch in chunked(close, CHUNK):
        theirs.update(
            rm.Participation.objects.filter(
                person_id__int_in=keys(batch), event__event_type__in=("meeting", "crime")
            ).values_list("event_id", flat=True)
        )
    _load_events(store, theirs)
    second = _load_links(store, close) - own - neighbours
    _load_markers(store, neighbours - close)
    # One step further (an adult's other children): who they are, their markers and episodes.
    second = _whole(second)
    _load_persons(store, second)
    _load_markers(store, second)
    _load_missing(store, own | neighbours | second)
    _load_location_types(store)
    _load_found_locations(store)
    _load_plans(store, own)
    for members in store.members.values():
        members.sort()  # an individual's records in key order, whatever order the queries returned
    return {i: Picture(i, store) for i in ids}


def _events_around(own: set[int]) -> set[int]:
    """Returns the events of `own` (person records) and the events linked to them either way."""
    event_ids: set[int] = set()
    for batch in chunked(own, CHUNK):
        event_ids.update(
            rm.Participation.objects.filter(person_id__int_in=keys(batch)).values_list("event_id", flat=True)
        )
    through = rm.Event.linked_events.through
    # One hop from the individuals' own events (a snapshot: adding to the set while walking it
    # raised once a chunk of individuals had more events than one query batch).
    for batch in chunked(sorted(event_ids), CHUNK):
        event_ids.update(
            through.objects.filter(to_event_id__int_in=keys(batch)).values_list("from_event_id", flat=True)
        )
        event_ids.update(
            through.objects.filter(from_event_id__int_in=keys(batch)).values_list("to_event_id", flat=True)
        )
    return event_ids


def _load_location_types(store: Store) -> None:
    """Loads the type of every place an event happened at or a person lives at."""
    locations = {e.location_id for e in store.events.values() if e.location_id} | {
        loc for p in store.persons.values() for loc in p.homes
    }
    for batch in chunked(locations, CHUNK):
        store.location_types.update(
            rm.Location.objects.filter(pk__int_in=keys(batch)).values_list("pk", "location_type")
        )


def _load_plans(store: Store, own: set[int]) -> None:
    """Loads the plans about `own` (person records), as they were at the store's time."""
    for batch in chunked(own, CHUNK):
        for row in _visible(rm.Plan.live.filter(person_id__int_in=keys(batch)), store.as_of).values_list(
            "pk", "source", "source_id", "plan_type", "person_id", "created_on", "review_due"
        ):
            store.plans_by_person[row[4]].append(PlanRec(row[0], make_ref(row[1], row[2]), *row[3:]))
        for pk, v in earlier_versions(store, rm.Plan, Q(person_id__int_in=keys(batch))).items():
            person = v.fk("person")
            if person is not None:
                store.plans_by_person[person].append(
                    PlanRec(
                        pk,
                        make_ref(v.source, v.source_id),
                        v.field("plan_type"),
                        person,
                        v.field("created_on"),
                        v.field("review_due"),
                    )
                )


def _load_found_locations(store: Store) -> None:
    """Loads the types of the places missing children were found (`found_location` is a reference
    inside the report's details, not a stored link)."""
    wanted: set[tuple[str, str]] = set()
    for event in store.events.values():
        if event.event_type == "missing_report":
            ref = event.details.get("found_location")
            if isinstance(ref, dict) and ref.get("source") and ref.get("id"):
                wanted.add((str(ref["source"]), str(ref["id"])))
    for batch in chunked(sorted(wanted), CHUNK):
        rows = _visible(rm.Location.live.filter(source_id__in=[i for _, i in batch]), store.as_of).values_list(
            "source", "source_id", "location_type"
        )
        earlier = earlier_versions(store, rm.Location, Q(source_id__in=[i for _, i in batch])).values()
        rows = [*rows, *((v.source, v.source_id, v.field("location_type")) for v in earlier)]
        for source, sid, ltype in rows:
            if (source, sid) in wanted:
                store.location_types_by_ref[(source, sid)] = ltype or ""


def _whole(persons: set[int]) -> set[int]:
    """Returns `persons` with every other record of their individuals."""
    return _members_of(_individuals_of(persons)) | persons


def _residents(locations: set[int]) -> set[int]:
    """Returns the people with an address at any of `locations` (household neighbours)."""
    out: set[int] = set()
    for batch in chunked(locations, CHUNK):
        out.update(rm.PersonAddress.objects.filter(location_id__int_in=keys(batch)).values_list("person_id", flat=True))
    return out


def load_picture(individual_id: int, as_of: dt.datetime) -> Picture:
    """Returns one individual's picture as of `as_of`."""
    return load_pictures([individual_id], as_of)[individual_id]
