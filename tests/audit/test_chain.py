"""The access log is append-only and hash-chained: edits and deletions are refused, and if
someone with database rights forces one anyway, `audit verify` names the row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from safetynet.audit.models import Action, AuditEntry, AuditLogIsAppendOnly
from safetynet.audit.services import record_audit, verify_chain
from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock


def _five_entries(clock: FixedClock) -> list[AuditEntry]:
    entries = []
    for i in range(5):
        entries.append(
            record_audit(
                acting_user=None,
                action=Action.VIEW,
                object_type="individual",
                object_ids=[i],
                individual_ids=[i],
                clock=clock,
            )
        )
        clock.advance(seconds=1)
    return entries


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _drop_triggers() -> None:
    """What a database superuser bent on tampering would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditentry_no_update")
            cursor.execute("DROP TRIGGER audit_auditentry_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_append_only ON audit_auditentry")


@pytest.mark.django_db
def test_entries_chain_and_verify_intact(clock: FixedClock) -> None:
    entries = _five_entries(clock)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].prev_hash == entries[0].entry_hash
    result = verify_chain()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_the_application_cannot_edit_or_delete_an_entry_and_the_attempt_is_logged(
    clock: FixedClock, guarded: None
) -> None:
    entry = _five_entries(clock)[2]
    entry.reason = "covering tracks"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(seq=2).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(seq=1).update(reason="x")
    attempts = AuditEntry.objects.filter(action=Action.TAMPER_ATTEMPT)
    assert [a.fields for a in attempts] == [["update"], ["delete"], ["update"]]
    assert attempts[0].object_ids == ["3"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_database_refuses_raw_updates_and_deletes(clock: FixedClock, guarded: None) -> None:
    _five_entries(clock)
    with pytest.raises(DatabaseError):
        _raw("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["x", 3])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM audit_auditsubject", [])
    assert AuditEntry.objects.count() == 5 and verify_chain().ok


@pytest.mark.django_db
def test_verify_names_a_row_edited_after_the_trigger_was_dropped(clock: FixedClock, guarded: None) -> None:
    _five_entries(clock)
    _drop_triggers()
    _raw("UPDATE audit_auditentry SET actor_username = %s WHERE seq = %s", ["someone-else", 3])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == 3 and "edited" in result.problem


@pytest.mark.django_db
def test_verify_names_a_row_deleted_after_the_trigger_was_dropped(clock: FixedClock, guarded: None) -> None:
    _five_entries(clock)
    _drop_triggers()
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == 2 and "deleted" in result.problem


@pytest.mark.django_db
def test_verify_notices_the_last_rows_deleted(clock: FixedClock, guarded: None) -> None:
    _five_entries(clock)
    _drop_triggers()
    _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [4])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == 4


@pytest.mark.django_db
def test_an_entry_rolls_back_with_the_action_it_records(clock: FixedClock) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_audit(acting_user=None, action=Action.CHANGE, object_type="user", object_ids=[1], clock=clock)
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
    record_audit(acting_user=None, action=Action.CHANGE, clock=clock)
    assert AuditEntry.objects.get().seq == 1 and verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_audit_verify_command_exits_1_naming_the_tampered_row(
    clock: FixedClock, guarded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _five_entries(clock)
    assert main(["audit", "verify"]) == 0
    assert "5 entries verified" in capsys.readouterr().out
    _drop_triggers()
    try:
        _raw("UPDATE audit_auditentry SET ip = %s WHERE seq = %s", ["10.9.9.9", 4])
        assert main(["audit", "verify"]) == 1
        assert "BROKEN at entry 4" in capsys.readouterr().out
    finally:
        _restore_triggers()


def _restore_triggers() -> None:
    # A transactional test keeps schema changes; put the triggers back for the tests after it.
    from django.db import connection as conn

    with conn.schema_editor() as editor:
        module = __import__("safetynet.audit.migrations.0002_append_only_triggers", fromlist=["_forward"])
        if conn.vendor == "sqlite":
            editor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_update")
            editor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_delete")
            editor.execute("DROP TRIGGER IF EXISTS audit_auditsubject_no_update")
            editor.execute("DROP TRIGGER IF EXISTS audit_auditsubject_no_delete")
        else:
            module._backward(None, editor)
        module._forward(None, editor)
