"""People search served by the blocking index: typo and nickname tolerant, scored with the
linkage model on what the search gives (see `search_individuals`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Count
from more_itertools import chunked
from rapidfuzz.distance import JaroWinkler

from safetynet.identity.blocking import stored_features
from safetynet.identity.comparisons import COMPARISONS, NAME
from safetynet.identity.features import (
    Features,
    features_from_values,
    index_keys,
    valid_csc_id,
    valid_nhs_number,
    valid_pnc_id,
    valid_upn,
)
from safetynet.identity.linkmodel import load_model, probability_from_weight
from safetynet.identity.models import (
    BlockingKey,
    LinkFeatures,
    Membership,
)
from safetynet.lib.clock import Clock, system_clock


@dataclass(frozen=True)
class SearchResult:
    """One individual found by a search, with the best-matching record and its score."""

    individual_id: int
    person_id: int
    score: float  # the evidence (sum of comparison weights, no prior): higher is better
    probability: float  # the score as a probability against an even prior


def _probe(
    given: str, family: str, dob: str | None, identifier: str | None, postcode: str | None, today: dt.date
) -> Features:
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
        today=today,
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
    *,
    clock: Clock = system_clock,
) -> list[SearchResult]:
    """Return individuals matching a person search, best first, at most `limit`.

    `query` is a name ("Kayley Smith", "Smith Kayley", "Smith, Kayley", "smith", typos and
    nicknames tolerated; two words are tried in either order, a comma puts the family name
    first); `dob` a full
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
    probes = _probes(query, dob, identifier, postcode, clock.now().date())
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


def _probes(
    query: str, dob: str | None, identifier: str | None, postcode: str | None, today: dt.date
) -> list[Features]:
    """The ways a searched name may be read, each as a record to score against: two words or
    more either way round ("Jacob Shaw", or "Shaw Jacob" as police systems write it); with a
    comma, the family name first ("Shaw, Jacob"); one word, a family or a given name."""
    family_first, comma, given_after = (query or "").partition(",")
    tokens = (query or "").replace(",", " ").split()
    if comma and family_first.strip() and given_after.strip():
        pairs = [(given_after.strip(), family_first.strip())]
    elif len(tokens) >= 2:
        pairs = [(" ".join(tokens[:-1]), tokens[-1]), (" ".join(tokens[1:]), tokens[0])]
    elif len(tokens) == 1:
        pairs = [("", tokens[0]), (tokens[0], "")]
    else:
        pairs = [("", "")]
    return [_probe(given, family, dob, identifier, postcode, today) for given, family in pairs]


def _best_records(order: list[int], scores: dict[int, float], limit: int) -> dict[int, tuple[float, int]]:
    """The first `limit` individuals of records in `order` (best score first, then lowest id),
    each with its best record: individuals are looked up a few records at a time, since a
    common name can make thousands of records possible results while only `limit` are shown."""
    best: dict[int, tuple[float, int]] = {}
    step = max(limit * 3, SEARCH_LOOKUP_MIN)
    for part in chunked(order, step):
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
    for part in chunked(order, SEARCH_SCORE_BATCH):
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
