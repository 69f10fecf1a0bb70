"""The import's access-log entries are written in the transactions of what they log: a crash at
any point leaves every committed chunk with its entry and no entry for a rolled-back one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safetynet.audit.models import Action, AuditEntry
from safetynet.audit.services import verify_chain
from safetynet.interchange import importer
from safetynet.interchange.importer import import_files
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person
from tests.interchange.conftest import person, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)

LINES = 20
CHUNK = 5


class Crash(Exception):
    pass


def _county(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", [person(f"P{i}") for i in range(LINES)])


def _chunk_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.IMPORT, object_type="import_chunk").order_by("seq"))


def _records_logged(entries: list[AuditEntry]) -> int:
    return sum(int(f.split("=")[1]) for e in entries for f in e.fields if f.startswith("records="))


def test_each_chunk_has_one_entry_and_the_batch_a_summary_after_them(tmp_path: Path, clock: FixedClock) -> None:
    result = import_files([_county(tmp_path)], clock=clock, acting_user="tester", chunk_lines=CHUNK)

    chunks = _chunk_entries()
    assert [e.object_ids for e in chunks] == [[f"{result.batch_id}:{n}"] for n in range(1, LINES // CHUNK + 1)]
    assert all(e.fields == [f"lines={CHUNK}", f"records={CHUNK}", "rejected=0"] for e in chunks)
    summary = AuditEntry.objects.get(action=Action.IMPORT, object_type="import_batch")
    assert summary.object_ids == [str(result.batch_id)]
    assert summary.fields == [f"records={LINES}", "rejected=0"]
    assert summary.seq > chunks[-1].seq and summary.actor_username == "import:tester"
    assert verify_chain().ok


@pytest.mark.parametrize("when", ["before its access-log entry", "after its access-log entry"])
def test_a_crash_in_a_chunk_leaves_committed_records_and_their_entries_matched(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    real: Callable[..., None] = importer.log_chunk
    calls = 0

    def log_chunk_then_crash(**kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3 and when.startswith("before"):
            raise Crash  # the third chunk's records are written; its entry is not
        real(**kwargs)
        if calls == 3:
            raise Crash  # the third chunk's entry is written; the commit never comes

    monkeypatch.setattr(importer, "log_chunk", log_chunk_then_crash)

    with pytest.raises(Crash):
        import_files([_county(tmp_path)], clock=clock, acting_user="tester", chunk_lines=CHUNK)

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.lines_read == 2 * CHUNK
    entries = _chunk_entries()
    assert len(entries) == 2
    assert _records_logged(entries) == Person.objects.count() == 2 * CHUNK
    assert not AuditEntry.objects.filter(object_type="import_batch").exists()
    assert verify_chain().ok


def test_a_crash_while_completing_the_batch_leaves_no_summary_and_the_batch_failed(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(**_kwargs: Any) -> None:
        raise Crash

    monkeypatch.setattr(importer, "log_batch", crash)

    with pytest.raises(Crash):
        import_files([_county(tmp_path)], clock=clock, acting_user="tester", chunk_lines=CHUNK)

    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED  # "completed" rolled back with it
    assert _records_logged(_chunk_entries()) == Person.objects.count() == LINES
    assert not AuditEntry.objects.filter(object_type="import_batch").exists()
