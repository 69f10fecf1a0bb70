"""The truth file: every person record mapped, children and networks, and linkage that is hard but possible."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.synth.conftest import SEED, County


def test_truth_maps_every_person_record_and_nothing_else(county: County) -> None:
    records = {f"{r['source']}:{r['id']}" for r in county.by_kind("person")}
    assert set(county.truth["persons"]) == records
    assert county.truth["version"] == 1 and county.truth["seed"] == SEED


def test_every_child_key_has_person_records_and_networks_name_real_people(county: County) -> None:
    keys = set(county.truth["persons"].values())
    assert len(county.truth["children"]) == 2000
    assert set(county.truth["children"]) <= keys
    assert county.truth["networks"]
    for network in county.truth["networks"]:
        assert len(network["adults"]) >= 2 and len(network["children"]) >= 2
        assert set(network["adults"]) <= keys and set(network["children"]) <= set(county.truth["children"])


def _records_by_person(county: County) -> dict[str, list[dict[str, Any]]]:
    persons = {f"{r['source']}:{r['id']}": r for r in county.by_kind("person")}
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ref, key in county.truth["persons"].items():
        grouped[key].append(persons[ref])
    return grouped


def test_the_same_child_is_held_by_several_systems_that_disagree(county: County) -> None:
    grouped = _records_by_person(county)
    children = set(county.truth["children"])
    multi = [recs for key, recs in grouped.items() if key in children and len({r["source"] for r in recs}) >= 3]
    assert len(multi) > 200
    names_differ = sum(1 for recs in multi if len({r["given_names"].split()[0] for r in recs}) > 1)
    dob_differs = sum(1 for recs in multi if len({r.get("date_of_birth") for r in recs}) > 1)
    assert names_differ > 20
    assert dob_differs > 5


def _anchored(record: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    ids = set((record.get("identifiers") or {}).items())
    first = record["given_names"].split()[0].lower()
    for other in others:
        if ids & set((other.get("identifiers") or {}).items()):
            return True
        dob = record.get("date_of_birth")
        if dob and len(dob) == 10 and dob == other.get("date_of_birth"):
            other_first = other["given_names"].split()[0].lower()
            if first[:2] == other_first[:2] or record["family_name"] == other["family_name"]:
                return True
    return False


def test_most_records_of_a_child_share_an_identifier_or_a_birth_date_and_name_with_another(county: County) -> None:
    grouped = _records_by_person(county)
    total = anchored = 0
    for key in county.truth["children"]:
        recs = grouped[key]
        if len(recs) < 2:
            continue
        for i, record in enumerate(recs):
            total += 1
            anchored += _anchored(record, recs[:i] + recs[i + 1 :])
    assert anchored / total > 0.9
    assert anchored < total  # some records are genuinely hard to link


def test_twins_and_siblings_make_false_merges_possible(county: County) -> None:
    grouped = _records_by_person(county)
    health = {}
    for key in county.truth["children"]:
        for r in grouped[key]:
            if r["source"] == "health":
                health[key] = r
    pairs = defaultdict(list)
    for key, r in health.items():
        pairs[(r["family_name"], r.get("date_of_birth"))].append(key)
    assert any(len(keys) > 1 for keys in pairs.values())  # twins: same surname and birthday
