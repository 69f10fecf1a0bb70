"""Settings shared by every environment."""

from __future__ import annotations

from pathlib import Path

from safetynet.settings.env import env_bool, env_int, env_list, env_str

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
    "safetynet.records",
    "safetynet.interchange",
    "safetynet.identity",
    "safetynet.risk",
    "safetynet.work",
    "safetynet.web",
    "safetynet.api",
    "ninja",  # serves its Swagger UI from static files, not a CDN
]

MIDDLEWARE = [
    "safetynet.lib.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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

# The clock every service reads (safetynet.lib.clock); tests replace it.
SAFETYNET_LOG_JSON = env_bool("SAFETYNET_LOG_JSON", True)
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
