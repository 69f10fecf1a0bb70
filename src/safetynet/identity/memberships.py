"""Writing clusters as individuals: stable ids, one transaction and one `LinkChange` per
changed cluster, retired individuals pointing to where their records went."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from more_itertools import chunked

from safetynet.identity.linkmodel import probability_from_weight
from safetynet.identity.models import (
    Individual,
    LinkChange,
    Membership,
)
from safetynet.identity.signals import individuals_changed
from safetynet.lib.clock import Clock

# --- reading: which individual holds a record, which records an individual holds ----------------


def individual_of_people(person_ids: Iterable[int]) -> dict[int, int]:
    """Each source record (Person id) -> the individual holding it (records not linked left out)."""
    return dict(Membership.objects.filter(person_id__in=list(person_ids)).values_list("person_id", "individual_id"))


def records_of(individual_id: int) -> list[int]:
    """The source records (Person ids) linked into `individual_id`, deleted ones included."""
    return list(Membership.objects.filter(individual_id=individual_id).values_list("person_id", flat=True))


# --- writing clusters as individuals ------------------------------------------------------------


@dataclass
class ApplyResult:
    changed_individuals: set[int] = field(default_factory=set)
    created: int = 0
    changes: int = 0


def _method(person_id: int, weight: float | None, identifier_links: set[int]) -> tuple[str, float | None]:
    if weight is None:
        return Membership.Method.SINGLETON, None
    if weight == float("inf"):
        return Membership.Method.DECISION, 1.0
    if person_id in identifier_links:
        return Membership.Method.IDENTIFIER, probability_from_weight(weight)
    return Membership.Method.MODEL, probability_from_weight(weight)


def apply_clusters(
    clusters: Sequence[set[int]],
    best: dict[int, float],
    *,
    reason: str,
    acting_user: Any,
    clock: Clock,
    identifier_links: set[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ApplyResult:
    """Make the database's individuals match `clusters`, keeping ids stable.

    Each cluster keeps the existing individual holding most of its records (ties: the
    lowest id); a cluster of records none of which had an individual gets a new one. Each
    changed cluster is written in its own transaction with a `LinkChange` saying which
    individuals its records came from. Individuals left empty are retired, pointing to
    where their records went.
    """
    identifier_links = identifier_links or set()
    persons = {p for c in clusters for p in c}
    current: dict[int, Current] = {
        pid: (ind, method, prob)
        for pid, ind, method, prob in Membership.objects.filter(person_id__in=persons).values_list(
            "person_id", "individual_id", "method", "match_probability"
        )
    }
    target = _stable_targets(clusters, current)
    result = ApplyResult()
    now = clock.now()
    fresh: list[set[int]] = []
    work: list[int] = []
    for index, members in enumerate(clusters):
        if index not in target and not any(pid in current for pid in members):
            fresh.append(members)
        elif index not in target or any(current.get(pid, (None,))[0] != target[index] for pid in members):
            work.append(index)

    # Clusters of records never linked before: created in bulk, no history needed.
    total = len(fresh) + len(work)
    written = 0
    for part in chunked(fresh, 2000):
        _create_individuals(part, best, identifier_links, result)
        written += len(part)
        if progress:
            progress(written, total)
    for done, index in enumerate(work, start=1):
        change = Change(clusters[index], target.get(index), reason, acting_user, now)
        _move_records(change, current, best, identifier_links, result)
        if progress:
            progress(len(fresh) + done, total)
    return result


Current = tuple[int, str, float | None]  # a person's individual, link method and match probability


def _stable_targets(clusters: Sequence[set[int]], current: dict[int, Current]) -> dict[int, int]:
    """Return cluster index -> the existing individual it keeps: by largest overlap, greedily."""
    overlaps: list[tuple[int, int, int]] = []
    for index, members in enumerate(clusters):
        counts: dict[int, int] = defaultdict(int)
        for pid in members:
            if pid in current:
                counts[current[pid][0]] += 1
        overlaps.extend((-n, ind, index) for ind, n in counts.items())
    overlaps.sort()
    target: dict[int, int] = {}
    taken: set[int] = set()
    for _neg, ind, index in overlaps:
        if index not in target and ind not in taken:
            target[index] = ind
            taken.add(ind)
    return target


def _create_individuals(
    part: Sequence[set[int]], best: dict[int, float], identifier_links: set[int], result: ApplyResult
) -> None:
    """Create one individual per cluster of never-linked records, in one transaction."""
    with transaction.atomic():
        individuals = Individual.objects.bulk_create([Individual() for _ in part])
        rows = []
        for individual, members in zip(individuals, part, strict=True):
            for pid in members:
                method, prob = _method(pid, best.get(pid) if len(members) > 1 else None, identifier_links)
                rows.append(Membership(person_id=pid, individual=individual, method=method, match_probability=prob))
            result.changed_individuals.add(individual.pk)
        Membership.objects.bulk_create(rows)
    result.created += len(part)


@dataclass(frozen=True)
class Change:
    """One cluster to write: its records, the individual it keeps (None: a new one), why, by whom, when."""

    members: set[int]
    individual_id: int | None
    reason: str
    acting_user: Any
    at: dt.datetime


def _move_records(
    change: Change, current: dict[int, Current], best: dict[int, float], identifier_links: set[int], result: ApplyResult
) -> None:
    """Move a cluster's records into its individual in one transaction, with a `LinkChange`."""
    members, now = change.members, change.at
    with transaction.atomic():
        if change.individual_id is not None:
            individual_id = change.individual_id
            is_new = False
        else:
            individual_id = Individual.objects.create().pk
            is_new = True
            result.created += 1
        moving = sorted(pid for pid in members if current.get(pid, (None,))[0] != individual_id)
        before = {str(pid): list(current[pid]) if pid in current else [None, None, None] for pid in moving}
        sources = sorted({current[pid][0] for pid in moving if pid in current})
        after: dict[str, list[Any]] = {}
        for pid in moving:
            method, prob = _method(pid, best.get(pid) if len(members) > 1 else None, identifier_links)
            Membership.objects.update_or_create(
                person_id=pid,
                defaults={"individual_id": individual_id, "method": method, "match_probability": prob},
            )
            after[str(pid)] = [individual_id, method, prob]
        for source in sources:
            if not Membership.objects.filter(individual_id=source).exists():
                Individual.objects.filter(pk=source).update(retired_at=now, merged_into_id=individual_id)
        Individual.objects.filter(pk=individual_id).update(retired_at=None, merged_into=None, updated_at=now)
        if not sources:
            kind = LinkChange.Kind.ATTACH
        elif is_new:
            kind = LinkChange.Kind.SPLIT
        elif len(sources) >= 1 and all(not Membership.objects.filter(individual_id=s).exists() for s in sources):
            kind = LinkChange.Kind.MERGE
        else:
            kind = LinkChange.Kind.MOVE
        LinkChange.objects.create(
            at=now,
            kind=kind,
            reason=change.reason,
            acting_user=change.acting_user,
            from_individuals=sources,
            to_individual_id=individual_id,
            before=before,
            after=after,
        )
        result.changes += 1
        result.changed_individuals.update({individual_id, *sources})


