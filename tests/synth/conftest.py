"""A small synthetic county generated once per test session and shared read-only."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from safetynet.synth.config import make_config
from safetynet.synth.generator import Summary, generate

SEED = int(os.environ.get("SAFETYNET_SYNTH_TEST_SEED", "11"))  # try other seeds by hand


@dataclass
class County:
    path: Path
    truth_path: Path
    lines: list[dict[str, Any]]
    truth: dict[str, Any]
    summary: Summary

    def by_kind(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.lines if r["kind"] == kind]

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [r for r in self.lines if r["kind"] == "event" and r["event_type"] == event_type]

    def index(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["kind"], r["source"], r["id"]): r for r in self.lines}


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    """The --small county (2,000 children, 3 years) for seed 11."""
    directory = tmp_path_factory.mktemp("county")
    out, truth = directory / "county.jsonl", directory / "county.truth.json"
    summary = generate(make_config(children=2000, years=3, seed=SEED), out, truth)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return County(out, truth, lines, json.loads(truth.read_text(encoding="utf-8")), summary)
