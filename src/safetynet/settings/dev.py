"""Development and demo: the embedded SQLite database under the data directory.

Set DATABASE_URL to run the same settings against PostgreSQL.
"""

from __future__ import annotations

from safetynet.settings.base import *  # noqa: F403
from safetynet.settings.env import data_dir, database_from_url, env_bool, env_str, sqlite_options

DEBUG = env_bool("SAFETYNET_DEBUG", False)
SECRET_KEY = env_str("SAFETYNET_SECRET_KEY", "") or "dev-only-insecure-key-never-used-in-production"
SAFETYNET_DATA_DIR = data_dir()
# Serve static files straight from the apps (no collectstatic step for a demo).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The demo's /metrics answers this machine (`make demo` prints the address); production answers
# nobody until SAFETYNET_METRICS_TOKEN or SAFETYNET_METRICS_NETWORKS says who (docs/operations.md).
SAFETYNET_METRICS_NETWORKS = SAFETYNET_METRICS_NETWORKS or ["127.0.0.1/32", "::1/128"]

_url = env_str("DATABASE_URL")
if _url:
    DATABASES = {"default": database_from_url(_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SAFETYNET_DATA_DIR / "safetynet.sqlite3"),
            **sqlite_options(),
        }
    }
