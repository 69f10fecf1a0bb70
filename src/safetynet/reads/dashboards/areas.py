"""The areas a dashboard may be narrowed to (the force's areas, `safetynet.risk.areas`, policy
data): their names, and for one name the Q on a Person reached through a prefix."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from safetynet.risk.areas import area_named, areas


def area_names() -> list[str]:
    return [a.name for a in areas()]


def area_filter(name: str) -> Callable[[str], Q] | None:
    """The chosen area's Q builder (`Area.person_q`; None for the whole county or an unknown name)."""
    found = area_named(name) if name else None
    return found.person_q if found is not None else None
