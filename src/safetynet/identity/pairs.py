"""Pair rules: thresholds, identifier conflicts, reviewers' decisions, and the verdict on a
scored pair (links, goes to review, or neither)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from safetynet.identity.features import (
    IDENTIFIER_FIELDS,
    IDENTIFIER_LABELS,
    Features,
)
from safetynet.identity.linkmodel import probability_from_weight
from safetynet.identity.models import (
    PairDecision,
    ReviewPair,
)
from safetynet.lib.collector import cycle_collection_paused

Pair = tuple[int, int]
DEFAULT_THRESHOLDS = {"link": 0.99, "review": 0.5}


def thresholds() -> dict[str, float]:
    """Return the match-probability thresholds: `link` (at or above: linked automatically)
    and `review` (at or above, below `link`: queued for a human), from
    `settings.SAFETYNET_LINK_THRESHOLDS`."""
    configured = getattr(settings, "SAFETYNET_LINK_THRESHOLDS", {}) or {}
    return {**DEFAULT_THRESHOLDS, **configured}


def ordered(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


# --- pair rules ---------------------------------------------------------------------------


def identifier_conflict(a: Features, b: Features) -> str | None:
    """Return why a shared identifier is implausible (clearly different people), or None.

    Clearly different: recorded sex differs AND the years of birth are 40 or more apart.
    The reason names the identifier kind only, never a value.
    """
    shared = [IDENTIFIER_LABELS[f] for f in IDENTIFIER_FIELDS if a[f] and a[f] == b[f]]  # type: ignore[literal-required]
    if not shared:
        return None
    if (
        a["sex"]
        and b["sex"]
        and a["sex"] != b["sex"]
        and a["dob_y"]
        and b["dob_y"]
        and abs(a["dob_y"] - b["dob_y"]) >= 40
    ):
        return f"same {', '.join(shared)} on records of different sex born 40 or more years apart"
    return None


def has_name(f: Features) -> bool:
    return bool(f["given"] and f["family"])


def shares_identifier(a: Features, b: Features) -> bool:
    return any(a[f] and a[f] == b[f] for f in IDENTIFIER_FIELDS)  # type: ignore[literal-required]


@dataclass
class Decisions:
    """The latest reviewer decision on each pair: must-link and cannot-link sets."""

    same: set[Pair] = field(default_factory=set)
    not_same: set[Pair] = field(default_factory=set)

    @classmethod
    def load(cls, person_ids: Iterable[int] | None = None) -> Decisions:
        query = PairDecision.objects.order_by("decided_at", "pk")
        if person_ids is not None:
            ids = list(person_ids)
            query = query.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
        latest: dict[Pair, bool] = {}
        for a, b, same in query.values_list("person_a_id", "person_b_id", "same"):
            latest[(a, b)] = same
        result = cls()
        for pair, same in latest.items():
            (result.same if same else result.not_same).add(pair)
        return result


@dataclass
class Verdict:
    """What to do with one scored pair."""

    link: bool
    review_reason: str | None = None
    detail: str = ""


WEAK_EVIDENCE = "no usable name on one record and no shared identifier"


def judge(a: Features, b: Features, probability: float, limits: dict[str, float]) -> Verdict:
    """Return whether a scored pair links, and whether (and why) it goes to review.

    Never links on an implausible shared identifier, nor on a strong score with neither a
    usable name on both sides nor a shared identifier (e.g. initials only).
    """
    conflict = identifier_conflict(a, b)
    if conflict:
        return Verdict(False, ReviewPair.Reason.IDENTIFIER_CONFLICT, conflict)
    if probability >= limits["link"]:
        if not (has_name(a) and has_name(b)) and not shares_identifier(a, b):
            return Verdict(False, ReviewPair.Reason.WEAK_EVIDENCE, WEAK_EVIDENCE)
        return Verdict(True)
    if probability >= limits["review"]:
        return Verdict(False, ReviewPair.Reason.UNCERTAIN, "")
    return Verdict(False)


@dataclass
class Judged:
    """The verdicts on a batch of scored pairs."""

    edges: list[tuple[int, int, float]] = field(default_factory=list)  # pairs that link, with their weight
    review: list[tuple[Pair, str, str, float]] = field(default_factory=list)  # (pair, reason, detail, weight)
    conflicts: set[Pair] = field(default_factory=set)  # identifier conflicts: never in one cluster
    identifier_links: set[int] = field(default_factory=set)  # persons linked through a shared identifier


def judge_all(
    scored: Sequence[tuple[int, int, float]],
    features: dict[int, Features],
    limits: dict[str, float],
    decided: set[Pair] | frozenset[Pair] = frozenset(),
    facts: Sequence[tuple[bool, bool]] | None = None,
) -> Judged:
    """Judge every scored pair as `judge` does, skipping pairs a reviewer decided.

    `judge` itself runs only for pairs that share an identifier (where a conflict can arise);
    for the rest, most of a county's pairs, the verdict follows from the probability and
    whether both records carry a usable name. `facts` gives, for each scored pair, (shares an
    identifier, both named) as `training.splink_predict_with_facts` reads them in DuckDB;
    without it they are read from the features here.
    """
    with cycle_collection_paused():  # hundreds of thousands of tuples, no cycles
        return _judge_all(scored, features, limits, decided, facts)


def _judge_all(
    scored: Sequence[tuple[int, int, float]],
    features: dict[int, Features],
    limits: dict[str, float],
    decided: set[Pair] | frozenset[Pair],
    facts: Sequence[tuple[bool, bool]] | None,
) -> Judged:
    link, review = limits["link"], limits["review"]
    result = Judged()
    for index, (a, b, weight) in enumerate(scored):
        pair = ordered(a, b)
        if decided and pair in decided:
            continue
        if facts is None:
            fa, fb = features[a], features[b]
            shared, named = shares_identifier(fa, fb), has_name(fa) and has_name(fb)
        else:
            shared, named = facts[index]
        probability = probability_from_weight(weight)
        if shared:
            verdict = judge(features[a], features[b], probability, limits)
            if verdict.link:
                result.edges.append((a, b, weight))
                result.identifier_links.update(pair)
            elif verdict.review_reason:
                result.review.append((pair, verdict.review_reason, verdict.detail, weight))
                if verdict.review_reason == ReviewPair.Reason.IDENTIFIER_CONFLICT:
                    result.conflicts.add(pair)
        elif probability >= link:
            if named:
                result.edges.append((a, b, weight))
            else:
                result.review.append((pair, ReviewPair.Reason.WEAK_EVIDENCE, WEAK_EVIDENCE, weight))
        elif probability >= review:
            result.review.append((pair, ReviewPair.Reason.UNCERTAIN, "", weight))
    return result
