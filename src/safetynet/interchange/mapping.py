"""From a validated interchange record to the typed columns and child rows of `records`.

`prepare(parsed)` returns a `Prepared`: the plain column values, the foreign keys and
child rows as natural keys ((kind, (source, id))), resolved to primary keys by the importer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from safetynet.interchange.details import MeetingDetails
from safetynet.interchange.fields import LEGACY_RISK, ref_key, to_date, to_datetime
from safetynet.interchange.kinds import (
    EventRecord,
    LocationRecord,
    MarkerRecord,
    OrderRecord,
    OrganisationRecord,
    PersonRecord,
    PlanRecord,
    RelationshipRecord,
)
from safetynet.interchange.parsing import ParsedLine
from safetynet.lib.postcodes import normalise_postcode
from safetynet.records.keys import NaturalKey, Target

# Kinds in an order where foreign keys (not many-to-many) only point backwards.
KIND_ORDER = ("location", "organisation", "person", "relationship", "event", "marker", "order", "plan")


class JsonText(str):
    """JSON already serialised, stored as it is (the line's own text, or a JSON column encoded
    where the line was parsed, possibly in a worker process, not in the writer)."""


def _json(value: Any) -> JsonText:
    return JsonText(json.dumps(value))


def _json_or_none(value: Any) -> JsonText | None:
    return None if value is None else JsonText(json.dumps(value))


@dataclass
class Prepared:
    """What the importer writes for one line: small and picklable (parsing may run in another process)."""

    number: int  # the line number
    text: str  # the line's JSON text, stored as the payload
    kind: str
    key: NaturalKey
    recorded_at: dt.datetime
    deleted: bool
    fields: dict[str, Any]
    fks: dict[str, Target | None] = field(default_factory=dict)
    # Child rows: lists of targets (plus extra values) the importer writes after the parent.
    addresses: list[tuple[Target, str, dt.date | None, dt.date | None]] = field(default_factory=list)
    participants: list[tuple[Target, str]] = field(default_factory=list)
    linked_events: list[Target] = field(default_factory=list)
    protected: list[Target] = field(default_factory=list)
    associates: list[Target] = field(default_factory=list)
    places: list[Target] = field(default_factory=list)
    current_address: Target | None = None
    # (field, reason) of a line accepted with a warning: a value kept as sent, not read
    warning: tuple[str, str] | None = None
    _refs: list[tuple[str, Target]] | None = None

    def references(self) -> list[tuple[str, Target]]:
        """Every reference this record makes, as (field name, target); computed once."""
        if self._refs is None:
            self._refs = self._references()
        return self._refs

    def forget_references(self) -> None:
        """After a change to the reference lists."""
        self._refs = None

    def _references(self) -> list[tuple[str, Target]]:
        refs: list[tuple[str, Target]] = [(name, t) for name, t in self.fks.items() if t is not None]
        refs += [("addresses", a[0]) for a in self.addresses]
        refs += [("participants", p[0]) for p in self.participants]
        refs += [("linked_events", t) for t in self.linked_events]
        refs += [("protected", t) for t in self.protected]
        refs += [("associates", t) for t in self.associates]
        refs += [("places", t) for t in self.places]
        return refs


def _target(kind: str, ref: Any, default_source: str) -> Target | None:
    key = ref_key(ref, default_source)
    return (kind, key) if key else None


def _targets(kind: str, refs: list[Any] | None, default_source: str) -> list[Target]:
    out: list[Target] = []
    for ref in refs or []:
        target = _target(kind, ref, default_source)
        if target is not None and target not in out:
            out.append(target)
    return out


def _fits(value: str | None, length: int) -> str:
    return value if value and len(value) <= length else ""


def prepare(line: ParsedLine) -> Prepared:
    """The typed columns and references of one validated line."""
    prepared = _prepare(line)
    prepared.references()  # computed here, where parsing runs (possibly a worker process)
    return prepared


def _prepare(line: ParsedLine) -> Prepared:
    record = line.record
    recorded_at = to_datetime(record.recorded_at)
    assert recorded_at is not None  # required by the envelope model
    source = record.source
    prepared = Prepared(
        line.number, line.text or json.dumps(line.obj), record.kind, line.key, recorded_at, bool(record.deleted), {}
    )
    f = prepared.fields
    if isinstance(record, LocationRecord):
        f.update(
            address_lines=_json(record.address_lines or []),
            town=record.town or "",
            postcode=normalise_postcode(record.postcode),
            uprn=str(record.uprn) if record.uprn is not None else "",
            lat=record.lat,
            lon=record.lon,
            location_type=record.location_type or "",
        )
    elif isinstance(record, OrganisationRecord):
        f.update(name=record.name or "", org_type=record.org_type or "")
        prepared.fks["location"] = _target("location", record.location, source)
    elif isinstance(record, PersonRecord):
        _prepare_person(prepared, record)
    elif isinstance(record, RelationshipRecord):
        f.update(rel_type=record.rel_type, valid_from=to_date(record.from_), valid_to=to_date(record.to))
        prepared.fks["person_a"] = _target("person", record.person_a, source)
        prepared.fks["person_b"] = _target("person", record.person_b, source)
    elif isinstance(record, EventRecord):
        _prepare_event(prepared, record, line)
    elif isinstance(record, MarkerRecord):
        f.update(
            marker_type=record.marker_type,
            valid_from=to_date(record.from_),
            valid_to=to_date(record.to),
            grading=_json_or_none(record.grading),
        )
        prepared.fks["person"] = _target("person", record.person, source)
        prepared.fks["linked_person"] = _target("person", record.linked_person, source)
    elif isinstance(record, OrderRecord):
        f.update(order_type=record.order_type, valid_from=to_date(record.from_), valid_to=to_date(record.to))
        prepared.fks["subject"] = _target("person", record.subject, source)
        prepared.protected = _targets("person", record.protected, source)
    elif isinstance(record, PlanRecord):
        f.update(
            plan_type=record.plan_type,
            created_on=to_date(record.created_at),
            review_due=to_date(record.review_due),
            content=record.content or "",
        )
        prepared.fks["person"] = _target("person", record.person, source)
        prepared.associates = _targets("person", record.associates, source)
        prepared.places = _targets("location", record.places, source)
    return prepared


def _prepare_person(prepared: Prepared, record: PersonRecord) -> None:
    dob_text = record.date_of_birth or ""
    ids = record.identifiers
    prepared.fields.update(
        given_names=record.given_names or "",
        family_name=record.family_name or "",
        other_names=_json(record.other_names or []),
        date_of_birth=dob_text,
        date_of_birth_given=record.date_of_birth_given,
        dob=dt.date.fromisoformat(dob_text) if len(dob_text) == 10 else None,
        birth_year=int(dob_text[:4]) if dob_text else None,
        sex=record.sex or "",
        self_defined_ethnicity=record.self_defined_ethnicity or "",
        observed_ethnicity=record.observed_ethnicity or "",
        first_language=record.first_language or "",
        identifiers=_json(ids.model_dump(exclude_none=True) if ids else {}),
        # Typed identifier columns only when the value fits; the payload keeps it either way.
        pnc_id=_fits(ids.pnc_id if ids else None, 20),
        nhs_number=_fits("".join((ids.nhs_number or "").split()) if ids else None, 10),
        upn=_fits(ids.upn if ids else None, 13),
        csc_id=_fits(ids.csc_id if ids else None, 30),
        care_status=record.care_status or "",
        postcode="",  # filled by the importer from the current address's location
    )
    if record.date_of_birth_given:
        prepared.warning = (
            "date_of_birth",
            f"kept as sent, not read as a date ({record.date_of_birth_problem}); "
            "the person is linked on everything else and flagged for data quality",
        )
    prepared.fks["school"] = _target("organisation", record.school, record.source)
    prepared.fks["gp_practice"] = _target("organisation", record.gp_practice, record.source)
    current: Target | None = None
    last: Target | None = None
    for address in record.addresses or []:
        target = _target("location", address.location, record.source)
        if target is None:
            continue
        prepared.addresses.append((target, address.kind or "", to_date(address.from_), to_date(address.to)))
        last = target
        if address.to is None and address.kind in (None, "home", "care", "temporary"):
            current = target
    # The same rule as identity's offline reader: the current home, else the latest address.
    prepared.current_address = current or last


def _prepare_event(prepared: Prepared, record: EventRecord, line: ParsedLine) -> None:
    details = dict(record.details or {})
    # Legacy missing-person risk values are read as very_low (the payload keeps the original).
    if record.event_type == "missing_report":
        if details.get("initial_risk") in LEGACY_RISK:
            details["initial_risk"] = LEGACY_RISK[details["initial_risk"]]
        reviews = details.get("reviews")
        if isinstance(reviews, list):
            details["reviews"] = [
                {**r, "risk": LEGACY_RISK[r["risk"]]} if isinstance(r, dict) and r.get("risk") in LEGACY_RISK else r
                for r in reviews
            ]
    prepared.fields.update(
        event_type=record.event_type,
        occurred_at=to_datetime(record.occurred_at),
        ended_at=to_datetime(record.ended_at),
        reported_at=to_datetime(record.reported_at),
        recorded_by=_json_or_none(record.recorded_by),
        summary=record.summary or "",
        details=_json(details),
    )
    prepared.fks["location"] = _target("location", record.location, record.source)
    seen: set[tuple[Target, str]] = set()
    for participant in record.participants or []:
        target = _target("person", participant.person, record.source)
        if target is not None and (target, participant.role) not in seen:
            seen.add((target, participant.role))
            prepared.participants.append((target, participant.role))
    if isinstance(line.details, MeetingDetails):
        # Meeting subjects are the people the meeting was about: participants as `subject`.
        # ... and the people on its agenda the chair has not taken off (the meetings workspace).
        listed = [item.person for item in line.details.agenda or [] if not item.removed_reason]
        for target in _targets("person", [*(line.details.subjects or []), *listed], record.source):
            if (target, "subject") not in seen:
                seen.add((target, "subject"))
                prepared.participants.append((target, "subject"))
    prepared.linked_events = _targets("event", record.linked_events, record.source)
    if isinstance(line.details, MeetingDetails) and line.details.trigger is not None:
        # A strategy discussion's trigger (the incident or referral that called it) is a linked event.
        for target in _targets("event", [line.details.trigger], record.source):
            if target not in prepared.linked_events:
                prepared.linked_events.append(target)
