"""`safetynet generate`: deterministic output, refusal of impossible parameters, atomic files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from safetynet.cli.main import main
from safetynet.synth.config import make_config
from safetynet.synth.errors import SynthConfigError
from safetynet.synth.events import missing, simulation
from safetynet.synth.generator import generate


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert (
            main(
                [
                    "generate",
                    "--children",
                    "400",
                    "--seed",
                    "5",
                    "--out",
                    str(tmp_path / f"{run}.jsonl"),
                    "--truth",
                    str(tmp_path / f"{run}.json"),
                ]
            )
            == 0
        )
    assert _digest(tmp_path / "a.jsonl") == _digest(tmp_path / "b.jsonl")
    assert _digest(tmp_path / "a.json") == _digest(tmp_path / "b.json")


def test_a_different_seed_writes_a_different_county(tmp_path: Path) -> None:
    generate(make_config(children=300, years=1, seed=1), tmp_path / "one.jsonl")
    generate(make_config(children=300, years=1, seed=2), tmp_path / "two.jsonl")
    assert _digest(tmp_path / "one.jsonl") != _digest(tmp_path / "two.jsonl")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--children", "-5"], "--children must be at least 1"),
        (["--years", "0"], "--years must be between 1 and 20"),
        (["--rate", "missing_below_policy=1.5"], "rate missing_below_policy must be between 0 and 1"),
        (["--rate", "no_such_rate=0.1"], "unknown rate 'no_such_rate'"),
        (["--rate", "missing_below_policy"], "--rate expects NAME=VALUE"),
        (["--end", "yesterday"], "--end expects a date YYYY-MM-DD"),
    ],
)
def test_impossible_parameters_are_refused_in_one_line_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "county.jsonl"
    assert main(["generate", "--small", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_the_generator_raises_its_own_error_without_the_cli() -> None:
    with pytest.raises(SynthConfigError, match="--years must be between 1 and 20"):
        make_config(children=10, years=0, seed=1)


def test_debug_shows_the_generators_error_unchanged(tmp_path: Path) -> None:
    with pytest.raises(SynthConfigError, match="--seed must be zero or positive"):
        main(["--debug", "generate", "--small", "--seed", "-1", "--out", str(tmp_path / "county.jsonl")])


def test_an_output_directory_that_does_not_exist_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--small", "--out", str(tmp_path / "missing" / "county.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_output_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["generate", "--small", "--out", str(locked / "county.jsonl")]) == 2
        assert "not writable" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_an_interrupted_run_leaves_nothing_under_the_final_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, truth = tmp_path / "county.jsonl", tmp_path / "county.truth.json"

    def interrupted(self: simulation.Simulation) -> None:
        missing.missing(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation.Simulation, "run", interrupted)
    assert main(["generate", "--children", "300", "--out", str(out), "--truth", str(truth)]) == 130
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_run_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "county.jsonl"
    out.write_text("previous county\n")

    def interrupted(self: simulation.Simulation) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation.Simulation, "run", interrupted)
    assert main(["generate", "--children", "300", "--out", str(out)]) == 130
    assert out.read_text() == "previous county\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.jsonl"]


def test_describe_prints_the_distributions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--children", "500", "--out", str(tmp_path / "c.jsonl"), "--describe"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "children by age",
        "children by episodes",
        "events per year by type",
        "records:",
        "by source",
        "planted failures by clause",
    ):
        assert heading in out


def test_a_rate_of_zero_plants_nothing_for_that_clause(tmp_path: Path) -> None:
    config = make_config(children=600, years=2, seed=3, rate_overrides={"missing_below_policy": 0.0})
    generate(config, tmp_path / "c.jsonl", tmp_path / "t.json")
    import json

    truth = json.loads((tmp_path / "t.json").read_text())
    assert not [f for f in truth["failures"] if f["clause"] == "M1"]
    lines = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    grades = {
        r["details"]["initial_risk"] for r in lines if r["kind"] == "event" and r["event_type"] == "missing_report"
    }
    assert grades == {"high"}
