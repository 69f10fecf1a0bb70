"""Every generated line has the interchange envelope, the spec's enums and resolvable references."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.synth.conftest import County

KINDS = {"location", "organisation", "person", "relationship", "event", "marker", "order", "plan"}
EVENT_TYPES = {
    "incident",
    "missing_report",
    "crime",
    "referral",
    "meeting",
    "police_protection",
    "custody",
    "intelligence",
    "notification",
    "offender_visit",
    "device_examination",
}
ROLES = {
    "subject",
    "victim",
    "suspect",
    "offender",
    "witness",
    "reporter",
    "carer",
    "associate",
    "missing_person",
    "detainee",
    "present_child",
    "perpetrator",
    "co_located",
}
REL_TYPES = {
    "parent_of",
    "step_parent_of",
    "carer_of",
    "sibling_of",
    "partner_of",
    "ex_partner_of",
    "lives_with",
    "associate_of",
    "boyfriend_girlfriend",
}
MARKER_TYPES = {
    "cse_risk",
    "cce_risk",
    "trafficking",
    "drugs",
    "alcohol",
    "mental_health",
    "self_harm",
    "weapons",
    "violence",
    "registered_sex_offender",
    "mappa",
    "cawn_child",
    "cawn_adult",
    "missing_trigger_plan",
    "other",
}
ORDER_TYPES = {"cawn", "sexual_harm_prevention_order", "sexual_risk_order", "non_molestation_order", "dvpo", "other"}
PLAN_TYPES = {
    "trigger_plan",
    "philomena_profile",
    "fast_action_response_plan",
    "cse_plan",
    "safety_plan",
    "risk_management_plan",
    "child_protection_plan",
}
LOCATION_TYPES = {
    "home",
    "childrens_home",
    "school",
    "hotel",
    "public_place",
    "police_station",
    "custody_suite",
    "hospital",
    "business",
    "online",
    "other",
}
ORG_TYPES = {
    "police_force",
    "childrens_social_care",
    "school",
    "childrens_home",
    "health",
    "probation",
    "youth_justice",
    "housing",
    "voluntary",
    "other",
}
CARE = {"looked_after", "child_protection_plan", "child_in_need", "care_leaver", "none"}
SELF_DEFINED = {
    "W1",
    "W2",
    "W3",
    "W4",
    "W9",
    "M1",
    "M2",
    "M3",
    "M9",
    "A1",
    "A2",
    "A3",
    "A4",
    "A9",
    "B1",
    "B2",
    "B3",
    "O1",
    "O9",
    "NS",
}
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
            assert r["sex"] in {"female", "male", "other", "unknown"}
            assert r.get("care_status", "none") in CARE
            assert r.get("self_defined_ethnicity", "NS") in SELF_DEFINED
            assert re.match(r"^IC[1-9]$", r.get("observed_ethnicity", "IC1"))
            if "date_of_birth" in r:
                assert DOB.match(r["date_of_birth"])
            for address in r.get("addresses", []):
                assert address["kind"] in {"home", "care", "temporary", "previous"}
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
        assert d["thrive"]["grade"] in {"emergency", "priority", "scheduled", "resolved_without_deployment"}
    elif event_type == "missing_report":
        assert d["missing_from"] in {"home", "care", "school", "other"}
        assert d["initial_risk"] in {"very_low", "low", "medium", "high"}
        for review in d["reviews"]:
            _datetime(review["at"])
            assert review["risk"] in {"very_low", "low", "medium", "high"}
    elif event_type == "crime":
        assert d["status"] in {"under_investigation", "charged", "no_further_action", "other"}
    elif event_type == "referral":
        concerns = {
            "neglect",
            "physical",
            "sexual",
            "emotional",
            "domestic_abuse",
            "exploitation",
            "online",
            "missing",
            "mental_health",
            "other",
        }
        assert set(d["concern"]) <= concerns
        assert d["triage"]["grade"] in {"red", "amber", "green", "blue"}
        assert set(d["triage"]["research"]) <= {"local_authority", "police_systems", "national"}
    elif event_type == "meeting":
        assert d["meeting_type"] in {
            "strategy_discussion",
            "marac",
            "mace",
            "mappa",
            "missing_tasking",
            "child_protection_conference",
            "other",
        }
    elif event_type == "custody":
        assert d.get("la_accommodation_outcome", "provided") in {"provided", "secure_provided", "not_provided"}
    elif event_type == "intelligence":
        assert d["grading"]["source"] in {1, 2, 3} and d["grading"]["assessment"] in set("ABCDE")
    elif event_type == "notification":
        assert d["scheme"] in {"operation_encompass", "gp_notification", "other"}


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
