"""deploy/entrypoint.sh, run directly with bash (no container engine here): its refusals, one line
each and before anything is written, and its migrate mode against a temporary SQLite database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
SECRET = "x7Qp2" * 13  # 65 characters, not a development key


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    clean["PATH"] = f"{Path(sys.executable).parent}:{clean.get('PATH', '/usr/bin:/bin')}"
    return subprocess.run(
        ["bash", str(ENTRYPOINT), *args], env={**clean, **env}, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def settings_env(tmp_path: Path) -> dict[str, str]:
    return {
        "SAFETYNET_SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'safetynet.sqlite3'}",
        "SAFETYNET_ALLOWED_HOSTS": "safetynet.example.police.uk",
        "SAFETYNET_DATA_DIR": str(tmp_path / "data"),
    }


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("missing", ["SAFETYNET_SECRET_KEY", "DATABASE_URL", "SAFETYNET_ALLOWED_HOSTS"])
def test_a_missing_setting_is_refused_in_one_line_before_anything_is_written(
    missing: str, settings_env: dict[str, str], tmp_path: Path
) -> None:
    del settings_env[missing]
    line = one_line_refusal(run("migrate", env=settings_env))
    assert line.startswith(f"entrypoint: {missing} is not set (")
    assert not (tmp_path / "safetynet.sqlite3").exists()


def test_no_mode_or_an_unknown_mode_is_refused(settings_env: dict[str, str]) -> None:
    assert "say what to run: migrate, web, worker" in one_line_refusal(run(env=settings_env))
    assert "unknown mode 'serve'" in one_line_refusal(run("serve", env=settings_env))


def test_a_secret_may_come_from_a_file_but_not_from_both(settings_env: dict[str, str], tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(SECRET)
    both = {**settings_env, "SAFETYNET_SECRET_KEY_FILE": str(secret_file)}
    assert "set SAFETYNET_SECRET_KEY or SAFETYNET_SECRET_KEY_FILE, not both" in one_line_refusal(
        run("migrate", env=both)
    )
    unreadable = {**settings_env, "SAFETYNET_SECRET_KEY_FILE": str(tmp_path / "absent")}
    del unreadable["SAFETYNET_SECRET_KEY"]
    assert "which is not a readable file" in one_line_refusal(run("migrate", env=unreadable))
    from_file = {**settings_env, "SAFETYNET_SECRET_KEY_FILE": str(secret_file)}
    del from_file["SAFETYNET_SECRET_KEY"]
    assert run("safetynet", "migrate", "--check", env=from_file).returncode == 1  # loaded: migrations pending


def test_a_weak_secret_key_is_refused_by_the_production_settings_in_one_line(settings_env: dict[str, str]) -> None:
    line = one_line_refusal(run("migrate", env={**settings_env, "SAFETYNET_SECRET_KEY": "short"}))
    assert "SAFETYNET_SECRET_KEY must be set to a random value of at least 50 characters" in line


def test_migrate_mode_creates_the_schema_and_web_refuses_an_unmigrated_database(
    settings_env: dict[str, str], tmp_path: Path
) -> None:
    refused = one_line_refusal(run("web", env=settings_env))
    assert refused == "entrypoint: the database has unapplied migrations: run the migrate mode first."
    migrated = run("migrate", env=settings_env)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.startswith("applied ")
    with sqlite3.connect(tmp_path / "safetynet.sqlite3") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"work_task", "work_workerheartbeat", "audit_auditentry", "django_tasks_database_dbtaskresult"} <= tables
    again = run("safetynet", "migrate", "--check", env=settings_env)
    assert again.returncode == 0, again.stderr + again.stdout


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_web_mode_serves_liveness_readiness_and_guards_metrics_over_plain_http_inside(
    settings_env: dict[str, str], tmp_path: Path
) -> None:
    """The probes and Prometheus reach gunicorn directly in plain HTTP (the TLS proxy is in front of
    everyone else), so these three URLs are exempt from the production settings' HTTPS redirect."""
    import json
    import time
    import urllib.error

    assert run("migrate", env=settings_env).returncode == 0
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    clean["PATH"] = f"{Path(sys.executable).parent}:{clean.get('PATH', '/usr/bin:/bin')}"
    env = {**clean, **settings_env, "SAFETYNET_PORT": str(port), "SAFETYNET_WEB_PROCESSES": "1"}
    server = subprocess.Popen(
        ["bash", str(ENTRYPOINT), "web"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def get(path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Host": "safetynet.example.police.uk"}
        )
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
        try:
            with direct.open(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get("/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, body = get("/readyz")
        assert status == 503 and json.loads(body)["failing"] == ["worker"]
        assert get("/metrics")[0] == 403
        assert get("/")[0] == 301  # everything else goes to HTTPS
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_image_lock_pins_the_runtime_dependencies_at_the_versions_of_the_development_lock() -> None:
    """deploy/requirements.lock (the image's) is compiled by `make lock` against requirements.lock:
    the image runs exactly what the tests ran, without the test tools and Spark."""

    def pins(path: Path) -> dict[str, str]:
        lines = path.read_text().splitlines()
        return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith((" ", "#")))

    image, development = pins(ROOT / "deploy" / "requirements.lock"), pins(ROOT / "requirements.lock")
    assert {"django", "gunicorn", "prometheus-client", "psycopg"} <= set(image)
    assert {name: version for name, version in image.items() if development.get(name) != version} == {}
    assert not {"pytest", "pyspark", "playwright", "mypy"} & set(image)
