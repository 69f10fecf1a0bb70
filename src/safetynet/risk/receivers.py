"""Incremental evaluation: linkage changed some individuals -> re-evaluate them in the background."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from safetynet.identity.signals import individuals_changed

log = logging.getLogger(__name__)


@receiver(individuals_changed, dispatch_uid="risk.evaluate_changed_individuals")
def enqueue_evaluation(sender: Any, individual_ids: list[int] | None = None, **kwargs: Any) -> None:
    """Enqueues evaluation of the changed individuals (and, in the task, their neighbours)."""
    from safetynet.risk.tasks import evaluate_changed_individuals

    ids = sorted({int(i) for i in individual_ids or []})
    if ids:
        evaluate_changed_individuals.enqueue(ids)
        log.info("risk: queued evaluation of %d changed individuals", len(ids))
