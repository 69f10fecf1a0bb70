"""Which records are cases of an area of practice, by meaning: the criteria file's selectors
(event types with participant roles and conditions on their details, marker types, risk
findings' clauses) read against the records of a period.

A case is one individual's handling in the area during the period: a child reported missing
twelve times in the period is one case (its most recent record), so a dip sample spreads over
children instead of filling with the few who appear most often. Set-oriented: one query per
selector, then people to individuals through the linkage's memberships.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from more_itertools import chunked

from safetynet.identity.models import Membership
from safetynet.lib.periods import bounds
from safetynet.oversight.criteria import Area, RecordSelector
from safetynet.records.models import Event, Marker, Participation, Person
from safetynet.risk.models import AUDIT_KIND, Finding

# Ids per query: well under the databases' limits on bound parameters.
CHUNK = 5000


@dataclass(frozen=True)
class Candidate:
    """A case that could be sampled: the individual, and the record that makes it a case."""

    individual_id: int
    kind: str  # event, marker or finding
    record_pk: int
    record: dict[str, Any]  # {source, id}
    at: dt.datetime | dt.date | None


def individuals_of(person_ids: Iterable[int]) -> dict[int, int]:
    """person id -> individual id, for the linked ones."""
    found: dict[int, int] = {}
    for chunk in chunked(sorted(set(person_ids)), CHUNK):
        found.update(Membership.objects.filter(person_id__in=chunk).values_list("person_id", "individual_id"))
    return found


def _people_by_ref(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(source, id) -> person row, one query per source (not one OR per reference, which a
    large county would push past SQLite's expression depth)."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, source_id in refs:
        by_source[source].add(source_id)
    found: dict[tuple[str, str], int] = {}
    for source, ids in by_source.items():
        for chunk in chunked(sorted(ids), CHUNK):
            rows = Person.live.filter(source=source, source_id__in=chunk).values_list("pk", "source_id")
            found.update({(source, i): pk for pk, i in rows})
    return found


def _event_cases(sel: RecordSelector, start: dt.date, end: dt.date) -> list[Candidate]:
    lo, hi = bounds(start, end)
    rows = [
        (pk, source, source_id, details or {}, at)
        for pk, source, source_id, details, at in Event.live.filter(
            event_type=sel.event_type, occurred_at__gte=lo, occurred_at__lt=hi
        ).values_list("pk", "source", "source_id", "details", "occurred_at")
        if all(c.holds(details or {}) for c in sel.details)
    ]
    by_pk = {r[0]: r for r in rows}
    subjects: list[tuple[int, int]] = []
    for chunk in chunked(sorted(by_pk), CHUNK):
        subjects += Participation.objects.filter(event_id__in=chunk, role__in=sel.roles).values_list(
            "event_id", "person_id"
        )
    if sel.subjects_in_details:
        listed = {
            pk: [(str(r.get("source")), str(r.get("id"))) for r in details.get(sel.subjects_in_details) or [] if r]
            for pk, _s, _i, details, _at in rows
        }
        people = _people_by_ref(ref for refs in listed.values() for ref in refs)
        subjects += [(pk, people[ref]) for pk, refs in listed.items() for ref in refs if ref in people]
    individuals = individuals_of(person for _e, person in subjects)
    return [
        Candidate(individuals[person], "event", pk, {"source": by_pk[pk][1], "id": by_pk[pk][2]}, by_pk[pk][4])
        for pk, person in subjects
        if person in individuals
    ]


def _marker_cases(sel: RecordSelector, start: dt.date, end: dt.date) -> list[Candidate]:
    rows = list(
        Marker.live.filter(marker_type__in=sel.marker_types)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .values_list("pk", "source", "source_id", "person_id", "valid_from")
    )
    individuals = individuals_of(r[3] for r in rows if r[3])
    return [
        Candidate(individuals[person], "marker", pk, {"source": source, "id": source_id}, since)
        for pk, source, source_id, person, since in rows
        if person in individuals
    ]


def _finding_cases(sel: RecordSelector, start: dt.date, end: dt.date) -> list[Candidate]:
    lo, hi = bounds(start, end)
    rows = (
        Finding.objects.filter(clause__in=sel.finding_clauses, raised_at__gte=lo, raised_at__lt=hi)
        .exclude(kind=AUDIT_KIND)
        .values_list("pk", "individual_id", "key", "cites", "raised_at")
    )
    out = []
    for pk, individual, key, cites, raised in rows:
        ref = key if isinstance(key, dict) and key.get("source") else (cites or [{}])[0]
        record = {"source": str(ref.get("source", "")), "id": str(ref.get("id", ""))} if ref else {}
        out.append(Candidate(individual, "finding", pk, record or {"finding": pk}, raised))
    return out


def _when(c: Candidate) -> dt.datetime:
    if isinstance(c.at, dt.datetime):
        return c.at
    if isinstance(c.at, dt.date):
        return dt.datetime.combine(c.at, dt.time.min, tzinfo=dt.UTC)
    return dt.datetime.min.replace(tzinfo=dt.UTC)


def cases_of(area: Area, start: dt.date, end: dt.date) -> list[Candidate]:
    """Every case of `area` in the period, one per individual (its most recent record), in
    individual order (so a seeded draw over the same records picks the same cases)."""
    readers = {"event": _event_cases, "marker": _marker_cases, "finding": _finding_cases}
    latest: dict[int, Candidate] = {}
    for sel in area.records:
        for c in readers[sel.kind](sel, start, end):
            held = latest.get(c.individual_id)
            if held is None or (_when(c), c.record_pk) > (_when(held), held.record_pk):
                latest[c.individual_id] = c
    return [latest[i] for i in sorted(latest)]
