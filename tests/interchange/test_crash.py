"""Killing an import at any moment and running it again gives the same database as a clean run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate

ROOT = Path(__file__).resolve().parents[2]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        SAFETYNET_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="safetynet.settings.dev",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    )
    return env


def _safetynet(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safetynet", *args], env=_env(data_dir), capture_output=True, text=True, timeout=300
    )


def _dump(data_dir: Path) -> dict[str, object]:
    out = data_dir / "dump.json"
    subprocess.run(
        [sys.executable, "-m", "tests.interchange.dump", str(out)], env=_env(data_dir), check=True, timeout=300
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _lines_committed(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.2) as db:
            row = db.execute("select max(lines_read) from interchange_importbatch").fetchone()
            return int(row[0] or 0)
    except sqlite3.Error:
        return 0


def _interleave_versions(path: Path) -> None:
    """Sources re-send records: every tenth line a newer version of a record five lines back,
    and an older one of a record three lines back, so kept versions are written (within a
    chunk and across chunks) wherever the import is killed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    for i, text in enumerate(lines):
        out.append(text)
        for back, days in ((5, 1), (3, -1)) if i % 10 == 9 else ():
            obj = json.loads(lines[i - back])
            at = dt.datetime.fromisoformat(obj["recorded_at"].replace("Z", "+00:00"))
            obj["recorded_at"] = (at + dt.timedelta(days=days)).isoformat()
            obj["x_resent"] = days
            out.append(json.dumps(obj))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_an_import_killed_mid_way_and_run_again_equals_a_clean_import(tmp_path: Path) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=150, years=1, seed=5), county)
    _interleave_versions(county)
    total_lines = sum(1 for _ in county.open("rb"))
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    clean.mkdir()
    crashed.mkdir()
    assert _safetynet(clean, "migrate").returncode == 0
    shutil.copy(clean / "safetynet.sqlite3", crashed / "safetynet.sqlite3")  # the same empty, migrated database

    assert _safetynet(clean, "import", "--no-link", str(county)).returncode == 0

    victim = subprocess.Popen(
        [sys.executable, "-m", "safetynet", "import", "--no-link", "--chunk", "50", str(county)],
        env=_env(crashed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _lines_committed(crashed / "safetynet.sqlite3") < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    committed = _lines_committed(crashed / "safetynet.sqlite3")
    assert 0 < committed < total_lines, "the import should have been killed part-way"

    rerun = _safetynet(crashed, "import", "--no-link", str(county))

    assert rerun.returncode == 0, rerun.stderr
    expected = _dump(clean)
    assert len(expected["versions"]) > 100  # type: ignore[arg-type]
    assert _dump(crashed) == expected
