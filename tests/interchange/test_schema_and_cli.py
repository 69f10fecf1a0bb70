"""The published JSON Schema is current; the CLI's exit codes and summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest

from safetynet.cli.commands.schema import schema_text
from safetynet.cli.main import main
from safetynet.interchange.fields import EventType
from tests.interchange.conftest import person, write_jsonl

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_committed_schema_file_is_the_generated_one() -> None:
    committed = (DOCS / "interchange.schema.json").read_text(encoding="utf-8")

    assert committed == schema_text(), "run: safetynet schema --out docs/interchange.schema.json"


def test_the_schema_lists_every_kind_and_event_type() -> None:
    schema = json.loads(schema_text())

    assert set(schema["discriminator"]["mapping"]) == {
        "person",
        "organisation",
        "location",
        "relationship",
        "event",
        "marker",
        "order",
        "plan",
    }
    types = [rule["if"]["properties"]["event_type"]["const"] for rule in schema["$defs"]["EventRecord"]["allOf"]]
    assert sorted(types) == sorted(get_args(EventType))  # an if/then per event type


@pytest.mark.django_db(transaction=True)
def test_import_exits_0_when_all_stored_and_3_when_some_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [person("P1")])
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [person("P2"), b"{oops"])

    assert main(["import", "--no-link", str(good)]) == 0
    assert main(["import", "--no-link", str(mixed)]) == 3

    out = capsys.readouterr().out
    assert "total: 1 accepted, 0 updated, 0 unchanged, 1 rejected" in out
    assert "mixed.jsonl.rejects.jsonl" in out


def test_import_of_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_demo_imports_the_county_after_migrating_and_before_linking() -> None:
    from safetynet.cli.commands.demo import _import, _link, _migrate, _steps

    steps = [step for _label, step in _steps()]
    assert steps.index(_migrate) < steps.index(_import) < steps.index(_link)


@pytest.mark.django_db
def test_the_demo_import_runs_once_per_county_file(tmp_path: Path) -> None:
    from safetynet.cli.commands.demo import DemoContext, _import
    from safetynet.records.models import Person

    (tmp_path / "demo").mkdir()
    write_jsonl(tmp_path / "demo" / "county.jsonl", [person("P1"), person("P2")])

    first = DemoContext(data_dir=tmp_path, children=2, seed=1, fresh=False)
    _import(first)
    again = DemoContext(data_dir=tmp_path, children=2, seed=1, fresh=False)
    _import(again)

    assert Person.live.count() == 2
    assert "2 records accepted" in first.notes[0]
    assert "reused" in again.notes[0]
