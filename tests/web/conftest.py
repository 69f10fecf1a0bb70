"""Fixtures for the web tests: the invented world and a signed-in client."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from tests.web.world import World, build_world

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
def _frozen_screens(settings: Any, clock: FixedClock) -> None:
    """Screens read the frozen clock (2 March 2026), so ages and deadlines are exact."""
    settings.SAFETYNET_CLOCK = clock


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def officer_client(client: Client, world: World) -> Client:
    client.force_login(world.officer)
    return client
