"""Parsing in worker processes stores exactly what parsing in the importing process stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetynet.interchange.importer import import_files
from safetynet.lib.clock import FixedClock
from safetynet.records import models as rm
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.interchange.conftest import person, rejects, write_jsonl
from tests.interchange.dump import canonical_dump

pytestmark = pytest.mark.django_db


def _clear_records() -> None:
    for kind in reversed(list(rm.MODELS_BY_KIND)):
        rm.MODELS_BY_KIND[kind].objects.all().delete()


def test_worker_processes_store_the_same_database_as_one_process(tmp_path: Path, clock: FixedClock) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=40, years=1, seed=3), county)
    bad = write_jsonl(tmp_path / "bad.jsonl", [person("P1"), b"{not json", person("P2", sex="f"), person("P3")])

    parallel = import_files([county, bad], clock=clock, chunk_lines=97, workers=2)
    parallel_dump = canonical_dump()
    parallel_rejects = rejects(bad)
    _clear_records()
    single = import_files([county, bad], clock=clock, chunk_lines=97, workers=1)

    assert parallel.records > 500
    assert parallel.counts == single.counts
    assert parallel_dump == canonical_dump()
    assert [(r["line"], r["field"], r["reason"]) for r in parallel_rejects] == [
        (r["line"], r["field"], r["reason"]) for r in rejects(bad)
    ]
    assert [r["line"] for r in parallel_rejects] == [2, 3]
