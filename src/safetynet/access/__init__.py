"""Least privilege across agencies: agencies, teams, roles, the permission matrix, record
scoping and field-level restriction.

`access_individual_for_user(user, pk)` is the one way a view fetches an individual: it raises
Http404 whether the individual is missing or forbidden, so a guessed id reveals nothing.
"""

from __future__ import annotations

from typing import Any


def access_individual_for_user(user: Any, pk: int) -> Any:
    """Return the Individual `pk` if `user` may see it; raise Http404 otherwise (lazy import)."""
    from safetynet.access.rules import access_individual_for_user as _impl

    return _impl(user, pk)
