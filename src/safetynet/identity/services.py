"""Identity services: the stable API the web, API and CLI build on (see docs/identity.md).

- `decide_pair(pair, same, *, acting_user, reason)`: a reviewer's decision, kept forever,
  overriding the model for that pair and taking effect at once;
- `merge_individuals(first, second, *, acting_user, reason)` and
  `unmerge(change, *, acting_user, reason)`: manual merge and its exact undo;
- `explain_link(person_a, person_b)`: the waterfall of weights and the probability;
  `explain_links(anchor, others)` the same for many pairs in two queries;
- `search_individuals(query, dob=None, identifier=None, postcode=None, limit=20)`: people
  search served by the blocking index, typo and nickname tolerant;
- `review_queue()`: open review items, most risk-relevant first;
- `assign_singletons()`: one individual per unlinked live record.

Every state change is atomic, takes keyword-only `acting_user`, an injected clock, writes its
access-log entry (DPA 2018 s62: alteration, combination) in the same transaction, and sends
`individuals_changed` after commit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from rapidfuzz.distance import JaroWinkler

from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.identity.comparisons import COMPARISONS, NAME
from safetynet.identity.features import (
    Features,
    features_for_persons,
    features_from_values,
    index_keys,
    valid_csc_id,
    valid_nhs_number,
    valid_pnc_id,
    valid_upn,
)
from safetynet.identity.linking import (
    Decisions,
    apply_clusters,
    cluster,
    identifier_conflict,
    judge,
    ordered,
    send_changed,
    stored_features,
    thresholds,
)
from safetynet.identity.linkmodel import Step, load_model, probability_from_weight
from safetynet.identity.models import (
    BlockingKey,
    Individual,
    LinkChange,
    LinkFeatures,
    Membership,
    PairDecision,
    ReviewPair,
)
from safetynet.lib.clock import Clock, SystemClock
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


def _person_id(person: Person | int) -> int:
    return person if isinstance(person, int) else int(person.pk)


def _require_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError("a reason is required")
    return cleaned


def _members(individual_id: int) -> set[int]:
    return set(Membership.objects.filter(individual_id=individual_id).values_list("person_id", flat=True))


def _individual_of(person_id: int) -> int:
    found = Membership.objects.filter(person_id=person_id).values_list("individual_id", flat=True).first()
    if found is None:
        raise ValidationError(f"person {person_id} is not linked to an individual; run linkage first")
    return found


def _features(person_ids: list[int], today: dt.date) -> dict[int, Features]:
    found = stored_features(person_ids)
    missing = [p for p in person_ids if p not in found]
    if missing:
        found.update({f["unique_id"]: f for f in features_for_persons(missing, today)})
    return found


def _recluster(person_ids: set[int], *, reason: str, acting_user: Any, clock: Clock) -> set[int]:
    """Re-cluster a set of records from their pairwise scores and all decisions on them;
    return the individuals changed."""
    model = load_model()
    limits = thresholds()
    ids = sorted(person_ids)
    features = _features(ids, clock.now().date())
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
    clock: Clock | None = None,
) -> PairDecision:
    """Record a reviewer's decision that two records are (or are not) the same person, and
    apply it at once; return the stored decision.

    "Same" merges their individuals, unless that would join records decided "not the same
    person" (ValidationError). "Not the same" splits their individual if they share one,
    re-clustering its records with the decision as a constraint; a later full linkage run
    respects it too. Open review items for the pair are closed.
    """
    clock = clock or SystemClock()
    reason = _require_reason(reason)
    if isinstance(pair, ReviewPair):
        a, b = pair.person_a_id, pair.person_b_id
    else:
        a, b = _person_id(pair[0]), _person_id(pair[1])
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
    send_changed(changed, "decision")
    return decision


@transaction.atomic
def merge_individuals(
    first: Individual | int, second: Individual | int, *, acting_user: Any, reason: str, clock: Clock | None = None
) -> LinkChange:
    """Merge two individuals (an authorised user's judgement); return the history entry.

    The individual with more records keeps its id. Stored as a "same person" decision
    between one record of each, so later linkage keeps the merge; `unmerge` undoes it.
    """
    clock = clock or SystemClock()
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
def unmerge(change: LinkChange | int, *, acting_user: Any, reason: str, clock: Clock | None = None) -> LinkChange:
    """Undo a change of membership exactly: every record it moved goes back to the
    individual it was in (re-opened if retired), with the same method and probability.
    Returns the new history entry. Refused if any of those records has moved since.

    So that later linkage does not redo it, each moved record is decided "not the same
    person" as each record that stayed.
    """
    clock = clock or SystemClock()
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


@dataclass(frozen=True)
class Explanation:
    """Why two records are (or are not) linked: the waterfall and the result."""

    person_a: int
    person_b: int
    prior_weight: float
    steps: tuple[Step, ...]
    match_weight: float
    probability: float
    decision: str | None  # "same", "not same" or None: a decision overrides the model
    identifier_conflict: str | None
    model_version: str

    @property
    def waterfall(self) -> list[tuple[str, str, float]]:
        """Return (comparison, level label, weight) for each comparison, prior first."""
        return [("prior", "two records picked at random", self.prior_weight)] + [
            (s.comparison, s.level, s.weight) for s in self.steps
        ]

    def describe(self) -> str:
        """Return a one-line summary like 'same date of birth +9.1, ... = 98.7%'."""
        parts = [f"{s.level} {s.weight:+.1f}" for s in self.steps if abs(s.weight) >= 0.05]
        return ", ".join(parts) + f" (match probability {self.probability:.1%})"


def explain_link(person_a: Person | int, person_b: Person | int, *, clock: Clock | None = None) -> Explanation:
    """Return the explanation of the model's view of two person records."""
    clock = clock or SystemClock()
    a, b = ordered(_person_id(person_a), _person_id(person_b))
    features = _features([a, b], clock.now().date())
    if a not in features or b not in features:
        raise ValidationError("both records must be live person records")
    model = load_model()
    score = model.score(features[a], features[b])
    latest = PairDecision.objects.filter(person_a_id=a, person_b_id=b).order_by("-decided_at", "-pk").first()
    return Explanation(
        person_a=a,
        person_b=b,
        prior_weight=score.prior_weight,
        steps=score.steps,
        match_weight=score.match_weight,
        probability=score.probability,
        decision=None if latest is None else ("same" if latest.same else "not same"),
        identifier_conflict=identifier_conflict(features[a], features[b]),
        model_version=model.version,
    )


def explain_links(
    anchor: Person | int, others: list[Person | int], *, clock: Clock | None = None
) -> dict[int, Explanation]:
    """Return the explanation of `anchor` against each of `others`, keyed by the other's id,
    in two queries whatever their number (the records' stored features, the decisions on
    the pairs). A record that cannot be scored (not live) has no entry."""
    clock = clock or SystemClock()
    a = _person_id(anchor)
    ids = [_person_id(o) for o in others if _person_id(o) != a]
    if not ids:
        return {}
    features = _features([a, *ids], clock.now().date())
    if a not in features:
        return {}
    latest: dict[tuple[int, int], bool] = {}
    pairs = [ordered(a, b) for b in ids]
    decisions = PairDecision.objects.filter(
        person_a_id__in={x for x, _y in pairs}, person_b_id__in={y for _x, y in pairs}
    ).order_by("decided_at", "pk")
    for x, y, verdict in decisions.values_list("person_a_id", "person_b_id", "same"):
        latest[(x, y)] = verdict  # the last one wins
    model = load_model()
    found: dict[int, Explanation] = {}
    for b in ids:
        if b not in features:
            continue
        x, y = ordered(a, b)
        score = model.score(features[x], features[y])
        decided = latest.get((x, y))
        found[b] = Explanation(
            person_a=x,
            person_b=y,
            prior_weight=score.prior_weight,
            steps=score.steps,
            match_weight=score.match_weight,
            probability=score.probability,
            decision=None if decided is None else ("same" if decided else "not same"),
            identifier_conflict=identifier_conflict(features[x], features[y]),
            model_version=model.version,
        )
    return found


@dataclass(frozen=True)
class SearchResult:
    """One individual found by a search, with the best-matching record and its score."""

    individual_id: int
    person_id: int
    score: float  # the evidence (sum of comparison weights, no prior): higher is better
    probability: float  # the score as a probability against an even prior


def _probe(given: str, family: str, dob: str | None, identifier: str | None, postcode: str | None) -> Features:
    ids: dict[str, str] = {}
    if identifier:
        for key, check in (("nhs_number", valid_nhs_number), ("pnc_id", valid_pnc_id), ("upn", valid_upn)):
            if check(identifier):
                ids[key] = identifier
                break
        else:
            if valid_csc_id(identifier):
                ids["csc_id"] = identifier
    return features_from_values(
        unique_id=0,
        given_names=given,
        family_name=family,
        other_names=[],
        date_of_birth=dob,
        sex=None,
        postcode=postcode,
        identifiers=ids,
        today=dt.date.today(),
    )


# A search reads at most this many candidate records, those sharing the most index keys
# with it first: a common name then still reaches its namesakes with the same spelling and
# sound before the records that share only a sound or a given name.
SEARCH_CANDIDATES = 5000
# Records fully scored per round when the search gives more than a name (see below).
SEARCH_SCORE_BATCH = 200
# Records whose individual is looked up per round, at least (three per result wanted otherwise).
SEARCH_LOOKUP_MIN = 50


def search_individuals(
    query: str,
    dob: str | None = None,
    identifier: str | None = None,
    postcode: str | None = None,
    limit: int = 20,
) -> list[SearchResult]:
    """Return individuals matching a person search, best first, at most `limit`.

    `query` is a name ("Kayley Smith", "smith", typos and nicknames tolerated); `dob` a full
    or partial date of birth (YYYY-MM-DD, YYYY-MM, YYYY); `identifier` an NHS number, PNC
    id, UPN or CSC id; `postcode` a UK postcode. Candidates come from the blocking index;
    each is scored with the linkage model on what the search gives (absent fields count
    neither way); an individual scores as its best record. Only positive evidence is
    returned.

    Cost (a county has thousands of namesakes per common name): the candidates' name
    features and individuals are read in one query, without the rest of their records; the
    name comparison is made once per distinct name; a search that gives more than a name
    reads and fully scores only the records whose name leaves them a chance of a place in
    the results, best chance first, and stops once no other record can get in; individuals
    are looked up only for the records that can be shown. Equal scores rank by the best
    record's id.
    """
    tokens = (query or "").split()
    probes: list[Features] = []
    if len(tokens) >= 2:
        probes.append(_probe(" ".join(tokens[:-1]), tokens[-1], dob, identifier, postcode))
    elif len(tokens) == 1:
        probes.append(_probe("", tokens[0], dob, identifier, postcode))  # a family name
        probes.append(_probe(tokens[0], "", dob, identifier, postcode))  # or a given name
    else:
        probes.append(_probe("", "", dob, identifier, postcode))
    keys: set[str] = set()
    for probe in probes:
        keys.update(index_keys(probe))
    if not keys:
        return []
    model = load_model()
    shared_most = (
        BlockingKey.objects.filter(key__in=keys)
        .values("person_id")
        .annotate(shared=Count("*"))
        .order_by("-shared", "person_id")
        .values("person_id")[:SEARCH_CANDIDATES]
    )
    # The names as stored text (features.search_name): namesakes have the same text, so
    # only distinct names are parsed and compared.
    rows = LinkFeatures.objects.filter(person_id__in=shared_most).values_list("person_id", "search_name").order_by()
    # The upper bound of each record's score; exact for a name-only search.
    beyond = [_beyond_name_bound(model, probe) for probe in probes]
    name_weight: dict[str, float] = {}
    possible: dict[int, float] = {}
    for pid, name in rows:
        weight = name_weight.get(name)
        if weight is None:
            record = _name_only(name)
            weight = name_weight[name] = max(
                _name_score(model, probe, record) + bound for probe, bound in zip(probes, beyond, strict=True)
            )
        if weight > 0:
            possible[pid] = weight
    order = sorted(possible, key=lambda pid: (-possible[pid], pid))
    if max(beyond) == 0:
        best = _best_records(order, possible, limit)
    else:
        best = _scored_best_records(order, possible, probes, model, limit)
    ranked = sorted(((s, pid, ind) for ind, (s, pid) in best.items() if s > 0), key=lambda r: (-r[0], r[1]))
    return [
        SearchResult(individual_id=ind, person_id=pid, score=round(s, 3), probability=probability_from_weight(s))
        for s, pid, ind in ranked[:limit]
    ]


def _best_records(order: list[int], scores: dict[int, float], limit: int) -> dict[int, tuple[float, int]]:
    """The first `limit` individuals of records in `order` (best score first, then lowest id),
    each with its best record: individuals are looked up a few records at a time, since a
    common name can make thousands of records possible results while only `limit` are shown."""
    best: dict[int, tuple[float, int]] = {}
    step = max(limit * 3, SEARCH_LOOKUP_MIN)
    for start in range(0, len(order), step):
        part = order[start : start + step]
        home = dict(Membership.objects.filter(person_id__in=part).values_list("person_id", "individual_id"))
        for pid in part:
            individual = home.get(pid)
            if individual is not None and individual not in best:
                best[individual] = (scores[pid], pid)
                if len(best) == limit:
                    return best
    return best


def _scored_best_records(
    order: list[int], bounds: dict[int, float], probes: list[Features], model: Any, limit: int
) -> dict[int, tuple[float, int]]:
    """Score fully the records in `order` (highest bound first) in rounds, keeping each
    individual's best record, until no record left can reach the results found so far."""
    best: dict[int, tuple[float, int]] = {}
    for start in range(0, len(order), SEARCH_SCORE_BATCH):
        part = order[start : start + SEARCH_SCORE_BATCH]
        if len(best) >= limit and bounds[part[0]] < sorted(s for s, _p in best.values())[-limit] - 1e-9:
            break  # no record left can beat the results already found
        features = stored_features(part)
        home = dict(Membership.objects.filter(person_id__in=part).values_list("person_id", "individual_id"))
        for pid in part:
            individual = home.get(pid)
            if pid not in features or individual is None:
                continue
            score = max(_search_score(model, probe, features[pid]) for probe in probes)
            if individual not in best or (-score, pid) < (-best[individual][0], best[individual][1]):
                best[individual] = (score, pid)
    return best


def _name_only(name: str) -> Features:
    """A feature row holding only a record's name features, from their stored text
    (features.search_name); the rest unknown."""
    given, family, canons, name_keys = json.loads(name) if name else (None, None, [], [])
    record = dict(_blank_record())
    record.update(given=given, family=family, given_canons=canons or [], name_keys=name_keys or [])
    return record  # type: ignore[return-value]


@cache
def _blank_record() -> Features:
    return features_from_values(
        unique_id=0,
        given_names=None,
        family_name=None,
        other_names=[],
        date_of_birth=None,
        sex=None,
        postcode=None,
        today=dt.date(2026, 1, 1),
    )


def _name_score(model: Any, probe: Features, record: Features) -> float:
    """The name comparison's weight (with the single-part adjustment of `_search_score`)."""
    return model.weights[0][NAME.level_of(probe, record)] + _part_adjustment(probe, record)


@cache
def _full_record() -> Features:
    """A record with every comparison field known: what a null level is tested against."""
    return features_from_values(
        unique_id=0,
        given_names="Known",
        family_name="Known",
        other_names=[],
        date_of_birth="2000-01-01",
        sex="female",
        postcode="AA1 1AA",
        identifiers={"nhs_number": "9434765919", "pnc_id": "12/1234A", "upn": "A12345678901B", "csc_id": "CSC1"},
        today=dt.date(2026, 1, 1),
    )


def _beyond_name_bound(model: Any, probe: Features) -> float:
    """The most the comparisons other than the name can add for this probe: nothing for one
    it leaves blank (its null level holds whatever the record says, since a null level is
    "either side missing"), else that comparison's best weight."""
    total = 0.0
    for comparison, weights in zip(COMPARISONS[1:], model.weights[1:], strict=True):
        if comparison.levels[0].is_null and comparison.levels[0].test(probe, _full_record()):
            continue
        total += max(weights)
    return total


def _part_adjustment(probe: Features, record: Features) -> float:
    """A name search with one part: the name comparison needs both parts, so the part given
    is scored by itself (+4 similar, -4 not)."""
    if (probe["given"] and probe["family"]) or not (probe["given"] or probe["family"]):
        return 0.0
    part, theirs = (probe["family"], record["family"]) if probe["family"] else (probe["given"], record["given"])
    canons_match = bool(probe["given"]) and bool(set(probe["given_canons"]) & set(record["given_canons"]))
    similar = canons_match or (part and theirs and JaroWinkler.similarity(part, theirs) >= 0.88)
    return 4.0 if similar else -4.0


def _search_score(model: Any, probe: Features, record: Features) -> float:
    """Score a partial search probe: a name search with one part scores that part alone."""
    score = model.score(probe, record)
    return sum(s.weight for s in score.steps) + _part_adjustment(probe, record)


def review_queue() -> QuerySet[ReviewPair]:
    """Return open review items, most risk-relevant first (children with markers, then
    children), identifier conflicts at the top, oldest first within a priority."""
    return ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).order_by("-priority", "created_at", "pk")
