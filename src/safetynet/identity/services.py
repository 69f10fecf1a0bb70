"""Identity services. `assign_singletons` gives every unlinked live Person its own
Individual; the linkage model then merges individuals that are the same person."""

from __future__ import annotations

from django.db import transaction

from safetynet.identity.models import Individual, Membership
from safetynet.records.models import Person


@transaction.atomic
def assign_singletons() -> list[int]:
    """Create one Individual per live Person with none; return the new individual ids."""
    unlinked = list(Person.live.filter(membership__isnull=True).values_list("pk", flat=True))
    created: list[int] = []
    for person_id in unlinked:
        individual = Individual.objects.create()
        Membership.objects.create(person_id=person_id, individual=individual)
        created.append(individual.pk)
    return created
