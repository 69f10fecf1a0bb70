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


@pytest.mark.django_db(transaction=True)
def test_an_export_names_every_child_whose_records_left(tmp_path: Path) -> None:
    event = {
        "kind": "event",
        "source": "rms",
        "id": "E1",
        "recorded_at": "2026-01-06T12:00:00+00:00",
        "event_type": "incident",
        "occurred_at": "2026-01-06T11:00:00+00:00",
        "participants": [{"person": {"source": "csc", "id": "C9"}, "role": "victim"}],
    }
    other = {**LINE, "source": "csc", "id": "C9", "given_names": "Another"}
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in (LINE, other, event)) + "\n", encoding="utf-8")
    assert main(["import", str(source), "--quiet"]) == 0  # linked: each person is an individual
    from safetynet.identity.models import Membership
    from safetynet.records.models import Person

    rms, csc = Person.objects.get(source="rms", source_id="P1"), Person.objects.get(source="csc", source_id="C9")
    home = dict(Membership.objects.values_list("person_id", "individual_id"))

    assert main(["export", str(tmp_path / "rms.jsonl"), "--source", "rms"]) == 0
    exported = AuditEntry.objects.get(action=Action.EXPORT)
    # The rms export holds P1 and the incident about C9: both children's data left.
    assert sorted(exported.person_ids) == sorted([rms.pk, csc.pk])
    assert sorted(exported.individual_ids) == sorted({home[rms.pk], home[csc.pk]})
    assert AuditEntry.objects.filter(subjects__individual_id=home[csc.pk], action=Action.EXPORT).exists()
