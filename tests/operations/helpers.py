"""Running `safetynet` as an operator does (a process of its own, dev settings, a data directory
and database of the test's own), and PostgreSQL databases made and dropped per test."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def clean_environment(src: str = SRC) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env["PYTHONPATH"] = src
    env["SAFETYNET_LOG_LEVEL"] = "WARNING"
    return env


def safetynet(
    *args: str, env: dict[str, str], src: str = SRC, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m safetynet ARGS` with `env` over a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "safetynet", *args],
        env={**clean_environment(src), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pg_server_url() -> str:
    """The PostgreSQL server the suite is configured with; skips the test when there is none."""
    url = os.environ.get("SAFETYNET_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL not configured (SAFETYNET_TEST_DATABASE_URL)")
    return url


def _admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` when given), dropped afterwards; its URL."""
    server = pg_server_url()
    name = f"sn_ops_{uuid.uuid4().hex[:12]}"
    _admin(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
