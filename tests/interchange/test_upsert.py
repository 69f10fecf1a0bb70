"""Upsert by (source, id, recorded_at), forward references, withdrawal, typed columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safetynet.interchange.importer import ImportResult
from safetynet.records.models import Event, Location, Order, Participation, Person, PersonAddress, Plan
from safetynet.records.signals import records_changed
from tests.interchange.conftest import line, person, rejects

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportResult]
LATER = "2026-02-01T09:00:00+01:00"
EARLIER = "2025-12-01T09:00:00+00:00"


def test_reimporting_the_same_file_changes_nothing(run_import: Run) -> None:
    rows = [line("location", "L1", postcode="ek1 1aa"), person("P1")]
    run_import(rows)
    before = list(Person.objects.values_list("pk", "changed_at"))

    result = run_import(rows)

    assert result.total("unchanged") == 2 and result.total("accepted") == 0
    assert list(Person.objects.values_list("pk", "changed_at")) == before


def test_a_later_recorded_at_updates_and_an_older_one_is_ignored(run_import: Run) -> None:
    run_import([person("P1", sex="female")])

    updated = run_import([{**person("P1", sex="unknown"), "recorded_at": LATER}])
    stale = run_import([{**person("P1", sex="male"), "recorded_at": EARLIER}])

    assert updated.counts["person"]["updated"] == 1
    assert stale.counts["person"]["unchanged"] == 1
    assert Person.objects.get(source_id="P1").sex == "unknown"


def test_a_stored_version_sent_again_with_other_content_is_rejected_as_a_conflict(
    run_import: Run, tmp_path: Path
) -> None:
    run_import([person("P1", sex="female")])
    run_import([{**person("P1", sex="unknown"), "recorded_at": LATER}])

    as_record = run_import([{**person("P1", sex="male"), "recorded_at": LATER}])
    as_history = run_import([person("P1", sex="male")], name="history.jsonl")
    same_again = run_import([person("P1", sex="female")], name="same.jsonl")

    assert as_record.counts["person"]["rejected"] == 1 and as_history.counts["person"]["rejected"] == 1
    assert [r["reason"].split(":")[0] for r in rejects(tmp_path / "history.jsonl")] == ["conflict"]
    assert same_again.counts["person"]["unchanged"] == 1
    assert Person.objects.get(source_id="P1").sex == "unknown"


def test_two_lines_with_one_version_and_different_content_reject_the_second(run_import: Run) -> None:
    result = run_import([person("P1", sex="female"), person("P1", sex="male"), person("P1", sex="female")])

    assert result.counts["person"] == {"accepted": 1, "updated": 0, "unchanged": 1, "rejected": 1}
    assert Person.objects.get(source_id="P1").sex == "female"


def test_a_forward_reference_makes_a_stub_that_the_record_fills(run_import: Run) -> None:
    run_import([line("event", "E1", event_type="incident", participants=[{"person": "P1", "role": "victim"}])])
    stub = Person.objects.get(source_id="P1")
    assert stub.is_stub and not Person.live.exists()

    run_import([person("P1")], name="later.jsonl")

    filled = Person.live.get(source_id="P1")
    assert filled.pk == stub.pk
    assert Participation.objects.get(event__source_id="E1").person_id == filled.pk


def test_deleted_true_withdraws_the_record(run_import: Run) -> None:
    run_import([person("P1")])

    run_import([{**person("P1"), "recorded_at": LATER, "deleted": True}])

    assert not Person.live.exists()
    assert Person.objects.get(source_id="P1").deleted


def test_typed_columns_are_filled_from_the_line(run_import: Run) -> None:
    run_import(
        [
            line("location", "L1", postcode="ek11aa"),
            line("location", "L2", postcode="EK2 2BB"),
            person(
                "P1",
                date_of_birth="2012-04",
                identifiers={"nhs_number": "943 476 5919", "upn": "A123456789012", "shoe_size": "5"},
                addresses=[
                    {"location": "L2", "from": "2015-01-01", "to": "2019-01-01", "kind": "previous"},
                    {"location": "L1", "from": "2019-01-01", "to": None, "kind": "home"},
                ],
            ),
            person("P2"),
            line(
                "event",
                "M1",
                event_type="meeting",
                occurred_at="2026-01-02T10:00:00Z",
                details={"meeting_type": "marac", "subjects": ["P1", {"source": "test", "id": "P2"}]},
            ),
            line("order", "O1", order_type="cawn", subject="P2", protected=["P1"]),
            line("plan", "PL1", plan_type="trigger_plan", person="P1", associates=["P2"], places=["L2"]),
        ]
    )

    p1 = Person.objects.get(source_id="P1")
    assert (p1.date_of_birth, p1.dob, p1.birth_year) == ("2012-04", None, 2012)
    assert (p1.nhs_number, p1.upn, p1.postcode) == ("9434765919", "A123456789012", "EK1 1AA")
    assert p1.payload["identifiers"]["shoe_size"] == "5"
    assert PersonAddress.objects.filter(person=p1).count() == 2
    meeting = Event.objects.get(source_id="M1")
    assert set(meeting.participations.values_list("person__source_id", "role")) == {
        ("P1", "subject"),
        ("P2", "subject"),
    }
    assert list(Order.objects.get().protected.values_list("source_id", flat=True)) == ["P1"]
    plan = Plan.objects.get()
    assert list(plan.places.values_list("source_id", flat=True)) == ["L2"]
    assert list(plan.associates.values_list("source_id", flat=True)) == ["P2"]


def test_a_home_postcode_follows_a_location_that_arrives_later(run_import: Run) -> None:
    run_import([person("P1", addresses=[{"location": "L1", "to": None, "kind": "home"}])])
    assert Person.objects.get(source_id="P1").postcode == ""

    run_import([line("location", "L1", postcode="EK3 3CC")], name="gazetteer.jsonl")

    assert Person.objects.get(source_id="P1").postcode == "EK3 3CC"
    assert Location.live.count() == 1


def test_records_changed_is_sent_after_commit_with_the_written_keys(
    run_import: Run, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    records_changed.connect(listener, dispatch_uid="test-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = run_import([person("P1"), person("P2")])
    finally:
        records_changed.disconnect(dispatch_uid="test-listener")

    (sent,) = received
    assert sent["batch_id"] == result.batch_id
    assert sorted(sent["changes"]["person"]) == sorted(Person.objects.values_list("pk", flat=True))


def test_legacy_missing_risk_is_read_as_very_low_and_exported_as_given(run_import: Run) -> None:
    run_import([line("event", "MR1", event_type="missing_report", details={"initial_risk": "no_apparent_risk"})])

    event = Event.objects.get()
    assert event.details["initial_risk"] == "very_low"
    assert event.payload["details"]["initial_risk"] == "no_apparent_risk"
