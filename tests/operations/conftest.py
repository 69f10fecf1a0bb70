"""A small demo county built once per module by `safetynet demo --no-serve` (records with an
earlier version each, linked, assessed, with work and logins: every table the product fills)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.operations.helpers import ok, safetynet

CHILDREN = "25"


def add_history(data_dir: Path, env: dict[str, str]) -> None:
    """Re-send three person records with a later time and a changed field, so the county holds
    earlier versions and `export --with-history` has history to write."""
    lines = (data_dir / "demo" / "county.jsonl").read_text(encoding="utf-8").splitlines()
    people = [json.loads(line) for line in lines if json.loads(line).get("kind") == "person"][:3]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    newer = data_dir / "newer.jsonl"
    with newer.open("w", encoding="utf-8") as out:
        for person in people:
            person["recorded_at"] = now
            person["first_language"] = "Welsh"
            out.write(json.dumps(person) + "\n")
    ok(safetynet("import", str(newer), "--quiet", env=env))
    newer.unlink()


@pytest.fixture(scope="module")
def sqlite_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo county in SQLite (copy it before changing it)."""
    data_dir = tmp_path_factory.mktemp("county") / "var"
    env = {"SAFETYNET_DATA_DIR": str(data_dir)}
    ok(safetynet("demo", "--no-serve", "--children", CHILDREN, env=env))
    add_history(data_dir, env)
    return data_dir


@pytest.fixture
def county(sqlite_county: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    shutil.copytree(sqlite_county, target)
    return target


@pytest.fixture(scope="session")
def backup_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A key file written from `safetynet backup --new-key`."""
    result = safetynet("backup", "--new-key", env={})
    key_file = tmp_path_factory.mktemp("key") / "backup.key"
    key_file.write_text(ok(result), encoding="ascii")
    key_file.chmod(0o600)
    return key_file
