"""Fixtures for the access-log tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection


@pytest.fixture
def guarded(settings: Any) -> Iterator[None]:
    """Turn the triggers' test-only purge switch off, as in every real deployment.

    The connection is opened first, while the switch is still on: PostgreSQL sets it once per
    connection, and a connection opened while it is off would keep it off for every later test
    on this worker, so the test runner could no longer empty the audit tables between
    transactional tests. For the same reason the switch is turned back on afterwards."""
    connection.ensure_connection()
    settings.SAFETYNET_AUDIT_ALLOW_TEST_PURGE = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL safetynet.audit_purge_allowed = 'off'")
    yield
    if connection.vendor == "postgresql" and connection.connection is not None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET safetynet.audit_purge_allowed = 'on'")
        except DatabaseError:  # a test transaction already aborted: its rollback restores the switch
            pass
