"""Working days and school days, as the clauses' clocks count them: school days by the starter
policy's calendar (09:00 in Europe/London, England and Wales bank holidays, no term dates)."""

from __future__ import annotations

import datetime as dt
import time

from safetynet.lib.school_days import ENGLAND_AND_WALES
from safetynet.synth.world import DAY


def next_school_day_start(ts: int) -> int:
    """Returns the start (09:00 UK time) of the first school day after `ts`, in epoch seconds."""
    at = dt.datetime.fromtimestamp(ts, dt.UTC)
    return int(ENGLAND_AND_WALES.next_start(at, 9).timestamp())


def working_days_after(ts: int, days: int) -> int:
    """Returns the moment `days` working days (Mon-Fri) after `ts`."""
    t = ts
    left = days
    while left > 0:
        t += DAY
        if time.gmtime(t).tm_wday < 5:
            left -= 1
    return t
