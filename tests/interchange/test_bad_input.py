"""Every bad line is rejected with its line number, field and a reason; the rest is stored."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from safetynet.interchange.importer import ImportResult
from safetynet.records.models import Event, Location, Person
from tests.interchange.conftest import line, person, rejects

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportResult]


@pytest.mark.parametrize(
    ("bad", "field", "reason_part"),
    [
        (b'{"kind": "person", "source": "test", "id": ', None, "not valid JSON"),
        (b"\xff\xfe{}", None, "not valid UTF-8"),
        (b"[1, 2]", None, "one JSON object"),
        (json.dumps(line("spaceship", "S1")).encode(), "kind", "unknown kind"),
        (
            json.dumps(person("P9", date_of_birth=20120101)).encode(),
            "date_of_birth",
            "expected a date of birth as text",
        ),
        (json.dumps(person("P9", date_of_birth="2012\u202e-01-01")).encode(), "date_of_birth", "YYYY-MM-DD"),
        (json.dumps(person("P9", sex="f")).encode(), "sex", "expected female, male, other or unknown"),
        (json.dumps(person("P9", given_names=7)).encode(), "given_names", "expected text"),
        (json.dumps({**person("P9"), "recorded_at": "2026-01-05"}).encode(), "recorded_at", "with an offset"),
        (json.dumps(line("location", "L9", lat="52.1")).encode(), "lat", "expected a number"),
        (
            json.dumps(
                line("event", "E9", event_type="missing_report", details={"reviews": [{"risk": "huge"}]})
            ).encode(),
            "details.reviews[0].risk",
            "not an allowed value",
        ),
        (json.dumps(line("relationship", "R9", person_a="P1", rel_type="parent_of")).encode(), "person_b", "required"),
        # Characters and numbers PostgreSQL cannot store would otherwise fail the whole chunk there.
        (json.dumps(person("P9", notes="a\x00b")).encode(), None, "cannot be stored: NUL"),
        (json.dumps({**person("P9"), "extra": "half \ud800 pair"}).encode(), None, "half a surrogate pair"),
        (json.dumps(line("location", "L9", lat=float("nan"))).encode(), None, "not finite"),
        (json.dumps(line("location", "L9")).encode()[:-1] + b', "size": 1e999}', None, "not finite"),
    ],
)
def test_a_bad_line_is_rejected_whole_with_field_and_reason_and_the_rest_stored(
    run_import: Run, tmp_path: Path, bad: bytes, field: str | None, reason_part: str
) -> None:
    result = run_import([person("P1"), bad, person("P2")])

    assert Person.live.filter(source="test").count() == 2
    assert result.rejected == 1
    (reject,) = rejects(tmp_path / "in.jsonl")
    assert reject["line"] == 2
    assert reject["field"] == field
    assert reason_part in reject["reason"]
    original = reject["raw"].encode("utf-8") if "raw" in reject else base64.b64decode(reject["raw_base64"])
    assert original == bad  # written unchanged


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("2005-38-06", "not a real calendar date"),
        ("2012-02-31", "not a real calendar date"),
        ("2027-01-01", "in the future"),
        ("1066-10-14", "before 1880"),
        ("06/05/2012", "expected a date of birth as YYYY-MM-DD"),
    ],
)
def test_a_person_with_a_date_of_birth_that_cannot_be_read_is_kept_and_flagged_not_rejected(
    run_import: Run, tmp_path: Path, given: str, problem: str
) -> None:
    from safetynet.cli.commands.importer import format_summary

    result = run_import([person("P1"), person("P9", date_of_birth=given, family_name="Keptdob")])

    assert result.rejected == 0 and not rejects(tmp_path / "in.jsonl")
    assert result.counts["person"]["accepted"] == 2 and result.counts["person"]["warned"] == 1
    kept = Person.live.get(source_id="P9")
    assert (kept.family_name, kept.date_of_birth, kept.dob, kept.birth_year) == ("Keptdob", "", None, None)
    assert kept.date_of_birth_given == given  # as sent, and the payload keeps the line
    assert kept.payload["date_of_birth"] == given
    assert "1 line(s) stored with a warning" in format_summary(result.counts)

    # Through the capture service (the API's door) the line is answered accepted, naming the
    # field and the problem, never the value.
    from safetynet.interchange.capture import capture
    from safetynet.interchange.models import ImportBatch
    from safetynet.lib.clock import system_clock

    answered = capture([person("P8", date_of_birth=given)], door=ImportBatch.Door.CLI, clock=system_clock)
    (answer,) = answered.answers
    assert (answer.outcome, answer.status, answer.field) == ("accepted", 200, "date_of_birth")
    assert problem in answer.reason and "kept as sent" in answer.reason and given not in answer.reason


def test_a_ten_megabyte_line_is_rejected_without_losing_its_neighbours(run_import: Run, tmp_path: Path) -> None:
    huge = json.dumps(person("P2", notes="x" * 10_000_000)).encode()

    result = run_import([person("P1"), huge, person("P3")], max_line_bytes=1024 * 1024)

    assert result.rejected == 1
    assert sorted(Person.live.values_list("source_id", flat=True)) == ["P1", "P3"]
    (reject,) = rejects(tmp_path / "in.jsonl")
    assert reject["line"] == 2 and "longer than" in reject["reason"]
    assert base64.b64decode(reject["raw_base64"]) == huge


def test_a_field_given_twice_in_one_object_is_rejected_not_silently_one_of_them(
    run_import: Run, tmp_path: Path
) -> None:
    twice = (
        b'{"kind": "person", "source": "rms", "id": "P2", "recorded_at": "2026-01-05T12:00:00+00:00", '
        b'"date_of_birth": "2012-01-01", "date_of_birth": "2013-02-02"}'
    )
    nested = (
        b'{"kind": "person", "source": "rms", "id": "P4", "recorded_at": "2026-01-05T12:00:00+00:00", '
        b'"identifiers": {"pnc_id": "12/1X", "pnc_id": "12/2Y"}}'
    )

    result = run_import([person("P1"), twice, person("P3"), nested])

    assert result.rejected == 2
    assert sorted(Person.live.values_list("source_id", flat=True)) == ["P1", "P3"]
    first, second = rejects(tmp_path / "in.jsonl")
    assert (first["line"], second["line"]) == (2, 4)
    assert "'date_of_birth' appears twice" in first["reason"] and "'pnc_id' appears twice" in second["reason"]
    assert "2013" not in first["reason"]  # the reason names the field, never its values


def test_an_empty_file_is_reported_not_crashed(run_import: Run, tmp_path: Path) -> None:
    result = run_import([], name="empty.jsonl")

    assert result.rejected == 1
    (reject,) = rejects(tmp_path / "empty.jsonl")
    assert "empty" in reject["reason"]


def test_a_reference_to_a_record_of_another_kind_is_rejected(run_import: Run, tmp_path: Path) -> None:
    result = run_import(
        [
            line("location", "X1", postcode="EK1 1AA"),
            line("event", "E1", event_type="incident", participants=[{"person": "X1", "role": "victim"}]),
        ]
    )

    assert result.rejected == 1
    (reject,) = rejects(tmp_path / "in.jsonl")
    assert reject["field"] == "participants" and "that record is a location" in reject["reason"]
    assert not Event.objects.exists()
    assert not Person.objects.filter(source_id="X1").exists()  # no stub made for the bad reference


def test_reasons_never_quote_the_data(run_import: Run, tmp_path: Path) -> None:
    run_import([person("P1", given_names=["Zebedee"], date_of_birth="Zebedee")])

    (reject,) = rejects(tmp_path / "in.jsonl")
    assert "Zebedee" not in reject["reason"]


def test_a_clean_run_leaves_no_rejects_file_from_an_earlier_run(run_import: Run, tmp_path: Path) -> None:
    run_import([b"not json"])
    assert rejects(tmp_path / "in.jsonl")

    run_import([person("P1")])

    assert rejects(tmp_path / "in.jsonl") == []
    assert Location.objects.count() == 0


def test_escapes_that_decode_to_storable_text_are_kept(run_import: Run, tmp_path: Path) -> None:
    # A literal backslash-u0000 and a full surrogate pair (an emoji) are ordinary text.
    kept = person("P3", notes="a literal \\u0000 and \U0001f600")
    result = run_import([kept])

    assert result.rejected == 0
    stored = Person.live.get(source="test", source_id="P3")
    assert stored.payload["notes"] == kept["notes"]
