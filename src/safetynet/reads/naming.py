"""The people and places a finding names, rendered for one viewer.

A rule stores who and where its finding rests on as references with a plain role
(`detail["named"]`: risk/rules/base.py `named_person`, `named_place`), never as names, so the
stored reason can count ("3 known relationship(s)") while the screen names them. Each viewer
reads a named person's name, age and current address only when they may open that person
(the rule of docs/access.md that every person record passes); otherwise the line keeps its
role and says the person is not shown to them. Places are not about a person: whoever reads the
finding reads its places, as the disclosure rule treats cited locations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from safetynet.identity.models import Membership
from safetynet.reads.access import log_view
from safetynet.reads.disclosure import matching, may_open_people
from safetynet.reads.network import location_label
from safetynet.reads.person import age_on, display_name
from safetynet.records.models import Location, Person, PersonAddress

Ref = tuple[str, str]

WITHHELD_PERSON = "Not shown: your role may not read this person's records"


@dataclass(frozen=True)
class NamedLine:
    """One person or place a finding names, as one viewer reads it."""

    kind: str  # person | place
    role: str  # their part in the finding, in words
    text: str  # "Name, aged 34, address" / the address / the withheld wording
    shown: bool
    ref: Ref
    count: int | None = None
    individual_id: int | None = None  # to link a shown person to their page

    @property
    def role_label(self) -> str:
        return self.role[:1].upper() + self.role[1:]


def entries_of(finding: Any) -> list[dict[str, Any]]:
    """The named entries stored on a finding (an empty list for findings that name none)."""
    detail = finding.detail if isinstance(getattr(finding, "detail", None), dict) else {}
    named = detail.get("named") or []
    return [e for e in named if isinstance(e, dict) and isinstance(e.get("ref"), dict)]


def _ref(entry: dict[str, Any]) -> Ref:
    return (str(entry["ref"].get("source", "")), str(entry["ref"].get("id", "")))


def _lookup(model: Any, refs: set[Ref]) -> dict[Ref, Any]:
    return {(r.source, r.source_id): r for r in matching(model.live, refs)}


def _homes(person_ids: Iterable[int], today: dt.date) -> dict[int, Location]:
    """person id -> their current address (the latest that has not ended)."""
    current = (
        PersonAddress.objects.filter(person_id__in=list(person_ids))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(kind="previous")
        .select_related("location")
        .order_by("person_id", "valid_from")
    )
    return {a.person_id: a.location for a in current}


def _person_text(person: Person, home: Location | None, today: dt.date) -> str:
    parts = [display_name(person)]
    age = age_on(person.dob, today)
    if age is not None:
        parts.append(f"aged {age}")
    if home is not None:
        parts.append(location_label(home))
    return ", ".join(parts)


def named_for(user: Any, findings: Sequence[Any]) -> dict[int, list[NamedLine]]:
    """finding id -> the people and places it names, as `user` may read them; call it only
    with findings the disclosure rule shows `user` in full."""
    entries = {f.pk: entries_of(f) for f in findings}
    person_refs = {_ref(e) for es in entries.values() for e in es if e.get("kind") == "person"}
    place_refs = {_ref(e) for es in entries.values() for e in es if e.get("kind") == "place"}
    people = _lookup(Person, person_refs)
    places = _lookup(Location, place_refs)
    today = timezone.localdate()
    opens = may_open_people(user, [p.pk for p in people.values()])
    homes = _homes([p.pk for p in people.values() if opens.get(p.pk)], today)
    individual = dict(
        Membership.objects.filter(person_id__in=[p.pk for p in people.values()]).values_list(
            "person_id", "individual_id"
        )
    )
    out: dict[int, list[NamedLine]] = {}
    for finding_id, named in entries.items():
        lines = []
        for e in named:
            ref, role, count = _ref(e), str(e.get("as") or ""), e.get("count")
            if e.get("kind") == "person":
                person = people.get(ref)
                if person is None:
                    lines.append(NamedLine("person", role, "No longer on record", False, ref, count))
                elif not opens.get(person.pk):
                    lines.append(NamedLine("person", role, WITHHELD_PERSON, False, ref, count))
                else:
                    text = _person_text(person, homes.get(person.pk), today)
                    lines.append(NamedLine("person", role, text, True, ref, count, individual.get(person.pk)))
            else:
                place = places.get(ref)
                text = location_label(place) if place is not None else "No longer on record"
                lines.append(NamedLine("place", role, text, place is not None, ref, count))
        out[finding_id] = lines
    return out


def shown_individuals(lines: Iterable[NamedLine]) -> list[int]:
    """The individuals `lines` named by name to their viewer (their personal data was shown)."""
    return sorted({line.individual_id for line in lines if line.shown and line.individual_id is not None})


def log_named(user: Any, lines: Iterable[NamedLine], *, object_type: str) -> None:
    """Writes the people a screen named to the access log: viewing a finding that names an
    adult is viewing that adult's personal data."""
    shown = shown_individuals(lines)
    if shown:
        log_view(user, object_type=object_type, object_ids=shown, individual_ids=shown, fields=["named_in_finding"])
