"""Working days and school days, as the clauses' clocks count them (school holidays ignored)."""

from __future__ import annotations

import time

from safetynet.synth.world import DAY, HOUR


def next_school_day_start(ts: int) -> int:
    """Returns 09:00 UTC on the first weekday whose 09:00 is after `ts` (school holidays ignored)."""
    day = ts - ts % DAY
    candidate = day + 9 * HOUR
    while candidate <= ts or time.gmtime(candidate).tm_wday >= 5:
        candidate += DAY
    return candidate


def working_days_after(ts: int, days: int) -> int:
    """Returns the moment `days` working days (Mon-Fri) after `ts`."""
    t = ts
    left = days
    while left > 0:
        t += DAY
        if time.gmtime(t).tm_wday < 5:
            left -= 1
    return t
