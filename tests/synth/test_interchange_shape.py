"""Every generated line has the interchange envelope, the spec's enums and resolvable references."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args

from safetynet.interchange import fields
from tests.synth.conftest import County


def _values(literal: Any) -> set[str]:
    """The values of one of the interchange schema's enumerations (a `Literal` type)."""
    return set(get_args(literal))


# The spec's enumerations, from the pydantic models the JSON Schema is generated from.
KINDS = {"location", "organisation", "person", "relationship", "event", "marker", "order", "plan"}
EVENT_TYPES = _values(fields.EventType)
ROLES = _values(fields.Role)
REL_TYPES = _values(fields.RelType)
MARKER_TYPES = _values(fields.MarkerType)
ORDER_TYPES = _values(fields.OrderType)
PLAN_TYPES = _values(fields.PlanType)
LOCATION_TYPES = _values(fields.LocationType)
ORG_TYPES = _values(fields.OrgType)
CARE = _values(fields.CareStatus)
# The 2021 census codes the generator writes (the schema only checks their pattern).
SELF_DEFINED = {"W1", "W2", "W3", "W4", "W9", "M1", "M2", "M3", "M9", "A1", "A2", "A3", "A4", "A9", "B1", "B2", "B3"}
SELF_DEFINED |= {"O1", "O9", "NS"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOB = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}$")


def _datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def test_every_line_has_the_envelope_and_a_unique_key(county: County) -> None:
    seen: set[tuple[str, str, str]] = set()
    for record in county.lines:
        assert record["kind"] in KINDS
        assert isinstance(record["source"], str) and record["source"]
        assert isinstance(record["id"], str) and record["id"]
        _datetime(record["recorded_at"])
        key = (record["kind"], record["source"], record["id"])
        assert key not in seen
        seen.add(key)


def test_unknown_values_are_never_empty_strings(county: County) -> None:
    for record in county.lines:
        assert "" not in list(_walk(record)), record["id"]


def test_enumerated_fields_use_the_spec_values(county: County) -> None:
    for r in county.lines:
        kind = r["kind"]
        if kind == "location":
            assert r["location_type"] in LOCATION_TYPES
            assert POSTCODE.match(r["postcode"]), r["postcode"]
        elif kind == "organisation":
            assert r["org_type"] in ORG_TYPES
        elif kind == "person":
            assert r["sex"] in _values(fields.Sex)
            assert r.get("care_status", "none") in CARE
            assert r.get("self_defined_ethnicity", "NS") in SELF_DEFINED
            assert re.match(r"^IC[1-9]$", r.get("observed_ethnicity", "IC1"))
            if "date_of_birth" in r:
                assert DOB.match(r["date_of_birth"])
            for address in r.get("addresses", []):
                assert address["kind"] in _values(fields.AddressKind)
                assert DATE.match(address["from"])
            for name, value in r.get("identifiers", {}).items():
                assert name in {"nhs_number", "pnc_id", "upn", "csc_id"} and value
        elif kind == "relationship":
            assert r["rel_type"] in REL_TYPES
        elif kind == "event":
            assert r["event_type"] in EVENT_TYPES
            _datetime(r["occurred_at"])
            for p in r["participants"]:
                assert p["role"] in ROLES
            _check_details(r["event_type"], r["details"])
        elif kind == "marker":
            assert r["marker_type"] in MARKER_TYPES
            assert DATE.match(r["from"])
        elif kind == "order":
            assert r["order_type"] in ORDER_TYPES
        elif kind == "plan":
            assert r["plan_type"] in PLAN_TYPES
            assert DATE.match(r["created_at"]) and DATE.match(r["review_due"])


def _check_details(event_type: str, d: dict[str, Any]) -> None:
    if event_type == "incident":
        assert d["thrive"]["grade"] in _values(fields.ThriveGrade)
    elif event_type == "missing_report":
        assert d["missing_from"] in _values(fields.MissingFrom)
        current = _values(fields.MissingRisk) - {"no_apparent_risk", "absent"}  # never the legacy grades
        assert d["initial_risk"] in current
        for review in d["reviews"]:
            _datetime(review["at"])
            assert review["risk"] in current
    elif event_type == "crime":
        assert d["status"] in _values(fields.CrimeStatus)
    elif event_type == "referral":
        concerns = _values(fields.Concern)
        assert set(d["concern"]) <= concerns
        assert d["triage"]["grade"] in _values(fields.TriageGrade)
        assert set(d["triage"]["research"]) <= _values(fields.Research)
    elif event_type == "meeting":
        assert d["meeting_type"] in _values(fields.MeetingType)
    elif event_type == "custody":
        assert d.get("la_accommodation_outcome", "provided") in _values(fields.AccommodationOutcome)
    elif event_type == "intelligence":
        assert d["grading"]["source"] in {1, 2, 3} and d["grading"]["assessment"] in set("ABCDE")
    elif event_type == "notification":
        assert d["scheme"] in _values(fields.Scheme)


def test_every_reference_resolves_to_a_record_in_the_file(county: County) -> None:
    present = {(r["source"], r["id"]) for r in county.lines}
    missing = []
    for record in county.lines:
        for value in _refs(record):
            if (value["source"], value["id"]) not in present:
                missing.append((record["id"], value))
    assert missing == []


def _refs(value: Any, top: bool = True) -> Any:
    if isinstance(value, dict):
        if not top and set(value) == {"source", "id"}:
            yield value
            return
        for v in value.values():
            yield from _refs(v, False)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v, False)


def test_every_childs_health_record_names_a_gp_practice_in_the_directory(county: County) -> None:
    """GP notifications (docs/mash.md) need the practice a child is registered with."""
    index = county.index()
    health = [r for r in county.by_kind("person") if r["source"] == "health"]
    named = [r for r in health if "gp_practice" in r]
    assert named and all(r["source"] == "health" for r in county.by_kind("person") if "gp_practice" in r)
    practices = {(r["gp_practice"]["source"], r["gp_practice"]["id"]) for r in named}
    assert all(index[("organisation", s, i)]["org_type"] == "health" for s, i in practices)
    assert len(practices) > 1
