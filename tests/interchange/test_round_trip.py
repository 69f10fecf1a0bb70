"""export(import(x)) == x on a generated county; import -> export -> import is a fixed point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safetynet.interchange.exporter import export_records
from safetynet.interchange.importer import import_files
from safetynet.lib.clock import FixedClock
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate


def canonical(path: Path) -> list[str]:
    """The file's records as sorted canonical JSON (order and key order do not matter)."""
    return sorted(json.dumps(json.loads(x), sort_keys=True) for x in path.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county") / "county.jsonl"
    generate(make_config(children=400, years=1, seed=3), out)
    return out


@pytest.mark.django_db
def test_a_generated_county_round_trips_record_for_record(county: Path, tmp_path: Path, clock: FixedClock) -> None:
    first = import_files([county], clock=clock, notify=False)
    assert first.rejected == 0

    exported = tmp_path / "export.jsonl"
    export_records(exported)
    assert canonical(exported) == canonical(county)

    again = import_files([exported], clock=clock, notify=False)
    assert again.rejected == 0 and again.total("accepted") == again.total("updated") == 0
    export_records(tmp_path / "export2.jsonl")
    assert canonical(tmp_path / "export2.jsonl") == canonical(exported)
