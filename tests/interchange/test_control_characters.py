"""Control and bidirectional characters: a line whose names, ids or addresses hold one (or whose
free text holds a bidirectional control or a control other than tab and line breaks) is
rejected naming the line, the field and the character, by every door; nothing is altered."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from safetynet.cli.main import main
from safetynet.interchange.capture import capture
from safetynet.interchange.history import read_payload
from safetynet.interchange.schema import json_schema
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Person
from tests.interchange.conftest import line, person, rejects, write_jsonl

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: the rest of the text displays backwards
ONE_LINE = "expected printable text on one line"
FREE = "expected text that may hold tabs and line breaks but no other control characters"


def _event(id: str, **fields: Any) -> dict[str, Any]:
    return line("event", id, event_type="intelligence", **fields)


BAD_LINES: list[tuple[dict[str, Any], str, str]] = [
    (person("P1", family_name=f"Smith{RLO}nosaJ"), "family_name", "a bidirectional control at character 6 (U+202E"),
    (person("P2", given_names="Ann\tMarie"), "given_names", "a tab at character 4 (U+0009)"),
    (person("P3", other_names=["Annie", "A\x07nn"]), "other_names[1]", "a control character at character 2 (U+0007)"),
    (person("P4", identifiers={"pnc_id": "12\n34"}), "identifiers.pnc_id", "a line break at character 3 (U+000A)"),
    (person("P5", identifiers={"passport": "\u2066X1"}), "identifiers", "passport contains a bidirectional control"),
    (person("P6", phones=["0700\u200f900"]), "phones[0]", "(U+200F right-to-left mark"),
    (line("location", "L1", postcode="TT1\u20281AA"), "postcode", "a line break at character 4 (U+2028)"),
    (line("organisation", "O1", name="School\x85"), "name", "(U+0085)"),
    (person("P\x1b7"), "id", "a control character at character 2 (U+001B)"),
    (_event("E1", details={"text": f"said {RLO}enif m'I"}), "details.text", "(U+202E right-to-left override"),
    (_event("E2", summary="page\x0cbreak"), "summary", "a control character at character 5 (U+000C)"),
    (_event("E3", recorded_by={"name": "PC\u061c Test"}), "recorded_by", "name contains a bidirectional control"),
    (line("marker", "M1", marker_type="drugs", person="P\u202a1"), "person", "(U+202A left-to-right embedding"),
]


def test_import_rejects_each_line_naming_the_field_and_the_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[dict[str, Any] | bytes | str] = [row for row, _, _ in BAD_LINES]
    rows.append(person("GOOD", given_names="Zoë-Anne", family_name="O'Brien"))
    rows.append(_event("E9", summary="Line one.\r\nLine two,\tindented.", details={"text": 'said: "fine"\n'}))
    path = write_jsonl(tmp_path / "county.jsonl", rows)

    assert main(["import", str(path), "--no-link", "--quiet"]) == 3

    found = rejects(path)
    assert [r["line"] for r in found] == list(range(1, len(BAD_LINES) + 1))
    for reject, (_row, field, words) in zip(found, BAD_LINES, strict=True):
        assert reject["field"] == field, reject
        assert words in reject["reason"], reject
        assert ONE_LINE in reject["reason"] or FREE in reject["reason"], reject
        assert "Smith" not in reject["reason"] and "nosaJ" not in reject["reason"]  # never the data itself
    assert list(Person.objects.values_list("source_id", flat=True)) == ["GOOD"]
    kept = Event.objects.get(source_id="E9")
    assert kept.summary == "Line one.\r\nLine two,\tindented."  # free text keeps its tabs and line breaks
    assert kept.details == {"text": 'said: "fine"\n'}


def test_capture_answers_the_same_reject_for_every_door(clock: FixedClock) -> None:
    result = capture([person("P1", given_names=f"Ann{RLO}eB"), person("P2")], door="drop", clock=clock)
    first, second = result.answers
    assert (first.outcome, first.status, first.field) == ("rejected", 422, "given_names")
    assert first.reason.startswith("contains a bidirectional control at character 4 (U+202E right-to-left override")
    assert (second.outcome, second.status) == ("accepted", 200)


def test_a_version_stored_before_the_rule_still_reads_as_it_was() -> None:
    stored = person("P1", given_names=f"Ann{RLO}eB")
    prepared = read_payload(stored)
    assert prepared is not None and prepared.fields["given_names"] == f"Ann{RLO}eB"


def test_the_published_schema_states_the_rule_for_other_tools() -> None:
    defs = json_schema()["$defs"]
    names = defs["PersonRecord"]["properties"]["family_name"]["anyOf"][0]["pattern"]
    summary = defs["EventRecord"]["properties"]["summary"]["anyOf"][0]["pattern"]
    as_python = {p: re.compile(p) for p in (names, summary)}  # \uXXXX reads the same in Python's re
    assert as_python[names].match("O'Brien-Zoë") and not as_python[names].match(f"Smith{RLO}")
    assert not as_python[names].match("Ann\tMarie")
    assert as_python[summary].match("one\r\ntwo\tthree") and not as_python[summary].match(f"x{RLO}")
    assert not as_python[summary].match("x\x0cy")


def test_the_rejects_file_keeps_the_line_exactly_as_sent(tmp_path: Path) -> None:
    """Nothing is altered: the refused line is written back with its bidirectional control."""
    raw = json.dumps(person("P1", family_name=f"X{RLO}Y"), ensure_ascii=False)
    path = write_jsonl(tmp_path / "in.jsonl", [raw])
    main(["import", str(path), "--no-link", "--quiet"])
    assert rejects(path)[0]["raw"] == raw
