"""Fixtures shared by every test package. Each app's own fixtures live in tests/<app>/conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.lib.clock import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    """A frozen clock at a fixed, unremarkable moment; tests move it instead of sleeping."""
    return FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def admin_client(client: Any, admin_user: Any) -> Any:
    """pytest-django's admin client, past the second factor system administrators need."""
    from tests.access.support import sign_in

    return sign_in(client, admin_user)
