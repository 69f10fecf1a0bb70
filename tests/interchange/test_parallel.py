"""Parsing in worker processes stores exactly what parsing in the importing process stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safetynet.interchange.importer import import_files
from safetynet.interchange.models import ImportBatch, ImportReject
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


def test_parsing_the_next_chunk_while_the_database_stores_this_one_changes_nothing_stored(
    tmp_path: Path, clock: FixedClock
) -> None:
    # One process parses chunk n+1 while PostgreSQL stores chunk n (called back from COPY); an
    # over-long line read ahead is still rejected once, with its line number.
    county = tmp_path / "county.jsonl"
    generate(make_config(children=40, years=1, seed=3), county)
    huge = json.dumps(person("P9", notes="x" * 1_100_000)).encode()
    bad = write_jsonl(tmp_path / "bad.jsonl", [person("P1"), b"{not json", person("P2", sex="f"), huge, person("P3")])

    small = import_files([county, bad], clock=clock, chunk_lines=97, workers=1)
    small_dump = canonical_dump()
    small_rejects = rejects(bad)
    small_stored = _stored_rejects(small.batch_id)
    _clear_records()
    whole = import_files([county, bad], clock=clock, chunk_lines=1_000_000, workers=1)

    assert small.records > 500
    assert small.counts == whole.counts
    assert small_dump == canonical_dump()
    assert [(r["line"], r["field"], r["reason"]) for r in small_rejects] == [
        (r["line"], r["field"], r["reason"]) for r in rejects(bad)
    ]
    assert sorted(r["line"] for r in small_rejects) == [2, 3, 4]
    assert small_stored == _stored_rejects(whole.batch_id)
    assert (
        ImportBatch.objects.get(pk=small.batch_id).lines_read == ImportBatch.objects.get(pk=whole.batch_id).lines_read
    )


def _stored_rejects(batch_id: int) -> list[tuple[str, int, str, str]]:
    rows = ImportReject.objects.filter(batch_id=batch_id).values_list("file", "line", "field", "reason")
    return sorted((Path(f).name, line, field, reason) for f, line, field, reason in rows)
