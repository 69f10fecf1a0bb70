"""The injected clock: the one way to read the current time.

Services never call `timezone.now()` or `datetime.now()`: they take a `clock` (or `as_of`)
argument defaulting to `system_clock`, so evaluation "as of" any time is exact and tests
move time instead of sleeping. `system_clock` is the clock in force: the wall clock, unless
`settings.SAFETYNET_CLOCK` pins another (a test, or an "as of" deployment), so the screens,
the services and model defaults (`now`) all read the same time.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.conf import settings


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class WallClock:
    """The machine's clock, always timezone-aware (UTC)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class SystemClock:
    """The clock in force: `settings.SAFETYNET_CLOCK` when one is set, otherwise the wall clock.

    Read at every call, so a test that pins the settings clock moves every reader at once; without
    configured settings (synth, bench) it is the wall clock."""

    _wall = WallClock()

    def now(self) -> dt.datetime:
        configured: Clock | None = getattr(settings, "SAFETYNET_CLOCK", None) if settings.configured else None
        return (configured or self._wall).now()


class FixedClock:
    """A clock that stands still until moved; for tests and "as of" evaluation."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at = self._at + dt.timedelta(**delta)


system_clock: Clock = SystemClock()


def now() -> dt.datetime:
    """The time on the clock in force; the default of model timestamp fields."""
    return system_clock.now()
