"""Imports (collection) and exports (disclosure) from the command line are in the access log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safetynet.audit.models import Action, AuditEntry
from safetynet.audit.services import verify_chain
from safetynet.cli.main import main

LINE = {
    "kind": "person",
    "source": "rms",
    "id": "P1",
    "recorded_at": "2026-01-05T12:00:00+00:00",
    "given_names": "Invented",
    "family_name": "Childperson",
}


@pytest.mark.django_db(transaction=True)
def test_import_and_export_each_write_one_entry_naming_the_operator(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(LINE) + "\n", encoding="utf-8")
    assert main(["import", str(source), "--no-link", "--quiet"]) == 0
    assert main(["export", str(tmp_path / "out.jsonl")]) == 0
    imported = AuditEntry.objects.get(action=Action.IMPORT, object_type="import_batch")
    exported = AuditEntry.objects.get(action=Action.EXPORT)
    assert imported.actor_username.startswith("import:") and "records=1" in imported.fields
    assert exported.object_ids == ["person:1"]
    assert verify_chain().ok
