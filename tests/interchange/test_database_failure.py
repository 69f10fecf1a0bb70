"""A write the database refuses part-way through an import (disk full, connection lost): the
command says what happened, what was stored and what to do, exits 4, the batch is marked
failed (and `doctor` lists it), and running the same import again finishes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection

from safetynet.cli.main import main
from safetynet.interchange import importer
from safetynet.interchange.importer import BatchFailed
from safetynet.interchange.models import ImportBatch
from safetynet.lib.dberrors import describe_database_error
from safetynet.records.models import Person
from tests.interchange.conftest import person, write_jsonl

pytestmark = pytest.mark.django_db


def _county(tmp_path: Path, people: int = 6) -> Path:
    return write_jsonl(tmp_path / "county.jsonl", [person(f"P{i}") for i in range(people)])


def _refuse_the_second_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database fills up while the second chunk is written."""
    real = importer.upsert
    calls = {"n": 0}

    def upsert(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("database or disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "upsert", upsert)


def test_disk_full_mid_import_says_what_was_stored_marks_the_batch_failed_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    county = _county(tmp_path)
    _refuse_the_second_chunk(monkeypatch)

    assert main(["import", str(county), "--chunk", "2", "--no-link", "--quiet"]) == 4

    err = capsys.readouterr().err.strip()
    batch = ImportBatch.objects.get()
    assert err == (
        f"safetynet import: error: the database could not write: disk full (OperationalError: database or disk "
        f"is full); lines up to 2 of {county} were stored; nothing after that; batch {batch.pk} is marked failed. "
        "Fix the cause (free disk space, restart the database) and run the same import again: lines already "
        "stored are found unchanged and the rest are stored."
    )
    assert "Testy" not in err and "Example" not in err
    assert batch.status == ImportBatch.Status.FAILED and batch.finished_at is not None
    assert Person.objects.count() == 2  # the first chunk, committed before the failure

    monkeypatch.undo()  # space freed
    assert main(["import", str(county), "--chunk", "2", "--no-link", "--quiet"]) == 0
    assert "total: 4 accepted, 0 updated, 2 unchanged, 0 rejected" in capsys.readouterr().out
    assert Person.objects.count() == 6
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.COMPLETED


def test_doctor_lists_the_failed_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _refuse_the_second_chunk(monkeypatch)
    with pytest.raises(BatchFailed) as failed:
        importer.import_files([_county(tmp_path)], chunk_lines=2, notify=False)
    assert failed.value.stored_through == (str(tmp_path / "county.jsonl"), 2)
    capsys.readouterr()
    main(["doctor"])
    assert f"import batch {failed.value.batch_id} is failed" in capsys.readouterr().out


def test_a_failure_in_the_first_chunk_says_nothing_was_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(importer, "upsert", refuse)
    with pytest.raises(BatchFailed, match="the connection to the database was lost .*; nothing from this batch"):
        importer.import_files([_county(tmp_path)], chunk_lines=2, notify=False)
    assert not Person.objects.exists()


def test_when_the_batch_cannot_be_marked_failed_the_message_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_the_second_chunk(monkeypatch)

    def refuse_the_mark(batch: ImportBatch, clock: Any) -> bool:
        return False

    monkeypatch.setattr(importer, "_mark_failed", refuse_the_mark)
    with pytest.raises(BatchFailed, match="could not be marked failed either") as failed:
        importer.import_files([_county(tmp_path)], chunk_lines=2, notify=False)
    assert ImportBatch.objects.get(pk=failed.value.batch_id).status == ImportBatch.Status.RUNNING


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_real_full_sqlite_database_is_reported_as_disk_full(tmp_path: Path) -> None:
    """SQLite's page limit makes the database genuinely full (SQLITE_FULL) part-way through."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 8}")
    try:
        rows = [person(f"P{i}", notes="invented filler " * 200) for i in range(400)]
        with pytest.raises(BatchFailed) as failed:
            importer.import_files([write_jsonl(tmp_path / "big.jsonl", rows)], chunk_lines=20, notify=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert failed.value.cause.startswith("disk full (OperationalError SQLITE_FULL: database or disk is full)")


class _DriverError(Exception):
    sqlstate = "53100"


def test_the_described_error_names_the_code_and_elides_quoted_values() -> None:
    wrapped = OperationalError('could not extend file "base/16384/2619": No space left on device\nDETAIL: ...')
    wrapped.__cause__ = _DriverError()
    assert describe_database_error(wrapped) == (
        "disk full (OperationalError 53100: could not extend file ...: No space left on device)"
    )
    assert describe_database_error(OperationalError("Key (given_names)=(Testy) broke")) == (
        "the database refused the write (OperationalError: Key ... broke)"
    )
