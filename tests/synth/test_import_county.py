"""A generated county imports with zero rejects: every line passes the interchange models."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from safetynet.interchange.importer import import_files
from safetynet.interchange.parsing import LineRejected, parse_line
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Person
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.synth.conftest import County


def test_every_line_of_the_small_county_passes_the_interchange_models(county: County, clock: FixedClock) -> None:
    rejected = []
    for number, line in enumerate(county.path.read_bytes().splitlines(), 1):
        try:
            parse_line(line, number, today=clock.now().date())
        except LineRejected as exc:
            rejected.append((number, exc.field, str(exc)))
    assert rejected == []


@pytest.mark.django_db
def test_a_county_imports_with_zero_rejects_and_no_stubs_left(tmp_path: Path, clock: FixedClock) -> None:
    # Smaller than --small so the database import stays quick; the test above checks every
    # line of the --small county against the same models.
    out, truth_path = tmp_path / "county.jsonl", tmp_path / "truth.json"
    generate(make_config(children=500, years=3, seed=2), out, truth_path)
    truth = json.loads(truth_path.read_text())
    events = sum(1 for line in out.read_text().splitlines() if '"kind":"event"' in line)
    result = import_files([out], clock=clock, notify=False)
    assert result.rejected == 0
    assert Person.live.count() == len(truth["persons"])
    assert Event.live.count() == events
    # Every reference resolved to a real record: no stub (record never seen) remains.
    assert not Person.objects.filter(recorded_at__isnull=True).exists()
    assert not Event.objects.filter(recorded_at__isnull=True).exists()


def test_the_county_ends_before_the_frozen_clock(county: County, clock: FixedClock) -> None:
    end = dt.datetime.fromisoformat(county.truth["config"]["end"])
    assert end <= clock.now()
    assert max(dt.datetime.fromisoformat(r["recorded_at"]) for r in county.lines) <= end
