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
