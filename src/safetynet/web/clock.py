"""The clock the screens read ("age 14", "overdue"): the clock in force (`lib.clock`)."""

from __future__ import annotations

from safetynet.lib.clock import Clock, system_clock


def clock() -> Clock:
    """Return the clock to read the current time from (settings.SAFETYNET_CLOCK or the wall clock)."""
    return system_clock
