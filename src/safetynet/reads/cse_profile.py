"""The CSE intelligence profile: a picture of child exploitation in the county built from the
records each time it is read (so it is as fresh as the records): trends month by month, the
networks of children linked through the same adults of concern, the adults named with most
children, and the places where children at risk of exploitation are recorded most.

"At risk of exploitation", by meaning: a CSE or CCE risk marker current at any time in the
period, or an exploitation finding (policy clauses X1, X2, X4) raised in it. Adults of concern are
the adults the open X2 findings name (the exploitation workspace's list). Counts are aggregated
in the database; the networks are the connected groups of the open X2 findings' children and
adults (a few thousand findings at most, read once).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from safetynet.exploitation import profile
from safetynet.exports.services import Column, export_csv
from safetynet.identity.models import Membership
from safetynet.reads.dashboards.base import Filters
from safetynet.reads.exploitation import names_for
from safetynet.records.models import Location, Marker, Participation
from safetynet.risk.models import Finding

MARKERS = ("cse_risk", "cce_risk")
CLAUSES = ("X1", "X2", "X4")
TOP = 20
FINDINGS_READ = 2000


@dataclass(frozen=True)
class MonthTrend:
    month: dt.date
    marked: int  # children whose CSE/CCE risk marker started that month
    raised: int  # children with an exploitation finding raised that month
    missing: int  # missing reports about children at risk of exploitation


@dataclass
class Network:
    children: list[int]
    adults: list[int]


@dataclass(frozen=True)
class AdultLine:
    individual_id: int
    name: str
    children: int


@dataclass(frozen=True)
class PlaceLine:
    location_id: int
    place: str
    children: int
    records: int


@dataclass
class CseProfile:
    filters: Filters
    months: list[MonthTrend]
    networks: list[Network]
    adults: list[AdultLine]
    places: list[PlaceLine]
    names: dict[int, str] = field(default_factory=dict)  # children and adults, as the viewer may read them

    @property
    def named(self) -> list[int]:
        """Everyone the profile names to the viewer (for the access log)."""
        return sorted(i for i, name in self.names.items() if name and name != "Not shown")


def at_risk(f: Filters) -> list[int]:
    """The individuals at risk of exploitation in the period (and area), read once."""
    marked = Marker.live.filter(marker_type__in=MARKERS).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=f.end), Q(valid_to__isnull=True) | Q(valid_to__gte=f.start)
    )
    found = Finding.objects.filter(clause__in=CLAUSES, raised_at__gte=f.since, raised_at__lt=f.until)
    children = set(
        Membership.objects.filter(person_id__in=marked.values("person_id")).values_list("individual_id", flat=True)
    )
    children |= set(found.values_list("individual_id", flat=True))
    if f.area_q is not None:
        inside = f.narrow_to_area(Membership.objects.filter(individual_id__in=sorted(children)))
        children = set(inside.values_list("individual_id", flat=True))
    return sorted(children)


def _records_of(children: list[int]) -> list[int]:
    """The person records of `children` (so the participations are read by person, indexed)."""
    return list(Membership.objects.filter(individual_id__in=children).values_list("person_id", flat=True))


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date().replace(day=1)
    return value.replace(day=1)


def _months(f: Filters, records: list[int]) -> list[MonthTrend]:
    marked = {
        _month(r["m"]): r["n"]
        for r in Marker.live.filter(marker_type__in=MARKERS, valid_from__gte=f.start, valid_from__lte=f.end)
        .annotate(m=TruncMonth("valid_from"))
        .values("m")
        .annotate(n=Count("person__membership__individual", distinct=True))
        .order_by()
    }
    raised = {
        _month(r["m"]): r["n"]
        for r in Finding.objects.filter(clause__in=CLAUSES, raised_at__gte=f.since, raised_at__lt=f.until)
        .annotate(m=TruncMonth("raised_at"))
        .values("m")
        .annotate(n=Count("individual", distinct=True))
        .order_by()
    }
    missing = {
        _month(r["m"]): r["n"]
        for r in Participation.objects.filter(
            role="missing_person",
            event__event_type="missing_report",
            event__deleted=False,
            event__occurred_at__gte=f.since,
            event__occurred_at__lt=f.until,
            person_id__in=records,
        )
        .annotate(m=TruncMonth("event__occurred_at"))
        .values("m")
        .annotate(n=Count("event", distinct=True))
        .order_by()
    }
    out, month = [], f.start.replace(day=1)
    while month <= f.end:
        out.append(MonthTrend(month, marked.get(month, 0), raised.get(month, 0), missing.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _networks(findings: list[Finding]) -> tuple[list[Network], dict[int, set[int]]]:
    """Children joined through the adults their open X2 findings name: each connected group
    with two or more children, largest first; and each adult's children."""
    children_of: dict[int, set[int]] = defaultdict(set)
    for finding in findings:
        for adult in profile.adults_in(finding):
            children_of[adult].add(finding.individual_id)
    # Union-find over adults: two adults are in one network when they share a child.
    group_of: dict[int, int] = {}
    adults_of_child: dict[int, list[int]] = defaultdict(list)
    for adult, children in children_of.items():
        for child in children:
            adults_of_child[child].append(adult)

    def root(x: int) -> int:
        group_of.setdefault(x, x)
        while group_of[x] != x:
            group_of[x] = group_of[group_of[x]]
            x = group_of[x]
        return x

    for adults in adults_of_child.values():
        for other in adults[1:]:
            group_of[root(other)] = root(adults[0])
    groups: dict[int, Network] = {}
    for adult in sorted(children_of):
        group = groups.setdefault(root(adult), Network([], []))
        group.adults.append(adult)
        group.children.extend(sorted(c for c in children_of[adult] if c not in group.children))
    found = [n for n in groups.values() if len(n.children) >= 2]
    return sorted(found, key=lambda n: (-len(n.children), min(n.children)))[:TOP], children_of


