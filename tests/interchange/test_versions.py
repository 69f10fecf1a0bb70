"""Every version a source sends is kept: the newest as the record, the earlier ones as history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safetynet.cli.main import main
from safetynet.interchange.importer import ImportResult, import_files
from safetynet.records.models import MODELS_BY_KIND, Event, Person, RecordVersion
from safetynet.records.versions import versions_as_of
from tests.interchange.conftest import line, person
from tests.interchange.dump import canonical_dump

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportResult]
T1 = "2026-01-05T12:00:00+00:00"
T2 = "2026-01-20T08:30:00+00:00"
T3 = "2026-02-01T09:00:00+01:00"


def report(at: str, risk: str, **details: Any) -> dict[str, Any]:
    return {
        **line(
            "event",
            "MR1",
            event_type="missing_report",
            occurred_at="2026-01-04T20:00:00Z",
            participants=[{"person": "P1", "role": "missing_person"}],
            details={"initial_risk": risk, **details},
        ),
        "recorded_at": at,
    }


def history() -> list[tuple[str, str, str | None, bool]]:
    """(recorded_at, superseded_at, initial risk, deleted) of each kept version, oldest first."""
    return [
        (v.recorded_at.isoformat(), v.superseded_at.isoformat(), v.payload["details"].get("initial_risk"), v.deleted)
        for v in RecordVersion.objects.order_by("recorded_at")
    ]


def utc(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()


def test_a_newer_version_keeps_the_one_it_replaces(run_import: Run) -> None:
    run_import([person("P1"), report(T1, "low")])

    run_import([report(T2, "high")], name="later.jsonl")

    stored = Event.objects.get(source_id="MR1")
    assert stored.details["initial_risk"] == "high"
    assert history() == [(utc(T1), utc(T2), "low", False)]
    kept = RecordVersion.objects.get()
    assert (kept.kind, kept.record_id, kept.source, kept.source_id) == ("event", stored.pk, "test", "MR1")
    assert kept.payload == report(T1, "low")  # the line exactly as received


def test_an_older_version_arriving_late_is_kept_as_history_and_the_record_stays(run_import: Run) -> None:
    run_import([person("P1"), report(T2, "high")])

    late = run_import([report(T1, "low")], name="late.jsonl")

    assert late.counts["event"]["unchanged"] == 1  # the record in use did not change
    assert Event.objects.get(source_id="MR1").details["initial_risk"] == "high"
    assert history() == [(utc(T1), utc(T2), "low", False)]


def test_a_version_arriving_between_two_known_ones_takes_its_place_in_the_history(run_import: Run) -> None:
    run_import([person("P1"), report(T1, "low")])
    run_import([report(T3, "high")], name="third.jsonl")
    assert history() == [(utc(T1), utc(T3), "low", False)]

    run_import([report(T2, "medium")], name="second.jsonl")

    assert history() == [(utc(T1), utc(T2), "low", False), (utc(T2), utc(T3), "medium", False)]
    assert Event.objects.get(source_id="MR1").details["initial_risk"] == "high"


def test_several_versions_in_one_file_are_all_kept_in_order(run_import: Run) -> None:
    run_import([person("P1"), report(T3, "high"), report(T1, "low"), report(T2, "medium")])

    assert Event.objects.get(source_id="MR1").details["initial_risk"] == "high"
    assert history() == [(utc(T1), utc(T2), "low", False), (utc(T2), utc(T3), "medium", False)]


def test_re_importing_the_same_versions_adds_nothing(run_import: Run) -> None:
    rows = [person("P1"), report(T1, "low"), report(T2, "medium")]
    run_import(rows)
    run_import([report(T3, "high")], name="third.jsonl")
    before = list(RecordVersion.objects.values_list("pk", "recorded_at", "superseded_at", "stored_at"))

    again = run_import(rows)
    run_import([report(T3, "high")], name="third.jsonl")

    assert again.records == 0  # no record written
    assert list(RecordVersion.objects.values_list("pk", "recorded_at", "superseded_at", "stored_at")) == before


def test_a_withdrawn_record_keeps_the_version_it_had_before(run_import: Run) -> None:
    run_import([person("P1", sex="female")])

    run_import([{**person("P1", sex="female"), "recorded_at": T3, "deleted": True}], name="withdrawn.jsonl")

    assert Person.objects.get(source_id="P1").deleted
    kept = RecordVersion.objects.get()
    assert (kept.kind, kept.deleted, kept.superseded_at.isoformat()) == ("person", False, utc(T3))
    assert kept.payload["sex"] == "female"


def test_filling_a_stub_keeps_no_version(run_import: Run) -> None:
    run_import([report(T1, "low")])  # P1 is a stub until its record arrives

    run_import([person("P1")], name="people.jsonl")

    assert not RecordVersion.objects.exists()


def test_export_writes_the_record_in_force_and_with_history_every_version(
    run_import: Run, tmp_path: Path, capsys: Any
) -> None:
    rows = [person("P1"), report(T1, "low"), report(T3, "high"), report(T2, "medium")]
    run_import(rows)
    before = canonical_dump()

    assert main(["export", str(tmp_path / "current.jsonl")]) == 0
    assert main(["export", str(tmp_path / "all.jsonl"), "--with-history"]) == 0

    assert "wrote 2 records and 2 earlier versions" in capsys.readouterr().out
    assert lines(tmp_path / "current.jsonl") == lines_of([person("P1"), report(T3, "high")])
    assert lines(tmp_path / "all.jsonl") == lines_of(rows)
    # The history file rebuilds the same records and history in an empty database.
    RecordVersion.objects.all().delete()
    for kind in ("event", "person"):
        MODELS_BY_KIND[kind].objects.all().delete()
    again = import_files([tmp_path / "all.jsonl"], acting_user="tester")
    assert again.rejected == 0
    assert canonical_dump() == before


def lines(path: Path) -> list[str]:
    return lines_of([json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()])


def lines_of(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_records_reads_a_past_version_through_the_importers_parser(run_import: Run) -> None:
    run_import([person("P1"), report(T1, "low")])
    run_import([report(T3, "high")], name="later.jsonl")
    stored = Event.objects.get(source_id="MR1")

    then = versions_as_of("event", [stored.pk], dt.datetime.fromisoformat(T2))

    version = then[stored.pk]
    assert version.field("details") is not None and json.loads(version.field("details"))["initial_risk"] == "low"
    assert version.pks(target for target, _role in version.prepared.participants) == (
        Person.objects.get(source_id="P1").pk,
    )
    assert versions_as_of("event", [stored.pk], dt.datetime.fromisoformat(T3)) == {}  # the row itself is current
