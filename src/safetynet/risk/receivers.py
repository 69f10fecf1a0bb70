"""Incremental evaluation: re-evaluate, in the background, the individuals whose records changed.

- `identity.signals.individuals_changed`: linkage created, merged or split individuals.
- `records.signals.records_changed`: an import stored events, markers, orders, plans or
  relationships about people already linked (linkage only reacts to person records).
The job (`risk.jobs`) evaluates those individuals and their network neighbours.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from more_itertools import chunked

from safetynet.identity.models import Membership
from safetynet.identity.signals import individuals_changed
from safetynet.records import models as rm
from safetynet.records.signals import records_changed
from safetynet.risk.jobs import evaluate_changed_individuals, evaluate_individuals
from safetynet.risk.services import refresh_findings

log = logging.getLogger(__name__)


def _enqueue(ids: set[int], why: str, *, neighbours: bool = True) -> None:
    """Queues the evaluation of `ids` and (with `neighbours`) of their network neighbours."""
    if not ids:
        return
    job = evaluate_changed_individuals if neighbours else evaluate_individuals
    try:
        job.enqueue(sorted(ids))
    except Exception:  # an evaluation problem must never fail an import or a link
        log.exception(
            "risk: evaluation of %d individuals (%s) failed; `safetynet evaluate` will catch up", len(ids), why
        )
        return
    log.info("risk: queued evaluation of %d individuals (%s)", len(ids), why)


@receiver(individuals_changed, dispatch_uid="risk.evaluate_changed_individuals")
def enqueue_evaluation(sender: Any, individual_ids: list[int] | None = None, **kwargs: Any) -> None:
    """Enqueues evaluation of the changed individuals (and, in the job, their neighbours)."""
    _enqueue({int(i) for i in individual_ids or []}, "linkage")


def individuals_of_records(changes: dict[str, list[int]]) -> set[int]:
    """Returns the individuals the changed records are about (persons already linked)."""
    # Person records are linkage's: it sends individuals_changed when they move.
    persons: set[int] = set()
    if events := changes.get("event"):
        persons |= set(rm.Participation.objects.filter(event_id__in=events).values_list("person_id", flat=True))
        # A notification or examination changes the findings about the event it links to.
        linked = rm.Event.linked_events.through.objects.filter(from_event_id__in=events).values_list("to_event_id")
        persons |= set(rm.Participation.objects.filter(event_id__in=linked).values_list("person_id", flat=True))
    if markers := changes.get("marker"):
        for a, b in rm.Marker.objects.filter(pk__in=markers).values_list("person_id", "linked_person_id"):
            persons |= {p for p in (a, b) if p}
    if rels := changes.get("relationship"):
        for a, b in rm.Relationship.objects.filter(pk__in=rels).values_list("person_a_id", "person_b_id"):
            persons |= {p for p in (a, b) if p}
    if orders := changes.get("order"):
        persons |= set(rm.Order.objects.filter(pk__in=orders).values_list("subject_id", flat=True))
        persons |= set(
            rm.Order.protected.through.objects.filter(order_id__in=orders).values_list("person_id", flat=True)
        )
    if plans := changes.get("plan"):
        persons |= set(rm.Plan.objects.filter(pk__in=plans).values_list("person_id", flat=True))
    persons.discard(None)
    ids: set[int] = set()
    for batch in chunked(sorted(persons), 800):
        ids |= set(Membership.objects.filter(person_id__in=batch).values_list("individual_id", flat=True))
    return ids


def evaluate_now(ids: set[int]) -> set[int] | None:
    """Re-evaluates `ids` at once and returns their network neighbours (not evaluated: read from
    the pictures loaded for `ids`); None, with the reason logged, when it could not (the queued
    job then does it all)."""
    try:
        return refresh_findings(sorted(ids), find_neighbours=True).neighbours
    except Exception:  # a record the caller is waiting on is stored whatever the evaluation does
        log.exception("risk: live evaluation of %d individuals failed; the worker will do it", len(ids))
        return None


@receiver(records_changed, dispatch_uid="risk.evaluate_changed_records")
def enqueue_for_records(
    sender: Any, changes: dict[str, list[int]] | None = None, live: bool = False, **kwargs: Any
) -> None:
    """Enqueues evaluation of the individuals an imported chunk's records are about (and their
    neighbours). A `live` call (REST, web form) about at most SAFETYNET_LIVE_EVALUATION_MAX
    individuals re-evaluates them first, before its answer goes back, and queues only their
    neighbours (evaluating the individuals twice was half the cost of a live call)."""
    try:
        ids = individuals_of_records(changes or {})
    except Exception:  # never fail the import that sent the signal
        log.exception("risk: could not find the individuals of changed records")
        return
    if live and 0 < len(ids) <= settings.SAFETYNET_LIVE_EVALUATION_MAX:
        neighbours = evaluate_now(ids)
        if neighbours is not None:
            _enqueue(neighbours, "neighbours of a live change", neighbours=False)
            return
    _enqueue(ids, "records")
