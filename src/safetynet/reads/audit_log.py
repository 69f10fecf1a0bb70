"""Reading the access log: "who has looked at this child's record?" and the auditor's
filtered list. Both follow a child across merges and through their source records, so they
read identity and records; the log itself is written by `safetynet.audit.services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from safetynet.audit.models import AuditEntry, AuditSubject
from safetynet.identity.models import Individual, Membership
from safetynet.records.models import Person


def resolve_person_ref(raw: str) -> tuple[int | None, int | None]:
    """(individual id, person id) from "123" (an individual's number) or "SOURCE:ID" (one source
    record, e.g. "rms:P1"). ValueError, naming what was expected, for anything else."""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw), None
    source, sep, source_id = raw.partition(":")
    if not sep or not source or not source_id:
        raise ValueError("expected an individual number (e.g. 42) or SOURCE:ID (e.g. rms:P1)")
    person = Person.objects.filter(source=source, source_id=source_id).select_related("membership").first()
    if person is None:
        raise ValueError(f"no record {source}:{source_id} is stored")
    membership = getattr(person, "membership", None)
    return (membership.individual_id if membership else None), person.pk


def _subject_seqs(individual_id: int | None, person_id: int | None) -> QuerySet[AuditSubject, Any]:
    individual_ids: set[int] = set()
    person_ids: set[int] = set()
    if person_id is not None:
        person_ids.add(person_id)
    if individual_id is not None:
        individual_ids.add(individual_id)
        # Entries written before a merge name the old individual; follow merged_into back.
        frontier = {individual_id}
        while frontier:
            older = set(Individual.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            frontier = older - individual_ids
            individual_ids |= older
        person_ids |= set(
            Membership.objects.filter(individual_id__in=individual_ids).values_list("person_id", flat=True)
        )
    return AuditSubject.objects.filter(Q(individual_id__in=individual_ids) | Q(person_id__in=person_ids)).values(
        "entry_id"
    )


def entries_about(*, individual_id: int | None = None, person_id: int | None = None) -> list[AuditEntry]:
    """Every entry concerning a child: by individual (including individuals later merged
    into it and every source record now in it) or by one source person record."""
    return list(AuditEntry.objects.filter(seq__in=_subject_seqs(individual_id, person_id)).order_by("seq"))


@dataclass(frozen=True)
class LogFilter:
    """What the auditor's access-log screen filters on; every part optional."""

    who: str = ""  # part of a username, any case
    action: str = ""
    individual_id: int | None = None
    person_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def filtered_entries(chosen: LogFilter) -> QuerySet[AuditEntry]:
    """Entries matching `chosen`, newest first. The person filter means the same as
    `entries_about` (merges followed, the child's source records included)."""
    entries = AuditEntry.objects.all()
    if chosen.who:
        entries = entries.filter(actor_username__icontains=chosen.who)
    if chosen.action:
        entries = entries.filter(action=chosen.action)
    if chosen.individual_id is not None or chosen.person_id is not None:
        entries = entries.filter(seq__in=_subject_seqs(chosen.individual_id, chosen.person_id))
    if chosen.date_from is not None:
        entries = entries.filter(at__gte=_day_start(chosen.date_from))
    if chosen.date_to is not None:
        entries = entries.filter(at__lt=_day_start(chosen.date_to + dt.timedelta(days=1)))
    return entries.order_by("-seq")


def _day_start(day: dt.date) -> dt.datetime:
    # Days are UTC days, as `audit report` prints times in UTC.
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
