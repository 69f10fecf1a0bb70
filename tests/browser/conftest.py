"""Fixtures for the browser journeys: the same as the web tests' (tests/web/conftest.py):
Debian's Chromium through Playwright, and the frozen clock the screens read."""

from __future__ import annotations

import os

# Playwright's sync API keeps an asyncio loop running in the test thread (see tests/web/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import _frozen_screens, browser_type_launch_args  # noqa: F401
