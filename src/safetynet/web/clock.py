"""The clock the screens read ("age 14", "overdue"): settings.SAFETYNET_CLOCK when a test or
an "as of" deployment sets one, otherwise the system clock."""

from __future__ import annotations

from django.conf import settings

from safetynet.lib.clock import Clock, system_clock


def clock() -> Clock:
    """Return the clock to read the current time from."""
    configured: Clock | None = getattr(settings, "SAFETYNET_CLOCK", None)
    return configured or system_clock
