"""Concurrent capture calls (several server processes) take turns per chunk instead of colliding."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from safetynet.interchange.capture import CaptureResult, capture
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person
from tests.interchange.conftest import person


@pytest.mark.django_db(transaction=True)
def test_calls_sending_the_same_new_records_at_once_store_each_once(clock: FixedClock) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is one connection; its IMMEDIATE transactions serialise anyway")
    rows = [person(f"P{i}") for i in range(300)]
    results: list[CaptureResult] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            results.append(capture(rows, door="drop", clock=clock, notify=False, chunk_lines=50))
        except Exception as exc:  # noqa: BLE001 - the test asserts there were none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert Person.objects.count() == 300
    outcomes = [a.outcome for r in results for a in r.answers]
    assert outcomes.count("accepted") == 300 and outcomes.count("unchanged") == 900
