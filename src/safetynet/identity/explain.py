"""Why two records are (or are not) the same person: the waterfall of the linkage model's
weights and the probability, for one pair or many."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from safetynet.identity.blocking import features_of, person_pk
from safetynet.identity.linkmodel import Step, load_model
from safetynet.identity.models import (
    PairDecision,
)
from safetynet.identity.pairs import identifier_conflict, ordered
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Person


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


def explain_link(person_a: Person | int, person_b: Person | int, *, clock: Clock = system_clock) -> Explanation:
    """Return the explanation of the model's view of two person records."""
    a, b = ordered(person_pk(person_a), person_pk(person_b))
    features = features_of([a, b], clock.now().date())
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
    anchor: Person | int, others: list[Person | int], *, clock: Clock = system_clock
) -> dict[int, Explanation]:
    """Return the explanation of `anchor` against each of `others`, keyed by the other's id,
    in two queries whatever their number (the records' stored features, the decisions on
    the pairs). A record that cannot be scored (not live) has no entry."""
    a = person_pk(anchor)
    ids = [person_pk(o) for o in others if person_pk(o) != a]
    if not ids:
        return {}
    features = features_of([a, *ids], clock.now().date())
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
