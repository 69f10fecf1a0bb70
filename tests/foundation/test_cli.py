"""The `safetynet` command: help, one-line errors with exit code 2, and the basic commands."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from safetynet.cli.main import COMMANDS, main

SRC = str(Path(__file__).resolve().parents[2] / "src")


def safetynet(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m safetynet` in a clean environment (the way a user runs it)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    clean["PYTHONPATH"] = SRC
    return subprocess.run(
        [sys.executable, "-m", "safetynet", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory migrated once by `safetynet migrate`, copied by tests that need one."""
    directory = tmp_path_factory.mktemp("migrated")
    result = safetynet("migrate", env={"SAFETYNET_DATA_DIR": str(directory)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("applied ")
    return directory


@pytest.fixture
def migrated_dir(migrated_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(migrated_template, target)
    return target


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself_in_one_screen(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: safetynet {command}")
    assert len(out.splitlines()) <= 40


def test_unknown_command_is_one_line_and_exit_code_2() -> None:
    result = safetynet("frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'frobnicate'" in result.stderr


def test_python_dash_m_reports_the_version() -> None:
    result = safetynet("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("safetynet ")


def test_malformed_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = safetynet("doctor", env={"DATABASE_URL": "mysql://root@localhost/db", "SAFETYNET_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "safetynet doctor: error: DATABASE_URL must look like postgres://user@host:5432/dbname or "
        "sqlite:///path/db.sqlite3 (got a URL with scheme 'mysql')."
    ]


def test_unreachable_database_is_one_clear_line_without_traceback(tmp_path: Path) -> None:
    result = safetynet("migrate", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot reach the PostgreSQL database 'none' on 127.0.0.1:1" in lines[0]
    assert "Traceback" not in result.stderr


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    result = safetynet("--debug", "migrate", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    assert result.returncode != 0
    assert "Traceback" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; permissions cannot be tested as root")
def test_read_only_data_directory_is_one_clear_line(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    result = safetynet("migrate", env={"SAFETYNET_DATA_DIR": str(ro)})
    assert result.returncode == 2
    assert "is not writable" in result.stderr


def test_data_directory_that_cannot_be_created_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = safetynet("migrate", env={"SAFETYNET_DATA_DIR": str(blocker / "data")})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "data directory" in result.stderr


def test_migrate_then_doctor_shows_the_database_and_no_pending_migrations(migrated_dir: Path) -> None:
    env = {"SAFETYNET_DATA_DIR": str(migrated_dir)}
    again = safetynet("migrate", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("applied 0 migration(s)")
    doctor = safetynet("doctor", env=env)
    assert doctor.returncode == 0, doctor.stderr
    assert f"database: SQLite file {migrated_dir / 'safetynet.sqlite3'}" in doctor.stdout
    assert "pending migrations: 0" in doctor.stdout
    assert "django 5.2" in doctor.stdout
    assert "worker: ATTENTION: no worker heartbeat: start 'safetynet worker'" in doctor.stdout
    assert "queue: ok: 0 job(s) due" in doctor.stdout


def test_doctor_reports_pending_migrations_on_a_new_database(tmp_path: Path) -> None:
    doctor = safetynet("doctor", env={"SAFETYNET_DATA_DIR": str(tmp_path)})
    assert doctor.returncode == 1
    assert "pending migrations: 0" not in doctor.stdout
    assert "records.0001_initial" in doctor.stdout


def test_createuser_reads_the_password_from_stdin_and_refuses_duplicates(migrated_dir: Path) -> None:
    env = {"SAFETYNET_DATA_DIR": str(migrated_dir)}
    first = safetynet("createuser", "sgt.jones", "--password-stdin", env=env, stdin="a-long-enough-passphrase\n")
    assert first.returncode == 0, first.stderr
    assert "passphrase" not in first.stdout
    again = safetynet("createuser", "sgt.jones", "--password-stdin", env=env, stdin="another-long-passphrase\n")
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_createuser_refuses_a_weak_password(migrated_dir: Path) -> None:
    env = {"SAFETYNET_DATA_DIR": str(migrated_dir)}
    result = safetynet("createuser", "pc.smith", "--password-stdin", env=env, stdin="short\n")
    assert result.returncode == 2
    assert "password refused" in result.stderr


def test_serve_refuses_a_database_with_pending_migrations(tmp_path: Path) -> None:
    result = safetynet("serve", "--no-worker", env={"SAFETYNET_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "run 'safetynet migrate' first" in result.stderr


def test_demo_refuses_production_settings() -> None:
    result = safetynet("demo", "--no-serve", env={"DJANGO_SETTINGS_MODULE": "safetynet.settings.production"})
    assert result.returncode == 2
    assert "refuses to run under production settings" in result.stderr
