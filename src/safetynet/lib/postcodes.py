"""UK postcodes: the stored form, the outward code (the district), and the check of a force's
areas (policy data: each area a name and the postcode districts it covers)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def normalise_postcode(value: str | None) -> str:
    """A UK postcode as 'OUT IN' (upper case, one space); '' when absent or not a postcode."""
    compact = re.sub(r"\s", "", value or "").upper()
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else ""


def district_of(postcode: str | None) -> str:
    """The postcode district (outward code) of a postcode in any spacing: "ek11 2ab" -> "EK11"."""
    stored = normalise_postcode(postcode)
    return stored.split(" ", 1)[0] if stored else ""


def is_district(text: str) -> bool:
    """True for a postcode district as written in an area's list ("EK1", "SW1A", "M1")."""
    return bool(_DISTRICT.match(text))


def area_errors(areas: Sequence[tuple[str, Iterable[str]]]) -> list[tuple[tuple[Any, ...], str]]:
    """(location, expectation) for each problem in a list of (area name, districts): a district
    not written as one, a district in two areas, a name used twice."""
    errors: list[tuple[tuple[Any, ...], str]] = []
    names: set[str] = set()
    owner: dict[str, str] = {}
    for i, (name, districts) in enumerate(areas):
        if name.casefold() in names:
            errors.append((("areas", i, "name"), f"a name no other area has, not {name!r} again"))
        names.add(name.casefold())
        for j, district in enumerate(districts):
            where = ("areas", i, "districts", j)
            if not is_district(district):
                errors.append((where, f"a postcode district in capitals such as EK1 or SW1A, not {district!r}"))
            elif district in owner:
                errors.append((where, f"a district in one area only ({district} is in {owner[district]!r})"))
            else:
                owner[district] = name
    return errors