def send_changed(individual_ids: Iterable[int], reason: str) -> None:
    """Send `individuals_changed` once the current transaction commits."""
    ids = sorted(set(individual_ids))
    if ids:
        transaction.on_commit(lambda: individuals_changed.send(sender=Individual, individual_ids=ids, reason=reason))


def detach_withdrawn(
    *, clock: Clock, acting_user: Any, result: ApplyResult, person_ids: list[int] | None = None
) -> None:
    """Remove memberships of persons no longer live (withdrawn), retiring empty individuals.

    Looks at the given persons only, or at every membership when `person_ids` is None."""
    query = Membership.objects.filter(Q(person__deleted=True) | Q(person__recorded_at__isnull=True))
    if person_ids is not None:
        query = query.filter(person_id__in=person_ids)
    stale = list(query.values_list("person_id", "individual_id", "method", "match_probability"))
    for pid, ind, method, prob in stale:
        with transaction.atomic():
            Membership.objects.filter(person_id=pid).delete()
            if not Membership.objects.filter(individual_id=ind).exists():
                Individual.objects.filter(pk=ind).update(retired_at=clock.now())
            LinkChange.objects.create(
                at=clock.now(),
                kind=LinkChange.Kind.DETACH,
                reason="record withdrawn by its source",
                acting_user=acting_user,
                from_individuals=[ind],
                to_individual=None,
                before={str(pid): [ind, method, prob]},
                after={str(pid): [None, None, None]},
            )
        result.changed_individuals.add(ind)
