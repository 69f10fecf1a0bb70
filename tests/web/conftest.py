"""Fixtures for the web tests: the frozen clock and the browser (the invented world and a
signed-in client, `world` and `officer_client`, are in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread, so Django's ORM
# refuses sync database calls there unless this is set (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium (never a browser downloaded by Playwright)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


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
