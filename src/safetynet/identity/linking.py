"""Incremental linkage: `link_persons` matches new or changed person records against the
blocking index with the trained model in Python, in milliseconds, as records arrive (the batch
run is `identity.batch.link_all`). Writes through `memberships`; queues uncertainty for review.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from more_itertools import chunked

from safetynet.identity.blocking import candidates, refresh_features, stored_features
from safetynet.identity.features import (
    Features,
)
from safetynet.identity.linkmodel import LinkModel, load_model
from safetynet.identity.memberships import ApplyResult, apply_clusters, detach_withdrawn, send_changed
from safetynet.identity.models import (
    Membership,
    ReviewPair,
)
from safetynet.identity.pairs import Decisions, Pair, judge, ordered, shares_identifier, thresholds
from safetynet.identity.review import queue_for_review
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Person

# Persons linked per call when catching up (the blocking index is read per call).
CATCH_UP_BATCH = 2000


def unlinked_person_ids() -> list[int]:
    """Live person records that belong to no individual: an import interrupted between a
    chunk's commit and its linkage, or one run with linkage off (`import --no-link`)."""
    return list(Person.live.filter(membership__isnull=True).order_by("pk").values_list("pk", flat=True))


def link_unlinked(*, acting_user: Any = None, clock: Clock = system_clock) -> int:
    """Link every live person record that belongs to no individual (see `unlinked_person_ids`);
    returns how many there were. Run by the CLI import after it has linked its own records,
    so a re-run after a crash leaves nobody unlinked."""
    ids = unlinked_person_ids()
    if ids:
        model = load_model()
        for batch in chunked(ids, CATCH_UP_BATCH):
            link_persons(batch, acting_user=acting_user, clock=clock, model=model, reason="catch-up: unlinked records")
    return len(ids)


def link_persons(
    person_ids: Iterable[int],
    *,
    acting_user: Any = None,
    clock: Clock = system_clock,
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
    model = model or load_model()
    limits = thresholds()
    ids = sorted(set(person_ids))
    changed: set[int] = set()
    features = refresh_features(ids, clock.now().date(), clock=clock)
    result = ApplyResult()
    with transaction.atomic():
        detach_withdrawn(clock=clock, acting_user=acting_user, result=result, person_ids=ids)
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
            id_links = {p for p in cluster_members if p in their and shares_identifier(f, their[p])}
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
