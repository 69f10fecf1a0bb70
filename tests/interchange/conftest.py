"""Fixtures for interchange tests: invented records as interchange lines, and an importer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from safetynet.interchange.importer import ImportResult, import_files
from safetynet.lib.clock import FixedClock

RECORDED = "2026-01-05T12:00:00+00:00"


def line(kind: str, id: str, **fields: Any) -> dict[str, Any]:
    """An interchange object of `kind` from the invented source `test`."""
    return {"kind": kind, "source": "test", "id": id, "recorded_at": RECORDED, **fields}


def person(id: str, **fields: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {"given_names": "Testy", "family_name": "Example", "date_of_birth": "2012-04-01"}
    return line("person", id, **{**defaults, **fields})


def write_jsonl(path: Path, rows: list[dict[str, Any] | bytes | str]) -> Path:
    """Write objects (as compact JSON), bytes or text, one per line."""
    with path.open("wb") as handle:
        for row in rows:
            if isinstance(row, bytes):
                handle.write(row + b"\n")
            elif isinstance(row, str):
                handle.write(row.encode("utf-8") + b"\n")
            else:
                handle.write(json.dumps(row).encode("utf-8") + b"\n")
    return path


@pytest.fixture
def run_import(tmp_path: Path, clock: FixedClock) -> Callable[..., ImportResult]:
    """Write rows to a file (named by `name`) and import it; returns the ImportResult."""

    def run(rows: list[dict[str, Any] | bytes | str], name: str = "in.jsonl", **kwargs: Any) -> ImportResult:
        path = write_jsonl(tmp_path / name, rows)
        return import_files([path], clock=clock, acting_user="tester", **kwargs)

    return run


def rejects(path: Path) -> list[dict[str, Any]]:
    """The reject lines written beside `path` (empty when there were none)."""
    target = path.with_name(path.name + ".rejects.jsonl")
    if not target.exists():
        return []
    return [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
