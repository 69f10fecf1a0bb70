"""Background jobs (django-tasks, run by `safetynet worker`): re-evaluation of the individuals
that linkage or an import changed, and of their network neighbours; and of the neighbours
alone, after a live call evaluated the individuals themselves before it answered."""

from __future__ import annotations

from django_tasks import task

from safetynet.risk.services import refresh_findings


@task()
def evaluate_changed_individuals(individual_ids: list[int]) -> int:
    """Re-evaluates the individuals and their network neighbours; returns how many were evaluated."""
    return refresh_findings(individual_ids, with_neighbours=True).individuals


@task()
def evaluate_individuals(individual_ids: list[int]) -> int:
    """Re-evaluates just these individuals (the neighbours of a live call's, which it evaluated
    itself); returns how many were evaluated."""
    return refresh_findings(individual_ids).individuals
