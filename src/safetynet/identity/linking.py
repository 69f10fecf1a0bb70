"""The linkage engine: features and the blocking index in the database, pair rules
(decisions, identifier conflicts, thresholds), constrained clustering, and writing
clusters as individuals with stable ids and history.

Batch (`link_all`) scores candidate pairs with Splink on DuckDB; incremental
(`link_persons`) scores a record's candidates with the same model in Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from safetynet.identity.features import (
    IDENTIFIER_FIELDS,
    IDENTIFIER_LABELS,
    Features,
    blocking_keys,
    features_for_persons,
    index_keys,
    search_name,
)
from safetynet.identity.linkmodel import LinkModel, load_model, probability_from_weight
from safetynet.identity.models import (
    BlockingKey,
    Individual,
    LinkChange,
    LinkFeatures,
    Membership,
    PairDecision,
    ReviewPair,
)
from safetynet.identity.signals import individuals_changed
from safetynet.lib.clock import Clock, SystemClock
from safetynet.lib.collector import cycle_collection_paused
from safetynet.records.models import Marker, Person

log = logging.getLogger(__name__)
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


# --- features and the blocking index ----------------------------------------------------


def _digest(features: Features) -> str:
    return hashlib.sha1(json.dumps(features, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def refresh_features(person_ids: Iterable[int] | None, today: dt.date, chunk: int = 5000) -> dict[int, Features]:
    """Recompute features and blocking keys of the given live persons (all when None).

    Rows whose features did not change are not rewritten. Persons no longer live lose
    their features and keys. Returns person id -> features of the live persons asked for.
    """
    wanted = None if person_ids is None else list(person_ids)
    current = features_for_persons(wanted, today)
    by_id = {f["unique_id"]: f for f in current}
    existing = dict(
        (
            LinkFeatures.objects.all() if wanted is None else LinkFeatures.objects.filter(person_id__in=wanted)
        ).values_list("person_id", "digest")
    )
    gone = [pid for pid in existing if pid not in by_id]
    changed = [f for f in current if existing.get(f["unique_id"]) != _digest(f)]
    if wanted is not None:
        # Mark unchanged records as seen, so `safetynet link` does not pick them up again.
        same = [f["unique_id"] for f in current if existing.get(f["unique_id"]) == _digest(f)]
        LinkFeatures.objects.filter(person_id__in=same).update(computed_at=timezone.now())
    with transaction.atomic():
        if gone:
            for start in range(0, len(gone), chunk):
                stale = gone[start : start + chunk]
                BlockingKey.objects.filter(person_id__in=stale).delete()
                LinkFeatures.objects.filter(person_id__in=stale).delete()
    feature_table, key_table = LinkFeatures._meta.db_table, BlockingKey._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    quote = connection.ops.quote_name
    for start in range(0, len(changed), chunk):
        part = changed[start : start + chunk]
        ids = [f["unique_id"] for f in part]
        # Plain executemany: the ORM's bulk_create costs ten times more per row here.
        with transaction.atomic(), connection.cursor() as cursor:
            BlockingKey.objects.filter(person_id__in=ids).delete()
            LinkFeatures.objects.filter(person_id__in=ids).delete()
            cursor.executemany(
                f"INSERT INTO {quote(feature_table)} (person_id, features, search_name, digest, computed_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(f["unique_id"], json.dumps(f), search_name(f), _digest(f), stamp) for f in part],
            )
            cursor.executemany(
                f"INSERT INTO {quote(key_table)} (person_id, {quote('key')}) VALUES (%s, %s)",
                [(f["unique_id"], k) for f in part for k in index_keys(f)],
            )
    return by_id


def stored_features(person_ids: Iterable[int]) -> dict[int, Features]:
    """Return the stored features of the given persons."""
    return {
        pid: features
        for pid, features in LinkFeatures.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", "features"
        )
    }


def candidates(features: Features, limit: int = 2000) -> list[int]:
    """Return ids of persons sharing at least one blocking key with these features."""
    keys = blocking_keys(features)
    if not keys:
        return []
    found = (
        BlockingKey.objects.filter(key__in=keys)
        .exclude(person_id=features["unique_id"])
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    return list(found)


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


def _has_name(f: Features) -> bool:
    return bool(f["given"] and f["family"])


def _shares_identifier(a: Features, b: Features) -> bool:
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
        if not (_has_name(a) and _has_name(b)) and not _shares_identifier(a, b):
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
            shared, named = _shares_identifier(fa, fb), _has_name(fa) and _has_name(fb)
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


# --- constrained clustering ------------------------------------------------------------------


def cluster(
    nodes: Iterable[int],
    edges: Sequence[tuple[int, int, float]],
    *,
    must_link: Iterable[Pair] = (),
    cannot_link: Iterable[Pair] = (),
) -> tuple[list[set[int]], dict[int, float]]:
    """Cluster records: must-link pairs first, then edges by descending weight, never
    joining two groups if that would put a cannot-link pair in one cluster.

    Returns the clusters (every node once, a node with no accepted edge alone, in the order of
    each cluster's first node) and, for each record, the weight of the strongest accepted edge
    that touches it (infinity for a must-link). Only records that some edge or must-link
    touches enter the union-find: in a county most records have no candidate above the link
    threshold, and building a group for each of them cost more than the joins themselves.
    """
    with cycle_collection_paused():  # a set per record and a dict entry per join, no cycles
        return _cluster(nodes, edges, must_link, cannot_link)


def _cluster(
    nodes: Iterable[int],
    edges: Sequence[tuple[int, int, float]],
    must_link: Iterable[Pair],
    cannot_link: Iterable[Pair],
) -> tuple[list[set[int]], dict[int, float]]:
    known = nodes if isinstance(nodes, (set, frozenset, KeysView)) else dict.fromkeys(nodes).keys()
    parent: dict[int, int] = {}  # only records some join touched; absent = a root of its own
    size: dict[int, int] = {}  # root -> members, for roots of two or more
    forbidden: dict[int, set[int]] = defaultdict(set)  # root -> persons it must not contain
    for a, b in cannot_link:
        if a in known and b in known:
            forbidden[a].add(b)
            forbidden[b].add(a)
    best: dict[int, float] = {}

    def find(x: int) -> int:
        root = parent.get(x, x)
        if root == x:
            return x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(a: int, b: int, weight: float) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if forbidden and forbidden.get(ra) and any(find(x) == rb for x in forbidden[ra]):
                return
            size_a, size_b = size.get(ra, 1), size.get(rb, 1)
            if size_a < size_b:
                ra, rb = rb, ra
            parent[rb] = ra
            if ra not in parent:
                parent[ra] = ra
            size[ra] = size_a + size_b
            if rb in forbidden:
                forbidden[ra] |= forbidden.pop(rb)
        if weight > best.get(a, -math.inf):
            best[a] = weight
        if weight > best.get(b, -math.inf):
            best[b] = weight

    for a, b in must_link:
        if a in known and b in known:
            union(a, b, math.inf)
    for a, b, weight in sorted(edges, key=itemgetter(2), reverse=True):
        if a in known and b in known:
            union(a, b, weight)
    # In the order of each cluster's first record in `nodes` (stable ids prefer that order on ties).
    groups: dict[int, set[int]] = {}
    clusters: list[set[int]] = []
    for n in known:
        if n not in parent:
            clusters.append({n})
            continue
        root = find(n)
        group = groups.get(root)
        if group is None:
            group = groups[root] = set()
            clusters.append(group)
        group.add(n)
    return clusters, best


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
    current: dict[int, tuple[int, str, float | None]] = {
        pid: (ind, method, prob)
        for pid, ind, method, prob in Membership.objects.filter(person_id__in=persons).values_list(
            "person_id", "individual_id", "method", "match_probability"
        )
    }
    # Stable ids: assign individuals to clusters by largest overlap, greedily.
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
    for start in range(0, len(fresh), 2000):
        part = fresh[start : start + 2000]
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
        if progress:
            progress(start + len(part), len(fresh) + len(work))

    for done, index in enumerate(work, start=1):
        members = clusters[index]
        with transaction.atomic():
            if index in target:
                individual_id = target[index]
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
                reason=reason,
                acting_user=acting_user,
                from_individuals=sources,
                to_individual_id=individual_id,
                before=before,
                after=after,
            )
            result.changes += 1
            result.changed_individuals.update({individual_id, *sources})
        if progress:
            progress(len(fresh) + done, len(fresh) + len(work))
    return result


# --- the review queue ------------------------------------------------------------------------------


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


def send_changed(individual_ids: Iterable[int], reason: str) -> None:
    """Send `individuals_changed` once the current transaction commits."""
    ids = sorted(set(individual_ids))
    if ids:
        transaction.on_commit(lambda: individuals_changed.send(sender=Individual, individual_ids=ids, reason=reason))


# --- batch linkage ----------------------------------------------------------------------------------


@dataclass
class LinkReport:
    persons: int = 0
    candidate_pairs: int = 0
    links: int = 0
    individuals: int = 0
    changes: int = 0
    created: int = 0
    queued: int = 0
    changed_individuals: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def link_all(
    *,
    acting_user: Any = None,
    clock: Clock | None = None,
    model: LinkModel | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkReport:
    """Full batch linkage: score every candidate pair with Splink, cluster with the
    reviewers' decisions as constraints, write changed clusters, queue uncertain pairs.

    A re-run on unchanged data changes nothing. Sends `individuals_changed`.
    """
    import time

    from safetynet.identity.training import splink_predict_with_facts

    clock = clock or SystemClock()
    model = model or load_model()
    limits = thresholds()
    report = LinkReport()
    started = time.perf_counter()
    features = refresh_features(None, clock.now().date())
    report.persons = len(features)
    report.seconds["features"] = time.perf_counter() - started
    t = time.perf_counter()
    scored: list[tuple[int, int, float]] = []
    facts: list[tuple[bool, bool]] = []
    if len(features) >= 2:
        threshold = min(limits["review"], limits["link"])
        scored, facts = splink_predict_with_facts(list(features.values()), model, threshold=threshold)
    report.candidate_pairs = len(scored)
    report.seconds["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    decisions = Decisions.load()
    judged = judge_all(scored, features, limits, decided=decisions.same | decisions.not_same, facts=facts)
    edges, review, identifier_links = judged.edges, judged.review, judged.identifier_links
    cannot = decisions.not_same | judged.conflicts
    clusters, best = cluster(features.keys(), edges, must_link=decisions.same, cannot_link=cannot)
    report.links = len(edges)
    report.individuals = len(clusters)
    report.seconds["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    result = apply_clusters(
        clusters,
        best,
        reason="batch linkage",
        acting_user=acting_user,
        clock=clock,
        identifier_links=identifier_links,
        progress=(lambda done, total: progress("writing", done, total)) if progress else None,
    )
    _detach_withdrawn(clock=clock, acting_user=acting_user, result=result)
    # Queue only uncertainty that matters: the pair ended up in different individuals.
    home = {pid: i for i, c in enumerate(clusters) for pid in c}
    relevant = [
        item
        for item in review
        if item[1] == ReviewPair.Reason.IDENTIFIER_CONFLICT or home[item[0][0]] != home[item[0][1]]
    ]
    with transaction.atomic():
        report.queued = queue_for_review(relevant, clock=clock, decided=decisions.same | decisions.not_same)
        send_changed(result.changed_individuals, "linkage")
    report.seconds["write"] = time.perf_counter() - t
    report.changes = result.changes
    report.created = result.created
    report.changed_individuals = sorted(result.changed_individuals)
    return report


def _detach_withdrawn(
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


# --- incremental linkage -------------------------------------------------------------------------------


def link_persons(
    person_ids: Iterable[int],
    *,
    acting_user: Any = None,
    clock: Clock | None = None,
    model: LinkModel | None = None,
    reason: str = "incremental",
) -> list[int]:
    """Match new or changed person records against existing ones and attach each to an
    individual (or a new one); return the ids of individuals changed.

    Uses the blocking index in the database and the saved model's weights in Python.
    A record linked to several individuals merges them, unless a reviewer decided that
    records in them are not the same person. Withdrawn records are detached.
    Sends `individuals_changed` after commit.
    """
    clock = clock or SystemClock()
    model = model or load_model()
    limits = thresholds()
    ids = sorted(set(person_ids))
    changed: set[int] = set()
    features = refresh_features(ids, clock.now().date())
    result = ApplyResult()
    with transaction.atomic():
        _detach_withdrawn(clock=clock, acting_user=acting_user, result=result, person_ids=ids)
    changed |= result.changed_individuals
    for pid in ids:
        if pid in features:
            changed |= _link_one(features[pid], model, limits, clock=clock, acting_user=acting_user, reason=reason)
    with transaction.atomic():
        send_changed(changed, reason)
    return sorted(changed)


def _link_one(
    f: Features, model: LinkModel, limits: dict[str, float], *, clock: Clock, acting_user: Any, reason: str
) -> set[int]:
    pid = f["unique_id"]
    others = candidates(f)
    their = stored_features(others)
    decisions = Decisions.load([pid])
    membership = dict(Membership.objects.filter(person_id__in=[pid, *others]).values_list("person_id", "individual_id"))
    links: list[tuple[int, float]] = []
    review: list[tuple[Pair, str, str, float]] = []
    for other, g in their.items():
        pair = ordered(pid, other)
        if pair in decisions.not_same:
            continue
        if pair in decisions.same:
            links.append((other, float("inf")))
            continue
        score = model.score(f, g)
        verdict = judge(f, g, score.probability, limits)
        if verdict.link:
            links.append((other, score.match_weight))
        elif verdict.review_reason:
            review.append((pair, verdict.review_reason, verdict.detail, score.match_weight))
    # Individuals to join, strongest first; skip any holding a record decided "not same".
    forbidden_people = {b if a == pid else a for a, b in decisions.not_same}
    forbidden_individuals = {membership[p] for p in forbidden_people if p in membership}
    strength: dict[int, float] = {}
    for other, weight in links:
        ind = membership.get(other)
        if ind is not None and ind not in forbidden_individuals:
            strength[ind] = max(strength.get(ind, weight), weight)
    own = membership.get(pid)
    # A changed record that no longer matches any other record of its individual (and is not
    # held there by a "same person" decision) leaves it: it goes where it now matches, or
    # alone. The rest of the individual stays as it was.
    own_members: set[int] = set()
    if own is not None:
        own_members = set(Membership.objects.filter(individual_id=own).values_list("person_id", flat=True)) - {pid}
    held = {p for p, _w in links} | {b if a == pid else a for a, b in decisions.same}
    split = bool(own_members) and not (held & own_members)
    targets = sorted(strength, key=lambda i: (-strength[i], i))
    changed: set[int] = set()
    with transaction.atomic():
        if targets or own is None or split:
            # Refuse a merge through a forbidden pair: keep only individuals compatible with
            # everything already chosen.
            chosen: set[int] = {own} if own is not None and not split else set()
            for ind in targets:
                if _compatible(chosen | {ind}, pid):
                    chosen.add(ind)
            cluster_members = set(
                Membership.objects.filter(individual_id__in=chosen).values_list("person_id", flat=True)
            )
            cluster_members.add(pid)
            best = {p: w for p, w in links if p in cluster_members}
            if len(cluster_members) > 1:
                best[pid] = max((w for _p, w in links if _p in cluster_members), default=0.0)
            id_links = {p for p in cluster_members if p in their and _shares_identifier(f, their[p])}
            if id_links:
                id_links.add(pid)
            # When splitting, the records left behind come first, so they keep the individual's id.
            clusters = [own_members, cluster_members] if split else [cluster_members]
            res = apply_clusters(
                clusters, best, reason=reason, acting_user=acting_user, clock=clock, identifier_links=id_links
            )
            changed |= res.changed_individuals
        home = Membership.objects.filter(person_id=pid).values_list("individual_id", flat=True).first()
        home_members = (
            set(Membership.objects.filter(individual_id=home).values_list("person_id", flat=True)) if home else set()
        )
        relevant = [
            item
            for item in review
            if item[1] == ReviewPair.Reason.IDENTIFIER_CONFLICT or not set(item[0]) <= home_members
        ]
        queue_for_review(relevant, clock=clock, decided=decisions.same | decisions.not_same)
    return changed


def _compatible(individual_ids: set[int], extra_person: int) -> bool:
    """Return whether records of these individuals (plus one person) contain no pair
    decided "not the same person"."""
    people = set(Membership.objects.filter(individual_id__in=individual_ids).values_list("person_id", flat=True))
    people.add(extra_person)
    decisions = Decisions.load(people)
    return not any(a in people and b in people for a, b in decisions.not_same)
