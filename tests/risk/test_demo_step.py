"""The demo assesses every individual after linking and before work is made from findings."""

from __future__ import annotations

from pathlib import Path

from safetynet.cli.commands.demo import DemoContext, _evaluate, _link, _steps, _work
from safetynet.risk.models import Finding
from tests.risk.conftest import World
from tests.risk.scenarios import m7


def test_the_demo_assesses_between_linking_and_work() -> None:
    steps = [fn for _label, fn in _steps()]
    assert steps.index(_link) < steps.index(_evaluate) < steps.index(_work)


def test_the_evaluate_step_stores_findings_and_reports_them(world: World, tmp_path: Path) -> None:
    m7(world, True)  # a finding that stays true whatever the date (the demo evaluates as of now)
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False)
    _evaluate(ctx)
    assert Finding.objects.filter(clause="M7", state="open").count() == 1
    assert "individuals assessed against policy 2026.10" in ctx.notes[-2]
    assert ctx.notes[-1].startswith("Probable matches: 0 pairs await review; 0 would change the risk")
