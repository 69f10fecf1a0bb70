"""Batch linkage: `link_all` scores every candidate pair with Splink on DuckDB, clusters with
the reviewers' decisions as constraints, writes the changed clusters through `memberships` and
queues the uncertainty that matters for review (the incremental path is `identity.linking`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from safetynet.identity.blocking import refresh_features
from safetynet.identity.clustering import cluster
from safetynet.identity.linkmodel import LinkModel, load_model
from safetynet.identity.memberships import apply_clusters, detach_withdrawn, send_changed
from safetynet.identity.models import ReviewPair
from safetynet.identity.pairs import Decisions, judge_all, thresholds
from safetynet.identity.review import queue_for_review
from safetynet.identity.training import splink_predict_with_facts
from safetynet.lib.clock import Clock, system_clock


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
    clock: Clock = system_clock,
    model: LinkModel | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkReport:
    """Full batch linkage: score every candidate pair with Splink, cluster with the
    reviewers' decisions as constraints, write changed clusters, queue uncertain pairs.

    A re-run on unchanged data changes nothing. Sends `individuals_changed`.
    """
    model = model or load_model()
    limits = thresholds()
    report = LinkReport()
    started = time.perf_counter()
    features = refresh_features(None, clock.now().date(), clock=clock)
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
    detach_withdrawn(clock=clock, acting_user=acting_user, result=result)
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
