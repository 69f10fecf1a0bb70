"""The chain head stored off-box: `safetynet audit head` prints it and `audit verify --head FILE`
proves nothing was cut off the end since, even when whoever cut it also wound the head row back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from safetynet.audit.models import AuditEntry
from safetynet.audit.services import current_head, parse_head, verify_against_head, verify_chain
from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from tests.audit.test_chain import _drop_triggers, _five_entries, _raw


def _cut_the_tail_and_wind_the_head_back(keep: int) -> None:
    """What a careful tamperer with database rights does: delete the last entries and make the
    head row agree with what is left, so the chain alone still looks whole."""
    _drop_triggers()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditsubject_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_auditsubject_append_only ON audit_auditsubject")
    _raw("DELETE FROM audit_auditsubject WHERE entry_id > %s", [keep])
    _raw("DELETE FROM audit_auditentry WHERE seq > %s", [keep])
    kept_hash = AuditEntry.objects.get(seq=keep).entry_hash
    _raw("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [keep, kept_hash])


@pytest.mark.django_db
def test_audit_head_prints_the_last_entry_number_and_hash(
    clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = _five_entries(clock)
    assert main(["audit", "head"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == f"5 {entries[-1].entry_hash} {entries[-1].at:%Y-%m-%dT%H:%M:%S}Z"
    assert parse_head(printed) == current_head()


@pytest.mark.django_db
def test_verify_with_the_stored_head_reports_entries_cut_off_the_end(
    clock: FixedClock, guarded: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _five_entries(clock)
    stored = tmp_path / "head.txt"
    stored.write_text(current_head().line() + "\n", encoding="utf-8")
    _cut_the_tail_and_wind_the_head_back(keep=3)
    assert verify_chain().ok, "without the stored head the cut is invisible"
    result = verify_against_head(parse_head(stored.read_text(encoding="utf-8")))
    assert not result.ok and result.first_broken_seq == 4 and "truncated" in result.problem
    capsys.readouterr()
    assert main(["audit", "verify", "--head", str(stored)]) == 1
    assert "BROKEN at entry 4" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_with_the_stored_head_notices_a_tail_cut_and_rewritten(clock: FixedClock, guarded: None) -> None:
    _five_entries(clock)
    stored = current_head()
    _cut_the_tail_and_wind_the_head_back(keep=3)
    _five_entries(clock)  # new entries 4..8 now follow the cut: entry 5 is not the one stored
    assert verify_chain().ok
    result = verify_against_head(stored)
    assert not result.ok and result.first_broken_seq == 5


@pytest.mark.django_db
def test_verify_with_a_current_head_passes_and_says_so(
    clock: FixedClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _five_entries(clock)
    stored = tmp_path / "head.txt"
    stored.write_text(current_head().line(), encoding="utf-8")
    _five_entries(clock)  # entries written after the head was stored are fine
    assert main(["audit", "verify", "--head", str(stored)]) == 0
    assert "10 entries verified; all 1 stored head(s) are in the chain (the latest names entry 5)" in (
        capsys.readouterr().out
    )


@pytest.mark.django_db
def test_verify_refuses_an_unreadable_head_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "head.txt"
    bad.write_text("not a head\n", encoding="utf-8")
    assert main(["audit", "verify", "--head", str(bad)]) == 2
    assert "line 1: expected 'SEQ HASH [TIME]'" in capsys.readouterr().err
    assert main(["audit", "verify", "--head", str(tmp_path / "missing.txt")]) == 2
