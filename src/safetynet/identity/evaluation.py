"""Pairwise precision, recall and F1 of the current individuals.

Against a truth mapping (a synthetic county's `persons`: record -> true person), and against
reviewers' decisions (each decision is a labelled pair: linked or not).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from safetynet.identity.models import Membership, PairDecision


@dataclass(frozen=True)
class Figures:
    true_pairs: int
    predicted_pairs: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


def _pairs_within(groups: dict[Any, list[int]]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups.values())


def pairwise_figures(predicted: dict[int, Any], truth: dict[int, str]) -> Figures:
    """Return pairwise figures of a clustering (record -> cluster) against truth (record ->
    true person), over the records present in both."""
    common = [r for r in predicted if r in truth]
    by_cluster: dict[Any, list[int]] = defaultdict(list)
    by_truth: dict[str, list[int]] = defaultdict(list)
    by_both: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for record in common:
        by_cluster[predicted[record]].append(record)
        by_truth[truth[record]].append(record)
        by_both[(predicted[record], truth[record])].append(record)
    return Figures(
        true_pairs=_pairs_within(by_truth),
        predicted_pairs=_pairs_within(by_cluster),
        true_positives=_pairs_within(by_both),
    )


def current_clusters() -> dict[int, int]:
    """Return person id -> individual id for every linked live person."""
    return dict(
        Membership.objects.filter(person__deleted=False, person__recorded_at__isnull=False).values_list(
            "person_id", "individual_id"
        )
    )


def evaluate_truth(truth: dict[int, str]) -> Figures:
    """Return the current individuals' pairwise figures against a truth mapping."""
    return pairwise_figures(current_clusters(), truth)


def evaluate_labels() -> Figures:
    """Return figures on reviewers' latest decisions: a "same" pair is a true pair; it is
    predicted when both records are in one individual."""
    clusters = current_clusters()
    latest: dict[tuple[int, int], bool] = {}
    for a, b, same in PairDecision.objects.order_by("decided_at", "pk").values_list(
        "person_a_id", "person_b_id", "same"
    ):
        latest[(a, b)] = same
    true_pairs = predicted = hits = 0
    for (a, b), same in latest.items():
        if a not in clusters or b not in clusters:
            continue
        together = clusters[a] == clusters[b]
        true_pairs += same
        predicted += together
        hits += same and together
    return Figures(true_pairs=true_pairs, predicted_pairs=predicted, true_positives=hits)
