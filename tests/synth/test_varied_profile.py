"""`safetynet generate --profile varied`: the same county with other record shapes, and the
default profile untouched by it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from safetynet.synth.config import make_config
from safetynet.synth.errors import SynthConfigError
from safetynet.synth.generator import generate


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_varied_profile_draws_the_same_failures_with_other_shapes(tmp_path: Path) -> None:
    base, varied = tmp_path / "base.jsonl", tmp_path / "varied.jsonl"
    generate(make_config(children=400, years=1, seed=3), base, tmp_path / "base.truth.json")
    generate(make_config(children=400, years=1, seed=3, profile="varied"), varied, tmp_path / "varied.truth.json")
    events = [r for r in _lines(varied) if r["kind"] == "event"]
    staff = [r["recorded_by"] for r in events if isinstance(r.get("recorded_by"), dict)]
    assert any(s.get("role") == "police" and s.get("rank") for s in staff)  # rank out of `role`
    assert any("role" not in s and s.get("rank") for s in staff)
    reports = [r for r in events if r["event_type"] == "missing_report"]
    assert any("initial_risk" not in r["details"] and r["details"].get("reviews") for r in reports)
    assert any(r["event_type"] == "incident" and r["source"] == "csc" for r in events)  # the hotel, by CSC
    truth = json.loads((tmp_path / "varied.truth.json").read_text())
    base_truth = json.loads((tmp_path / "base.truth.json").read_text())
    assert truth["config"]["profile"] == "varied" and "profile" not in base_truth["config"]
    added = Counter(f["clause"] for f in truth["failures"]) - Counter(f["clause"] for f in base_truth["failures"])
    assert added["X2"] >= 6  # three children per hotel group
    assert "varied" not in base.read_text()


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(SynthConfigError, match="--profile must be one of default, varied"):
        make_config(children=10, years=1, seed=1, profile="odd")
