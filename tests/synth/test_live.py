"""The live county generator (`synth/live.py`): deterministic, county-like, references only what
exists or what it sent, every line valid, and live work (missing children, untriaged referrals)
at every moment."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import pytest

from safetynet.interchange.parsing import validate_object
from safetynet.synth.live import MIN_OPEN, Cast, LiveCounty
from tests.synth.conftest import County

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
COUNTY_ID = re.compile(r"^[A-Z]+\d{7}$")


def cast_of(county: County) -> Cast:
    """Children (their health records), adults (police nominals born 1990 or before) and places."""
    people = county.by_kind("person")
    children = [{"source": p["source"], "id": p["id"]} for p in people if p["source"] == "health"][:300]
    adults = [
        {"source": p["source"], "id": p["id"]}
        for p in people
        if p["source"] == "rms" and p.get("date_of_birth", "2100")[:4] <= "1990"
    ][:200]
    places = [r["id"] for r in county.by_kind("location")][:100]
    return Cast(children, adults, places)


def run(cast: Cast, ticks: int, *, seed: int = 3, run_id: str = "T1") -> list[list[dict[str, Any]]]:
    live = LiveCounty(cast, seed=seed, run=run_id)
    return [live.tick(START + dt.timedelta(seconds=5 * i)) for i in range(ticks)]


@pytest.fixture(scope="module")
def stream(county: County) -> list[list[dict[str, Any]]]:
    return run(cast_of(county), 600)


def test_the_same_seed_and_run_write_the_same_records(county: County) -> None:
    cast = cast_of(county)
    assert json.dumps(run(cast, 80)) == json.dumps(run(cast, 80))
    assert json.dumps(run(cast, 80)) != json.dumps(run(cast, 80, seed=4))


def test_every_record_is_valid_interchange_recorded_at_its_tick(stream: list[list[dict[str, Any]]]) -> None:
    for i, records in enumerate(stream):
        assert 1 <= len(records) <= 2
        for record in records:
            validate_object(record, i + 1, today=START.date())
            assert record["recorded_at"] == (START + dt.timedelta(seconds=5 * i)).isoformat()


def test_proportions_are_county_like(stream: list[list[dict[str, Any]]]) -> None:
    what: Counter[str] = Counter()
    for records in stream:
        event = records[-1]
        details = event.get("details", {})
        if event["event_type"] == "missing_report":
            stage = "missing found" if "found_at" in details else "missing update" if details["reviews"] else "missing"
            what[stage] += 1
        elif event["event_type"] == "referral":
            what["triage" if "triage" in details else "referral"] += 1
        else:
            what[event["event_type"]] += 1
    total = sum(what.values())
    assert 0.15 < what["missing"] / total < 0.35
    assert 0.12 < what["referral"] / total < 0.3
    assert 0.05 < what["incident"] / total < 0.2
    assert what["missing update"] and what["missing found"] and what["triage"]
    assert 0 < what["custody"] < what["incident"] and 0 < what["meeting"] < what["referral"]


def test_references_point_at_the_cast_or_at_records_sent_before(
    county: County, stream: list[list[dict[str, Any]]]
) -> None:
    cast = cast_of(county)
    people = {(r["source"], r["id"]) for r in cast.children + cast.adults}
    places = set(cast.places)
    events: set[tuple[str, str]] = set()
    new_children = 0
    for records in stream:
        for record in records:
            key = (record["source"], record["id"])
            if record["kind"] == "person":
                people.add(key)
                new_children += 1
                continue
            assert "LIVE-" in record["id"] and not COUNTY_ID.match(record["id"])
            for p in record["participants"]:
                assert (p["person"]["source"], p["person"]["id"]) in people
            for s in record["details"].get("subjects", []):
                assert (s["source"], s["id"]) in people
            for linked in record.get("linked_events", []):
                assert (linked["source"], linked["id"]) in events
            for loc in _locations(record):
                assert loc in places
            events.add(key)
    assert 5 < new_children < 60


def test_updates_are_later_versions_of_records_already_sent(stream: list[list[dict[str, Any]]]) -> None:
    seen: dict[tuple[str, str], str] = {}
    updates = 0
    for records in stream:
        for record in records:
            key = (record["source"], record["id"])
            if key in seen:
                assert record["recorded_at"] > seen[key]
                updates += 1
            seen[key] = record["recorded_at"]
    assert updates > 100


def test_some_children_are_missing_and_some_referrals_await_triage_at_every_tick(
    stream: list[list[dict[str, Any]]],
) -> None:
    missing: set[str] = set()
    untriaged: set[str] = set()
    for i, records in enumerate(stream):
        for record in records:
            if record.get("event_type") == "missing_report":
                (missing.discard if "found_at" in record["details"] else missing.add)(record["id"])
            elif record.get("event_type") == "referral":
                (untriaged.discard if "triage" in record["details"] else untriaged.add)(record["id"])
        if i >= 2 * MIN_OPEN:
            assert len(missing) >= MIN_OPEN and len(untriaged) >= MIN_OPEN, i


def _locations(record: dict[str, Any]) -> list[str]:
    found = []
    if "location" in record:
        found.append(record["location"]["id"])
    details = record.get("details", {})
    for name in ("last_seen_location", "found_location"):
        if name in details:
            found.append(details[name]["id"])
    found += [line["location"]["id"] for line in details.get("lines_of_enquiry", []) if line.get("location")]
    return found
