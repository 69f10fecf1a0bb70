"""Which settings a process gets, and production's refusal to start misconfigured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from safetynet.settings.env import database_from_url, env_bool, env_int, env_networks

GOOD_SECRET = "k3Yq-8vN_2pL" * 6


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    clean["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True)


def test_dev_settings_use_sqlite_under_the_data_directory(tmp_path: Path) -> None:
    result = run_python(
        "from django.conf import settings; import django; django.setup();"
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
        {"DJANGO_SETTINGS_MODULE": "safetynet.settings.dev", "SAFETYNET_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "safetynet.sqlite3")


def test_dev_settings_use_postgresql_when_database_url_is_set(tmp_path: Path) -> None:
    result = run_python(
        "from django.conf import settings; import django; django.setup();"
        "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])",
        {"DJANGO_SETTINGS_MODULE": "safetynet.settings.dev", "DATABASE_URL": "postgres://u@db.example:5433/sn"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "sn", "db.example", "5433"]


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "safetynet.settings.production",
            "DATABASE_URL": "postgres://u@localhost/sn",
            "SAFETYNET_ALLOWED_HOSTS": "safetynet.example",
        },
    )
    assert result.returncode != 0
    assert "SAFETYNET_SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key() -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "safetynet.settings.production",
            "SAFETYNET_SECRET_KEY": "dev-only-insecure-key-never-used-in-production" + "x" * 10,
            "DATABASE_URL": "postgres://u@localhost/sn",
            "SAFETYNET_ALLOWED_HOSTS": "safetynet.example",
        },
    )
    assert "SAFETYNET_SECRET_KEY must be set" in result.stderr


def test_production_requires_a_database_url() -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "safetynet.settings.production",
            "SAFETYNET_SECRET_KEY": GOOD_SECRET,
            "SAFETYNET_ALLOWED_HOSTS": "safetynet.example",
        },
    )
    assert "DATABASE_URL must be set" in result.stderr


def test_check_deploy_under_production_settings_reports_nothing(tmp_path: Path) -> None:
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {
            "DJANGO_SETTINGS_MODULE": "safetynet.settings.production",
            "SAFETYNET_SECRET_KEY": GOOD_SECRET,
            "DATABASE_URL": "postgres://u@localhost/sn",
            "SAFETYNET_ALLOWED_HOSTS": "safetynet.example",
            "SAFETYNET_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "not a url", "postgres://u@host:5432", "http://example.com/db"],
)
def test_unsupported_or_malformed_database_urls_are_refused_with_the_variable_named(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


def test_database_url_errors_never_echo_the_password() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        database_from_url("mysql://user:s3cretpass@h/db")
    assert "s3cretpass" not in str(info.value)


def test_env_helpers_reject_values_of_the_wrong_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SN_FLAG", "perhaps")
    monkeypatch.setenv("SN_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="SN_FLAG must be true or false"):
        env_bool("SN_FLAG")
    with pytest.raises(ImproperlyConfigured, match="SN_NUM must be a whole number"):
        env_int("SN_NUM", 1)


def test_production_accepts_what_the_previous_secret_key_signed_while_it_is_a_fallback(tmp_path: Path) -> None:
    """Rotating the key (docs/operations.md "Secrets") signs nobody out while the old one is a fallback."""
    old = "old-" + GOOD_SECRET
    code = (
        "import django; django.setup(); from django.core import signing;"
        f"print(signing.loads(signing.dumps('session', key={old!r})))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "safetynet.settings.production",
        "SAFETYNET_SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": "postgres://u@localhost/sn",
        "SAFETYNET_ALLOWED_HOSTS": "safetynet.example",
        "SAFETYNET_DATA_DIR": str(tmp_path),
    }
    without = run_python(code, env)
    assert without.returncode != 0 and "BadSignature" in without.stderr
    rotated = run_python(code, {**env, "SAFETYNET_SECRET_KEY_FALLBACKS": old})
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.strip() == "session"


def test_metrics_networks_must_be_cidr_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SN_NETS", "10.0.0.0/8, 192.168.5.7 ,fd00::/8")
    assert env_networks("SN_NETS") == ["10.0.0.0/8", "192.168.5.7/32", "fd00::/8"]
    monkeypatch.setenv("SN_NETS", "10.0.0.0/8,monitoring")
    with pytest.raises(ImproperlyConfigured, match=r"SN_NETS must be networks such as .* \(got 'monitoring'\)"):
        env_networks("SN_NETS")


def test_the_demo_settings_answer_metrics_to_this_machine_only_unless_told_otherwise(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.SAFETYNET_METRICS_NETWORKS)"
    env = {"DJANGO_SETTINGS_MODULE": "safetynet.settings.dev", "SAFETYNET_DATA_DIR": str(tmp_path)}
    assert run_python(code, env).stdout.strip() == "['127.0.0.1/32', '::1/128']"
    told = run_python(code, {**env, "SAFETYNET_METRICS_NETWORKS": "10.1.0.0/16"})
    assert told.stdout.strip() == "['10.1.0.0/16']"
