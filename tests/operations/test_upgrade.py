"""The upgrade from the last release: v0.1.0's own code (run from `git archive v0.1.0` with this
environment's Python and packages) migrates a database and fills it with its demo county; this
release's `migrate` then upgrades that database, and the data survives: the same records
(byte-identical `export --with-history`), individuals, findings, tasks and users, an audit chain
that verifies, a child's page that opens, and a schema identical to a new installation's. Also:
migrations added since the release only add, unless listed here with the reason and what the
operator must do instead (docs/operations.md, "Upgrades")."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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

SQLITE_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
# Columns, indexes, constraints and triggers: what a migration leaves behind on PostgreSQL.
PG_SCHEMA = (
    "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
    "FROM information_schema.columns WHERE table_schema = 'public' "
    "UNION ALL SELECT tablename, indexname, indexdef, '', '' FROM pg_indexes WHERE schemaname = 'public' "
    "UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), '', '' "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
    "UNION ALL SELECT event_object_table, trigger_name, action_statement, event_manipulation, '' "
    "FROM information_schema.triggers ORDER BY 1, 2, 3, 4"
)

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
def database(kind: str, data_dir: Path) -> Iterator[tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]]]:
    """The environment naming a new database of `kind`, and a function running a query on it."""
    env = {"SAFETYNET_DATA_DIR": str(data_dir)}
    if kind == "sqlite":

        def query_sqlite(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(data_dir / "safetynet.sqlite3") as db:
                return list(db.execute(sql).fetchall())

        yield env, query_sqlite
        return
    import psycopg

    with pg_database() as url:

        def query_pg(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(url) as conn:
                return list(conn.execute(sql).fetchall())

        yield {**env, "DATABASE_URL": url}, query_pg


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_this_release_upgrades_a_database_of_the_last_release_and_the_data_survives(
    kind: str, release_src: Path, tmp_path: Path
) -> None:
    assert " backup " not in ok(safetynet("--help", env={}, src=str(release_src)))  # the old code runs
    with database(kind, tmp_path / "var") as (env, query):

        def count(sql: str) -> int:
            return int(query(sql)[0][0])

        ok(safetynet("demo", "--no-serve", "--children", "25", env=env, src=str(release_src)))
        ok(safetynet("export", str(tmp_path / "old.jsonl"), "--with-history", env=env, src=str(release_src)))
        before = {name: count(sql) for name, sql in COUNTED.items()}
        assert before["records"] > 100 and before["individuals"] > 10 and before["findings"] > 0

        upgraded = ok(safetynet("migrate", env=env))
        assert upgraded.startswith("applied ") and "applied 0 " not in upgraded  # the release is behind
        assert "pending migrations: 0" in ok(safetynet("doctor", env=env))
        assert {name: count(sql) for name, sql in COUNTED.items()} == before
        schema = SQLITE_SCHEMA if kind == "sqlite" else PG_SCHEMA
        with database(kind, tmp_path / "fresh") as (fresh_env, fresh_query):
            ok(safetynet("migrate", env=fresh_env))
            assert query(schema) == fresh_query(schema)  # upgraded = what a new installation gets

        assert "audit chain intact" in ok(safetynet("audit", "verify", env=env))
        ok(safetynet("export", str(tmp_path / "new.jsonl"), "--with-history", env=env))
        assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "old.jsonl").read_bytes()

        page = safetynet("manage", "shell", "-c", PERSON_PAGE, env=env)
        _, status, individual = next(line for line in ok(page).splitlines() if line.startswith("PAGE ")).split()
        assert status == "200", page.stdout + page.stderr
        assert int(individual) > 0
        assert "audit chain intact" in ok(safetynet("audit", "verify", env=env))  # the view was logged in order


# Migrations since the release that remove or rename what the release's code reads: the release's
# processes cannot keep serving while they run, so that upgrade stops the service (docs/operations.md).
NOT_ADDITIVE = {
    ("risk", "0002_task_owns_the_decision"): "Finding's decision columns moved to Task; v0.1.0 reads them",
    # Not a break for the release: the column came with work 0004 (after v0.1.0) and was never
    # written; v0.1.0 has no escalation table at all.
    ("work", "0008_drop_meeting_action_id"): "an unreleased, never-written column of an unreleased table",
}
DESTRUCTIVE = ("RemoveField", "DeleteModel", "RenameField", "RenameModel", "AlterModelTable")


def test_migrations_since_the_release_only_add_unless_listed(release_src: Path) -> None:
    from django.db.migrations.loader import MigrationLoader

    released = {(p.parts[-3], p.stem) for p in release_src.glob("safetynet/*/migrations/0*.py")}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {key: m for key, m in loader.disk_migrations.items() if m.__module__.startswith("safetynet.")}
    assert released and released <= set(ours)  # nothing released was renamed or deleted
    for key in sorted(set(ours) - released):
        found = [type(op).__name__ for op in ours[key].operations if type(op).__name__ in DESTRUCTIVE]
        assert not found or key in NOT_ADDITIVE, (
            f"{key[0]}.{key[1]} {found}: add a column first, drop it a release later"
        )
