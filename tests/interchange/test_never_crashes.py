"""Property: random and mutated lines never crash the importer; each line is stored or rejected."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetynet.interchange.importer import import_files
from safetynet.interchange.parsing import LineRejected, parse_line
from safetynet.interchange.rejects import rejects_path_for
from safetynet.lib.clock import FixedClock
from tests.interchange.conftest import line, person

TODAY = dt.date(2026, 3, 2)
SEEDS: list[dict[str, Any]] = [
    person("P1", addresses=[{"location": "L1", "from": "2020-01-01", "to": None, "kind": "home"}]),
    line("location", "L1", postcode="EK1 1AA", lat=52.1, lon=1.2, location_type="home"),
    line(
        "event",
        "E1",
        event_type="missing_report",
        occurred_at="2026-01-01T10:00:00Z",
        participants=[{"person": "P1", "role": "missing_person"}],
        details={"initial_risk": "medium", "reviews": [{"at": "2026-01-01T11:00:00+00:00", "risk": "high"}]},
    ),
    line(
        "marker", "M1", person="P1", marker_type="cse_risk", grading={"source": 2, "assessment": "B", "handling": "P"}
    ),
    line("order", "O1", order_type="cawn", subject="P1", protected=[{"source": "test", "id": "P1"}]),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_lines(draw: st.DrawFn) -> bytes:
    """A valid line with one field replaced, removed or added, or raw bytes cut or corrupted."""
    obj = dict(draw(st.sampled_from(SEEDS)))
    action = draw(st.sampled_from(["replace", "remove", "add", "truncate", "corrupt"]))
    if action in ("replace", "remove") and obj:
        name = draw(st.sampled_from(sorted(obj)))
        if action == "remove":
            del obj[name]
        else:
            obj[name] = draw(json_values)
    elif action == "add":
        obj[draw(st.text(max_size=10))] = draw(json_values)
    data = json.dumps(obj).encode("utf-8")
    if action == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif action == "corrupt":
        at = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at + 1 :]
    return data.replace(b"\n", b" ")


@given(st.one_of(st.binary(max_size=200), mutated_lines()))
@settings(max_examples=400, deadline=None)
def test_parsing_any_line_either_validates_or_rejects_with_a_reason(data: bytes) -> None:
    try:
        parse_line(data, 1, today=TODAY)
    except LineRejected as exc:
        assert exc.reason


@pytest.mark.django_db
@given(st.lists(st.one_of(mutated_lines(), st.binary(max_size=60)), min_size=1, max_size=12))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_line_of_a_random_file_is_stored_or_rejected(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "random.jsonl"
    cleaned = [x.replace(b"\n", b" ").replace(b"\r", b" ") for x in lines]
    path.write_bytes(b"".join(x + b"\n" for x in cleaned))
    cleaned[0] = cleaned[0].removeprefix(b"\xef\xbb\xbf")  # the reader drops a byte order mark
    blank = sum(1 for x in cleaned if not x.strip())

    result = import_files([path], clock=FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)), notify=False)

    handled = sum(result.total(o) for o in ("accepted", "updated", "unchanged", "rejected"))
    rejected_lines = rejects_path_for(path).read_text(encoding="utf-8").splitlines() if result.rejected else []
    assert len(rejected_lines) == result.rejected
    assert handled == len(lines) - blank
