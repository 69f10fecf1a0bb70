"""Fixtures for the access-log tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def guarded(settings: Any) -> Iterator[None]:
    """Turn the triggers' test-only purge switch off, as in every real deployment."""
    settings.SAFETYNET_AUDIT_ALLOW_TEST_PURGE = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL safetynet.audit_purge_allowed = 'off'")
    yield
