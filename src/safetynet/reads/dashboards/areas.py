"""The areas a dashboard may be narrowed to (the force's areas, `safetynet.risk.areas`): their
names, and for one name the Q on a Person reached through a prefix."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q


def area_names() -> list[str]:
    return []


def area_filter(name: str) -> Callable[[str], Q] | None:
    """The chosen area's Q builder (None for the whole county or an unknown name)."""
    return None
