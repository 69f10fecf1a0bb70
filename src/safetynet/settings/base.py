"""Settings shared by every environment."""

from __future__ import annotations

import sys
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from safetynet.settings.env import env_bool, env_int, env_list, env_networks, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DEBUG = False
SECRET_KEY = env_str("SAFETYNET_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("SAFETYNET_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "safetynet.records",
    "safetynet.interchange",
    "safetynet.identity",
    "safetynet.risk",
    "safetynet.work",
    "safetynet.oversight",
    "safetynet.exports",
    "safetynet.web",
    "safetynet.api",
    "ninja",  # serves its Swagger UI from static files, not a CDN
    "safetynet.access",
    "safetynet.accounts",
    "safetynet.audit",
]

MIDDLEWARE = [
    # First: behind the force's proxy (SAFETYNET_TRUSTED_PROXIES) the user's address, for the access
    # log, the lockout and the metrics network check alike.
    "safetynet.lib.proxy.TrustedProxyMiddleware",
    "safetynet.lib.logging.RequestIdMiddleware",
    # One request's memo (safetynet.lib.memo): the viewer's restrictions read once a page.
    "safetynet.lib.memo.RequestMemoMiddleware",
    # Request latency by URL name for /metrics (per web process).
    "safetynet.ops.metrics.LatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their cache lifetimes): nothing else is stored.
    "safetynet.web.caching.NoStoreMiddleware",
    # Every page's control and bidirectional characters shown as [U+XXXX], never obeyed.
    "safetynet.web.visible.VisibleControlsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safetynet.audit.context.AuditContextMiddleware",
    "safetynet.web.middleware.AccessMatrixMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Passwords: argon2 first (memory-hard); older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes sits before the model backend so it can refuse locked-out sign-ins.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failures lock the username (from anywhere) and, separately, the address (for
# any username), for 30 minutes; a success clears that user's count. Every failure and
# lockout is written to the access log (safetynet.audit.receivers).
AXES_FAILURE_LIMIT = env_int("SAFETYNET_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("SAFETYNET_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The address as the server saw it; behind a proxy, set it from the proxy's header in the
# web server, never from a header the client controls.
AXES_CLIENT_IP_CALLABLE = "safetynet.audit.context.client_ip"

# Second factor (django-otp, TOTP): required for the elevated roles in
# safetynet.access.roles.ELEVATED_ROLES before any screen but the second-factor ones.
OTP_TOTP_ISSUER = "safetynet"
SAFETYNET_REQUIRE_SECOND_FACTOR = env_bool("SAFETYNET_REQUIRE_SECOND_FACTOR", True)

# Content Security Policy (django-csp 4.x format): our own origin only, no inline script or
# style, no eval; the few inline scripts carry the per-request nonce ({{ request.csp_nonce }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "safetynet.urls"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
WSGI_APPLICATION = "safetynet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safetynet.web.context_processors.viewer",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_str("SAFETYNET_STATIC_ROOT", "") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Sessions end after a shift's worth of inactivity and when the browser closes.
SESSION_COOKIE_AGE = env_int("SAFETYNET_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background work: Django's Tasks API with the database-backed worker (no extra server).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# REST ingest (api/ingest.py): the byte cap of one POST (413 above it), and calls a minute per
# API key (429 above it). The count lives in CACHES: per process by default; production
# configures a shared cache (database or Redis) so the limit holds across server processes.
SAFETYNET_INGEST_MAX_BYTES = env_int("SAFETYNET_INGEST_MAX_BYTES", 32 * 1024 * 1024)
SAFETYNET_API_KEY_CALLS_PER_MINUTE = env_int("SAFETYNET_API_KEY_CALLS_PER_MINUTE", 600)
# A REST call or web form about at most this many children re-evaluates them before it answers
# (risk/receivers.py); larger ones, and their network neighbours, go to the task worker. 0: always the worker.
SAFETYNET_LIVE_EVALUATION_MAX = env_int("SAFETYNET_LIVE_EVALUATION_MAX", 10)

# Notifications by email (work/notifications.py, docs/work.md): Django's email backend. The
# console backend (the default, and the demo's) prints each email; a force sets the SMTP backend
# and its relay. Emails carry a link to SAFETYNET_BASE_URL and never personal data.
EMAIL_BACKEND = env_str("SAFETYNET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("SAFETYNET_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SAFETYNET_EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("SAFETYNET_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SAFETYNET_FROM_EMAIL", "safetynet@localhost")
SAFETYNET_BASE_URL = env_str("SAFETYNET_BASE_URL", "http://127.0.0.1:8000")

# The access log's chain head kept off the database (docs/audit.md, audit/anchor.py): `safetynet
# worker` appends it to this file and/or sends it to this syslog address (/dev/log, HOST:PORT,
# udp:// or tcp://) every N minutes. Off when neither is set.
SAFETYNET_AUDIT_HEAD_FILE = env_str("SAFETYNET_AUDIT_HEAD_FILE", "")
SAFETYNET_AUDIT_HEAD_SYSLOG = env_str("SAFETYNET_AUDIT_HEAD_SYSLOG", "")
SAFETYNET_AUDIT_HEAD_MINUTES = env_int("SAFETYNET_AUDIT_HEAD_MINUTES", 15)
if SAFETYNET_AUDIT_HEAD_MINUTES < 1:
    raise ImproperlyConfigured(f"SAFETYNET_AUDIT_HEAD_MINUTES must be at least 1 (got {SAFETYNET_AUDIT_HEAD_MINUTES}).")

# Readiness (/readyz, ops/readiness.py): the newest worker heartbeat must be younger than this
# (workers beat every 10 s), and the oldest job due in the queue or overdue task not yet escalated
# by the sweeper (which runs every minute) younger than that.
SAFETYNET_READY_HEARTBEAT_SECONDS = env_int("SAFETYNET_READY_HEARTBEAT_SECONDS", 60)
SAFETYNET_READY_QUEUE_LAG_SECONDS = env_int("SAFETYNET_READY_QUEUE_LAG_SECONDS", 300)

# Reverse proxies (CIDR, comma-separated) whose X-Forwarded-For names the user's address
# (lib/proxy.py); from any other address the header is ignored. None by default.
SAFETYNET_TRUSTED_PROXIES = env_networks("SAFETYNET_TRUSTED_PROXIES")

# Metrics (/metrics, ops/metrics.py): answered only to a bearer token equal to this, or to a client
# address in one of these networks (CIDR, comma-separated). Neither set: refused to everyone.
SAFETYNET_METRICS_TOKEN = env_str("SAFETYNET_METRICS_TOKEN", "")
SAFETYNET_METRICS_NETWORKS = env_networks("SAFETYNET_METRICS_NETWORKS")

# The clock every service reads (safetynet.lib.clock); tests replace it.
# JSON lines for log collectors; plain text when a person reads the terminal (`make demo`).
SAFETYNET_LOG_JSON = env_bool("SAFETYNET_LOG_JSON", not sys.stderr.isatty())
SAFETYNET_LOG_LEVEL = env_str("SAFETYNET_LOG_LEVEL", "INFO")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safetynet.lib.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "safetynet.lib.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if SAFETYNET_LOG_JSON else "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": SAFETYNET_LOG_LEVEL},
    "loggers": {
        # Django's request logger prints the full path with the query string, which can
        # carry a searched name; our RequestIdMiddleware logs requests without it.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}

# Record linkage (identity): match probabilities at or above `link` link automatically;
# from `review` up to `link` the pair goes to the review queue. Chosen on the synthetic
# county (docs/identity.md): precision first, a wrong merge puts one child's history on another.
SAFETYNET_LINK_THRESHOLDS = {"link": 0.99, "review": 0.5}
