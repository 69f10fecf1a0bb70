"""The demo's first step writes the synthetic county once and reuses it unless --fresh."""

from __future__ import annotations

import json
from pathlib import Path

from safetynet.cli.commands.demo import DemoContext, _generate, _steps


def test_the_demo_generates_the_county_before_anything_else() -> None:
    assert _steps()[0][1] is _generate


def test_the_demo_writes_the_county_and_its_truth_under_the_data_directory(tmp_path: Path) -> None:
    ctx = DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=False)
    _generate(ctx)
    out, truth = tmp_path / "demo" / "county.jsonl", tmp_path / "demo" / "county.truth.json"
    assert out.stat().st_size > 0
    assert len(json.loads(truth.read_text())["children"]) == 300


def test_a_second_demo_run_reuses_the_county_and_fresh_rebuilds_it(tmp_path: Path) -> None:
    _generate(DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=False))
    out = tmp_path / "demo" / "county.jsonl"
    out.write_text("kept\n")
    reused = DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=False)
    _generate(reused)
    assert out.read_text() == "kept\n"
    assert any("reused" in note for note in reused.notes)
    _generate(DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=True))
    assert out.read_text() != "kept\n"


def test_the_demo_county_ends_at_the_clocks_current_minute(tmp_path: Path) -> None:
    import datetime as dt

    from safetynet.lib.clock import FixedClock

    now = dt.datetime(2026, 11, 25, 10, 30, 42, tzinfo=dt.UTC)
    ctx = DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=False, clock=FixedClock(now))
    _generate(ctx)
    assert (tmp_path / "demo" / "county.end").read_text().strip() == "2026-11-25T10:30:00+00:00"
    recorded = [
        dt.datetime.fromisoformat(json.loads(line)["recorded_at"].replace("Z", "+00:00"))
        for line in (tmp_path / "demo" / "county.jsonl").read_text().splitlines()
        if '"recorded_at"' in line
    ]
    assert max(recorded) <= now and max(recorded) > now - dt.timedelta(days=2)
    assert "ending 2026-11-25 10:30 UTC" in ctx.notes[-1]
    again = DemoContext(data_dir=tmp_path, children=300, seed=4, fresh=False)
    _generate(again)
    assert "its records end 2026-11-25T10:30:00+00:00" in again.notes[-1]
