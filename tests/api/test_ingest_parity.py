"""The CLI import and the REST ingest give the same records, versions, individuals, findings and
tasks for the same file (the batches' provenance, which names the door, aside)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.interchange.test_crash import _interleave_versions

ROOT = Path(__file__).resolve().parents[2]


def _run(door: str, county: Path, data_dir: Path) -> dict[str, object]:
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        SAFETYNET_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="tests.api.parity_settings",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    )
    out = data_dir / "dump.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.api.parity", door, str(county), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_cli_import_and_rest_ingest_store_the_same_county_identically(tmp_path: Path) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=150, years=1, seed=11), county)
    _interleave_versions(county)

    by_cli = _run("cli", county, tmp_path / "cli")
    by_api = _run("api", county, tmp_path / "api")

    assert len(by_cli["individuals"]) > 100 and len(by_cli["findings"]) > 0  # type: ignore[arg-type]
    assert by_api == by_cli
