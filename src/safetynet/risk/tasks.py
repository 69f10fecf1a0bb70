"""Background evaluation (django-tasks): individuals changed by linkage and their neighbours."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_changed_individuals(individual_ids: list[int]) -> int:
    """Re-evaluates the individuals and their network neighbours; returns how many were evaluated."""
    from safetynet.risk.services import refresh_findings

    return refresh_findings(individual_ids, with_neighbours=True).individuals
