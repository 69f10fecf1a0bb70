"""Production: PostgreSQL from DATABASE_URL; secret and hosts from the environment.

Refuses to start without a real secret key or database, so a misconfigured server
never serves children's records with a guessable key.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from safetynet.settings.base import *  # noqa: F403
from safetynet.settings.env import data_dir, database_from_url, env_bool, env_int, env_list, env_str

DEBUG = False
SAFETYNET_DATA_DIR = data_dir()

SECRET_KEY = env_str("SAFETYNET_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith(("dev-only", "test-only", "change-me")) or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SAFETYNET_SECRET_KEY must be set to a random value of at least 50 characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# Rotation (docs/operations.md "Secrets"): the previous key here keeps sessions signed with it valid
# while the new one takes over; nothing stored (passwords, the audit chain, API keys) depends on it.
SECRET_KEY_FALLBACKS = env_list("SAFETYNET_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("SAFETYNET_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SAFETYNET_ALLOWED_HOSTS must list the host names this server answers to.")
CSRF_TRUSTED_ORIGINS = env_list("SAFETYNET_CSRF_TRUSTED_ORIGINS", [f"https://{h}" for h in ALLOWED_HOSTS])

_url = env_str("DATABASE_URL")
if not _url:
    raise ImproperlyConfigured("DATABASE_URL must be set, e.g. postgres://safetynet@db.internal:5432/safetynet.")
DATABASES = {"default": database_from_url(_url)}

STATIC_ROOT = env_str("SAFETYNET_STATIC_ROOT", str(SAFETYNET_DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SAFETYNET_SSL_REDIRECT", True)
# Probes and Prometheus reach the web processes directly over the internal network, in plain HTTP;
# the TLS proxy answers everyone else (and refuses /metrics from outside: deploy/Caddyfile).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SAFETYNET_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
