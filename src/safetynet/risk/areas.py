"""The force's areas (policy data, `areas:` in the policy): each a name and the postcode
districts it covers. A child is in an area when one of their linked records has a current home
postcode in one of its districts; records with no postcode are in no area. Lists and counts
filter by area with `Area.person_q` (on the person records) or `Area.individual_q` (on rows
that carry an individual)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from safetynet.identity.models import Membership
from safetynet.lib.postcodes import district_of
from safetynet.risk.policy import Policy, current_policy


@dataclass(frozen=True)
class Area:
    name: str
    districts: tuple[str, ...]

    def covers(self, postcode: str | None) -> bool:
        return district_of(postcode) in self.districts

    def person_q(self, prefix: str = "") -> Q:
        """Person records (through `prefix`, e.g. "person__") whose home postcode is in the area.
        Stored postcodes are "OUT IN", so "EK1 " never matches EK11."""
        return reduce(or_, (Q(**{f"{prefix}postcode__startswith": f"{d} "}) for d in self.districts))

    def individual_q(self, field: str = "individual_id") -> Q:
        """Rows whose `field` is an individual with a record in the area."""
        inside = Membership.objects.filter(self.person_q("person__")).values("individual_id")
        return Q(**{f"{field}__in": inside})


def areas(policy: Policy | None = None) -> tuple[Area, ...]:
    """The areas of the policy in force (or of `policy`), in the order the policy lists them."""
    doc = (policy or current_policy()).document
    return tuple(Area(a.name, tuple(a.districts)) for a in doc.areas)


def area_named(name: str, policy: Policy | None = None) -> Area | None:
    """The area called `name` (case-insensitive), or None."""
    wanted = name.strip().casefold()
    return next((a for a in areas(policy) if a.name.casefold() == wanted), None)


def area_of(postcode: str | None, policy: Policy | None = None) -> str | None:
    """The name of the area a postcode is in, or None."""
    district = district_of(postcode)
    return next((a.name for a in areas(policy) if district in a.districts), None) if district else None


def area_choices(policy: Policy | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a filter's select: every area by name."""
    return [(a.name, a.name) for a in areas(policy)]
