"""The upgrade from the last release: v0.1.0's own code (run from `git archive v0.1.0` with this
environment's Python and packages) migrates a database and fills it with its demo county; this
release's `migrate` then upgrades that database, and the data survives: the same records
(byte-identical `export --with-history`), individuals, findings, tasks and users, an audit chain
that verifies, and a child's page that opens."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.operations.helpers import SRC, ok, pg_database, safetynet

pytestmark = pytest.mark.slow

RELEASE = "v0.1.0"
REPOSITORY = Path(SRC).parent
COUNTED = {
    "records": "SELECT (SELECT COUNT(*) FROM records_person) + (SELECT COUNT(*) FROM records_event)"
    " + (SELECT COUNT(*) FROM records_location) + (SELECT COUNT(*) FROM records_relationship)",
    "versions": "SELECT COUNT(*) FROM records_recordversion",
    "individuals": "SELECT COUNT(*) FROM identity_individual",
    "findings": "SELECT COUNT(*) FROM risk_finding",
    "tasks": "SELECT COUNT(*) FROM work_task",
    "users": "SELECT COUNT(*) FROM auth_user",
    "audit entries": "SELECT COUNT(*) FROM audit_auditentry",
}

# Opens a child's page as the demo sergeant, through this release's code and the upgraded data.
PERSON_PAGE = """
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from safetynet.work.models import Task
task = Task.objects.filter(assignee__username="sergeant").order_by("pk").first()
client = Client()
client.force_login(task.assignee)
response = client.get(f"/people/{task.individual_id}/")
print("PAGE", response.status_code, task.individual_id)
"""


@pytest.fixture(scope="module")
def release_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release's `src` tree, from the repository's tag."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    found = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--verify", "--quiet", f"{RELEASE}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.skip(f"tag {RELEASE} is not in this clone (git fetch --tags)")
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", "--format=tar", RELEASE, "src"], capture_output=True, check=True
    )
    tree = tmp_path_factory.mktemp("release")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree / "src"


@contextmanager
def database(kind: str, data_dir: Path) -> Iterator[tuple[dict[str, str], Callable[[str], int]]]:
    env = {"SAFETYNET_DATA_DIR": str(data_dir)}
    if kind == "sqlite":

        def count_sqlite(sql: str) -> int:
            with sqlite3.connect(data_dir / "safetynet.sqlite3") as db:
                return int(db.execute(sql).fetchone()[0])

        yield env, count_sqlite
        return
    import psycopg

    with pg_database() as url:

        def count_pg(sql: str) -> int:
            with psycopg.connect(url) as conn:
                row = conn.execute(sql).fetchone()
                return int(row[0]) if row else 0

        yield {**env, "DATABASE_URL": url}, count_pg


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_this_release_upgrades_a_database_of_the_last_release_and_the_data_survives(
    kind: str, release_src: Path, tmp_path: Path
) -> None:
    assert " backup " not in ok(safetynet("--help", env={}, src=str(release_src)))  # the old code runs
    with database(kind, tmp_path / "var") as (env, count):
        ok(safetynet("demo", "--no-serve", "--children", "25", env=env, src=str(release_src)))
        ok(safetynet("export", str(tmp_path / "old.jsonl"), "--with-history", env=env, src=str(release_src)))
        before = {name: count(sql) for name, sql in COUNTED.items()}
        assert before["records"] > 100 and before["individuals"] > 10 and before["findings"] > 0

        upgraded = ok(safetynet("migrate", env=env))
        assert upgraded.startswith("applied ") and "applied 0 " not in upgraded  # the release is behind
        assert "pending migrations: 0" in ok(safetynet("doctor", env=env))
        assert {name: count(sql) for name, sql in COUNTED.items()} == before

        assert "audit chain intact" in ok(safetynet("audit", "verify", env=env))
        ok(safetynet("export", str(tmp_path / "new.jsonl"), "--with-history", env=env))
        assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "old.jsonl").read_bytes()

        page = safetynet("manage", "shell", "-c", PERSON_PAGE, env=env)
        _, status, individual = next(line for line in ok(page).splitlines() if line.startswith("PAGE ")).split()
        assert status == "200", page.stdout + page.stderr
        assert int(individual) > 0
        assert "audit chain intact" in ok(safetynet("audit", "verify", env=env))  # the view was logged in order