def _places(f: Filters, records: list[int]) -> list[PlaceLine]:
    rows = (
        Participation.objects.filter(
            event__deleted=False,
            event__location__isnull=False,
            event__occurred_at__gte=f.since,
            event__occurred_at__lt=f.until,
            person_id__in=records,
        )
        .values("event__location")
        .annotate(
            children=Count("person__membership__individual", distinct=True), records=Count("event", distinct=True)
        )
        .order_by("-children", "-records", "event__location")[:TOP]
    )
    found = list(rows)
    places = Location.objects.in_bulk([r["event__location"] for r in found])
    return [
        PlaceLine(r["event__location"], _place_words(places.get(r["event__location"])), r["children"], r["records"])
        for r in found
    ]


def _place_words(place: Location | None) -> str:
    if place is None:
        return ""
    parts = [*(place.address_lines or []), place.town, place.postcode]
    return ", ".join(str(p) for p in parts if p) or "A place with no recorded address"


def cse_profile(user: Any, f: Filters) -> CseProfile:
    """The profile for `f` as `user` may read it (children and adults named where they may open them)."""
    findings = list(
        Finding.objects.filter(clause="X2", state=Finding.State.OPEN).order_by("-raised_at")[:FINDINGS_READ]
    )
    children = at_risk(f)
    if f.area_q is not None:
        inside = set(children)
        findings = [x for x in findings if x.individual_id in inside]
    networks, children_of = _networks(findings)
    ranked = sorted(children_of.items(), key=lambda item: (-len(item[1]), item[0]))[:TOP]
    people = [i for n in networks for i in (*n.children, *n.adults)] + [a for a, _c in ranked]
    names = names_for(user, people)
    adults = [AdultLine(a, names.get(a, ""), len(c)) for a, c in ranked]
    records = _records_of(children)
    return CseProfile(f, _months(f, records), networks, adults, _places(f, records), names)


PROFILE_COLUMNS: list[Column] = [
    ("Section", lambda r: r[0]),
    ("What", lambda r: r[1]),
    ("Children", lambda r: r[2]),
    ("Count", lambda r: r[3]),
]


def _rows(found: CseProfile) -> list[tuple[str, str, int, int | str]]:
    rows: list[tuple[str, str, int, int | str]] = []
    for m in found.months:
        rows.append(("Trend: CSE or CCE risk marked", m.month.strftime("%B %Y"), m.marked, ""))
        rows.append(("Trend: exploitation finding raised", m.month.strftime("%B %Y"), m.raised, ""))
        rows.append(("Trend: missing reports about children at risk", m.month.strftime("%B %Y"), 0, m.missing))
    for i, n in enumerate(found.networks, start=1):
        who = "; ".join(found.names.get(c, "") for c in n.children)
        rows.append((f"Network {i}", who, len(n.children), f"{len(n.adults)} adults"))
    for a in found.adults:
        rows.append(("Adult of concern", a.name, a.children, ""))
    for p in found.places:
        rows.append(("Place", p.place, p.children, p.records))
    return rows


def profile_csv(request: HttpRequest, found: CseProfile) -> HttpResponse:
    """The profile as CSV, logged as an export naming every child and adult it names."""
    f = found.filters
    return export_csv(
        request,
        _rows(found),
        PROFILE_COLUMNS,
        title=f"CSE intelligence profile, {f.start:%d %b %Y} to {f.end:%d %b %Y}" + (f", {f.area}" if f.area else ""),
        filename=f"cse-profile-{f.start.isoformat()}-{f.end.isoformat()}",
        individual_ids=found.named,
        object_type="cse_profile",
        fields=["cse_profile"],
    )
