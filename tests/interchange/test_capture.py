"""The capture service: one path for every door, an answer for every line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from safetynet.access.apikeys import issue_key
from safetynet.audit.models import AuditEntry
from safetynet.interchange.capture import capture, capture_file
from safetynet.interchange.exporter import export_records
from safetynet.interchange.models import ImportBatch, ImportReject
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Marker, Person, RecordVersion
from safetynet.records.signals import records_changed
from tests.interchange.conftest import line, person, rejects, write_jsonl

pytestmark = pytest.mark.django_db

LATER = "2026-02-01T09:00:00+00:00"


def answers(result: Any) -> list[tuple[int, str, int]]:
    return [(a.line, a.outcome, a.status) for a in result.answers]


def test_every_line_is_answered_accepted_updated_unchanged_or_rejected(clock: FixedClock) -> None:
    capture([person("P1", sex="female")], door="drop", clock=clock)

    result = capture(
        [
            json.dumps(person("P1", sex="female")),  # the same version again
            json.dumps({**person("P1", sex="male"), "recorded_at": LATER}),
            json.dumps(person("P2")),
            "",  # blank: skipped, not answered
            b"{not json",
        ],
        door="drop",
        clock=clock,
    )

    assert answers(result) == [(1, "unchanged", 200), (2, "updated", 200), (3, "accepted", 200), (5, "rejected", 422)]
    assert result.answers[2].as_dict() == {
        "line": 3,
        "outcome": "accepted",
        "status": 200,
        "kind": "person",
        "source": "test",
        "id": "P2",
    }
    assert result.answers[3].reason.startswith("the line is not valid JSON")


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        ({**person("P9"), "given_names": 3}, "given_names", "expected text in quotes"),
        ({**person("P9"), "kind": "persn"}, "kind", "unknown kind"),
        ({**person("P9"), "sex": "f"}, "sex", "expected female, male, other or unknown"),
        (
            line("event", "E9", event_type="incident", participants=[{"person": {"source": "test"}, "role": "victim"}]),
            "participants[0].person",
            "",
        ),
        (
            line("event", "E9", event_type="incident", location="P1"),
            "location",
            "as a location, but that record is a person",
        ),
    ],
)
def test_a_bad_line_is_rejected_with_its_line_field_and_reason_and_the_rest_land(
    clock: FixedClock, record: dict[str, Any], field: str, reason: str
) -> None:
    capture([person("P1")], door="drop", clock=clock)

    result = capture([person("P2"), record, person("P3")], door="drop", clock=clock)

    assert [(a.line, a.outcome) for a in result.answers] == [(1, "accepted"), (2, "rejected"), (3, "accepted")]
    rejected = result.answers[1]
    assert rejected.field.startswith(field) and reason in rejected.reason
    assert set(Person.live.values_list("source_id", flat=True)) == {"P1", "P2", "P3"}
    assert ImportReject.objects.get(batch_id=result.batch_id).line == 2


def test_a_version_sent_again_with_other_content_is_a_conflict_not_unchanged(clock: FixedClock) -> None:
    capture([person("P1", sex="female")], door="drop", clock=clock)

    result = capture([person("P1", sex="male")], door="drop", clock=clock)

    assert answers(result) == [(1, "rejected", 409)]
    assert result.answers[0].field == "recorded_at" and result.answers[0].reason.startswith("conflict")
    assert Person.objects.get().sex == "female"


def test_sending_the_same_call_twice_changes_nothing(clock: FixedClock) -> None:
    rows = [line("location", "L1", postcode="EK1 1AA"), person("P1"), {**person("P1"), "recorded_at": LATER}]
    capture(rows, door="drop", clock=clock)
    before = list(Person.objects.values_list("pk", "recorded_at", "changed_at"))
    versions = RecordVersion.objects.count()

    again = capture(rows, door="drop", clock=clock)

    assert {a.outcome for a in again.answers} == {"unchanged"}
    assert list(Person.objects.values_list("pk", "recorded_at", "changed_at")) == before
    assert RecordVersion.objects.count() == versions == 1


def test_lines_outside_the_scope_are_refused_403_and_the_rest_land(clock: FixedClock) -> None:
    key, _raw = issue_key(name="csc", sources=["csc"], kinds=["person", "marker"], created_by="admin", clock=clock)
    rows = [
        {**person("P1"), "source": "csc"},
        {**person("P2"), "source": "rms"},
        {**line("location", "L1"), "source": "csc"},
        {**line("marker", "M1", person="P1", marker_type="registered_sex_offender"), "source": "csc"},
        {**line("marker", "M2", person="P1", marker_type="cse_risk"), "source": "csc"},
        {**person("P3"), "source": "safetynet"},
    ]

    result = capture(rows, door="api", api_key=key, clock=clock)

    assert answers(result) == [
        (1, "accepted", 200),
        (2, "rejected", 403),
        (3, "rejected", 403),
        (4, "rejected", 403),
        (5, "accepted", 200),
        (6, "rejected", 403),
    ]
    assert [a.field for a in result.answers if a.status == 403] == ["source", "kind", "marker_type", "source"]
    assert list(Marker.objects.values_list("source_id", flat=True)) == ["M2"]
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.door, batch.api_key_id, batch.started_by) == ("api", key.pk, "apikey csc")


def test_a_key_allowed_a_restricted_marker_type_may_write_it(clock: FixedClock) -> None:
    key, _raw = issue_key(
        name="ppu", sources=["rms"], markers=["registered_sex_offender"], created_by="admin", clock=clock
    )
    row = {**line("marker", "M1", person="P1", marker_type="registered_sex_offender"), "source": "rms"}

    assert answers(capture([row], door="api", api_key=key, clock=clock)) == [(1, "accepted", 200)]


def test_records_written_in_the_product_get_the_reserved_source_and_a_made_id(clock: FixedClock) -> None:
    user = get_user_model().objects.create_user("sergeant1")
    form = {"kind": "person", "given_names": "Testy", "family_name": "Example"}

    result = capture([form], door="web", acting_user=user, clock=clock)

    stored = Person.objects.get()
    assert (stored.source, stored.source_id.startswith("person-"), len(stored.source_id)) == ("safetynet", True, 39)
    assert stored.payload["entered_by"] == {"user": "sergeant1"}
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.door, batch.user_id) == ("web", user.pk)
    assert AuditEntry.objects.filter(actor_id=user.pk, actor_username="sergeant1", action="import").count() == 2


def test_a_correction_is_a_new_version_with_who_and_why(clock: FixedClock, tmp_path: Any) -> None:
    user = get_user_model().objects.create_user("sergeant1")
    capture([{"kind": "person", "id": "person-1", "sex": "female"}], door="web", acting_user=user, clock=clock)
    first = Person.objects.get()
    clock.advance(minutes=5)

    unexplained = capture(
        [{"kind": "person", "id": "person-1", "sex": "male"}], door="web", acting_user=user, clock=clock
    )
    corrected = capture(
        [{"kind": "person", "id": "person-1", "sex": "male"}],
        door="web",
        acting_user=user,
        reason="sex recorded wrongly",
        clock=clock,
    )

    assert [(a.outcome, a.field) for a in unexplained.answers] == [("rejected", "reason")]
    assert answers(corrected) == [(1, "updated", 200)]
    now = Person.objects.get()
    assert now.pk == first.pk and now.sex == "male"
    assert now.payload["entered_by"] == {"user": "sergeant1", "reason": "sex recorded wrongly"}
    assert RecordVersion.objects.get().payload["sex"] == "female"
    exported = tmp_path / "out.jsonl"
    export_records(exported, source="safetynet")
    assert [json.loads(x)["id"] for x in exported.read_text().splitlines()] == ["person-1"]


def test_no_other_door_writes_the_reserved_source_and_the_web_door_writes_no_other(clock: FixedClock) -> None:
    by_drop = capture([{**person("P1"), "source": "safetynet"}], door="drop", clock=clock)
    by_web = capture([{**person("P2"), "source": "rms"}], door="web", reason="x", clock=clock)

    assert answers(by_drop) == [(1, "rejected", 403)] and by_web.answers[0].outcome == "rejected"
    assert not Person.objects.exists()


def test_each_chunk_sends_records_changed_after_commit(
    clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[dict[str, list[int]]] = []

    def receiver(sender: Any, changes: dict[str, list[int]], **kwargs: Any) -> None:
        sent.append(changes)

    records_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            capture([person("P1"), person("P2"), person("P3")], door="drop", clock=clock, chunk_lines=2)
    finally:
        records_changed.disconnect(receiver)

    assert [len(c["person"]) for c in sent] == [2, 1]


def test_a_file_through_the_file_door_keeps_its_rejects_beside_it(clock: FixedClock, tmp_path: Any) -> None:
    path = write_jsonl(tmp_path / "drop.jsonl", [person("P1"), {**person("P2"), "source": "rms"}, b"{oops"])

    result = capture_file(path, door="drop", clock=clock, started_by="drop:/srv/in", source_scope=["test"])

    assert result.counts["person"] == {"accepted": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [(r["line"], r["field"]) for r in rejects(path)] == [(2, "source"), (3, None)]
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.door, batch.started_by) == ("drop", "drop:/srv/in")
