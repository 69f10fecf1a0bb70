"""How the web app fetches records for a user: one place, missing and forbidden look the same.

The access app's `access_individual_for_user` decides record-level access once it is on main;
until then these helpers answer 404 for anything that is not a live record and require only
a signed-in user. Every view fetches through here, so the switch is made in one file.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from safetynet.identity.models import Individual
from safetynet.records.models import Event


def individual_for_user(user: Any, pk: int) -> Individual:
    """Return the Individual `pk` if `user` may see it; raise Http404 otherwise (no hint why)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    individual = (
        Individual.objects.filter(
            pk=pk, memberships__person__recorded_at__isnull=False, memberships__person__deleted=False
        )
        .distinct()
        .first()
    )
    if individual is None:
        raise Http404
    return individual


def event_for_user(user: Any, pk: int) -> Event:
    """Return the live Event `pk` if `user` may see it; raise Http404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    event = Event.live.select_related("location").filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def visible_individual_ids(user: Any, candidate_ids: list[int]) -> list[int]:
    """The subset of `candidate_ids` that `user` may see, in the same order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return candidate_ids
