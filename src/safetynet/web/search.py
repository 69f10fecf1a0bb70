"""Person search for the search screen.

The identity app's `search_individuals` (typo- and nickname-tolerant, served by its blocking
index) answers name searches once it is on main. Until then this module answers with a
small fallback: candidates that share the first letters of a name part, scored with
rapidfuzz, which tolerates typos but knows no nicknames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from rapidfuzz import fuzz

from safetynet.identity.models import Membership
from safetynet.records.models import Event, Person
from safetynet.web import queries

RESULT_LIMIT = 50
_CANDIDATE_LIMIT = 5000
_NAME_SCORE = 75.0


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    date_of_birth: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    identifier: str = ""
    postcode: str = ""


@dataclass
class SearchResult:
    headline: queries.Headline
    score: float
    last_event: Event | None
    top_finding: Any = None  # the risk engine's most severe current finding, once it is on main


def _filters(query: SearchQuery) -> Q:
    where = Q(recorded_at__isnull=False, deleted=False)
    if query.date_of_birth:
        where &= Q(date_of_birth__startswith=query.date_of_birth)
    if query.identifier:
        ident = query.identifier.strip().upper().replace(" ", "")
        where &= Q(pnc_id__iexact=ident) | Q(nhs_number=ident) | Q(upn__iexact=ident) | Q(csc_id__iexact=ident)
    if query.postcode:
        where &= Q(postcode=query.postcode) | Q(addresses__location__postcode=query.postcode)
    return where


def _name_candidates(name: str) -> Q:
    parts = [p for p in name.lower().split() if len(p) >= 2]
    where = Q()
    for part in parts:
        where |= Q(family_name__istartswith=part[:2]) | Q(given_names__istartswith=part[:2])
    return where


def _name_score(query: str, person: Person) -> float:
    names = [f"{person.given_names} {person.family_name}", *[str(n) for n in person.other_names or []]]
    return max(fuzz.token_sort_ratio(query.lower(), n.lower()) for n in names)


def search_people(query: SearchQuery, today: dt.date) -> list[SearchResult]:
    """Individuals matching every given field, best name match first, at most RESULT_LIMIT."""
    people = Person.objects.filter(_filters(query))
    if query.name.strip():
        people = people.filter(_name_candidates(query.name))
    candidates = list(
        people.distinct().values_list("pk", "given_names", "family_name", "other_names")[:_CANDIDATE_LIMIT]
    )
    scores: dict[int, float] = {}
    for pk, given, family, other in candidates:
        if query.name.strip():
            score = _name_score(query.name, Person(given_names=given, family_name=family, other_names=other))
            if score < _NAME_SCORE:
                continue
        else:
            score = 100.0
        scores[pk] = score
    best: dict[int, float] = {}
    for person_id, individual_id in Membership.objects.filter(person_id__in=list(scores)).values_list(
        "person_id", "individual_id"
    ):
        best[individual_id] = max(best.get(individual_id, 0.0), scores[person_id])
    ranked = sorted(best, key=lambda i: -best[i])[:RESULT_LIMIT]
    heads = queries.headlines_for(ranked, today)
    last = queries.last_events(ranked)
    return [SearchResult(heads[i], best[i], last.get(i)) for i in ranked if i in heads]
