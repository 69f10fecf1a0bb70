"""A capture call killed mid-way and sent again gives the database a clean CLI import gives."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.interchange.test_crash import _dump, _env, _interleave_versions, _lines_committed, _safetynet


def _capture(data_dir: Path, path: Path, chunk: int = 2000) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.interchange.capture_file", str(path), str(chunk)],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_a_capture_killed_mid_call_and_sent_again_equals_a_clean_cli_import(tmp_path: Path) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=150, years=1, seed=5), county)
    _interleave_versions(county)
    total_lines = sum(1 for _ in county.open("rb"))
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    clean.mkdir()
    crashed.mkdir()
    assert _safetynet(clean, "migrate").returncode == 0
    shutil.copy(clean / "safetynet.sqlite3", crashed / "safetynet.sqlite3")
    assert _safetynet(clean, "import", "--no-link", str(county)).returncode == 0

    victim = _capture(crashed, county, chunk=50)
    deadline = time.monotonic() + 120
    while _lines_committed(crashed / "safetynet.sqlite3") < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    committed = _lines_committed(crashed / "safetynet.sqlite3")
    assert 0 < committed < total_lines, "the call should have been killed part-way"

    retry = _capture(crashed, county)
    _out, err = retry.communicate(timeout=300)

    assert retry.returncode == 0, err.decode()
    expected = _dump(clean)
    assert len(expected["versions"]) > 100  # type: ignore[arg-type]
    assert _dump(crashed) == expected
