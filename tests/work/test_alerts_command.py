"""`safetynet alerts`: open work with reasons, as JSON lines; --sweep escalates overdue tasks."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from safetynet.cli.main import main
from safetynet.work.models import Task


def test_alerts_sync_then_json_lists_each_task_with_reason_owner_and_deadline(
    findings: Any, clock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    finding = findings.make("M2", due_in=dt.timedelta(hours=1))
    at = clock.now().isoformat()
    assert main(["alerts", "--sync", "--as-of", at]) == 0
    assert "1 tasks created" in capsys.readouterr().out
    later = (clock.now() + dt.timedelta(hours=2)).isoformat()
    assert main(["alerts", "--json", "--as-of", later]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["clause"], row["owner_role"], row["state"], row["overdue"]) == ("M2", "sergeant", "open", True)
    assert row["reason"] == finding.reason
    assert row["individual"] == finding.individual_id


def test_alerts_sweep_escalates_an_overdue_task(findings: Any, clock: Any, capsys: pytest.CaptureFixture[str]) -> None:
    findings.make("M2", due_in=dt.timedelta(hours=1))
    later = (clock.now() + dt.timedelta(hours=2)).isoformat()
    assert main(["alerts", "--sweep", "--as-of", later]) == 0
    out = capsys.readouterr().out
    assert "1 overdue tasks escalated" in out
    assert "sergeant to inspector" in out
    assert "0 overdue partnership escalations moved up a level" in out
    assert Task.objects.get().owner_role == "inspector"


def test_alerts_refuses_an_unreadable_time(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_SETTINGS_MODULE", "safetynet.settings.test")
        assert main(["alerts", "--as-of", "yesterday"]) == 2
    assert "expected an RFC 3339 time" in capsys.readouterr().err
