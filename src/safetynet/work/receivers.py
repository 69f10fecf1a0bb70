"""Findings became work: when stored findings change, create or close their tasks."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from safetynet.lib.clock import system_clock
from safetynet.risk.models import Finding
from safetynet.risk.signals import findings_changed
from safetynet.work.services import reopen_resolved, sync_tasks

log = logging.getLogger(__name__)
BULK = 500


@receiver(findings_changed, dispatch_uid="work.sync_tasks_for_findings")
def sync_tasks_for_findings(
    sender: Any,
    opened: list[int] | None = None,
    updated: list[int] | None = None,
    closed: list[int] | None = None,
    reopened: list[tuple[int, str]] | None = None,
    clock: Any = None,
    **kwargs: Any,
) -> None:
    """Creates tasks for newly opened findings, closes tasks of findings that cleared and
    re-opens the resolved tasks whose resolution no longer holds."""
    if reopened:
        count = reopen_resolved(reopened, clock=clock or system_clock)
        log.info("work: %d resolved task(s) re-opened on new evidence or expiry", count)
    ids = [*(opened or []), *(updated or []), *(closed or [])]
    if not ids:
        return
    if len(ids) > BULK:
        # A full evaluation: one pass over every finding beats thousands of id parameters.
        report = sync_tasks(clock=clock or system_clock)
    else:
        individuals = set(Finding.objects.filter(pk__in=ids).values_list("individual_id", flat=True))
        report = sync_tasks(individual_ids=sorted(individuals), clock=clock or system_clock)
    if report.created or report.closed:
        log.info("work: %d tasks created, %d closed after findings changed", report.created, report.closed)
