"""The demo turns the county's findings into tasks after linking, and sweeps them once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safetynet.cli.commands.demo import DemoContext, _link, _steps, _work
from safetynet.work.models import Task


def test_the_demo_makes_work_after_linking() -> None:
    steps = [fn for _label, fn in _steps()]
    assert steps.index(_work) > steps.index(_link)


def test_the_work_step_creates_a_task_per_finding_and_escalates_the_overdue(findings: Any, tmp_path: Path) -> None:
    findings.make("M2", due_in=-dt.timedelta(days=30))
    findings.make("Q1", severity="low", owner_role="analyst", due_in=None)
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False)
    _work(ctx)
    assert Task.objects.count() == 2
    assert Task.objects.get(clause="M2").owner_role == "inspector"
    assert "Work: 2 open tasks (2 new), 2 escalated by the sweep" in ctx.notes[-1]
