"""Linkage features straight from an interchange JSONL file, without a database.

For training on and benchmarking with a synthetic county before (or without) importing it:
`safetynet link train --jsonl FILE`, the quality test and bench/bench_identity.py. Person
records keep their order in the file; unique ids are 1, 2, 3 ... in that order.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from safetynet.identity.features import Features, features_from_values


def _ref(value: Any, default_source: str) -> tuple[str, str] | None:
    if isinstance(value, dict):
        return str(value.get("source", default_source)), str(value.get("id"))
    if isinstance(value, str):
        return default_source, value
    return None


def read_county(path: Path, today: dt.date) -> tuple[list[Features], list[str]]:
    """Return the features of every live person record in the file and their
    "<source>:<id>" references (same order)."""
    postcodes: dict[tuple[str, str], str] = {}
    persons: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if '"location"' in line or '"person"' in line:
                record = json.loads(line)
                if record.get("kind") == "location" and record.get("postcode"):
                    postcodes[(record["source"], record["id"])] = record["postcode"]
                elif record.get("kind") == "person" and not record.get("deleted"):
                    persons.append(record)
    features: list[Features] = []
    refs: list[str] = []
    for index, person in enumerate(persons, start=1):
        current: str | None = None
        history: list[str] = []
        for address in person.get("addresses") or []:
            ref = _ref(address.get("location"), person["source"])
            postcode = postcodes.get(ref) if ref else None
            if not postcode:
                continue
            history.append(postcode)
            if address.get("to") is None and address.get("kind") in (None, "home", "care", "temporary"):
                current = postcode
        features.append(
            features_from_values(
                unique_id=index,
                given_names=person.get("given_names"),
                family_name=person.get("family_name"),
                other_names=person.get("other_names") or [],
                date_of_birth=person.get("date_of_birth"),
                sex=person.get("sex"),
                postcode=current or (history[-1] if history else None),
                other_postcodes=history,
                identifiers=person.get("identifiers") or {},
                today=today,
            )
        )
        refs.append(f"{person['source']}:{person['id']}")
    return features, refs


def read_truth(path: Path, refs: list[str]) -> dict[int, str]:
    """Return unique id -> true person key for the records of `read_county`."""
    persons = json.loads(path.read_text(encoding="utf-8"))["persons"]
    return {index: str(persons[ref]) for index, ref in enumerate(refs, start=1) if ref in persons}
