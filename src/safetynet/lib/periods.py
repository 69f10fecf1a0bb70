"""A period a screen or report is filtered by (from, to as dates), checked the same way
everywhere: an impossible one is refused naming the field and the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

PERIOD_MAX_DAYS = 3 * 366


class PeriodRefused(Exception):
    """An impossible period: `field` (period_from or period_to) and what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


def check_period(start: Any, end: Any, today: dt.date, max_days: int = PERIOD_MAX_DAYS) -> tuple[dt.date, dt.date]:
    """(start, end) when both are dates, start <= end <= today and the span is at most
    `max_days`; PeriodRefused naming the field otherwise."""
    if not isinstance(start, dt.date):
        raise PeriodRefused("period_from", "expected a date")
    if not isinstance(end, dt.date):
        raise PeriodRefused("period_to", "expected a date")
    if end < start:
        raise PeriodRefused("period_to", "expected a date on or after the start of the period")
    if end > today:
        raise PeriodRefused("period_to", "expected a date no later than today")
    if (end - start).days > max_days:
        raise PeriodRefused("period_from", f"expected a period of at most {max_days} days")
    return start, end


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as [midnight UTC of `start`, midnight UTC after `end`)."""
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC),
    )
