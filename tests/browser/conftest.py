"""Fixtures for the browser journeys: Debian's Chromium through Playwright (the launch
arguments of tests/web/conftest.py) and the frozen clock the screens read."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.web.conftest import CHROMIUM_ARGS, chromium_path

# Playwright's sync API keeps an asyncio loop running in the test thread (see tests/web/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Replaces pytest-playwright's fixture so it launches Debian's Chromium."""
    path = chromium_path()
    if not path:
        pytest.skip("Debian chromium is not installed (apt-get install chromium); browser tests need it")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _frozen_screens(frozen_screens: None) -> None:
    pass
