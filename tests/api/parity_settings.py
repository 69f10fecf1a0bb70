"""Settings for tests/api/parity.py: the dev settings (SQLite under SAFETYNET_DATA_DIR) with the
clock pinned and background tasks run at once, so two runs can be compared."""

from __future__ import annotations

import datetime as dt

from safetynet.lib.clock import FixedClock
from safetynet.settings.dev import *  # noqa: F403

SAFETYNET_CLOCK = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
