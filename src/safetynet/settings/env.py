"""Small typed readers for environment variables (healthchecks' `envbool`/`envint` idea).

Every reader raises `ImproperlyConfigured` with one sentence naming the variable and
what was expected, so the command line can print it as one clear line.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma-separated list of networks in CIDR form (a bare address is its own /32 or /128)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be networks such as 10.0.0.0/8,192.168.5.7 (got {item!r})."
            ) from None
    return networks


_SUPPORTED_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def database_from_url(url: str, *, variable: str = "DATABASE_URL") -> dict[str, Any]:
    """Return a Django DATABASES entry for `url`, refusing anything we do not support.

    Only PostgreSQL (production) and SQLite (embedded) are supported; the message names
    the variable but never echoes a password.
    """
    import dj_database_url

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SUPPORTED_SCHEMES:
        raise ImproperlyConfigured(
            f"{variable} must look like postgres://user@host:5432/dbname or sqlite:///path/db.sqlite3"
            f" (got a URL with scheme {scheme or 'none'!r})."
        )
    if scheme != "sqlite" and not (parts.hostname or parts.path.strip("/")):
        raise ImproperlyConfigured(f"{variable} names no host or database.")
    if scheme != "sqlite" and not parts.path.strip("/"):
        raise ImproperlyConfigured(f"{variable} names no database (add /dbname to the URL).")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:  # malformed port and the like
        raise ImproperlyConfigured(f"{variable} is malformed: {exc}.") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.update(sqlite_options())
    return config


def sqlite_options() -> dict[str, Any]:
    """WAL and IMMEDIATE transactions so the web app and the task worker share the file."""
    return {
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    }


def data_dir() -> Path:
    """The directory for the embedded database and generated files (SAFETYNET_DATA_DIR)."""
    return Path(env_str("SAFETYNET_DATA_DIR", str(Path.cwd() / "var"))).resolve()
