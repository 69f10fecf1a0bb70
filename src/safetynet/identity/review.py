"""The review queue: ordered by the risk at stake (what the two records together would raise,
set by the risk engine), then identifier conflicts, then children with markers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import F
from django.db.models.functions import Mod

from safetynet.identity.linkmodel import probability_from_weight
from safetynet.identity.models import STAKE_STEP, STAKES, ReviewPair
from safetynet.identity.pairs import Pair
from safetynet.lib.clock import Clock
from safetynet.records.models import Marker, Person

# --- the review queue ------------------------------------------------------------------------------


def set_risk_stakes(stakes: dict[int, str | None]) -> int:
    """Set each open review pair's risk at stake (review pair id -> the highest severity its two
    records together would newly raise, None for none) in its priority; return how many changed."""
    by_rank: dict[int, list[int]] = {}
    for pair_id, severity in stakes.items():
        by_rank.setdefault(STAKES.get(severity or "", 0), []).append(pair_id)
    changed = 0
    for rank, ids in by_rank.items():
        wanted = Mod(F("priority"), STAKE_STEP) + rank * STAKE_STEP
        changed += (
            ReviewPair.objects.filter(pk__in=ids, status=ReviewPair.Status.OPEN)
            .exclude(priority__gte=rank * STAKE_STEP, priority__lt=(rank + 1) * STAKE_STEP)
            .update(priority=wanted)
        )
    return changed


def risk_priority(person_ids: Iterable[int], today: dt.date) -> dict[int, int]:
    """Return a review priority per person: children with markers highest.

    3 = a child (under 18) with a marker, 2 = a child, 1 = an adult with a marker, 0 else.
    """
    ids = list(person_ids)
    marked = set(Marker.live.filter(person_id__in=ids).values_list("person_id", flat=True))
    result = {}
    for pid, year in Person.objects.filter(pk__in=ids).values_list("pk", "birth_year"):
        child = year is not None and today.year - year < 18
        result[pid] = (2 if child else 0) + (1 if pid in marked else 0)
    return result


def queue_for_review(
    items: Sequence[tuple[Pair, str, str, float]], *, clock: Clock, decided: set[Pair] | None = None
) -> int:
    """Open review items for (pair, reason, detail, weight) unless the pair is decided or
    already open; return how many were opened."""
    if not items:
        return 0
    decided = decided or set()
    pairs = {pair for pair, *_ in items}
    open_pairs = set(
        ReviewPair.objects.filter(status=ReviewPair.Status.OPEN, person_a_id__in={a for a, _ in pairs}).values_list(
            "person_a_id", "person_b_id"
        )
    )
    now = clock.now()
    persons = {p for pair in pairs for p in pair}
    priority = risk_priority(persons, now.date())
    rows = []
    seen: set[Pair] = set()
    for pair, reason, detail, weight in items:
        if pair in open_pairs or pair in decided or pair in seen:
            continue
        seen.add(pair)
        rows.append(
            ReviewPair(
                person_a_id=pair[0],
                person_b_id=pair[1],
                reason=reason,
                detail=detail[:200],
                match_weight=weight,
                match_probability=probability_from_weight(weight),
                priority=max(priority.get(pair[0], 0), priority.get(pair[1], 0))
                + (10 if reason == ReviewPair.Reason.IDENTIFIER_CONFLICT else 0),
                created_at=now,
            )
        )
    ReviewPair.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
