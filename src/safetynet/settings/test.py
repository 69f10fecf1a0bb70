"""Test settings: SQLite by default, PostgreSQL when SAFETYNET_TEST_DATABASE_URL is set."""

from __future__ import annotations

from safetynet.settings.base import *  # noqa: F403
from safetynet.settings.env import data_dir, database_from_url, env_str, sqlite_options

DEBUG = False
SECRET_KEY = "test-only-key"
SAFETYNET_DATA_DIR = data_dir()
SAFETYNET_DATA_DIR.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; production uses argon2
# Lets the test runner empty the append-only audit tables between tests (see
# safetynet.audit.receivers); tests of the triggers turn it off.
SAFETYNET_AUDIT_ALLOW_TEST_PURGE = True

_url = env_str("SAFETYNET_TEST_DATABASE_URL")
if _url:
    DATABASES = {"default": database_from_url(_url, variable="SAFETYNET_TEST_DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SAFETYNET_DATA_DIR / "test.sqlite3"),
            **sqlite_options(),
            "TEST": {"NAME": str(SAFETYNET_DATA_DIR / "test-run.sqlite3")},
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
