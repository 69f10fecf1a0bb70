"""The person page's identity panel: why each source record is linked in, and the
records that might be this person too (open review items), from the identity services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from safetynet.identity.explain import Explanation, explain_link, explain_links
from safetynet.identity.linkmodel import ModelError
from safetynet.identity.models import Membership, ReviewPair
from safetynet.reads.labels import label
from safetynet.reads.person import MayOpen, SourceRecordRow
from safetynet.records.models import Person
from safetynet.risk.models import Finding

# (source, id) of records a viewer may read in full (`reads.disclosure.readable_refs`)
Readable = Callable[[Iterable[tuple[str, str]]], set[tuple[str, str]]]

# Explaining a link scores one pair; a person with very many records shows the first ones.
EXPLAIN_LIMIT = 12


def explanation_lines(explanation: Explanation) -> list[str]:
    """The waterfall as lines like "same date of birth +9.1", strongest evidence first."""
    steps = sorted((s for s in explanation.steps if abs(s.weight) >= 0.05), key=lambda s: -abs(s.weight))
    return [f"{label(s.level)} {s.weight:+.1f}" for s in steps]


def explain(person_a: int, person_b: int, today: dt.date) -> Explanation | None:
    """The identity model's explanation of a pair, or None when it cannot score it (no model
    trained yet, or a record without features)."""
    del today  # explain_link reads its own clock; kept for a later "as of" view
    try:
        return explain_link(person_a, person_b)
    except (ValidationError, ModelError):
        return None


def explain_rows(rows: list[SourceRecordRow], today: dt.date) -> None:
    """Fill each row's explanation against the first-linked record (the anchor), in two
    queries however many records are linked (the first EXPLAIN_LIMIT rows)."""
    if len(rows) < 2:
        return
    anchor = min(rows, key=lambda r: r.person.pk)
    shown = [row for row in rows[:EXPLAIN_LIMIT] if row is not anchor]
    del today  # explain_links reads its own clock; kept for a later "as of" view
    try:
        explanations = explain_links(anchor.person.pk, [row.person.pk for row in shown])
    except ModelError:
        return
    for row in shown:
        explanation = explanations.get(row.person.pk)
        if explanation is None:
            continue
        row.explanation = [
            f"Compared with {anchor.person.source} {anchor.person.source_id}: "
            f"{explanation.probability:.0%} match probability",
            *explanation_lines(explanation),
        ]
        if explanation.decision:
            row.explanation.insert(0, f"A reviewer decided: {explanation.decision} person")


@dataclass(frozen=True)
class ReviewItem:
    """An open review item on the queue, with the individual to compare it from."""

    pair: ReviewPair
    individual_id: int


def review_items(pairs: list[ReviewPair], *, may_open: MayOpen) -> list[ReviewItem]:
    """The review items (of one page of the queue) whose two records belong to individuals
    the viewer may open; the others are left out."""
    home = dict(
        Membership.objects.filter(
            person_id__in=[p.person_a_id for p in pairs] + [p.person_b_id for p in pairs]
        ).values_list("person_id", "individual_id")
    )
    allowed = may_open(sorted(set(home.values())))
    return [
        ReviewItem(p, home[p.person_a_id])
        for p in pairs
        if home.get(p.person_a_id) in allowed and home.get(p.person_b_id) in allowed
    ]


@dataclass
class PossibleMatch:
    """An open review item linking one of this person's records to another record."""

    pair_id: int
    ours: Person
    other: Person | None  # None: the other record's person is one the viewer may not open
    other_individual_id: int | None
    probability: float
    reason: str
    lines: list[str] = field(default_factory=list)
    risk_at_stake: str | None = None
    # the first shown match with its other individual (several records of two individuals may
    # each be paired: the page says "possibly the same child" once per other individual)
    lead: bool = False
    # What the two records together would raise (risk's ID1 detail: clause, severity, reason,
    # was), "identity not confirmed"; only the ones whose every cited record the viewer may read
    provisional: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


def possible_matches(
    person_ids: list[int], *, may_open: MayOpen, readable: Readable | None = None
) -> list[PossibleMatch]:
    """Open review items involving the individual's records, most relevant first. A record of a
    person the viewer may not open is shown without its name, date of birth or link.

    With `readable`, a match with a person the viewer may open also carries the provisional
    findings the two records together would raise (the risk engine's ID1 finding on either
    side), each only when the viewer may read every record it cites."""
    pairs = (
        ReviewPair.objects.filter(status=ReviewPair.Status.OPEN)
        .filter(Q(person_a_id__in=person_ids) | Q(person_b_id__in=person_ids))
        .select_related("person_a", "person_b")
        .order_by("-priority", "created_at")[:20]
    )
    found: list[PossibleMatch] = []
    pair_list = list(pairs)
    others = [p.person_b_id if p.person_a_id in person_ids else p.person_a_id for p in pair_list]
    home = dict(Membership.objects.filter(person_id__in=others).values_list("person_id", "individual_id"))
    openable = may_open(set(home.values()))
    for pair, other_id in zip(pair_list, others, strict=True):
        ours, other = (
            (pair.person_a, pair.person_b) if pair.person_a_id in person_ids else (pair.person_b, pair.person_a)
        )
        shown = home.get(other_id) in openable
        found.append(
            PossibleMatch(
                pair_id=pair.pk,
                ours=ours,
                other=other if shown else None,
                other_individual_id=home.get(other_id) if shown else None,
                probability=pair.match_probability,
                reason=str(pair.get_reason_display()),
                risk_at_stake=pair.risk_at_stake,
            )
        )
    leads: set[int] = set()
    for match in found:
        if match.other_individual_id is not None and match.other_individual_id not in leads:
            match.lead = True
            leads.add(match.other_individual_id)
    if readable is not None:
        _attach_provisional(found, person_ids, home, readable)
    return found


def _attach_provisional(
    matches: list[PossibleMatch], person_ids: list[int], home: dict[int, int], readable: Readable
) -> None:
    """Fill each shown match's provisional findings from the current ID1 finding of its pair."""
    shown = [m for m in matches if m.lead]
    if not shown:
        return
    ours = set(Membership.objects.filter(person_id__in=person_ids).values_list("individual_id", flat=True))
    sides = ours | {m.other_individual_id for m in shown if m.other_individual_id is not None}
    by_pair: dict[int, list[dict[str, Any]]] = {}
    current: list[tuple[set[int], list[dict[str, Any]]]] = [
        ({int(p) for p in detail.get("pairs") or []}, list(detail.get("provisional") or []))
        for detail in Finding.objects.filter(
            clause="ID1", individual_id__in=sides, state__in=(Finding.State.OPEN, Finding.State.ACKNOWLEDGED)
        ).values_list("detail", flat=True)
        if isinstance(detail, dict)
    ]
    # The finding lists every pair between the two individuals; the lead may be any of them.
    for match in shown:
        pairs = [d for d in current if match.pair_id in d[0]]
        by_pair[match.pair_id] = pairs[0][1] if pairs else []
    items = [item for match in shown for item in by_pair.get(match.pair_id, [])]
    refs = {(str(c.get("source")), str(c.get("id"))) for item in items for c in item.get("cites") or []}
    may_read = readable(refs) if refs else set()
    for match in shown:
        match.provisional = [
            item
            for item in by_pair.get(match.pair_id, [])
            if all((str(c.get("source")), str(c.get("id"))) in may_read for c in item.get("cites") or [])
        ]
