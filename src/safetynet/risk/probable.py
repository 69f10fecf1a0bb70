"""Probable matches protect (ID1): what two individuals' records would raise together while a
reviewer has not yet decided whether they are one child.

A pair of person records in linkage's review band (`identity.ReviewPair`, open) may be one
child whose history is split between two individuals, each with half of it. For every open
pair joining two individuals, the evaluation of the individual holding the pair's first
record also judges the union of both individuals' records (`union_picture`: the same loaded
records, the other individual's counted as its own; nothing stored) and compares the union's
work findings with both individuals' own (`raised_by_union`). A finding only the union raises,
or raises at a higher severity, is *provisional*: the identity is not confirmed. When there
is one, that individual gets an ID1 finding ("identity not confirmed: a probable match
changes the risk") owned by the MASH officer, citing both records, with each provisional
finding in its detail; like any finding it becomes a task within the same evaluation. When
the pair is decided, or the union no longer changes anything, the next evaluation closes it.

The highest provisional severity is also the pair's risk at stake: it orders the review
queue (`identity.review.set_risk_stakes`).

Several open pairs between the same two individuals are one probable match (the union is the
same); its first pair (lowest record ids) decides who holds the finding and keys it.
"""

from __future__ import annotations

import datetime as dt
from collections import ChainMap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from django.db.models import Q
from more_itertools import chunked

from safetynet.identity.models import Membership, ReviewPair
from safetynet.lib.lookups import keys
from safetynet.risk.models import SEVERITY_ORDER
from safetynet.risk.picture import Picture, Store
from safetynet.risk.policy import Policy
from safetynet.risk.rules.base import FindingDraft, draft

CLAUSE = "ID1"
NOT_CONFIRMED = "identity not confirmed"
_CHUNK = 800


@dataclass(frozen=True)
class ProbableMatch:
    """Open review pairs joining two individuals: `holder` holds the first pair's first record
    (and the ID1 finding), `other` the other record's individual."""

    holder: int
    other: int
    pair_ids: tuple[int, ...]
    person: int  # the first pair's record in `holder`
    other_person: int  # the first pair's record in `other`
    probability: float  # the highest of the pairs
    queued_at: dt.datetime  # when the first of the pairs was queued


@dataclass(frozen=True)
class Provisional:
    """A finding the union raises that neither individual raises (`was` None), or raises at a
    higher severity than either (`was` the higher of theirs)."""

    draft: FindingDraft
    was: str | None

    def as_detail(self) -> dict[str, Any]:
        return {
            "clause": self.draft.clause,
            "severity": self.draft.severity,
            "reason": self.draft.reason,
            "cites": self.draft.cite_refs,
            "was": self.was,
            "identity": NOT_CONFIRMED,
        }


def probable_matches(individual_ids: Iterable[int]) -> list[ProbableMatch]:
    """Returns the probable matches (open review pairs between two different individuals) that
    involve any of `individual_ids`, one per pair of individuals, ordered by holder."""
    ids = set(individual_ids)
    persons: set[int] = set()
    for batch in chunked(sorted(ids), _CHUNK):
        persons.update(Membership.objects.filter(individual_id__int_in=keys(batch)).values_list("person_id", flat=True))
    rows: dict[int, tuple[int, int, float, dt.datetime]] = {}
    for batch in chunked(sorted(persons), _CHUNK):
        touching = Q(person_a_id__int_in=keys(batch)) | Q(person_b_id__int_in=keys(batch))
        for pk, a, b, p, at in (
            ReviewPair.objects.filter(status=ReviewPair.Status.OPEN)
            .filter(touching)
            .values_list("pk", "person_a_id", "person_b_id", "match_probability", "created_at")
        ):
            rows[pk] = (a, b, p, at)
    if not rows:
        return []
    wanted = {p for a, b, _, _ in rows.values() for p in (a, b)}
    home: dict[int, int] = {}
    for batch in chunked(sorted(wanted), _CHUNK):
        home.update(Membership.objects.filter(person_id__int_in=keys(batch)).values_list("person_id", "individual_id"))
    groups: dict[frozenset[int], list[tuple[int, int, int, float, dt.datetime]]] = {}
    for pk, (a, b, p, at) in sorted(rows.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0])):
        ia, ib = home.get(a), home.get(b)
        if ia is None or ib is None or ia == ib:
            continue  # a record not linked yet, or both already in one individual: nothing to join
        groups.setdefault(frozenset((ia, ib)), []).append((pk, a, b, p, at))
    out = []
    for members in groups.values():
        _, a, b, _, _ = members[0]
        out.append(
            ProbableMatch(
                holder=home[a],
                other=home[b],
                pair_ids=tuple(sorted(m[0] for m in members)),
                person=a,
                other_person=b,
                probability=max(m[3] for m in members),
                queued_at=min(m[4] for m in members),
            )
        )
    out.sort(key=lambda m: (m.holder, m.other))
    return [m for m in out if m.holder in ids or m.other in ids]


