"""The injected clock.

Services never call `timezone.now()` directly: they take a `clock` (or `as_of`) argument
defaulting to `system_clock`, so evaluation "as of" any time is exact and tests move time
instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The wall clock, always timezone-aware (UTC)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


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
