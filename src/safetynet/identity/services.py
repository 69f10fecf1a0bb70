"""Identity actions: every change a person makes to who is who (see docs/identity.md).
Explanations are in `identity.explain`, people search in `identity.search`.

- `decide_pair(pair, same, *, acting_user, reason)`: a reviewer's decision, kept forever,
  overriding the model for that pair and taking effect at once;
- `merge_individuals(first, second, *, acting_user, reason)` and
  `unmerge(change, *, acting_user, reason)`: manual merge and its exact undo;
- `review_queue()`: open review items, most risk-relevant first;
- `assign_singletons()`: one individual per unlinked live record.

Every state change is atomic, takes keyword-only `acting_user`, an injected clock, writes its
access-log entry (DPA 2018 s62: alteration, combination) in the same transaction, and sends
`individuals_changed` after commit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.blocking import features_of, person_pk
from safetynet.identity.clustering import cluster
from safetynet.identity.linkmodel import load_model
from safetynet.identity.memberships import apply_clusters, records_of, send_changed
from safetynet.identity.models import (
    Individual,
    LinkChange,
    Membership,
    PairDecision,
    ReviewPair,
)
from safetynet.identity.pairs import Decisions, judge, ordered, thresholds
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Person


@transaction.atomic
def assign_singletons() -> list[int]:
    """Create one Individual per live Person with none; return the new individual ids."""
    unlinked = list(Person.live.filter(membership__isnull=True).values_list("pk", flat=True))
    created: list[int] = []
    for person_id in unlinked:
        individual = Individual.objects.create()
        Membership.objects.create(person_id=person_id, individual=individual)
        created.append(individual.pk)
    return created


def _require_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError("a reason is required")
    return cleaned


def _members(individual_id: int) -> set[int]:
    return set(records_of(individual_id))


def _individual_of(person_id: int) -> int:
    found = Membership.objects.filter(person_id=person_id).values_list("individual_id", flat=True).first()
    if found is None:
        raise ValidationError(f"person {person_id} is not linked to an individual; run linkage first")
    return found


def _recluster(person_ids: set[int], *, reason: str, acting_user: Any, clock: Clock) -> set[int]:
    """Re-cluster a set of records from their pairwise scores and all decisions on them;
    return the individuals changed."""
    model = load_model()
    limits = thresholds()
    ids = sorted(person_ids)
    features = features_of(ids, clock.now().date())
    decisions = Decisions.load(ids)
    edges = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if a not in features or b not in features or ordered(a, b) in decisions.not_same:
                continue
            score = model.score(features[a], features[b])
            if judge(features[a], features[b], score.probability, limits).link:
                edges.append((a, b, score.match_weight))
    inside = {p for p in decisions.same if p[0] in person_ids and p[1] in person_ids}
    clusters, best = cluster(ids, edges, must_link=inside, cannot_link=decisions.not_same)
    result = apply_clusters(clusters, best, reason=reason, acting_user=acting_user, clock=clock)
    return result.changed_individuals


@transaction.atomic
def decide_pair(
    pair: ReviewPair | tuple[Person | int, Person | int],
    same: bool,
    *,
    acting_user: Any,
    reason: str,
    clock: Clock = system_clock,
) -> PairDecision:
    """Record a reviewer's decision that two records are (or are not) the same person, and
    apply it at once; return the stored decision.

    "Same" merges their individuals, unless that would join records decided "not the same
    person" (ValidationError). "Not the same" splits their individual if they share one,
    re-clustering its records with the decision as a constraint; a later full linkage run
    respects it too. Open review items for the pair are closed.
    """
    reason = _require_reason(reason)
    if isinstance(pair, ReviewPair):
        a, b = pair.person_a_id, pair.person_b_id
    else:
        a, b = person_pk(pair[0]), person_pk(pair[1])
    if a == b:
        raise ValidationError("a decision needs two different records")
    a, b = ordered(a, b)
    now = clock.now()
    if same:
        individual_a, individual_b = _individual_of(a), _individual_of(b)
        together = _members(individual_a) | _members(individual_b)
        existing = Decisions.load(together)
        if any(x in together and y in together for x, y in existing.not_same if (x, y) != (a, b)):
            raise ValidationError(
                "these records' individuals hold records decided 'not the same person'; split them first"
            )
    decision = PairDecision.objects.create(
        person_a_id=a, person_b_id=b, same=same, reason=reason, decided_by=acting_user, decided_at=now
    )
    ReviewPair.objects.filter(person_a_id=a, person_b_id=b, status=ReviewPair.Status.OPEN).update(
        status=ReviewPair.Status.DECIDED, decision=decision
    )
    changed: set[int] = set()
    individual_a, individual_b = _individual_of(a), _individual_of(b)
    label = "decision: same person" if same else "decision: not the same person"
    effect = "no_change"
    if same and individual_a != individual_b:
        members = _members(individual_a) | _members(individual_b)
        best = {a: float("inf"), b: float("inf")}
        changed = apply_clusters(
            [members], best, reason=f"{label}: {reason}", acting_user=acting_user, clock=clock
        ).changed_individuals
        effect = "individuals_merged"
    elif not same and individual_a == individual_b:
        changed = _recluster(_members(individual_a), reason=f"{label}: {reason}", acting_user=acting_user, clock=clock)
        effect = "individual_split"
    # DPA 2018 s62: the decision alters (and may combine or separate) the children's records.
    record_audit(
        acting_user=acting_user,
        action=Action.DECISION,
        object_type="pair_decision",
        object_ids=[decision.pk],
        individual_ids={individual_a, individual_b, *changed},
        person_ids=[a, b],
        fields=["same_person" if same else "not_same_person", effect],
        reason=reason,
        clock=clock,
    )
    # Both individuals are re-assessed even when no record moved: a probable match they held
    # (risk's ID1, "identity not confirmed") is settled by the decision either way.
    send_changed({*changed, individual_a, individual_b}, "decision")
    return decision


@transaction.atomic
def merge_individuals(
    first: Individual | int, second: Individual | int, *, acting_user: Any, reason: str, clock: Clock = system_clock
) -> LinkChange:
    """Merge two individuals (an authorised user's judgement); return the history entry.

    The individual with more records keeps its id. Stored as a "same person" decision
    between one record of each, so later linkage keeps the merge; `unmerge` undoes it.
    """
    reason = _require_reason(reason)
    ids = sorted({first if isinstance(first, int) else first.pk, second if isinstance(second, int) else second.pk})
    if len(ids) != 2:
        raise ValidationError("choose two different individuals to merge")
    sides = [_members(i) for i in ids]
    if not all(sides):
        raise ValidationError("both individuals must hold records")
    a, b = ordered(min(sides[0]), min(sides[1]))
    existing = Decisions.load(sides[0] | sides[1])
    if any(x in sides[0] | sides[1] and y in sides[0] | sides[1] for x, y in existing.not_same):
        raise ValidationError("these individuals hold records decided 'not the same person'")
    PairDecision.objects.create(
        person_a_id=a, person_b_id=b, same=True, reason=reason, decided_by=acting_user, decided_at=clock.now()
    )
    result = apply_clusters(
        [sides[0] | sides[1]],
        {a: float("inf"), b: float("inf")},
        reason=f"merge: {reason}",
        acting_user=acting_user,
        clock=clock,
    )
    change = LinkChange.objects.filter(to_individual__in=ids).order_by("-pk").first()
    assert change is not None  # apply_clusters always records a change for a real merge
    # DPA 2018 s62: combination. Names both individuals and every record now combined.
    record_audit(
        acting_user=acting_user,
        action=Action.MERGE,
        object_type="individual",
        object_ids=ids,
        individual_ids={*ids, *result.changed_individuals},
        person_ids=sides[0] | sides[1],
        fields=[f"link_change={change.pk}", f"into_individual={change.to_individual_id}"],
        reason=reason,
        clock=clock,
    )
    send_changed(result.changed_individuals, "merge")
    return change


@transaction.atomic
def unmerge(change: LinkChange | int, *, acting_user: Any, reason: str, clock: Clock = system_clock) -> LinkChange:
    """Undo a change of membership exactly: every record it moved goes back to the
    individual it was in (re-opened if retired), with the same method and probability.
    Returns the new history entry. Refused if any of those records has moved since.

    So that later linkage does not redo it, each moved record is decided "not the same
    person" as each record that stayed.
    """
    reason = _require_reason(reason)
    change = change if isinstance(change, LinkChange) else LinkChange.objects.get(pk=change)
    if change.kind == LinkChange.Kind.UNDO:
        raise ValidationError("an undo cannot itself be undone; merge again instead")
    if LinkChange.objects.filter(undoes=change).exists():
        raise ValidationError("this change has already been undone")
    moved = {int(pid): state for pid, state in change.before.items()}
    now_state = {
        pid: (ind, method, prob)
        for pid, ind, method, prob in Membership.objects.filter(person_id__in=moved).values_list(
            "person_id", "individual_id", "method", "match_probability"
        )
    }
    for pid in moved:
        if now_state.get(pid, (None,))[0] != change.to_individual_id:
            raise ValidationError("records of this change have moved since; undo the later changes first")
    stayed = _members(change.to_individual_id) - set(moved) if change.to_individual_id else set()
    now = clock.now()
    for pid, (individual_id, method, prob) in moved.items():
        if individual_id is None:
            individual_id = Individual.objects.create().pk
            method, prob = Membership.Method.SINGLETON, None
        Individual.objects.filter(pk=individual_id).update(retired_at=None, merged_into=None, updated_at=now)
        Membership.objects.filter(person_id=pid).update(
            individual_id=individual_id, method=method, match_probability=prob
        )
    if change.to_individual_id and not stayed:
        Individual.objects.filter(pk=change.to_individual_id).update(retired_at=now)
    PairDecision.objects.bulk_create(
        PairDecision(
            person_a_id=ordered(x, y)[0],
            person_b_id=ordered(x, y)[1],
            same=False,
            reason=f"unmerge: {reason}",
            decided_by=acting_user,
            decided_at=now,
        )
        for x in moved
        for y in stayed
    )
    undo = LinkChange.objects.create(
        at=now,
        kind=LinkChange.Kind.UNDO,
        reason=f"unmerge: {reason}",
        acting_user=acting_user,
        from_individuals=[change.to_individual_id] if change.to_individual_id else [],
        to_individual=None,
        before={str(pid): list(now_state[pid]) for pid in moved},
        after={str(pid): list(state) for pid, state in moved.items()},
        undoes=change,
    )
    restored = {state[0] for state in moved.values() if state[0] is not None}
    touched = {*restored, *([change.to_individual_id] if change.to_individual_id else [])}
    # DPA 2018 s62: alteration. Names the individuals separated and every record involved.
    record_audit(
        acting_user=acting_user,
        action=Action.UNMERGE,
        object_type="link_change",
        object_ids=[change.pk],
        individual_ids=touched,
        person_ids={*moved, *stayed},
        fields=[f"undo_change={undo.pk}", f"records_moved={len(moved)}"],
        reason=reason,
        clock=clock,
    )
    send_changed(touched, "unmerge")
    return undo


def review_queue() -> QuerySet[ReviewPair]:
    """Return open review items, most risk-relevant first (children with markers, then
    children), identifier conflicts at the top, oldest first within a priority."""
    return ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).order_by("-priority", "created_at", "pk")