def union_picture(store: Store, keep: int, absorb: int) -> Picture:
    """Returns a picture of `keep` holding `absorb`'s records too, over the same loaded records
    (both individuals must be loaded in `store`). The store itself is not changed."""
    moved = list(store.members.get(absorb, ()))
    persons = {pk: replace(store.persons[pk], individual_id=keep) for pk in moved if pk in store.persons}
    members = {keep: sorted({*store.members.get(keep, ()), *moved}), absorb: []}
    overlay = replace(
        store,
        persons=cast(dict[int, Any], ChainMap(persons, store.persons)),
        members=cast(dict[int, list[int]], ChainMap(members, store.members)),
    )
    return Picture(keep, overlay)


def raised_by_union(union: Sequence[FindingDraft], alone: Iterable[FindingDraft]) -> list[Provisional]:
    """The union's work findings that neither individual raises, or raises less severely."""

    def rank(severity: str) -> int:
        return SEVERITY_ORDER.get(severity, 9)

    before: dict[tuple[str, tuple[str, str] | None, str], str] = {}
    for d in alone:
        if d.kind != "work" or d.error:
            continue
        k = (d.clause, d.key, d.aspect)
        if k not in before or rank(d.severity) < rank(before[k]):
            before[k] = d.severity
    out = []
    for d in union:
        if d.kind != "work" or d.error or d.clause == CLAUSE:
            continue
        was = before.get((d.clause, d.key, d.aspect))
        if was is None or rank(d.severity) < rank(was):
            out.append(Provisional(d, was))
    return out


def stake(provisional: Sequence[Provisional]) -> str | None:
    """The highest severity among the provisional findings (None when there are none)."""
    if not provisional:
        return None
    return min((p.draft.severity for p in provisional), key=lambda s: SEVERITY_ORDER.get(s, 9))


def identity_draft(
    policy: Policy, match: ProbableMatch, provisional: Sequence[Provisional], picture: Picture
) -> FindingDraft:
    """The ID1 finding for a probable match whose union changes the risk: one plain sentence
    (counts, never names), both records cited, each provisional finding in the detail."""
    spec = policy.clause(CLAUSE)
    ours = picture.person(match.person)
    theirs = picture.person(match.other_person)
    refs = [r.ref for r in (ours, theirs) if r is not None]
    new = sum(1 for p in provisional if p.was is None)
    higher = len(provisional) - new
    parts = []
    if new:
        parts.append(f"{new} finding(s) neither raises alone")
    if higher:
        parts.append(f"{higher} finding(s) at a higher severity")
    reason = (
        f"Identity not confirmed: a record of this child may be the same child as another individual's record "
        f"(match probability {match.probability:.0%}); together their records would raise {' and '.join(parts)} "
        f"(highest: {stake(provisional)}). Confirm or reject the match in the review queue."
    )
    base = draft(
        policy,
        CLAUSE,
        reason,
        refs,
        key=theirs.ref if theirs is not None else None,
        due_by=match.queued_at + spec.hours("confirm_identity"),
    )
    detail = {
        "pairs": list(match.pair_ids),
        "individuals": [match.holder, match.other],
        "persons": [match.person, match.other_person],
        "probability": round(match.probability, 4),
        "identity": NOT_CONFIRMED,
        "provisional": [p.as_detail() for p in provisional],
    }
    return replace(base, detail=detail)
