"""docs/examples/ingest_client.py works against a running server (the docs' example stays true)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from safetynet.access.apikeys import issue_key
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ingest_client.py"


@pytest.mark.django_db(transaction=True)
def test_the_example_client_sends_a_file_and_writes_its_rejects(
    live_server: Any, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _key, raw = issue_key(name="example", sources=["csc"], created_by="admin", clock=clock)
    rows = [
        {"kind": "person", "source": "csc", "id": f"C{i}", "recorded_at": "2026-01-05T12:00:00+00:00"} for i in range(3)
    ]
    path = tmp_path / "changes.jsonl"
    path.write_text("\n".join([*map(json.dumps, rows), '{"kind": "persn"}']) + "\n", encoding="utf-8")
    monkeypatch.setenv("SAFETYNET_URL", live_server.url)
    monkeypatch.setenv("SAFETYNET_API_KEY", raw)
    spec = importlib.util.spec_from_file_location("ingest_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    client = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(client)

    assert client.main(path) == 3

    assert Person.objects.count() == 3
    rejects = [json.loads(x) for x in (tmp_path / "changes.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"], r["raw"]) for r in rejects] == [(4, "kind", '{"kind": "persn"}')]
